#include "rest/model_api.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <random>
#include <string_view>

#include "cli/common_options.h"

#include "rest/api_error.h"
#include "rest/empty_request.h"
#include "rest/model_documents.h"
#include "rest/openapi_document.h"
#include "rest/score_request.h"

namespace scorehost::rest {

namespace Http = Pistache::Http;

namespace {

enum class Route {
  kModelId,
  kSchema,
  kCapabilities,
  kSampleRequest,
  kRuntime,
  kScore,
  kContribution,
  kReadyz,
  kOpenApi,
  kDocs,
  kMetrics,
  kUnknown
};

struct RouteEntry {
  std::string_view path;
  Http::Method method;
  Route route;
};

constexpr RouteEntry kRoutes[] = {
    {"/model/id", Http::Method::Get, Route::kModelId},
    {"/model/schema", Http::Method::Get, Route::kSchema},
    {"/model/capabilities", Http::Method::Get, Route::kCapabilities},
    {"/model/sample_request", Http::Method::Get, Route::kSampleRequest},
    {"/model/runtime", Http::Method::Get, Route::kRuntime},
    {"/model/score", Http::Method::Post, Route::kScore},
    {"/model/contribution", Http::Method::Post, Route::kContribution},
    {"/readyz", Http::Method::Get, Route::kReadyz},
    {"/openapi.json", Http::Method::Get, Route::kOpenApi},
    {"/docs", Http::Method::Get, Route::kDocs},
    {"/metrics", Http::Method::Get, Route::kMetrics},
};

metrics::Endpoint EndpointOf(Route r) {
  switch (r) {
    case Route::kModelId: return metrics::Endpoint::kModelId;
    case Route::kSchema: return metrics::Endpoint::kSchema;
    case Route::kCapabilities: return metrics::Endpoint::kCapabilities;
    case Route::kSampleRequest: return metrics::Endpoint::kSampleRequest;
    case Route::kRuntime: return metrics::Endpoint::kRuntime;
    case Route::kScore: return metrics::Endpoint::kScore;
    case Route::kContribution: return metrics::Endpoint::kContribution;
    case Route::kReadyz: return metrics::Endpoint::kReadyz;
    case Route::kOpenApi: return metrics::Endpoint::kOpenApi;
    case Route::kDocs: return metrics::Endpoint::kDocs;
    case Route::kMetrics: return metrics::Endpoint::kMetrics;
    default: return metrics::Endpoint::kOther;
  }
}

// Pistache 0.0.5 only writes typed headers.
class RequestIdHeader : public Http::Header::Header {
 public:
  NAME("X-Request-ID")
  RequestIdHeader() = default;
  explicit RequestIdHeader(std::string id) : id_(std::move(id)) {}
  void write(std::ostream& os) const override { os << id_; }

 private:
  std::string id_;
};

// A client's X-Request-ID is echoed when it is a plain token (it ends up in logs and headers);
// otherwise, or without one, the server makes one up.
bool UsableRequestId(const std::string& id) {
  if (id.empty() || id.size() > 128) return false;
  for (unsigned char c : id)
    if (!(std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == ':' || c == '/' || c == '+' || c == '='))
      return false;
  return true;
}

// 16 hex digits: a random per-process prefix and a counter, unique without a random draw per request.
std::string NewRequestId() {
  static const uint32_t prefix = [] {
    std::random_device rd;
    return static_cast<uint32_t>(rd());
  }();
  static std::atomic<uint32_t> counter{0};
  return fmt::format("{:08x}{:08x}", prefix, counter.fetch_add(1, std::memory_order_relaxed));
}

const Http::Mime::MediaType& PrometheusTextType() {
  static const Http::Mime::MediaType type = Http::Mime::MediaType::fromString("text/plain; version=0.0.4; charset=utf-8");
  return type;
}

// Pistache 0.0.5 only writes typed headers, and has no Retry-After type.
class RetryAfter : public Http::Header::Header {
 public:
  NAME("Retry-After")
  explicit RetryAfter(int seconds = 1) : seconds_(seconds) {}
  void write(std::ostream& os) const override { os << seconds_; }

 private:
  int seconds_;
};

Http::Code CodeOf(int status) { return static_cast<Http::Code>(status); }

bool IsJsonContentType(const Http::Request& request) {
  auto type = request.headers().tryGet<Http::Header::ContentType>();
  if (!type) return true;  // tolerated: simple clients (and wrk scripts) often send none
  const Pistache::Http::Mime::MediaType& mime = type->mime();
  return mime.top() == Http::Mime::Type::Application &&
         (mime.sub() == Http::Mime::Subtype::Json || mime.suffix() == Http::Mime::Suffix::Json);
}

const char* MethodName(Http::Method m) {
  switch (m) {
    case Http::Method::Get: return "GET";
    case Http::Method::Post: return "POST";
    case Http::Method::Put: return "PUT";
    case Http::Method::Delete: return "DELETE";
    case Http::Method::Head: return "HEAD";
    case Http::Method::Options: return "OPTIONS";
    case Http::Method::Patch: return "PATCH";
    default: return "this";
  }
}

}  // namespace

std::unique_ptr<ServedModel> ServedModel::Make(const LoadedModel& model, ScoringService& scoring,
                                               const std::string& model_id_override,
                                               const ShapleyOptions& configured) {
  auto s = std::make_unique<ServedModel>();
  s->model = &model;
  s->scoring = &scoring;
  // MODEL_ID wins, as in the Java runtime; unlike it, an unset MODEL_ID falls back to the
  // model's own id instead of an empty answer.
  s->model_id = model_id_override.empty() ? model.info().model_id : model_id_override;
  s->configured_shapley = configured;
  s->shapley = configured.RestrictedTo(model.info().capabilities);
  if (configured.enabled() && !s->shapley.enabled())
    spdlog::warn("Shapley contributions were enabled ({}) but this model computes none of those types",
                 configured.option_name());
  s->layout = MakeOutputLayout(model.info(), s->model_id);
  s->schema_json = SchemaDocument(model.info(), s->model_id);
  s->capabilities_json = CapabilitiesDocument(model.info(), s->shapley);
  s->sample_request_json = SampleRequestDocument(model.info());
  s->runtime_json = RuntimeDocument(model);
  return s;
}

void ModelApi::Send(Http::ResponseWriter& response, const Exchange& exchange, int status, std::string body,
                    const Http::Mime::MediaType& mime) {
  if (metrics::ServerMetrics* m = metrics::Active()) {
    m->CountRequest(exchange.endpoint, status);
    if (exchange.endpoint == metrics::Endpoint::kScore || exchange.endpoint == metrics::Endpoint::kContribution)
      m->request_duration(exchange.endpoint).ObserveDuration(std::chrono::steady_clock::now() - exchange.start);
  }
  if (spdlog::should_log(spdlog::level::debug)) {
    RequestIdContext context(exchange.request_id);
    ScopedLogContext scope(&context);
    spdlog::debug("{} {} {:.3f} ms", metrics::EndpointLabel(exchange.endpoint), status,
                  std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - exchange.start).count());
  }
  response.headers().add(std::make_shared<RequestIdHeader>(exchange.request_id));
  unflushed_.fetch_add(1, std::memory_order_acq_rel);
  // The promise settles once the bytes are written (or the write failed): that is when a drain
  // may consider this response delivered.
  response.send(CodeOf(status), body, mime)
      .then([this](ssize_t) { unflushed_.fetch_sub(1, std::memory_order_acq_rel); },
            [this](std::exception_ptr&) { unflushed_.fetch_sub(1, std::memory_order_acq_rel); });
}

void ModelApi::Send(Http::ResponseWriter& response, const Exchange& exchange, int status, std::string body,
                    bool json) {
  static const Http::Mime::MediaType kJson = MIME(Application, Json);
  static const Http::Mime::MediaType kText = MIME(Text, Plain);
  Send(response, exchange, status, std::move(body), json ? kJson : kText);
}

void ModelApi::Dispatch(const Http::Request& request, Http::ResponseWriter response) {
  Exchange exchange;
  // The clock is read only for what uses it (a metrics histogram, a DEBUG access line).
  if (metrics::Active() != nullptr || spdlog::should_log(spdlog::level::debug))
    exchange.start = std::chrono::steady_clock::now();
  if (auto given = request.headers().tryGetRaw("X-Request-ID"); given && UsableRequestId(given->value()))
    exchange.request_id = given->value();
  else
    exchange.request_id = NewRequestId();
  RequestIdContext log_context(exchange.request_id);
  ScopedLogContext log_scope(&log_context);

  const std::string& path = request.resource();
  Route route = Route::kUnknown;
  bool path_known = false;
  std::vector<Http::Method> allowed;
  for (const RouteEntry& e : kRoutes) {
    if (e.path != path) continue;
    if (e.route == Route::kMetrics && !metrics_enabled_.load(std::memory_order_acquire)) continue;
    path_known = true;
    allowed.push_back(e.method);
    if (e.method == request.method()) route = e.route;
  }
  exchange.endpoint = path_known ? EndpointOf(route) : metrics::Endpoint::kOther;
  if (route == Route::kUnknown) {
    if (path_known) {
      response.headers().add<Http::Header::Allow>(allowed);
      Send(response, exchange, 405,
           DetailBody(fmt::format("Request method '{}' is not supported", MethodName(request.method()))), true);
    } else {
      Send(response, exchange, 404, DetailBody(fmt::format("No endpoint {}", path)), true);
    }
    return;
  }

  const ServedModel* served = served_.load(std::memory_order_acquire);
  switch (route) {
    case Route::kReadyz:
      if (served != nullptr && !draining_.load(std::memory_order_acquire)) Send(response, exchange, 200, "Ready", false);
      else Send(response, exchange, 503, "Not ready", false);
      return;
    case Route::kOpenApi:
      Send(response, exchange, 200, std::string(OpenApiDocument()), true);
      return;
    case Route::kDocs: {
      static const Http::Mime::MediaType kHtml = MIME(Text, Html);
      Send(response, exchange, 200, std::string(DocsPage()), kHtml);
      return;
    }
    case Route::kMetrics:
      Send(response, exchange, 200, metrics::Instance().Render(), PrometheusTextType());
      return;
    default:
      break;
  }
  if (served == nullptr) {
    if (metrics::ServerMetrics* m = metrics::Active()) m->CountUnavailable(metrics::Unavailable::kModelLoading);
    Send(response, exchange, 503, DetailBody("503 SERVICE_UNAVAILABLE \"the model is still loading\""), true);
    return;
  }
  switch (route) {
    case Route::kModelId: Send(response, exchange, 200, served->model_id, false); return;
    case Route::kSchema: Send(response, exchange, 200, served->schema_json, true); return;
    case Route::kCapabilities: Send(response, exchange, 200, served->capabilities_json, true); return;
    case Route::kSampleRequest: Send(response, exchange, 200, served->sample_request_json, true); return;
    case Route::kRuntime: Send(response, exchange, 200, served->runtime_json, true); return;
    case Route::kScore: Score(request, std::move(response), Operation::kScore, exchange); return;
    case Route::kContribution: Score(request, std::move(response), Operation::kContribution, exchange); return;
    default: Send(response, exchange, 500, DetailBody("unrouted request"), true); return;
  }
}

void ModelApi::Score(const Http::Request& request, Http::ResponseWriter response, Operation op, Exchange& exchange) {
  const ServedModel& served = *served_.load(std::memory_order_acquire);
  auto fail = [&](const Status& status) {
    ApiError e = OperationError(op, status);
    Send(response, exchange, e.http_status, DetailBody(e.detail), true);
  };
  if (!IsJsonContentType(request)) {
    Send(response, exchange, 415, DetailBody("Content-Type must be application/json"), true);
    return;
  }
  auto parsed = ParseScoreRequest(request.body(), served.model->info().inputs, served.missing);
  if (!parsed.ok()) return fail(parsed.status());
  auto req = std::make_shared<ScoreRequest>(std::move(parsed).value());

  // Shapley: the configuration answers first (the Java runtime's 400s). A type the configuration
  // enables but the model does not compute (not in its capabilities, e.g. a multinomial model) is
  // the model's refusal: the plugin is asked (the ABI: contribute answers SH_UNIMPLEMENTED with the
  // reason for an undeclared kind) and the request gets its 501, on /model/score too.
  ModelCall call;
  ShapleyRequest shapley = ShapleyRequest::kNone;
  if (op == Operation::kScore) {
    if (req->request_prediction_intervals) {
      if (!served.model->info().Has(SH_CAP_SCORE_PREDICTION_INTERVAL))
        return fail(Status::InvalidArgument("requestPredictionIntervals set to true, but model does not support it"));
      call.score_flags |= SH_SCORE_PREDICTION_INTERVALS;
    }
    shapley = req->shapley.value_or(ShapleyRequest::kNone);
    Status allowed = served.configured_shapley.CheckScoreRequest(shapley);
    if (!allowed.ok()) return fail(allowed);
    call.contribution = ContributionKindOf(shapley);
  } else {
    if (!req->shapley) return fail(Status::InvalidArgument("requestShapleyValueType is required"));
    shapley = *req->shapley;
    Status allowed = served.configured_shapley.CheckContributionRequest(shapley);
    if (!allowed.ok()) return fail(allowed);
    call.score = false;
    call.contribution = ContributionKindOf(shapley);
  }
  const bool model_refuses = shapley != ShapleyRequest::kNone && !served.shapley.allows(shapley);
  if (model_refuses) call.score = false;  // only the plugin's answer to the contribution is wanted

  // No rows: nothing to score, and a model may even fail on an empty frame, so the model is not
  // called (a refused Shapley type above still asks the plugin, for its 501 reason).
  if (req->num_rows == 0 && !model_refuses) {
    JobOutcome empty = EmptyOutcome(served.model->info(), call);
    if (op == Operation::kScore) Send(response, exchange, 200, WriteScoreResponse(*req, empty, served.layout), true);
    else Send(response, exchange, 200, WriteContributionResponse(empty, served.layout), true);
    return;
  }

  pending_.fetch_add(1, std::memory_order_acq_rel);
  auto writer = std::make_shared<Http::ResponseWriter>(std::move(response));
  const int64_t rows = req->num_rows;
  arrow::OwnedArrow input = std::move(req->input);
  auto ex_state = std::make_shared<Exchange>(std::move(exchange));
  std::string request_id = ex_state->request_id;
  served.scoring->Submit(call, std::move(input), rows, [this, writer, req, op, &served, ex_state, model_refuses,
                                                         shapley](JobOutcome outcome) {
    const Exchange& exchange = *ex_state;
    RequestIdContext log_context(exchange.request_id);
    ScopedLogContext log_scope(&log_context);
    try {
      if (model_refuses) {
        // /model/capabilities does not list this type, so it is never served, even by a plugin
        // that computes it anyway.
        Status refusal = outcome.status.ok()
                             ? Status::Unimplemented(fmt::format("this model does not compute {} Shapley contributions",
                                                                 ShapleyRequestName(shapley)))
                             : outcome.status;
        ApiError e = OperationError(op, refusal);
        if (e.http_status == 503) writer->headers().add(std::make_shared<RetryAfter>(1));
        Send(*writer, exchange, e.http_status, DetailBody(e.detail), true);
      } else if (!outcome.status.ok()) {
        ApiError e = OperationError(op, outcome.status);
        if (e.http_status == 503) writer->headers().add(std::make_shared<RetryAfter>(1));
        Send(*writer, exchange, e.http_status, DetailBody(e.detail), true);
      } else if (op == Operation::kScore) {
        Send(*writer, exchange, 200, WriteScoreResponse(*req, outcome, served.layout), true);
      } else {
        Send(*writer, exchange, 200, WriteContributionResponse(outcome, served.layout), true);
      }
    } catch (const std::exception& ex) {
      spdlog::error("could not answer a scoring request: {}", ex.what());
      try {
        Send(*writer, exchange, 500, DetailBody(std::string("500 INTERNAL_SERVER_ERROR \"") + ex.what() + "\""), true);
      } catch (...) {
      }
    }
    pending_.fetch_sub(1, std::memory_order_acq_rel);
  }, std::move(request_id));
}

}  // namespace scorehost::rest
