#pragma once
// One exception family for gbmsweep. Errors carry where they were raised (file:line), the MPI
// rank (or -1 before MPI_Init) and, for input problems, the offending file.
#include <sstream>
#include <stdexcept>
#include <string>

namespace gbmsweep {

// Exit codes of the gbmsweep executable (documented in docs/cli.md).
enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,      // a runtime error, or tasks failed
  kExitUsage = 2,        // bad command line or bad sweep/input file; nothing was written
  kExitInterrupted = 3,  // SIGTERM/SIGINT drain: the store is consistent, resume later
  kExitWalltime = 4,     // stopped before the walltime with tasks left: resume later
};

class Error : public std::runtime_error {
 public:
  Error(const std::string& what, const char* file, int line);
  const std::string& where() const { return where_; }
  int rank() const { return rank_; }

 private:
  std::string where_;
  int rank_;
};

// The store's file system refused a write (full, over quota): not the task's fault. The
// scheduler stops handing out work, keeps what is stored and exits 1; the same command
// resumes once there is space again.
class StorageError : public Error {
 public:
  using Error::Error;
};

// Bad user input (sweep file, CSV, NIfTI, command line): reported as one line, exit code 2.
// `path` is the offending file ("" if none); message says what is wrong.
class InputError : public std::runtime_error {
 public:
  InputError(std::string path, const std::string& message);
  const std::string& path() const { return path_; }
  const std::string& message() const { return message_; }

 private:
  std::string path_;
  std::string message_;
};

namespace detail {
[[noreturn]] void throw_error(const std::string& msg, const char* file, int line);
}  // namespace detail

}  // namespace gbmsweep

// GBM_CHECK(cond, "what must hold " << value): throws gbmsweep::Error with file:line and rank.
#define GBM_CHECK(cond, msg)                                                  \
  do {                                                                        \
    if (!(cond)) {                                                            \
      std::ostringstream gbm_check_os_;                                       \
      gbm_check_os_ << msg;                                                   \
      ::gbmsweep::detail::throw_error(gbm_check_os_.str(), __FILE__, __LINE__); \
    }                                                                         \
  } while (0)

#define GBM_THROW(msg) GBM_CHECK(false, msg)
