// Prometheus metrics of `scorehost serve` (GET /metrics, text exposition format 0.0.4).
//
// Debian 12 packages prometheus-cpp 1.0.1, but its Histogram::Observe takes a std::mutex on every
// observation, and it would add a runtime library to the .deb and the images. What we need is
// small: fixed counters, integer-valued histograms and gauges read at scrape time. Everything on
// the request path is a relaxed atomic add (no lock, no allocation); a scrape reads the atomics
// and writes the text (ExpositionWriter).
//
// Metrics are process-wide (one model per process). They record only once Activate() ran
// (`serve` with METRICS_ENABLED=true, the default); before that, and in unit tests, Active() is
// null and every recording site is a single well-predicted branch.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace scorehost::metrics {

// ---- exposition format --------------------------------------------------------------------

// Writes the Prometheus text format (https://prometheus.io/docs/instrumenting/exposition_formats/).
// The caller writes one family at a time: Family(), then its samples.
class ExpositionWriter {
 public:
  using Labels = std::initializer_list<std::pair<std::string_view, std::string_view>>;

  explicit ExpositionWriter(std::string& out) : out_(out) {}

  // "# HELP name help" and "# TYPE name type" (type: counter, gauge, histogram).
  void Family(std::string_view name, std::string_view type, std::string_view help);
  // name{labels} value
  void Sample(std::string_view name, Labels labels, double value);
  void Sample(std::string_view name, Labels labels, uint64_t value);
  void Sample(std::string_view name, Labels labels, int64_t value);
  // One histogram's _bucket series (cumulative, ending in le="+Inf"), _sum and _count.
  // `bounds` are the upper bounds, `counts` the per-bucket (not cumulative) counts, one more than
  // bounds (the last is the +Inf bucket).
  void Histogram(std::string_view name, Labels labels, const std::vector<double>& bounds,
                 const std::vector<uint64_t>& counts, double sum);

  // Escapes a label value (\\, \", \n) or HELP text (\\, \n).
  static void AppendEscaped(std::string& out, std::string_view text, bool quote);
  // Shortest text that reads back as `value`; NaN, +Inf, -Inf as Prometheus spells them.
  static void AppendValue(std::string& out, double value);

 private:
  void Head(std::string_view name, Labels labels, std::string_view extra_key = {}, std::string_view extra_value = {});
  std::string& out_;
};

// ---- primitives ---------------------------------------------------------------------------

class Counter {
 public:
  void Add(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// Integer observations (nanoseconds, rows) against fixed integer bucket bounds; exposed divided
// by `scale` (1e9 for seconds). Observe is two relaxed atomic adds.
class Histogram {
 public:
  static constexpr std::size_t kMaxBuckets = 24;

  Histogram(std::initializer_list<uint64_t> bounds, double scale);

  void Observe(uint64_t value) {
    std::size_t i = 0;
    while (i < n_bounds_ && value > bounds_[i]) ++i;
    counts_[i].fetch_add(1, std::memory_order_relaxed);
    sum_.fetch_add(value, std::memory_order_relaxed);
  }
  void ObserveDuration(std::chrono::steady_clock::duration d) {
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
    Observe(ns < 0 ? 0 : static_cast<uint64_t>(ns));
  }

  uint64_t count() const;
  void Write(ExpositionWriter& w, std::string_view name, ExpositionWriter::Labels labels) const;

 private:
  std::array<uint64_t, kMaxBuckets> bounds_{};
  std::size_t n_bounds_ = 0;
  double scale_ = 1;
  std::array<std::atomic<uint64_t>, kMaxBuckets + 1> counts_{};
  std::atomic<uint64_t> sum_{0};
};

// ---- the server's metrics -----------------------------------------------------------------

enum class Endpoint : uint8_t {
  kScore,
  kContribution,
  kModelId,
  kSchema,
  kCapabilities,
  kSampleRequest,
  kRuntime,
  kReadyz,
  kOpenApi,
  kDocs,
  kMetrics,
  kOther,  // unknown path (404) or a request refused before routing (413)
  kCount
};
std::string_view EndpointLabel(Endpoint e);

// HTTP statuses the server answers; anything else is counted as "other".
inline constexpr std::array<int, 11> kStatusCodes = {200, 400, 404, 405, 413, 415, 422, 500, 501, 503, 504};

enum class Unavailable : uint8_t {
  kPoolTimeout,        // waited SCORING_TIMEOUT for a scoring slot
  kQueueFull,          // MAX_WAITING_REQUESTS already waiting
  kShuttingDown,       // refused while the server stops
  kWorkerUnavailable,  // the model/plugin answered UNAVAILABLE (e.g. a Python worker died)
  kModelLoading,       // a model endpoint before the model is loaded
  kCount
};
std::string_view UnavailableLabel(Unavailable u);

class ServerMetrics {
 public:
  ServerMetrics();

  void CountRequest(Endpoint e, int status) {
    requests_[static_cast<std::size_t>(e)][StatusIndex(status)].Add();
  }
  Histogram& request_duration(Endpoint e) {
    return e == Endpoint::kContribution ? contribution_duration_ : score_duration_;
  }
  Histogram queue_wait;        // seconds: admission gate + batcher queue, per request
  Histogram compute_duration;  // seconds: one model call (a batch)
  Histogram batch_rows;        // rows per model call
  Histogram batch_requests;    // requests per model call
  Counter row_count_failures;    // model calls whose output row count was refused
  Counter row_count_warnings;    // mismatches answered anyway (warn mode, direct path)
  Counter batch_splits;          // failed coalesced calls re-run request by request
  void CountUnavailable(Unavailable u, uint64_t n = 1) { unavailable_[static_cast<std::size_t>(u)].Add(n); }

  // Scrape-time values (gauges read from their owners; no cost on the request path).
  struct Gauges {
    std::function<int64_t()> inflight;       // scoring requests accepted and not yet answered
    std::function<int64_t()> queued;         // waiting at the gate or in the batcher's queue
    std::function<int64_t()> slots_in_use;   // admission slots taken
    int64_t slots = 0;                       // SCORING_CONCURRENCY
  };
  // Both once, in this order, on the start-up thread: SetModel publishes what SetGauges stored.
  void SetGauges(Gauges g) { gauges_ = std::move(g); }
  void SetModel(std::string model_id, std::string runtime, double load_seconds);
  // Before the process exits the owners of the gauges: scrapes then read zeros.
  void Unpublish() { loaded_.store(false, std::memory_order_release); }

  // The whole exposition text.
  std::string Render() const;

 private:
  static std::size_t StatusIndex(int status) {
    for (std::size_t i = 0; i < kStatusCodes.size(); ++i)
      if (kStatusCodes[i] == status) return i;
    return kStatusCodes.size();
  }

  std::array<std::array<Counter, kStatusCodes.size() + 1>, static_cast<std::size_t>(Endpoint::kCount)> requests_{};
  Histogram score_duration_;
  Histogram contribution_duration_;
  std::array<Counter, static_cast<std::size_t>(Unavailable::kCount)> unavailable_{};
  Gauges gauges_;
  std::string model_id_;
  std::string runtime_;
  double model_load_seconds_ = 0;
  std::atomic<bool> loaded_{false};  // model and gauges set
  double start_time_seconds_ = 0;
};

// The process's metrics, recording or not.
ServerMetrics& Instance();
// Turns recording on (once, at start-up, before any request).
void Activate();
// The metrics when recording is on, else null.
inline ServerMetrics* Active();

namespace detail {
extern std::atomic<ServerMetrics*> active;
}
inline ServerMetrics* Active() { return detail::active.load(std::memory_order_relaxed); }

}  // namespace scorehost::metrics
