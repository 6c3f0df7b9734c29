// The one Boost.Test main of the MRI test executable (the other files only add cases).
#define BOOST_TEST_MODULE gbmsweep mri tests
#include <boost/test/unit_test.hpp>
