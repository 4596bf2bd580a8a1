#include <boost/test/unit_test.hpp>

#include <cmath>
#include <limits>

#include "model/cells.h"

namespace arrow = scorehost::arrow;
using scorehost::AppendCell;
using scorehost::AppendJavaDouble;
using scorehost::MissingValues;

namespace {
std::string Java(double v) {
  std::string s;
  AppendJavaDouble(s, v);
  return s;
}
// Builds a one-column table from cells and returns the exported view's formatted cells.
std::vector<std::optional<std::string>> RoundTrip(sh_data_type type, const std::vector<std::string>& cells) {
  arrow::Table t;
  auto& col = t.AddColumn("c", type);
  MissingValues missing;
  for (const auto& c : cells) BOOST_REQUIRE(AppendCell(col, c, missing).ok());
  arrow::OwnedArrow owned;
  std::move(t).Export(&owned.schema, &owned.array);
  arrow::TableView view;
  std::string why;
  BOOST_REQUIRE(arrow::TableView::Make(&owned.schema, &owned.array, &view, &why));
  std::vector<std::optional<std::string>> out;
  for (int64_t r = 0; r < view.num_rows(); ++r) out.push_back(scorehost::FormatCell(view.column(0), r));
  return out;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(cells)

BOOST_AUTO_TEST_CASE(java_double_formatting) {
  BOOST_TEST(Java(1.0) == "1.0");
  BOOST_TEST(Java(-2.0) == "-2.0");
  BOOST_TEST(Java(0.6240277982943945) == "0.6240277982943945");
  BOOST_TEST(Java(0.001) == "0.001");
  BOOST_TEST(Java(0.0001) == "1.0E-4");
  BOOST_TEST(Java(1e-5) == "1.0E-5");
  BOOST_TEST(Java(1234567.0) == "1234567.0");
  BOOST_TEST(Java(1e7) == "1.0E7");
  BOOST_TEST(Java(12345678.9) == "1.23456789E7");
  BOOST_TEST(Java(100.5) == "100.5");
  BOOST_TEST(Java(0.0) == "0.0");
  BOOST_TEST(Java(-0.0) == "-0.0");
  BOOST_TEST(Java(1e200) == "1.0E200");
  BOOST_TEST(Java(3.19791880783335E-4) == "3.19791880783335E-4");
}

BOOST_AUTO_TEST_CASE(numbers_parse_like_the_api_says) {
  BOOST_TEST(*scorehost::ParseNumber("1.5") == 1.5);
  BOOST_TEST(*scorehost::ParseNumber(" -2 ") == -2.0);
  BOOST_TEST(*scorehost::ParseNumber("+3e2") == 300.0);
  BOOST_TEST(std::isinf(*scorehost::ParseNumber("Infinity")));
  BOOST_TEST(*scorehost::ParseNumber("1e-400") == 0.0);
  BOOST_TEST(std::isinf(*scorehost::ParseNumber("1e400")));
  BOOST_TEST(!scorehost::ParseNumber("abc").has_value());
  BOOST_TEST(!scorehost::ParseNumber("1.5x").has_value());
  BOOST_TEST(!scorehost::ParseNumber("").has_value());
  BOOST_TEST(!scorehost::ParseNumber("+-1").has_value());
}

BOOST_AUTO_TEST_CASE(float_cells) {
  auto out = RoundTrip(SH_TYPE_FLOAT64, {"1", "2.5", "", "NA", "true", "FALSE", "NaN", "-Infinity"});
  BOOST_TEST(*out[0] == "1.0");
  BOOST_TEST(*out[1] == "2.5");
  BOOST_TEST(!out[2].has_value());
  BOOST_TEST(!out[3].has_value());
  BOOST_TEST(*out[4] == "1.0");
  BOOST_TEST(*out[5] == "0.0");
  BOOST_TEST(!out[6].has_value());
  BOOST_TEST(*out[7] == "-Infinity");
}

BOOST_AUTO_TEST_CASE(int_and_bool_cells) {
  auto ints = RoundTrip(SH_TYPE_INT64, {"7", "1.0", "", "9007199254740993"});
  BOOST_TEST(*ints[0] == "7");
  BOOST_TEST(*ints[1] == "1");
  BOOST_TEST(!ints[2].has_value());
  BOOST_TEST(*ints[3] == "9007199254740993");
  auto bools = RoundTrip(SH_TYPE_BOOL, {"true", "False", "1", "0"});
  BOOST_TEST(*bools[0] == "1");
  BOOST_TEST(*bools[1] == "0");
  BOOST_TEST(*bools[2] == "1");
  BOOST_TEST(*bools[3] == "0");
}

BOOST_AUTO_TEST_CASE(bad_cells_are_invalid_argument_naming_column_and_text) {
  arrow::Table t;
  MissingValues missing;
  auto& f = t.AddColumn("age", SH_TYPE_FLOAT64);
  auto st = AppendCell(f, "abc", missing);
  BOOST_TEST(st.code() == SH_INVALID_ARGUMENT);
  BOOST_TEST(st.message().find("\"abc\"") != std::string::npos);
  BOOST_TEST(st.message().find("age") != std::string::npos);
  auto& i = t.AddColumn("n", SH_TYPE_INT32);
  BOOST_TEST(AppendCell(i, "1.5", missing).code() == SH_INVALID_ARGUMENT);
  BOOST_TEST(AppendCell(i, "3000000000", missing).code() == SH_INVALID_ARGUMENT);
  auto& b = t.AddColumn("flag", SH_TYPE_BOOL);
  BOOST_TEST(AppendCell(b, "maybe", missing).code() == SH_INVALID_ARGUMENT);
}

BOOST_AUTO_TEST_CASE(strings_keep_text_and_missing_tokens_become_null) {
  auto out = RoundTrip(SH_TYPE_STR, {"male", "", "N/A", "a,b"});
  BOOST_TEST(*out[0] == "male");
  BOOST_TEST(!out[1].has_value());
  BOOST_TEST(!out[2].has_value());
  BOOST_TEST(*out[3] == "a,b");
}

BOOST_AUTO_TEST_CASE(missing_tokens_match_whole_cells_only) {
  MissingValues defaults;
  for (const char* token : {"", "?", "None", "nan", "NA", "N/A", "unknown", "inf", "-inf", "1.7976931348623157e+308",
                            "-1.7976931348623157e+308", "NaN", "null"})
    BOOST_TEST(defaults.Contains(token), token);
  for (const char* cell : {"0", "1", "-1", "Nan", "NA ", "nul", "nulls", "-inf1", "1.7976931348623157e+30", "x"})
    BOOST_TEST(!defaults.Contains(cell), cell);
  // A custom list: no empty token, one token longer than 64 bytes (the length filter stops at 63).
  const std::string long_token(70, 'z');
  MissingValues custom({"-", "missing", long_token});
  BOOST_TEST(!custom.Contains(""));
  BOOST_TEST(custom.Contains("-"));
  BOOST_TEST(custom.Contains("missing"));
  BOOST_TEST(custom.Contains(long_token));
  BOOST_TEST(!custom.Contains(std::string(69, 'z')));
  BOOST_TEST(!custom.Contains("-1"));
  BOOST_TEST(!custom.Contains("NA"));
}

BOOST_AUTO_TEST_CASE(numbers_that_miss_the_fast_path_parse_the_same) {
  BOOST_TEST(*scorehost::ParseNumber("-0.5") == -0.5);
  BOOST_TEST(*scorehost::ParseNumber("-.5") == -0.5);
  BOOST_TEST(*scorehost::ParseNumber(".5") == 0.5);
  BOOST_TEST(*scorehost::ParseNumber("7 ") == 7.0);
  BOOST_TEST(*scorehost::ParseNumber("-1e400") == -std::numeric_limits<double>::infinity());
  BOOST_TEST(std::isnan(*scorehost::ParseNumber("NaN")));
  BOOST_TEST(!scorehost::ParseNumber("-").has_value());
  BOOST_TEST(!scorehost::ParseNumber("1-").has_value());
  BOOST_TEST(!scorehost::ParseNumber("0x10").has_value());
}

BOOST_AUTO_TEST_SUITE_END()
