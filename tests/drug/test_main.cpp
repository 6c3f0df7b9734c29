#define BOOST_TEST_MODULE gbmsweep_drug
#include <boost/test/unit_test.hpp>
