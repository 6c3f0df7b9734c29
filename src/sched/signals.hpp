#pragma once
// SIGTERM, SIGINT and SIGUSR1 request a drain. mpirun forwards SIGTERM to the ranks but kills
// them odls_base_sigkill_timeout seconds later (default 1); SIGUSR1 is forwarded without a
// kill, which is why it is a drain signal too (docs/scheduler.md).
//
// Start-up: `gbmsweep run` blocks the three from its executable's .preinit_array (before any
// shared library's initialiser and before main, src/cli/main.cpp), and install_drain_handlers
// unblocks them; a signal that arrives in between stays pending and then reaches the handler,
// so it drains instead of killing the rank (rc 138, docs/reliability.md).
namespace gbmsweep::sched {

// Blocks SIGTERM, SIGINT, SIGUSR1 in the calling thread (threads started later inherit it).
// Async-signal-safe and free of any static initialisation: callable from .preinit_array.
void block_drain_signals();
// Installs the handlers, then unblocks the signals (a pending one is handled at once).
void install_drain_handlers();  // idempotent
bool drain_requested();
int drain_signal();             // the first signal received, 0 if none

// Test hook: raises SIGUSR1 when the environment (`envp`, else the process's) has
// GBMSWEEP_TEST_RAISE_AT=<point>; points: preinit, main, pre_mpi_init (tests/sched).
void test_raise_at(const char* point, char** envp = nullptr);

}  // namespace gbmsweep::sched
