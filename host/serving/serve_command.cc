#include "serving/serve_command.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <pthread.h>

#include <chrono>
#include <memory>
#include <thread>

#include "cli/commands.h"
#include "model/model_opener.h"
#include "registry/registry.h"
#include "rest/http_server.h"
#include "rest/model_api.h"
#include "serving/metrics.h"
#include "serving/scoring_service.h"
#include "serving/serving_settings.h"
#include "serving/shapley_options.h"

namespace scorehost {
namespace {

using Clock = std::chrono::steady_clock;

sigset_t ShutdownSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

int DefaultHttpThreads() {
  unsigned n = std::thread::hardware_concurrency();
  if (n == 0) n = 2;
  return static_cast<int>(n > 8 ? 8 : n);
}

// After SIGTERM: /readyz turns 503 at once (the orchestrator stops routing to us), requests that
// are already here, or still arriving, are answered, and the process exits once nothing is left
// or the drain timeout passes.
void Drain(rest::ModelApi& api, double timeout_s) {
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(timeout_s));
  // Requests whose bytes are already in socket buffers have not reached a handler yet; give the
  // I/O threads a moment to pick them up before concluding that nothing is in flight.
  const Clock::time_point settle = std::min(deadline, start + std::chrono::milliseconds(100));
  api.BeginDrain();
  spdlog::info("shutdown requested: draining {} in-flight scoring request(s) (DRAIN_TIMEOUT={} s)", api.pending(),
               timeout_s);
  while (Clock::now() < deadline && (Clock::now() < settle || api.pending() != 0))
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  if (api.pending() != 0) {
    spdlog::warn("drain timeout: {} request(s) still being scored are dropped", api.pending());
    return;
  }
  // Every response is handed to the transport; wait for the writes to settle. A response to a
  // client that already hung up never settles (Pistache drops it silently), so stop once the
  // count has not moved for a while rather than waiting for zero.
  const Clock::time_point flush_deadline = std::min(deadline, Clock::now() + std::chrono::seconds(2));
  int64_t last = api.unflushed();
  Clock::time_point last_change = Clock::now();
  while (last != 0 && Clock::now() < flush_deadline && Clock::now() - last_change < std::chrono::milliseconds(200)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    int64_t now = api.unflushed();
    if (now != last) {
      last = now;
      last_change = Clock::now();
    }
  }
  spdlog::info("drained in {} ms", std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count());
}

// The effective configuration, once, at start-up; secrets (licence keys, tokens, passwords) masked.
void LogConfiguration(const ServingSettings& s, const CommonOptions& common) {
  std::vector<std::pair<std::string, std::string>> entries = {
      {"MODEL_PATH", s.model_path},
      {"RUNTIME", s.runtime_name},
      {"MODEL_ID", s.model_id},
      {"HOST", s.host},
      {"PORT", std::to_string(s.port)},
      {"HTTP_THREADS", std::to_string(s.http_threads)},
      {"MAX_BODY_SIZE", std::to_string(s.max_body_bytes)},
      {"DRAIN_TIMEOUT", fmt::format("{}", s.drain_timeout_s)},
      {"METRICS_ENABLED", s.metrics_enabled ? "true" : "false"},
      {"SCORING_CONCURRENCY", std::to_string(s.scoring_concurrency)},
      {"SCORING_WARN_TIMEOUT", fmt::format("{}", s.scoring_warn_timeout_s)},
      {"SCORING_TIMEOUT", fmt::format("{}", s.scoring_timeout_s)},
      {"MAX_WAITING_REQUESTS", std::to_string(s.max_waiting_requests)},
      {"BATCH_WORKERS", std::to_string(s.batch_workers)},
      {"MAX_BATCH_SIZE", std::to_string(s.max_batch_size)},
      {"MAX_QUEUE_DELAY_US", std::to_string(s.max_queue_delay_us)},
      {"SCORE_ROW_COUNT_VALIDATION", s.row_count_validation},
      {"LOG_LEVEL", common.log_level.empty() ? "INFO" : common.log_level},
      {"LOG_FORMAT", common.log_format.empty() ? "text" : common.log_format},
      {"SCOREHOST_RUNTIME_DIR", common.runtime_dir},
      {"SCOREHOST_MANIFEST", common.manifest},
  };
  // What the runtime plugin is handed (DRIVERLESS_AI_LICENSE_KEY, SHAPLEY_*, ...), where not above.
  for (auto& [key, value] : PluginConfig(s)) {
    bool listed = false;
    for (const auto& e : entries) listed = listed || e.first == key;
    if (!listed) entries.emplace_back(key, value);
  }
  std::string line = "configuration:";
  for (const auto& [key, value] : entries) {
    std::string shown = MaskedSettingValue(key, value);
    bool quote = shown.empty() || shown.find_first_of(" \"=") != std::string::npos;
    line += quote ? fmt::format(" {}=\"{}\"", key, shown) : fmt::format(" {}={}", key, shown);
  }
  spdlog::info("{}", line);
}

// One line naming what the plugin reports about how it serves the model (device, library
// versions, ...), so that a deployment's log says where it runs; none when it reports nothing.
void LogRuntimeProperties(const ModelInfo& info) {
  if (info.properties.empty()) return;
  std::string line;
  for (const auto& [key, value] : info.properties) line += fmt::format("{}{}={}", line.empty() ? "" : ", ", key, value);
  spdlog::info("model runtime properties: {}", line);
}

int RunServe(ServingSettings& settings, const CommonOptions& common) {
  ConfigureLogging(common);
  if (Status st = FinalizeServingSettings(settings); !st.ok()) throw CommandFailed{2, st.message()};
  auto shapley = ShapleyOptions::Parse(settings.shapley_enable, settings.shapley_types_enabled);
  if (!shapley.ok()) throw CommandFailed{2, shapley.status().message()};
  LogConfiguration(settings, common);
  if (settings.metrics_enabled) metrics::Activate();

  // Before any thread exists: every thread inherits the mask, so only sigwait below sees the
  // shutdown signals. Pistache's sendfile path does not pass MSG_NOSIGNAL, hence SIGPIPE.
  sigset_t signals = ShutdownSignals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  auto registry = LoadRegistry(common);
  if (!registry.ok()) throw CommandFailed{1, registry.status().message()};

  // Listen first, so that /readyz can say "Not ready" while a slow model loads.
  auto api = std::make_shared<rest::ModelApi>();
  if (settings.metrics_enabled) api->EnableMetrics();
  rest::HttpServerOptions http;
  http.host = settings.host;
  http.port = static_cast<uint16_t>(settings.port);
  http.threads = settings.http_threads > 0 ? settings.http_threads : DefaultHttpThreads();
  http.limits.max_body_bytes = settings.max_body_bytes;
  rest::HttpServer server(api, http);
  if (Status st = server.Start(); !st.ok()) throw CommandFailed{1, st.message()};
  spdlog::info("listening on {}:{} ({} I/O threads); loading {}", settings.host, server.port(), http.threads,
               settings.model_path);

  OpenRequest open;
  open.model_path = settings.model_path;
  open.runtime_name = settings.runtime_name;
  open.config = PluginConfig(settings);
  const Clock::time_point load_start = Clock::now();
  auto model = OpenModel(*registry, open);
  const double load_seconds = std::chrono::duration<double>(Clock::now() - load_start).count();
  if (!model.ok()) {
    server.Stop();
    throw CommandFailed{1, fmt::format("cannot load model {}: {}", settings.model_path, model.status().message())};
  }
  const LoadedModel& loaded = **model;
  LogRuntimeProperties(loaded.info());
  ScoringService scoring(loaded, settings);
  auto served = rest::ServedModel::Make(loaded, scoring, settings.model_id, *shapley);
  metrics::ServerMetrics::Gauges gauges;
  rest::ModelApi* api_ptr = api.get();
  gauges.inflight = [api_ptr] { return api_ptr->pending(); };
  gauges.queued = [&scoring] { return scoring.queued(); };
  gauges.slots_in_use = [&scoring] { return static_cast<int64_t>(scoring.gate().in_use()); };
  gauges.slots = settings.scoring_concurrency;
  metrics::Instance().SetGauges(std::move(gauges));
  metrics::Instance().SetModel(served->model_id, loaded.runtime_name(), load_seconds);
  api->Publish(served.get());
  spdlog::info("ready: model '{}' ({}, runtime {}), {} inputs, {} outputs", served->model_id,
               loaded.info().artifact_type, loaded.runtime_name(), loaded.info().inputs.size(),
               loaded.info().outputs.size());

  int received = 0;
  sigwait(&signals, &received);
  spdlog::info("received {}", received == SIGTERM ? "SIGTERM" : "SIGINT");
  Drain(*api, settings.drain_timeout_s);
  server.Stop();
  metrics::Instance().Unpublish();
  scoring.Stop();
  spdlog::info("stopped");
  return 0;
}

}  // namespace

void AddServeCommand(CLI::App& app, CommonOptions& common) {
  auto settings = std::make_shared<ServingSettings>();
  CLI::App* cmd = app.add_subcommand(
      "serve", "Serve one model behind the H2O scoring REST API until SIGTERM/SIGINT (flags win over environment)");
  AddServingOptions(*cmd, *settings);
  cmd->footer(
      "Also read by serve (top-level options, see scorehost --help): LOG_LEVEL / --log-level (INFO), "
      "LOG_FORMAT / --log-format (text, json, logfmt), "
      "SCOREHOST_RUNTIME_DIR / --runtime-dir, SCOREHOST_MANIFEST / --manifest. Passed to the runtime plugin: "
      "DRIVERLESS_AI_LICENSE_KEY and the Shapley settings above.");
  cmd->callback([settings, &common] {
    int rc = RunServe(*settings, common);
    if (rc != 0) throw CommandFailed{rc, ""};
  });
}

}  // namespace scorehost
