#include "sched/eta.hpp"

#include <algorithm>
#include <set>

namespace gbmsweep::sched {

namespace {
constexpr double kMinHint = 1e-3;
}

void DurationModel::record(const std::string& kind, double hint_s, double actual_s) {
  const double h = std::max(hint_s, kMinHint), a = std::max(actual_s, 0.0);
  kinds_[kind].actual += a;
  kinds_[kind].hint += h;
  all_.actual += a;
  all_.hint += h;
}

bool DurationModel::measured(const std::string& kind) const {
  auto it = kinds_.find(kind);
  return it != kinds_.end() && it->second.hint > 0;
}

double DurationModel::expected(const std::string& kind, double hint_s) const {
  const double h = std::max(hint_s, kMinHint);
  auto it = kinds_.find(kind);
  if (it != kinds_.end() && it->second.hint > 0) return h * it->second.actual / it->second.hint;
  if (all_.hint > 0) return h * all_.actual / all_.hint;
  return h;
}

Eta estimate_eta(const DurationModel& model, const std::vector<PendingWork>& pending,
                 int workers) {
  Eta out;
  double work = 0, path = 0;
  std::set<std::string> unmeasured;
  for (const auto& p : pending) {
    const double e = model.expected(p.kind, p.hint_s);
    double left = e, chain = std::max(p.path_s, e);
    if (p.elapsed_s >= 0) {
      left = std::max(e - p.elapsed_s, 0.1 * e);
      chain = std::max(chain - p.elapsed_s, left);
    }
    work += left * std::max(p.ranks, 1);
    path = std::max(path, chain);
    if (!model.measured(p.kind)) unmeasured.insert(p.kind);
  }
  out.seconds = std::max(work / std::max(workers, 1), path);
  out.unmeasured.assign(unmeasured.begin(), unmeasured.end());
  return out;
}

}  // namespace gbmsweep::sched
