"""The REST wire contract of `scorehost serve` (shared/reference/api.md), endpoint by endpoint,
against the bundled example model and the scorehost-test-delay TEST plugin."""
import json
import re
import socket
import tempfile
import time
import unittest

from serving_harness import EXAMPLE_MODEL, Server, test_delay_model

# The test plugin's runtime properties (tests/plugins/test-delay): a quote, a backslash and
# non-ASCII letters, to prove they are escaped in JSON and survive as UTF-8.
TEST_DELAY_LABEL = 'say "hi" \\ naïve ✓'
RUNTIME_KEYS = ["runtime", "plugin", "plugin_version", "artifact_type", "properties"]

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def keys(document):
    return list(document.keys())


class ExampleModelTest(unittest.TestCase):
    """The example-linear model, served with default settings."""

    @classmethod
    def setUpClass(cls):
        cls.server = Server(EXAMPLE_MODEL)
        _, cls.schema = cls.server.get_json("/model/schema")

    @classmethod
    def tearDownClass(cls):
        cls.assert_exit = cls.server.terminate()
        cls.server.__exit__(None, None, None)

    def inputs(self):
        return [f["name"] for f in self.schema["schema"]["inputFields"]]

    def test_readyz(self):
        status, headers, body = self.server.request("GET", "/readyz")
        self.assertEqual((status, body), (200, b"Ready"))

    def test_model_id_is_plain_text(self):
        status, headers, body = self.server.request("GET", "/model/id")
        self.assertEqual(status, 200)
        self.assertTrue(headers["content-type"].startswith("text/plain"))
        self.assertEqual(body.decode(), self.schema["id"])
        self.assertTrue(body)

    def test_schema_shape(self):
        self.assertEqual(keys(self.schema), ["id", "schema"])
        self.assertEqual(keys(self.schema["schema"]), ["inputFields", "outputFields"])
        for field in self.schema["schema"]["inputFields"] + self.schema["schema"]["outputFields"]:
            self.assertEqual(keys(field), ["name", "dataType"])
            self.assertIn(field["dataType"], ["Bool", "Int32", "Int64", "Float32", "Float64", "Str", "Time64"])

    def test_capabilities_start_with_score(self):
        status, caps = self.server.get_json("/model/capabilities")
        self.assertEqual(status, 200)
        self.assertIn("SCORE", caps)
        order = ["SCORE_PREDICTION_INTERVAL", "SCORE", "CONTRIBUTION_ORIGINAL", "CONTRIBUTION_TRANSFORMED"]
        self.assertEqual(caps, [c for c in order if c in caps])

    def test_runtime_document_without_properties(self):
        status, headers, data = self.server.request("GET", "/model/runtime")
        self.assertEqual(status, 200)
        self.assertTrue(headers["content-type"].startswith("application/json"), headers)
        runtime = json.loads(data)
        self.assertEqual(keys(runtime), RUNTIME_KEYS)
        self.assertEqual(runtime, {"runtime": "example-linear", "plugin": "example-linear", "plugin_version": "1.0.0",
                                   "artifact_type": "scorehost_example_linear", "properties": {}})
        # A plugin that reports nothing gets no start-up line about it.
        self.assertNotIn("model runtime properties", self.server.output())

    def test_sample_request_scores(self):
        status, sample = self.server.get_json("/model/sample_request")
        self.assertEqual(status, 200)
        self.assertEqual(keys(sample), ["fields", "rows"])
        self.assertEqual(sample["fields"], self.inputs())
        self.assertEqual(len(sample["rows"]), 1)
        # The example model gives its feature means as input examples (ABI 1.1 input_examples):
        # the sample row carries them instead of the per-type "0" placeholders.
        self.assertEqual([round(float(v), 2) for v in sample["rows"][0]], [5.84, 3.06, 3.76, 1.2])
        status, scored = self.server.post_json("/model/score", sample)
        self.assertEqual(status, 200, scored)
        self.assertEqual(len(scored["score"]), 1)

    def test_score_shape_and_values(self):
        fields = self.inputs()
        rows = [["5.1", "3.5", "1.4", "0.2"], ["6.3", "3.3", "6.0", "2.5"]]
        status, body = self.server.post_json("/model/score", {"fields": fields, "rows": rows})
        self.assertEqual(status, 200, body)
        self.assertEqual(keys(body), ["id", "fields", "score"])
        outputs = [f["name"] for f in self.schema["schema"]["outputFields"]]
        self.assertEqual(body["fields"], [o for o in outputs if not o.endswith((".lower", ".upper"))])
        self.assertEqual(len(body["score"]), 2)
        for row in body["score"]:
            self.assertEqual(len(row), len(body["fields"]))
            for cell in row:
                self.assertIsInstance(cell, str)
                float(cell)
        # Setosa-like row is unlikely virginica, the second very likely: probabilities ordered.
        last = [float(r[-1]) for r in body["score"]]
        self.assertLess(last[0], last[1])

    def test_numbers_nulls_and_missing_tokens(self):
        fields = self.inputs()
        rows = [[5.1, 3.5, 1.4, 0.2], [None, "", "NA", "2.5"], ["6.3", 3, "true", "1.0"]]
        status, body = self.server.post_json("/model/score", {"fields": fields, "rows": rows})
        self.assertEqual(status, 200, body)
        self.assertEqual(len(body["score"]), 3)

    def test_empty_rows_give_metadata(self):
        status, body = self.server.post_json("/model/score", {"fields": self.inputs(), "rows": []})
        self.assertEqual(status, 200, body)
        self.assertEqual(body["score"], [])
        self.assertEqual(body["fields"], [f["name"] for f in self.schema["schema"]["outputFields"]])
        # Echoed fields come first, as with rows.
        status, body = self.server.post_json("/model/score", {"fields": self.inputs(), "rows": [],
                                                              "includeFieldsInOutput": [self.inputs()[1]]})
        self.assertEqual((status, body["fields"][0], body["score"]), (200, self.inputs()[1], []))

    def test_duplicate_field_names_are_refused_naming_the_field(self):
        name = self.inputs()[2]
        for fields in (self.inputs() + [name], ["extra", "extra"] + self.inputs()):
            rows = [["1"] * len(fields)]
            status, body = self.server.post_json("/model/score", {"fields": fields, "rows": rows})
            self.assertEqual(status, 400, body)
            duplicated = name if fields[0] != "extra" else "extra"
            self.assertEqual(body["detail"], '400 BAD_REQUEST "Invalid scoring request due to: '
                                             "duplicate field name in fields: '%s'\"" % duplicated)

    def test_unknown_fields_and_keys_ignored_include_is_a_set_in_input_order(self):
        fields = ["row_id"] + self.inputs()
        rows = [["r1", "5.1", "3.5", "1.4", "0.2"], ["r2", "6.3", "3.3", "6.0", "2.5"]]
        request = {"fields": fields, "rows": rows, "somethingElse": {"a": [1, 2]},
                   "includeFieldsInOutput": [fields[2], "row_id", fields[2], "notAField"]}
        status, body = self.server.post_json("/model/score", request)
        self.assertEqual(status, 200, body)
        self.assertEqual(body["fields"][:2], ["row_id", fields[2]])
        self.assertEqual([r[:2] for r in body["score"]], [["r1", "3.5"], ["r2", "3.3"]])

    def test_id_field_generated_when_absent(self):
        fields = self.inputs()
        request = {"fields": fields, "rows": [["5.1", "3.5", "1.4", "0.2"]] * 3, "idField": "rid",
                   "includeFieldsInOutput": [fields[0], "rid"]}
        status, body = self.server.post_json("/model/score", request)
        self.assertEqual(status, 200, body)
        self.assertEqual(body["fields"][:2], [fields[0], "rid"])
        ids = [r[1] for r in body["score"]]
        for i in ids:
            self.assertRegex(i, UUID)
        self.assertEqual(len(set(ids)), 3)

    def test_id_field_present_is_an_ordinary_column(self):
        fields = self.inputs() + ["rid"]
        request = {"fields": fields, "rows": [["5.1", "3.5", "1.4", "0.2", "my-id"]], "idField": "rid",
                   "includeFieldsInOutput": ["rid"]}
        status, body = self.server.post_json("/model/score", request)
        self.assertEqual(status, 200, body)
        self.assertEqual(body["fields"][0], "rid")
        self.assertEqual(body["score"][0][0], "my-id")
        # Listed in idField but not in includeFieldsInOutput: nothing generated.
        request = {"fields": self.inputs(), "rows": [["5.1", "3.5", "1.4", "0.2"]], "idField": "rid"}
        status, body = self.server.post_json("/model/score", request)
        self.assertNotIn("rid", body["fields"])

    def test_no_field_names_in_output(self):
        request = {"fields": self.inputs(), "rows": [["5.1", "3.5", "1.4", "0.2"]], "noFieldNamesInOutput": True}
        status, body = self.server.post_json("/model/score", request)
        self.assertEqual(status, 200, body)
        self.assertEqual(keys(body), ["id", "score"])

    def test_short_row_is_missing_long_row_is_400(self):
        status, body = self.server.post_json("/model/score", {"fields": self.inputs(), "rows": [["5.1"]]})
        self.assertEqual(status, 200, body)
        status, body = self.server.post_json("/model/score", {"fields": self.inputs(),
                                                              "rows": [["1", "2", "3", "4", "5"]]})
        self.assertEqual(status, 400)
        self.assertEqual(keys(body), ["detail"])
        self.assertTrue(body["detail"].startswith('400 BAD_REQUEST "Invalid scoring request due to: '), body)

    def test_bad_number_is_400_naming_the_text(self):
        status, body = self.server.post_json("/model/score", {"fields": self.inputs(), "rows": [["abc", "1", "1", "1"]]})
        self.assertEqual(status, 400)
        self.assertIn('For input string: "abc"', body["detail"])

    def test_malformed_bodies_are_400(self):
        for raw in [b"not json", b"", b"[1,2]", b'{"fields":["a","b"],"rows":[[1,2],[3.5', b'{"fields":"x","rows":[]}',
                    b'{"fields":[],"rows":[["a"]]}', b'{"fields":[]}', b'{"rows":[[{"a":1}]],"fields":["x"]}',
                    b'{"rows":[], "requestShapleyValueType":"FOO"}', b'{"rows":5}', b'\x00\x01\x02',
                    b'{"fields":["a"],"rows":[[1]]} trailing', b'{"fields":["a"],"rows":[["\xff\xfe"]]}']:
            status, headers, data = self.server.request("POST", "/model/score", raw,
                                                        {"Content-Type": "application/json"})
            if raw.endswith(b"trailing"):
                continue  # Jackson ignores trailing tokens too; any non-crash answer is fine
            self.assertEqual(status, 400, (raw, data))
            self.assertIn("detail", json.loads(data))
        # The server survived all of it.
        self.assertEqual(self.server.request("GET", "/readyz")[0], 200)

    def test_bare_nan_and_infinity_tokens(self):
        raw = '{"fields":%s,"rows":[[NaN, Infinity, -Infinity, 1]]}' % json.dumps(self.inputs())
        status, headers, data = self.server.request("POST", "/model/score", raw, {"Content-Type": "application/json"})
        self.assertEqual(status, 200, data)

    def test_rows_before_fields(self):
        raw = '{"rows":[["5.1","3.5","1.4","0.2"]],"includeFieldsInOutput":["%s"],"fields":%s}' % (
            self.inputs()[1], json.dumps(self.inputs()))
        status, headers, data = self.server.request("POST", "/model/score", raw, {"Content-Type": "application/json"})
        self.assertEqual(status, 200, data)
        self.assertEqual(json.loads(data)["score"][0][0], "3.5")

    def test_content_type_checked(self):
        status, headers, data = self.server.request("POST", "/model/score", '{"rows":[]}', {"Content-Type": "text/plain"})
        self.assertEqual(status, 415)
        self.assertIn("detail", json.loads(data))
        status, headers, data = self.server.request(
            "POST", "/model/score", json.dumps({"fields": self.inputs(), "rows": []}),
            {"Content-Type": "application/json; charset=utf-8"})
        self.assertEqual(status, 200, data)

    def test_404_and_405(self):
        status, headers, data = self.server.request("GET", "/model/nothing")
        self.assertEqual(status, 404)
        self.assertEqual(keys(json.loads(data)), ["detail"])
        status, headers, data = self.server.request("GET", "/model/score")
        self.assertEqual(status, 405)
        self.assertIn("POST", headers.get("allow", ""))
        self.assertEqual(keys(json.loads(data)), ["detail"])
        for method in ["PUT", "DELETE", "PATCH", "OPTIONS"]:
            status, _, _ = self.server.request(method, "/model/schema")
            self.assertEqual(status, 405, method)

    def test_prediction_intervals_unsupported(self):
        request = {"fields": self.inputs(), "rows": [], "requestPredictionIntervals": True}
        status, caps = self.server.get_json("/model/capabilities")
        status, body = self.server.post_json("/model/score", request)
        if "SCORE_PREDICTION_INTERVAL" in caps:
            self.assertEqual(status, 200)
        else:
            self.assertEqual(status, 400)
            self.assertEqual(body["detail"], '400 BAD_REQUEST "Invalid scoring request due to: '
                                             'requestPredictionIntervals set to true, but model does not support it"')

    def test_shapley_disabled_by_default(self):
        request = {"fields": self.inputs(), "rows": [["5.1", "3.5", "1.4", "0.2"]], "requestShapleyValueType": "ORIGINAL"}
        status, body = self.server.post_json("/model/score", request)
        self.assertEqual(status, 400)
        self.assertIn("shapley.types.enabled property has to be set to one of [TRANSFORMED, ORIGINAL, ALL] or "
                      "shapley.enable property has to be set to true", body["detail"])
        request["requestShapleyValueType"] = "NONE"
        status, body = self.server.post_json("/model/score", request)
        self.assertEqual(status, 200)
        self.assertNotIn("featureShapleyContributions", body)
        status, body = self.server.post_json("/model/contribution", {"requestShapleyValueType": "ORIGINAL",
                                                                     "fields": self.inputs(), "rows": []})
        self.assertEqual(status, 400)
        self.assertTrue(body["detail"].startswith('400 BAD_REQUEST "Invalid shapley contribution request due to: '))

    def test_openapi_document_matches_routes(self):
        status, doc = self.server.get_json("/openapi.json")
        self.assertEqual(status, 200)
        self.assertTrue(doc["openapi"].startswith("3."))
        self.assertEqual(doc["servers"], [{"url": "."}])
        served = {("/model/id", "get"), ("/model/schema", "get"), ("/model/capabilities", "get"),
                  ("/model/sample_request", "get"), ("/model/runtime", "get"), ("/model/score", "post"),
                  ("/model/contribution", "post"),
                  ("/readyz", "get"), ("/openapi.json", "get"), ("/docs", "get"), ("/metrics", "get")}
        documented = {(p, m) for p, ops in doc["paths"].items() for m in ops}
        self.assertEqual(documented, served)
        runtime = doc["paths"]["/model/runtime"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        self.assertEqual(runtime, {"$ref": "#/components/schemas/ModelRuntime"})
        schema = doc["components"]["schemas"]["ModelRuntime"]
        self.assertEqual(list(schema["properties"]), RUNTIME_KEYS)
        self.assertEqual(schema["required"], RUNTIME_KEYS)
        self.assertEqual(schema["properties"]["properties"]["additionalProperties"], {"type": "string"})
        # Every $ref resolves.
        text = json.dumps(doc)
        for ref in set(re.findall(r'"\$ref": "#/components/(\w+)/(\w+)"', text)):
            self.assertIn(ref[1], doc["components"][ref[0]], ref)
        for path, method in served:
            status, _, _ = self.server.request(method.upper(), path,
                                               body="{}" if method == "post" else None,
                                               headers={"Content-Type": "application/json"})
            self.assertNotIn(status, (404, 405), path)

    def test_docs_page_loads_relative_openapi(self):
        status, headers, data = self.server.request("GET", "/docs")
        self.assertEqual(status, 200)
        self.assertTrue(headers["content-type"].startswith("text/html"))
        self.assertIn(b'"./openapi.json"', data)

    def test_keep_alive_without_connection_header(self):
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=5) as s:
            for _ in range(3):
                s.sendall(b"GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n")
                data = b""
                while not data.endswith(b"Ready"):
                    chunk = s.recv(4096)
                    self.assertTrue(chunk, "connection closed")
                    data += chunk
                self.assertIn(b"Connection: Keep-Alive", data)
            s.sendall(b"GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            self.assertIn(b"Connection: Close", s.recv(4096))

    def test_authorization_header_ignored(self):
        status, _, _ = self.server.request("GET", "/model/capabilities", headers={"Authorization": "Bearer abc"})
        self.assertEqual(status, 200)


class TestPluginContractTest(unittest.TestCase):
    """Capabilities, Shapley and interval shapes, through the TEST plugin."""

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.dir.cleanup()

    def test_capabilities_follow_shapley_settings(self):
        model = test_delay_model(self.dir.name, contributions="ALL")
        cases = [({}, ["SCORE"]),
                 ({"SHAPLEY_ENABLE": "true"}, ["SCORE", "CONTRIBUTION_ORIGINAL", "CONTRIBUTION_TRANSFORMED"]),
                 ({"SHAPLEY_TYPES_ENABLED": "TRANSFORMED"}, ["SCORE", "CONTRIBUTION_TRANSFORMED"])]
        for env, expected in cases:
            with Server(model, **env) as server:
                self.assertEqual(server.get_json("/model/capabilities")[1], expected, env)
        with Server(test_delay_model(self.dir.name, prediction_intervals=True)) as server:
            self.assertEqual(server.get_json("/model/capabilities")[1], ["SCORE_PREDICTION_INTERVAL", "SCORE"])

    def test_zero_rows_answer_without_calling_the_model(self):
        model = test_delay_model(self.dir.name, contributions="ALL", row_delta=-1)
        # row_delta=-1 would make any model call fail; call_no tells how many calls were made.
        with Server(model, SHAPLEY_ENABLE="true", BATCH_WORKERS=0) as server:
            empty = {"fields": ["id", "x"], "rows": []}
            status, body = server.post_json("/model/score", empty)
            self.assertEqual((status, body["fields"], body["score"]), (200, ["id_echo", "y", "batch_rows", "call_no"], []))
            status, body = server.post_json("/model/score", dict(empty, requestShapleyValueType="ORIGINAL"))
            self.assertEqual(status, 200, body)
            self.assertEqual(body["featureShapleyContributions"], {"features": [], "contributionGroups": [{"contributions": []}]})
            status, body = server.post_json("/model/contribution", dict(empty, requestShapleyValueType="TRANSFORMED"))
            self.assertEqual((status, body), (200, {"features": [], "contributionGroups": [{"contributions": []}]}))
        with Server(test_delay_model(self.dir.name), BATCH_WORKERS=1) as server:
            for _ in range(3):
                self.assertEqual(server.post_json("/model/score", {"fields": ["id", "x"], "rows": []})[0], 200)
            status, body = server.post_json("/model/score", {"fields": ["id", "x"], "rows": [["a", "1"]]})
            self.assertEqual(body["score"], [["a", "2.0", "1", "1"]])  # the first model call
        with Server(test_delay_model(self.dir.name, prediction_intervals=True)) as server:
            status, body = server.post_json("/model/score", {"fields": ["id", "x"], "rows": []})
            self.assertEqual((status, body["fields"], body["score"]), (200, ["y"], []))
            status, body = server.post_json("/model/score", {"fields": ["id", "x"], "rows": [],
                                                             "requestPredictionIntervals": True})
            self.assertEqual((status, body["fields"], body["score"]), (200, ["y"], []))
            self.assertEqual(body["predictionIntervals"], {"fields": ["y.lower", "y.upper"], "rows": []})

    def test_java_style_property_aliases(self):
        model = test_delay_model(self.dir.name, contributions="ORIGINAL")
        with Server("", SCORER_MOJO_PATH=model, SHAPLEY_ENABLE="true", MODEL_ID="my-deployment") as server:
            self.assertEqual(server.request("GET", "/model/id")[2], b"my-deployment")
            # Configured ALL, model can only do ORIGINAL: only ORIGINAL is advertised.
            self.assertEqual(server.get_json("/model/capabilities")[1], ["SCORE", "CONTRIBUTION_ORIGINAL"])
            status, body = server.post_json("/model/score", {"fields": ["id", "x"], "rows": [["a", "1"]]})
            self.assertEqual(body["id"], "my-deployment")

    def test_shapley_on_score_and_contribution(self):
        model = test_delay_model(self.dir.name, contributions="ALL")
        with Server(model, SHAPLEY_TYPES_ENABLED="ORIGINAL") as server:
            request = {"fields": ["id", "x"], "rows": [["a", "1.5"], ["b", "2"]], "requestShapleyValueType": "ORIGINAL"}
            status, body = server.post_json("/model/score", request)
            self.assertEqual(status, 200, body)
            self.assertEqual(keys(body), ["id", "fields", "score", "featureShapleyContributions"])
            contributions = body["featureShapleyContributions"]
            self.assertEqual(contributions, {"features": ["x", "BiasTerm"],
                                             "contributionGroups": [{"contributions": [["1.5", "0.5"], ["2.0", "0.5"]]}]})
            request["requestShapleyValueType"] = "TRANSFORMED"
            status, body = server.post_json("/model/score", request)
            self.assertEqual(status, 400)
            self.assertIn("Requested Shapley type TRANSFORMED not enabled for this scorer. Expected: ORIGINAL",
                          body["detail"])
            status, body = server.post_json("/model/contribution", {"requestShapleyValueType": "ORIGINAL",
                                                                    "fields": ["id", "x"], "rows": [["a", "3"]]})
            self.assertEqual(status, 200, body)
            self.assertEqual(keys(body), ["features", "contributionGroups"])
            self.assertEqual(body["contributionGroups"], [{"contributions": [["3.0", "0.5"]]}])
            status, body = server.post_json("/model/contribution", {"requestShapleyValueType": "NONE",
                                                                    "fields": ["id", "x"], "rows": []})
            self.assertEqual(status, 400)
            self.assertIn("Requested Shapley type NONE not enabled for this scorer. Expected: ORIGINAL", body["detail"])
            status, body = server.post_json("/model/contribution", {"fields": ["id", "x"], "rows": []})
            self.assertEqual(status, 400)
            # No rows: the model is not called, so no feature can be named.
            status, body = server.post_json("/model/contribution", {"requestShapleyValueType": "ORIGINAL",
                                                                    "fields": ["id", "x"], "rows": []})
            self.assertEqual((status, body["features"]), (200, []))
        with Server(model, SHAPLEY_ENABLE="true") as server:
            status, body = server.post_json("/model/contribution", {"requestShapleyValueType": "NONE",
                                                                    "fields": ["id", "x"], "rows": []})
            self.assertIn("Only ORIGINAL or TRANSFORMED are accepted enums values of Shapley values", body["detail"])

    def test_enabled_type_the_model_lacks_gets_501(self):
        # Configuration enables a type the model does not declare: /model/capabilities leaves it
        # out, and requests for it get 501 with the plugin's reason (score included), not the 400
        # of a type the configuration does not enable.
        model = test_delay_model(self.dir.name, contributions="ORIGINAL")
        for env in ({"SHAPLEY_ENABLE": "true"}, {"SHAPLEY_TYPES_ENABLED": "ALL"}):
            with Server(model, **env) as server:
                self.assertEqual(server.get_json("/model/capabilities")[1], ["SCORE", "CONTRIBUTION_ORIGINAL"])
                request = {"fields": ["id", "x"], "rows": [["a", "1.5"]], "requestShapleyValueType": "TRANSFORMED"}
                for path in ("/model/contribution", "/model/score"):
                    status, body = server.post_json(path, request)
                    self.assertEqual(status, 501, (path, body))
                    self.assertEqual(body["detail"], '501 NOT_IMPLEMENTED "Unsupported operation due to: '
                                                     'this test model lacks that contribution kind"')
                request["requestShapleyValueType"] = "ORIGINAL"
                status, body = server.post_json("/model/contribution", request)
                self.assertEqual((status, body["contributionGroups"]), (200, [{"contributions": [["1.5", "0.5"]]}]))
        with Server(model, SHAPLEY_TYPES_ENABLED="ORIGINAL") as server:
            status, body = server.post_json("/model/contribution", {"fields": ["id", "x"], "rows": [["a", "1"]],
                                                                    "requestShapleyValueType": "TRANSFORMED"})
            self.assertEqual(status, 400, body)
            self.assertIn("Requested Shapley type TRANSFORMED not enabled for this scorer. Expected: ORIGINAL",
                          body["detail"])

    def test_prediction_intervals(self):
        with Server(test_delay_model(self.dir.name, prediction_intervals=True)) as server:
            schema = server.get_json("/model/schema")[1]
            self.assertEqual([f["name"] for f in schema["schema"]["outputFields"]], ["y", "y.lower", "y.upper"])
            request = {"fields": ["id", "x"], "rows": [["a", "1"], ["b", "2"]], "requestPredictionIntervals": True}
            status, body = server.post_json("/model/score", request)
            self.assertEqual(status, 200, body)
            self.assertEqual(keys(body), ["id", "fields", "score", "predictionIntervals"])
            self.assertEqual(body["fields"], ["y"])
            self.assertEqual(body["score"], [["2.0"], ["4.0"]])
            self.assertEqual(body["predictionIntervals"], {"fields": ["y.lower", "y.upper"],
                                                           "rows": [["1.0", "3.0"], ["3.0", "5.0"]]})
            request["rows"] = []
            status, body = server.post_json("/model/score", request)
            self.assertEqual(body["predictionIntervals"]["fields"], ["y.lower", "y.upper"])
            del request["requestPredictionIntervals"]
            request["rows"] = [["a", "1"]]
            status, body = server.post_json("/model/score", request)
            self.assertEqual((body["fields"], body["score"]), (["y"], [["2.0"]]))
            self.assertNotIn("predictionIntervals", body)

    def test_runtime_document_and_start_up_line_carry_the_plugins_properties(self):
        with Server(test_delay_model(self.dir.name)) as server:
            status, headers, data = server.request("GET", "/model/runtime")
            self.assertEqual(status, 200)
            self.assertTrue(headers["content-type"].startswith("application/json"), headers)
            runtime = json.loads(data.decode("utf-8"))
            self.assertEqual(keys(runtime), RUNTIME_KEYS)
            self.assertEqual(runtime, {"runtime": "scorehost-test-delay", "plugin": "scorehost-test-delay",
                                       "plugin_version": "0.0.0-test", "artifact_type": "scorehost_test_delay",
                                       "properties": {"device": "test-double", "label": TEST_DELAY_LABEL}})
            self.assertEqual(list(runtime["properties"]), ["device", "label"])  # the plugin's order
            # The quote and the backslash are escaped; the non-ASCII letters cross as UTF-8.
            self.assertIn('"label":"say \\"hi\\" \\\\ naïve ✓"'.encode("utf-8"), data)
            self.assertIn("model runtime properties: device=test-double, label=" + TEST_DELAY_LABEL, server.output())
            # Counted under its own endpoint label.
            _, _, metrics = server.request("GET", "/metrics")
            self.assertIn(b'scorehost_requests_total{endpoint="/model/runtime",code="200"} 1\n', metrics)

    def test_malformed_properties_do_not_break_the_runtime_document(self):
        with Server(test_delay_model(self.dir.name, odd_properties=True)) as server:
            status, runtime = server.get_json("/model/runtime")
            self.assertEqual(status, 200)
            self.assertEqual(runtime["properties"], {"device": "test-double", "label": TEST_DELAY_LABEL, "no_value": ""})

    def test_readyz_not_ready_while_loading(self):
        model = test_delay_model(self.dir.name, load_delay_ms=1500)
        with Server(model, wait_ready=False) as server:
            deadline = time.time() + 10
            seen = None
            while time.time() < deadline:
                try:
                    seen = server.request("GET", "/readyz", timeout=1)
                    break
                except OSError:
                    time.sleep(0.02)
            self.assertEqual((seen[0], seen[2]), (503, b"Not ready"))
            for path in ["/model/schema", "/model/runtime"]:
                status, _, data = server.request("GET", path)
                self.assertEqual(status, 503, path)
                self.assertIn("detail", json.loads(data))
            server.wait_ready()

    def test_model_that_fails_to_load_exits_nonzero_with_reason(self):
        model = test_delay_model(self.dir.name, load_error="licence missing for the test")
        with Server(model, wait_ready=False) as server:
            rc = server.process.wait(20)
            self.assertNotEqual(rc, 0)
            self.assertIn("licence missing for the test", server.output())


if __name__ == "__main__":
    unittest.main(verbosity=2)
