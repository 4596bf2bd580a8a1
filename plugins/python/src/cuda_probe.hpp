// Is there a CUDA device? Asked before a GPU-capable Python worker (the Hydrogen Torch runtimes)
// starts, so that a runtime can say "unavailable: no CUDA device" instead of failing deep inside
// torch.
//
// Two ways to ask:
//  * ProbeCudaDriver: in this process, through the CUDA driver API (libcuda.so.1) opened with
//    dlopen, so one binary runs on machines with and without a driver. The driver is never closed
//    again (real drivers start threads that dlclose would pull the code from under).
//  * RunCudaProbe / CachedCudaProbe: the same question asked by the small executable
//    scorehost-cuda-probe (probe/cuda_probe_main.cc), so that a broken driver that crashes or
//    hangs in cuInit takes down only that child, and libcuda's threads and memory never enter the
//    host. This is what the plugin uses.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace scorehost::pyworker {

// The probe executable's file name; it lives beside the workers (<runtime dir>/python/).
inline constexpr const char* kCudaProbeExecutable = "scorehost-cuda-probe";

struct CudaDevice {
  std::string name;
  uint64_t total_memory_bytes = 0;
  int cc_major = 0, cc_minor = 0;
};

struct CudaProbeResult {
  bool has_device = false;  // at least one usable device
  std::string problem;      // when !has_device: one line, always containing "no CUDA device"
  int driver_version = 0;   // cuDriverGetVersion, e.g. 12040 for 12.4; 0 when unknown
  std::vector<CudaDevice> devices;

  // "NVIDIA H200, 139.8 GiB, compute 9.0, driver 12.4" for device 0 (with "(+N more devices)"
  // when there are more), or the problem.
  std::string Summary() const;
};

// Probes in this process. library: "" = $SCOREHOST_LIBCUDA if set and not empty, else
// "libcuda.so.1" (found the way dlopen finds libraries). Never throws.
CudaProbeResult ProbeCudaDriver(const std::string& library = "");

// Runs the probe executable (an absolute path, normally <runtime dir>/python/scorehost-cuda-probe)
// with this process's environment and reads its key=value lines. A probe that cannot start, is
// killed by a signal, exits non-zero, prints no result or runs past timeout_ms (then it is
// SIGKILLed) gives has_device = false and a problem line saying so. Never throws.
CudaProbeResult RunCudaProbe(const std::string& probe_exe, int64_t timeout_ms = 20000);

// RunCudaProbe once per process: the first caller's probe_exe is used and every later caller,
// from any thread, gets that same result (several runtimes ask; devices do not come and go while
// the host runs).
const CudaProbeResult& CachedCudaProbe(const std::string& probe_exe);

// The probe executable's output format, shared by the executable and RunCudaProbe: has_device,
// problem, driver_version, device_count, then device<i>_name, device<i>_memory (bytes) and
// device<i>_cc ("9.0") per device; one "key=value" line each.
std::string FormatCudaProbeLines(const CudaProbeResult& result);

}  // namespace scorehost::pyworker
