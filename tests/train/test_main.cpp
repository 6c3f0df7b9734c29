// The one Boost.Test main of test_train: MPI for train_mri_model, one torch thread.
#define BOOST_TEST_MODULE gbmsweep train tests
#include <boost/test/unit_test.hpp>
#include <torch/torch.h>

#include "../mpi/mpi_fixture.hpp"

BOOST_TEST_GLOBAL_FIXTURE(MpiGlobalFixture);
