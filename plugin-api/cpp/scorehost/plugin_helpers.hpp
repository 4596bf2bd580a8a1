// Helpers for writing a scorehost plugin in C++: the exception barrier every ABI entry point needs,
// typed errors, and the version-checked table fill for `scorehost_plugin_entry`.
//
// Header-only; each plugin gets its own copy of the function-local statics (plugins are built with
// hidden visibility), so two plugins never share a host pointer by accident.
#pragma once

#include <scorehost/plugin_api.h>

#include <cstring>
#include <exception>
#include <new>
#include <string>
#include <type_traits>
#include <utility>

namespace scorehost::plugin {

// The host services table given to init. Null before init and after fini.
inline const sh_host_api*& Host() {
  static const sh_host_api* host = nullptr;
  return host;
}

// Logs through the host if there is one (e.g. not during `scorehost_plugin_entry`).
inline void Log(sh_log_level level, const std::string& message) {
  if (const sh_host_api* h = Host()) h->log(level, message.c_str());
}

// Throw this inside a plugin to return a specific status code from the nearest Guard.
class Error : public std::exception {
 public:
  Error(sh_status_code code, std::string message) : code_(code), message_(std::move(message)) {}
  sh_status_code code() const { return code_; }
  const char* what() const noexcept override { return message_.c_str(); }

 private:
  sh_status_code code_;
  std::string message_;
};

inline sh_status* MakeStatus(sh_status_code code, const std::string& message) {
  const sh_host_api* h = Host();
  return h ? h->status_new(code, message.c_str()) : nullptr;
}

// Runs `body` and converts any exception into a status: the catch-all barrier the ABI requires.
// `body` returns void (success) or sh_status* (passed through).
template <class Body>
sh_status* Guard(Body&& body) noexcept {
  try {
    if constexpr (std::is_same_v<decltype(body()), sh_status*>) {
      return body();
    } else {
      body();
      return nullptr;
    }
  } catch (const Error& e) {
    return MakeStatus(e.code(), e.what());
  } catch (const std::bad_alloc&) {
    return MakeStatus(SH_RESOURCE_EXHAUSTED, "out of memory");
  } catch (const std::exception& e) {
    return MakeStatus(SH_INTERNAL, std::string("internal error: ") + e.what());
  } catch (...) {
    return MakeStatus(SH_INTERNAL, "internal error: unknown exception");
  }
}

// Implements the contract of `scorehost_plugin_entry` for a plugin whose table is `mine`:
// always reports the plugin's version, refuses another host major, copies no more than the host
// has room for.
inline int FillEntry(uint32_t host_abi_major, sh_plugin_api* out, const sh_plugin_api& mine) {
  if (out == nullptr) return 1;
  const size_t room = out->struct_size;
  if (room >= offsetof(sh_plugin_api, abi_minor) + sizeof(uint32_t)) {
    out->abi_major = SH_ABI_MAJOR;
    out->abi_minor = SH_ABI_MINOR;
  }
  if (host_abi_major != SH_ABI_MAJOR) return 1;
  const size_t n = room < sizeof(sh_plugin_api) ? room : sizeof(sh_plugin_api);
  std::memcpy(out, &mine, n);
  out->struct_size = n;
  return 0;
}

}  // namespace scorehost::plugin
