#pragma once
// Thin MPI helpers: status codes become exceptions where they enter our code.
#include <mpi.h>

#include <string>

namespace gbmsweep::mpi {

// Throws gbmsweep::Error naming the call, the MPI error string and the rank.
void check(int rc, const char* call, const char* file, int line);

// World rank, or `fallback` when MPI is not initialised (tools, unit tests).
int world_rank_or(int fallback);
int rank(MPI_Comm comm);
int size(MPI_Comm comm);

// All ranks of `comm` agree: true if any rank passed true (an MPI_LOR all-reduce).
bool any(bool flag, MPI_Comm comm);

// Before a collective that a failed rank would never reach: all ranks of `comm` learn whether
// one failed (`failure`: its message, "" when it went through). If any did, every rank throws
// gbmsweep::Error: a failed rank with its own message, the others naming the lowest failed
// rank and `what` it was doing; so no rank waits forever for a peer that has left. One 2-int
// all-reduce. MPI_COMM_NULL or one rank: throws `failure` when it is not empty.
void agree_or_throw(const std::string& failure, const std::string& what, MPI_Comm comm);

// Initialises MPI (MPI_THREAD_FUNNELED) on construction and finalises on destruction,
// unless MPI was already initialised by someone else.
class Environment {
 public:
  Environment(int* argc, char*** argv);
  ~Environment();
  Environment(const Environment&) = delete;
  Environment& operator=(const Environment&) = delete;

 private:
  bool owns_ = false;
};

}  // namespace gbmsweep::mpi

#define GBM_MPI_CHECK(call) ::gbmsweep::mpi::check((call), #call, __FILE__, __LINE__)
