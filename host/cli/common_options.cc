#include "cli/common_options.h"

#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <spdlog/formatter.h>

#include <algorithm>
#include <boost/dll/runtime_symbol_info.hpp>
#include <boost/filesystem.hpp>
#include <cctype>
#include <chrono>
#include <ctime>
#include <iterator>
#include <memory>
#include <stdexcept>

#include "core/json_string.h"
#include "registry/registry.h"

#ifndef SCOREHOST_RELATIVE_RUNTIME_DIR
#define SCOREHOST_RELATIVE_RUNTIME_DIR "../lib/scorehost/runtimes"
#endif

namespace fs = boost::filesystem;

namespace scorehost {
namespace {

// The build tree keeps plugins in <bin>/runtimes; an installed tree in <prefix>/<libdir>/scorehost/runtimes.
std::string DefaultRuntimeDir() {
  fs::path exe_dir = boost::dll::program_location().parent_path();
  boost::system::error_code ec;
  fs::path beside = exe_dir / "runtimes";
  if (fs::is_directory(beside, ec)) return beside.string();
  return (exe_dir / SCOREHOST_RELATIVE_RUNTIME_DIR).lexically_normal().string();
}

thread_local const LogContext* t_log_context = nullptr;

// logfmt value: bare when it is a plain token, else quoted with \" \\ \n escaped.
void AppendLogfmtValue(std::string& out, std::string_view text) {
  bool bare = !text.empty();
  for (unsigned char c : text)
    if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c >= 0x7f) bare = false;
  if (bare) {
    out.append(text);
    return;
  }
  AppendJsonString(out, text);  // logfmt's quoted values take JSON's escapes
}

// One line per event in the chosen format; the request id comes from the writing thread's
// LogContext (spdlog formats on the thread that logs).
class LineFormatter : public spdlog::formatter {
 public:
  enum class Format { kText, kJson, kLogfmt };
  explicit LineFormatter(Format format) : format_(format) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    std::string line;
    line.reserve(msg.payload.size() + 96);
    std::string time = Timestamp(msg.time);
    const auto level_sv = spdlog::level::to_string_view(msg.level);
    std::string_view level(level_sv.data(), level_sv.size());
    std::string_view text(msg.payload.data(), msg.payload.size());
    std::string ids;
    if (t_log_context != nullptr) t_log_context->AppendRequestIds(ids);
    std::size_t color_start = 0, color_end = 0;
    switch (format_) {
      case Format::kText:
        line += time;
        line += ' ';
        color_start = line.size();
        line += level;
        color_end = line.size();
        line += ' ';
        line += text;
        if (!ids.empty()) {
          line += " [request_id=";
          line += ids;
          line += ']';
        }
        break;
      case Format::kJson:
        line += "{\"time\":\"";
        line += time;
        line += "\",\"level\":\"";
        line += level;
        line += "\",\"msg\":";
        AppendJsonString(line, text);
        if (!ids.empty()) {
          line += ",\"request_id\":";
          AppendJsonString(line, ids);
        }
        line += '}';
        break;
      case Format::kLogfmt:
        line += "time=";
        line += time;
        line += " level=";
        line += level;
        line += " msg=";
        AppendLogfmtValue(line, text);
        if (!ids.empty()) {
          line += " request_id=";
          AppendLogfmtValue(line, ids);
        }
        break;
    }
    line += '\n';
    dest.append(line.data(), line.data() + line.size());
    msg.color_range_start = color_start;
    msg.color_range_end = color_end;
  }

  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<LineFormatter>(format_); }

 private:
  static std::string Timestamp(spdlog::log_clock::time_point tp) {
    auto since = tp.time_since_epoch();
    auto secs = std::chrono::duration_cast<std::chrono::seconds>(since);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(since - secs).count();
    std::time_t t = static_cast<std::time_t>(secs.count());
    std::tm tm{};
    gmtime_r(&t, &tm);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                       tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
  }

  Format format_;
};

}  // namespace

void AddCommonOptions(CLI::App& app, CommonOptions& options) {
  app.add_option("--runtime-dir", options.runtime_dir,
                 "Directory scanned for runtime plugins (*.so) [env SCOREHOST_RUNTIME_DIR; default: 'runtimes' "
                 "beside the executable]")
      ->envname("SCOREHOST_RUNTIME_DIR");
  app.add_option("--manifest", options.manifest,
                 "Registry manifest (TOML) [env SCOREHOST_MANIFEST; default: <runtime-dir>/runtimes.toml]")
      ->envname("SCOREHOST_MANIFEST");
  app.add_option("--log-level", options.log_level, "DEBUG, INFO, WARNING or ERROR [env LOG_LEVEL; default INFO]")
      ->envname("LOG_LEVEL")
      ->default_str("INFO");
  app.add_option("--log-format", options.log_format,
                 "Log line format: text, json or logfmt [env LOG_FORMAT; default text]")
      ->envname("LOG_FORMAT")
      ->default_str("text")
      ->transform(CLI::IsMember({"text", "json", "logfmt"}, CLI::ignore_case));
}

void ConfigureLogging(const CommonOptions& options) {
  std::string level = options.log_level;
  std::transform(level.begin(), level.end(), level.begin(), [](unsigned char c) { return std::toupper(c); });
  std::string format = options.log_format;
  std::transform(format.begin(), format.end(), format.begin(), [](unsigned char c) { return std::tolower(c); });
  LineFormatter::Format f = LineFormatter::Format::kText;
  if (format == "json") f = LineFormatter::Format::kJson;
  else if (format == "logfmt") f = LineFormatter::Format::kLogfmt;
  else if (!format.empty() && format != "text")
    throw std::invalid_argument("LOG_FORMAT must be text, json or logfmt, not '" + options.log_format + "'");
  auto logger = spdlog::get("scorehost");
  if (!logger) logger = spdlog::stderr_color_mt("scorehost");
  spdlog::set_default_logger(logger);
  spdlog::set_formatter(std::make_unique<LineFormatter>(f));
  if (level == "DEBUG") spdlog::set_level(spdlog::level::debug);
  else if (level == "WARNING" || level == "WARN") spdlog::set_level(spdlog::level::warn);
  else if (level == "ERROR") spdlog::set_level(spdlog::level::err);
  else spdlog::set_level(spdlog::level::info);
}

ScopedLogContext::ScopedLogContext(const LogContext* context) : previous_(t_log_context) { t_log_context = context; }
ScopedLogContext::~ScopedLogContext() { t_log_context = previous_; }

bool IsSecretSettingName(std::string_view name) {
  std::string upper(name);
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  for (const char* word : {"KEY", "TOKEN", "PASSWORD", "PASSWD", "SECRET", "CREDENTIAL"})
    if (upper.find(word) != std::string::npos) return true;
  return false;
}

std::string MaskedSettingValue(std::string_view name, std::string_view value) {
  if (IsSecretSettingName(name) && !value.empty()) return "****";
  return std::string(value);
}

Result<Registry> LoadRegistry(const CommonOptions& options) {
  std::string runtime_dir = options.runtime_dir.empty() ? DefaultRuntimeDir() : options.runtime_dir;
  boost::system::error_code ec;
  runtime_dir = fs::absolute(runtime_dir).lexically_normal().string();
  if (!fs::is_directory(runtime_dir, ec))
    return Status::NotFound(fmt::format("runtime directory {} does not exist", runtime_dir));
  std::string manifest = options.manifest;
  if (manifest.empty()) {
    // A custom runtime directory without its own manifest still gets the product's runtime list.
    for (const fs::path& candidate : {fs::path(runtime_dir) / "runtimes.toml", fs::path(DefaultRuntimeDir()) / "runtimes.toml"}) {
      if (fs::is_regular_file(candidate, ec)) {
        manifest = candidate.string();
        break;
      }
    }
    if (manifest.empty()) spdlog::warn("no registry manifest found; listing plugin-declared runtimes only");
  } else if (!fs::is_regular_file(manifest, ec)) {
    return Status::NotFound(fmt::format("registry manifest {} does not exist", manifest));
  }
  auto registry = Registry::Build(manifest, runtime_dir);
  if (registry.ok())
    for (const RefusedPlugin& r : registry->refused_plugins()) spdlog::warn("{}", r.reason);
  return registry;
}

}  // namespace scorehost
