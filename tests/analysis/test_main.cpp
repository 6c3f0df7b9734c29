// The one Boost.Test main of the analysis test executable (the other files only add cases).
#define BOOST_TEST_MODULE gbmsweep analysis tests
#include <boost/test/unit_test.hpp>
