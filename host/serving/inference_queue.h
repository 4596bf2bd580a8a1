// The inference threads and their queue: the seed's batcher (BATCH_WORKERS >= 1) and, with
// coalescing off, the direct path (BATCH_WORKERS = 0).
//
// Batching: a worker takes the oldest job, then keeps adding queued jobs with an equal ModelCall
// while the batch stays within `max_batch_rows`, until the batch is full, `max_delay` has passed
// since the oldest job was queued, or no further job can arrive (every admission slot is taken, so
// waiting would only add latency). A job larger than `max_batch_rows` is scored alone and whole.
// One model call per batch; the output is shared and each job reads its rows by offset.
//
// Row counts are checked after every call (serving/row_count_check.h). When a call of several
// jobs fails (an error status, a refused row count, UNAVAILABLE, or contributions that failed next
// to a score), each job is scored again alone, so only the culprit gets an error (its own); a
// batch of one is never retried. Each such split is counted (Stats::splits, batch_splits metric).
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "serving/inference_job.h"
#include "serving/row_count_check.h"

namespace scorehost {

class InferenceQueue {
 public:
  struct Options {
    int workers = 1;
    bool coalesce = true;  // false: direct path, one job per model call
    int64_t max_batch_rows = 64;
    std::chrono::microseconds max_delay{10000};
    RowCountValidation row_count_mode = RowCountValidation::kStrict;
  };

  // `more_can_arrive` tells a collecting worker whether waiting can still bring company (it is
  // the admission gate's "has a free slot"); null means "assume yes".
  InferenceQueue(Options options, ModelFunctions model, std::function<bool()> more_can_arrive);
  ~InferenceQueue();  // Stop()
  InferenceQueue(const InferenceQueue&) = delete;
  InferenceQueue& operator=(const InferenceQueue&) = delete;

  void Submit(InferenceJob job);

  // Lets the workers finish every queued job, then joins them. Idempotent.
  void Stop();

  struct Stats {
    uint64_t calls = 0;
    uint64_t jobs = 0;
    uint64_t rows = 0;
    uint64_t largest_batch_jobs = 0;
    uint64_t splits = 0;  // failed coalesced calls re-run job by job
  };
  Stats stats() const;
  // Jobs queued and not yet taken by a worker.
  std::size_t depth() const;

 private:
  void WorkerLoop();
  std::vector<InferenceJob> CollectBatch(std::unique_lock<std::mutex>& lock);
  void RunBatch(std::vector<InferenceJob>& batch);
  // One model call over `input` (rows = sum of the jobs' rows); returns the shared output or why not.
  Result<std::shared_ptr<CallOutput>> Call(const ModelCall& call, const arrow::OwnedArrow& input, int64_t rows,
                                           int64_t* output_rows);

  const Options options_;
  const ModelFunctions model_;
  const std::function<bool()> more_can_arrive_;
  const ScoringPath path_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<InferenceJob> queue_;
  bool stopping_ = false;
  Stats stats_;
  std::vector<std::thread> workers_;
};

}  // namespace scorehost
