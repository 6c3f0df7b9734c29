// Slurm job scripts: directives, validation, shell syntax, and the shipped examples stay in
// sync with the generator. The real-Slurm run is tests/slurm/slurm_test.sh.
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "jobs/slurm.hpp"
#include "support/process.hpp"

using namespace gbmsweep;

namespace {
int shell(const std::string& cmd, std::string* out = nullptr) {
  auto r = gbmsweep::test::run_shell(cmd);
  if (out) *out = r.out;
  return r.rc;
}
bool has(const std::string& s, const std::string& needle) { return s.find(needle) != std::string::npos; }
}  // namespace

BOOST_AUTO_TEST_SUITE(jobs_slurm)

BOOST_AUTO_TEST_CASE(time_limits) {
  BOOST_TEST(jobs::parse_time_limit("01:00:00") == 3600);
  BOOST_TEST(jobs::parse_time_limit("05:30") == 330);
  BOOST_TEST(jobs::parse_time_limit("2-00:00:01") == 2 * 86400 + 1);
  BOOST_CHECK_THROW(jobs::parse_time_limit("5h"), InputError);
  BOOST_CHECK_THROW(jobs::parse_time_limit("00:61:00"), InputError);
  BOOST_CHECK_THROW(jobs::parse_time_limit("00:00:00"), InputError);
}

BOOST_AUTO_TEST_CASE(script_has_directives_drain_and_resubmission) {
  jobs::SlurmJobOptions o;
  o.sweep = "sweeps/probe.toml";
  o.store = "/scratch/st";
  o.exe = "/opt/gbmsweep";
  o.nodes = 2;
  o.gpus_per_node = 4;  // one worker per GPU (ranks_per_node derived) + the coordinator
  o.time = "02:00:00";
  o.partition = "gpu";
  o.account = "proj";
  o.max_resubmits = 3;
  std::string s = jobs::render_slurm_script(o);
  BOOST_TEST(has(s, "#SBATCH --nodes=2\n"));
  BOOST_TEST(has(s, "#SBATCH --ntasks=9\n"));
  BOOST_TEST(!has(s, "--ntasks-per-node"));
  BOOST_TEST(has(s, "#SBATCH --gpus-per-node=4\n"));
  BOOST_TEST(has(s, "#SBATCH --exclusive\n"));  // whole nodes: gbmsweep splits the cores
  BOOST_TEST(!has(s, "#SBATCH --cpus-per-task"));
  BOOST_TEST(has(s, "#SBATCH --time=02:00:00\n"));
  BOOST_TEST(has(s, "#SBATCH --partition=gpu\n"));
  BOOST_TEST(has(s, "#SBATCH --account=proj\n"));
  BOOST_TEST(has(s, "#SBATCH --signal=B:TERM@600\n"));  // 10 % of 2 h, capped at 600 s
  BOOST_TEST(has(s, "RANKS=9\n"));
  BOOST_TEST(has(s, "GBMSWEEP_MAX_RESUBMITS=${GBMSWEEP_MAX_RESUBMITS:-3}"));
  BOOST_TEST(has(s, "export HDF5_USE_FILE_LOCKING=FALSE"));
  BOOST_TEST(has(s, "--dependency=afterany:\"$SLURM_JOB_ID\""));
  BOOST_TEST(has(s, "kill -USR1"));
  BOOST_TEST(has(s, "STORE='/scratch/st'"));
  // The sweep path was made absolute.
  BOOST_TEST(has(s, "SWEEP='" + std::filesystem::absolute("sweeps/probe.toml").lexically_normal().string() + "'"));
  // Valid bash.
  auto path = std::filesystem::temp_directory_path() / "gbmsweep_job.sbatch";
  std::ofstream(path) << s;
  std::string out;
  BOOST_TEST(shell("bash -n " + path.string(), &out) == 0, out);
  std::filesystem::remove(path);
}

BOOST_AUTO_TEST_CASE(cpu_and_gpu_layouts) {
  jobs::SlurmJobOptions o;
  o.sweep = "s.toml";
  o.store = "st";
  o.exe = "gbmsweep";
  o.keep_paths = true;
  // CPU: ranks per node as asked, the coordinator among them, Slurm's default cores.
  o.nodes = 3;
  o.ranks_per_node = 8;
  std::string s = jobs::render_slurm_script(o);
  BOOST_TEST(has(s, "#SBATCH --ntasks-per-node=8\n"));
  BOOST_TEST(has(s, "RANKS=24\n"));
  BOOST_TEST(!has(s, "--exclusive"));
  BOOST_TEST(!has(s, "#SBATCH --gpus"));
  BOOST_TEST(has(s, "\nGPUS_PER_NODE=0\n"));
  o.cpus_per_rank = 4;
  s = jobs::render_slurm_script(o);
  BOOST_TEST(has(s, "#SBATCH --cpus-per-task=4\n"));
  // No ranks per node given and no GPUs: one rank per node.
  o.ranks_per_node = 0;
  BOOST_TEST(has(jobs::render_slurm_script(o), "RANKS=3\n"));
  // GPU with cores per rank: no --exclusive; 3 x 2 workers + 1 coordinator.
  o.gpus_per_node = 2;
  s = jobs::render_slurm_script(o);
  BOOST_TEST(has(s, "#SBATCH --ntasks=7\n"));
  BOOST_TEST(has(s, "#SBATCH --cpus-per-task=4\n"));
  BOOST_TEST(!has(s, "--exclusive"));
  // The script knows the GPUs per node (srun's share of a whole node's cores depends on it).
  BOOST_TEST(has(s, "\nGPUS_PER_NODE=2\n"));
  // --ranks-per-node equal to the GPUs is the same job.
  o.ranks_per_node = 2;
  BOOST_TEST(jobs::render_slurm_script(o) == s);
}

BOOST_AUTO_TEST_CASE(bad_options_are_input_errors) {
  jobs::SlurmJobOptions o;
  o.sweep = "s.toml";
  o.store = "st";
  o.exe = "gbmsweep";
  o.launcher = "qsub";
  BOOST_CHECK_THROW(jobs::render_slurm_script(o), InputError);
  o.launcher = "srun";
  o.nodes = 0;
  BOOST_CHECK_THROW(jobs::render_slurm_script(o), InputError);
  o.nodes = 1;
  o.cpus_per_rank = -1;
  BOOST_CHECK_THROW(jobs::render_slurm_script(o), InputError);
  o.cpus_per_rank = 0;
  // Workers must match the GPUs: 3 ranks for 4 GPUs would leave one idle.
  o.gpus_per_node = 4;
  o.ranks_per_node = 3;
  try {
    jobs::render_slurm_script(o);
    BOOST_FAIL("no error");
  } catch (const InputError& e) {
    BOOST_TEST(has(e.what(), "--ranks-per-node 3 with --gpus-per-node 4"));
  }
  o.gpus_per_node = 0;
  o.ranks_per_node = 1;
  o.time = "00:01:00";
  o.signal_lead_s = 90;
  BOOST_CHECK_THROW(jobs::render_slurm_script(o), InputError);
}

BOOST_AUTO_TEST_CASE(shipped_examples_match_the_generator) {
  // jobs/slurm/*.sbatch are generated by these exact command lines (docs/slurm.md).
  const std::string src = GBMSWEEP_SOURCE_DIR;
  const std::vector<std::pair<std::string, std::string>> examples = {
      {"smoke", "--store stores/smoke --time 00:30:00 --ranks-per-node 2"},
      {"mgmt_paper", "--store stores/mgmt_paper --nodes 4 --gpus-per-node 4 "
                     "--time 24:00:00 --launcher srun --max-resubmits 20"},
      {"drug_paper", "--store stores/drug_paper --nodes 2 --ranks-per-node 32 --time 12:00:00 "
                     "--max-resubmits 10"},
  };
  for (const auto& [name, args] : examples) {
    std::string out;
    int rc = shell("cd " + src + " && " + GBMSWEEP_EXE + " jobs slurm sweeps/" + name + ".toml " +
                       args + " --exe gbmsweep --keep-paths",
                   &out);
    BOOST_TEST(rc == 0, out);
    BOOST_TEST(out == fs::read_all(src + "/jobs/slurm/" + name + ".sbatch"),
               "jobs/slurm/" << name << ".sbatch is out of date: regenerate it");
  }
}

BOOST_AUTO_TEST_SUITE_END()
