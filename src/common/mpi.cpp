#include "common/mpi.hpp"

#include "common/error.hpp"

namespace gbmsweep::mpi {

void check(int rc, const char* call, const char* file, int line) {
  if (rc == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(rc, text, &len);
  throw Error(std::string(call) + " failed: " + std::string(text, len), file, line);
}

int world_rank_or(int fallback) {
  int init = 0, fin = 0;
  MPI_Initialized(&init);
  MPI_Finalized(&fin);
  if (!init || fin) return fallback;
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}

int rank(MPI_Comm comm) {
  int r = 0;
  GBM_MPI_CHECK(MPI_Comm_rank(comm, &r));
  return r;
}

int size(MPI_Comm comm) {
  int s = 0;
  GBM_MPI_CHECK(MPI_Comm_size(comm, &s));
  return s;
}

bool any(bool flag, MPI_Comm comm) {
  int in = flag ? 1 : 0, out = 0;
  GBM_MPI_CHECK(MPI_Allreduce(&in, &out, 1, MPI_INT, MPI_LOR, comm));
  return out != 0;
}

void agree_or_throw(const std::string& failure, const std::string& what, MPI_Comm comm) {
  const int n = comm == MPI_COMM_NULL ? 1 : size(comm);
  if (n > 1) {
    struct {
      int ok, rank;
    } mine{failure.empty() ? 1 : 0, rank(comm)}, all{1, 0};
    GBM_MPI_CHECK(MPI_Allreduce(&mine, &all, 1, MPI_2INT, MPI_MINLOC, comm));
    if (all.ok) return;
    if (failure.empty())
      GBM_THROW("rank " << all.rank << " of this task's " << n << " failed " << what
                        << " (its own message says why); this rank stops with it");
  }
  GBM_CHECK(failure.empty(), failure);
}

Environment::Environment(int* argc, char*** argv) {
  int init = 0;
  MPI_Initialized(&init);
  if (init) return;
  int provided = 0;
  MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
  // Errors come back as codes so that GBM_MPI_CHECK can turn them into exceptions.
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  owns_ = true;
}

Environment::~Environment() {
  int fin = 0;
  MPI_Finalized(&fin);
  if (owns_ && !fin) MPI_Finalize();
}

}  // namespace gbmsweep::mpi
