// scorehost-cuda-probe: asks the CUDA driver (through ProbeCudaDriver) whether a device exists and
// prints the answer as key=value lines (FormatCudaProbeLines) for RunCudaProbe in python.so.
//
// It is a separate process on purpose: cuInit of a broken or mismatched driver can crash or hang,
// and a real driver leaves threads and mappings behind; here that costs only this short-lived
// child, never the host. The driver is $SCOREHOST_LIBCUDA if set, else libcuda.so.1.
//
// Exit status 0 whenever it could report, "no device" included; anything else (a signal, a
// non-zero status) means the probe itself failed, which the plugin reports as no device.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "cuda_probe.hpp"

int main(int argc, char** argv) {
  if (argc > 1) {
    const bool help = std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0;
    std::fprintf(help ? stdout : stderr,
                 "usage: %s\n"
                 "Probes the CUDA driver ($SCOREHOST_LIBCUDA, else libcuda.so.1) and prints key=value lines:\n"
                 "has_device, problem, driver_version, device_count, device<i>_name, device<i>_memory, device<i>_cc.\n",
                 argv[0]);
    return help ? 0 : 2;
  }
  const std::string lines = scorehost::pyworker::FormatCudaProbeLines(scorehost::pyworker::ProbeCudaDriver());
  // One write of the whole report, checked: a truncated report must not look like a complete one.
  if (std::fwrite(lines.data(), 1, lines.size(), stdout) != lines.size() || std::fflush(stdout) != 0) return 1;
  // _Exit, not return: after cuInit a real driver has threads running, and exit's static
  // destructors and atexit handlers (the driver's own, a sanitizer's leak check over the driver's
  // process-lifetime allocations) racing them could still fail a probe whose report is complete.
  // Our own code's leaks are checked where ProbeCudaDriver runs in process (the unit test).
  std::_Exit(0);
}
