#include "common/error.hpp"

#include "common/mpi.hpp"

namespace gbmsweep {

namespace {
std::string base_name(const char* file) {
  std::string f(file);
  auto pos = f.find("/src/");
  return pos == std::string::npos ? f : f.substr(pos + 5);
}
}  // namespace

Error::Error(const std::string& what, const char* file, int line)
    : std::runtime_error(what), where_(base_name(file) + ":" + std::to_string(line)),
      rank_(mpi::world_rank_or(-1)) {}

InputError::InputError(std::string path, const std::string& message)
    : std::runtime_error(path.empty() ? message : path + ": " + message),
      path_(std::move(path)), message_(message) {}

namespace detail {
void throw_error(const std::string& msg, const char* file, int line) {
  throw Error(msg, file, line);
}
}  // namespace detail

}  // namespace gbmsweep
