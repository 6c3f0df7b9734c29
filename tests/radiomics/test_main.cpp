// The one Boost.Test main of the radiomics test executable (the other files only add cases).
#define BOOST_TEST_MODULE gbmsweep radiomics tests
#include <boost/test/unit_test.hpp>
