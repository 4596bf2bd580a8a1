#include "io_schema.hpp"

#include <cmath>

#include "java_semantics.hpp"

namespace scorehost::h2o3 {

InputSchema::InputSchema(const MojoMeta& meta) {
  const size_t nf = static_cast<size_t>(meta.n_features);
  levels_.resize(nf);
  domain_sizes_.assign(nf, -1);
  prefixes_.resize(nf);
  exact_only_ = meta.levels_exact_only;
  unseen_past_ = meta.unseen_levels_past_domain;
  for (size_t i = 0; i < nf; ++i) {
    InputColumnSpec spec;
    spec.name = meta.columns[i];
    spec.feature = static_cast<int>(i);
    if (const auto& dom = meta.domains[i]) {
      spec.categorical = true;
      domain_sizes_[i] = static_cast<int32_t>(dom->size());
      levels_[i].reserve(dom->size());
      // Java's HashMap.put keeps the last index of a duplicated level; emplace would keep the first.
      for (size_t l = 0; l < dom->size(); ++l) levels_[i][(*dom)[l]] = static_cast<int32_t>(l);
      prefixes_[i] = spec.name + ".";
    }
    columns_.push_back(std::move(spec));
  }
  if (!meta.offset_column.empty()) {
    InputColumnSpec spec;
    spec.name = meta.offset_column;
    spec.is_offset = true;
    offset_column_ = static_cast<int>(columns_.size());
    columns_.push_back(std::move(spec));
  }
}

double InputSchema::EncodeLevel(int feature, std::string_view text) const {
  const LevelMap& map = levels_[static_cast<size_t>(feature)];
  if (auto it = map.find(text); it != map.end()) return it->second;
  const double unseen = unseen_past_ ? static_cast<double>(domain_sizes_[static_cast<size_t>(feature)]) : NAN;
  if (exact_only_) return unseen;
  const std::string& prefix = prefixes_[static_cast<size_t>(feature)];
  if (map.size() > 0) {
    std::string qualified;
    qualified.reserve(prefix.size() + text.size());
    qualified.append(prefix).append(text);
    if (auto it = map.find(std::string_view(qualified)); it != map.end()) return it->second;
  }
  if (!text.empty() && text.size() <= 10 &&
      text.find_first_not_of("0123456789") == std::string_view::npos) {
    if (auto v = JavaParseInt(text); v && *v < domain_sizes_[static_cast<size_t>(feature)]) return *v;
  }
  return unseen;
}

OutputLayout::OutputLayout(const MojoModel& model) {
  const MojoMeta& meta = model.meta();
  std::vector<std::string> names = model.OutputNames();
  classifier_ = meta.is_classifier();
  if (!classifier_) {
    for (auto& n : names) columns_.push_back({std::move(n), false});
    return;
  }
  n_classes_ = static_cast<size_t>(meta.n_classes);
  if (const auto* domain = meta.response_domain()) {
    labels_ = *domain;
  } else {
    for (size_t c = 0; c < n_classes_; ++c) labels_.push_back(std::to_string(c));
  }
  calibrated_ = model.has_calibration();
  columns_.push_back({names[0], true});
  for (size_t c = 1; c < names.size(); ++c) columns_.push_back({names[c], false});
  if (calibrated_)  // PredictCsv --predictCalibrated appends "cal_" + each probability name
    for (size_t c = 1; c < names.size(); ++c) columns_.push_back({"cal_" + names[c], false});
}

const std::string* OutputLayout::Label(double index) const {
  if (!(index >= 0) || index >= static_cast<double>(labels_.size())) return nullptr;
  return &labels_[static_cast<size_t>(index)];
}

}  // namespace scorehost::h2o3
