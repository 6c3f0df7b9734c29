#pragma once
// Boost.Test global fixture for MPI test executables: MPI_Init before the first case,
// MPI_Finalize after the last.
#include <boost/test/unit_test.hpp>

#include "common/mpi.hpp"

struct MpiGlobalFixture {
  MpiGlobalFixture() {
    auto& m = boost::unit_test::framework::master_test_suite();
    env_ = new gbmsweep::mpi::Environment(&m.argc, &m.argv);
  }
  ~MpiGlobalFixture() { delete env_; }
  gbmsweep::mpi::Environment* env_ = nullptr;
};
