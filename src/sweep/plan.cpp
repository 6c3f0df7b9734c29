#include "sweep/plan.hpp"

#include "common/error.hpp"

namespace gbmsweep {
Plan make_plan(const PlanOptions& options) { GBM_THROW("planning not built yet"); }
const TaskSpec* Plan::find(const std::string&) const { return nullptr; }
std::map<std::string, int> Plan::counts_by_kind() const { return {}; }
int Plan::depth() const { return 0; }
}  // namespace gbmsweep
