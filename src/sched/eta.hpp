#pragma once
// Expected task durations and the progress line's ETA: scheduling policy with no MPI in it,
// so that it is unit-tested without mpiexec (docs/scheduler.md, "Progress and ETA").
#include <map>
#include <string>
#include <vector>

namespace gbmsweep::sched {

class DurationModel {
 public:
  // A finished task of `kind` whose plan hint was `hint_s` ran `actual_s` seconds.
  void record(const std::string& kind, double hint_s, double actual_s);
  bool measured(const std::string& kind) const;
  // Expected seconds of a task. A kind with finished tasks: its hint × (measured ÷ hinted) of
  // that kind. A kind with none yet: its hint × the same ratio over every finished task, since
  // the hints of one sweep share one (often wrong) scale; the hint as is before any finished.
  double expected(const std::string& kind, double hint_s) const;

 private:
  struct Sums {
    double actual = 0, hint = 0;
  };
  std::map<std::string, Sums> kinds_;
  Sums all_;
};

// A task not finished yet, as the ETA sees it.
struct PendingWork {
  std::string kind;
  double hint_s = 0;
  int ranks = 1;
  double elapsed_s = -1;   // < 0: not started; else seconds it has run
  double path_s = 0;       // expected seconds from its start to the end of its longest chain
};

struct Eta {
  double seconds = 0;
  std::vector<std::string> unmeasured;  // kinds whose remaining tasks rely on hints alone
};

// The larger of (remaining work ÷ workers) and the longest remaining dependency chain. A
// running task counts what is left of it (at least a tenth of its expectation: it has not
// finished, so it was underestimated).
Eta estimate_eta(const DurationModel& model, const std::vector<PendingWork>& pending, int workers);

}  // namespace gbmsweep::sched
