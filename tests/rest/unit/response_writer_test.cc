// Unit tests of the score / contribution response writers.
#include <boost/test/unit_test.hpp>

#include <regex>

#include "rest/json_writer.h"
#include "rest/score_response.h"

using namespace scorehost;
using namespace scorehost::rest;

namespace {

std::shared_ptr<CallOutput> Output(std::vector<std::string> names, int64_t rows, double base) {
  arrow::Table t(rows);
  for (size_t c = 0; c < names.size(); ++c) {
    auto& col = t.AddColumn(names[c], SH_TYPE_FLOAT64);
    for (int64_t r = 0; r < rows; ++r) col.AppendDouble(base + r + 0.5 * static_cast<double>(c));
  }
  auto out = std::make_shared<CallOutput>();
  out->scores.emplace();
  std::move(t).Export(&out->scores->schema, &out->scores->array);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(score_response_order_offset_and_echo) {
  ScoreRequest req;
  req.num_rows = 2;
  req.echo.push_back({"a", {std::string("x\"1"), std::nullopt}});
  req.id_field = "rid";
  req.generate_ids = true;
  JobOutcome o;
  o.output = Output({"p"}, 5, 0);
  o.offset = 3;  // the request's rows are rows 3 and 4 of a coalesced batch
  o.rows = 2;
  OutputLayout layout;
  layout.model_id = "m";
  std::string body = WriteScoreResponse(req, o, layout);
  std::regex expected(
      R"(\{"id":"m","fields":\["a","rid","p"\],"score":\[\["x\\"1","[0-9a-f-]{36}","3.0"\],\[null,"[0-9a-f-]{36}","4.0"\]\]\})");
  BOOST_TEST(std::regex_match(body, expected), body);
  req.no_field_names_in_output = true;
  layout.model_id.clear();
  body = WriteScoreResponse(req, o, layout);
  BOOST_TEST(body.rfind("{\"score\":", 0) == 0u, body);
}

BOOST_AUTO_TEST_CASE(prediction_interval_split_like_java) {
  ScoreRequest req;
  req.num_rows = 1;
  req.request_prediction_intervals = true;
  JobOutcome o;
  o.output = Output({"result.upper", "result", "result.lower"}, 1, 1);
  o.rows = 1;
  std::string body = WriteScoreResponse(req, o, OutputLayout{});
  BOOST_TEST(body ==
                 R"({"fields":["result"],"score":[["1.5"]],"predictionIntervals":{"fields":["result.upper","result.lower"],"rows":[["1.0","2.0"]]}})",
             body);
  o.output = Output({"only"}, 1, 1);
  body = WriteScoreResponse(req, o, OutputLayout{});
  BOOST_TEST(body.find(R"("predictionIntervals":{"fields":[],"rows":[]})") != std::string::npos, body);
}

BOOST_AUTO_TEST_CASE(multinomial_contributions_are_grouped_per_class) {
  ModelInfo info;
  info.outputs = {{"class.a", SH_TYPE_FLOAT64}, {"class.b", SH_TYPE_FLOAT64}, {"class.c", SH_TYPE_FLOAT64}};
  OutputLayout layout = MakeOutputLayout(info, "");
  auto out = Output({"f1.a", "f2.a", "f1.b", "f2.b", "f1.c", "f2.c"}, 1, 0);
  JobOutcome o;
  auto shared = std::make_shared<CallOutput>();
  shared->contributions = std::move(out->scores);
  o.output = shared;
  o.rows = 1;
  std::string body = WriteContributionResponse(o, layout);
  BOOST_TEST(body ==
                 R"({"features":["f1","f2"],"contributionGroups":[{"outputGroup":"a","contributions":[["0.0","0.5"]]},{"outputGroup":"b","contributions":[["1.0","1.5"]]},{"outputGroup":"c","contributions":[["2.0","2.5"]]}]})",
             body);
}

BOOST_AUTO_TEST_CASE(json_strings_are_escaped) {
  std::string s;
  AppendJsonString(s, std::string("a\"b\\c\n\x01\xc3\xa9", 9));
  BOOST_TEST(s == "\"a\\\"b\\\\c\\n\\u0001\xc3\xa9\"");
}
