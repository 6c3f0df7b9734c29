// Sweep files: schema errors with file:line:column, grid sizes, DAG shape and content keys.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <set>

#include "common/fs.hpp"
#include "sweep/parse.hpp"
#include "sweep/plan.hpp"
#include "sweep/schema.hpp"

using namespace gbmsweep;
namespace stdfs = std::filesystem;

namespace {

std::string sweep_path(const std::string& name) {
  return std::string(GBMSWEEP_SOURCE_DIR) + "/sweeps/" + name;
}

Plan plan_of(const std::string& path) {
  PlanOptions o;
  o.sweep_path = path;
  return make_plan(o);
}

// Writes `text` to a temporary sweep file and plans it.
struct TempSweep {
  std::string path;
  explicit TempSweep(const std::string& text, const std::string& name = "t.toml") {
    auto dir = stdfs::temp_directory_path() / "gbmsweep_test_sweep";
    stdfs::create_directories(dir);
    path = (dir / name).string();
    std::ofstream(path) << text;
  }
  ~TempSweep() { stdfs::remove(path); }
  Plan plan() const { return plan_of(path); }
};

// Expects a SweepError at `line` whose message contains `needle`.
void expect_error(const std::string& text, int line, const std::string& needle) {
  TempSweep s(text);
  try {
    s.plan();
    BOOST_FAIL("expected a sweep error mentioning '" << needle << "'");
  } catch (const sweep::SweepError& e) {
    std::string what = e.what();
    BOOST_TEST_INFO("error was: " << what);
    BOOST_TEST(e.line() == line);
    BOOST_TEST(what.find(s.path + ":" + std::to_string(line) + ":") == 0);
    BOOST_TEST(what.find(needle) != std::string::npos);
  }
}

const char* kProbeHead = "[sweep]\nname = \"t\"\n";

std::map<std::string, std::string> keys_by_name(const Plan& p) {
  std::map<std::string, std::string> m;
  for (const auto& t : p.tasks) m[t.name] = t.key;
  return m;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(sweep_plan)

BOOST_AUTO_TEST_CASE(mgmt_paper_grid_is_the_paper_grid) {
  Plan p = plan_of(sweep_path("mgmt_paper.toml"));
  auto c = p.counts_by_kind();
  // 3 networks x 11 modalities x 5 folds training tasks, one evaluation each.
  BOOST_TEST(c["mri.train"] == 3 * 11 * 5);
  BOOST_TEST(c["mri.evaluate"] == 3 * 11 * 5);
  BOOST_TEST(c["mri.ensemble"] == 3);  // one per network (x 1 seed)
  BOOST_TEST(c["mri.cohort"] == 1);
  BOOST_TEST(c["mri.pretrain"] == 1);  // MedicalNet import, shared by SpotTune and transfer
  BOOST_TEST(c["mri.radiomics"] == 1);  // the radiomics comparator (issue 18)
  BOOST_TEST(p.tasks.size() == 336u);
  BOOST_TEST(p.depth() == 4);  // (cohort, pretrain) -> train -> evaluate -> ensemble
  // Random init never depends on the pretrained weights; SpotTune and transfer do.
  std::string pre;
  for (const auto& t : p.tasks)
    if (t.kind == "mri.pretrain") pre = t.key;
  for (const auto& t : p.tasks) {
    if (t.kind != "mri.train") continue;
    bool uses = std::find(t.deps.begin(), t.deps.end(), pre) != t.deps.end();
    BOOST_TEST(uses == (t.params["network"] != "resnet_random"));
  }
}

BOOST_AUTO_TEST_CASE(drug_paper_grid_is_the_paper_grid) {
  Plan p = plan_of(sweep_path("drug_paper.toml"));
  auto c = p.counts_by_kind();
  // Four source drugs; one grid point (the reference's per-step lr and epochs, not a grid).
  const int S = 4, points = 1;
  const int gdsc = S * 11 * 5, hgcc = 10 * 5, gdsc_hgcc = S * 10 * 5, gse = 10 * 3;
  const int hgcc_gse = 10 * 3, gdsc_gse = S * 10 * 3, two_step = S * 10 * 3;
  BOOST_TEST(c["drug.fold"] ==
             points * (gdsc + hgcc + gdsc_hgcc + gse + hgcc_gse + gdsc_gse + two_step));
  // Pretraining: GDSC per drug, HGCC alone, GDSC->HGCC per drug; reused by every fold.
  BOOST_TEST(c["drug.pretrain"] == points * (S + 1 + S));
  BOOST_TEST(c["drug.benchmark"] == 3 * 10 * 3);
  BOOST_TEST(c["drug.aggregate"] == points * (S + 1 + S + 1 + 1 + S + S) + 3);
}

BOOST_AUTO_TEST_CASE(two_step_chain_reuses_its_pretraining) {
  Plan p = plan_of(sweep_path("drug_paper.toml"));
  std::map<std::string, const TaskSpec*> by_key;
  for (const auto& t : p.tasks) by_key[t.key] = &t;
  int checked = 0;
  for (const auto& t : p.tasks) {
    if (t.kind != "drug.fold" || t.params["experiment"] != "gdsc_hgcc_gse") continue;
    BOOST_REQUIRE(t.deps.size() == 1u);
    const TaskSpec* hgcc = by_key.at(t.deps[0]);
    BOOST_TEST(hgcc->params["chain"].size() == 2u);
    BOOST_REQUIRE(hgcc->deps.size() == 1u);
    const TaskSpec* gdsc = by_key.at(hgcc->deps[0]);
    BOOST_TEST(gdsc->params["chain"][0]["drug"] == t.params["source"]);
    ++checked;
  }
  BOOST_TEST(checked == 4 * 10 * 3);
}

BOOST_AUTO_TEST_CASE(plan_is_topological_and_keys_unique) {
  for (const char* s : {"smoke.toml", "mgmt_paper.toml", "drug_paper.toml", "probe.toml"}) {
    Plan p = plan_of(sweep_path(s));
    std::set<std::string> seen, names;
    for (const auto& t : p.tasks) {
      for (const auto& d : t.deps) BOOST_TEST(seen.count(d) == 1u, s << ": " << t.name);
      BOOST_TEST(seen.insert(t.key).second, s << ": duplicate key " << t.key);
      BOOST_TEST(names.insert(t.name).second, s << ": duplicate name " << t.name);
    }
  }
}

BOOST_AUTO_TEST_CASE(probe_sweep_is_sixty_tasks_three_levels_deep) {
  Plan p = plan_of(sweep_path("probe.toml"));
  BOOST_TEST(p.tasks.size() == 60u);
  BOOST_TEST(p.depth() >= 3);
  for (const auto& t : p.tasks) {
    double s = t.params["sleep"].get<double>();
    BOOST_TEST((s >= 0.05 && s <= 0.3));
  }
}

BOOST_AUTO_TEST_CASE(keys_are_stable_and_ignore_key_order) {
  std::string a = std::string(kProbeHead) +
                  "[probe]\ntasks = 12\nlevels = 3\nsleep_min = 0.01\nsleep_max = 0.02\n";
  std::string b = "[probe]\nsleep_max = 0.02\nlevels = 3\nsleep_min = 0.01\ntasks = 12\n" +
                  std::string(kProbeHead);
  auto ka = keys_by_name(TempSweep(a).plan());
  BOOST_TEST(ka == keys_by_name(TempSweep(a).plan()));  // same file, same keys
  BOOST_TEST(ka == keys_by_name(TempSweep(b).plan()));  // reordered file, same keys
  // A changed value changes the affected keys.
  std::string c = std::string(kProbeHead) +
                  "[probe]\ntasks = 12\nlevels = 3\nsleep_min = 0.01\nsleep_max = 0.03\n";
  auto kc = keys_by_name(TempSweep(c).plan());
  BOOST_TEST(ka.size() == kc.size());
  int differ = 0;
  for (const auto& [name, key] : ka) differ += kc.at(name) != key;
  BOOST_TEST(differ > 0);
  // The base seed is part of every key.
  std::string d = "[sweep]\nname = \"t\"\nseed = 7\n[probe]\ntasks = 12\nlevels = 3\n"
                  "sleep_min = 0.01\nsleep_max = 0.02\n";
  auto kd = keys_by_name(TempSweep(d).plan());
  for (const auto& [name, key] : ka) BOOST_TEST(kd.at(name) != key);
}

BOOST_AUTO_TEST_CASE(changed_parameter_changes_only_what_it_affects) {
  auto smoke = fs::read_all(sweep_path("smoke.toml"));
  auto base = keys_by_name(TempSweep(smoke).plan());
  // The agent learning rate only matters to SpotTune: baselines keep their keys.
  std::string edited = smoke;
  auto pos = edited.find("agent_lr = 1e-3");
  BOOST_REQUIRE(pos != std::string::npos);
  edited.replace(pos, 15, "agent_lr = 2e-3");
  auto changed = keys_by_name(TempSweep(edited).plan());
  for (const auto& [name, key] : base) {
    bool spottune = name.find("/spottune/") != std::string::npos ||
                    name == "mri.ensemble/spottune/s0";
    BOOST_TEST((changed.at(name) != key) == spottune, name);
  }
}

// mri.train.reducer: "auto" (the default) stays out of every key, so stores planned before the
// key existed keep their results; an explicit choice reaches the training task's params.
BOOST_AUTO_TEST_CASE(reducer_key_reaches_training_only_when_chosen) {
  auto smoke = fs::read_all(sweep_path("smoke.toml"));
  const auto base = keys_by_name(TempSweep(smoke).plan());
  std::string with_auto = smoke, with_nccl = smoke;
  const auto pos = smoke.find("tau = 1.0\n");
  BOOST_REQUIRE(pos != std::string::npos);
  with_auto.insert(pos, "reducer = \"auto\"\n");
  with_nccl.insert(pos, "reducer = \"nccl\"\n");
  BOOST_TEST((keys_by_name(TempSweep(with_auto).plan()) == base));
  const Plan nccl = TempSweep(with_nccl).plan();
  int trains = 0;
  for (const auto& t : nccl.tasks) {
    if (t.kind != "mri.train") continue;
    ++trains;
    BOOST_TEST(t.params["train"].value("reducer", "") == "nccl", t.name);
    BOOST_TEST(base.at(t.name) != t.key, t.name);
  }
  BOOST_TEST(trains > 0);
  for (const auto& t : TempSweep(smoke).plan().tasks)
    if (t.kind == "mri.train") BOOST_TEST(!t.params["train"].contains("reducer"), t.name);
  std::string bad = smoke;
  bad.insert(pos, "reducer = \"gloo\"\n");
  TempSweep b(bad);
  try {
    b.plan();
    BOOST_FAIL("reducer = gloo accepted");
  } catch (const sweep::SweepError& e) {
    const std::string what = e.what();
    BOOST_TEST(what.find("mri.train.reducer") != std::string::npos, what);
    BOOST_TEST(what.find("auto, mpi, nccl") != std::string::npos, what);
  }
}

// mri.augment.elastic_interpolation: "linear" (the default) stays out of every key as the
// reducer; "nearest" (the authors' elasticdeform order 0) changes the trainings' keys only.
BOOST_AUTO_TEST_CASE(elastic_interpolation_key_reaches_training_only_when_chosen) {
  auto smoke = fs::read_all(sweep_path("smoke.toml"));
  const auto base = keys_by_name(TempSweep(smoke).plan());
  std::string with_linear = smoke, with_nearest = smoke;
  const auto pos = smoke.find("kinds = [\"flip\"]\n");
  BOOST_REQUIRE(pos != std::string::npos);
  with_linear.insert(pos, "elastic_interpolation = \"linear\"\n");
  with_nearest.insert(pos, "elastic_interpolation = \"nearest\"\n");
  BOOST_TEST((keys_by_name(TempSweep(with_linear).plan()) == base));
  int trains = 0;
  for (const auto& t : TempSweep(with_nearest).plan().tasks) {
    if (t.kind != "mri.train") continue;
    ++trains;
    BOOST_TEST(t.params["augment"].value("elastic_interpolation", "") == "nearest", t.name);
    BOOST_TEST(base.at(t.name) != t.key, t.name);
  }
  BOOST_TEST(trains > 0);
  std::string bad = smoke;
  bad.insert(pos, "elastic_interpolation = \"cubic\"\n");
  TempSweep b(bad);
  try {
    b.plan();
    BOOST_FAIL("elastic_interpolation = cubic accepted");
  } catch (const sweep::SweepError& e) {
    const std::string what = e.what();
    BOOST_TEST(what.find("mri.augment.elastic_interpolation") != std::string::npos, what);
  }
}

// mri.train.val_samples: 100 (the default) stays out of every key; 1 (the reference code's
// single validation draw) reaches the SpotTune trainings only, so the baselines keep their keys
// (SpotTune's evaluations and ensemble follow their trainings); 0 is refused.
BOOST_AUTO_TEST_CASE(val_samples_key_reaches_spottune_training_only_when_chosen) {
  auto smoke = fs::read_all(sweep_path("smoke.toml"));
  const auto base = keys_by_name(TempSweep(smoke).plan());
  const auto pos = smoke.find("tau = 1.0\n");
  BOOST_REQUIRE(pos != std::string::npos);
  const auto with = [&](const std::string& line) { return std::string(smoke).insert(pos, line); };
  BOOST_TEST((keys_by_name(TempSweep(with("val_samples = 100\n")).plan()) == base));
  int trains = 0;
  for (const auto& t : TempSweep(with("val_samples = 1\n")).plan().tasks) {
    const bool spottune = t.name.find("/spottune/") != std::string::npos ||
                          t.name == "mri.ensemble/spottune/s0";
    BOOST_TEST((base.at(t.name) != t.key) == spottune, t.name);
    if (t.kind != "mri.train") continue;
    ++trains;
    BOOST_TEST(t.params["train"].value("val_samples", 0) == (spottune ? 1 : 0), t.name);
  }
  BOOST_TEST(trains > 0);
  TempSweep b(with("val_samples = 0\n"));
  try {
    b.plan();
    BOOST_FAIL("val_samples = 0 accepted");
  } catch (const sweep::SweepError& e) {
    const std::string what = e.what();
    BOOST_TEST(what.find("mri.train.val_samples") != std::string::npos, what);
  }
}

// mri.train.micro_batches: 0 (one per rank, the default) at 1 rank stays out of every key; 2
// reaches every MRI training (and so the evaluations and ensembles that follow them) and nothing else;
// a count above the batch, a negative one, or one that the task's ranks cannot share evenly is
// refused when the sweep is read, naming the key.
BOOST_AUTO_TEST_CASE(micro_batches_key_reaches_the_mri_trainings_only_when_chosen) {
  auto smoke = fs::read_all(sweep_path("smoke.toml"));
  const auto base = keys_by_name(TempSweep(smoke).plan());
  const auto pos = smoke.find("tau = 1.0\n");
  BOOST_REQUIRE(pos != std::string::npos);
  const auto with = [&](const std::string& line) { return std::string(smoke).insert(pos, line); };
  BOOST_TEST((keys_by_name(TempSweep(with("micro_batches = 0\n")).plan()) == base));
  int trains = 0, unchanged = 0;
  for (const auto& t : TempSweep(with("micro_batches = 2\n")).plan().tasks) {
    const bool mri_model = t.name.rfind("mri.train/", 0) == 0 ||
                           t.name.rfind("mri.evaluate/", 0) == 0 ||
                           t.name.rfind("mri.ensemble/", 0) == 0;
    if (t.kind == "mri.train") {
      ++trains;
      BOOST_TEST(t.params["train"].value("micro_batches", 0) == 2, t.name);
    }
    if (!mri_model) {
      BOOST_TEST(base.at(t.name) == t.key, t.name);
      ++unchanged;
    } else if (t.kind == "mri.train") {
      BOOST_TEST(base.at(t.name) != t.key, t.name);
    }
  }
  BOOST_TEST(trains > 0);
  BOOST_TEST(unchanged > 0);
  const auto refused = [&](const std::string& text, const std::string& words) {
    TempSweep b(text);
    try {
      b.plan();
      BOOST_FAIL("accepted: " << words);
    } catch (const sweep::SweepError& e) {
      const std::string what = e.what();
      BOOST_TEST(what.find("mri.train.micro_batches") != std::string::npos, what);
      BOOST_TEST(what.find(words) != std::string::npos, what);
    }
  };
  refused(with("micro_batches = 9\n"), "1..8 (mri.train.batch), not 9");
  refused(with("micro_batches = -1\n"), "not -1");
  const std::string two_ranks = "\n[run.ranks_per_task]\n\"mri.train\" = 2\n";
  refused(with("micro_batches = 3\n") + two_ranks,
          "= 3 must be a multiple of run.ranks_per_task.\"mri.train\" = 2");
  Plan ok = TempSweep(with("micro_batches = 4\n") + two_ranks).plan();
  for (const auto& t : ok.tasks)
    if (t.kind == "mri.train") BOOST_TEST(t.ranks == 2, t.name);
  // 0 = one per rank: a 2-rank training carries 2 in its key, the key of a 1-rank training
  // with micro_batches = 2 (they train the same), not the 1-rank default's.
  const auto two_rank_keys = keys_by_name(TempSweep(smoke + two_ranks).plan());
  const auto explicit_two = keys_by_name(TempSweep(with("micro_batches = 2\n")).plan());
  BOOST_TEST((two_rank_keys == explicit_two));
  BOOST_TEST((two_rank_keys != base));
  BOOST_TEST((keys_by_name(TempSweep(with("micro_batches = 1\n")).plan()) == base));
}

BOOST_AUTO_TEST_CASE(radiomics_task_is_opt_in_and_depends_on_the_cohort) {
  auto smoke = fs::read_all(sweep_path("smoke.toml"));
  Plan on = TempSweep(smoke).plan();
  const TaskSpec* task = nullptr;
  std::string cohort;
  for (const auto& t : on.tasks) {
    if (t.kind == "mri.radiomics") task = &t;
    if (t.kind == "mri.cohort") cohort = t.key;
  }
  BOOST_REQUIRE(task != nullptr);
  BOOST_TEST(task->deps == std::vector<std::string>{cohort});
  BOOST_TEST(task->params["trees"] == 10000);
  BOOST_TEST(task->params["max_depth"] == 5);
  BOOST_TEST(task->params["min_samples_leaf"] == 10);
  BOOST_TEST(task->params["bin_width"] == 25.0);
  BOOST_TEST(task->params["seeds"].size() == 5u);
  BOOST_TEST(task->inputs.contains("data"));
  // Switched off: the task goes and every other key stays.
  std::string off = smoke;
  auto pos = off.find("radiomics = true");
  BOOST_REQUIRE(pos != std::string::npos);
  off.replace(pos, 16, "radiomics = false");
  auto keys_off = keys_by_name(TempSweep(off).plan());
  auto keys_on = keys_by_name(on);
  BOOST_TEST(keys_on.size() == keys_off.size() + 1);
  keys_on.erase("mri.radiomics");
  BOOST_TEST((keys_on == keys_off));
}

BOOST_AUTO_TEST_CASE(changed_input_data_changes_keys_downstream) {
  auto dir = stdfs::temp_directory_path() / "gbmsweep_test_fp";
  stdfs::remove_all(dir);
  stdfs::create_directories(dir / "drug");
  std::ofstream(dir / "drug" / "a.csv") << "x,y\n1,2\n";
  std::string text = std::string(kProbeHead) + "[data]\ndrug = \"" + (dir / "drug").string() +
                     "\"\n[drug]\nsources = [\"oxaliplatin\"]\nexperiments = [\"gdsc_gse\"]\n"
                     "benchmarks = [\"mgmt\"]\n[drug.cv]\ngse_seeds = [0]\n";
  auto before = keys_by_name(TempSweep(text).plan());
  std::ofstream(dir / "drug" / "a.csv") << "x,y\n1,3\n";
  auto after = keys_by_name(TempSweep(text).plan());
  for (const auto& [name, key] : before) BOOST_TEST(after.at(name) != key, name);
  stdfs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(grid_cartesian_and_zip_sizes) {
  std::string text = std::string(kProbeHead) +
                     "[probe]\ntasks = 4\nlevels = 2\n"
                     "[grid]\n\"probe.sleep_max\" = [0.2, 0.3, 0.4]\n"
                     "[[grid.zip]]\n\"probe.seed\" = [1, 2]\n\"probe.fanin\" = [1, 2]\n";
  auto parsed = sweep::parse_sweep_text(text, "t.toml");
  BOOST_TEST(parsed.grid.size() == 3u * 2);
  std::set<std::string> points;
  for (const auto& pt : parsed.grid) {
    BOOST_TEST(pt.size() == 3u);
    points.insert(pt.dump());
  }
  BOOST_TEST(points.size() == 6u);
  // Zipped values stay paired.
  for (const auto& pt : parsed.grid) BOOST_TEST(pt["probe.seed"] == pt["probe.fanin"]);
}

BOOST_AUTO_TEST_CASE(grid_points_share_tasks_they_do_not_affect) {
  std::string text = std::string(kProbeHead) +
                     "[data]\nmri = \"/nonexistent\"\n[mri]\ninputs = [\"T1\"]\nfolds = 2\n"
                     "networks = [\"resnet_random\", \"spottune\"]\n"
                     "[grid]\n\"mri.train.tau\" = [1.0, 10.0]\n";
  auto c = TempSweep(text).plan().counts_by_kind();
  BOOST_TEST(c["mri.cohort"] == 1);
  BOOST_TEST(c["mri.train"] == 2 * 1 + 2 * 2);  // random init shared; SpotTune per tau
}

BOOST_AUTO_TEST_CASE(bad_files_name_line_and_key) {
  std::string h = kProbeHead;
  expect_error(h + "[probe]\ntaskz = 3\n", 4, "unknown key 'probe.taskz' (did you mean 'probe.tasks'?)");
  expect_error(h + "[probe]\ntasks = \"many\"\n", 4, "key 'probe.tasks' must be an integer");
  expect_error(h + "[nonsense]\nx = 1\n", 3, "unknown key 'nonsense'");
  expect_error(h + "[data]\nmri = \"d\"\n[mri]\ninputs = []\n", 6, "empty axis");
  expect_error(h + "[probe]\n[grid]\n\"probe.seed\" = []\n", 5, "empty axis");
  expect_error(h + "[data]\nmri = \"d\"\n[mri]\ninputs = [\"T1\", \"PET\"]\n", 6,
               "unknown modality 'PET'");
  expect_error(h + "[data]\ndrug = \"d\"\n[drug]\nsources = [\"aspirin\"]\n", 6,
               "unknown value 'aspirin'");
  expect_error(h + "[data]\nmri = \"d\"\n[mri]\nnetworks = [\"vgg\"]\n", 6, "unknown value 'vgg'");
  expect_error(h + "[data]\nmri = \"d\"\n[mri]\ndepth = 101\n", 6, "unknown value '101'");
  expect_error(h + "[probe]\n[[probe.task]]\nname = \"a\"\ndeps = [\"b\"]\n"
                   "[[probe.task]]\nname = \"b\"\ndeps = [\"a\"]\n",
               4, "dependency cycle among probe tasks: a -> b -> a");
  expect_error(h + "[probe]\n[[probe.task]]\nname = \"a\"\ndeps = [\"zz\"]\n", 4,
               "unknown task 'zz'");
  expect_error(h + "[probe]\ntasks = [1,\n", 4, "TOML syntax error");
  expect_error("[probe]\n", 1, "missing required key 'sweep.name'");
  expect_error(h, 1, "the sweep has no study");
  expect_error(h + "[mri]\n", 3, "needs 'data.mri'");
  expect_error(h + "[probe]\n[[grid.zip]]\n\"probe.seed\" = [1, 2]\n\"probe.fanin\" = [1]\n", 5,
               "equal lengths");
  expect_error(h + "[probe]\n[grid]\n\"sweep.seed\" = [1, 2]\n", 5, "not a sweepable parameter");
  expect_error(h + "[data]\nmri = \"d\"\n[mri]\ninputs = [\"T1\"]\n[mri.groups]\nG = [\"T2\"]\n", 8,
               "'T2' is not in mri.inputs");
}

BOOST_AUTO_TEST_CASE(multi_channel_sets_are_inputs) {
  std::string text = std::string(kProbeHead) +
                     "[data]\nmri = \"/x\"\n[mri]\ninputs = [\"DSCall\"]\nfolds = 2\n"
                     "networks = [\"resnet_random\"]\n"
                     "[mri.sets]\nDSCall = [\"DSC_ap-rCBV\", \"DSC_PH\", \"DSC_PSR\"]\n"
                     "[mri.groups]\nDSC = [\"DSCall\"]\n";
  Plan p = TempSweep(text).plan();
  int n = 0;
  for (const auto& t : p.tasks)
    if (t.kind == "mri.train") {
      BOOST_TEST(t.params["channels"].size() == 3u);
      ++n;
    }
  BOOST_TEST(n == 2);
}

BOOST_AUTO_TEST_SUITE_END()
