#include "serving/inference_queue.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cli/common_options.h"
#include "serving/metrics.h"
#include "serving/table_concat.h"

namespace scorehost {

InferenceQueue::InferenceQueue(Options options, ModelFunctions model, std::function<bool()> more_can_arrive)
    : options_(options),
      model_(std::move(model)),
      more_can_arrive_(std::move(more_can_arrive)),
      path_(options.coalesce ? ScoringPath::kBatching : ScoringPath::kDirect) {
  int n = options_.workers < 1 ? 1 : options_.workers;
  for (int i = 0; i < n; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

InferenceQueue::~InferenceQueue() { Stop(); }

void InferenceQueue::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_ && workers_.empty()) return;
    stopping_ = true;
  }
  changed_.notify_all();
  for (std::thread& t : workers_)
    if (t.joinable()) t.join();
  workers_.clear();
}

void InferenceQueue::Submit(InferenceJob job) {
  job.enqueued = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(std::move(job));
  }
  // Wake everyone: an idle worker takes the job, a collecting worker may add it to its batch.
  changed_.notify_all();
}

std::size_t InferenceQueue::depth() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return queue_.size();
}

InferenceQueue::Stats InferenceQueue::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

void InferenceQueue::WorkerLoop() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    changed_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping and nothing left
    std::vector<InferenceJob> batch = CollectBatch(lock);
    lock.unlock();
    RunBatch(batch);
    lock.lock();
  }
}

std::vector<InferenceJob> InferenceQueue::CollectBatch(std::unique_lock<std::mutex>& lock) {
  std::vector<InferenceJob> batch;
  batch.push_back(std::move(queue_.front()));
  queue_.pop_front();
  if (!options_.coalesce) return batch;
  int64_t rows = batch.front().rows;
  const ModelCall key = batch.front().call;
  const auto deadline = batch.front().enqueued + options_.max_delay;
  while (rows < options_.max_batch_rows) {
    for (auto it = queue_.begin(); it != queue_.end() && rows < options_.max_batch_rows;) {
      if (it->call == key && rows + it->rows <= options_.max_batch_rows) {
        rows += it->rows;
        batch.push_back(std::move(*it));
        it = queue_.erase(it);
      } else {
        ++it;
      }
    }
    if (rows >= options_.max_batch_rows || stopping_) break;
    if (std::chrono::steady_clock::now() >= deadline) break;
    if (more_can_arrive_ && !more_can_arrive_()) break;
    changed_.wait_until(lock, deadline);
  }
  return batch;
}

Result<std::shared_ptr<CallOutput>> InferenceQueue::Call(const ModelCall& call, const arrow::OwnedArrow& input,
                                                         int64_t rows, int64_t* output_rows) {
  auto output = std::make_shared<CallOutput>();
  if (call.score) {
    auto scored = model_.score(input, call.score_flags);
    if (!scored.ok()) return scored.status();
    int64_t got = scored->array.length;
    Status check = CheckRowCount(rows, got, path_, options_.row_count_mode, "score");
    if (!check.ok()) return check;
    *output_rows = got;
    output->scores = std::move(scored).value();
  }
  if (call.wants_contribution()) {
    auto contributed = model_.contribute(input, call.contribution);
    Status problem = contributed.status();
    if (problem.ok()) {
      int64_t got = contributed->array.length;
      problem = CheckRowCount(rows, got, path_, options_.row_count_mode, "contribution");
      if (problem.ok()) {
        if (!call.score) *output_rows = got;
        output->contributions = std::move(contributed).value();
      }
    }
    if (!problem.ok()) {
      if (!call.score) return problem;
      // Next to a score, a failed contribution is left out of the response, as in the Java runtime.
      spdlog::warn("Shapley contributions left out of a score response: {}", problem.message());
      output->contribution_error = problem;
    }
  }
  return output;
}

namespace {

// Whether a coalesced call must be re-run request by request. A failed call, and also a failed
// contribution next to a score: that would silently drop every batch-mate's contributions.
bool CoalescedCallFailed(const Result<std::shared_ptr<CallOutput>>& result) {
  if (!result.ok()) return true;
  return !result.value()->contribution_error.ok();
}

// Log lines written while a batch is scored name every request of the batch.
class BatchLogContext : public LogContext {
 public:
  explicit BatchLogContext(const std::vector<InferenceJob>& batch) : batch_(batch) {}
  void AppendRequestIds(std::string& out) const override {
    bool first = true;
    for (const InferenceJob& j : batch_) {
      if (j.request_id.empty()) continue;
      if (!first) out += ',';
      first = false;
      out += j.request_id;
    }
  }

 private:
  const std::vector<InferenceJob>& batch_;
};

}  // namespace

void InferenceQueue::RunBatch(std::vector<InferenceJob>& batch) {
  int64_t rows = 0;
  for (const InferenceJob& j : batch) rows += j.rows;
  BatchLogContext log_context(batch);
  ScopedLogContext log_scope(&log_context);
  metrics::ServerMetrics* m = metrics::Active();
  std::chrono::steady_clock::time_point call_start;
  if (m != nullptr) {
    call_start = std::chrono::steady_clock::now();
    for (InferenceJob& j : batch) {
      // Once per job: a batch that is re-run job by job (below) does not count its wait twice.
      if (j.submitted.time_since_epoch().count() != 0) m->queue_wait.ObserveDuration(call_start - j.submitted);
      j.submitted = {};
    }
  }

  Result<std::shared_ptr<CallOutput>> result = Status::Internal("not run");
  int64_t output_rows = rows;
  // Nothing may escape an inference thread: an exception here would end the process.
  try {
    if (batch.size() == 1) {
      result = Call(batch.front().call, batch.front().input, rows, &output_rows);
    } else {
      std::vector<const arrow::OwnedArrow*> parts;
      parts.reserve(batch.size());
      for (const InferenceJob& j : batch) parts.push_back(&j.input);
      auto merged = ConcatenateTables(parts);
      if (merged.ok()) result = Call(batch.front().call, *merged, rows, &output_rows);
      else result = merged.status();
    }
  } catch (const std::bad_alloc&) {
    result = Status(SH_RESOURCE_EXHAUSTED, "out of memory while scoring");
  } catch (const std::exception& e) {
    result = Status::Internal(std::string("scoring failed: ") + e.what());
  }
  if (m != nullptr) {
    m->compute_duration.ObserveDuration(std::chrono::steady_clock::now() - call_start);
    m->batch_rows.Observe(static_cast<uint64_t>(rows));
    m->batch_requests.Observe(batch.size());
  }
  if (batch.size() > 1 && CoalescedCallFailed(result)) {
    // One bad request must never fail its batch-mates: any of them may be the culprit (an error
    // status, a wrong row count, a crashed worker), and the model's message names none of them.
    // Scoring each alone costs one extra model call per request, paid only by failed batches, and
    // gives every request its own answer. After SH_UNAVAILABLE the plugin itself waits for its
    // restarted worker, so the lone calls are real retries, not instant repeats of the failure.
    spdlog::info("a coalesced call of {} requests failed ({}); scoring them one by one", batch.size(),
                 result.ok() ? result.value()->contribution_error.message() : result.status().message());
    if (m != nullptr) m->batch_splits.Add();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stats_.splits += 1;
    }
    for (InferenceJob& j : batch) {
      std::vector<InferenceJob> alone;
      alone.push_back(std::move(j));
      RunBatch(alone);
    }
    return;
  }
  // Counted only here, on the answer: a split batch's requests are counted by their lone calls.
  if (m != nullptr && !result.ok() && result.status().code() == SH_UNAVAILABLE)
    m->CountUnavailable(metrics::Unavailable::kWorkerUnavailable, batch.size());
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stats_.calls += 1;
    stats_.jobs += batch.size();
    stats_.rows += static_cast<uint64_t>(rows);
    if (batch.size() > stats_.largest_batch_jobs) stats_.largest_batch_jobs = batch.size();
  }
  if (batch.size() > 1) spdlog::debug("scored a batch of {} requests, {} rows", batch.size(), rows);

  int64_t offset = 0;
  for (InferenceJob& j : batch) {
    JobOutcome outcome;
    if (result.ok()) {
      outcome.output = *result;
      outcome.offset = offset;
      // Only a lone job can see another row count (direct path, warn mode).
      outcome.rows = batch.size() == 1 ? output_rows : j.rows;
    } else {
      outcome.status = result.status();
    }
    offset += j.rows;
    auto done = std::move(j.done);
    j.input.Reset();  // free the request's input before answering
    if (done) done(std::move(outcome));
  }
}

}  // namespace scorehost
