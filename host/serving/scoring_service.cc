#include "serving/scoring_service.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "serving/metrics.h"

namespace scorehost {
namespace {

std::chrono::steady_clock::duration SecondsToDuration(double s) {
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(s));
}

InferenceQueue::Options QueueOptions(const LoadedModel& model, const ServingSettings& s) {
  InferenceQueue::Options o;
  o.coalesce = s.batch_workers > 0;
  o.max_batch_rows = s.max_batch_size;
  o.max_delay = s.max_queue_delay();
  o.row_count_mode = s.row_count_mode();
  // Direct path: as many callers as admission slots. Batching: BATCH_WORKERS threads.
  int wanted = o.coalesce ? s.batch_workers : s.scoring_concurrency;
  o.workers = wanted;
  if (!model.info().thread_safe && wanted > 1) {
    // The plugin said the model must not be called concurrently: one inference thread, so the
    // host never even tries (LoadedModel would serialise too, but threads would just queue there).
    o.workers = 1;
    spdlog::warn("the model is not thread-safe: scoring with 1 inference thread instead of {} ({})", wanted,
                 o.coalesce ? "BATCH_WORKERS" : "SCORING_CONCURRENCY with BATCH_WORKERS=0");
  }
  return o;
}

}  // namespace

ScoringService::ScoringService(const LoadedModel& model, const ServingSettings& s) {
  AdmissionGate::Options g;
  g.slots = static_cast<size_t>(s.scoring_concurrency);
  g.warn_after = SecondsToDuration(s.scoring_warn_timeout_s);
  g.timeout = SecondsToDuration(s.scoring_timeout_s);
  g.max_waiting = static_cast<size_t>(s.max_waiting_requests);
  gate_ = std::make_unique<AdmissionGate>(g);

  ModelFunctions fns;
  fns.score = [&model](const arrow::OwnedArrow& in, uint32_t flags) { return model.Score(in, flags); };
  fns.contribute = [&model](const arrow::OwnedArrow& in, sh_contribution_kind kind) {
    return model.Contribute(in, kind);
  };
  AdmissionGate* gate = gate_.get();
  InferenceQueue::Options q = QueueOptions(model, s);
  spdlog::info("scoring: SCORING_CONCURRENCY={} BATCH_WORKERS={} ({} inference thread{}{}), MAX_BATCH_SIZE={} "
               "MAX_QUEUE_DELAY_US={} SCORING_TIMEOUT={} SCORE_ROW_COUNT_VALIDATION={}",
               s.scoring_concurrency, s.batch_workers, q.workers, q.workers == 1 ? "" : "s",
               q.coalesce ? ", batching" : ", direct path", s.max_batch_size, s.max_queue_delay_us,
               s.scoring_timeout_s, s.row_count_validation);
  queue_ = std::make_unique<InferenceQueue>(q, std::move(fns), [gate] { return gate->HasFreeSlot(); });
}

ScoringService::~ScoringService() { Stop(); }

void ScoringService::Stop() {
  if (queue_) queue_->Stop();
}

void ScoringService::Submit(ModelCall call, arrow::OwnedArrow input, int64_t rows,
                            std::function<void(JobOutcome)> done, std::string request_id) {
  // The job travels through the gate's callbacks; shared because std::function must be copyable.
  auto finish = std::make_shared<std::function<void(JobOutcome)>>(std::move(done));
  auto job = std::make_shared<InferenceJob>();
  job->call = call;
  job->input = std::move(input);
  job->rows = rows;
  job->request_id = std::move(request_id);
  if (metrics::Active() != nullptr) job->submitted = std::chrono::steady_clock::now();
  AdmissionGate* gate = gate_.get();
  // An admitted job gives its slot back once its response is on its way.
  job->done = [gate, finish](JobOutcome outcome) {
    (*finish)(std::move(outcome));
    gate->Leave();
  };
  AdmissionGate::Ticket ticket;
  ticket.request_id = job->request_id;
  InferenceQueue* queue = queue_.get();
  ticket.admitted = [queue, job] { queue->Submit(std::move(*job)); };
  // A refused job never held a slot, so it answers without Leave().
  ticket.rejected = [finish](const std::string& why) {
    JobOutcome outcome;
    outcome.status = Status::Unavailable(why);
    (*finish)(std::move(outcome));
  };
  gate_->Enter(std::move(ticket));
}

}  // namespace scorehost
