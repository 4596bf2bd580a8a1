// scorehost-test-delay: a TEST plugin for the serving tests. Not a real model.
//
// Artifact: a text file whose name ends in ".testdelay" (artifact type scorehost_test_delay),
// lines of key=value (# comments):
//   delay_ms=5               sleep this long in every score/contribute call
//   row_delta=0              return input_rows + row_delta rows (clamped at 0): wrong row counts
//   thread_safe=true         declared thread safety; when false, overlapping calls are detected
//                            and fail with "called concurrently"
//   prediction_intervals=false  outputs are y, y.lower, y.upper instead of the batch-revealing set
//   contributions=NONE       ORIGINAL, TRANSFORMED or ALL: contribution capabilities
//   model_id=test-delay      the model id it reports
//   fail_value=              an x value (as text) that makes the whole call fail INVALID_ARGUMENT
//   short_value=             an x value (as text) whose row is left out of the output: a call
//                            holding it returns one row fewer than its input (a wrong row count)
//   unavailable_calls=0      the first N score calls fail UNAVAILABLE, like a worker restarting
//   load_error=              non-empty: model_load fails with this message
//   load_delay_ms=0          sleep this long in model_load (a slow-loading model)
//   odd_properties=false     true: also report malformed runtime properties (a NULL key, a NULL
//                            value, a repeated key), which the host must tolerate
//
// Inputs: id (Str), x (Float64). Default outputs, one row per input row:
//   id_echo (Str)    the row's id, so a response row can prove it belongs to its request
//   y (Float64)      2 * x
//   batch_rows (Int64)  rows in this plugin call (> 1 request's rows => the host coalesced)
//   call_no (Int64)  sequence number of this plugin call
// Contributions: ORIGINAL -> columns x, BiasTerm (x and 0.5); TRANSFORMED -> x_t, BiasTerm.
// Runtime properties (ABI 1.2): device=test-double and label=kLabel, whose quote, backslash and
// non-ASCII letters must survive every place the host shows them (JSON escaping, UTF-8); with
// odd_properties=true, then kOddProperties.
#include <scorehost/arrow_columns.hpp>
#include <scorehost/plugin_api.h>
#include <scorehost/plugin_helpers.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using scorehost::plugin::Error;
using scorehost::plugin::Guard;
namespace arrow = scorehost::arrow;

constexpr const char* kArtifactType = "scorehost_test_delay";
const char* const kArtifactTypes[] = {kArtifactType};
constexpr const char* kLabel = "say \"hi\" \\ naïve ✓";
const sh_kv kProperties[] = {{"device", "test-double"}, {"label", kLabel}};
const sh_kv kOddProperties[] = {{nullptr, "no key"}, {"no_value", nullptr}, {"device", "repeated"}};
const sh_runtime_desc kRuntimes[] = {
    {sizeof(sh_runtime_desc), "scorehost-test-delay", "TEST ONLY: configurable delay plugin", 1, kArtifactTypes}};

struct Model {
  int delay_ms = 0;
  int row_delta = 0;
  bool thread_safe = true;
  bool intervals = false;
  uint32_t contribution_caps = 0;
  std::string model_id = "test-delay";
  std::string fail_value;
  std::string short_value;
  int64_t unavailable_calls = 0;
  std::vector<sh_kv> properties{std::begin(kProperties), std::end(kProperties)};
  std::atomic<int64_t> calls{0};
  std::atomic<int> active{0};
  std::vector<sh_field> inputs;
  std::vector<sh_field> outputs;
  sh_model_info info{};
};

Model* AsModel(sh_model* m) { return reinterpret_cast<Model*>(m); }

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

void Configure(Model& m, const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(SH_NOT_FOUND, "cannot open " + path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = line.substr(0, eq), value = line.substr(eq + 1);
    if (key == "delay_ms") m.delay_ms = std::stoi(value);
    else if (key == "row_delta") m.row_delta = std::stoi(value);
    else if (key == "thread_safe") m.thread_safe = value == "true";
    else if (key == "prediction_intervals") m.intervals = value == "true";
    else if (key == "model_id") m.model_id = value;
    else if (key == "fail_value") m.fail_value = value;
    else if (key == "short_value") m.short_value = value;
    else if (key == "unavailable_calls") m.unavailable_calls = std::stoll(value);
    else if (key == "odd_properties" && value == "true")
      m.properties.insert(m.properties.end(), std::begin(kOddProperties), std::end(kOddProperties));
    else if (key == "load_error" && !value.empty()) throw Error(SH_FAILED_PRECONDITION, value);
    else if (key == "load_delay_ms") std::this_thread::sleep_for(std::chrono::milliseconds(std::stoi(value)));
    else if (key == "contributions") {
      if (value == "ORIGINAL" || value == "ALL") m.contribution_caps |= SH_CAP_CONTRIBUTION_ORIGINAL;
      if (value == "TRANSFORMED" || value == "ALL") m.contribution_caps |= SH_CAP_CONTRIBUTION_TRANSFORMED;
    }
  }
}

// Detects overlapping calls on a model that declared itself not thread-safe.
class CallScope {
 public:
  explicit CallScope(Model& m) : m_(m) {
    int before = m_.active.fetch_add(1);
    if (before > 0 && !m_.thread_safe) {
      m_.active.fetch_sub(1);
      throw Error(SH_INTERNAL, "called concurrently although the model is not thread-safe");
    }
    if (m_.delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(m_.delay_ms));
  }
  ~CallScope() { m_.active.fetch_sub(1); }

 private:
  Model& m_;
};

arrow::TableView ReadInput(const ArrowSchema* schema, const ArrowArray* array) {
  arrow::TableView view;
  std::string why;
  if (!arrow::TableView::Make(schema, array, &view, &why)) throw Error(SH_INVALID_ARGUMENT, "bad input: " + why);
  if (view.num_columns() != 2) throw Error(SH_INVALID_ARGUMENT, "expected 2 input columns");
  return view;
}

int64_t OutputRows(const Model& m, int64_t in) {
  int64_t n = in + m.row_delta;
  return n < 0 ? 0 : n;
}

sh_status* Score(sh_model* handle, const ArrowSchema* in_schema, const ArrowArray* in, const sh_score_options* options,
                 ArrowSchema* out_schema, ArrowArray* out) {
  return Guard([&] {
    Model& m = *AsModel(handle);
    CallScope scope(m);
    int64_t call_no = m.calls.fetch_add(1) + 1;
    arrow::TableView view = ReadInput(in_schema, in);
    const arrow::ColumnView& id = view.column(0);
    const arrow::ColumnView& x = view.column(1);
    if (call_no <= m.unavailable_calls) throw Error(SH_UNAVAILABLE, "test model: worker restarting");
    auto x_is = [&](int64_t r, const std::string& wanted) {
      if (wanted.empty() || x.IsNull(r)) return false;
      std::ostringstream text;
      text << x.Double(r);
      return text.str() == wanted;
    };
    int64_t short_rows = 0;
    for (int64_t r = 0; r < view.num_rows(); ++r) {
      if (x_is(r, m.fail_value)) throw Error(SH_INVALID_ARGUMENT, "x=" + m.fail_value + " is refused by the test model");
      if (x_is(r, m.short_value)) ++short_rows;
    }
    // Only the count is wrong: the rows that remain are the first ones, as a buggy model would do.
    const int64_t n = std::max<int64_t>(0, OutputRows(m, view.num_rows()) - short_rows);
    bool intervals = options && (options->flags & SH_SCORE_PREDICTION_INTERVALS);
    arrow::Table table(n);
    auto value_of = [&](int64_t r) { return r < x.length() ? x.Double(r) * 2 : 0.0; };
    if (m.intervals) {
      arrow::Column& y = table.AddColumn("y", SH_TYPE_FLOAT64);
      for (int64_t r = 0; r < n; ++r) y.AppendDouble(value_of(r));
      if (intervals) {
        arrow::Column& lo = table.AddColumn("y.lower", SH_TYPE_FLOAT64);
        for (int64_t r = 0; r < n; ++r) lo.AppendDouble(value_of(r) - 1);
        arrow::Column& hi = table.AddColumn("y.upper", SH_TYPE_FLOAT64);
        for (int64_t r = 0; r < n; ++r) hi.AppendDouble(value_of(r) + 1);
      }
    } else {
      arrow::Column& echo = table.AddColumn("id_echo", SH_TYPE_STR);
      for (int64_t r = 0; r < n; ++r) {
        if (r < id.length() && !id.IsNull(r)) echo.AppendString(id.String(r));
        else echo.AppendNull();
      }
      arrow::Column& y = table.AddColumn("y", SH_TYPE_FLOAT64);
      for (int64_t r = 0; r < n; ++r) {
        if (r < x.length() && x.IsNull(r)) y.AppendNull();
        else y.AppendDouble(value_of(r));
      }
      arrow::Column& rows = table.AddColumn("batch_rows", SH_TYPE_INT64);
      for (int64_t r = 0; r < n; ++r) rows.AppendInt(view.num_rows());
      arrow::Column& call = table.AddColumn("call_no", SH_TYPE_INT64);
      for (int64_t r = 0; r < n; ++r) call.AppendInt(call_no);
    }
    std::move(table).Export(out_schema, out);
  });
}

sh_status* Contribute(sh_model* handle, sh_contribution_kind kind, const ArrowSchema* in_schema, const ArrowArray* in,
                      ArrowSchema* out_schema, ArrowArray* out) {
  return Guard([&] {
    Model& m = *AsModel(handle);
    uint32_t need = kind == SH_CONTRIBUTION_ORIGINAL ? SH_CAP_CONTRIBUTION_ORIGINAL : SH_CAP_CONTRIBUTION_TRANSFORMED;
    if (!(m.contribution_caps & need)) throw Error(SH_UNIMPLEMENTED, "this test model lacks that contribution kind");
    CallScope scope(m);
    m.calls.fetch_add(1);
    arrow::TableView view = ReadInput(in_schema, in);
    const arrow::ColumnView& x = view.column(1);
    const int64_t n = OutputRows(m, view.num_rows());
    arrow::Table table(n);
    arrow::Column& cx = table.AddColumn(kind == SH_CONTRIBUTION_ORIGINAL ? "x" : "x_t", SH_TYPE_FLOAT64);
    for (int64_t r = 0; r < n; ++r) cx.AppendDouble(r < x.length() ? x.Double(r) : 0.0);
    arrow::Column& bias = table.AddColumn("BiasTerm", SH_TYPE_FLOAT64);
    for (int64_t r = 0; r < n; ++r) bias.AppendDouble(0.5);
    std::move(table).Export(out_schema, out);
  });
}

sh_status* Init(const sh_host_api* host) {
  scorehost::plugin::Host() = host;
  return nullptr;
}

void Fini() { scorehost::plugin::Host() = nullptr; }

int Probe(const char* path, const char** artifact_type) {
  if (path == nullptr || !EndsWith(path, ".testdelay")) return 0;
  *artifact_type = kArtifactType;
  return 1;
}

sh_status* Load(const sh_load_args* args, sh_model** out_model) {
  return Guard([&] {
    auto m = std::make_unique<Model>();
    Configure(*m, args->model_path);
    m->inputs = {{"id", SH_TYPE_STR}, {"x", SH_TYPE_FLOAT64}};
    if (m->intervals) {
      m->outputs = {{"y", SH_TYPE_FLOAT64}, {"y.lower", SH_TYPE_FLOAT64}, {"y.upper", SH_TYPE_FLOAT64}};
    } else {
      m->outputs = {{"id_echo", SH_TYPE_STR}, {"y", SH_TYPE_FLOAT64}, {"batch_rows", SH_TYPE_INT64},
                    {"call_no", SH_TYPE_INT64}};
    }
    sh_model_info& info = m->info;
    info.struct_size = sizeof(sh_model_info);
    info.model_id = m->model_id.c_str();
    info.artifact_type = kArtifactType;
    info.description = "TEST ONLY: delay plugin";
    info.n_inputs = m->inputs.size();
    info.inputs = m->inputs.data();
    info.n_outputs = m->outputs.size();
    info.outputs = m->outputs.data();
    info.capabilities = SH_CAP_SCORE | m->contribution_caps | (m->intervals ? SH_CAP_SCORE_PREDICTION_INTERVAL : 0);
    info.thread_safety = m->thread_safe ? SH_THREAD_SAFE : SH_THREAD_SERIAL;
    info.n_properties = m->properties.size();
    info.properties = m->properties.data();
    *out_model = reinterpret_cast<sh_model*>(m.release());
  });
}

const sh_model_info* Describe(const sh_model* model) { return &reinterpret_cast<const Model*>(model)->info; }

void Unload(sh_model* model) { delete AsModel(model); }

}  // namespace

extern "C" SH_PLUGIN_EXPORT int scorehost_plugin_entry(uint32_t host_abi_major, uint32_t /*host_abi_minor*/,
                                                       sh_plugin_api* out) {
  sh_plugin_api api{};
  api.struct_size = sizeof(sh_plugin_api);
  api.abi_major = SH_ABI_MAJOR;
  api.abi_minor = SH_ABI_MINOR;
  api.plugin_name = "scorehost-test-delay";
  api.plugin_version = "0.0.0-test";
  api.n_runtimes = 1;
  api.runtimes = kRuntimes;
  api.init = &Init;
  api.fini = &Fini;
  api.probe_artifact = &Probe;
  api.model_load = &Load;
  api.model_describe = &Describe;
  api.score = &Score;
  api.contribute = &Contribute;
  api.model_unload = &Unload;
  return scorehost::plugin::FillEntry(host_abi_major, out, api);
}
