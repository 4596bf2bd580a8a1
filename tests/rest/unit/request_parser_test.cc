// Unit tests of the /model/score JSON request parser (simdjson On-Demand) against a fixed schema.
#define BOOST_TEST_MODULE rest_unit_tests
#include <boost/test/unit_test.hpp>

#include <string>

#include "rest/score_request.h"

using namespace scorehost;
using scorehost::rest::ParseScoreRequest;

namespace {

std::vector<FieldInfo> Inputs() {
  return {{"name", SH_TYPE_STR}, {"x", SH_TYPE_FLOAT64}, {"n", SH_TYPE_INT32}, {"b", SH_TYPE_BOOL}};
}

Result<rest::ScoreRequest> Parse(const std::string& body) {
  static const MissingValues missing;
  return ParseScoreRequest(body, Inputs(), missing);
}

arrow::TableView View(const rest::ScoreRequest& r) {
  arrow::TableView v;
  std::string why;
  BOOST_REQUIRE_MESSAGE(arrow::TableView::Make(&r.input.schema, &r.input.array, &v, &why), why);
  return v;
}

}  // namespace

BOOST_AUTO_TEST_CASE(cells_of_every_json_kind) {
  auto r = Parse(R"({"fields":["x","name","n","b"],"rows":[["1.5","a",3,true],[2,null,"4.0","false"],[null,"",null,null]]})");
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().message());
  BOOST_TEST(r->num_rows == 3);
  arrow::TableView v = View(*r);
  BOOST_TEST(v.num_columns() == 4u);  // model order: name, x, n, b
  BOOST_TEST(v.column(0).String(0) == "a");
  BOOST_TEST(v.column(0).IsNull(1));
  BOOST_TEST(v.column(0).IsNull(2));  // "" is a missing-value token
  BOOST_TEST(v.column(1).Double(0) == 1.5);
  BOOST_TEST(v.column(1).Double(1) == 2.0);
  BOOST_TEST(v.column(2).Int(0) == 3);
  BOOST_TEST(v.column(2).Int(1) == 4);
  BOOST_TEST(v.column(3).Bool(0) == true);
  BOOST_TEST(v.column(3).Bool(1) == false);
  BOOST_TEST(v.column(3).IsNull(2));
}

BOOST_AUTO_TEST_CASE(missing_inputs_and_short_rows_are_null_unknown_fields_ignored) {
  auto r = Parse(R"({"rows":[["7","zzz"],["8"]],"fields":["x","unknown"],"extra":{"deep":[1,{"a":2}]}})");
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().message());
  arrow::TableView v = View(*r);
  BOOST_TEST(v.num_rows() == 2);
  BOOST_TEST(v.column(0).IsNull(0));
  BOOST_TEST(v.column(1).Double(1) == 8.0);
  BOOST_TEST(v.column(2).IsNull(1));
}

BOOST_AUTO_TEST_CASE(echo_is_a_set_in_input_order_and_ids_are_generated) {
  auto r = Parse(R"({"fields":["n","x","name"],"includeFieldsInOutput":["name","n","name","nope","rid"],
                     "idField":"rid","rows":[["1","2.50","q"]]})");
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().message());
  BOOST_REQUIRE(r->echo.size() == 2u);
  BOOST_TEST(r->echo[0].name == "n");
  BOOST_TEST(r->echo[1].name == "name");
  BOOST_TEST(*r->echo[1].cells[0] == "q");
  BOOST_TEST(r->generate_ids);
  auto kept = Parse(R"({"fields":["x"],"includeFieldsInOutput":["x"],"rows":[[2.50]]})");
  BOOST_TEST(*kept->echo[0].cells[0] == "2.50");  // the client's spelling survives
}

BOOST_AUTO_TEST_CASE(duplicate_field_names_are_refused_naming_the_field) {
  // A model input and a name the model does not know are refused alike: either way a value is lost.
  for (const char* body : {R"({"fields":["x","n","x"],"rows":[["1",2,"2"]]})",
                           R"({"fields":["other","x","other"],"rows":[]})"}) {
    auto r = Parse(body);
    BOOST_REQUIRE(!r.ok());
    BOOST_TEST(r.status().code() == SH_INVALID_ARGUMENT);
    BOOST_TEST(r.status().message().find("duplicate field name") != std::string::npos, r.status().message());
  }
  BOOST_TEST(Parse(R"({"fields":["x","n","x"],"rows":[[1,2,3]]})").status().message().find("'x'") != std::string::npos);
  BOOST_TEST(Parse(R"({"fields":["x","X"],"rows":[[1,2]]})").ok());  // names are case-sensitive
}

BOOST_AUTO_TEST_CASE(options_are_read) {
  auto r = Parse(R"({"requestShapleyValueType":"TRANSFORMED","noFieldNamesInOutput":true,
                     "requestPredictionIntervals":"true","fields":[],"rows":[]})");
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().message());
  BOOST_TEST((r->shapley == ShapleyRequest::kTransformed));
  BOOST_TEST(r->no_field_names_in_output);
  BOOST_TEST(r->request_prediction_intervals);
  BOOST_TEST(r->num_rows == 0);
}

BOOST_AUTO_TEST_CASE(non_numeric_number_tokens) {
  auto r = Parse(R"({"fields":["x","n"],"rows":[[NaN,1],[Infinity,2],[-Infinity,3]]})");
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().message());
  arrow::TableView v = View(*r);
  BOOST_TEST(v.column(1).IsNull(0));
  BOOST_TEST(v.column(1).Double(1) > 1e308);
  BOOST_TEST(v.column(1).Double(2) < -1e308);
}

BOOST_AUTO_TEST_CASE(bad_input_is_invalid_argument_never_a_crash) {
  const char* bodies[] = {
      "", "not json", "[1,2]", "{", R"({"fields":["a","b"],"rows":[[1,2],[3.5)", R"({"fields":["x"],"rows":[[1]])",
      R"({"fields":["x"],"rows":[["abc"]]})", R"({"fields":["n"],"rows":[["1.5"]]})", R"({"fields":["x"]})",
      R"({"fields":"x","rows":[]})", R"({"fields":[1],"rows":[]})", R"({"fields":["x"],"rows":[[[1]]]})",
      R"({"fields":["x"],"rows":[[{"a":1}]]})", R"({"fields":["x"],"rows":[["1","2"]]})",
      R"({"fields":["x"],"rows":[1]})", R"({"fields":["x"],"rows":{"a":1}})", R"({"rows":[],"requestShapleyValueType":"FOO"})",
      R"({"rows":[],"noFieldNamesInOutput":"maybe"})", R"({"fields":["x"],"rows":[[01]]})",
      R"({"fields":["x"],"rows":[[1.2.3]]})", R"({"fields":["x"],"rows":[[tru]]})", R"({"fields":["x"],"rows":[[nul]]})",
      "{\"fields\":[\"x\"],\"rows\":[[\"\\ud800\"]]}", "\x01\x02\x03", "{\"a\":\0}"};
  for (const char* body : bodies) {
    auto r = Parse(body);
    BOOST_TEST_CONTEXT(body) {
      BOOST_TEST(!r.ok());
      BOOST_TEST((r.status().code() == SH_INVALID_ARGUMENT));
    }
  }
}

BOOST_AUTO_TEST_CASE(wide_and_long_requests) {
  std::string body = R"({"fields":["name","x","n","b"],"rows":[)";
  for (int i = 0; i < 20000; ++i) {
    if (i) body += ',';
    body += "[\"r" + std::to_string(i) + "\"," + std::to_string(i) + ".25,\"" + std::to_string(i) + "\",\"true\"]";
  }
  body += "]}";
  auto r = Parse(body);
  BOOST_REQUIRE(r.ok());
  arrow::TableView v = View(*r);
  BOOST_TEST(v.num_rows() == 20000);
  BOOST_TEST(v.column(0).String(19999) == "r19999");
  BOOST_TEST(v.column(1).Double(123) == 123.25);
}
