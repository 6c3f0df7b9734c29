#include "sched/signals.hpp"

#include <unistd.h>

#include <csignal>
#include <cstring>
#include <initializer_list>

namespace gbmsweep::sched {

namespace {
volatile std::sig_atomic_t g_signal = 0;
extern "C" void on_signal(int sig) {
  if (g_signal == 0) g_signal = sig;
}

sigset_t drain_set() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGTERM, SIGINT, SIGUSR1}) sigaddset(&set, sig);
  return set;
}
}  // namespace

void block_drain_signals() {
  const sigset_t set = drain_set();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

void install_drain_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  for (int sig : {SIGTERM, SIGINT, SIGUSR1}) sigaction(sig, &sa, nullptr);
  // Only now: a signal blocked since start-up (block_drain_signals) is delivered to on_signal.
  const sigset_t set = drain_set();
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

bool drain_requested() { return g_signal != 0; }
int drain_signal() { return g_signal; }

void test_raise_at(const char* point, char** envp) {
  // No getenv: at preinit the C library's own environment pointer may not be set yet.
  static const char kVar[] = "GBMSWEEP_TEST_RAISE_AT=";
  for (char** e = envp ? envp : environ; e && *e; ++e)
    if (std::strncmp(*e, kVar, sizeof kVar - 1) == 0 && std::strcmp(*e + sizeof kVar - 1, point) == 0) {
      std::raise(SIGUSR1);
      return;
    }
}

}  // namespace gbmsweep::sched
