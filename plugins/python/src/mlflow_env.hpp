// MLflow artifacts (zip or directory) and the per-model virtualenv cache.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace scorehost::pyworker {

// A model directory ready for the worker, with the environment facts read from it.
struct MlflowArtifact {
  std::string model_dir;           // the directory holding MLmodel
  std::string temp_dir;            // our extraction of a zip, removed by ~MlflowArtifact; "" for a user dir
  std::string python_version;      // "3.10.12" as the model states it, or "" if it does not
  std::string python_version_from; // "python_env.yaml", "conda.yaml" or "MLmodel"
  bool has_requirements = false;
  std::string requirements_text;   // requirements.txt verbatim
  std::string python_env_text;     // python_env.yaml verbatim ("" if absent)
  std::vector<std::string> build_dependencies;  // python_env.yaml build_dependencies
  std::string loader_module;       // MLmodel's python_function loader_module ("" if absent)

  MlflowArtifact() = default;
  MlflowArtifact(const MlflowArtifact&) = delete;
  MlflowArtifact& operator=(const MlflowArtifact&) = delete;
  ~MlflowArtifact();
};

// Opens `path` (a directory with MLmodel, or a zip of one, with or without a top-level folder).
// A zip is extracted below `scratch_root` (entries escaping the target, links and devices are
// refused). Throws scorehost::plugin::Error (SH_NOT_FOUND / SH_DATA_LOSS).
void OpenMlflowArtifact(const std::string& path, const std::string& scratch_root, MlflowArtifact* out);

// True when a requirements.txt line names mlflow or mlflow-skinny.
bool RequirementsNameMlflow(const std::string& requirements_text);

struct EnvRequest {
  std::string cache_root;          // SCOREHOST_ENV_CACHE
  std::string base_python;         // the runtime's interpreter
  std::string python_version;      // its full version, part of the key
  std::string name_prefix;         // env dir name before "-<hash>": "py3.10" (per model), "ht16-py3.10" (static)
  std::string label;               // what the requirements are, for the log ("<model dir>/requirements.txt")
  bool has_requirements = false;
  std::string requirements_path;   // installed with pip -r (when has_requirements)
  std::string requirements_text;   // its text: part of the key
  std::string python_env_text;     // python_env.yaml verbatim: part of the key ("" if none)
  std::vector<std::string> build_dependencies;  // installed first (python_env.yaml)
  std::string work_dir;            // pip runs here, so relative -r/-c lines resolve
  std::string extra_requirement;   // appended when the model's requirements omit mlflow ("" = none)
  // Wheel files shipped with the artifact, installed with the requirements (DAI Python pipelines
  // carry their experiment and h2oaicore wheels, which their requirements.txt does not list).
  // Their names and sizes are part of the key.
  std::vector<std::string> local_wheels;
  // "" for the Dynamic MLflow runtimes; "cpu" or "cuda" for the Hydrogen Torch ones, whose torch
  // wheels differ by device (a CPU-only index vs PyPI's CUDA build), so the two never share an env.
  std::string device_class;
  std::map<std::string, std::string> pip_env;  // PIP_* settings passed to pip
  int64_t timeout_ms = 3600 * 1000;
};

// The request for a model's own env: its requirements.txt and python_env.yaml, pip run in its dir.
EnvRequest ModelEnvRequest(const MlflowArtifact& artifact);

struct EnvResult {
  std::string dir;     // the virtualenv
  std::string python;  // <dir>/bin/python
  std::string key;     // hash
  bool reused = false;
  double seconds = 0;  // time spent, including waiting for the lock
};

// Returns the model's virtualenv, building it when absent. Concurrent callers (threads or
// processes) for one key serialise on an flock; a half-built env (crash, kill) is rebuilt.
// Progress goes to the host log. Throws Error(SH_FAILED_PRECONDITION) with pip's last lines.
EnvResult EnsureEnv(const EnvRequest& request);

// The env key: SHA-256 over (layout version, Python version, requirements, python_env.yaml, extra,
// and the device class when there is one).
std::string EnvKey(const EnvRequest& request);

// Default cache root: $XDG_CACHE_HOME/scorehost/envs, else $HOME/.cache/scorehost/envs, else
// /tmp/scorehost-envs.
std::string DefaultEnvCache();

}  // namespace scorehost::pyworker
