#include "common/problems.hpp"

#include "common/error.hpp"

namespace gbmsweep {

std::string Problem::str() const {
  std::string s = file;
  if (line > 0) s += ":" + std::to_string(line);
  if (!s.empty()) s += ": ";
  return s + what;
}

void Problems::add(std::string file, std::size_t line, std::string what) {
  list_.push_back({std::move(file), line, std::move(what)});
}

void Problems::add(const InputError& e) { list_.push_back({e.path(), 0, e.message()}); }

std::string Problems::str() const {
  std::string s;
  for (const auto& p : list_) s += p.str() + "\n";
  return s;
}

}  // namespace gbmsweep
