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

#include "cuda_probe.hpp"
#include "dai_licence.hpp"
#include "dai_python_pipeline.hpp"
#include "hydrogen_torch.hpp"
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

constexpr const char* kMlflowArtifactType = "python/mlflow.zip";
constexpr const char* kDefaultMlflowRequirement = "mlflow==2.14.2";  // the seed runtime's pin

const char* const kMlflowArtifactTypes[] = {kMlflowArtifactType};
const char* const kDaiMojoArtifactTypes[] = {"dai_mojo_pipeline", "mlflow_mojo_pipeline"};
const char* const kDaiPythonArtifactTypes[] = {"dai_python_scoring_pipeline", "mlflow_scoring_pipeline"};

// Which kind of model a runtime serves, and so which loader (LoadMlflowModel / LoadDaiMojo).
enum class Family { kMlflow, kHydrogenTorch, kDaiMojo, kDaiPython };

// How each runtime gets its environment.
enum class EnvSource {
  kPerModel,     // built from the model's own requirements.txt (env cache)
  kStaticHt16,   // the one pinned Hydrogen Torch 1.6 env, shared by every model
  kDaiMojo,      // the one pinned daimojo env (registry/dai-mojo-requirements.txt)
  kDaiPipeline,  // the pipeline's requirements.txt plus the wheels it ships
};

struct PythonRuntime {
  const char* name;
  const char* display_name;
  const char* minor;  // "3.10"; for kDaiMojo the preferred one (the newest worker daimojo has wheels for is used)
  DevicePolicy device;
  EnvSource env;
  Family family;
};
// Display names as the product tables give them (../registry/runtimes.toml).
const PythonRuntime kPythonRuntimes[] = {
    {"python-scorer_mlflow_dynamic_310", "[Py 3.10] Dynamic MLflow Model Scorer", "3.10", DevicePolicy::kInherit, EnvSource::kPerModel, Family::kMlflow},
    {"python-scorer_mlflow_dynamic_311", "[Py 3.11] Dynamic MLflow Model Scorer", "3.11", DevicePolicy::kInherit, EnvSource::kPerModel, Family::kMlflow},
    {"python-scorer_mlflow_dynamic_312", "[Py 3.12] Dynamic MLflow Model Scorer", "3.12", DevicePolicy::kInherit, EnvSource::kPerModel, Family::kMlflow},
    {"python-scorer_hydrogen_torch_cpu_py310", "[PY-3.10][CPU] HT Flexible Runtime", "3.10", DevicePolicy::kCpu, EnvSource::kPerModel, Family::kHydrogenTorch},
    {"python-scorer_hydrogen_torch_gpu_py310", "[PY-3.10][GPU] HT Flexible Runtime", "3.10", DevicePolicy::kGpu, EnvSource::kPerModel, Family::kHydrogenTorch},
    {"python-scorer_hydrogen_torch_py312", "[PY-3.12] HT Flexible Runtime (Auto CPU/GPU)", "3.12", DevicePolicy::kAuto, EnvSource::kPerModel, Family::kHydrogenTorch},
    // HT 1.6's scoring environment ran Python 3.10 (its flexible runtimes of that time are py310).
    {"python-scorer_hydrogen_torch_static_ht16", "HT Static Runtime (Auto CPU/GPU) [HT 1.6]", "3.10", DevicePolicy::kAuto, EnvSource::kStaticHt16, Family::kHydrogenTorch},
    {"dai-mojo-scorer", "MOJO Scorer", "3.12", DevicePolicy::kInherit, EnvSource::kDaiMojo, Family::kDaiMojo},
    // One per Driverless AI version: a pipeline only runs with the h2oaicore of the DAI that built it.
    // DAI 1.11 and 2.x pipelines are built for CPython 3.11 (their wheels' cp311 tag says so).
    {"python-scorer_dai_pipelines_1110", "Python Pipeline Scorer [Driverless AI 1.11.0]", "3.11", DevicePolicy::kInherit, EnvSource::kDaiPipeline, Family::kDaiPython},
    {"python-scorer_dai_pipelines_11111", "Python Pipeline Scorer [Driverless AI 1.11.1.1]", "3.11", DevicePolicy::kInherit, EnvSource::kDaiPipeline, Family::kDaiPython},
    {"python-scorer_dai_pipelines_200", "Python Pipeline Scorer [Driverless AI 2.0.0]", "3.11", DevicePolicy::kInherit, EnvSource::kDaiPipeline, Family::kDaiPython},
    {"python-scorer_dai_pipelines_210", "Python Pipeline Scorer [Driverless AI 2.1.0]", "3.11", DevicePolicy::kInherit, EnvSource::kDaiPipeline, Family::kDaiPython},
    {"python-scorer_dai_pipelines_223", "Python Pipeline Scorer [Driverless AI 2.2.3]", "3.11", DevicePolicy::kInherit, EnvSource::kDaiPipeline, Family::kDaiPython},
    {"python-scorer_dai_pipelines_224", "Python Pipeline Scorer [Driverless AI 2.2.4]", "3.11", DevicePolicy::kInherit, EnvSource::kDaiPipeline, Family::kDaiPython},
    {"python-scorer_dai_pipelines_225", "Python Pipeline Scorer [Driverless AI 2.2.5]", "3.11", DevicePolicy::kInherit, EnvSource::kDaiPipeline, Family::kDaiPython},
    {"python-scorer_dai_pipelines_231", "Python Pipeline Scorer [Driverless AI 2.3.1]", "3.11", DevicePolicy::kInherit, EnvSource::kDaiPipeline, Family::kDaiPython},
    {"python-scorer_dai_pipelines_232", "Python Pipeline Scorer [Driverless AI 2.3.2]", "3.11", DevicePolicy::kInherit, EnvSource::kDaiPipeline, Family::kDaiPython},
    {"python-scorer_dai_pipelines_240", "Python Pipeline Scorer [Driverless AI 2.4.0]", "3.11", DevicePolicy::kInherit, EnvSource::kDaiPipeline, Family::kDaiPython},
};
constexpr size_t kRuntimeCount = sizeof(kPythonRuntimes) / sizeof(kPythonRuntimes[0]);

// The ABI's runtime descriptions, built from the table above once (static storage, as the ABI asks).
const sh_runtime_desc* RuntimeDescs() {
  static const std::vector<sh_runtime_desc> descs = [] {
    std::vector<sh_runtime_desc> out;
    for (const PythonRuntime& r : kPythonRuntimes) {
      if (r.family == Family::kDaiMojo)
        out.push_back({sizeof(sh_runtime_desc), r.name, r.display_name, 2, kDaiMojoArtifactTypes});
      else if (r.family == Family::kDaiPython)
        out.push_back({sizeof(sh_runtime_desc), r.name, r.display_name, 2, kDaiPythonArtifactTypes});
      else
        out.push_back({sizeof(sh_runtime_desc), r.name, r.display_name, 1, kMlflowArtifactTypes});
    }
    return out;
  }();
  return descs.data();
}

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

Toolchain FindToolchain(const std::string& minor) {
  Toolchain t;
  const fs::path dir = fs::path(PluginDir()) / "python";
  t.worker = (dir / ("scorehost-pyworker" + minor)).string();
  t.glue_dir = (dir / "glue").string();
  const fs::path cfg = dir / ("pyworker" + minor + ".cfg");
  std::ifstream in(cfg);
  for (std::string line; std::getline(in, line);) {
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = line.substr(0, eq), value = line.substr(eq + 1);
    if (key == "python") t.python = value;
    if (key == "version") t.version = value;
  }
  std::string env_key = "SCOREHOST_PYTHON" + minor;
  std::replace(env_key.begin(), env_key.end(), '.', '_');
  if (const char* over = std::getenv(env_key.c_str()); over && *over) t.python = over;
  std::error_code ec;
  if (access(t.worker.c_str(), X_OK) != 0) {
    t.problem = "Python " + minor + " worker not found: " + t.worker +
                " is missing (scorehost was built without Python " + minor +
                " development files; CMake looks for pyenv versions and python" + minor + " on PATH)";
  } else if (t.python.empty() || access(t.python.c_str(), X_OK) != 0) {
    t.problem = "Python " + minor + " not found: looked in " + cfg.string() + " (python=" + t.python +
                ") and " + env_key;
  } else if (!fs::exists(fs::path(t.glue_dir) / "scorehost_pyworker.py", ec)) {
    t.problem = "the worker glue module is missing from " + t.glue_dir;
  }
  return t;
}

// daimojo 2.9.2 has wheels for CPython 3.10, 3.11 and 3.12 only (plugins/python/DAI-MOJO.md): the
// newest of those with a worker runs the dai-mojo-scorer.
Toolchain DaiMojoToolchain(std::string* minor) {
  Toolchain first;
  for (const char* m : {"3.12", "3.11", "3.10"}) {
    Toolchain t = FindToolchain(m);
    if (t.problem.empty()) {
      *minor = m;
      return t;
    }
    if (first.problem.empty()) first = t;
  }
  first.problem = "no Python 3.10, 3.11 or 3.12 worker (daimojo has wheels for those only): " + first.problem;
  return first;
}

// A setting the host put in the load config (nullptr when it did not).
const char* FromLoadConfig(const sh_load_args* args, const std::string& key) {
  for (size_t i = 0; i < args->n_config; ++i)
    if (args->config[i].key && key == args->config[i].key && args->config[i].value) return args->config[i].value;
  return nullptr;
}

// A setting from the load config, else the environment; false when it is set in neither.
bool ConfigLookup(const sh_load_args* args, const std::string& key, std::string* value) {
  const char* v = FromLoadConfig(args, key);
  if (v == nullptr) v = std::getenv(key.c_str());
  if (v == nullptr) return false;
  *value = v;
  return true;
}

// The same, "" when unset.
std::string ConfigValue(const sh_load_args* args, const std::string& key) {
  std::string value;
  ConfigLookup(args, key, &value);
  return value;
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
  // What the worker's torch reported at load (LOADED "torch"); empty when the model imports none.
  std::string torch_version, torch_cuda_available, torch_device_name;
  // DAI MOJO pipelines (LOADED "operations" / "dai"): each operation "true", "false" or "null"
  // (unknown: Shapley support is known only to a licensed runtime); facts about the pipeline.
  std::vector<std::pair<std::string, std::string>> operations, dai_facts;
  bool dai_metadata_only = false;  // opened without a licence (scorehost inspect): cannot score
  std::unique_ptr<DaiPythonPipeline> dai_pipeline;  // a DAI Python pipeline's files (extracted zip)
  // ABI 1.2 runtime properties (device, env, ...): `property_texts` owns what `properties` points at.
  std::vector<std::pair<std::string, std::string>> property_texts;
  std::vector<sh_kv> properties;
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

  simdjson::dom::object ops, dai;
  if (doc["operations"].get(ops) == simdjson::SUCCESS) {
    for (auto [key, value] : ops) {
      bool b = false;
      m->operations.emplace_back(std::string(key), value.is_null() ? "null" : (value.get(b) == simdjson::SUCCESS && b) ? "true" : "false");
    }
  }
  if (doc["dai"].get(dai) == simdjson::SUCCESS) {
    for (auto [key, value] : dai) {
      std::string_view text;
      int64_t number = 0;
      if (value.get(text) == simdjson::SUCCESS) m->dai_facts.emplace_back(std::string(key), std::string(text));
      else if (value.get(number) == simdjson::SUCCESS) m->dai_facts.emplace_back(std::string(key), std::to_string(number));
    }
  }

  simdjson::dom::object torch;
  if (doc["torch"].get(torch) == simdjson::SUCCESS) {
    std::string_view v;
    bool cuda = false;
    if (torch["version"].get(v) == simdjson::SUCCESS) m->torch_version = v;
    if (torch["cuda_available"].get(cuda) == simdjson::SUCCESS) m->torch_cuda_available = cuda ? "true" : "false";
    if (torch["device_name"].get(v) == simdjson::SUCCESS) m->torch_device_name = v;
  }
}

// ---- ABI entry points -----------------------------------------------------------------------

sh_status* Init(const sh_host_api* host) {
  scorehost::plugin::Host() = host;
  return nullptr;
}

void Fini() { scorehost::plugin::Host() = nullptr; }

std::string WorkerDir() { return (fs::path(PluginDir()) / "python").string(); }

// The daimojo env's pins (registry/dai-mojo-requirements.txt, copied beside the workers).
std::string DaiMojoRequirementsPath() {
  if (const char* over = std::getenv("SCOREHOST_DAI_MOJO_REQUIREMENTS"); over && *over) return over;
  return (fs::path(WorkerDir()) / "static-envs" / "dai-mojo-requirements.txt").string();
}

const CudaProbeResult& Probe() { return CachedCudaProbe((fs::path(WorkerDir()) / kCudaProbeExecutable).string()); }

sh_status* RuntimeStatus(const char* runtime_name) {
  return Guard([&]() -> sh_status* {
    const PythonRuntime* rt = FindRuntime(runtime_name ? runtime_name : "");
    if (!rt) return scorehost::plugin::MakeStatus(SH_NOT_FOUND, std::string("unknown runtime ") + (runtime_name ? runtime_name : ""));
    std::string minor = rt->minor;
    Toolchain t = rt->family == Family::kDaiMojo ? DaiMojoToolchain(&minor) : FindToolchain(rt->minor);
    if (!t.problem.empty()) return scorehost::plugin::MakeStatus(SH_FAILED_PRECONDITION, t.problem);
    if (rt->env == EnvSource::kDaiMojo && access(DaiMojoRequirementsPath().c_str(), R_OK) != 0)
      return scorehost::plugin::MakeStatus(SH_FAILED_PRECONDITION,
                                           "the daimojo environment's pinned requirements are missing: " + DaiMojoRequirementsPath());
    if (rt->env == EnvSource::kStaticHt16) {
      std::string pins = StaticHt16RequirementsPath(WorkerDir());
      if (access(pins.c_str(), R_OK) != 0)
        return scorehost::plugin::MakeStatus(SH_FAILED_PRECONDITION,
                                             "the static Hydrogen Torch 1.6 environment's pinned requirements are missing: " + pins);
    }
    if (rt->device == DevicePolicy::kGpu && !Probe().has_device)
      return scorehost::plugin::MakeStatus(SH_FAILED_PRECONDITION,
                                           "needs a CUDA device: " + Probe().problem +
                                               " (python-scorer_hydrogen_torch_cpu_py310 serves the same models on CPU)");
    return nullptr;
  });
}

// The runtime of the same family that runs Python `version` ("" when none does).
std::string RuntimeForVersion(const std::string& version, bool hydrogen_torch) {
  std::string minor = version.substr(0, version.find('.', version.find('.') + 1));
  if (hydrogen_torch) {
    if (minor == "3.10") return "python-scorer_hydrogen_torch_cpu_py310";
    if (minor == "3.12") return "python-scorer_hydrogen_torch_py312";
    return {};
  }
  for (const PythonRuntime& r : kPythonRuntimes)
    if (r.family == Family::kMlflow && minor == r.minor) return r.name;
  return {};
}

// The flexible Hydrogen Torch runtime a model refused by the static one should use.
std::string FlexibleHtRuntime(const MlflowArtifact& art) {
  std::string right = art.python_version.empty() ? std::string() : RuntimeForVersion(art.python_version, true);
  return right.empty() ? "python-scorer_hydrogen_torch_cpu_py310 or python-scorer_hydrogen_torch_py312" : right;
}

// The licence settings the worker's pipeline reads, as configured.
std::map<std::string, std::string> LicenceEnvironment(const sh_load_args* args) {
  std::map<std::string, std::string> out;
  for (const char* key : {"DRIVERLESS_AI_LICENSE_KEY", "DRIVERLESS_AI_LICENSE_FILE"}) {
    std::string v;
    if (ConfigLookup(args, key, &v)) out[key] = v;
  }
  return out;
}

std::map<std::string, std::string> PipSettings(const sh_load_args* args) {
  std::map<std::string, std::string> out;
  for (const char* key : {"PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_NO_INDEX", "PIP_TRUSTED_HOST",
                          "PIP_CERT", "PIP_CONSTRAINT", "PIP_CACHE_DIR", "PIP_TIMEOUT", "PIP_RETRIES"}) {
    std::string v = ConfigValue(args, key);
    if (!v.empty()) out[key] = v;
  }
  return out;
}

// An env described by a pinned requirements file shipped with the plugin (static HT 1.6, daimojo):
// one env per file, keyed by the pins alone, never by a model's requirements.
EnvRequest PinnedEnvRequest(const std::string& pins, const std::string& what, const std::string& name_prefix) {
  std::ifstream in(pins);
  if (!in) throw Error(SH_FAILED_PRECONDITION, "the " + what + "'s pinned requirements are missing: " + pins);
  std::ostringstream text;
  text << in.rdbuf();
  EnvRequest env;
  env.label = pins;
  env.has_requirements = true;
  env.requirements_path = pins;
  env.requirements_text = text.str();
  env.work_dir = fs::path(pins).parent_path().string();
  env.name_prefix = name_prefix;
  return env;
}

EnvResult BuildEnv(const sh_load_args* args, const Toolchain& tc, const std::string& minor, EnvRequest env) {
  std::string cache = ConfigValue(args, "SCOREHOST_ENV_CACHE");
  env.cache_root = cache.empty() ? DefaultEnvCache() : cache;
  env.base_python = tc.python;
  env.python_version = tc.version.empty() ? minor + ".0" : tc.version;
  env.pip_env = PipSettings(args);
  env.timeout_ms = ConfigSeconds(args, "SCOREHOST_ENV_BUILD_TIMEOUT", 3600);
  return EnsureEnv(env);
}

// Concurrency (seed semantics): BATCH_WORKERS=0 lets up to SCORING_CONCURRENCY calls run in the
// worker at once, BATCH_WORKERS>1 runs that many batches in parallel; both need a thread-safe
// model. BATCH_WORKERS=1 (the default) serialises.
int CallSlots(const sh_load_args* args) {
  const int batch_workers = ConfigInt(args, "BATCH_WORKERS", 1);
  const int concurrency = std::max(1, ConfigInt(args, "SCORING_CONCURRENCY", 4));
  return batch_workers == 0 ? concurrency : std::max(1, batch_workers);
}

// Starts the model's worker in `built` and reads its LOADED document into `model`.
void StartWorker(const sh_load_args* args, const Toolchain& tc, const EnvResult& built, const std::string& load_request,
                 std::map<std::string, std::string> child_env, int connections, Model* model) {
  WorkerConfig wc;
  wc.label = model->runtime + " model " + args->model_path;
  wc.worker_exe = tc.worker;
  wc.venv_python = built.python;
  wc.glue_dir = tc.glue_dir;
  wc.load_request = load_request;
  child_env["VIRTUAL_ENV"] = built.dir;
  const char* path = std::getenv("PATH");
  child_env["PATH"] = built.dir + "/bin" + (path ? std::string(":") + path : "");
  for (const char* key : {"CUDA_VISIBLE_DEVICES", "OMP_NUM_THREADS"}) {
    std::string v = ConfigValue(args, key);
    if (!v.empty() && !child_env.count(key)) child_env[key] = v;
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
  ParseLoaded(model->supervisor->Start(), model);
}

// Fills sh_model_info from what the worker reported, and the properties from property_texts.
void DescribeModel(Model* model, uint32_t capabilities, int connections) {
  sh_model_info& info = model->info;
  info.struct_size = sizeof(sh_model_info);
  info.model_id = model->model_id.c_str();
  info.artifact_type = model->artifact_type.c_str();
  info.description = model->description.c_str();
  info.n_inputs = model->inputs.size();
  info.inputs = model->inputs.data();
  info.n_outputs = model->outputs.size();
  info.outputs = model->outputs.data();
  info.capabilities = capabilities;
  info.thread_safety = connections > 1 ? SH_THREAD_SAFE : SH_THREAD_SERIAL;
  const bool any_example = std::any_of(model->example_ptrs.begin(), model->example_ptrs.end(),
                                       [](const char* p) { return p != nullptr; });
  info.input_examples = any_example ? model->example_ptrs.data() : nullptr;
  for (const auto& [k, v] : model->property_texts) model->properties.push_back({k.c_str(), v.c_str()});
  info.n_properties = model->properties.size();
  info.properties = model->properties.data();
}

// The Dynamic MLflow and Hydrogen Torch runtimes: an MLflow pyfunc model in its own env (or the
// static HT 1.6 env), on the device the runtime's policy picks.
std::unique_ptr<Model> LoadMlflowModel(const sh_load_args* args, const PythonRuntime& rt) {
  const std::string runtime = rt.name;
  const bool hydrogen_torch = rt.family == Family::kHydrogenTorch;
  Toolchain tc = FindToolchain(rt.minor);
  if (!tc.problem.empty()) throw Error(SH_FAILED_PRECONDITION, tc.problem);

  auto model = std::make_unique<Model>();
  model->runtime = runtime;
  model->artifact_type = args->artifact_type ? args->artifact_type : kMlflowArtifactType;
  const char* tmp = std::getenv("TMPDIR");
  model->artifact = std::make_unique<MlflowArtifact>();
  OpenMlflowArtifact(args->model_path, (fs::path(tmp && *tmp ? tmp : "/tmp") / "scorehost").string(),
                     model->artifact.get());
  const MlflowArtifact& art = *model->artifact;

  // The model's Python minor picks the runtime: cloudpickle'd code only loads on the minor that
  // pickled it. A model that states no version is tried as it is.
  if (!art.python_version.empty()) {
    std::string wanted = art.python_version.substr(0, art.python_version.find('.', art.python_version.find('.') + 1));
    if (wanted != rt.minor) {
      std::string right = RuntimeForVersion(art.python_version, hydrogen_torch);
      std::string family = hydrogen_torch ? "Hydrogen Torch" : "Dynamic MLflow";
      std::string serves = hydrogen_torch ? "3.10 and 3.12" : "3.10, 3.11 and 3.12";
      throw Error(SH_FAILED_PRECONDITION,
                  "the model was saved with Python " + art.python_version + " (" + art.python_version_from +
                      ") but runtime " + runtime + " runs Python " + rt.minor + "; " +
                      (right.empty() ? "no " + family + " runtime serves Python " + wanted + " (these serve " + serves + ")"
                                     : "use runtime " + right + " instead"));
    }
  }
  if (hydrogen_torch && !art.loader_module.empty() && art.loader_module != "mlflow.pyfunc.model")
    Log(SH_LOG_WARN, "runtime " + runtime + " is meant for Hydrogen Torch models (custom pyfunc, loader_module "
                     "mlflow.pyfunc.model); this model's loader_module is " + art.loader_module + "; serving it anyway");

  // Device first: it decides the env (torch wheels differ by device) and the worker's environment.
  const DeviceChoice device = rt.device == DevicePolicy::kInherit ? ChooseDevice(DevicePolicy::kInherit, runtime, CudaProbeResult{})
                                                                  : ChooseDevice(rt.device, runtime, Probe());
  if (hydrogen_torch)
    Log(SH_LOG_INFO, runtime + ": device " + device.device +
                         (device.device == "cuda" ? " (" + device.gpu_name + ", " + FormatGiB(device.gpu_memory_bytes) + ")" : "") +
                         " -- " + device.reason);

  EnvRequest env;
  if (rt.env == EnvSource::kStaticHt16) {
    env = PinnedEnvRequest(StaticHt16RequirementsPath(WorkerDir()), "static Hydrogen Torch 1.6 environment",
                           std::string("ht16-py") + rt.minor);
  } else {
    env = ModelEnvRequest(art);
    if (!RequirementsNameMlflow(art.requirements_text)) {
      std::string pin = ConfigValue(args, "SCOREHOST_MLFLOW_REQUIREMENT");
      env.extra_requirement = pin.empty() ? kDefaultMlflowRequirement : pin;
    }
  }
  if (hydrogen_torch) env.device_class = device.device;
  EnvResult built = BuildEnv(args, tc, rt.minor, std::move(env));
  if (rt.env == EnvSource::kStaticHt16)
    CheckModelAgainstStaticEnv(built.python, tc.glue_dir, art, runtime, FlexibleHtRuntime(art));

  const int connections = CallSlots(args);
  std::map<std::string, std::string> child_env;
  // Set to the empty string (not unset): CUDA then enumerates no device, so torch picks the CPU.
  if (device.hide_gpus) child_env["CUDA_VISIBLE_DEVICES"] = "";
  StartWorker(args, tc, built,
              "{\"model_dir\":" + JsonString(art.model_dir) + ",\"runtime\":" + JsonString(runtime) +
                  ",\"device\":" + JsonString(device.device) + "}",
              child_env, connections, model.get());
  if (device.device == "cuda" && model->torch_cuda_available == "false")
    Log(SH_LOG_WARN, runtime + ": the CUDA probe found " + device.gpu_name + " but the env's torch " + model->torch_version +
                         " cannot use it (a CPU-only torch build, or a driver older than its CUDA); the model runs on CPU");

  // Runtime properties: how this model is served, for `scorehost inspect`, the start-up log and
  // GET /model/runtime.
  auto& props = model->property_texts;
  props.emplace_back("python_version", tc.version);
  props.emplace_back("env", built.dir);
  props.emplace_back("env_source", rt.env == EnvSource::kStaticHt16 ? "static Hydrogen Torch 1.6 environment"
                                                                     : "the model's requirements.txt");
  if (hydrogen_torch) {
    props.emplace_back("device", device.device);
    props.emplace_back("device_policy", device.policy);
    props.emplace_back("device_reason", device.reason);
    if (device.device == "cuda") {
      props.emplace_back("gpu_name", device.gpu_name);
      props.emplace_back("gpu_memory", FormatGiB(device.gpu_memory_bytes));
      props.emplace_back("cuda_driver_version", std::to_string(device.driver_version / 1000) + "." +
                                                    std::to_string(device.driver_version % 1000 / 10));
    }
  }
  if (!model->torch_version.empty()) {
    props.emplace_back("torch_version", model->torch_version);
    props.emplace_back("torch_cuda_available", model->torch_cuda_available);
    if (!model->torch_device_name.empty()) props.emplace_back("torch_device_name", model->torch_device_name);
  }
  DescribeModel(model.get(), SH_CAP_SCORE, connections);
  Log(SH_LOG_INFO, "loaded " + std::string(args->model_path) + " with " + runtime + " (env " + built.dir +
                       (built.reused ? ", reused" : ", built") + "; " + std::to_string(connections) +
                       " concurrent call slot(s))");
  return model;
}

// SH_CAP_* bits from the worker's LOADED "operations".
uint32_t CapabilitiesOf(const Model& model) {
  uint32_t caps = 0;
  for (const auto& [op, supported] : model.operations) {
    if (supported != "true") continue;
    if (op == "SCORE") caps |= SH_CAP_SCORE;
    if (op == "SCORE_PREDICTION_INTERVAL") caps |= SH_CAP_SCORE_PREDICTION_INTERVAL;
    if (op == "CONTRIBUTION_ORIGINAL") caps |= SH_CAP_CONTRIBUTION_ORIGINAL;
    if (op == "CONTRIBUTION_TRANSFORMED") caps |= SH_CAP_CONTRIBUTION_TRANSFORMED;
  }
  return caps;
}

// dai-mojo-scorer: a Driverless AI MOJO pipeline scored by daimojo in a worker (crash isolation:
// the native runtime has been seen to die on a bad model struct), in one pinned env.
std::unique_ptr<Model> LoadDaiMojo(const sh_load_args* args, const PythonRuntime& rt) {
  const std::string runtime = rt.name;
  // The licence first, before any env or pipeline is touched: without one the runtime cannot
  // score, and a server must fail at once with the places it looked. `scorehost inspect` still
  // reads what the pipeline file says about itself (metadata only).
  auto lookup = [&](const std::string& key, std::string* value) { return ConfigLookup(args, key, value); };
  const DaiLicence licence = FindDaiLicence(lookup);
  // Only the host's own load config says "inspect" (never the environment), so a stray variable
  // cannot make a server start without a licence.
  const char* purpose = FromLoadConfig(args, "SCOREHOST_LOAD_PURPOSE");
  const bool inspect_only = purpose != nullptr && std::string_view(purpose) == "inspect";
  if (!licence.found && !inspect_only) throw Error(SH_FAILED_PRECONDITION, DaiLicenceMissingMessage(licence));

  std::string minor;
  Toolchain tc = DaiMojoToolchain(&minor);
  if (!tc.problem.empty()) throw Error(SH_FAILED_PRECONDITION, tc.problem);
  auto model = std::make_unique<Model>();
  model->runtime = runtime;
  model->artifact_type = args->artifact_type ? args->artifact_type : "dai_mojo_pipeline";
  EnvResult built = BuildEnv(args, tc, minor,
                             PinnedEnvRequest(DaiMojoRequirementsPath(), "daimojo environment", "daimojo-py" + minor));
  const int connections = CallSlots(args);
  StartWorker(args, tc, built,
              "{\"kind\":\"dai_mojo\",\"model_path\":" + JsonString(args->model_path) + ",\"runtime\":" + JsonString(runtime) +
                  ",\"metadata_only\":" + (licence.found ? "false" : "true") + "}",
              LicenceEnvironment(args), connections, model.get());

  const uint32_t caps = CapabilitiesOf(*model);
  model->dai_metadata_only = !licence.found;
  auto& props = model->property_texts;
  props.emplace_back("licence", licence.found ? "found: " + licence.source
                                              : "none found (metadata read from the pipeline file; it cannot score)");
  for (const auto& [k, v] : model->dai_facts) props.emplace_back(k, v);
  for (const auto& [op, supported] : model->operations)
    props.emplace_back("operation_" + op, supported == "null" ? "unknown without a licence" : supported);
  props.emplace_back("python_version", tc.version);
  props.emplace_back("env", built.dir);
  DescribeModel(model.get(), caps, connections);
  Log(SH_LOG_INFO, "loaded " + std::string(args->model_path) + " with " + runtime + " (env " + built.dir +
                       (built.reused ? ", reused" : ", built") + "; licence " +
                       (licence.found ? "from " + licence.source : std::string("none: metadata only")) + ")");
  return model;
}

// python-scorer_dai_pipelines_<version>: a DAI Python scoring pipeline (scorer.zip) built by
// exactly this runtime's DAI version, its Scorer in a worker, in an env built from the pipeline's
// own requirements and wheels.
std::unique_ptr<Model> LoadDaiPythonPipeline(const sh_load_args* args, const PythonRuntime& rt) {
  const std::string runtime = rt.name;
  auto model = std::make_unique<Model>();
  model->runtime = runtime;
  model->artifact_type = args->artifact_type ? args->artifact_type : "dai_python_scoring_pipeline";
  const char* tmp = std::getenv("TMPDIR");
  model->dai_pipeline = std::make_unique<DaiPythonPipeline>();
  OpenDaiPythonPipeline(args->model_path, (fs::path(tmp && *tmp ? tmp : "/tmp") / "scorehost").string(),
                        model->dai_pipeline.get());
  const DaiPythonPipeline& pipe = *model->dai_pipeline;
  // The version before the licence: a pipeline on the wrong runtime is told which one to use
  // whether or not a licence is present.
  CheckDaiVersion(pipe, runtime);
  const DaiLicence licence = FindDaiLicence([&](const std::string& k, std::string* v) { return ConfigLookup(args, k, v); });
  if (!licence.found) throw Error(SH_FAILED_PRECONDITION, DaiLicenceMissingMessage(licence));

  // The wheels' tag names the CPython the pipeline was built for (cp311 for DAI 1.11 and 2.x).
  std::string minor = rt.minor;
  if (pipe.python_tag.size() > 3 && pipe.python_tag.rfind("cp3", 0) == 0) minor = "3." + pipe.python_tag.substr(3);
  Toolchain tc = FindToolchain(minor);
  if (!tc.problem.empty()) throw Error(SH_FAILED_PRECONDITION, "the pipeline is built for Python " + minor + ": " + tc.problem);

  EnvRequest env;
  env.label = pipe.requirements_path.empty() ? pipe.root : pipe.requirements_path;
  if (!pipe.requirements_path.empty()) {
    std::ifstream in(pipe.requirements_path);
    std::ostringstream text;
    text << in.rdbuf();
    env.has_requirements = true;
    env.requirements_path = pipe.requirements_path;
    env.requirements_text = text.str();
  }
  env.work_dir = pipe.root;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(pipe.root, ec))
    if (entry.path().extension() == ".whl") env.local_wheels.push_back(entry.path().string());
  std::sort(env.local_wheels.begin(), env.local_wheels.end());
  std::string version_tag = pipe.dai_version;
  version_tag.erase(std::remove(version_tag.begin(), version_tag.end(), '.'), version_tag.end());
  env.name_prefix = "dai" + version_tag + "-py" + minor;
  EnvResult built = BuildEnv(args, tc, minor, std::move(env));

  const int connections = CallSlots(args);
  StartWorker(args, tc, built,
              "{\"kind\":\"dai_python\",\"pipeline_root\":" + JsonString(pipe.root) + ",\"module\":" +
                  JsonString(pipe.experiment_module) + ",\"runtime\":" + JsonString(runtime) + "}",
              LicenceEnvironment(args), connections, model.get());
  auto& props = model->property_texts;
  props.emplace_back("dai_version", pipe.dai_version);
  props.emplace_back("dai_version_from", pipe.dai_version_from);
  props.emplace_back("experiment_module", pipe.experiment_module);
  props.emplace_back("licence", "found: " + licence.source);
  props.emplace_back("python_version", tc.version);
  props.emplace_back("env", built.dir);
  DescribeModel(model.get(), CapabilitiesOf(*model), connections);
  Log(SH_LOG_INFO, "loaded " + std::string(args->model_path) + " with " + runtime + " (Driverless AI " + pipe.dai_version +
                       " pipeline " + pipe.experiment_module + ", env " + built.dir + (built.reused ? ", reused)" : ", built)"));
  return model;
}

sh_status* ModelLoad(const sh_load_args* args, sh_model** out_model) {
  return Guard([&] {
    const std::string runtime = args->runtime_name ? args->runtime_name : "";
    const PythonRuntime* rt = FindRuntime(runtime);
    if (!rt) throw Error(SH_INVALID_ARGUMENT, "the python plugin does not serve runtime '" + runtime + "'");
    std::unique_ptr<Model> model = rt->family == Family::kDaiMojo     ? LoadDaiMojo(args, *rt)
                                   : rt->family == Family::kDaiPython ? LoadDaiPythonPipeline(args, *rt)
                                                                      : LoadMlflowModel(args, *rt);
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

// Sends one scoring frame of `type` and decodes the worker's answer into `out`.
void CallWorker(Model& model, MsgType type, const ArrowSchema* in_schema, const ArrowArray* in, ArrowSchema* out_schema,
                ArrowArray* out) {
  if (model.dai_metadata_only)
    throw Error(SH_FAILED_PRECONDITION, "the pipeline was opened without a Driverless AI licence (metadata only) and cannot score");
  std::string request = EncodeInput(model, in_schema, in);
  MsgType reply_type;
  std::string reply;
  model.supervisor->Call(type, request, &reply_type, &reply);
  if (reply_type == MsgType::kError) {
    std::string kind;
    std::string message = FormatWorkerError(reply, &kind);
    if (kind == "user") throw Error(SH_INVALID_ARGUMENT, "the model rejected the input: " + message);
    throw Error(SH_INTERNAL, "the model raised an exception: " + message);
  }
  if (reply_type != MsgType::kResult)
    throw Error(SH_INTERNAL, "python worker answered a scoring frame with frame type " + std::to_string(static_cast<int>(reply_type)));
  DecodeOutput(reply, out_schema, out);
}

sh_status* Score(sh_model* handle, const ArrowSchema* in_schema, const ArrowArray* in, const sh_score_options* options,
                 ArrowSchema* out_schema, ArrowArray* out) {
  return Guard([&] {
    Model& model = *AsModel(handle);
    // Interval columns only from a model that declared them (DAI MOJO pipelines that have them);
    // for every other model the option is a no-op, as the ABI says.
    const bool intervals = options && (options->flags & SH_SCORE_PREDICTION_INTERVALS) &&
                           (model.info.capabilities & SH_CAP_SCORE_PREDICTION_INTERVAL);
    CallWorker(model, intervals ? MsgType::kScoreIntervals : MsgType::kScore, in_schema, in, out_schema, out);
  });
}

sh_status* Contribute(sh_model* handle, sh_contribution_kind kind, const ArrowSchema* in_schema, const ArrowArray* in,
                      ArrowSchema* out_schema, ArrowArray* out) {
  return Guard([&] {
    Model& model = *AsModel(handle);
    const uint32_t cap = kind == SH_CONTRIBUTION_ORIGINAL ? SH_CAP_CONTRIBUTION_ORIGINAL : SH_CAP_CONTRIBUTION_TRANSFORMED;
    if (!(model.info.capabilities & cap))
      throw Error(SH_UNIMPLEMENTED, std::string("this model does not compute ") +
                                        (kind == SH_CONTRIBUTION_ORIGINAL ? "original" : "transformed") + " Shapley contributions");
    CallWorker(model, kind == SH_CONTRIBUTION_ORIGINAL ? MsgType::kContribOriginal : MsgType::kContribTransformed, in_schema,
               in, out_schema, out);
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
    kRuntimeCount, RuntimeDescs(),
    &Init, &Fini, /*probe_artifact=*/nullptr, &RuntimeStatus,
    &ModelLoad, &ModelDescribe, &Score, &Contribute, &ModelUnload};

}  // namespace

extern "C" SH_PLUGIN_EXPORT int scorehost_plugin_entry(uint32_t host_abi_major, uint32_t host_abi_minor,
                                                       sh_plugin_api* out) {
  (void)host_abi_minor;
  return scorehost::plugin::FillEntry(host_abi_major, out, kApi);
}
