#define BOOST_TEST_MODULE h2o3_mojo_hostile
#include <boost/test/unit_test.hpp>
BOOST_AUTO_TEST_CASE(placeholder) {}
