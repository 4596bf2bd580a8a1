// GLM's link functions and multinomial probabilities (genmodel GLMScore / GlmMojoModelBase
// arithmetic), shared by the GLM and GAM scorers: GAM scores its expanded columns as a GLM does.
#pragma once

#include <cmath>
#include <string>

#include "java_semantics.hpp"

namespace scorehost::h2o3 {

enum class GlmLink { kIdentity, kLogit, kLog, kInverse, kTweedie };

// The link H2O names `name` in model.ini; any other name is refused (kUnimplemented) as
// "<path>: <algo> link function '<name>' is not supported".
GlmLink ParseGlmLink(const std::string& name, const std::string& path, const std::string& algo);

// The mean from the linear predictor x, to the bit as genmodel computes it.
inline double GlmLinkInverse(GlmLink link, double tweedie_link_power, double x) {
  switch (link) {
    case GlmLink::kIdentity: return x;
    case GlmLink::kLogit: return 1.0 / (std::exp(-x) + 1.0);
    case GlmLink::kLog: return std::exp(x);
    case GlmLink::kInverse: {
      const double xx = x < 0 ? JavaMin(-1e-5, x) : JavaMax(1e-5, x);
      return 1.0 / xx;
    }
    case GlmLink::kTweedie:
      return tweedie_link_power == 0 ? JavaMax(2e-16, std::exp(x)) : std::pow(x, 1.0 / tweedie_link_power);
  }
  return x;
}

// preds[1..k] hold the k class linear predictors: replaces them with the softmax probabilities and
// sets preds[0] to the most probable class (left as it is when no probability exceeds 0).
inline void GlmMultinomialProbabilities(double* preds, int k) {
  double max_row = 0;  // Java starts from 0, not -infinity
  for (int c = 1; c <= k; ++c)
    if (preds[c] > max_row) max_row = preds[c];
  double sum_exp = 0;
  for (int c = 1; c <= k; ++c) sum_exp += (preds[c] = std::exp(preds[c] - max_row));
  sum_exp = 1 / sum_exp;
  double max_p = 0;
  for (int c = 1; c <= k; ++c)
    if ((preds[c] *= sum_exp) > max_p) {
      max_p = preds[c];
      preds[0] = c - 1;
    }
}

}  // namespace scorehost::h2o3
