#include "linear_model.h"

#include <cmath>
#include <sstream>
#include <stdexcept>

namespace example_linear {
namespace {

constexpr const char* kMagic = "scorehost-linear-model";

// Splits a line into whitespace-separated words, dropping a trailing "# comment".
std::vector<std::string> Words(const std::string& line) {
  std::string text = line.substr(0, line.find('#'));
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

double Number(const std::string& word, int line) {
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(word, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != word.size() || !std::isfinite(v))
    throw std::runtime_error("line " + std::to_string(line) + ": '" + word + "' is not a finite number");
  return v;
}

}  // namespace

double LinearModel::Link(const double* row_values) const {
  double sum = intercept;
  for (size_t i = 0; i < features.size(); ++i) {
    double x = std::isnan(row_values[i]) ? features[i].mean : row_values[i];
    sum += features[i].coefficient * x;
  }
  return sum;
}

bool LooksLikeLinearModel(const std::string& head) {
  std::istringstream in(head);
  for (std::string line; std::getline(in, line);) {
    auto words = Words(line);
    if (words.empty()) continue;
    return words[0] == kMagic;
  }
  return false;
}

LinearModel ParseLinearModel(const std::string& text) {
  LinearModel model;
  std::istringstream in(text);
  int line_no = 0;
  bool saw_magic = false, saw_kind = false;
  auto fail = [&](const std::string& why) { throw std::runtime_error("line " + std::to_string(line_no) + ": " + why); };
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    auto w = Words(line);
    if (w.empty()) continue;
    if (!saw_magic) {
      if (w[0] != kMagic) fail(std::string("expected '") + kMagic + " 1' first");
      if (w.size() != 2 || w[1] != "1") fail("unsupported format version (this plugin reads version 1)");
      saw_magic = true;
      continue;
    }
    const std::string& key = w[0];
    if (key == "id" && w.size() == 2) {
      model.id = w[1];
    } else if (key == "kind" && w.size() == 2) {
      if (w[1] == "linear") model.kind = LinearModel::Kind::kLinear;
      else if (w[1] == "logistic") model.kind = LinearModel::Kind::kLogistic;
      else fail("kind must be 'linear' or 'logistic'");
      saw_kind = true;
    } else if (key == "target" && w.size() == 2) {
      model.target = w[1];
    } else if (key == "labels" && w.size() == 3) {
      model.negative_label = w[1];
      model.positive_label = w[2];
    } else if (key == "intercept" && w.size() == 2) {
      model.intercept = Number(w[1], line_no);
    } else if (key == "interval" && w.size() == 2) {
      model.interval_half_width = Number(w[1], line_no);
      if (model.interval_half_width < 0) fail("interval half-width must not be negative");
    } else if (key == "feature" && w.size() == 4) {
      for (const Feature& f : model.features)
        if (f.name == w[1]) fail("feature '" + w[1] + "' is listed twice");
      model.features.push_back({w[1], Number(w[2], line_no), Number(w[3], line_no)});
    } else {
      fail("cannot read '" + line + "' (expected id, kind, target, labels, intercept, interval or feature)");
    }
  }
  if (!saw_magic) throw std::runtime_error("empty model file");
  if (!saw_kind) throw std::runtime_error("missing 'kind'");
  if (model.target.empty()) throw std::runtime_error("missing 'target'");
  if (model.features.empty()) throw std::runtime_error("no 'feature' lines");
  if (model.kind == LinearModel::Kind::kLogistic && model.interval_half_width >= 0)
    throw std::runtime_error("'interval' applies to linear models only");
  return model;
}

}  // namespace example_linear
