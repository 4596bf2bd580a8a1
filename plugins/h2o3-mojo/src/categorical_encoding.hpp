// The categorical encodings a GBM/DRF MOJO may have been trained with (model.ini's
// _genmodel_encoding, MOJO 1.40): the trees then split on encoded columns, and genmodel's
// EasyPredictModelWrapper (hence PredictCsv) builds them from the ORIGINAL columns the MOJO lists in
// _orig_names / _orig_domain_values. This encoder does the same, so the model's inputs are the
// original columns (categoricals as indices into the original domains).
//
// Input values of an original categorical column: a level index in [0, levels) is that level;
// NaN is a missing value (PredictCsv leaves every encoded column NaN: the cell is not in its
// RowData); anything else (an index past the end, negative, infinite) is an unseen level, which
// PredictCsv encodes as its "NA" level (OneHotExplicit: the missing(NA) column hot; Binary: all
// bits 0; LabelEncoder, EnumLimited and Eigen: NaN).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "archive.hpp"
#include "model_ini.hpp"
#include "mojo_model.hpp"

namespace scorehost::h2o3 {

class CategoricalEncoder {
 public:
  enum class Kind { kOneHotExplicit, kBinary, kLabelEncoder, kEnumLimited, kEigen };

  // nullptr when the MOJO needs no encoding (no _genmodel_encoding, AUTO, Enum, SortByResponse or
  // MOJO < 1.40, where genmodel ignores the key). Otherwise reads the original columns and checks
  // that they produce exactly the model's n_features encoded columns (kDataLoss if not); unknown
  // encodings and encoded models with an offset column are kUnimplemented.
  // `meta` is the encoded model's (its columns are the trees' columns).
  static std::unique_ptr<const CategoricalEncoder> Load(Archive& archive, const ModelIni& ini, const MojoMeta& meta);

  // The meta of the model as its users see it: the original feature columns with their domains,
  // then the encoded meta's non-feature columns (the response); levels match their exact text
  // (as genmodel's encoders do) and unseen ones map past the domain.
  MojoMeta InputMeta(const MojoMeta& encoded) const;

  Kind kind() const { return kind_; }
  const std::string& name() const { return name_; }  // as in model.ini, e.g. "OneHotExplicit"
  size_t input_width() const { return inputs_.size(); }
  size_t encoded_width() const { return encoded_width_; }
  // The encoded columns' names (the MOJO's features, e.g. "c.level", "c.missing(NA)").
  const std::vector<std::string>& encoded_names() const { return encoded_names_; }
  // genmodel's contribution names of the encoded model: encoded_names(), then "BiasTerm".
  std::vector<std::string> ContributionNames() const;

  // Encodes one original row (`row_len` values; values past the end are missing) into `out`
  // (encoded_width() values).
  void Encode(const double* row, size_t row_len, double* out) const;
  // Encodes n rows of `row_len` values into a per-thread buffer of n * encoded_width() values.
  const double* EncodeRows(const double* rows, size_t n, size_t row_len) const;

 private:
  struct Input {
    int32_t target = 0;             // first encoded column
    int32_t levels = -1;            // original domain size, -1 for a numeric column
    int32_t width = 1;              // encoded columns written
    std::vector<double> by_level;   // LabelEncoder / EnumLimited / Eigen: the encoded value of each level
  };
  Kind kind_ = Kind::kOneHotExplicit;
  std::string name_;
  std::vector<Input> inputs_;
  std::vector<std::string> input_names_;
  std::vector<std::optional<std::vector<std::string>>> input_domains_;
  size_t encoded_width_ = 0;
  std::vector<std::string> encoded_names_;
};

}  // namespace scorehost::h2o3
