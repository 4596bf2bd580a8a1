#include "serving/metrics.h"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

namespace scorehost::metrics {

namespace detail {
std::atomic<ServerMetrics*> active{nullptr};
}

// ---- ExpositionWriter -----------------------------------------------------------------------

void ExpositionWriter::AppendEscaped(std::string& out, std::string_view text, bool quote) {
  for (char c : text) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '"':
        if (quote) out += "\\\"";
        else out += '"';
        break;
      default: out += c;
    }
  }
}

void ExpositionWriter::AppendValue(std::string& out, double value) {
  if (std::isnan(value)) out += "NaN";
  else if (std::isinf(value)) out += value > 0 ? "+Inf" : "-Inf";
  else fmt::format_to(std::back_inserter(out), "{}", value);
}

void ExpositionWriter::Family(std::string_view name, std::string_view type, std::string_view help) {
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  AppendEscaped(out_, help, false);
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += ' ';
  out_ += type;
  out_ += '\n';
}

void ExpositionWriter::Head(std::string_view name, Labels labels, std::string_view extra_key,
                            std::string_view extra_value) {
  out_ += name;
  if (labels.size() != 0 || !extra_key.empty()) {
    out_ += '{';
    bool first = true;
    auto label = [&](std::string_view k, std::string_view v) {
      if (!first) out_ += ',';
      first = false;
      out_ += k;
      out_ += "=\"";
      AppendEscaped(out_, v, true);
      out_ += '"';
    };
    for (const auto& [k, v] : labels) label(k, v);
    if (!extra_key.empty()) label(extra_key, extra_value);
    out_ += '}';
  }
  out_ += ' ';
}

void ExpositionWriter::Sample(std::string_view name, Labels labels, double value) {
  Head(name, labels);
  AppendValue(out_, value);
  out_ += '\n';
}

void ExpositionWriter::Sample(std::string_view name, Labels labels, uint64_t value) {
  Head(name, labels);
  fmt::format_to(std::back_inserter(out_), "{}\n", value);
}

void ExpositionWriter::Sample(std::string_view name, Labels labels, int64_t value) {
  Head(name, labels);
  fmt::format_to(std::back_inserter(out_), "{}\n", value);
}

void ExpositionWriter::Histogram(std::string_view name, Labels labels, const std::vector<double>& bounds,
                                 const std::vector<uint64_t>& counts, double sum) {
  if (counts.size() != bounds.size() + 1) throw std::invalid_argument("histogram: counts must be bounds + 1");
  const std::string bucket = std::string(name) + "_bucket";
  uint64_t cumulative = 0;
  std::string le;
  for (std::size_t i = 0; i <= bounds.size(); ++i) {
    cumulative += counts[i];
    le.clear();
    AppendValue(le, i < bounds.size() ? bounds[i] : INFINITY);
    Head(bucket, labels, "le", le);
    fmt::format_to(std::back_inserter(out_), "{}\n", cumulative);
  }
  Head(std::string(name) + "_sum", labels);
  AppendValue(out_, sum);
  out_ += '\n';
  Head(std::string(name) + "_count", labels);
  fmt::format_to(std::back_inserter(out_), "{}\n", cumulative);
}

// ---- Histogram ------------------------------------------------------------------------------

Histogram::Histogram(std::initializer_list<uint64_t> bounds, double scale) : scale_(scale) {
  if (bounds.size() > kMaxBuckets) throw std::invalid_argument("histogram: too many buckets");
  for (uint64_t b : bounds) {
    if (n_bounds_ > 0 && b <= bounds_[n_bounds_ - 1]) throw std::invalid_argument("histogram: bounds must increase");
    bounds_[n_bounds_++] = b;
  }
}

uint64_t Histogram::count() const {
  uint64_t n = 0;
  for (std::size_t i = 0; i <= n_bounds_; ++i) n += counts_[i].load(std::memory_order_relaxed);
  return n;
}

void Histogram::Write(ExpositionWriter& w, std::string_view name, ExpositionWriter::Labels labels) const {
  std::vector<double> bounds(n_bounds_);
  std::vector<uint64_t> counts(n_bounds_ + 1);
  for (std::size_t i = 0; i < n_bounds_; ++i) bounds[i] = static_cast<double>(bounds_[i]) / scale_;
  for (std::size_t i = 0; i <= n_bounds_; ++i) counts[i] = counts_[i].load(std::memory_order_relaxed);
  w.Histogram(name, labels, bounds, counts, static_cast<double>(sum_.load(std::memory_order_relaxed)) / scale_);
}

// ---- ServerMetrics --------------------------------------------------------------------------

namespace {

constexpr uint64_t kUs = 1000, kMs = 1000 * kUs, kS = 1000 * kMs;
#define SCOREHOST_SECONDS_BUCKETS                                                                              \
  {50 * kUs, 100 * kUs, 250 * kUs, 500 * kUs, 1 * kMs, 2500 * kUs, 5 * kMs, 10 * kMs, 25 * kMs, 50 * kMs, 100 * kMs, \
   250 * kMs, 500 * kMs, 1 * kS, 2500 * kMs, 5 * kS, 10 * kS, 30 * kS}

double NowUnixSeconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

std::string_view EndpointLabel(Endpoint e) {
  switch (e) {
    case Endpoint::kScore: return "/model/score";
    case Endpoint::kContribution: return "/model/contribution";
    case Endpoint::kModelId: return "/model/id";
    case Endpoint::kSchema: return "/model/schema";
    case Endpoint::kCapabilities: return "/model/capabilities";
    case Endpoint::kSampleRequest: return "/model/sample_request";
    case Endpoint::kRuntime: return "/model/runtime";
    case Endpoint::kReadyz: return "/readyz";
    case Endpoint::kOpenApi: return "/openapi.json";
    case Endpoint::kDocs: return "/docs";
    case Endpoint::kMetrics: return "/metrics";
    default: return "other";
  }
}

std::string_view UnavailableLabel(Unavailable u) {
  switch (u) {
    case Unavailable::kPoolTimeout: return "pool_timeout";
    case Unavailable::kQueueFull: return "queue_full";
    case Unavailable::kShuttingDown: return "shutting_down";
    case Unavailable::kWorkerUnavailable: return "worker_unavailable";
    case Unavailable::kModelLoading: return "model_loading";
    default: return "other";
  }
}

ServerMetrics::ServerMetrics()
    : queue_wait(SCOREHOST_SECONDS_BUCKETS, 1e9),
      compute_duration(SCOREHOST_SECONDS_BUCKETS, 1e9),
      batch_rows({1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096, 16384, 65536}, 1),
      batch_requests({1, 2, 4, 8, 16, 32, 64, 128, 256}, 1),
      score_duration_(SCOREHOST_SECONDS_BUCKETS, 1e9),
      contribution_duration_(SCOREHOST_SECONDS_BUCKETS, 1e9),
      start_time_seconds_(NowUnixSeconds()) {}

void ServerMetrics::SetModel(std::string model_id, std::string runtime, double load_seconds) {
  model_id_ = std::move(model_id);
  runtime_ = std::move(runtime);
  model_load_seconds_ = load_seconds;
  loaded_.store(true, std::memory_order_release);
}

std::string ServerMetrics::Render() const {
  const bool loaded = loaded_.load(std::memory_order_acquire);
  std::string out;
  out.reserve(16 * 1024);
  ExpositionWriter w(out);

  w.Family("scorehost_requests_total", "counter",
           "HTTP requests answered, by endpoint and status code (code=\"other\": any other status).");
  for (std::size_t e = 0; e < requests_.size(); ++e) {
    std::string_view endpoint = EndpointLabel(static_cast<Endpoint>(e));
    for (std::size_t c = 0; c < requests_[e].size(); ++c) {
      uint64_t v = requests_[e][c].value();
      bool always = (e == static_cast<std::size_t>(Endpoint::kScore) && c == 0);  // the main series exists from the start
      if (v == 0 && !always) continue;
      std::string code = c < kStatusCodes.size() ? std::to_string(kStatusCodes[c]) : "other";
      w.Sample("scorehost_requests_total", {{"endpoint", endpoint}, {"code", code}}, v);
    }
  }

  w.Family("scorehost_request_duration_seconds", "histogram",
           "Time from a scoring request's dispatch to its response being handed to the socket "
           "(parse, wait, model call, JSON writing), by endpoint.");
  score_duration_.Write(w, "scorehost_request_duration_seconds", {{"endpoint", "/model/score"}});
  contribution_duration_.Write(w, "scorehost_request_duration_seconds", {{"endpoint", "/model/contribution"}});

  w.Family("scorehost_queue_duration_seconds", "histogram",
           "Time a scoring request waited before its model call started: admission gate (SCORING_CONCURRENCY) "
           "plus the batcher's queue.");
  queue_wait.Write(w, "scorehost_queue_duration_seconds", {});

  w.Family("scorehost_compute_duration_seconds", "histogram",
           "Duration of one model call (one batch) in the runtime plugin, batch concatenation included.");
  compute_duration.Write(w, "scorehost_compute_duration_seconds", {});

  w.Family("scorehost_batch_size_rows", "histogram", "Rows per model call (a coalesced batch or one request).");
  batch_rows.Write(w, "scorehost_batch_size_rows", {});

  w.Family("scorehost_batch_size_requests", "histogram", "Requests coalesced into one model call.");
  batch_requests.Write(w, "scorehost_batch_size_requests", {});

  w.Family("scorehost_inflight_requests", "gauge",
           "Scoring requests accepted and not yet answered (waiting, queued or being scored).");
  w.Sample("scorehost_inflight_requests", {}, loaded ? gauges_.inflight() : int64_t{0});
  w.Family("scorehost_queued_requests", "gauge",
           "Scoring requests waiting for an admission slot or in the batcher's queue.");
  w.Sample("scorehost_queued_requests", {}, loaded ? gauges_.queued() : int64_t{0});
  w.Family("scorehost_scoring_slots_in_use", "gauge", "Admission slots taken (at most scorehost_scoring_slots).");
  w.Sample("scorehost_scoring_slots_in_use", {}, loaded ? gauges_.slots_in_use() : int64_t{0});
  w.Family("scorehost_scoring_slots", "gauge", "Admission slots (SCORING_CONCURRENCY).");
  w.Sample("scorehost_scoring_slots", {}, loaded ? gauges_.slots : int64_t{0});

  w.Family("scorehost_unavailable_total", "counter",
           "Scoring requests answered 503, by reason: pool_timeout (SCORING_TIMEOUT), queue_full "
           "(MAX_WAITING_REQUESTS), shutting_down, worker_unavailable (the runtime answered UNAVAILABLE, e.g. a "
           "Python worker is down or restarting), model_loading.");
  for (std::size_t u = 0; u < unavailable_.size(); ++u)
    w.Sample("scorehost_unavailable_total", {{"reason", UnavailableLabel(static_cast<Unavailable>(u))}},
             unavailable_[u].value());

  w.Family("scorehost_row_count_validation_failures_total", "counter",
           "Model calls whose output row count differed from the input's, by action: rejected (the requests "
           "failed) or warned (SCORE_ROW_COUNT_VALIDATION=warn, answered anyway).");
  w.Sample("scorehost_row_count_validation_failures_total", {{"action", "rejected"}}, row_count_failures.value());
  w.Sample("scorehost_row_count_validation_failures_total", {{"action", "warned"}}, row_count_warnings.value());

  w.Family("scorehost_batch_splits_total", "counter",
           "Coalesced model calls that failed and were re-run one request at a time, so that only the failing "
           "request gets the error (each split costs one extra model call per request of the batch).");
  w.Sample("scorehost_batch_splits_total", {}, batch_splits.value());

  w.Family("scorehost_model_load_duration_seconds", "gauge",
           "Time the runtime took to load the model (absent while loading).");
  if (loaded) w.Sample("scorehost_model_load_duration_seconds", {}, model_load_seconds_);
  w.Family("scorehost_model_info", "gauge", "The served model (always 1).");
  if (loaded)
    w.Sample("scorehost_model_info", {{"model_id", model_id_}, {"runtime", runtime_}}, int64_t{1});

  w.Family("process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch in seconds.");
  w.Sample("process_start_time_seconds", {}, start_time_seconds_);
  return out;
}

ServerMetrics& Instance() {
  static ServerMetrics metrics;
  return metrics;
}

void Activate() { detail::active.store(&Instance(), std::memory_order_release); }

}  // namespace scorehost::metrics
