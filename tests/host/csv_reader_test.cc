#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include "csv/csv_reader.h"

namespace {
std::vector<std::vector<std::string>> ReadAll(const std::string& text, size_t block, scorehost::Status* error) {
  std::FILE* f = fmemopen(const_cast<char*>(text.data()), text.size(), "rb");
  scorehost::CsvReader reader(f, block);
  std::vector<std::vector<std::string>> out;
  std::vector<std::string> rec;
  while (reader.Next(rec, error)) out.push_back(rec);
  std::fclose(f);
  return out;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(csv_reader)

BOOST_AUTO_TEST_CASE(quotes_crlf_and_block_boundaries) {
  const std::string text = "a,b,c\r\n1,\"x,y\",\"he said \"\"hi\"\"\"\r\n\"multi\nline\",,3\n";
  for (size_t block : {1, 2, 3, 7, 1024}) {
    scorehost::Status error;
    auto rows = ReadAll(text, block, &error);
    BOOST_TEST_REQUIRE(error.ok());
    BOOST_TEST_REQUIRE(rows.size() == 3u);
    BOOST_TEST(rows[0] == (std::vector<std::string>{"a", "b", "c"}), boost::test_tools::per_element());
    BOOST_TEST(rows[1] == (std::vector<std::string>{"1", "x,y", "he said \"hi\""}), boost::test_tools::per_element());
    BOOST_TEST(rows[2] == (std::vector<std::string>{"multi\nline", "", "3"}), boost::test_tools::per_element());
  }
}

BOOST_AUTO_TEST_CASE(last_line_without_newline_and_unclosed_quote) {
  scorehost::Status error;
  auto rows = ReadAll("a\n1", 4, &error);
  BOOST_TEST(error.ok());
  BOOST_TEST(rows.size() == 2u);
  rows = ReadAll("a\n\"1", 4, &error);
  BOOST_TEST(error.code() == SH_INVALID_ARGUMENT);
  BOOST_TEST(error.message().find("line 2") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(fields_are_quoted_only_when_needed) {
  std::string out;
  scorehost::AppendCsvField(out, "plain");
  out += '|';
  scorehost::AppendCsvField(out, "a,\"b\"");
  BOOST_TEST(out == "plain|\"a,\"\"b\"\"\"");
}

BOOST_AUTO_TEST_SUITE_END()
