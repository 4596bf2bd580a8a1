/* libfake_cuda_driver_test_double.so: a TEST DOUBLE of the CUDA driver (libcuda.so.1), for
 * tests/python/cuda_probe_test.cc only. It exports the driver API entry points the probe calls,
 * with the driver's C signatures, and answers from environment variables read at each call, so
 * one loaded copy can play every scenario (the probe never dlcloses a driver):
 *
 *   FAKE_CUDA_INIT_RESULT=100    cuInit's result (default 0 = CUDA_SUCCESS)
 *   FAKE_CUDA_DRIVER_VERSION=N   cuDriverGetVersion (default 12040, i.e. 12.4)
 *   FAKE_CUDA_DEVICE_COUNT=N     cuDeviceGetCount (default 1)
 *   FAKE_CUDA_NAME=text          every device's name (default "Fake GPU"); FAKE_CUDA_NAME_<i> for device i
 *   FAKE_CUDA_MEMORY=bytes       every device's total memory (default 16 GiB)
 *   FAKE_CUDA_CC=major.minor     every device's compute capability (default 9.0)
 *   FAKE_CUDA_FAIL_DEVICE=i      cuDeviceGet(i) fails with CUDA_ERROR_INVALID_DEVICE (101)
 *   FAKE_CUDA_ERROR_NAMES=0      cuGetErrorName fails, as old or broken drivers may
 *   FAKE_CUDA_CRASH=1            cuInit dies of SIGSEGV
 *   FAKE_CUDA_HANG=1             cuInit never returns
 *
 * Like the real driver, everything but cuDriverGetVersion and cuGetErrorName fails with
 * CUDA_ERROR_NOT_INITIALIZED (3) until cuInit has succeeded, so a probe that skips cuInit fails. */
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FAKE_EXPORT __attribute__((visibility("default")))

enum {
  kSuccess = 0,
  kInvalidValue = 1,
  kNotInitialized = 3,
  kNoDevice = 100,
  kInvalidDevice = 101,
};

static int initialized;

static long EnvLong(const char* name, long fallback) {
  const char* v = getenv(name);
  return v && *v ? strtol(v, NULL, 10) : fallback;
}

static int ValidDevice(int dev) { return dev >= 0 && dev < EnvLong("FAKE_CUDA_DEVICE_COUNT", 1); }

FAKE_EXPORT int cuInit(unsigned int flags) {
  (void)flags;
  if (EnvLong("FAKE_CUDA_CRASH", 0)) {
    /* The default disposition first: a sanitizer runtime in the probe installs its own SIGSEGV
     * handler, which would turn the crash into a report and exit status 1. The test wants the
     * probe to die of the signal, as it does when a real driver faults. */
    signal(SIGSEGV, SIG_DFL);
    raise(SIGSEGV);
  }
  if (EnvLong("FAKE_CUDA_HANG", 0)) {
    for (;;) sleep(60);
  }
  int rc = (int)EnvLong("FAKE_CUDA_INIT_RESULT", kSuccess);
  if (rc == kSuccess) initialized = 1;
  return rc;
}

FAKE_EXPORT int cuDriverGetVersion(int* version) {
  if (!version) return kInvalidValue;
  *version = (int)EnvLong("FAKE_CUDA_DRIVER_VERSION", 12040);
  return kSuccess;
}

FAKE_EXPORT int cuDeviceGetCount(int* count) {
  if (!initialized) return kNotInitialized;
  if (!count) return kInvalidValue;
  *count = (int)EnvLong("FAKE_CUDA_DEVICE_COUNT", 1);
  return kSuccess;
}

FAKE_EXPORT int cuDeviceGet(int* device, int ordinal) {
  if (!initialized) return kNotInitialized;
  if (!device) return kInvalidValue;
  if (!ValidDevice(ordinal) || EnvLong("FAKE_CUDA_FAIL_DEVICE", -1) == ordinal) return kInvalidDevice;
  *device = ordinal;
  return kSuccess;
}

FAKE_EXPORT int cuDeviceGetName(char* name, int len, int dev) {
  if (!initialized) return kNotInitialized;
  if (!name || len <= 0) return kInvalidValue;
  if (!ValidDevice(dev)) return kInvalidDevice;
  char key[64];
  snprintf(key, sizeof key, "FAKE_CUDA_NAME_%d", dev);
  const char* v = getenv(key);
  if (!v) v = getenv("FAKE_CUDA_NAME");
  if (!v) v = "Fake GPU";
  snprintf(name, (size_t)len, "%s", v);
  return kSuccess;
}

/* cuda.h maps cuDeviceTotalMem to this _v2 symbol (size_t bytes). */
FAKE_EXPORT int cuDeviceTotalMem_v2(size_t* bytes, int dev) {
  if (!initialized) return kNotInitialized;
  if (!bytes) return kInvalidValue;
  if (!ValidDevice(dev)) return kInvalidDevice;
  const char* v = getenv("FAKE_CUDA_MEMORY");
  *bytes = v && *v ? (size_t)strtoull(v, NULL, 10) : (size_t)16 << 30;
  return kSuccess;
}

FAKE_EXPORT int cuDeviceGetAttribute(int* value, int attribute, int dev) {
  if (!initialized) return kNotInitialized;
  if (!value) return kInvalidValue;
  if (!ValidDevice(dev)) return kInvalidDevice;
  const char* cc = getenv("FAKE_CUDA_CC");
  int major = 9, minor = 0;
  if (cc && *cc) sscanf(cc, "%d.%d", &major, &minor);
  if (attribute == 75) { /* CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR */
    *value = major;
  } else if (attribute == 76) { /* CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR */
    *value = minor;
  } else {
    return kInvalidValue;
  }
  return kSuccess;
}

FAKE_EXPORT int cuGetErrorName(int error, const char** name) {
  if (!name || !EnvLong("FAKE_CUDA_ERROR_NAMES", 1)) return kInvalidValue;
  switch (error) {
    case kSuccess: *name = "CUDA_SUCCESS"; return kSuccess;
    case kNotInitialized: *name = "CUDA_ERROR_NOT_INITIALIZED"; return kSuccess;
    case kNoDevice: *name = "CUDA_ERROR_NO_DEVICE"; return kSuccess;
    case kInvalidDevice: *name = "CUDA_ERROR_INVALID_DEVICE"; return kSuccess;
    default: *name = NULL; return kInvalidValue;
  }
}
