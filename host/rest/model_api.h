// The H2O scoring API's routes (shared/reference/api.md): metadata from documents built at load
// time, scoring handed to the ScoringService. Handlers run on Pistache I/O threads and never
// wait for a model: a scoring response is written by the inference thread that finishes it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "model/cells.h"
#include "model/loaded_model.h"
#include "rest/api_error.h"
#include "rest/http_front_handler.h"
#include "rest/score_response.h"
#include "serving/metrics.h"
#include "serving/scoring_service.h"
#include "serving/shapley_options.h"

namespace scorehost::rest {

// Everything the routes need about the loaded model. Immutable once published.
struct ServedModel {
  const LoadedModel* model = nullptr;
  ScoringService* scoring = nullptr;
  std::string model_id;
  ShapleyOptions configured_shapley;  // the types SHAPLEY_ENABLE / SHAPLEY_TYPES_ENABLED enable
  ShapleyOptions shapley;             // those restricted to what the model can do (capabilities)
  OutputLayout layout;
  MissingValues missing;
  std::string schema_json;
  std::string capabilities_json;
  std::string sample_request_json;
  std::string runtime_json;

  static std::unique_ptr<ServedModel> Make(const LoadedModel& model, ScoringService& scoring,
                                           const std::string& model_id_override, const ShapleyOptions& configured);
};

class ModelApi : public RequestDispatcher {
 public:
  ModelApi() = default;

  // Makes the model endpoints live and /readyz ready. `served` must outlive every request.
  void Publish(const ServedModel* served) { served_.store(served, std::memory_order_release); }
  // /readyz answers 503 from now on; requests are still served (the drain).
  void BeginDrain() { draining_.store(true, std::memory_order_release); }

  // Scoring requests accepted and not yet handed to the transport.
  int64_t pending() const { return pending_.load(std::memory_order_acquire); }
  // Responses handed to the transport and not yet confirmed written (or failed).
  int64_t unflushed() const { return unflushed_.load(std::memory_order_acquire); }

  // GET /metrics answers (Prometheus text) only after this; otherwise 404.
  void EnableMetrics() { metrics_enabled_.store(true, std::memory_order_release); }

  void Dispatch(const Pistache::Http::Request& request, Pistache::Http::ResponseWriter response) override;

  // What every response needs to know about its request.
  struct Exchange {
    metrics::Endpoint endpoint = metrics::Endpoint::kOther;
    std::chrono::steady_clock::time_point start;
    std::string request_id;
  };

 private:
  void Score(const Pistache::Http::Request& request, Pistache::Http::ResponseWriter response, Operation op,
             Exchange& exchange);
  void Send(Pistache::Http::ResponseWriter& response, const Exchange& exchange, int status, std::string body,
            const Pistache::Http::Mime::MediaType& mime);
  void Send(Pistache::Http::ResponseWriter& response, const Exchange& exchange, int status, std::string body,
            bool json);

  std::atomic<const ServedModel*> served_{nullptr};
  std::atomic<bool> draining_{false};
  std::atomic<bool> metrics_enabled_{false};
  std::atomic<int64_t> pending_{0};
  std::atomic<int64_t> unflushed_{0};
};

}  // namespace scorehost::rest
