#define BOOST_TEST_MODULE scorehost_host_unit_tests
#include <boost/test/unit_test.hpp>
