#pragma once
// Problems found by a preflight (`gbmsweep check`, and `run` before its first task): every
// reader adds what it finds instead of throwing at the first one, so that a user fixes a broken
// cohort in one round, not one file per job submission.
#include <cstddef>
#include <string>
#include <vector>

namespace gbmsweep {

class InputError;

struct Problem {
  std::string file;      // the offending file ("" for the sweep-level problems)
  std::size_t line = 0;  // 1-based; 0 when the problem concerns the whole file
  std::string what;      // what is wrong, and what would fix it where we know
  // "file:line: what" (or "file: what" without a line).
  std::string str() const;
};

class Problems {
 public:
  void add(std::string file, std::size_t line, std::string what);
  // An InputError caught from a reader: its path, and its message (which names the line).
  void add(const InputError& e);
  bool empty() const { return list_.empty(); }
  std::size_t size() const { return list_.size(); }
  const std::vector<Problem>& list() const { return list_; }
  // One line per problem, in the order found.
  std::string str() const;

 private:
  std::vector<Problem> list_;
};

}  // namespace gbmsweep
