// The MPI launcher, the helper that registers MPI tests and our MPI wrappers work at 1..N ranks.
#define BOOST_TEST_MODULE gbmsweep mpi smoke
#include <boost/test/unit_test.hpp>

#include <numeric>
#include <vector>

#include "common/error.hpp"
#include "mpi_fixture.hpp"

BOOST_TEST_GLOBAL_FIXTURE(MpiGlobalFixture);

using namespace gbmsweep;

BOOST_AUTO_TEST_CASE(allreduce_sums_ranks) {
  int r = mpi::rank(MPI_COMM_WORLD), n = mpi::size(MPI_COMM_WORLD);
  int sum = 0;
  GBM_MPI_CHECK(MPI_Allreduce(&r, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD));
  BOOST_TEST(sum == n * (n - 1) / 2);
}

BOOST_AUTO_TEST_CASE(any_agrees_across_ranks) {
  int r = mpi::rank(MPI_COMM_WORLD), n = mpi::size(MPI_COMM_WORLD);
  BOOST_TEST(!mpi::any(false, MPI_COMM_WORLD));
  BOOST_TEST(mpi::any(r == n - 1, MPI_COMM_WORLD));  // only the last rank says yes
}

BOOST_AUTO_TEST_CASE(mpi_errors_become_exceptions) {
  int x = 0;
  // An invalid root rank must surface as gbmsweep::Error, not abort the job.
  BOOST_CHECK_THROW(GBM_MPI_CHECK(MPI_Bcast(&x, 1, MPI_INT, 99999, MPI_COMM_WORLD)), Error);
}
