// The three task kinds end to end on a tiny synthetic cohort, through the task registry, with
// a fake context standing in for the scheduler and the store.
#include <boost/test/unit_test.hpp>

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>

#include "common/error.hpp"
#include "drug/experiment.hpp"
#include "drug/synth.hpp"
#include "fixtures.hpp"
#include "gbmsweep/config.hpp"
#include "tasks/registry.hpp"

using namespace gbmsweep;

namespace {

struct Harness {
  drugtest::TempDir dir{"tasks"};
  std::string data, store, gene_map;
  std::map<std::string, std::string> artifacts;  // key -> artifact dir
  int next = 0;

  Harness() {
    drug::SynthDrugOptions o;
    o.out_dir = (dir.path / "data").string();
    o.genes = 150;
    o.gdsc_lines = 120;
    o.lines_per_drug = 100;
    o.hgcc_cultures = 30;
    o.gse_cultures = 12;
    data = o.out_dir;
    gene_map = drug::write_synthetic_drug_data(o).gene_map;
    store = (dir.path / "store").string();
  }

  TaskResult run(TaskSpec spec, const std::string& key) {
    spec.key = key;
    spec.study = "drug";
    spec.name = spec.kind + "/" + key;
    if (!spec.inputs.contains("data")) spec.inputs["data"] = data;
    if (!spec.inputs.contains("gene_map")) spec.inputs["gene_map"] = gene_map;
    TaskContext ctx;
    ctx.spec = &spec;
    ctx.seed = 17 + next++;
    ctx.store_dir = store;
    ctx.artifact_dir = store + "/artifacts/" + key;
    std::filesystem::create_directories(ctx.artifact_dir);
    artifacts[key] = ctx.artifact_dir;
    ctx.dep_artifact = [&](const std::string& k, const std::string& name) {
      BOOST_REQUIRE(std::find(spec.deps.begin(), spec.deps.end(), k) != spec.deps.end());
      return artifacts.at(k) + "/" + name;
    };
    return task_function(spec.kind)(ctx);
  }
};

const json kModel = {{"hidden", {16, 4}}, {"dropout", {0.3, 0.1}}, {"l2", 1e-4},
                     {"l1_activity", 1e-4}, {"init_range", 0.05}};
const json kTrain = {{"lr", 1e-3}, {"batch", 32}, {"epochs", 3}};

TaskSpec pretrain_spec(const json& chain, std::vector<std::string> deps) {
  TaskSpec t;
  t.kind = "drug.pretrain";
  t.params = {{"chain", chain}, {"genes", "shared"}, {"model", kModel}, {"train", kTrain}};
  t.deps = std::move(deps);
  return t;
}

TaskSpec fold_spec(const std::string& exp, const json& source, const std::string& target, int f,
                   int folds, const std::string& genes, std::vector<std::string> deps) {
  TaskSpec t;
  t.kind = "drug.fold";
  t.params = {{"experiment", exp}, {"source", source}, {"target", target}, {"repeat", 0},
              {"fold", f},         {"folds", folds},   {"cv_seed", 400},    {"genes", genes},
              {"model", kModel},   {"train", kTrain}};
  t.deps = std::move(deps);
  return t;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tasks)

BOOST_AUTO_TEST_CASE(two_step_chain_and_folds_through_the_registry) {
  Harness h;
  json gdsc = {{"dataset", "gdsc"}, {"drug", "oxaliplatin"}};
  auto p1 = h.run(pretrain_spec(json::array({gdsc}), {}), "p1");
  BOOST_TEST(p1.artifacts.at("model.pt") == "artifacts/p1/model.pt");
  BOOST_TEST(std::filesystem::exists(h.store + "/artifacts/p1/model.pt"));
  BOOST_TEST(p1.metrics["transferred"].get<bool>() == false);
  BOOST_TEST(p1.extra["top_genes"]["genes"].size() == 50u);

  auto spec2 = pretrain_spec(json::array({gdsc, {{"dataset", "hgcc"}}}), {"p1"});
  spec2.inputs["gene_set"] = h.data + "/cell_cycle_genes.txt";
  auto p2 = h.run(spec2, "p2");
  BOOST_TEST(p2.metrics["transferred"].get<bool>() == true);
  BOOST_TEST(p2.extra.contains("enrichment"));

  // Three folds of 2-step GDSC -> HGCC -> GSE: every culture held out exactly once.
  std::multiset<std::string> held_out;
  for (int f = 0; f < 3; ++f) {
    auto r = h.run(fold_spec("gdsc_hgcc_gse", "oxaliplatin", "gse", f, 3, "shared", {"p2"}),
                   "f" + std::to_string(f));
    BOOST_REQUIRE(r.predictions.size() == 1u);
    const auto& oof = r.predictions[0];
    BOOST_TEST(oof.name == "oof");
    BOOST_TEST(oof.ids.size() == oof.scores.size());
    held_out.insert(oof.ids.begin(), oof.ids.end());
    BOOST_TEST(r.metrics.contains("spearman"));
    BOOST_TEST(r.extra["repeat"].get<int>() == 0);
    BOOST_TEST(r.extra["fold"].get<int>() == f);
  }
  BOOST_TEST(held_out.size() == 12u);
  BOOST_TEST(std::set<std::string>(held_out.begin(), held_out.end()).size() == 12u);

  // A transfer experiment without its dependency is an error, not a silent scratch run.
  BOOST_CHECK_THROW(h.run(fold_spec("gdsc_gse", "oxaliplatin", "gse", 0, 3, "shared", {}), "bad"),
                    Error);
}

BOOST_AUTO_TEST_CASE(gdsc_only_fold_and_benchmarks) {
  Harness h;
  auto g = h.run(fold_spec("gdsc", "bortezomib", "gdsc", 1, 5, "all", {}), "g");
  BOOST_TEST(g.metrics["n_test"].get<int>() >= 18);
  for (const char* b : {"mgmt", "elastic_net", "random_forest"}) {
    TaskSpec t;
    t.kind = "drug.benchmark";
    t.params = {{"benchmark", b}, {"target", "gse"}, {"repeat", 0}, {"fold", 0},
                {"folds", 3},     {"cv_seed", 400},  {"genes", "shared"}};
    auto r = h.run(t, std::string("b_") + b);
    BOOST_TEST(r.predictions.at(0).ids.size() == 4u);
  }
}

// [drug.train.<dataset>] overrides lr and epochs of the tasks training on that dataset; the
// reading options travel in "read".
BOOST_AUTO_TEST_CASE(per_step_training_and_read_options) {
  Harness h;
  auto spec = pretrain_spec(json::array({{{"dataset", "hgcc"}}}), {});
  spec.params["train"]["hgcc"] = {{"epochs", 2}, {"lr", 1e-4}};
  spec.params["train"]["gse"] = {{"epochs", 7}};
  auto p = h.run(spec, "hgcc");
  BOOST_TEST(p.curves.at(0).values.size() == 2u);
  auto f = fold_spec("gse", nullptr, "gse", 0, 3, "shared", {});
  f.params["train"]["gse"] = {{"epochs", 4}};
  f.params["train"]["test_scaling"] = "test";
  f.params["model"]["deep_init"] = "uniform";
  BOOST_TEST(h.run(f, "gse").curves.at(0).values.size() == 4u);
  // GDSC2 oxaliplatin under 1806 only: the smaller screen's cell lines.
  auto g = fold_spec("gdsc", "oxaliplatin", "gdsc", 0, 5, "all", {});
  g.params["read"] = {{"gdsc_release", "GDSC2"},
                      {"repeated_columns", "first"},
                      {"gdsc_drug_ids", {{"Oxaliplatin", {1806}}}}};
  auto small = h.run(g, "g1806");
  g.params.erase("read");
  auto large = h.run(g, "g1089");
  BOOST_TEST(small.metrics["n_test"].get<int>() < large.metrics["n_test"].get<int>());
  // Without the gene map the Ensembl-keyed counts are an input error.
  auto bare = fold_spec("gse", nullptr, "gse", 0, 3, "shared", {});
  bare.inputs["gene_map"] = nullptr;
  bare.inputs["data"] = h.data;
  BOOST_CHECK_THROW(h.run(bare, "bare"), InputError);
}

// Which group tasks need a GPU per rank (the scheduler refuses, before the job starts, a run
// whose ranks share a GPU when such a task could land on them): mri.train on >= 2 ranks whose
// reducer is nccl, or auto on CUDA in a build with NCCL.
BOOST_AUTO_TEST_CASE(averages_over_nccl_follows_the_reducer_the_device_and_the_group) {
  TaskSpec t;
  t.kind = "mri.train";
  t.name = "mri.train/spottune/T1/f0/s0";
  t.ranks = 2;
  t.params = {{"train", json::object()}};  // reducer absent: auto
  BOOST_TEST(averages_over_nccl(t, DeviceKind::Cuda) == static_cast<bool>(GBMSWEEP_HAS_NCCL));
  BOOST_TEST(!averages_over_nccl(t, DeviceKind::Cpu));
  t.params["train"]["reducer"] = "nccl";
  BOOST_TEST(averages_over_nccl(t, DeviceKind::Cuda));
  t.params["train"]["reducer"] = "mpi";
  BOOST_TEST(!averages_over_nccl(t, DeviceKind::Cuda));
  t.params["train"]["reducer"] = "nccl";
  t.ranks = 1;  // a lone rank has no communicator to share
  BOOST_TEST(!averages_over_nccl(t, DeviceKind::Cuda));
  t.ranks = 2;
  t.kind = "drug.train";
  BOOST_TEST(!averages_over_nccl(t, DeviceKind::Cuda));
  t.kind = "mri.train";
  t.params["train"]["reducer"] = "gloo";
  BOOST_CHECK_THROW(averages_over_nccl(t, DeviceKind::Cuda), InputError);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(cli)

// The generator as users run it: files readable by the pipeline; bad options exit 2.
BOOST_AUTO_TEST_CASE(synth_drug_command) {
  drugtest::TempDir d("cli");
  const std::string exe = GBMSWEEP_EXE;
  const std::string out = (d.path / "data").string();
  int rc = std::system((exe + " synth drug --out " + out +
                        " --seed 4 --genes 120 --gdsc-lines 40 --lines-per-drug 30 --hgcc 10"
                        " --gse 8 > /dev/null").c_str());
  BOOST_TEST(rc == 0);
  drug::ReadOptions ro;
  ro.gene_map = out + "/gene_map.tsv";
  drug::DrugData data(out, ro);
  auto c = data.cohort({drug::Dataset::Gse, ""}, drug::GeneChoice::Shared);
  BOOST_TEST(c.n() == 8u);
  BOOST_TEST(data.cohort({drug::Dataset::Gdsc, "Cyclophosphamide"}, drug::GeneChoice::All).n() >= 27u);
  rc = std::system((exe + " synth drug --out " + out + " --gse 2 2> /dev/null").c_str());
  BOOST_TEST(WEXITSTATUS(rc) == 2);
}

BOOST_AUTO_TEST_SUITE_END()

