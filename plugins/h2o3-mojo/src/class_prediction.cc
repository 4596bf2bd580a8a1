#include "class_prediction.hpp"

#include <cstdint>

#include "java_semantics.hpp"

namespace scorehost::h2o3 {

void CorrectProbabilities(double* preds, size_t n_classes, const std::vector<double>& prior,
                          const std::vector<double>& model) {
  if (prior.size() < n_classes || model.size() < n_classes) return;  // checked at load
  double sum = 0;
  for (size_t c = 1; c <= n_classes; ++c) {
    const double original = prior[c - 1];
    const double oversampled = model[c - 1];
    if (original != 0 && oversampled != 0) preds[c] *= original / oversampled;
    sum += preds[c];
  }
  if (sum > 0)
    for (size_t c = 1; c <= n_classes; ++c) preds[c] /= sum;
}

namespace {

// Java collects the tied classes in a list that is *not* cleared when a new maximum appears, so
// earlier "ties" with a since-beaten value stay in it. Replaying the same scan reproduces that list
// without allocating.
template <class F>
void ForEachTie(const double* preds, size_t n_classes, F&& f) {
  f(size_t{0});
  size_t best = 1;
  for (size_t c = 2; c <= n_classes; ++c) {
    if (preds[best] < preds[c]) best = c;
    else if (preds[best] == preds[c]) f(c - 1);
  }
}

}  // namespace

int PredictClass(const double* preds, size_t n_classes, const std::vector<double>& prior,
                 const double* row, size_t row_len, double threshold) {
  if (n_classes == 2) return preds[2] >= threshold ? 1 : 0;

  size_t best = 1;
  int tie_count = 0;
  for (size_t c = 2; c <= n_classes; ++c) {
    if (preds[best] < preds[c]) {
      best = c;
      tie_count = 0;
    } else if (preds[best] == preds[c]) {
      ++tie_count;
    }
  }
  if (tie_count == 0) return static_cast<int>(best - 1);

  int64_t hash = 0;
  for (size_t i = 0; i < row_len; ++i) hash ^= JavaRawBits(row[i]) >> 6;  // arithmetic shift, as Java

  if (!prior.empty() && prior.size() >= n_classes) {
    double sum = 0;
    ForEachTie(preds, n_classes, [&](size_t i) { sum += prior[i]; });
    JavaRandom rng(hash);
    const double tie = rng.NextDouble();
    double partial = 0;
    int chosen = -1;
    ForEachTie(preds, n_classes, [&](size_t i) {
      if (chosen >= 0) return;
      partial += prior[i] / sum;
      if (tie <= partial) chosen = static_cast<int>(i);
    });
    if (chosen >= 0) return chosen;
  }

  // Java's fallback when no prior decides: the ((int) hash % (ties + 1))-th class equal to the max.
  const double res = preds[best];
  int32_t idx = static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(hash))) % (tie_count + 1);
  for (size_t c = 1; c <= n_classes; ++c)
    if (res == preds[c] && --idx < 0) return static_cast<int>(c - 1);
  return static_cast<int>(best - 1);
}

}  // namespace scorehost::h2o3
