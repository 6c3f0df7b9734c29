// The one Boost.Test main of a unit-test executable (the other files only add cases).
#define BOOST_TEST_MODULE gbmsweep unit tests
#include <boost/test/unit_test.hpp>
