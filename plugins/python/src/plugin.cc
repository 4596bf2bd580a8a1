// The "python" runtime plugin: Dynamic MLflow Model Scorer for Python 3.10 / 3.11 / 3.12.
//
// A pure C++ supervisor: no libpython is ever loaded into the host. Each model gets a virtualenv
// built from its requirements (env cache, mlflow_env.cc) and one worker process that embeds the
// runtime's CPython (worker/worker_main.cc), supervised by supervisor.cc and spoken to with the
// frame protocol in protocol.hpp. See plugins/python/README.md.
#include <dlfcn.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <simdjson.h>
#include <sstream>
#include <string>
#include <vector>

#include <scorehost/arrow_columns.hpp>
#include <scorehost/plugin_api.h>
#include <scorehost/plugin_helpers.hpp>

#include "mlflow_env.hpp"
#include "process.hpp"
#include "protocol.hpp"
#include "supervisor.hpp"

namespace fs = std::filesystem;
namespace arrow = scorehost::arrow;
using scorehost::plugin::Error;
using scorehost::plugin::Guard;
using scorehost::plugin::Log;

namespace scorehost::pyworker {
std::string FormatWorkerError(const std::string& json, std::string* kind);
}

namespace {

using namespace scorehost::pyworker;

constexpr const char* kArtifactType = "python/mlflow.zip";
constexpr const char* kDefaultMlflowRequirement = "mlflow==2.14.2";  // the seed runtime's pin

const char* const kArtifactTypes[] = {kArtifactType};

struct PythonRuntime {
  const char* name;
  const char* minor;  // "3.10"
};
const PythonRuntime kPythonRuntimes[] = {
    {"python-scorer_mlflow_dynamic_310", "3.10"},
    {"python-scorer_mlflow_dynamic_311", "3.11"},
    {"python-scorer_mlflow_dynamic_312", "3.12"},
};
const sh_runtime_desc kRuntimes[] = {
    {sizeof(sh_runtime_desc), "python-scorer_mlflow_dynamic_310", "[Py 3.10] Dynamic MLflow Model Scorer", 1, kArtifactTypes},
    {sizeof(sh_runtime_desc), "python-scorer_mlflow_dynamic_311", "[Py 3.11] Dynamic MLflow Model Scorer", 1, kArtifactTypes},
    {sizeof(sh_runtime_desc), "python-scorer_mlflow_dynamic_312", "[Py 3.12] Dynamic MLflow Model Scorer", 1, kArtifactTypes},
};

const PythonRuntime* FindRuntime(std::string_view name) {
  for (const PythonRuntime& r : kPythonRuntimes)
    if (name == r.name) return &r;
  return nullptr;
}

// The directory this plugin was loaded from; the workers live in its "python" subdirectory.
std::string PluginDir() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&PluginDir), &info) == 0 || info.dli_fname == nullptr) return ".";
  return fs::path(info.dli_fname).parent_path().string();
}

// What the build recorded for one Python minor (python/pyworker<minor>.cfg), with the
// SCOREHOST_PYTHON<minor> override (e.g. SCOREHOST_PYTHON3_11=/usr/bin/python3.11) for the
// interpreter used to create venvs. It must be the installation the worker was linked against.
struct Toolchain {
  std::string worker;       // worker executable
  std::string python;       // base interpreter
  std::string version;      // full version, "3.11.7"
  std::string glue_dir;
  std::string problem;      // non-empty: why this runtime is unavailable
};

Toolchain FindToolchain(const PythonRuntime& rt) {
  Toolchain t;
  const fs::path dir = fs::path(PluginDir()) / "python";
  t.worker = (dir / (std::string("scorehost-pyworker") + rt.minor)).string();
  t.glue_dir = (dir / "glue").string();
  const fs::path cfg = dir / (std::string("pyworker") + rt.minor + ".cfg");
  std::ifstream in(cfg);
  for (std::string line; std::getline(in, line);) {
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = line.substr(0, eq), value = line.substr(eq + 1);
    if (key == "python") t.python = value;
    if (key == "version") t.version = value;
  }
  std::string env_key = std::string("SCOREHOST_PYTHON") + rt.minor;
  std::replace(env_key.begin(), env_key.end(), '.', '_');
  if (const char* over = std::getenv(env_key.c_str()); over && *over) t.python = over;
  std::error_code ec;
  if (access(t.worker.c_str(), X_OK) != 0) {
    t.problem = std::string("Python ") + rt.minor + " worker not found: " + t.worker +
                " is missing (scorehost was built without Python " + rt.minor +
                " development files; CMake looks for pyenv versions and python" + rt.minor + " on PATH)";
  } else if (t.python.empty() || access(t.python.c_str(), X_OK) != 0) {
    t.problem = std::string("Python ") + rt.minor + " not found: looked in " + cfg.string() + " (python=" + t.python +
                ") and " + env_key;
  } else if (!fs::exists(fs::path(t.glue_dir) / "scorehost_pyworker.py", ec)) {
    t.problem = "the worker glue module is missing from " + t.glue_dir;
  }
  return t;
}

std::string ConfigValue(const sh_load_args* args, const std::string& key) {
  for (size_t i = 0; i < args->n_config; ++i)
    if (args->config[i].key && key == args->config[i].key && args->config[i].value) return args->config[i].value;
  if (const char* v = std::getenv(key.c_str())) return v;
  return {};
}

int64_t ConfigSeconds(const sh_load_args* args, const std::string& key, double fallback) {
  std::string v = ConfigValue(args, key);
  if (v.empty()) return static_cast<int64_t>(fallback * 1000);
  char* end = nullptr;
  double s = std::strtod(v.c_str(), &end);
  if (end == v.c_str() || s <= 0) throw Error(SH_INVALID_ARGUMENT, key + " must be a positive number of seconds, got '" + v + "'");
  return static_cast<int64_t>(s * 1000);
}

int ConfigInt(const sh_load_args* args, const std::string& key, int fallback) {
  std::string v = ConfigValue(args, key);
  if (v.empty()) return fallback;
  char* end = nullptr;
  long n = std::strtol(v.c_str(), &end, 10);
  if (end == v.c_str() || *end != '\0' || n < 0 || n > 1024) throw Error(SH_INVALID_ARGUMENT, key + " must be an integer, got '" + v + "'");
  return static_cast<int>(n);
}

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

// Everything a loaded model owns; sh_model is an opaque alias for it.
struct Model {
  std::string runtime, artifact_type, model_id, description;
  std::vector<std::string> input_names, output_names;
  std::vector<sh_field> inputs, outputs;
  // ABI 1.1 input_examples: one text per input from the MLflow input example's first row; a NULL
  // entry where the example lacks the column or has no value there (the host then shows its
  // per-type placeholder). `example_texts` owns the strings `example_ptrs` points into.
  std::vector<std::optional<std::string>> example_texts;
  std::vector<const char*> example_ptrs;
  sh_model_info info{};
  std::unique_ptr<MlflowArtifact> artifact;
  std::unique_ptr<Supervisor> supervisor;  // declared last: destroyed first, before the artifact dir goes
};

Model* AsModel(sh_model* m) { return reinterpret_cast<Model*>(m); }
const Model* AsModel(const sh_model* m) { return reinterpret_cast<const Model*>(m); }

sh_data_type TypeFromCode(int64_t code) {
  if (code < SH_TYPE_BOOL || code > SH_TYPE_TIME64) throw Error(SH_INTERNAL, "worker declared unknown type " + std::to_string(code));
  return static_cast<sh_data_type>(code);
}

void ParseLoaded(const std::string& json, Model* m) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(json).get(doc) != simdjson::SUCCESS) throw Error(SH_INTERNAL, "worker sent a malformed LOADED document");
  std::string_view sv;
  if (doc["model_id"].get(sv) == simdjson::SUCCESS) m->model_id = sv;
  if (doc["description"].get(sv) == simdjson::SUCCESS) m->description = sv;
  auto fields = [&](const char* key, std::vector<std::string>* names, std::vector<sh_field>* out) {
    simdjson::dom::array arr;
    if (doc[key].get(arr) != simdjson::SUCCESS) throw Error(SH_INTERNAL, std::string("LOADED lacks ") + key);
    std::vector<sh_data_type> types;
    for (simdjson::dom::element e : arr) {
      std::string_view name;
      int64_t type = 0;
      if (e["name"].get(name) != simdjson::SUCCESS || e["type"].get(type) != simdjson::SUCCESS)
        throw Error(SH_INTERNAL, std::string("LOADED has a malformed ") + key + " entry");
      names->emplace_back(name);
      types.push_back(TypeFromCode(type));
    }
    for (size_t i = 0; i < names->size(); ++i) out->push_back({(*names)[i].c_str(), types[i]});
  };
  fields("inputs", &m->input_names, &m->inputs);
  fields("outputs", &m->output_names, &m->outputs);

  // sample_request: {"fields": [...], "rows": [[text or null, ...], ...]} from the input example
  // (null when the model has none). Matched to the inputs by name, because an example may carry
  // its columns in another order than the signature, or extra ones.
  m->example_texts.assign(m->input_names.size(), std::nullopt);
  simdjson::dom::object sample;
  simdjson::dom::array sample_fields, sample_rows;
  if (doc["sample_request"].get(sample) == simdjson::SUCCESS && sample["fields"].get(sample_fields) == simdjson::SUCCESS &&
      sample["rows"].get(sample_rows) == simdjson::SUCCESS && sample_rows.size() > 0) {
    simdjson::dom::array first;
    if (sample_rows.at(0).get(first) == simdjson::SUCCESS) {
      size_t column = 0;
      for (simdjson::dom::element f : sample_fields) {
        std::string_view field, value;
        if (f.get(field) == simdjson::SUCCESS && column < first.size() && first.at(column).get(value) == simdjson::SUCCESS) {
          for (size_t i = 0; i < m->input_names.size(); ++i)
            if (m->input_names[i] == field) m->example_texts[i] = std::string(value);
        }
        ++column;
      }
    }
  }
  m->example_ptrs.clear();
  for (const auto& text : m->example_texts) m->example_ptrs.push_back(text ? text->c_str() : nullptr);
}

// ---- ABI entry points -----------------------------------------------------------------------

sh_status* Init(const sh_host_api* host) {
  scorehost::plugin::Host() = host;
  return nullptr;
}

void Fini() { scorehost::plugin::Host() = nullptr; }

sh_status* RuntimeStatus(const char* runtime_name) {
  return Guard([&]() -> sh_status* {
    const PythonRuntime* rt = FindRuntime(runtime_name ? runtime_name : "");
    if (!rt) return scorehost::plugin::MakeStatus(SH_NOT_FOUND, std::string("unknown runtime ") + (runtime_name ? runtime_name : ""));
    Toolchain t = FindToolchain(*rt);
    if (!t.problem.empty()) return scorehost::plugin::MakeStatus(SH_FAILED_PRECONDITION, t.problem);
    return nullptr;
  });
}

std::string RuntimeForVersion(const std::string& version) {
  std::string minor = version.substr(0, version.find('.', version.find('.') + 1));
  for (const PythonRuntime& r : kPythonRuntimes)
    if (minor == r.minor) return r.name;
  return {};
}

sh_status* ModelLoad(const sh_load_args* args, sh_model** out_model) {
  return Guard([&] {
    const std::string runtime = args->runtime_name ? args->runtime_name : "";
    const PythonRuntime* rt = FindRuntime(runtime);
    if (!rt) throw Error(SH_INVALID_ARGUMENT, "the python plugin does not serve runtime '" + runtime + "'");
    Toolchain tc = FindToolchain(*rt);
    if (!tc.problem.empty()) throw Error(SH_FAILED_PRECONDITION, tc.problem);

    auto model = std::make_unique<Model>();
    model->runtime = runtime;
    model->artifact_type = args->artifact_type ? args->artifact_type : kArtifactType;
    const char* tmp = std::getenv("TMPDIR");
    model->artifact = std::make_unique<MlflowArtifact>();
    OpenMlflowArtifact(args->model_path, (fs::path(tmp && *tmp ? tmp : "/tmp") / "scorehost").string(),
                       model->artifact.get());
    const MlflowArtifact& art = *model->artifact;

    // The model's Python minor picks the runtime: cloudpickle'd code only loads on the minor that
    // pickled it. A model that states no version is tried as it is.
    if (!art.python_version.empty()) {
      std::string wanted = art.python_version.substr(0, art.python_version.find('.', art.python_version.find('.') + 1));
      if (wanted != rt->minor) {
        std::string right = RuntimeForVersion(art.python_version);
        throw Error(SH_FAILED_PRECONDITION,
                    "the model was saved with Python " + art.python_version + " (" + art.python_version_from +
                        ") but runtime " + runtime + " runs Python " + rt->minor + "; " +
                        (right.empty() ? std::string("no Dynamic MLflow runtime serves Python ") + wanted +
                                             " (these serve 3.10, 3.11 and 3.12)"
                                       : "use runtime " + right + " instead"));
      }
    }

    EnvRequest env;
    std::string cache = ConfigValue(args, "SCOREHOST_ENV_CACHE");
    env.cache_root = cache.empty() ? DefaultEnvCache() : cache;
    env.base_python = tc.python;
    env.python_version = tc.version.empty() ? std::string(rt->minor) + ".0" : tc.version;
    env.artifact = &art;
    if (!RequirementsNameMlflow(art.requirements_text)) {
      std::string pin = ConfigValue(args, "SCOREHOST_MLFLOW_REQUIREMENT");
      env.extra_requirement = pin.empty() ? kDefaultMlflowRequirement : pin;
    }
    for (const char* key : {"PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_NO_INDEX", "PIP_TRUSTED_HOST",
                            "PIP_CERT", "PIP_CONSTRAINT", "PIP_CACHE_DIR", "PIP_TIMEOUT", "PIP_RETRIES"}) {
      std::string v = ConfigValue(args, key);
      if (!v.empty()) env.pip_env[key] = v;
    }
    env.timeout_ms = ConfigSeconds(args, "SCOREHOST_ENV_BUILD_TIMEOUT", 3600);
    EnvResult built = EnsureEnv(env);

    // Concurrency (seed semantics): BATCH_WORKERS=0 lets up to SCORING_CONCURRENCY calls run in the
    // worker at once, BATCH_WORKERS>1 runs that many batches in parallel; both need a thread-safe
    // model. BATCH_WORKERS=1 (the default) serialises.
    const int batch_workers = ConfigInt(args, "BATCH_WORKERS", 1);
    const int concurrency = std::max(1, ConfigInt(args, "SCORING_CONCURRENCY", 4));
    int connections = batch_workers == 0 ? concurrency : std::max(1, batch_workers);

    WorkerConfig wc;
    wc.label = runtime + " model " + args->model_path;
    wc.worker_exe = tc.worker;
    wc.venv_python = built.python;
    wc.glue_dir = tc.glue_dir;
    wc.load_request = "{\"model_dir\":" + JsonString(art.model_dir) + ",\"runtime\":" + JsonString(runtime) + "}";
    std::map<std::string, std::string> child_env = {{"VIRTUAL_ENV", built.dir}};
    const char* path = std::getenv("PATH");
    child_env["PATH"] = built.dir + "/bin" + (path ? std::string(":") + path : "");
    for (const char* key : {"CUDA_VISIBLE_DEVICES", "OMP_NUM_THREADS"}) {
      std::string v = ConfigValue(args, key);
      if (!v.empty()) child_env[key] = v;
    }
    // The worker is never built with sanitizers (README: "Sanitizer builds"); keep their runtime
    // options away from it so a sanitized host's settings cannot change how Python behaves.
    wc.env = EnvironmentWith(child_env, {"PYTHONHOME", "PYTHONPATH", "PYTHONSTARTUP", "LD_PRELOAD"});
    wc.connections = connections;
    wc.hello_timeout_ms = ConfigSeconds(args, "SCOREHOST_PYTHON_START_TIMEOUT", 60);
    wc.load_timeout_ms = ConfigSeconds(args, "SCOREHOST_PYTHON_LOAD_TIMEOUT", 600);
    wc.call_timeout_ms = ConfigSeconds(args, "SCOREHOST_PYTHON_CALL_TIMEOUT", 120);
    wc.load_attempts = std::max(1, ConfigInt(args, "SCOREHOST_PYTHON_LOAD_ATTEMPTS", 2));

    model->supervisor = std::make_unique<Supervisor>(wc);
    std::string loaded = model->supervisor->Start();
    ParseLoaded(loaded, model.get());

    sh_model_info& info = model->info;
    info.struct_size = sizeof(sh_model_info);
    info.model_id = model->model_id.c_str();
    info.artifact_type = model->artifact_type.c_str();
    info.description = model->description.c_str();
    info.n_inputs = model->inputs.size();
    info.inputs = model->inputs.data();
    info.n_outputs = model->outputs.size();
    info.outputs = model->outputs.data();
    info.capabilities = SH_CAP_SCORE;
    info.thread_safety = connections > 1 ? SH_THREAD_SAFE : SH_THREAD_SERIAL;
    const bool any_example = std::any_of(model->example_ptrs.begin(), model->example_ptrs.end(),
                                         [](const char* p) { return p != nullptr; });
    info.input_examples = any_example ? model->example_ptrs.data() : nullptr;
    Log(SH_LOG_INFO, "loaded " + std::string(args->model_path) + " with " + runtime + " (env " + built.dir +
                         (built.reused ? ", reused" : ", built") + "; " + std::to_string(connections) +
                         " concurrent call slot(s))");
    *out_model = reinterpret_cast<sh_model*>(model.release());
  });
}

const sh_model_info* ModelDescribe(const sh_model* model) { return &AsModel(model)->info; }

// Arrow struct array -> SCORE column block.
std::string EncodeInput(const Model& model, const ArrowSchema* schema, const ArrowArray* array) {
  arrow::TableView view;
  std::string why;
  if (!arrow::TableView::Make(schema, array, &view, &why)) throw Error(SH_INVALID_ARGUMENT, "bad input batch: " + why);
  if (view.num_columns() != model.inputs.size())
    throw Error(SH_INVALID_ARGUMENT, "expected " + std::to_string(model.inputs.size()) + " input columns, got " +
                                         std::to_string(view.num_columns()));
  const uint64_t rows = static_cast<uint64_t>(view.num_rows());
  std::string out;
  BlockWriter w(&out);
  w.Begin(rows, static_cast<uint32_t>(view.num_columns()));
  std::vector<uint8_t> validity, values;
  std::vector<uint32_t> offsets;
  std::string chars;
  for (size_t c = 0; c < view.num_columns(); ++c) {
    const arrow::ColumnView& col = view.column(c);
    const sh_data_type type = model.inputs[c].type;  // Time64 arrives as utf8; the schema says which
    const uint8_t wire_type = static_cast<uint8_t>(arrow::IsStringType(col.type()) && type == SH_TYPE_TIME64 ? 7 : col.type());
    const uint8_t* vptr = nullptr;
    if (col.null_count() != 0) {
      validity.assign(BitmapBytes(rows), 0);
      for (uint64_t r = 0; r < rows; ++r)
        if (!col.IsNull(static_cast<int64_t>(r))) validity[r / 8] |= static_cast<uint8_t>(1u << (r % 8));
      vptr = validity.data();
    }
    std::string name(model.input_names[c]);
    if (col.type() == SH_TYPE_BOOL) {
      values.assign(BitmapBytes(rows), 0);
      for (uint64_t r = 0; r < rows; ++r)
        if (col.Bool(static_cast<int64_t>(r))) values[r / 8] |= static_cast<uint8_t>(1u << (r % 8));
      w.Column(name, 1, vptr, values.data(), values.size(), nullptr, 0);
    } else if (arrow::IsStringType(col.type())) {
      offsets.assign(rows + 1, 0);
      chars.clear();
      for (uint64_t r = 0; r < rows; ++r) {
        if (!col.IsNull(static_cast<int64_t>(r))) chars.append(col.String(static_cast<int64_t>(r)));
        offsets[r + 1] = static_cast<uint32_t>(chars.size());
      }
      w.Column(name, wire_type, vptr, offsets.data(), offsets.size() * 4, chars.data(), chars.size());
    } else {
      const size_t width = arrow::FixedWidthOf(col.type());
      const ArrowArray* child = array->children[c];
      const uint8_t* base = static_cast<const uint8_t*>(child->buffers[1]) + child->offset * width;
      w.Column(name, static_cast<uint8_t>(col.type()), vptr, rows ? base : nullptr, rows * width, nullptr, 0);
    }
  }
  return out;
}

// RESULT column block -> Arrow struct array with exactly the rows the model returned.
void DecodeOutput(const std::string& payload, ArrowSchema* out_schema, ArrowArray* out) {
  WireBlock block;
  std::string why;
  if (!DecodeColumns(payload, &block, &why)) throw Error(SH_INTERNAL, "python worker sent a bad result: " + why);
  const int64_t rows = static_cast<int64_t>(block.rows);
  arrow::Table table;
  table.set_num_rows(rows);
  for (const WireColumn& wc : block.columns) {
    const sh_data_type type = static_cast<sh_data_type>(wc.type);
    arrow::Column& col = table.AddColumn(std::string(wc.name), type);
    col.Reserve(static_cast<size_t>(rows));
    for (int64_t r = 0; r < rows; ++r) {
      if (!wc.IsValid(static_cast<uint64_t>(r))) {
        col.AppendNull();
        continue;
      }
      switch (wc.type) {
        case 1: col.AppendBool((wc.values[r / 8] >> (r % 8)) & 1u); break;
        case 2: { int32_t v; std::memcpy(&v, wc.values + r * 4, 4); col.AppendInt(v); break; }
        case 3: { int64_t v; std::memcpy(&v, wc.values + r * 8, 8); col.AppendInt(v); break; }
        case 4: { float v; std::memcpy(&v, wc.values + r * 4, 4); col.AppendDouble(v); break; }
        case 5: { double v; std::memcpy(&v, wc.values + r * 8, 8); col.AppendDouble(v); break; }
        default: {
          uint32_t a, b;
          std::memcpy(&a, wc.values + r * 4, 4);
          std::memcpy(&b, wc.values + (r + 1) * 4, 4);
          col.AppendString(std::string_view(reinterpret_cast<const char*>(wc.chars) + a, b - a));
        }
      }
    }
  }
  std::move(table).Export(out_schema, out);
}

sh_status* Score(sh_model* handle, const ArrowSchema* in_schema, const ArrowArray* in, const sh_score_options* options,
                 ArrowSchema* out_schema, ArrowArray* out) {
  (void)options;  // MLflow models have no prediction intervals
  return Guard([&] {
    Model& model = *AsModel(handle);
    std::string request = EncodeInput(model, in_schema, in);
    MsgType reply_type;
    std::string reply;
    model.supervisor->Call(MsgType::kScore, request, &reply_type, &reply);
    if (reply_type == MsgType::kError) {
      std::string kind;
      std::string message = FormatWorkerError(reply, &kind);
      if (kind == "user") throw Error(SH_INVALID_ARGUMENT, "the model rejected the input: " + message);
      throw Error(SH_INTERNAL, "the model raised an exception: " + message);
    }
    if (reply_type != MsgType::kResult)
      throw Error(SH_INTERNAL, "python worker answered SCORE with frame type " + std::to_string(static_cast<int>(reply_type)));
    DecodeOutput(reply, out_schema, out);
  });
}

void ModelUnload(sh_model* model) {
  try {
    delete AsModel(model);
  } catch (...) {
    // a destructor that throws has nowhere to report to; the process keeps running
  }
}

const sh_plugin_api kApi = {
    sizeof(sh_plugin_api), SH_ABI_MAJOR, SH_ABI_MINOR,
    "python", "0.1.0",
    sizeof(kRuntimes) / sizeof(kRuntimes[0]), kRuntimes,
    &Init, &Fini, /*probe_artifact=*/nullptr, &RuntimeStatus,
    &ModelLoad, &ModelDescribe, &Score, /*contribute=*/nullptr, &ModelUnload};

}  // namespace

extern "C" SH_PLUGIN_EXPORT int scorehost_plugin_entry(uint32_t host_abi_major, uint32_t host_abi_minor,
                                                       sh_plugin_api* out) {
  (void)host_abi_minor;
  return scorehost::plugin::FillEntry(host_abi_major, out, kApi);
}
