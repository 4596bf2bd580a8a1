// Turning class probabilities into a label the way genmodel's GenModel does: prior correction for
// balance_classes models, the binomial threshold, and multinomial argmax whose ties are broken by
// java.util.Random seeded from the row (so the same row always gets the same label as in Java).
#pragma once

#include <cstddef>
#include <vector>

namespace scorehost::h2o3 {

// GenModel.correctProbabilities on preds[1..n_classes].
void CorrectProbabilities(double* preds, size_t n_classes, const std::vector<double>& prior,
                          const std::vector<double>& model);

// GenModel.getPrediction: preds[1..n_classes] are probabilities; `row` is the whole input row as
// passed to score0 (its bits seed the tie-breaker).
int PredictClass(const double* preds, size_t n_classes, const std::vector<double>& prior,
                 const double* row, size_t row_len, double threshold);

}  // namespace scorehost::h2o3
