#define BOOST_TEST_MODULE scorehost_plugin_conformance
#include <boost/test/unit_test.hpp>
