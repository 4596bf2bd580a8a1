// Unit tests of the Java-compatibility primitives and the label logic, with values known from Java.
#define BOOST_TEST_MODULE h2o3_mojo_unit
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <limits>

#include "class_prediction.hpp"
#include "errors.hpp"
#include "java_semantics.hpp"
#include "model_ini.hpp"

namespace h2o3 = scorehost::h2o3;

BOOST_AUTO_TEST_CASE(java_int_cast) {
  BOOST_TEST(h2o3::JavaD2I(NAN) == 0);
  BOOST_TEST(h2o3::JavaD2I(1e200) == INT32_MAX);
  BOOST_TEST(h2o3::JavaD2I(-1e200) == INT32_MIN);
  BOOST_TEST(h2o3::JavaD2I(INFINITY) == INT32_MAX);
  BOOST_TEST(h2o3::JavaD2I(-2.9) == -2);
  BOOST_TEST(h2o3::JavaD2I(2147483646.7) == 2147483646);
  BOOST_TEST(h2o3::JavaIAdd(INT32_MAX, 1) == INT32_MIN);
}

BOOST_AUTO_TEST_CASE(java_min_max) {
  BOOST_TEST(std::isnan(h2o3::JavaMin(1e19, NAN)));
  BOOST_TEST(std::isnan(h2o3::JavaMax(NAN, 1.0)));
  BOOST_TEST(std::signbit(h2o3::JavaMin(0.0, -0.0)));
  BOOST_TEST(!std::signbit(h2o3::JavaMax(-0.0, 0.0)));
  BOOST_TEST(h2o3::JavaMin(2.0, 3.0) == 2.0);
}

BOOST_AUTO_TEST_CASE(java_random_matches_java_util_random) {
  // new java.util.Random(seed).nextDouble() as printed by a JVM.
  BOOST_TEST(h2o3::JavaRandom(0).NextDouble() == 0.730967787376657);
  BOOST_TEST(h2o3::JavaRandom(42).NextDouble() == 0.7275636800328681);
  h2o3::JavaRandom r(42);
  r.NextDouble();
  BOOST_TEST(r.NextDouble() == 0.6832234717598454);
}

BOOST_AUTO_TEST_CASE(java_double_grammar) {
  auto p = [](const char* s) { return h2o3::JavaParseDouble(s); };
  BOOST_TEST(*p("1.0E-5") == 1e-5);
  BOOST_TEST(*p("  -3.5  ") == -3.5);
  BOOST_TEST(*p("1.5f") == 1.5);
  BOOST_TEST(*p("2d") == 2.0);
  BOOST_TEST(*p("0x1.8p3") == 12.0);
  BOOST_TEST(std::isnan(*p("NaN")));
  BOOST_TEST(*p("-Infinity") == -INFINITY);
  BOOST_TEST(*p("1e400") == INFINITY);  // Java rounds overflow to Infinity
  BOOST_TEST(*p(".5") == 0.5);
  BOOST_TEST(*p("5.") == 5.0);
  for (const char* bad : {"", "inf", "nan", "1,5", "0x10", "1e", "--1", "e5", "1.5ff"}) BOOST_TEST(!p(bad), bad);
  BOOST_TEST(*h2o3::JavaParseInt("+12") == 12);
  BOOST_TEST(!h2o3::JavaParseInt("2147483648"));
  BOOST_TEST(*h2o3::JavaParseLong("-9223372036854775808") == INT64_MIN);
}

BOOST_AUTO_TEST_CASE(model_ini_grammar) {
  const char* text =
      "# comment\r\n[info]\r\n  algo = gbm \r\nuuid = -123\nn_columns = 2\nbeta = [1.0, -2.5E-3, NaN]\n"
      "offset_column = null\nweird=a = b\n[columns]\nx\n y \n[domains]\n1: 2 d000.txt\n";
  auto ini = h2o3::ModelIni::Parse(text, "test");
  BOOST_TEST(*ini.String("algo") == "gbm");
  BOOST_TEST(*ini.String("weird") == "a = b");
  BOOST_TEST(!ini.String("offset_column"));
  BOOST_TEST(*ini.Int("uuid") == -123);
  auto beta = *ini.Doubles("beta");
  BOOST_TEST(beta.size() == 3u);
  BOOST_TEST(beta[1] == -2.5e-3);
  BOOST_TEST(std::isnan(beta[2]));
  BOOST_TEST(ini.columns() == (std::vector<std::string>{"x", "y"}), boost::test_tools::per_element());
  BOOST_TEST(ini.domains().size() == 1u);
  BOOST_TEST(ini.domains()[0].file == "d000.txt");
  BOOST_CHECK_THROW(h2o3::ModelIni::Parse("[info]\n[columns]\nx\n", "t"), h2o3::MojoError);
  BOOST_CHECK_THROW(h2o3::ModelIni::Parse("[info]\nn_columns = 1\n[columns]\nx\ny\n", "t"), h2o3::MojoError);
  BOOST_CHECK_THROW(ini.Int("algo"), h2o3::MojoError);
}

BOOST_AUTO_TEST_CASE(split_lines_like_buffered_reader) {
  auto lines = h2o3::SplitLines("a\r\nb\rc\n\nd\n");
  BOOST_TEST(lines.size() == 5u);
  BOOST_TEST(lines[3].empty());
  BOOST_TEST(h2o3::SplitLines("").empty());
}

BOOST_AUTO_TEST_CASE(labels_thresholds_and_ties) {
  const std::vector<double> none;
  double bin[] = {0, 0.4, 0.6};
  BOOST_TEST(h2o3::PredictClass(bin, 2, none, nullptr, 0, 0.6) == 1);
  BOOST_TEST(h2o3::PredictClass(bin, 2, none, nullptr, 0, 0.61) == 0);
  double multi[] = {0, 0.2, 0.5, 0.3};
  BOOST_TEST(h2o3::PredictClass(multi, 3, none, nullptr, 0, 0.5) == 1);
  // A three-way tie decided by the prior and the row's hash: with all weight on class 2, class 2.
  double tie[] = {0, 1.0 / 3, 1.0 / 3, 1.0 / 3};
  const double row[] = {1.0, 2.0};
  BOOST_TEST(h2o3::PredictClass(tie, 3, {0.0, 0.0, 1.0}, row, 2, 0.5) == 2);
  BOOST_TEST(h2o3::PredictClass(tie, 3, {1.0, 0.0, 0.0}, row, 2, 0.5) == 0);
  // The prior correction renormalises.
  double p[] = {0, 0.5, 0.5};
  h2o3::CorrectProbabilities(p, 2, {0.9, 0.1}, {0.5, 0.5});
  BOOST_TEST(std::fabs(p[1] - 0.9) < 1e-15);
  BOOST_TEST(std::fabs(p[2] - 0.1) < 1e-15);
}
