#include "hydrogen_torch.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <simdjson.h>

#include <scorehost/plugin_helpers.hpp>

#include "process.hpp"

namespace fs = std::filesystem;
using scorehost::plugin::Error;
using scorehost::plugin::Log;

namespace scorehost::pyworker {

std::string FormatGiB(uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f GiB", static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0));
  return buf;
}

DeviceChoice ChooseDevice(DevicePolicy policy, const std::string& runtime, const CudaProbeResult& probe) {
  DeviceChoice c;
  auto use_gpu = [&](const char* why) {
    c.device = "cuda";
    c.reason = why;
    c.driver_version = probe.driver_version;
    if (!probe.devices.empty()) {
      c.gpu_name = probe.devices.front().name;
      c.gpu_memory_bytes = probe.devices.front().total_memory_bytes;
    }
  };
  switch (policy) {
    case DevicePolicy::kInherit:
      c.reason = "Dynamic MLflow runtime: CUDA_VISIBLE_DEVICES as configured";
      return c;
    case DevicePolicy::kCpu:
      c.policy = "cpu";
      c.hide_gpus = true;
      c.reason = "CPU runtime: the worker sees no GPU";
      return c;
    case DevicePolicy::kGpu:
      c.policy = "gpu";
      if (!probe.has_device)
        throw Error(SH_FAILED_PRECONDITION,
                    "runtime " + runtime + " needs a CUDA device: " + probe.problem +
                        "; serve the model with python-scorer_hydrogen_torch_cpu_py310 (CPU) or "
                        "python-scorer_hydrogen_torch_py312 (GPU when there is one, else CPU) instead");
      use_gpu("GPU runtime");
      return c;
    case DevicePolicy::kAuto:
      c.policy = "auto";
      if (probe.has_device) {
        use_gpu("auto: the CUDA probe found a device");
      } else {
        c.hide_gpus = true;
        c.reason = "auto: " + probe.problem + ", so CPU";
      }
      return c;
  }
  return c;
}

std::string StaticHt16RequirementsPath(const std::string& worker_dir) {
  if (const char* over = std::getenv("SCOREHOST_HT16_REQUIREMENTS"); over && *over) return over;
  return (fs::path(worker_dir) / "static-envs" / "hydrogen-torch-1.6-requirements.txt").string();
}

void CheckModelAgainstStaticEnv(const std::string& env_python, const std::string& glue_dir,
                                const MlflowArtifact& artifact, const std::string& runtime,
                                const std::string& flexible_runtime) {
  if (!artifact.has_requirements) return;  // nothing asked for beyond what the env has
  SpawnSpec spec;
  spec.argv = {env_python, (fs::path(glue_dir) / "check_requirements.py").string(),
               (fs::path(artifact.model_dir) / "requirements.txt").string()};
  spec.env = EnvironmentWith({{"PYTHONNOUSERSITE", "1"}}, {"PYTHONHOME", "PYTHONPATH", "PYTHONSTARTUP", "LD_PRELOAD"});
  std::string output, last;
  bool timed_out = false;
  int st = RunStreaming(
      spec, [&](std::string_view line) { (line.size() && line.front() == '{' ? output : last) = std::string(line); },
      60000, &timed_out);
  if (timed_out || !WIFEXITED(st) || WEXITSTATUS(st) != 0 || output.empty())
    throw Error(SH_INTERNAL, "checking the model's requirements against the static Hydrogen Torch 1.6 environment failed: " +
                                 std::string(timed_out ? "timed out" : DescribeWaitStatus(st)) + (last.empty() ? "" : "; " + last));
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(output).get(doc) != simdjson::SUCCESS)
    throw Error(SH_INTERNAL, "the requirements check printed a malformed result: " + output);
  auto entries = [&](const char* key) {
    std::vector<std::string> out;
    simdjson::dom::array arr;
    if (doc[key].get(arr) != simdjson::SUCCESS) return out;
    for (simdjson::dom::element e : arr) {
      std::string_view req, why;
      if (e["requirement"].get(req) == simdjson::SUCCESS && e["why"].get(why) == simdjson::SUCCESS)
        out.push_back("'" + std::string(req) + "' (" + std::string(why) + ")");
    }
    return out;
  };
  for (const std::string& w : entries("warnings"))
    Log(SH_LOG_WARN, "the model requires " + w + "; the static Hydrogen Torch 1.6 environment loads it anyway, as MLflow does");
  std::vector<std::string> conflicts = entries("conflicts");
  if (conflicts.empty()) return;
  std::string list;
  for (const std::string& c : conflicts) list += (list.empty() ? "" : ", ") + c;
  throw Error(SH_FAILED_PRECONDITION,
              "runtime " + runtime + " serves one fixed Hydrogen Torch 1.6 environment, and the model's requirements.txt "
              "conflicts with it: " + list + "; serve the model with " + flexible_runtime +
              ", which builds an environment from the model's own requirements");
}

}  // namespace scorehost::pyworker
