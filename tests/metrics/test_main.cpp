// The one Boost.Test main of the metrics test executable (the other files only add cases).
#define BOOST_TEST_MODULE gbmsweep metrics tests
#include <boost/test/unit_test.hpp>
