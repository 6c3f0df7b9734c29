// `gbmsweep status --store DIR [--sweep FILE] [--json]`: counts per status and kind, failed
// tasks' messages. With --sweep, the counts are over that sweep's plan: tasks the store has not
// seen yet (a new or edited sweep, or no store at all) count as pending.
#include <iomanip>
#include <iostream>
#include <map>
#include <optional>

#include "cli/commands.hpp"
#include "cli/parse.hpp"
#include "common/error.hpp"
#include "store/store.hpp"
#include "sweep/plan.hpp"

namespace gbmsweep::cli {

int cmd_status(const Args& args) {
  std::string dir, sweep;
  bool as_json = false;
  po::options_description visible("options");
  visible.add_options()
      ("store", po::value(&dir)->required(), "the result store directory")
      ("sweep", po::value(&sweep), "count over this sweep's plan (unseen tasks are pending)")
      ("json", po::bool_switch(&as_json), "print one JSON object (counts and every task)");
  po::variables_map vm;
  if (!parse_command_line("status", "--store DIR [--sweep FILE] [--json]", args, visible, {}, vm))
    return 0;

  std::optional<Store> store;
  try {
    store = Store::open_read(dir);
  } catch (const InputError&) {
    if (sweep.empty()) throw;  // with a sweep, a store not created yet means "all pending"
  }
  std::vector<TaskRecord> records;
  if (sweep.empty()) {
    records = store->records(false);
  } else {
    PlanOptions po;
    po.sweep_path = sweep;
    for (const auto& t : make_plan(po).tasks) {
      if (store && store->has(t.key)) {
        records.push_back(store->record(t.key));
        continue;
      }
      TaskRecord r;
      r.key = t.key;
      r.kind = t.kind;
      r.study = t.study;
      r.name = t.name;
      records.push_back(r);
    }
  }
  auto digest_of = [&](const std::string& key) { return store ? store->digest(key) : std::string(); };
  std::map<std::string, int> counts = {{"done", 0}, {"failed", 0}, {"pending", 0}, {"running", 0}};
  std::map<std::string, std::map<std::string, int>> by_kind;
  for (const auto& r : records) {
    ++counts[r.status];
    ++by_kind[r.kind][r.status];
  }

  if (as_json) {
    json tasks = json::array();
    for (const auto& r : records) {
      std::string digest = digest_of(r.key);
      tasks.push_back({{"key", r.key},
                       {"name", r.name},
                       {"kind", r.kind},
                       {"status", r.status},
                       {"error", r.status == "failed" ? json(r.error) : json(nullptr)},
                       {"digest", digest.empty() ? json(nullptr) : json(digest)}});
    }
    json out = {{"total", records.size()}, {"counts", counts}, {"tasks", tasks}};
    std::cout << out.dump() << "\n";
    return 0;
  }

  std::cout << "store " << dir << " (sweep "
            << (store ? store->info().sweep_name : std::string("not started")) << "): "
            << records.size() << " tasks\n";
  std::cout << "  " << std::left << std::setw(24) << "kind";
  for (const auto& [s, _] : counts) std::cout << std::right << std::setw(9) << s;
  std::cout << "\n";
  for (const auto& [kind, c] : by_kind) {
    std::cout << "  " << std::left << std::setw(24) << kind;
    for (const auto& [s, _] : counts) {
      auto it = c.find(s);
      std::cout << std::right << std::setw(9) << (it == c.end() ? 0 : it->second);
    }
    std::cout << "\n";
  }
  std::cout << "  " << std::left << std::setw(24) << "total";
  for (const auto& [s, n] : counts) std::cout << std::right << std::setw(9) << n;
  std::cout << "\n";
  for (const auto& r : records)
    if (r.status == "failed") std::cout << "failed " << r.name << " (" << r.key << "): " << r.error << "\n";
  return 0;
}

}  // namespace gbmsweep::cli
