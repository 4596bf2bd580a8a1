// The scoring back end the REST layer talks to: admission gate in front of the inference queue,
// wired to one loaded model with the serving settings. Everything here is asynchronous: Submit
// returns at once and the completion runs later on another thread.
#pragma once

#include <memory>

#include "model/loaded_model.h"
#include "serving/admission_gate.h"
#include "serving/inference_queue.h"
#include "serving/serving_settings.h"

namespace scorehost {

class ScoringService {
 public:
  ScoringService(const LoadedModel& model, const ServingSettings& settings);
  ~ScoringService();  // Stop()

  // Queues one request. `done` is called exactly once: with the model's output, with the
  // model's error, or with UNAVAILABLE when the gate refused the request (timeout, full queue,
  // shutdown). It may run on the caller's thread only for an immediate refusal.
  // `request_id` tags the log lines written about the request.
  void Submit(ModelCall call, arrow::OwnedArrow input, int64_t rows, std::function<void(JobOutcome)> done,
              std::string request_id = {});

  // Finishes queued work and joins the inference threads.
  void Stop();

  const AdmissionGate& gate() const { return *gate_; }
  InferenceQueue::Stats stats() const { return queue_->stats(); }
  // Requests waiting at the gate or in the inference queue.
  int64_t queued() const { return static_cast<int64_t>(gate_->waiting() + queue_->depth()); }

 private:
  std::unique_ptr<AdmissionGate> gate_;
  std::unique_ptr<InferenceQueue> queue_;
};

}  // namespace scorehost
