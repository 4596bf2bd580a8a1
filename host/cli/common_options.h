// Options every subcommand shares (where the plugins and the manifest are, logging), and the
// registry built from them.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <string_view>

#include "core/status.h"

namespace scorehost {

class Registry;

struct CommonOptions {
  std::string runtime_dir;  // SCOREHOST_RUNTIME_DIR / --runtime-dir; default: <exe dir>/runtimes,
                            // else <exe dir>/../lib/scorehost/runtimes
  std::string manifest;     // SCOREHOST_MANIFEST / --manifest; default: <runtime dir>/runtimes.toml
  std::string log_level;    // LOG_LEVEL / --log-level: DEBUG, INFO, WARNING (WARN), ERROR
  std::string log_format;   // LOG_FORMAT / --log-format: text (default), json, logfmt
};

// Registers the shared options on `app` (flags win over the environment variables named above).
void AddCommonOptions(CLI::App& app, CommonOptions& options);

// Applies LOG_LEVEL and LOG_FORMAT to the process logger (spdlog, stderr, one line per event):
//   text    2026-01-01T12:00:00.123Z info message [request_id=...]
//   json    {"time":"2026-01-01T12:00:00.123Z","level":"info","msg":"message","request_id":"..."}
//   logfmt  time=2026-01-01T12:00:00.123Z level=info msg="message" request_id=...
// request_id appears on lines written while a LogContext is current on the writing thread.
// An unknown LOG_FORMAT throws CLI::ValidationError-like std::invalid_argument.
void ConfigureLogging(const CommonOptions& options);

// The request(s) the current thread works for; log lines written meanwhile carry their ids.
class LogContext {
 public:
  virtual ~LogContext() = default;
  // Appends the request id (several ids comma-separated for a batch).
  virtual void AppendRequestIds(std::string& out) const = 0;
};

// Makes `context` current on this thread for the object's lifetime (nestable).
class ScopedLogContext {
 public:
  explicit ScopedLogContext(const LogContext* context);
  ~ScopedLogContext();
  ScopedLogContext(const ScopedLogContext&) = delete;
  ScopedLogContext& operator=(const ScopedLogContext&) = delete;

 private:
  const LogContext* previous_;
};

// The usual case: one request id.
class RequestIdContext : public LogContext {
 public:
  explicit RequestIdContext(std::string_view id) : id_(id) {}
  void AppendRequestIds(std::string& out) const override { out.append(id_); }

 private:
  std::string_view id_;
};

// True for setting names that hold secrets: DRIVERLESS_AI_LICENSE_KEY and anything whose name
// contains KEY, TOKEN, PASSWORD, SECRET or CREDENTIAL (any case).
bool IsSecretSettingName(std::string_view name);
// The value to print for a setting: "****" for a non-empty secret, else the value itself.
std::string MaskedSettingValue(std::string_view name, std::string_view value);

// Scans the runtime directory and reads the manifest. A duplicate runtime name is an error.
Result<Registry> LoadRegistry(const CommonOptions& options);

}  // namespace scorehost
