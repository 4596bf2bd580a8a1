#include "serving/serving_settings.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>

#include "model/model_opener.h"
#include "serving/shapley_options.h"

namespace scorehost {
namespace {

std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// "-Dkey=value" arrives from CLI11 as "key=value". The Java runtimes accept these system
// properties; keeping them means existing container command lines keep working.
Status ApplyJavaProperty(ServingSettings& s, const std::string& property) {
  size_t eq = property.find('=');
  if (eq == std::string::npos)
    return Status::InvalidArgument(fmt::format("-D{}: expected -Dname=value", property));
  std::string key = property.substr(0, eq);
  std::string value = property.substr(eq + 1);
  if (key == "mojo.path") {
    if (s.model_path.empty()) s.model_path = value;
  } else if (key == "shapley.enable") {
    s.shapley_enable = value;
  } else if (key == "shapley.types.enabled") {
    s.shapley_types_enabled = value;
  } else {
    return Status::InvalidArgument(fmt::format(
        "-D{}: unknown property (known: mojo.path, shapley.enable, shapley.types.enabled)", key));
  }
  return Status::Ok();
}

}  // namespace

void AddServingOptions(CLI::App& cmd, ServingSettings& s) {
  cmd.add_option("--model-path", s.model_path,
                 "Model artifact to serve (file, directory or zip) [aliases: -Dmojo.path=, env SCORER_MOJO_PATH]")
      ->envname("MODEL_PATH");
  cmd.add_option("--runtime", s.runtime_name,
                 "Runtime to serve the model with; default: the only runtime that can serve the artifact")
      ->envname("RUNTIME");
  cmd.add_option("--model-id", s.model_id, "Id reported by /model/id and in responses; default: the model's own id")
      ->envname("MODEL_ID");
  cmd.add_option("-D", s.java_style_properties,
                 "Java-style property, as the Java runtimes took it: -Dmojo.path=PATH, -Dshapley.enable=true, "
                 "-Dshapley.types.enabled=ORIGINAL")
      ->allow_extra_args(false);
  cmd.add_option("--host", s.host, "Address to listen on")->envname("HOST")->capture_default_str();
  cmd.add_option("--port", s.port, "TCP port to listen on")->envname("PORT")->capture_default_str()
      ->check(CLI::Range(0, 65535));
  cmd.add_option("--http-threads", s.http_threads, "HTTP I/O threads; 0 = one per CPU core (at most 8)")
      ->envname("HTTP_THREADS")->capture_default_str()->check(CLI::Range(0, 256));
  cmd.add_option("--max-body-size", s.max_body_bytes,
                 "Largest accepted request body in bytes; larger requests get 413 and the connection is closed")
      ->envname("MAX_BODY_SIZE")->capture_default_str();
  cmd.add_option("--drain-timeout", s.drain_timeout_s,
                 "Seconds to finish in-flight requests after SIGTERM/SIGINT before exiting")
      ->envname("DRAIN_TIMEOUT")->capture_default_str()->check(CLI::NonNegativeNumber);
  cmd.add_option("--metrics-enabled", s.metrics_enabled,
                 "Serve Prometheus metrics on GET /metrics (false: no recording, /metrics answers 404)")
      ->envname("METRICS_ENABLED")->capture_default_str();
  cmd.add_option("--scoring-concurrency", s.scoring_concurrency,
                 "Requests allowed past the admission gate at once; the rest wait")
      ->envname("SCORING_CONCURRENCY")->capture_default_str()->check(CLI::Range(1, 100000));
  cmd.add_option("--scoring-warn-timeout", s.scoring_warn_timeout_s,
                 "Seconds a request may wait at the gate before a WARN line is logged")
      ->envname("SCORING_WARN_TIMEOUT")->capture_default_str()->check(CLI::NonNegativeNumber);
  cmd.add_option("--scoring-timeout", s.scoring_timeout_s,
                 "Seconds a request may wait at the gate before it is answered 503; 0 = unlimited")
      ->envname("SCORING_TIMEOUT")->capture_default_str()->check(CLI::NonNegativeNumber);
  cmd.add_option("--max-waiting-requests", s.max_waiting_requests,
                 "Requests allowed to wait at the gate; beyond that new requests get 503 at once")
      ->envname("MAX_WAITING_REQUESTS")->capture_default_str()->check(CLI::Range(0, 10000000));
  cmd.add_option("--batch-workers", s.batch_workers,
                 "Inference threads that coalesce requests into batches; 0 = direct path (no batching)")
      ->envname("BATCH_WORKERS")->capture_default_str()->check(CLI::Range(0, 1024));
  cmd.add_option("--max-batch-size", s.max_batch_size, "Rows per coalesced batch (a larger request is scored whole)")
      ->envname("MAX_BATCH_SIZE")->capture_default_str()->check(CLI::Range(1, 100000000));
  cmd.add_option("--max-queue-delay-us", s.max_queue_delay_us,
                 "Microseconds a batch waits for more requests, counted from its oldest request")
      ->envname("MAX_QUEUE_DELAY_US")->capture_default_str()->check(CLI::Range(int64_t{0}, int64_t{60000000}));
  cmd.add_option("--score-row-count-validation", s.row_count_validation,
                 "strict | warn: what a model returning another number of rows than it got causes "
                 "(the batching path always fails the batch)")
      ->envname("SCORE_ROW_COUNT_VALIDATION")->capture_default_str();
  cmd.add_option("--shapley-enable", s.shapley_enable, "true = enable every Shapley contribution type [default: false]")
      ->envname("SHAPLEY_ENABLE");
  cmd.add_option("--shapley-types-enabled", s.shapley_types_enabled,
                 "Shapley contribution types to enable: ALL, NONE, ORIGINAL or TRANSFORMED [default: NONE]")
      ->envname("SHAPLEY_TYPES_ENABLED");
}

Status FinalizeServingSettings(ServingSettings& s) {
  for (const std::string& p : s.java_style_properties) {
    Status st = ApplyJavaProperty(s, p);
    if (!st.ok()) return st;
  }
  if (s.model_path.empty()) {
    if (const char* alias = std::getenv("SCORER_MOJO_PATH"); alias != nullptr && *alias != '\0') {
      s.mojo_path_env = alias;
      s.model_path = alias;
    }
  }
  if (s.model_path.empty())
    return Status::InvalidArgument("no model to serve: set MODEL_PATH (or --model-path, SCORER_MOJO_PATH, -Dmojo.path=)");
  s.row_count_validation = Lower(s.row_count_validation);
  if (s.row_count_validation != "strict" && s.row_count_validation != "warn")
    return Status::InvalidArgument(fmt::format("SCORE_ROW_COUNT_VALIDATION must be strict or warn, not '{}'",
                                               s.row_count_validation));
  auto shapley = ShapleyOptions::Parse(s.shapley_enable, s.shapley_types_enabled);
  if (!shapley.ok()) return shapley.status();
  if (s.max_body_bytes < 1024) return Status::InvalidArgument("MAX_BODY_SIZE must be at least 1024 bytes");
  return Status::Ok();
}

KeyValues PluginConfig(const ServingSettings& s) {
  std::map<std::string, std::string> merged;
  for (auto& [k, v] : PluginConfigFromEnvironment()) merged[k] = v;
  if (!s.shapley_enable.empty()) merged["SHAPLEY_ENABLE"] = s.shapley_enable;
  if (!s.shapley_types_enabled.empty()) merged["SHAPLEY_TYPES_ENABLED"] = Upper(s.shapley_types_enabled);
  merged["BATCH_WORKERS"] = std::to_string(s.batch_workers);
  merged["SCORING_CONCURRENCY"] = std::to_string(s.scoring_concurrency);
  if (!s.mojo_path_env.empty()) merged["SCORER_MOJO_PATH"] = s.mojo_path_env;
  return KeyValues(merged.begin(), merged.end());
}

}  // namespace scorehost
