#pragma once
// Minimal logging to stderr with a rank prefix. Level from GBMSWEEP_LOG (error|warn|info|debug).
#include <sstream>
#include <string>

namespace gbmsweep::log {

enum class Level { Error = 0, Warn = 1, Info = 2, Debug = 3 };

Level level();
void set_level(Level l);
void write(Level l, const std::string& msg);

}  // namespace gbmsweep::log

#define GBM_LOG(lvl, msg)                                                     \
  do {                                                                        \
    if (static_cast<int>(::gbmsweep::log::Level::lvl) <=                      \
        static_cast<int>(::gbmsweep::log::level())) {                         \
      std::ostringstream gbm_log_os_;                                         \
      gbm_log_os_ << msg;                                                     \
      ::gbmsweep::log::write(::gbmsweep::log::Level::lvl, gbm_log_os_.str()); \
    }                                                                         \
  } while (0)
