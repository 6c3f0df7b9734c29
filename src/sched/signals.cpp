#include "sched/signals.hpp"

#include <csignal>
#include <initializer_list>

namespace gbmsweep::sched {

namespace {
volatile std::sig_atomic_t g_signal = 0;
extern "C" void on_signal(int sig) {
  if (g_signal == 0) g_signal = sig;
}
}  // namespace

void install_drain_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  for (int sig : {SIGTERM, SIGINT, SIGUSR1}) sigaction(sig, &sa, nullptr);
}

bool drain_requested() { return g_signal != 0; }
int drain_signal() { return g_signal; }

}  // namespace gbmsweep::sched
