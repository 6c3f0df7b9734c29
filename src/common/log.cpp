#include "common/log.hpp"

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <mutex>

#include "common/mpi.hpp"

namespace gbmsweep::log {

namespace {
Level initial_level() {
  const char* env = std::getenv("GBMSWEEP_LOG");
  if (!env) return Level::Info;
  if (!std::strcmp(env, "error")) return Level::Error;
  if (!std::strcmp(env, "warn")) return Level::Warn;
  if (!std::strcmp(env, "debug")) return Level::Debug;
  return Level::Info;
}
Level g_level = initial_level();
std::mutex g_mutex;
}  // namespace

Level level() { return g_level; }
void set_level(Level l) { g_level = l; }

void write(Level l, const std::string& msg) {
  static const char* names[] = {"error", "warn", "info", "debug"};
  int r = mpi::world_rank_or(-1);
  std::lock_guard<std::mutex> lock(g_mutex);
  std::cerr << "[gbmsweep";
  if (r >= 0) std::cerr << " r" << r;
  std::cerr << " " << names[static_cast<int>(l)] << "] " << msg << "\n";
}

}  // namespace gbmsweep::log
