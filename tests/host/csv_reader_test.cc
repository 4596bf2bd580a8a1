#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include "csv/csv_reader.h"

namespace {
struct Record {
  std::vector<std::string> fields;
  uint64_t line;
};

// Reads `text` in blocks of up to `block_records` records, `read_size` bytes per read, and
// splits every block into fields.
std::vector<Record> ReadAll(const std::string& text, size_t read_size, size_t block_records,
                            scorehost::Status* error) {
  std::FILE* f = fmemopen(const_cast<char*>(text.data()), text.size(), "rb");
  scorehost::CsvBlockReader reader(f, read_size);
  std::vector<Record> out;
  scorehost::CsvBlock block;
  std::vector<std::string_view> fields;
  while (reader.Next(block_records, block, error)) {
    BOOST_TEST(block.records <= block_records);
    size_t records = 0;
    scorehost::CsvRecords parser(block);
    while (parser.Next(fields)) {
      out.push_back({std::vector<std::string>(fields.begin(), fields.end()), parser.record_line()});
      ++records;
    }
    BOOST_TEST(records == block.records);
  }
  std::fclose(f);
  return out;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(csv_reader)

BOOST_AUTO_TEST_CASE(quotes_crlf_and_block_boundaries) {
  const std::string text = "a,b,c\r\n1,\"x,y\",\"he said \"\"hi\"\"\"\r\n\"multi\nline\",,3\n\n4,\"\"\"\",5";
  for (size_t read_size : {1, 2, 3, 7, 1024}) {
    for (size_t block_records : {1, 2, 3, 100}) {
      scorehost::Status error;
      auto rows = ReadAll(text, read_size, block_records, &error);
      BOOST_TEST_REQUIRE(error.ok());
      BOOST_TEST_REQUIRE(rows.size() == 5u);
      BOOST_TEST(rows[0].fields == (std::vector<std::string>{"a", "b", "c"}), boost::test_tools::per_element());
      BOOST_TEST(rows[1].fields == (std::vector<std::string>{"1", "x,y", "he said \"hi\""}),
                 boost::test_tools::per_element());
      BOOST_TEST(rows[2].fields == (std::vector<std::string>{"multi\nline", "", "3"}), boost::test_tools::per_element());
      BOOST_TEST(rows[3].fields == (std::vector<std::string>{""}), boost::test_tools::per_element());
      BOOST_TEST(rows[4].fields == (std::vector<std::string>{"4", "\"", "5"}), boost::test_tools::per_element());
      // Line numbers count the newline inside the quoted field.
      BOOST_TEST(rows[0].line == 1u);
      BOOST_TEST(rows[1].line == 2u);
      BOOST_TEST(rows[2].line == 3u);
      BOOST_TEST(rows[3].line == 5u);
      BOOST_TEST(rows[4].line == 6u);
    }
  }
}

BOOST_AUTO_TEST_CASE(last_line_without_newline_and_unclosed_quote) {
  scorehost::Status error;
  auto rows = ReadAll("a\n1", 4, 10, &error);
  BOOST_TEST(error.ok());
  BOOST_TEST(rows.size() == 2u);
  rows = ReadAll("a\n\"1\n2\n", 4, 10, &error);
  BOOST_TEST(error.code() == SH_INVALID_ARGUMENT);
  BOOST_TEST(error.message().find("line 2") != std::string::npos);
  BOOST_TEST(error.message().find("not closed") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(blocks_hold_whole_records) {
  // A quoted newline never ends a block, whatever the read size.
  std::string text = "h\n";
  for (int i = 0; i < 50; ++i) text += "\"x\ny\"\n";
  for (size_t read_size : {1, 5, 64}) {
    scorehost::Status error;
    auto rows = ReadAll(text, read_size, 7, &error);
    BOOST_TEST_REQUIRE(error.ok());
    BOOST_TEST_REQUIRE(rows.size() == 51u);
    for (size_t i = 1; i < rows.size(); ++i) {
      BOOST_TEST(rows[i].fields == (std::vector<std::string>{"x\ny"}), boost::test_tools::per_element());
      BOOST_TEST(rows[i].line == 2 * i);
    }
  }
}

BOOST_AUTO_TEST_CASE(fields_are_quoted_only_when_needed) {
  std::string out;
  scorehost::AppendCsvField(out, "plain");
  out += '|';
  scorehost::AppendCsvField(out, "a,\"b\"");
  BOOST_TEST(out == "plain|\"a,\"\"b\"\"\"");
}

BOOST_AUTO_TEST_SUITE_END()
