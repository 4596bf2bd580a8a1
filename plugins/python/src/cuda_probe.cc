#include "cuda_probe.hpp"

#include <dlfcn.h>
#include <sys/wait.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <string_view>
#include <utility>

#include "cuda_driver_api.hpp"
#include "process.hpp"

namespace scorehost::pyworker {
namespace {

constexpr std::string_view kNoDevice = "no CUDA device";

CudaProbeResult NoDevice(const std::string& why) {
  CudaProbeResult r;
  r.problem = std::string(kNoDevice) + ": " + why;
  return r;
}

// Driver and dlerror text can hold newlines; the problem is one line (and one key=value line of
// the probe's output).
std::string OneLine(std::string s) {
  for (char& c : s) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return s;
}

// Names for the results a probe can meet, for drivers whose cuGetErrorName fails or is missing.
const char* KnownErrorName(int code) {
  switch (code) {
    case 1: return "CUDA_ERROR_INVALID_VALUE";
    case 2: return "CUDA_ERROR_OUT_OF_MEMORY";
    case 3: return "CUDA_ERROR_NOT_INITIALIZED";
    case 34: return "CUDA_ERROR_STUB_LIBRARY";
    case 35: return "CUDA_ERROR_INSUFFICIENT_DRIVER";
    case 46: return "CUDA_ERROR_DEVICE_UNAVAILABLE";
    case 100: return "CUDA_ERROR_NO_DEVICE";
    case 101: return "CUDA_ERROR_INVALID_DEVICE";
    case 304: return "CUDA_ERROR_OPERATING_SYSTEM";
    case 803: return "CUDA_ERROR_SYSTEM_DRIVER_MISMATCH";
    case 804: return "CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE";
    case 999: return "CUDA_ERROR_UNKNOWN";
    default: return nullptr;
  }
}

// "CUDA_ERROR_NO_DEVICE (100)": the driver's own name when it can give one.
std::string DescribeResult(cuda::GetErrorNameFn get_error_name, int code) {
  const char* name = nullptr;
  if (get_error_name == nullptr ||
      get_error_name(static_cast<cuda::Result>(code), &name) != cuda::kSuccess ||
      name == nullptr) {
    name = KnownErrorName(code);
  }
  return std::string(name ? name : "CUDA error") + " (" + std::to_string(code) + ")";
}

template <typename Fn>
Fn Symbol(void* lib, const char* name) {
  return reinterpret_cast<Fn>(dlsym(lib, name));
}

}  // namespace

CudaProbeResult ProbeCudaDriver(const std::string& library) {
  std::string path = library;
  if (path.empty()) {
    const char* env = std::getenv("SCOREHOST_LIBCUDA");
    path = env && *env ? env : "libcuda.so.1";
  }
  // RTLD_LOCAL: the driver's symbols must not satisfy anyone else's lookups. Never dlclosed: real
  // drivers leave threads behind after cuInit, and unmapping their code would crash them later.
  void* lib = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr) {
    const char* err = dlerror();
    return NoDevice(path + " cannot be loaded (" + OneLine(err ? err : "unknown dlopen error") + ")");
  }

  auto init = Symbol<cuda::InitFn>(lib, "cuInit");
  auto driver_get_version = Symbol<cuda::DriverGetVersionFn>(lib, "cuDriverGetVersion");
  auto device_get_count = Symbol<cuda::DeviceGetCountFn>(lib, "cuDeviceGetCount");
  auto device_get = Symbol<cuda::DeviceGetFn>(lib, "cuDeviceGet");
  auto device_get_name = Symbol<cuda::DeviceGetNameFn>(lib, "cuDeviceGetName");
  auto device_total_mem = Symbol<cuda::DeviceTotalMemFn>(lib, cuda::kDeviceTotalMemSymbol);
  auto device_get_attribute = Symbol<cuda::DeviceGetAttributeFn>(lib, "cuDeviceGetAttribute");
  auto get_error_name = Symbol<cuda::GetErrorNameFn>(lib, "cuGetErrorName");  // optional
  const std::pair<const void*, const char*> required[] = {
      {reinterpret_cast<const void*>(init), "cuInit"},
      {reinterpret_cast<const void*>(driver_get_version), "cuDriverGetVersion"},
      {reinterpret_cast<const void*>(device_get_count), "cuDeviceGetCount"},
      {reinterpret_cast<const void*>(device_get), "cuDeviceGet"},
      {reinterpret_cast<const void*>(device_get_name), "cuDeviceGetName"},
      {reinterpret_cast<const void*>(device_total_mem), cuda::kDeviceTotalMemSymbol},
      {reinterpret_cast<const void*>(device_get_attribute), "cuDeviceGetAttribute"}};
  for (const auto& [fn, name] : required) {
    if (fn == nullptr) return NoDevice(path + " is not a usable CUDA driver (it lacks " + name + ")");
  }

  // The version is known before (and even without) a successful cuInit: "driver 12.4 but no
  // device" tells an operator more than "no device".
  int version = 0;
  if (driver_get_version(&version) != cuda::kSuccess) version = 0;

  const int init_rc = init(0);
  if (init_rc != cuda::kSuccess) {
    CudaProbeResult r = NoDevice("cuInit failed with " + DescribeResult(get_error_name, init_rc));
    r.driver_version = version;
    return r;
  }
  int count = 0;
  const int count_rc = device_get_count(&count);
  if (count_rc != cuda::kSuccess) {
    CudaProbeResult r = NoDevice("cuDeviceGetCount failed with " + DescribeResult(get_error_name, count_rc));
    r.driver_version = version;
    return r;
  }
  if (count <= 0) {
    CudaProbeResult r = NoDevice("the driver reports 0 devices");
    r.driver_version = version;
    return r;
  }

  CudaProbeResult r;
  r.driver_version = version;
  std::string first_failure;  // why a device was skipped; reported only when none is usable
  for (int i = 0; i < count; ++i) {
    auto fail = [&](const char* call, int rc) {
      if (first_failure.empty()) {
        first_failure = std::string(call) + " for device " + std::to_string(i) + " failed with " +
                        DescribeResult(get_error_name, rc);
      }
    };
    cuda::Device dev{};
    int rc = device_get(&dev, i);
    if (rc != cuda::kSuccess) {
      fail("cuDeviceGet", rc);
      continue;
    }
    char name[256] = {};
    if ((rc = device_get_name(name, static_cast<int>(sizeof name) - 1, dev)) != cuda::kSuccess) {
      fail("cuDeviceGetName", rc);
      continue;
    }
    size_t bytes = 0;
    if ((rc = device_total_mem(&bytes, dev)) != cuda::kSuccess) {
      fail(cuda::kDeviceTotalMemSymbol, rc);
      continue;
    }
    int major = 0, minor = 0;
    if ((rc = device_get_attribute(&major, cuda::kAttrCcMajor, dev)) != cuda::kSuccess ||
        (rc = device_get_attribute(&minor, cuda::kAttrCcMinor, dev)) != cuda::kSuccess) {
      fail("cuDeviceGetAttribute(compute capability)", rc);
      continue;
    }
    r.devices.push_back(CudaDevice{OneLine(name), static_cast<uint64_t>(bytes), major, minor});
  }
  if (r.devices.empty()) {
    CudaProbeResult none = NoDevice("the driver reports " + std::to_string(count) +
                                    " devices but none can be queried (" + first_failure + ")");
    none.driver_version = version;
    return none;
  }
  r.has_device = true;
  return r;
}

std::string CudaProbeResult::Summary() const {
  if (!has_device || devices.empty()) return problem;
  const CudaDevice& d = devices.front();
  char gib[32];
  std::snprintf(gib, sizeof gib, "%.1f", static_cast<double>(d.total_memory_bytes) / (1024.0 * 1024.0 * 1024.0));
  std::string s = d.name + ", " + gib + " GiB, compute " + std::to_string(d.cc_major) + "." +
                  std::to_string(d.cc_minor);
  // cuDriverGetVersion encodes 12.4 as 12040 (1000 * major + 10 * minor).
  if (driver_version > 0) {
    s += ", driver " + std::to_string(driver_version / 1000) + "." + std::to_string(driver_version % 1000 / 10);
  }
  if (devices.size() > 1) {
    const size_t more = devices.size() - 1;
    s += " (+" + std::to_string(more) + (more == 1 ? " more device)" : " more devices)");
  }
  return s;
}

std::string FormatCudaProbeLines(const CudaProbeResult& result) {
  std::string out;
  auto line = [&](const std::string& key, const std::string& value) { out += key + "=" + OneLine(value) + "\n"; };
  line("has_device", result.has_device ? "1" : "0");
  if (!result.problem.empty()) line("problem", result.problem);
  line("driver_version", std::to_string(result.driver_version));
  line("device_count", std::to_string(result.devices.size()));
  for (size_t i = 0; i < result.devices.size(); ++i) {
    const CudaDevice& d = result.devices[i];
    const std::string prefix = "device" + std::to_string(i) + "_";
    line(prefix + "name", d.name);
    line(prefix + "memory", std::to_string(d.total_memory_bytes));
    line(prefix + "cc", std::to_string(d.cc_major) + "." + std::to_string(d.cc_minor));
  }
  return out;
}

namespace {

// Most devices a probe's output may announce; bounds what a garbled line can make us allocate.
constexpr size_t kMaxDevices = 1024;

template <typename T>
bool ParseNumber(std::string_view text, T* out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

// Reads the probe's key=value lines into a result. Lines of other shapes (a driver or sanitizer
// writing to stderr, which shares the pipe) are kept in last_other for the failure message.
struct ProbeOutput {
  CudaProbeResult result;
  bool saw_has_device = false;
  std::string last_other;

  void Line(std::string_view line) {
    const size_t eq = line.find('=');
    const std::string_view key = eq == std::string_view::npos ? std::string_view() : line.substr(0, eq);
    const bool is_key =
        !key.empty() && key.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") == std::string_view::npos;
    if (!is_key) {
      if (line.find_first_not_of(" \t") != std::string_view::npos) last_other = std::string(line.substr(0, 200));
      return;
    }
    const std::string_view value = line.substr(eq + 1);
    if (key == "has_device") {
      saw_has_device = true;
      result.has_device = value == "1";
    } else if (key == "problem") {
      result.problem = std::string(value);
    } else if (key == "driver_version") {
      ParseNumber(value, &result.driver_version);
    } else if (key == "device_count") {
      size_t n = 0;
      if (ParseNumber(value, &n) && n <= kMaxDevices) result.devices.resize(n);
    } else if (key.substr(0, 6) == "device") {
      // device<i>_<field>
      const size_t underscore = key.find('_');
      size_t i = 0;
      if (underscore == std::string_view::npos || !ParseNumber(key.substr(6, underscore - 6), &i) ||
          i >= result.devices.size()) {
        return;
      }
      CudaDevice& d = result.devices[i];
      const std::string_view field = key.substr(underscore + 1);
      if (field == "name") {
        d.name = std::string(value);
      } else if (field == "memory") {
        ParseNumber(value, &d.total_memory_bytes);
      } else if (field == "cc") {
        const size_t dot = value.find('.');
        if (dot != std::string_view::npos) {
          ParseNumber(value.substr(0, dot), &d.cc_major);
          ParseNumber(value.substr(dot + 1), &d.cc_minor);
        }
      }
    }
  }
};

std::string BaseName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

CudaProbeResult RunCudaProbe(const std::string& probe_exe, int64_t timeout_ms) {
  const std::string who = "the probe " + BaseName(probe_exe);
  ProbeOutput out;
  bool timed_out = false;
  int wait_status = 0;
  try {
    SpawnSpec spec;
    spec.argv = {probe_exe};
    spec.env = EnvironmentWith({}, {});  // SCOREHOST_LIBCUDA and CUDA_VISIBLE_DEVICES reach it
    wait_status = RunStreaming(spec, [&](std::string_view line) { out.Line(line); }, timeout_ms, &timed_out);
  } catch (const std::exception& e) {
    return NoDevice(who + " could not be run (" + OneLine(e.what()) + ")");
  }
  const std::string last = out.last_other.empty() ? "" : "; its last output: " + out.last_other;
  if (timed_out) {
    return NoDevice(who + " did not finish within " + std::to_string(timeout_ms) + " ms and was killed" + last);
  }
  // Anything but a clean exit is a failure even after a complete report: a driver that crashes
  // at exit is not one to start a GPU worker on.
  if (!WIFEXITED(wait_status) || WEXITSTATUS(wait_status) != 0) {
    return NoDevice(who + " " + DescribeWaitStatus(wait_status) + last);
  }
  if (!out.saw_has_device) return NoDevice(who + " printed no result" + last);

  CudaProbeResult r = std::move(out.result);
  if (r.has_device && r.devices.empty()) {
    r.has_device = false;
    r.problem = who + " reported a device but described none";
  }
  if (!r.has_device && r.problem.find(kNoDevice) == std::string::npos) {
    r.problem = std::string(kNoDevice) + ": " + (r.problem.empty() ? who + " gave no reason" : r.problem);
  }
  if (r.has_device) r.problem.clear();
  return r;
}

const CudaProbeResult& CachedCudaProbe(const std::string& probe_exe) {
  static std::once_flag once;
  static CudaProbeResult result;
  std::call_once(once, [&] { result = RunCudaProbe(probe_exe); });
  return result;
}

}  // namespace scorehost::pyworker
