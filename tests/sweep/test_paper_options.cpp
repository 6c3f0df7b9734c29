// The "as the paper ran it" options (issue 16): each reaches the tasks it changes, stays out
// of the keys of the tasks it cannot change, and mgmt_paper.toml sets the authors' choices.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>

#include "common/fs.hpp"
#include "sweep/parse.hpp"
#include "sweep/plan.hpp"
#include "sweep/schema.hpp"

using namespace gbmsweep;
namespace stdfs = std::filesystem;
using nlohmann::json;

namespace {

std::string source(const std::string& name) {
  return std::string(GBMSWEEP_SOURCE_DIR) + "/sweeps/" + name;
}

Plan plan_text(const std::string& text) {
  auto dir = stdfs::temp_directory_path() / "gbmsweep_test_paper_options";
  stdfs::create_directories(dir);
  const std::string path = (dir / "t.toml").string();
  std::ofstream(path) << text;
  PlanOptions o;
  o.sweep_path = path;
  o.fingerprint_inputs = false;
  return make_plan(o);
}

// The smoke sweep with `line` appended to its [mri] (or [mri.train]) section.
std::string smoke_with(const std::string& section, const std::string& line) {
  std::string s = fs::read_all(source("smoke.toml"));
  auto pos = s.find("[" + section + "]\n");
  BOOST_REQUIRE(pos != std::string::npos);
  s.insert(pos + section.size() + 3, line + "\n");
  return s;
}

const TaskSpec& task(const Plan& p, const std::string& name) {
  for (const auto& t : p.tasks)
    if (t.name == name) return t;
  BOOST_FAIL("no task " << name);
  throw;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(paper_options)

BOOST_AUTO_TEST_CASE(mgmt_paper_sets_what_the_authors_did) {
  PlanOptions o;
  o.sweep_path = source("mgmt_paper.toml");
  o.fingerprint_inputs = false;
  Plan p = make_plan(o);
  const json& mri = p.config["mri"];
  BOOST_TEST(mri["crop"] == json::parse("[0,140,39,211,44,208]"));
  BOOST_TEST(mri["mask"] == "automated");
  BOOST_TEST(mri["combine"] == "flat");
  BOOST_TEST(mri["test_eligible"] == "all_inputs");
  BOOST_TEST(mri["train"]["selection"] == "reference");
  BOOST_TEST(mri["train"]["bn"] == "train");
  BOOST_TEST(mri["train"]["init"] == "uniform");
  BOOST_TEST(p.config["report"]["best_overall_rule"] == "fixed");
  BOOST_TEST(p.config["report"]["compare"] == "mgmt_paper");
  // ... and they reach the tasks.
  const TaskSpec& cohort = task(p, "mri.cohort");
  BOOST_TEST(cohort.params["mask"] == "automated");
  BOOST_TEST(cohort.params["crop"] == mri["crop"]);
  BOOST_TEST(cohort.params["test_eligible"] == "all_inputs");
  BOOST_TEST(cohort.params["modalities"].size() == 11u);
  const auto& spot = task(p, "mri.train/spottune/DTI_FA/f0/s0").params["train"];
  BOOST_TEST(spot["bn"] == "train");
  BOOST_TEST(spot["selection"] == "reference");
  BOOST_TEST(!spot.contains("init"));  // only the random network has a random backbone
  const auto& rnd = task(p, "mri.train/resnet_random/DTI_FA/f0/s0").params["train"];
  BOOST_TEST(rnd["init"] == "uniform");
  BOOST_TEST(!rnd.contains("bn"));  // resnet_random always trains its BatchNorms
  BOOST_TEST(task(p, "mri.ensemble/spottune/s0").params["combine"] == "flat");
  // The smoke demo is synthetic: nothing to compare with.
  Plan smoke = plan_text(fs::read_all(source("smoke.toml")));
  BOOST_TEST(smoke.config["report"]["compare"] == "none");
}

BOOST_AUTO_TEST_CASE(defaults_keep_the_keys_of_earlier_stores) {
  Plan base = plan_text(fs::read_all(source("smoke.toml")));
  // The old behaviour, spelled out, gives the same keys as before the options existed.
  Plan same = plan_text(smoke_with("mri.train", "bn = \"frozen\"\ninit = \"medicalnet\""));
  for (const auto& t : base.tasks)
    if (t.kind == "mri.train") BOOST_TEST(task(same, t.name).key == t.key, t.name);
  BOOST_TEST(!task(base, "mri.cohort").params.contains("mask"));
  BOOST_TEST(!task(base, "mri.ensemble/spottune/s0").params.contains("combine"));
  // The default test eligibility is new behaviour, so it is in the cohort's key.
  BOOST_TEST(task(base, "mri.cohort").params["test_eligible"] == "all_inputs");
  Plan dsc = plan_text(smoke_with("mri", "test_eligible = \"dsc\""));
  BOOST_TEST(!task(dsc, "mri.cohort").params.contains("test_eligible"));
  BOOST_TEST(task(dsc, "mri.cohort").key != task(base, "mri.cohort").key);
}

BOOST_AUTO_TEST_CASE(each_option_changes_the_tasks_it_affects_only) {
  Plan base = plan_text(fs::read_all(source("smoke.toml")));
  auto changed = [&](const Plan& p, const std::string& name) {
    return task(p, name).key != task(base, name).key;
  };
  Plan bn = plan_text(smoke_with("mri.train", "bn = \"train\""));
  BOOST_TEST(changed(bn, "mri.train/spottune/T1GD/f0/s0"));
  BOOST_TEST(changed(bn, "mri.train/resnet_transfer/T1GD/f0/s0"));
  BOOST_TEST(!changed(bn, "mri.train/resnet_random/T1GD/f0/s0"));
  Plan init = plan_text(smoke_with("mri.train", "init = \"uniform\""));
  BOOST_TEST(changed(init, "mri.train/resnet_random/T1GD/f0/s0"));
  BOOST_TEST(!changed(init, "mri.train/spottune/T1GD/f0/s0"));
  Plan mask = plan_text(smoke_with("mri", "mask = \"automated\""));
  BOOST_TEST(changed(mask, "mri.cohort"));
  BOOST_TEST(task(mask, "mri.cohort").params["mask"] == "automated");
  Plan flat = plan_text(smoke_with("mri", "combine = \"flat\""));
  BOOST_TEST(changed(flat, "mri.ensemble/spottune/s0"));
  BOOST_TEST(!changed(flat, "mri.train/spottune/T1GD/f0/s0"));
  Plan sel = plan_text(smoke_with("mri.train", "selection = \"reference\""));
  BOOST_TEST(task(sel, "mri.train/spottune/T1GD/f0/s0").params["train"]["selection"] ==
             "reference");
}

BOOST_AUTO_TEST_CASE(unknown_option_values_are_sweep_errors) {
  for (const auto& [section, line] : std::vector<std::pair<std::string, std::string>>{
           {"mri.train", "bn = \"adaptive\""},
           {"mri.train", "init = \"normal\""},
           {"mri", "mask = \"manual\""},
           {"mri", "combine = \"weighted\""},
           {"mri", "test_eligible = \"dti\""}}) {
    BOOST_TEST_INFO(line);
    BOOST_CHECK_THROW(plan_text(smoke_with(section, line)), sweep::SweepError);
  }
  std::string s = fs::read_all(source("smoke.toml")) + "\n[report]\ncompare = \"nature\"\n";
  BOOST_CHECK_THROW(plan_text(s), sweep::SweepError);
  s = fs::read_all(source("smoke.toml")) + "\n[report]\nbest_overall_rule = \"max\"\n";
  BOOST_CHECK_THROW(plan_text(s), sweep::SweepError);
}

BOOST_AUTO_TEST_SUITE_END()
