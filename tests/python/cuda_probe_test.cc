// The CUDA device probe (plugins/python/src/cuda_probe.hpp) against libfake_cuda_driver_test_double.so,
// a test double of libcuda.so.1 steered by FAKE_CUDA_* variables: in process (ProbeCudaDriver)
// and through the scorehost-cuda-probe executable (RunCudaProbe), including a driver that crashes
// or hangs in cuInit. Needs no GPU. The probe sources are compiled into this test (not reached
// through python.so, whose only export is the plugin entry).
//
// FAKE_CUDA_DRIVER and CUDA_PROBE_EXE are absolute paths from CMake.
#define BOOST_TEST_MODULE python_cuda_probe
#include <sys/stat.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>

#include "cuda_probe.hpp"

using scorehost::pyworker::CachedCudaProbe;
using scorehost::pyworker::CudaProbeResult;
using scorehost::pyworker::ProbeCudaDriver;
using scorehost::pyworker::RunCudaProbe;

namespace {

using Env = std::map<std::string, std::string>;

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Sets environment variables for one test case (they reach the probe executable too) and puts the
// previous values back afterwards, so the cases do not leak scenarios into each other.
class ScopedEnv {
 public:
  explicit ScopedEnv(const Env& vars) {
    for (const auto& [key, value] : vars) {
      const char* old = std::getenv(key.c_str());
      saved_[key] = old ? std::optional<std::string>(old) : std::nullopt;
      setenv(key.c_str(), value.c_str(), 1);
    }
  }
  ~ScopedEnv() {
    for (const auto& [key, old] : saved_) {
      if (old) {
        setenv(key.c_str(), old->c_str(), 1);
      } else {
        unsetenv(key.c_str());
      }
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::map<std::string, std::optional<std::string>> saved_;
};

const Env kTwoDevices = {
    {"FAKE_CUDA_DEVICE_COUNT", "2"},
    {"FAKE_CUDA_NAME", "Fake GPU"},
    {"FAKE_CUDA_NAME_1", "Fake GPU Max"},
    {"FAKE_CUDA_MEMORY", "150118416384"},  // 139.8 GiB, an H200's
    {"FAKE_CUDA_CC", "9.0"},
    {"FAKE_CUDA_DRIVER_VERSION", "12040"},
};

void CheckTwoDevices(const CudaProbeResult& r) {
  BOOST_TEST_INFO("problem: " << r.problem);
  BOOST_TEST(r.has_device);
  BOOST_TEST(r.problem.empty());
  BOOST_TEST(r.driver_version == 12040);
  BOOST_TEST_REQUIRE(r.devices.size() == 2u);
  BOOST_TEST(r.devices[0].name == "Fake GPU");
  BOOST_TEST(r.devices[1].name == "Fake GPU Max");
  BOOST_TEST(r.devices[0].total_memory_bytes == 150118416384ull);
  BOOST_TEST(r.devices[1].total_memory_bytes == 150118416384ull);
  BOOST_TEST(r.devices[0].cc_major == 9);
  BOOST_TEST(r.devices[0].cc_minor == 0);
  BOOST_TEST(r.Summary() == "Fake GPU, 139.8 GiB, compute 9.0, driver 12.4 (+1 more device)");
}

// The fake, chosen the way operators choose a driver: through SCOREHOST_LIBCUDA.
Env WithFake(Env vars) {
  vars["SCOREHOST_LIBCUDA"] = FAKE_CUDA_DRIVER;
  return vars;
}

}  // namespace

// ---- in process ----

BOOST_AUTO_TEST_CASE(missing_library_names_it) {
  const CudaProbeResult r = ProbeCudaDriver("/nonexistent/libcuda-missing.so.1");
  BOOST_TEST(!r.has_device);
  BOOST_TEST(r.devices.empty());
  BOOST_TEST(Contains(r.problem, "no CUDA device"), r.problem);
  BOOST_TEST(Contains(r.problem, "/nonexistent/libcuda-missing.so.1"), r.problem);
  BOOST_TEST(r.Summary() == r.problem);
}

BOOST_AUTO_TEST_CASE(library_without_driver_entry_points) {
  const CudaProbeResult r = ProbeCudaDriver("libm.so.6");
  BOOST_TEST(!r.has_device);
  BOOST_TEST(Contains(r.problem, "no CUDA device"), r.problem);
  BOOST_TEST(Contains(r.problem, "lacks cuInit"), r.problem);
}

BOOST_AUTO_TEST_CASE(init_no_device) {
  ScopedEnv env(Env{{"FAKE_CUDA_INIT_RESULT", "100"}, {"FAKE_CUDA_DRIVER_VERSION", "12020"}});
  const CudaProbeResult r = ProbeCudaDriver(FAKE_CUDA_DRIVER);
  BOOST_TEST(!r.has_device);
  BOOST_TEST(r.problem == "no CUDA device: cuInit failed with CUDA_ERROR_NO_DEVICE (100)");
  BOOST_TEST(r.driver_version == 12020);  // known even though cuInit failed
}

BOOST_AUTO_TEST_CASE(init_error_named_without_the_drivers_help) {
  // A driver whose cuGetErrorName fails: the probe's own table names the common results.
  ScopedEnv env(Env{{"FAKE_CUDA_INIT_RESULT", "35"}, {"FAKE_CUDA_ERROR_NAMES", "0"}});
  const CudaProbeResult r = ProbeCudaDriver(FAKE_CUDA_DRIVER);
  BOOST_TEST(!r.has_device);
  BOOST_TEST(r.problem == "no CUDA device: cuInit failed with CUDA_ERROR_INSUFFICIENT_DRIVER (35)");
}

BOOST_AUTO_TEST_CASE(zero_devices) {
  ScopedEnv env(Env{{"FAKE_CUDA_DEVICE_COUNT", "0"}});
  const CudaProbeResult r = ProbeCudaDriver(FAKE_CUDA_DRIVER);
  BOOST_TEST(!r.has_device);
  BOOST_TEST(r.devices.empty());
  BOOST_TEST(r.problem == "no CUDA device: the driver reports 0 devices");
}

BOOST_AUTO_TEST_CASE(two_devices) {
  ScopedEnv env(kTwoDevices);
  CheckTwoDevices(ProbeCudaDriver(FAKE_CUDA_DRIVER));
}

BOOST_AUTO_TEST_CASE(library_from_environment) {
  ScopedEnv env(WithFake(kTwoDevices));
  CheckTwoDevices(ProbeCudaDriver());
}

BOOST_AUTO_TEST_CASE(unqueryable_device_is_skipped) {
  ScopedEnv env(Env{{"FAKE_CUDA_DEVICE_COUNT", "2"}, {"FAKE_CUDA_FAIL_DEVICE", "0"}, {"FAKE_CUDA_NAME", "Fake GPU"},
                 {"FAKE_CUDA_MEMORY", "17179869184"}, {"FAKE_CUDA_CC", "8.6"}});
  const CudaProbeResult r = ProbeCudaDriver(FAKE_CUDA_DRIVER);
  BOOST_TEST(r.has_device);
  BOOST_TEST_REQUIRE(r.devices.size() == 1u);
  BOOST_TEST(r.Summary() == "Fake GPU, 16.0 GiB, compute 8.6, driver 12.4");
}

BOOST_AUTO_TEST_CASE(no_device_can_be_queried) {
  ScopedEnv env(Env{{"FAKE_CUDA_DEVICE_COUNT", "1"}, {"FAKE_CUDA_FAIL_DEVICE", "0"}});
  const CudaProbeResult r = ProbeCudaDriver(FAKE_CUDA_DRIVER);
  BOOST_TEST(!r.has_device);
  BOOST_TEST(Contains(r.problem, "no CUDA device"), r.problem);
  BOOST_TEST(Contains(r.problem, "cuDeviceGet for device 0 failed with CUDA_ERROR_INVALID_DEVICE (101)"), r.problem);
}

// What this machine's own driver says, with no override. Only a machine without /dev/nvidia0 is
// known to have no device; elsewhere the answer is printed, and asked through the executable so
// that a real driver's threads stay out of this (possibly sanitized) test process.
BOOST_AUTO_TEST_CASE(this_machine) {
  struct stat st;
  const bool has_nvidia_node = stat("/dev/nvidia0", &st) == 0;
  const char* override_lib = std::getenv("SCOREHOST_LIBCUDA");
  std::optional<ScopedEnv> no_override;
  if (override_lib) no_override.emplace(Env{{"SCOREHOST_LIBCUDA", ""}});
  if (!has_nvidia_node) {
    const CudaProbeResult r = ProbeCudaDriver("");
    BOOST_TEST(!r.has_device);
    BOOST_TEST(Contains(r.problem, "no CUDA device"), r.problem);
    BOOST_TEST_MESSAGE("this machine (in process): " << r.Summary());
  }
  const CudaProbeResult r = RunCudaProbe(CUDA_PROBE_EXE);
  BOOST_TEST((r.has_device || Contains(r.problem, "no CUDA device")), r.problem);
  if (!has_nvidia_node) BOOST_TEST(!r.has_device);
  BOOST_TEST_MESSAGE("this machine (probe executable): " << r.Summary());
}

// ---- through scorehost-cuda-probe ----

BOOST_AUTO_TEST_CASE(exe_two_devices) {
  ScopedEnv env(WithFake(kTwoDevices));
  CheckTwoDevices(RunCudaProbe(CUDA_PROBE_EXE));
}

BOOST_AUTO_TEST_CASE(exe_missing_library) {
  ScopedEnv env(Env{{"SCOREHOST_LIBCUDA", "/nonexistent/libcuda-missing.so.1"}});
  const CudaProbeResult r = RunCudaProbe(CUDA_PROBE_EXE);
  BOOST_TEST(!r.has_device);
  BOOST_TEST(Contains(r.problem, "no CUDA device: /nonexistent/libcuda-missing.so.1 cannot be loaded"), r.problem);
}

BOOST_AUTO_TEST_CASE(exe_init_no_device) {
  ScopedEnv env(WithFake(Env{{"FAKE_CUDA_INIT_RESULT", "100"}}));
  const CudaProbeResult r = RunCudaProbe(CUDA_PROBE_EXE);
  BOOST_TEST(!r.has_device);
  BOOST_TEST(r.problem == "no CUDA device: cuInit failed with CUDA_ERROR_NO_DEVICE (100)");
  BOOST_TEST(r.driver_version == 12040);
}

BOOST_AUTO_TEST_CASE(exe_zero_devices) {
  ScopedEnv env(WithFake(Env{{"FAKE_CUDA_DEVICE_COUNT", "0"}}));
  const CudaProbeResult r = RunCudaProbe(CUDA_PROBE_EXE);
  BOOST_TEST(!r.has_device);
  BOOST_TEST(r.problem == "no CUDA device: the driver reports 0 devices");
}

BOOST_AUTO_TEST_CASE(exe_driver_crash_is_contained) {
  ScopedEnv env(WithFake(Env{{"FAKE_CUDA_CRASH", "1"}}));
  const CudaProbeResult r = RunCudaProbe(CUDA_PROBE_EXE);
  // Reaching this line is the main assertion: the crash stayed in the child.
  BOOST_TEST(!r.has_device);
  BOOST_TEST(Contains(r.problem, "no CUDA device: the probe scorehost-cuda-probe was killed by signal 11 (SIGSEGV)"),
             r.problem);
}

BOOST_AUTO_TEST_CASE(exe_driver_hang_times_out) {
  ScopedEnv env(WithFake(Env{{"FAKE_CUDA_HANG", "1"}}));
  const auto start = std::chrono::steady_clock::now();
  const CudaProbeResult r = RunCudaProbe(CUDA_PROBE_EXE, 1500);
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  BOOST_TEST(!r.has_device);
  BOOST_TEST(r.problem ==
             "no CUDA device: the probe scorehost-cuda-probe did not finish within 1500 ms and was killed");
  BOOST_TEST(took.count() >= 1400);
  BOOST_TEST(took.count() < 6000);  // killed at the deadline, not left to hang
}

BOOST_AUTO_TEST_CASE(exe_missing) {
  const CudaProbeResult r = RunCudaProbe("/nonexistent/scorehost-cuda-probe");
  BOOST_TEST(!r.has_device);
  BOOST_TEST(Contains(r.problem, "no CUDA device: the probe scorehost-cuda-probe could not be run"), r.problem);
  BOOST_TEST(Contains(r.problem, "No such file or directory"), r.problem);
}

BOOST_AUTO_TEST_CASE(exe_failing_without_report) {
  // An executable that exits non-zero stands for a probe that failed before reporting.
  const CudaProbeResult r = RunCudaProbe("/bin/false");
  BOOST_TEST(!r.has_device);
  BOOST_TEST(r.problem == "no CUDA device: the probe false exited with status 1");
}

BOOST_AUTO_TEST_CASE(exe_printing_no_result) {
  const CudaProbeResult r = RunCudaProbe("/bin/true");
  BOOST_TEST(!r.has_device);
  BOOST_TEST(r.problem == "no CUDA device: the probe true printed no result");
}

BOOST_AUTO_TEST_CASE(cached_probe_runs_once) {
  ScopedEnv env(WithFake(kTwoDevices));
  const CudaProbeResult& first = CachedCudaProbe(CUDA_PROBE_EXE);
  CheckTwoDevices(first);
  // Later callers get the first answer, whatever they pass and whatever changed since.
  ScopedEnv later(Env{{"FAKE_CUDA_DEVICE_COUNT", "0"}});
  const CudaProbeResult& second = CachedCudaProbe("/nonexistent/scorehost-cuda-probe");
  BOOST_TEST(&first == &second);
  CheckTwoDevices(second);
}
