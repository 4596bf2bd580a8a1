// The few CUDA driver API types and entry points the probe calls (private to cuda_probe.cc).
//
// Nothing links to CUDA: the driver is dlopen'ed at run time. When CMake found the toolkit's
// cuda.h it passes its path as SCOREHOST_CUDA_H (the path, not the include directory, so the
// toolkit's other headers cannot shadow anything) and the function-pointer types come from the
// real declarations, so a signature mistake here is a compile error. Without a toolkit the
// fallback below declares the same things by hand, so the plugin still builds (and probes
// correctly) on machines without a toolkit: the driver API is a stable C ABI and none of these
// entry points has changed its signature in many releases (new behaviour gets a new _vN symbol).
#pragma once

#include <cstddef>

#ifdef SCOREHOST_CUDA_H
#include SCOREHOST_CUDA_H

namespace scorehost::pyworker::cuda {
using Result = ::CUresult;
using Device = ::CUdevice;
using Attribute = ::CUdevice_attribute;
// cuda.h #defines cuDeviceTotalMem to cuDeviceTotalMem_v2, so this is the _v2 (size_t) entry.
using InitFn = decltype(&::cuInit);
using DriverGetVersionFn = decltype(&::cuDriverGetVersion);
using DeviceGetCountFn = decltype(&::cuDeviceGetCount);
using DeviceGetFn = decltype(&::cuDeviceGet);
using DeviceGetNameFn = decltype(&::cuDeviceGetName);
using DeviceTotalMemFn = decltype(&::cuDeviceTotalMem);
using DeviceGetAttributeFn = decltype(&::cuDeviceGetAttribute);
using GetErrorNameFn = decltype(&::cuGetErrorName);
inline constexpr Result kSuccess = CUDA_SUCCESS;
inline constexpr Attribute kAttrCcMajor = CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR;
inline constexpr Attribute kAttrCcMinor = CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR;
}  // namespace scorehost::pyworker::cuda

#else  // no cuda.h: the hand-written fallback (see the top of this file)

namespace scorehost::pyworker::cuda {
// CUresult and CUdevice_attribute are enums in cuda.h, passed and returned as int in the C ABI.
using Result = int;
using Device = int;
using Attribute = int;
using InitFn = Result (*)(unsigned int flags);
using DriverGetVersionFn = Result (*)(int* version);
using DeviceGetCountFn = Result (*)(int* count);
using DeviceGetFn = Result (*)(Device* device, int ordinal);
using DeviceGetNameFn = Result (*)(char* name, int len, Device device);
using DeviceTotalMemFn = Result (*)(size_t* bytes, Device device);  // cuDeviceTotalMem_v2
using DeviceGetAttributeFn = Result (*)(int* value, Attribute attribute, Device device);
using GetErrorNameFn = Result (*)(Result error, const char** name);
inline constexpr Result kSuccess = 0;
inline constexpr Attribute kAttrCcMajor = 75;  // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR
inline constexpr Attribute kAttrCcMinor = 76;  // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR
}  // namespace scorehost::pyworker::cuda

#endif

namespace scorehost::pyworker::cuda {
// The symbol names to dlsym. cuDeviceTotalMem without suffix is the CUDA 3.1 entry taking an
// unsigned int* (4 GiB cap) that drivers still export for old binaries; the _v2 one is what
// cuda.h's macro selects.
inline constexpr const char* kDeviceTotalMemSymbol = "cuDeviceTotalMem_v2";
}  // namespace scorehost::pyworker::cuda
