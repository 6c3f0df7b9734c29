// End-to-end scheduler tests: the probe driver under mpiexec at the rank count given after
// `--` (`test_sched_jobs -- --ranks 3`), killed with SIGKILL, drained with SIGTERM, failing on
// purpose, and resumed; the store is then read with `gbmsweep status --json`, its journal and
// Debian's python3-h5py.
#define BOOST_TEST_MODULE gbmsweep scheduler jobs
#include <boost/test/unit_test.hpp>

#include <dirent.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

using json = nlohmann::json;
namespace stdfs = std::filesystem;

namespace {

int ranks() {
  auto& m = boost::unit_test::framework::master_test_suite();
  for (int i = 1; i + 1 < m.argc; ++i)
    if (std::string(m.argv[i]) == "--ranks") return std::stoi(m.argv[i + 1]);
  return 1;
}

std::string work_dir(const std::string& name) {
  std::string d = std::string(GBMSWEEP_BINARY_DIR) + "/tests/sched/tmp-np" +
                  std::to_string(ranks()) + "/" + name;
  stdfs::remove_all(d);
  stdfs::create_directories(d);
  return d;
}

// One launch of `mpiexec -n P PROGRAM ARGS` (the probe driver unless told), output to a log.
class Job {
 public:
  Job(const std::vector<std::string>& driver_args, const std::string& log,
      const std::map<std::string, std::string>& env = {},
      const std::string& program = PROBE_DRIVER) {
    std::vector<std::string> argv = {MPIEXEC_EXE, "-n", std::to_string(ranks()), "--oversubscribe",
                                     program};
    argv.insert(argv.end(), driver_args.begin(), driver_args.end());
    pid_ = ::fork();
    BOOST_REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
      std::FILE* f = std::fopen(log.c_str(), "a");
      if (f) {
        ::dup2(fileno(f), 1);
        ::dup2(fileno(f), 2);
      }
      std::vector<char*> cargv;
      for (auto& a : argv) cargv.push_back(a.data());
      cargv.push_back(nullptr);
      ::execv(cargv[0], cargv.data());
      ::_exit(127);
    }
  }
  // Exit code (or 128 + signal); fails the test after `timeout_s`.
  int wait(double timeout_s = 120) {
    auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > until) {
        signal_tree(SIGKILL, true);
        ::waitpid(pid_, &status, 0);
        BOOST_FAIL("mpiexec did not finish in " << timeout_s << " s");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  // Signals the ranks (mpiexec's descendants), and mpiexec too when `launcher`.
  void signal_tree(int sig, bool launcher) {
    std::vector<int> pids = descendants(pid_);
    for (int p : pids) ::kill(p, sig);
    if (launcher) ::kill(pid_, sig);
  }
  int pid() const { return pid_; }

 private:
  static std::vector<int> descendants(int root) {
    std::multimap<int, int> children;
    DIR* d = ::opendir("/proc");
    while (d) {
      dirent* e = ::readdir(d);
      if (!e) break;
      int pid = std::atoi(e->d_name);
      if (pid <= 0) continue;
      std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
      std::string line;
      if (!std::getline(stat, line)) continue;
      auto close = line.rfind(')');
      if (close == std::string::npos) continue;
      std::istringstream rest(line.substr(close + 2));
      char state;
      int ppid;
      rest >> state >> ppid;
      children.emplace(ppid, pid);
    }
    if (d) ::closedir(d);
    std::vector<int> out, todo = {root};
    while (!todo.empty()) {
      int p = todo.back();
      todo.pop_back();
      auto [b, e] = children.equal_range(p);
      for (auto it = b; it != e; ++it) {
        out.push_back(it->second);
        todo.push_back(it->second);
      }
    }
    return out;
  }
  int pid_ = -1;
};

std::string run_capture(const std::string& cmd) {
  std::string out;
  std::FILE* p = ::popen(cmd.c_str(), "r");
  BOOST_REQUIRE(p);
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int rc = ::pclose(p);
  BOOST_REQUIRE_MESSAGE(rc == 0, cmd << " failed:\n" << out);
  return out;
}

json status(const std::string& store) {
  return json::parse(run_capture(std::string(GBMSWEEP_EXE) + " status --json --store " + store));
}

std::map<std::string, std::string> digests(const json& st) {
  std::map<std::string, std::string> out;
  for (const auto& t : st.at("tasks"))
    if (t.at("status") == "done") out[t.at("key")] = t.at("digest");
  return out;
}

std::vector<json> journal(const std::string& store) {
  std::ifstream in(store + "/journal.jsonl");
  std::vector<json> out;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(json::parse(line));
  return out;
}

std::map<std::string, int> count_events(const std::vector<json>& j, const std::string& e) {
  std::map<std::string, int> n;
  for (const auto& ev : j)
    if (ev.at("e") == e) ++n[ev.at("key")];
  return n;
}

// The DAG of the reference run; groups of 2 ranks need 2 workers, i.e. 3 ranks.
std::vector<std::string> dag_args(const std::string& store) {
  std::vector<std::string> a = {"--store", store, "--levels", "4", "--width", "8",
                                "--sleep-min", "0.02", "--sleep-max", "0.12", "--seed", "7"};
  if (ranks() >= 3) a.insert(a.end(), {"--group-ranks", "2"});
  return a;
}

// Reference: one uninterrupted run (computed once per test program).
const std::string& reference_store() {
  static const std::string store = [] {
    std::string dir = work_dir("reference");
    Job job(dag_args(dir + "/store"), dir + "/log");
    int rc = job.wait();
    BOOST_REQUIRE_MESSAGE(rc == 0, "reference run failed, see " << dir << "/log");
    return dir + "/store";
  }();
  return store;
}

void check_h5py(const std::string& store) {
  std::string out = run_capture("/usr/bin/python3 " + std::string(SCHED_TEST_DIR) +
                                "/read_store.py " + store + " 2>&1");
  BOOST_TEST(out.find("ok") != std::string::npos, out);
}

// `run --retry-failed` on a store with failed tasks ends with the reference's results.
void retry_failed_completes(const std::string& store, const std::string& dir,
                            const std::map<std::string, std::string>& ref) {
  std::vector<std::string> args = dag_args(store);
  args.push_back("--retry-failed");
  Job job(args, dir + "/log");
  BOOST_TEST(job.wait() == 0);
  json st = status(store);
  BOOST_TEST(st.at("counts").at("done") == 32);
  BOOST_TEST(digests(st) == ref);
}

}  // namespace

BOOST_AUTO_TEST_CASE(uninterrupted_run_respects_dependencies_and_runs_each_task_once) {
  const std::string& store = reference_store();
  json st = status(store);
  BOOST_TEST(st.at("total") == 32);
  BOOST_TEST(st.at("counts").at("done") == 32);
  auto j = journal(store);
  std::map<std::string, std::vector<std::string>> deps;
  std::map<std::string, std::size_t> run_at, done_at;
  for (std::size_t i = 0; i < j.size(); ++i) {
    const auto& ev = j[i];
    if (ev.at("e") == "add") deps[ev.at("key")] = ev.at("deps").get<std::vector<std::string>>();
    if (ev.at("e") == "run") run_at[ev.at("key")] = i;
    if (ev.at("e") == "done") done_at[ev.at("key")] = i;
  }
  for (const auto& [key, n] : count_events(j, "run")) BOOST_TEST(n == 1, key);
  for (const auto& [key, n] : count_events(j, "done")) BOOST_TEST(n == 1, key);
  BOOST_TEST(done_at.size() == 32u);
  // A task starts only after every dependency's result is recorded.
  for (const auto& [key, ds] : deps)
    for (const auto& d : ds) BOOST_TEST(done_at.at(d) < run_at.at(key), key << " ran before " << d);
}

// Issue 15 item 6, checked before the job starts: a group task that averages over NCCL cannot
// have two ranks on one GPU. The driver fakes the GPUs (--fake-gpus N: device cuda, N visible
// per rank; its group tasks count as NCCL ones). One GPU for >= 2 workers: the run is refused
// with exit 2, naming the task and the shared GPU, before any task runs; one GPU per worker:
// each worker's GPU is logged, no warning, and the run completes; that store, complete, is
// then resumed on one GPU without a refusal (nothing is left to run).
BOOST_AUTO_TEST_CASE(group_tasks_on_shared_gpus_are_refused_before_the_job_starts,
                     *boost::unit_test::precondition([](boost::unit_test::test_unit_id) {
                       return boost::unit_test::assertion_result(ranks() >= 3);
                     })) {
  const std::string dir = work_dir("shared-gpus");
  const auto read = [](const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  std::vector<std::string> args = {"--store", dir + "/store", "--levels", "2", "--width", "3",
                                   "--group-ranks", "2", "--fake-gpus", "1"};
  Job shared(args, dir + "/log");
  BOOST_TEST(shared.wait() == 2);
  std::string log = read(dir + "/log");
  BOOST_TEST(log.find("probe/L0/0 trains on 2 ranks with NCCL") != std::string::npos, log);
  BOOST_TEST(log.find("share cuda:0") != std::string::npos, log);
  BOOST_TEST(count_events(journal(dir + "/store"), "run").empty());

  args[1] = dir + "/store-ok";
  args.back() = std::to_string(ranks() - 1);  // one GPU per worker
  Job own(args, dir + "/log-ok", {{"GBMSWEEP_LOG", "info"}});
  BOOST_TEST(own.wait() == 0);
  log = read(dir + "/log-ok");
  BOOST_TEST(log.find("cuda:0 <- rank 1; cuda:1 <- rank 2") != std::string::npos, log);
  BOOST_TEST(log.find("share") == std::string::npos, log);
  BOOST_TEST(status(dir + "/store-ok").at("counts").at("done") == 6);

  args.back() = "1";
  Job resumed(args, dir + "/log-resumed");
  BOOST_TEST(resumed.wait() == 0, read(dir + "/log-resumed"));
}

BOOST_AUTO_TEST_CASE(group_tasks_get_a_communicator_of_their_size, *boost::unit_test::precondition(
    [](boost::unit_test::test_unit_id) { return boost::unit_test::assertion_result(ranks() >= 3); })) {
  check_h5py(reference_store());  // read_store.py checks metrics["group"] == ranks of the task
  std::string out = run_capture("/usr/bin/python3 -c \"import h5py; f=h5py.File('" +
                                reference_store() + "/store.h5','r'); print(sorted(set("
                                "int(f['results'][k.decode()]['metrics'].attrs.get('group', 1)) "
                                "for k in f['tasks/key'][:])))\"");
  BOOST_TEST(out == "[1, 2]\n");
}

BOOST_AUTO_TEST_CASE(killed_jobs_resume_to_identical_results) {
  auto ref = digests(status(reference_store()));
  std::string dir = work_dir("kill");
  std::string store = dir + "/store";
  std::mt19937 rng(1234 + static_cast<unsigned>(ranks()));
  std::uniform_real_distribution<double> delay(0.2, 0.8);
  for (int k = 0; k < 3; ++k) {
    Job job(dag_args(store), dir + "/log");
    std::this_thread::sleep_for(std::chrono::duration<double>(delay(rng)));
    job.signal_tree(SIGKILL, true);  // the whole job at once: ranks and mpiexec
    job.wait();
    if (!stdfs::exists(store + "/journal.jsonl")) continue;  // killed before the store opened
    json st = status(store);
    if (k == 0) BOOST_TEST(st.at("counts").at("done") < 32, "the first kill came too late");
    if (stdfs::exists(store + "/store.h5"))
      run_capture("h5dump -H " + store + "/store.h5 > /dev/null");
    // Every completion the journal reports has its result file.
    for (const auto& [key, d] : digests(st)) BOOST_TEST(stdfs::exists(store + "/results/" + key + ".h5"));
  }
  Job resume(dag_args(store), dir + "/log");
  BOOST_REQUIRE_EQUAL(resume.wait(), 0);
  json st = status(store);
  BOOST_TEST(st.at("counts").at("done") == 32);
  BOOST_TEST(digests(st) == ref);
  for (const auto& [key, n] : count_events(journal(store), "done")) BOOST_TEST(n == 1, key);
  check_h5py(store);
}

BOOST_AUTO_TEST_CASE(failed_tasks_are_recorded_and_rerun_only_with_retry_failed) {
  auto ref = digests(status(reference_store()));
  std::string dir = work_dir("fail");
  std::string store = dir + "/store";
  {
    Job job(dag_args(store), dir + "/log", {{"GBMSWEEP_PROBE_FAIL", "probe/L1/[23]"}});
    BOOST_TEST(job.wait() == 1);  // kExitFailure
  }
  json st = status(store);
  BOOST_TEST(st.at("counts").at("failed") == 2);
  for (const auto& t : st.at("tasks"))
    if (t.at("status") == "failed")
      BOOST_TEST(t.at("error").get<std::string>().find("injected failure") != std::string::npos);
  int blocked = st.at("counts").at("pending");
  BOOST_TEST(blocked > 0);  // dependants of the failed tasks did not run
  BOOST_TEST(st.at("counts").at("done") == 32 - 2 - blocked);
  {
    Job job(dag_args(store), dir + "/log");  // without --retry-failed: nothing changes
    BOOST_TEST(job.wait() == 1);
  }
  BOOST_TEST(status(store).at("counts").at("failed") == 2);
  retry_failed_completes(store, dir, ref);
}

// Member 1 of the group task probe/L1/0 fails before the collective that member 0 then waits
// in forever: the coordinator records the failure and aborts the job instead of hanging, and
// a resume with --retry-failed completes it.
BOOST_AUTO_TEST_CASE(a_failed_group_member_ends_the_job_instead_of_hanging,
                     *boost::unit_test::precondition([](boost::unit_test::test_unit_id) {
                       return boost::unit_test::assertion_result(ranks() >= 3);
                     })) {
  auto ref = digests(status(reference_store()));
  std::string dir = work_dir("group-fail");
  std::string store = dir + "/store";
  {
    std::vector<std::string> args = dag_args(store);
    args.insert(args.end(), {"--group-fail-wait", "2"});
    Job job(args, dir + "/log",
            {{"GBMSWEEP_PROBE_FAIL", "probe/L1/0"}, {"GBMSWEEP_PROBE_FAIL_MEMBER", "1"}});
    BOOST_TEST(job.wait(60) != 0);
  }
  json st = status(store);
  BOOST_TEST(st.at("counts").at("failed") == 1);
  for (const auto& t : st.at("tasks")) {
    if (t.at("status") != "failed") continue;
    BOOST_TEST(t.at("name") == "probe/L1/0");
    const auto error = t.at("error").get<std::string>();
    BOOST_TEST(error.find("injected failure") != std::string::npos, error);
    BOOST_TEST(error.find("did not return") != std::string::npos, error);
  }
  retry_failed_completes(store, dir, ref);
}

// grace 20: SIGTERM to every rank, as Slurm signals the tasks of a step; running tasks finish.
// grace 0: SIGUSR1 to mpiexec, which forwards it (a SIGTERM to mpiexec would make it kill the
// ranks a second later); running tasks are cancelled and go back to pending. Its tasks sleep
// 1-1.5 s so that one is still running when the forwarded signal and the cancel arrive, even
// on a loaded machine (with 0.15-0.3 s, CI once saw the task finish first: no "pend").
BOOST_AUTO_TEST_CASE(drain_signals_stop_the_job_and_resume_completes) {
  for (std::string grace : {"20", "0"}) {
    std::string dir = work_dir("term-grace" + grace);
    std::string store = dir + "/store";
    const bool cancel = grace == "0";
    std::vector<std::string> args = {"--store", store, "--levels", "2", "--width", "4",
                                     "--sleep-min", cancel ? "1.0" : "0.15",
                                     "--sleep-max", cancel ? "1.5" : "0.3", "--grace", grace};
    Job job(args, dir + "/log");
    // Signal once a task is done and another one has just started (its "run" line is new and
    // has no outcome).
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    std::size_t runs_seen = 0;
    auto ready = [&] {
      auto j = journal(store);
      std::size_t done = count_events(j, "done").size(), runs = count_events(j, "run").size();
      bool fresh = runs > runs_seen;
      runs_seen = runs;
      return done >= 1 && runs > done && fresh;
    };
    while (!ready() && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (grace == "0")
      ::kill(job.pid(), SIGUSR1);
    else
      job.signal_tree(SIGTERM, false);
    BOOST_TEST(job.wait() == 3, "grace " << grace);  // kExitInterrupted
    json st = status(store);
    BOOST_TEST(st.at("counts").at("running") == 0);
    BOOST_TEST(st.at("counts").at("done") >= 1);
    BOOST_TEST(st.at("counts").at("pending") >= 1);
    if (cancel) {
      // Cancelled, not failed: every task that started and did not finish went back to pending.
      BOOST_TEST(st.at("counts").at("failed") == 0);
      auto j = journal(store);
      auto runs = count_events(j, "run"), dones = count_events(j, "done"),
           pends = count_events(j, "pend");
      BOOST_TEST(pends.size() >= 1u);
      for (const auto& [key, n] : runs)
        BOOST_TEST((dones.count(key) == 1) != (pends.count(key) == 1), key);
    }
    Job resume(args, dir + "/log");
    BOOST_TEST(resume.wait() == 0);
    st = status(store);
    BOOST_TEST(st.at("counts").at("done") == 8);
    for (const auto& [key, n] : count_events(journal(store), "done")) BOOST_TEST(n == 1, key);
  }
}

// The walltime counts from the coordinator's start, before it opens the store: 0.5 s tasks in
// 1.5 s leave a loaded machine 1 s for start-up before the first task no longer fits, and at
// most 2 workers finish the 8 tasks in 2 s, more than the walltime.
BOOST_AUTO_TEST_CASE(walltime_stops_before_tasks_that_cannot_finish) {
  std::string dir = work_dir("walltime");
  std::string store = dir + "/store";
  std::vector<std::string> args = {"--store", store, "--levels", "1", "--width", "8",
                                   "--sleep-min", "0.5", "--sleep-max", "0.5", "--walltime", "1.5"};
  Job job(args, dir + "/log");
  BOOST_TEST(job.wait() == 4);  // kExitWalltime
  json st = status(store);
  BOOST_TEST(st.at("counts").at("done") >= 1);
  BOOST_TEST(st.at("counts").at("pending") >= 1);
  BOOST_TEST(st.at("counts").at("running") == 0);
}

// The real command line: `gbmsweep run` on a sweep file; an edited file runs only new keys.
BOOST_AUTO_TEST_CASE(gbmsweep_run_resumes_an_edited_sweep_with_only_the_new_tasks) {
  std::string dir = work_dir("cli");
  std::string store = dir + "/store", sweep = dir + "/probe.toml";
  std::string text =
      "[sweep]\nname = \"cli\"\n"
      "[[probe.task]]\nname = \"a\"\nsleep = 0.02\nvalue = 1\n"
      "[[probe.task]]\nname = \"b\"\nsleep = 0.02\nvalue = 2\n"
      "[[probe.task]]\nname = \"c\"\ndeps = [\"a\", \"b\"]\nsleep = 0.02\nvalue = 3\n";
  std::ofstream(sweep) << text;
  std::vector<std::string> args = {"run", sweep, "--store", store};
  {
    Job job(args, dir + "/log", {}, GBMSWEEP_EXE);
    BOOST_REQUIRE_EQUAL(job.wait(), 0);
  }
  BOOST_TEST(status(store).at("counts").at("done") == 3);
  std::ofstream(sweep, std::ios::app) << "[[probe.task]]\nname = \"d\"\ndeps = [\"c\"]\nsleep = 0.02\nvalue = 4\n";
  {
    Job job(args, dir + "/log", {}, GBMSWEEP_EXE);
    BOOST_REQUIRE_EQUAL(job.wait(), 0);
  }
  json st = status(store);
  BOOST_TEST(st.at("total") == 4);
  BOOST_TEST(st.at("counts").at("done") == 4);
  auto runs = count_events(journal(store), "run");
  BOOST_TEST(runs.size() == 4u);
  for (const auto& [key, n] : runs) BOOST_TEST(n == 1, key);
  // d = 4 + c, c = 3 + a + b: the arithmetic went through the dependencies' stored results.
  std::string out = run_capture("/usr/bin/python3 -c \"import h5py; f=h5py.File('" + store +
                                "/store.h5','r'); print(sorted(int(f['results'][k.decode()]"
                                "['metrics'].attrs['sum']) for k in f['tasks/key'][:]))\"");
  BOOST_TEST(out == "[1, 2, 6, 10]\n");
  std::string text_status = run_capture(std::string(GBMSWEEP_EXE) + " status --store " + store);
  BOOST_TEST(text_status.find("probe") != std::string::npos, text_status);
}
