#pragma once
// SIGTERM, SIGINT and SIGUSR1 request a drain. mpirun forwards SIGTERM to the ranks but kills
// them odls_base_sigkill_timeout seconds later (default 1); SIGUSR1 is forwarded without a
// kill, which is why it is a drain signal too (docs/scheduler.md).
namespace gbmsweep::sched {

void install_drain_handlers();  // idempotent
bool drain_requested();
int drain_signal();             // the first signal received, 0 if none

}  // namespace gbmsweep::sched
