// The one Boost.Test main of test_models (the other files only add cases).
#define BOOST_TEST_MODULE gbmsweep models tests
#include <boost/test/unit_test.hpp>
#include <torch/torch.h>

// Tests run on one torch thread (fast, and no oversubscription under ctest -j).
struct OneThread {
  OneThread() { torch::set_num_threads(1); }
};
BOOST_TEST_GLOBAL_FIXTURE(OneThread);
