// What the Hydrogen Torch runtimes add to the Dynamic MLflow machinery: the device policy (decided
// here, in C++, before the worker's Python starts, because CUDA reads CUDA_VISIBLE_DEVICES once at
// initialisation) and the static HT 1.6 environment (one pinned env shared by every model).
// The worker, env cache and supervision are the MLflow runtimes' own (plugin.cc).
#pragma once

#include <cstdint>
#include <string>

#include "cuda_probe.hpp"
#include "mlflow_env.hpp"

namespace scorehost::pyworker {

enum class DevicePolicy {
  kInherit,  // Dynamic MLflow runtimes: the worker inherits CUDA_VISIBLE_DEVICES as configured
  kCpu,      // the worker sees no GPU
  kGpu,      // a CUDA device is required; the load fails without one
  kAuto,     // GPU when the probe finds one, else CPU
};

struct DeviceChoice {
  std::string device = "cpu";  // what the model runs on: "cpu" or "cuda"
  std::string policy;          // "cpu", "gpu", "auto" ("" for kInherit)
  std::string reason;          // one phrase: why this device
  bool hide_gpus = false;      // start the worker with CUDA_VISIBLE_DEVICES="" (empty, set)
  std::string gpu_name;        // device 0 as the driver names it, when device == "cuda"
  uint64_t gpu_memory_bytes = 0;
  int driver_version = 0;
};

// Applies `policy` for `runtime` given the probe's result. A GPU runtime without a CUDA device
// throws Error(SH_FAILED_PRECONDITION) naming the CPU runtime to use instead.
DeviceChoice ChooseDevice(DevicePolicy policy, const std::string& runtime, const CudaProbeResult& probe);

// "139.8 GiB"
std::string FormatGiB(uint64_t bytes);

// The static HT 1.6 environment: its pinned requirements file (registry/hydrogen-torch-1.6-
// requirements.txt, copied beside the workers; SCOREHOST_HT16_REQUIREMENTS overrides it).
std::string StaticHt16RequirementsPath(const std::string& worker_dir);

// Refuses a model whose requirements.txt the static env cannot satisfy: a package the env lacks,
// or a version specifier its installed version does not meet. The check runs the env's own Python
// with `packaging` (glue/check_requirements.py), so it applies PEP 440 exactly as pip would. MLflow
// itself and cloudpickle only warn (MLflow only warns when a model was saved by another version).
// Throws Error(SH_FAILED_PRECONDITION) naming the conflicting requirement and `flexible_runtime`.
void CheckModelAgainstStaticEnv(const std::string& env_python, const std::string& glue_dir,
                                const MlflowArtifact& artifact, const std::string& runtime,
                                const std::string& flexible_runtime);

}  // namespace scorehost::pyworker
