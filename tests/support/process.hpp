#pragma once
// Running commands from tests: the gbmsweep executable or any shell line, stderr merged.
#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace gbmsweep::test {

struct Run {
  int rc;
  std::string out;  // stdout and stderr together
};

inline Run run_shell(const std::string& command) {
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  std::string out;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  int status = ::pclose(p);
  return {WEXITSTATUS(status), out};
}

// `gbmsweep ARGS` with the executable under test (GBMSWEEP_EXE, set by tests/CMakeLists.txt).
inline Run run_gbmsweep(const std::string& args) {
  return run_shell(std::string(GBMSWEEP_EXE) + " " + args);
}

}  // namespace gbmsweep::test
