#include "tasks/registry.hpp"

#include <map>

#include "common/error.hpp"
#include "tasks/kinds.hpp"

namespace gbmsweep {

namespace {
const std::map<std::string, TaskFn>& registry() {
  // Built on first use; each domain file adds its kinds (no static-initialisation order issues).
  static const std::map<std::string, TaskFn> r = [] {
    std::map<std::string, TaskFn> m;
    register_probe_tasks(m);
    register_mri_tasks(m);
    register_drug_tasks(m);
    register_ensemble_tasks(m);
    register_radiomics_tasks(m);
    return m;
  }();
  return r;
}
}  // namespace

const TaskFn& task_function(const std::string& kind) {
  auto it = registry().find(kind);
  GBM_CHECK(it != registry().end(), "no task kind '" << kind << "' in this build");
  return it->second;
}

std::vector<std::string> task_kinds() {
  std::vector<std::string> out;
  for (const auto& [k, _] : registry()) out.push_back(k);
  return out;
}

}  // namespace gbmsweep
