// The ABI conformance suite: run against every plugin in the build with one of its models.
//
//   plugin_conformance_test -- <plugin.so> <runtime> <model path> <artifact type>
//
// It drives the plugin through the raw C function table (as any host would) and checks what the
// ABI header promises: description shapes, N rows in = N rows out (0, 1, many), real nulls, clear
// errors for malformed batches with outputs left untouched, the declared thread-safety, interval
// and contribution capabilities, and that unload frees everything (the sanitizer build's leak
// checker turns a leak into a failure).
#include <boost/test/unit_test.hpp>

#include <scorehost/arrow_columns.hpp>

#include <atomic>
#include <cmath>
#include <cstring>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "loader/host_services.h"
#include "loader/plugin_library.h"

namespace arrow = scorehost::arrow;
using scorehost::PluginLibrary;
using scorehost::Status;
using scorehost::TakeStatus;

namespace {

struct Args {
  std::string plugin, runtime, model, artifact_type;
};

Args GetArgs() {
  auto& suite = boost::unit_test::framework::master_test_suite();
  BOOST_REQUIRE_MESSAGE(suite.argc == 5, "usage: plugin_conformance_test -- <plugin.so> <runtime> <model> <artifact type>");
  return {suite.argv[1], suite.argv[2], suite.argv[3], suite.argv[4]};
}

// A plugin with one loaded model, released in reverse order.
struct Fixture {
  Args args = GetArgs();
  std::shared_ptr<PluginLibrary> plugin;
  sh_model* model = nullptr;
  const sh_model_info* info = nullptr;

  Fixture() {
    auto opened = PluginLibrary::Open(args.plugin);
    BOOST_REQUIRE_MESSAGE(opened.ok(), opened.status().ToString());
    plugin = *opened;
    model = Load();
    info = api().model_describe(model);
    BOOST_REQUIRE(info != nullptr);
  }
  ~Fixture() {
    if (model) api().model_unload(model);
  }
  const sh_plugin_api& api() const { return plugin->api(); }

  sh_model* Load() const {
    sh_load_args load{sizeof(sh_load_args), args.runtime.c_str(), args.model.c_str(), args.artifact_type.c_str(), 0,
                      nullptr};
    sh_model* m = nullptr;
    Status st = TakeStatus(api().model_load(&load, &m));
    BOOST_REQUIRE_MESSAGE(st.ok(), st.ToString());
    BOOST_REQUIRE(m != nullptr);
    return m;
  }

  // A batch of `rows` rows with the model's input columns; every `null_every`-th cell is null
  // (0 = none), numbers vary by row, strings cycle through a few texts.
  arrow::OwnedArrow Batch(int64_t rows, int null_every = 0, bool drop_last_column = false,
                          bool flip_types = false) const {
    arrow::Table t;
    t.set_num_rows(rows);
    size_t n = info->n_inputs - (drop_last_column ? 1 : 0);
    for (size_t j = 0; j < n; ++j) {
      sh_data_type type = info->inputs[j].type;
      if (flip_types) type = arrow::IsStringType(type) ? SH_TYPE_FLOAT64 : SH_TYPE_STR;
      auto& col = t.AddColumn(info->inputs[j].name, type);
      for (int64_t r = 0; r < rows; ++r) {
        if (null_every > 0 && (r + static_cast<int64_t>(j)) % null_every == 0) {
          col.AppendNull();
        } else if (arrow::IsStringType(type)) {
          static const char* kTexts[] = {"a", "b", "0", "1", "x y"};
          col.AppendString(kTexts[(r + static_cast<int64_t>(j)) % 5]);
        } else {
          col.AppendDouble(static_cast<double>((r * 7 + static_cast<int64_t>(j) * 3) % 11) * 0.5);
        }
      }
    }
    arrow::OwnedArrow out;
    std::move(t).Export(&out.schema, &out.array);
    return out;
  }

  Status Score(const arrow::OwnedArrow& in, uint32_t flags, arrow::OwnedArrow* out) const {
    sh_score_options options{sizeof(sh_score_options), flags};
    return TakeStatus(api().score(model, &in.schema, &in.array, &options, &out->schema, &out->array));
  }

  // Scores and checks the result's shape; returns every cell as text for comparisons.
  std::vector<std::string> ScoreOk(const arrow::OwnedArrow& in, uint32_t flags = 0) const {
    arrow::OwnedArrow out;
    Status st = Score(in, flags, &out);
    BOOST_REQUIRE_MESSAGE(st.ok(), st.ToString());
    arrow::TableView view;
    std::string why;
    BOOST_REQUIRE_MESSAGE(arrow::TableView::Make(&out.schema, &out.array, &view, &why), why);
    BOOST_TEST(view.num_rows() == in.array.length);  // N rows in = N rows out
    std::vector<std::string> expected = ExpectedOutputs(flags);
    BOOST_TEST_REQUIRE(view.num_columns() == expected.size());
    std::vector<std::string> cells;
    for (size_t c = 0; c < view.num_columns(); ++c) {
      BOOST_TEST(std::string(view.column(c).name()) == expected[c]);
      for (int64_t r = 0; r < view.num_rows(); ++r) {
        const auto& col = view.column(c);
        if (col.IsNull(r)) cells.push_back("<null>");
        else if (arrow::IsStringType(col.type())) cells.emplace_back(col.String(r));
        else {
          double d = col.Double(r);
          char buf[64];
          std::snprintf(buf, sizeof buf, "%.17g", d);
          cells.emplace_back(buf);
        }
      }
    }
    return cells;
  }

  // The output names score returns: describe's outputs, minus interval bounds unless asked for.
  std::vector<std::string> ExpectedOutputs(uint32_t flags) const {
    std::vector<std::string> names;
    bool with_intervals = (flags & SH_SCORE_PREDICTION_INTERVALS) && (info->capabilities & SH_CAP_SCORE_PREDICTION_INTERVAL);
    for (size_t i = 0; i < info->n_outputs; ++i) {
      std::string name = info->outputs[i].name;
      bool bound = name.size() > 6 && (name.rfind(".lower") == name.size() - 6 || name.rfind(".upper") == name.size() - 6);
      if (bound && (info->capabilities & SH_CAP_SCORE_PREDICTION_INTERVAL) && !with_intervals) continue;
      names.push_back(name);
    }
    return names;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(plugin_conformance)

BOOST_AUTO_TEST_CASE(self_description) {
  Fixture f;
  const sh_plugin_api& api = f.api();
  BOOST_TEST(api.plugin_name != nullptr);
  BOOST_TEST(api.plugin_version != nullptr);
  BOOST_TEST_REQUIRE(api.n_runtimes >= 1u);
  bool serves_runtime = false;
  for (size_t i = 0; i < api.n_runtimes; ++i) {
    const sh_runtime_desc& rt = api.runtimes[i];
    BOOST_TEST(rt.struct_size >= sizeof(sh_runtime_desc));
    BOOST_TEST(rt.display_name != nullptr);
    BOOST_TEST(rt.n_artifact_types >= 1u);
    if (f.args.runtime == rt.name) serves_runtime = true;
  }
  BOOST_TEST(serves_runtime);
}

BOOST_AUTO_TEST_CASE(model_description_shapes) {
  Fixture f;
  const sh_model_info* info = f.info;
  BOOST_TEST(info->struct_size >= sizeof(sh_model_info));
  BOOST_TEST(info->model_id != nullptr);
  BOOST_TEST(info->artifact_type != nullptr);
  BOOST_TEST(info->description != nullptr);
  BOOST_TEST_REQUIRE(info->n_inputs >= 1u);
  BOOST_TEST_REQUIRE(info->n_outputs >= 1u);
  std::set<std::string> names;
  for (size_t i = 0; i < info->n_inputs; ++i) {
    BOOST_TEST_REQUIRE(info->inputs[i].name != nullptr);
    BOOST_TEST(std::strlen(info->inputs[i].name) > 0u);
    BOOST_TEST((info->inputs[i].type >= SH_TYPE_BOOL && info->inputs[i].type <= SH_TYPE_TIME64));
    BOOST_TEST(names.insert(info->inputs[i].name).second, "duplicate input " << info->inputs[i].name);
  }
  names.clear();
  for (size_t i = 0; i < info->n_outputs; ++i) {
    BOOST_TEST_REQUIRE(info->outputs[i].name != nullptr);
    BOOST_TEST((info->outputs[i].type >= SH_TYPE_BOOL && info->outputs[i].type <= SH_TYPE_TIME64));
    BOOST_TEST(names.insert(info->outputs[i].name).second, "duplicate output " << info->outputs[i].name);
  }
  BOOST_TEST((info->capabilities & SH_CAP_SCORE) != 0u);
  BOOST_TEST((info->thread_safety == SH_THREAD_SAFE || info->thread_safety == SH_THREAD_SERIAL));
  // The description is stable across calls.
  BOOST_TEST(f.api().model_describe(f.model) == info);
}

// Runtime properties (ABI 1.2) are optional; when given, keys are unique lower_snake_case ASCII
// (they become JSON object keys and log text), neither side of a pair is NULL, and a value is one
// line (inspect and the start-up log print it as it is).
BOOST_AUTO_TEST_CASE(runtime_properties_follow_the_rules) {
  Fixture f;
  const sh_model_info* info = f.info;
  if (info->n_properties == 0) return;
  BOOST_TEST_REQUIRE(info->properties != nullptr);
  std::set<std::string> keys;
  for (size_t i = 0; i < info->n_properties; ++i) {
    const sh_kv& kv = info->properties[i];
    BOOST_TEST_REQUIRE(kv.key != nullptr);
    BOOST_TEST_REQUIRE(kv.value != nullptr, "property " << kv.key << " has a NULL value");
    bool one_line = true;
    for (const char* c = kv.value; *c != '\0'; ++c)
      one_line = one_line && static_cast<unsigned char>(*c) >= 0x20 && *c != 0x7f;
    BOOST_TEST(one_line, "property " << kv.key << " has a control character in its value");
    const std::string key = kv.key;
    bool snake = !key.empty() && key[0] >= 'a' && key[0] <= 'z';
    for (char c : key) snake = snake && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
    BOOST_TEST(snake, "property key '" << key << "' is not lower_snake_case ASCII");
    BOOST_TEST(keys.insert(key).second, "duplicate property " << key);
  }
}

BOOST_AUTO_TEST_CASE(n_rows_in_n_rows_out) {
  Fixture f;
  for (int64_t rows : {0, 1, 7, 1000}) f.ScoreOk(f.Batch(rows));
}

BOOST_AUTO_TEST_CASE(nulls_are_accepted) {
  Fixture f;
  f.ScoreOk(f.Batch(50, 3));
  f.ScoreOk(f.Batch(20, 1));  // every cell null
}

BOOST_AUTO_TEST_CASE(scoring_is_deterministic) {
  Fixture f;
  auto batch = f.Batch(64, 5);
  BOOST_TEST(f.ScoreOk(batch) == f.ScoreOk(batch), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(malformed_batches_are_errors_and_leave_outputs_untouched) {
  Fixture f;
  for (bool drop : {true, false}) {
    auto bad = drop ? f.Batch(5, 0, /*drop_last_column=*/true) : f.Batch(5, 0, false, /*flip_types=*/true);
    if (!drop && f.info->n_inputs == 0) continue;
    arrow::OwnedArrow out;
    Status st = f.Score(bad, 0, &out);
    BOOST_TEST(!st.ok(), (drop ? "missing column accepted" : "wrong column types accepted"));
    BOOST_TEST((st.code() == SH_INVALID_ARGUMENT), st.ToString());
    BOOST_TEST(!st.message().empty());
    BOOST_TEST(out.schema.release == nullptr);
    BOOST_TEST(out.array.release == nullptr);
  }
}

BOOST_AUTO_TEST_CASE(prediction_intervals_follow_the_capability) {
  Fixture f;
  auto batch = f.Batch(10, 4);
  // ScoreOk checks the columns: bounds present iff requested and supported.
  f.ScoreOk(batch, SH_SCORE_PREDICTION_INTERVALS);
  f.ScoreOk(batch, 0);
}

BOOST_AUTO_TEST_CASE(contributions_follow_the_capability) {
  Fixture f;
  auto batch = f.Batch(12, 5);
  for (auto [kind, cap] : {std::pair{SH_CONTRIBUTION_ORIGINAL, SH_CAP_CONTRIBUTION_ORIGINAL},
                           std::pair{SH_CONTRIBUTION_TRANSFORMED, SH_CAP_CONTRIBUTION_TRANSFORMED}}) {
    bool has = (f.info->capabilities & cap) != 0;
    if (!f.api().contribute) {
      BOOST_TEST(!has, "capability declared without a contribute function");
      continue;
    }
    arrow::OwnedArrow out;
    Status st = TakeStatus(f.api().contribute(f.model, kind, &batch.schema, &batch.array, &out.schema, &out.array));
    if (!has) {
      BOOST_TEST((st.code() == SH_UNIMPLEMENTED), st.ToString());
      continue;
    }
    BOOST_TEST_REQUIRE(st.ok(), st.ToString());
    arrow::TableView view;
    std::string why;
    BOOST_TEST_REQUIRE(arrow::TableView::Make(&out.schema, &out.array, &view, &why), why);
    BOOST_TEST(view.num_rows() == 12);
    BOOST_TEST(view.num_columns() >= 1u);
  }
}

BOOST_AUTO_TEST_CASE(declared_thread_safety_holds) {
  Fixture f;
  if (f.info->thread_safety != SH_THREAD_SAFE) return;  // the host serialises such models
  auto batch = f.Batch(33, 4);
  const auto expected = f.ScoreOk(batch);
  std::atomic<int> mismatches{0}, errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        arrow::OwnedArrow out;
        sh_score_options options{sizeof(sh_score_options), 0};
        Status st = TakeStatus(f.api().score(f.model, &batch.schema, &batch.array, &options, &out.schema, &out.array));
        if (!st.ok()) { ++errors; continue; }
        arrow::TableView view;
        std::string why;
        if (!arrow::TableView::Make(&out.schema, &out.array, &view, &why)) { ++errors; continue; }
        size_t k = 0;
        for (size_t c = 0; c < view.num_columns(); ++c)
          for (int64_t r = 0; r < view.num_rows(); ++r, ++k) {
            const auto& col = view.column(c);
            std::string cell;
            if (col.IsNull(r)) cell = "<null>";
            else if (arrow::IsStringType(col.type())) cell = std::string(col.String(r));
            else {
              char buf[64];
              std::snprintf(buf, sizeof buf, "%.17g", col.Double(r));
              cell = buf;
            }
            if (k >= expected.size() || cell != expected[k]) ++mismatches;
          }
      }
    });
  }
  for (auto& t : threads) t.join();
  BOOST_TEST(errors.load() == 0);
  BOOST_TEST(mismatches.load() == 0);
}

BOOST_AUTO_TEST_CASE(load_unload_cycles_free_everything) {
  Fixture f;
  for (int i = 0; i < 10; ++i) {
    sh_model* m = f.Load();
    f.api().model_unload(m);
  }
  f.api().model_unload(nullptr);  // documented no-op
}

BOOST_AUTO_TEST_CASE(missing_model_file_is_a_clear_error) {
  Fixture f;
  std::string path = f.args.model + ".does-not-exist";
  sh_load_args load{sizeof(sh_load_args), f.args.runtime.c_str(), path.c_str(), f.args.artifact_type.c_str(), 0, nullptr};
  sh_model* m = nullptr;
  Status st = TakeStatus(f.api().model_load(&load, &m));
  BOOST_TEST(!st.ok());
  BOOST_TEST(m == nullptr);
  BOOST_TEST(st.message().find("does-not-exist") != std::string::npos, st.message());
}

BOOST_AUTO_TEST_SUITE_END()
