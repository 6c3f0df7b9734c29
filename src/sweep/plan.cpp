#include "sweep/plan.hpp"

#include <algorithm>
#include <functional>
#include <set>

#include "common/error.hpp"
#include "common/hash.hpp"
#include "common/mri_network.hpp"
#include "common/splitmix64.hpp"
#include "sweep/fingerprint.hpp"
#include "sweep/parse.hpp"
#include "sweep/schema.hpp"

namespace gbmsweep {

using nlohmann::json;
using sweep::ParsedSweep;
using sweep::SweepError;

namespace {

// Bump a kind's version when its algorithm changes results: its tasks (and their dependants,
// whose keys include dependency keys) then get new keys and run again.
const std::map<std::string, int>& kind_versions() {
  static const std::map<std::string, int> v = {
      {"probe", 1},        {"mri.cohort", 1},    {"mri.pretrain", 1},   {"mri.train", 1},
      {"mri.evaluate", 1}, {"mri.ensemble", 1},  {"drug.pretrain", 1},  {"drug.fold", 1},
      {"drug.benchmark", 1}, {"drug.aggregate", 1}, {"mri.radiomics", 1}};
  return v;
}

// Expected seconds per kind when the sweep gives no [cost] hint (ordering only).
double default_cost(const std::string& kind) {
  static const std::map<std::string, double> c = {
      {"mri.cohort", 60},   {"mri.pretrain", 600}, {"mri.train", 1800}, {"mri.evaluate", 120},
      {"mri.ensemble", 1},  {"drug.pretrain", 60}, {"drug.fold", 30},   {"drug.benchmark", 5},
      {"drug.aggregate", 1}, {"mri.radiomics", 300}};
  auto it = c.find(kind);
  return it == c.end() ? 1.0 : it->second;
}

// Options added after stores existed go into a task's params only where they differ from the
// behaviour those stores were built with, so that their tasks keep their keys (and results).
void add_unless(json& params, const std::string& name, const json& value, const char* old) {
  if (value != old) params[name] = value;
}

// splitmix64: a portable generator, so that generated probe DAGs (and their keys) are the same
// with every standard library.
struct SplitMix {
  std::uint64_t s;
  std::uint64_t next() { return splitmix64_next(s); }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
};

class Planner {
 public:
  Planner(const ParsedSweep& sweep, const PlanOptions& opts) : sweep_(sweep), opts_(opts) {}

  std::vector<TaskSpec> run() {
    const auto& grid = sweep_.grid;
    for (std::size_t g = 0; g < grid.size(); ++g) {
      json cfg = sweep::apply_grid_point(sweep_.config, grid[g]);
      suffix_ = grid.size() > 1 ? "/g" + std::to_string(g) : "";
      point_ = grid[g];
      if (cfg.contains("probe")) plan_probe(cfg);
      if (cfg.contains("mri")) plan_mri(cfg);
      if (cfg.contains("drug")) plan_drug(cfg);
    }
    return std::move(tasks_);
  }

 private:
  // Adds a task (or finds its twin from another grid point) and returns its key.
  std::string add(TaskSpec t, const json& cfg) {
    std::vector<std::string> deps = t.deps;
    std::sort(deps.begin(), deps.end());
    json fps = json::object();
    for (const auto& [name, path] : t.inputs.items())
      fps[name] = fingerprint(path.get<std::string>());
    json content = {{"kind", t.kind},
                    {"params", t.params},
                    {"deps", deps},
                    {"inputs", fps},
                    {"code", kind_versions().at(t.kind)},
                    {"sweep_seed", cfg["sweep"]["seed"]}};
    std::string digest = sha256_hex(content.dump());
    t.key = digest.substr(0, 20);
    t.seed = seed_from_hex(sha256_hex("seed:" + digest));
    auto it = index_.find(t.key);
    if (it != index_.end()) return t.key;
    t.name += suffix_;
    if (cfg.contains("cost") && cfg["cost"].contains(t.kind))
      t.cost = cfg["cost"][t.kind].get<double>();
    else if (t.kind != "probe")
      t.cost = default_cost(t.kind);
    t.ranks = sweep::ranks_per_task(cfg, t.kind);
    index_[t.key] = tasks_.size();
    tasks_.push_back(std::move(t));
    return tasks_.back().key;
  }

  std::string fingerprint(const std::string& path) {
    if (!opts_.fingerprint_inputs) return "unchecked";
    auto it = fp_cache_.find(path);
    if (it != fp_cache_.end()) return it->second;
    return fp_cache_[path] = sweep::fingerprint_path(path);
  }

  // Overrides of this grid point under a prefix ("mri." / "drug."): the ensemble's variant.
  json variant(const std::string& prefix) const {
    json v = json::object();
    for (const auto& [k, val] : point_.items())
      if (k.rfind(prefix, 0) == 0) v[k] = val;
    return v;
  }

  // ---- probe: a synthetic DAG for scheduler and store tests --------------------------------
  void plan_probe(const json& cfg) {
    const json& p = cfg["probe"];
    if (p.contains("task")) return plan_probe_explicit(cfg);
    int n = p["tasks"].get<int>(), levels = std::max(1, p["levels"].get<int>());
    int fanin = p["fanin"].get<int>();
    double lo = p["sleep_min"].get<double>(), hi = p["sleep_max"].get<double>();
    SplitMix rng{static_cast<std::uint64_t>(p["seed"].get<long long>())};
    std::vector<std::vector<std::string>> by_level(static_cast<std::size_t>(levels));
    int index = 0;
    for (int l = 0; l < levels; ++l) {
      int count = n / levels + (l < n % levels ? 1 : 0);
      for (int i = 0; i < count; ++i, ++index) {
        TaskSpec t;
        t.kind = "probe";
        t.study = "probe";
        t.name = "probe/L" + std::to_string(l) + "/" + std::to_string(i);
        double sleep = lo + (hi - lo) * rng.uniform();
        sleep = static_cast<double>(static_cast<long long>(sleep * 1000 + 0.5)) / 1000;
        t.params = {{"level", l}, {"index", index}, {"sleep", sleep}, {"value", index + 1}};
        t.cost = sleep;
        if (l > 0) {
          const auto& below = by_level[static_cast<std::size_t>(l - 1)];
          std::set<std::string> deps;
          for (int k = 0; k < fanin && deps.size() < below.size(); ++k)
            deps.insert(below[rng.next() % below.size()]);
          t.deps.assign(deps.begin(), deps.end());
        }
        by_level[static_cast<std::size_t>(l)].push_back(add(t, cfg));
      }
    }
  }

  void plan_probe_explicit(const json& cfg) {
    const json& list = cfg["probe"]["task"];
    std::map<std::string, std::size_t> by_name;
    for (std::size_t i = 0; i < list.size(); ++i) {
      std::string name = list[i]["name"].get<std::string>();
      if (!by_name.emplace(name, i).second) fail_task(i, "probe task '" + name + "' is defined twice");
    }
    for (std::size_t i = 0; i < list.size(); ++i)
      for (const auto& d : list[i]["deps"])
        if (!by_name.count(d.get<std::string>()))
          fail_task(i, "probe task '" + list[i]["name"].get<std::string>() +
                           "' depends on unknown task '" + d.get<std::string>() + "'");
    // Depth-first topological sort; a back edge is a cycle, reported with its path.
    std::vector<int> state(list.size(), 0);  // 0 new, 1 on stack, 2 done
    std::vector<std::size_t> order, stack;
    std::function<void(std::size_t)> visit = [&](std::size_t i) {
      if (state[i] == 2) return;
      if (state[i] == 1) {
        std::string path;
        auto from = std::find(stack.begin(), stack.end(), i);
        for (auto it = from; it != stack.end(); ++it) path += list[*it]["name"].get<std::string>() + " -> ";
        path += list[i]["name"].get<std::string>();
        fail_task(i, "dependency cycle among probe tasks: " + path);
      }
      state[i] = 1;
      stack.push_back(i);
      for (const auto& d : list[i]["deps"]) visit(by_name[d.get<std::string>()]);
      stack.pop_back();
      state[i] = 2;
      order.push_back(i);
    };
    for (std::size_t i = 0; i < list.size(); ++i) visit(i);
    std::map<std::string, std::string> key_of;
    std::map<std::string, int> level_of;
    for (std::size_t i : order) {
      const json& e = list[i];
      TaskSpec t;
      t.kind = "probe";
      t.study = "probe";
      t.name = "probe/" + e["name"].get<std::string>();
      int level = 0;
      for (const auto& d : e["deps"]) {
        t.deps.push_back(key_of[d.get<std::string>()]);
        level = std::max(level, level_of[d.get<std::string>()] + 1);
      }
      level_of[e["name"].get<std::string>()] = level;
      t.params = {{"level", level}, {"index", static_cast<int>(i)}, {"sleep", e["sleep"]},
                  {"value", e["value"]}};
      t.cost = e["sleep"].get<double>();
      key_of[e["name"].get<std::string>()] = add(t, cfg);
    }
  }

  [[noreturn]] void fail_task(std::size_t i, const std::string& msg) const {
    auto p = sweep_.where("probe.task[" + std::to_string(i) + "]");
    throw SweepError(sweep_.path, p.line, p.column, msg);
  }

  // ---- study A: MGMT from MRI --------------------------------------------------------------
  std::vector<std::string> channels_of(const json& mri, const std::string& input) const {
    if (mri.contains("sets") && mri["sets"].contains(input))
      return mri["sets"][input].get<std::vector<std::string>>();
    return {input};
  }

  void plan_mri(const json& cfg) {
    const json& mri = cfg["mri"];
    std::set<std::string> modalities;
    for (const auto& in : mri["inputs"])
      for (const auto& m : channels_of(mri, in.get<std::string>())) modalities.insert(m);

    TaskSpec cohort;
    cohort.kind = "mri.cohort";
    cohort.study = "mri";
    cohort.name = "mri.cohort";
    cohort.params = {{"shape", mri["shape"]},     {"downscale", mri["downscale"]},
                     {"crop", mri["crop"]},       {"holdout", mri["holdout"]},
                     {"folds", mri["folds"]},     {"split_seed", mri["split_seed"]},
                     {"skip_bad", mri["skip_bad"]}, {"modalities", modalities}};
    add_unless(cohort.params, "mask", mri["mask"], "manual_first");
    add_unless(cohort.params, "test_eligible", mri["test_eligible"], "dsc");
    cohort.inputs = {{"data", cfg["data"]["mri"]}};
    // Only when not the default, so that the cohort keys of existing stores stay the same.
    if (mri.contains("nonfinite") && mri["nonfinite"] != "zero")
      cohort.params["nonfinite"] = mri["nonfinite"];
    std::string cohort_key = add(cohort, cfg);
    if (mri["radiomics"].get<bool>()) plan_radiomics(cfg, cohort_key);

    // The one place the planner turns network names into MriNetwork (validated by the schema;
    // the position names the key should a grid point slip an unknown one through).
    std::vector<MriNetwork> networks;
    {
      const auto pos = sweep_.where("mri.networks");
      const std::string where =
          sweep_.path + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column);
      for (const auto& n : mri["networks"])
        networks.push_back(parse_mri_network(n.get<std::string>(), where));
    }
    const bool needs_pretrain = std::any_of(networks.begin(), networks.end(), is_pretrained);
    std::string pretrain_key;
    if (needs_pretrain) {
      TaskSpec p;
      p.kind = "mri.pretrain";
      p.study = "mri";
      p.name = "mri.pretrain/resnet" + mri["depth"].dump();
      if (cfg["data"].contains("medicalnet")) {
        if (mri["width"].get<int>() != 64) {
          auto pos = sweep_.where("mri.width");
          throw SweepError(sweep_.path, pos.line, pos.column,
                           "key 'mri.width' must be 64 with MedicalNet weights (data.medicalnet)");
        }
        p.params = {{"depth", mri["depth"]}, {"source", "medicalnet"}};
        p.inputs = {{"weights", cfg["data"]["medicalnet"]}};
      } else {
        p.params = {{"depth", mri["depth"]}, {"source", "cohort"}, {"pretrain", mri["pretrain"]},
                    {"modalities", modalities}, {"width", mri["width"]}};
        p.deps = {cohort_key};
      }
      pretrain_key = add(p, cfg);
    }

    int folds = mri["folds"].get<int>();
    const int mri_train_ranks = sweep::ranks_per_task(cfg, "mri.train");
    for (const MriNetwork net : networks) {
      const std::string network = to_string(net);  // names and params: the sweep's spelling
      for (const auto& seed : mri["seeds"]) {
        std::vector<std::string> evaluations;
        for (const auto& in : mri["inputs"]) {
          std::string input = in.get<std::string>();
          for (int fold = 0; fold < folds; ++fold) {
            std::string stem = network + "/" + input + "/f" + std::to_string(fold) + "/s" + seed.dump();
            TaskSpec t;
            t.kind = "mri.train";
            t.study = "mri";
            t.name = "mri.train/" + stem;
            json train = mri["train"];
            // Parameters a network does not use stay out of its key, so that sweeping them
            // does not retrain the networks they cannot affect.
            if (!has_agent(net)) {
              train.erase("agent_lr");
              train.erase("tau");
            }
            // The default validation samples stay out of the key (keys from before it existed
            // remain valid); only SpotTune samples.
            if (!has_agent(net) || train.value("val_samples", 100) == 100)
              train.erase("val_samples");
            if (net != MriNetwork::ResNetTransfer) train.erase("transfer_trainable_blocks");
            // resnet_random always trains its BatchNorms; only it has a random backbone.
            if (!is_pretrained(net) || train["bn"] == "frozen") train.erase("bn");
            if (is_pretrained(net) || train["init"] == "medicalnet") train.erase("init");
            // The default precision stays out of the key: keys from before the key existed
            // (and their stored results) remain valid.
            if (train.value("precision", "fp32") == "fp32") train.erase("precision");
            // The reducer, like the device, does not change what is computed (summation order
            // aside): "auto" stays out of the key; an explicit choice is kept so that the task
            // sees it.
            if (train.value("reducer", "auto") == "auto") train.erase("reducer");
            // The micro-batches are the BatchNorm statistics groups (train/mri_training.hpp),
            // and 0 means one per rank: the key carries the count in effect, so a 2-rank task
            // and a 1-rank task with micro_batches = 2 (which train the same) share a key, and
            // changing run.ranks_per_task cannot mix results under one key. 1 stays out of the
            // key, as before the key existed.
            int micro = train.value("micro_batches", 0);
            if (micro == 0) micro = mri_train_ranks;
            if (micro == 1)
              train.erase("micro_batches");
            else
              train["micro_batches"] = micro;
            // The default elastic interpolation stays out of the key, as the precision.
            json augment = mri["augment"];
            if (augment.value("elastic_interpolation", "linear") == "linear")
              augment.erase("elastic_interpolation");
            t.params = {{"network", network},         {"input", input},
                        {"channels", channels_of(mri, input)},
                        {"fold", fold},               {"seed_index", seed},
                        {"depth", mri["depth"]},      {"width", mri["width"]},
                        {"train", train},
                        {"augment", augment},         {"threshold", mri["threshold"]}};
            if (has_agent(net)) t.params["agent_depth"] = mri["agent_depth"];
            t.deps = {cohort_key};
            if (is_pretrained(net)) t.deps.push_back(pretrain_key);
            std::string train_key = add(t, cfg);

            TaskSpec e;
            e.kind = "mri.evaluate";
            e.study = "mri";
            e.name = "mri.evaluate/" + stem;
            e.params = {{"network", network}, {"input", input},
                        {"channels", channels_of(mri, input)}, {"fold", fold},
                        {"seed_index", seed},  {"threshold", mri["threshold"]}};
            if (has_agent(net)) e.params["eval"] = mri["eval"];
            e.deps = {train_key, cohort_key};
            evaluations.push_back(add(e, cfg));
          }
        }
        TaskSpec en;
        en.kind = "mri.ensemble";
        en.study = "mri";
        en.name = "mri.ensemble/" + network + "/s" + seed.dump();
        en.params = {{"network", network},          {"seed_index", seed},
                     {"inputs", mri["inputs"]},     {"groups", mri["groups"]},
                     {"combinations", mri["combinations"]},
                     {"threshold", mri["threshold"]}, {"variant", variant("mri.")}};
        add_unless(en.params, "combine", mri["combine"], "groups");
        en.deps = evaluations;
        add(en, cfg);
      }
    }
  }

  // The radiomics comparator (§II.D): one task over the cohort's split, a forest per seed.
  void plan_radiomics(const json& cfg, const std::string& cohort_key) {
    const json& mri = cfg["mri"];
    TaskSpec t;
    t.kind = "mri.radiomics";
    t.study = "mri";
    t.name = "mri.radiomics";
    t.params = {{"seeds", mri["seeds"]},
                {"bin_width", mri["radiomics_bin_width"]},
                {"bin_origin", mri["radiomics_bin_origin"]},
                {"trees", mri["radiomics_trees"]},
                {"max_depth", mri["radiomics_max_depth"]},
                {"min_samples_leaf", mri["radiomics_min_samples_leaf"]},
                {"threshold", mri["threshold"]}};
    t.inputs = {{"data", cfg["data"]["mri"]}};
    t.deps = {cohort_key};
    add(t, cfg);
  }

  // ---- study B: drug response, two-step transfer -------------------------------------------
  struct Target {
    std::string dataset;
    int folds;
    std::vector<long long> seeds;
  };

  Target target(const json& cv, const std::string& dataset) const {
    return {dataset, cv[dataset + "_folds"].get<int>(),
            cv[dataset + "_seeds"].get<std::vector<long long>>()};
  }

  // The pretraining chain's last task, creating the chain's tasks as needed.
  std::string pretrain(const json& cfg, const json& chain) {
    const json& d = cfg["drug"];
    TaskSpec t;
    t.kind = "drug.pretrain";
    t.study = "drug";
    t.name = "drug.pretrain";
    for (const auto& step : chain)
      t.name += "/" + step["dataset"].get<std::string>() +
                (step.contains("drug") ? ":" + step["drug"].get<std::string>() : "");
    t.params = {{"chain", chain},     {"genes", "shared"},         {"model", d["model"]},
                {"train", d["train"]}, {"read", read_options(d)}};
    t.inputs = inputs(cfg);
    if (chain.size() > 1) {
      json head = chain;
      head.erase(head.size() - 1);
      t.deps = {pretrain(cfg, head)};
    }
    return add(t, cfg);
  }

  json inputs(const json& cfg) const {
    json in = {{"data", cfg["data"]["drug"]}};
    if (cfg["data"].contains("gene_set")) in["gene_set"] = cfg["data"]["gene_set"];
    if (cfg["data"].contains("gene_map")) in["gene_map"] = cfg["data"]["gene_map"];
    if (cfg["data"].contains("gse_batches")) in["gse_batches"] = cfg["data"]["gse_batches"];
    return in;
  }

  // How the drug readers read the files (drug/readers.hpp ReadOptions).
  static json read_options(const json& d) {
    json r = {{"gdsc_release", d["gdsc_release"]}, {"repeated_columns", d["repeated_columns"]}};
    if (d.contains("gdsc_drug_ids")) r["gdsc_drug_ids"] = d["gdsc_drug_ids"];
    return r;
  }

  void plan_drug(const json& cfg) {
    const json& d = cfg["drug"];
    const json& cv = d["cv"];
    auto sources = d["sources"].get<std::vector<std::string>>();
    for (const auto& exp : d["experiments"].get<std::vector<std::string>>()) {
      bool per_source = exp.rfind("gdsc", 0) == 0;
      std::string target_name = exp.substr(exp.rfind('_') + 1);
      if (exp == "gdsc" || exp == "hgcc" || exp == "gse") target_name = exp;
      Target tg = target(cv, target_name);
      std::vector<json> srcs;
      if (per_source)
        for (const auto& s : sources) srcs.push_back(s);
      else
        srcs.push_back(nullptr);
      for (const auto& src : srcs) {
        std::vector<std::string> deps;
        json chain = json::array();
        if (exp == "gdsc_hgcc" || exp == "gdsc_gse" || exp == "gdsc_hgcc_gse")
          chain.push_back({{"dataset", "gdsc"}, {"drug", src}});
        if (exp == "hgcc_gse" || exp == "gdsc_hgcc_gse") chain.push_back({{"dataset", "hgcc"}});
        if (!chain.empty()) deps.push_back(pretrain(cfg, chain));
        std::string label = exp + (src.is_null() ? "" : ":" + src.get<std::string>());
        std::vector<std::string> folds;
        for (std::size_t r = 0; r < tg.seeds.size(); ++r)
          for (int f = 0; f < tg.folds; ++f) {
            TaskSpec t;
            t.kind = "drug.fold";
            t.study = "drug";
            t.name = "drug.fold/" + label + "/r" + std::to_string(r) + "/f" + std::to_string(f);
            t.params = {{"experiment", exp},  {"source", src},       {"target", tg.dataset},
                        {"repeat", r},        {"fold", f},          {"folds", tg.folds},
                        {"cv_seed", tg.seeds[r]}, {"genes", exp == "gdsc" ? "all" : "shared"},
                        {"model", d["model"]}, {"train", d["train"]},
                        {"read", read_options(d)}};
            t.inputs = inputs(cfg);
            t.deps = deps;
            folds.push_back(add(t, cfg));
          }
        aggregate(cfg, exp, src, tg, folds);
      }
    }
    Target gse = target(cv, "gse");
    for (const auto& b : d["benchmarks"].get<std::vector<std::string>>()) {
      std::vector<std::string> folds;
      for (std::size_t r = 0; r < gse.seeds.size(); ++r)
        for (int f = 0; f < gse.folds; ++f) {
          TaskSpec t;
          t.kind = "drug.benchmark";
          t.study = "drug";
          t.name = "drug.benchmark/" + b + "/r" + std::to_string(r) + "/f" + std::to_string(f);
          t.params = {{"benchmark", b}, {"target", "gse"}, {"repeat", r},     {"fold", f},
                      {"folds", gse.folds}, {"cv_seed", gse.seeds[r]}, {"genes", "shared"},
                      {"read", read_options(d)}};
          t.inputs = {{"data", cfg["data"]["drug"]}};
          if (cfg["data"].contains("gene_map")) t.inputs["gene_map"] = cfg["data"]["gene_map"];
          if (cfg["data"].contains("gse_batches"))
            t.inputs["gse_batches"] = cfg["data"]["gse_batches"];
          folds.push_back(add(t, cfg));
        }
      aggregate(cfg, "bench_" + b, nullptr, gse, folds);
    }
  }

  void aggregate(const json& cfg, const std::string& exp, const json& src, const Target& tg,
                 const std::vector<std::string>& folds) {
    TaskSpec a;
    a.kind = "drug.aggregate";
    a.study = "drug";
    a.name = "drug.aggregate/" + exp + (src.is_null() ? "" : ":" + src.get<std::string>());
    a.params = {{"experiment", exp},
                {"source", src},
                {"target", tg.dataset},
                {"repeats", tg.seeds.size()},
                {"variant", exp.rfind("bench_", 0) == 0 ? json::object() : variant("drug.")}};
    a.deps = folds;
    add(a, cfg);
  }

  const ParsedSweep& sweep_;
  PlanOptions opts_;
  std::vector<TaskSpec> tasks_;
  std::map<std::string, std::size_t> index_;
  std::map<std::string, std::string> fp_cache_;
  std::string suffix_;
  json point_ = json::object();
};

}  // namespace

Plan make_plan(const PlanOptions& options) {
  ParsedSweep parsed = sweep::parse_sweep_file(options.sweep_path);
  Plan plan;
  plan.sweep_path = options.sweep_path;
  plan.sweep_name = parsed.config["sweep"]["name"].get<std::string>();
  plan.config = parsed.config;
  plan.tasks = Planner(parsed, options).run();
  return plan;
}

const TaskSpec* Plan::find(const std::string& key) const {
  for (const auto& t : tasks)
    if (t.key == key) return &t;
  return nullptr;
}

std::map<std::string, int> Plan::counts_by_kind() const {
  std::map<std::string, int> c;
  for (const auto& t : tasks) ++c[t.kind];
  return c;
}

int Plan::depth() const {
  std::map<std::string, int> level;
  int deepest = 0;
  for (const auto& t : tasks) {  // topological order: deps come first
    int l = 1;
    for (const auto& d : t.deps) {
      auto it = level.find(d);
      GBM_CHECK(it != level.end(), "plan is not in topological order at " << t.name);
      l = std::max(l, it->second + 1);
    }
    level[t.key] = l;
    deepest = std::max(deepest, l);
  }
  return deepest;
}

}  // namespace gbmsweep
