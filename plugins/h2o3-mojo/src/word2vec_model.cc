// Word2Vec MOJOs (genmodel Word2VecMojoModel, MOJO 1.00): a word -> its embedding (vec_size floats,
// widened to double). genmodel has no score0 for it (it throws); EasyPredictModelWrapper's
// predictWord2Vec looks the word up exactly (case-sensitive) and returns null for an unknown word.
//
// Here the model takes one categorical input, `word`, whose domain is the vocabulary (in file
// order), so the row is [vocabulary index]: the plugin's input schema maps the text to its index
// (exact match only, see MojoMeta::levels_exact_only) and an unknown word or a null to NaN, which
// scores as all-NaN outputs (H2O's in-cluster transform gives NAs for such a word too). Outputs
// are C1..C<vec_size>, the column names of H2O's word2vec transform.
#include <cmath>
#include <cstring>
#include <unordered_set>

#include "errors.hpp"
#include "java_semantics.hpp"
#include "model_loaders.hpp"

namespace scorehost::h2o3 {

namespace {

class Word2VecModel final : public RowScorer<Word2VecModel> {
 public:
  Word2VecModel(MojoMeta meta, size_t vec_size, std::vector<float> vectors)
      : RowScorer(std::move(meta)), vec_size_(vec_size), vectors_(std::move(vectors)) {}

  void ScoreRow(const double* row, size_t row_len, double /*offset*/, double* preds) const {
    if (row_len < 1) Fail(ErrorKind::kInvalidArgument, "the row is empty; Word2Vec takes one value (a vocabulary index)");
    const double v = row[0];
    if (std::isnan(v)) {
      for (size_t i = 0; i < vec_size_; ++i) preds[i] = NAN;
      return;
    }
    const size_t n_words = vectors_.size() / vec_size_;
    if (!(v >= 0) || v >= static_cast<double>(n_words) || v != std::floor(v))
      Fail(ErrorKind::kInvalidArgument, std::to_string(v) + " is not a vocabulary index (the vocabulary has " +
                                            std::to_string(n_words) + " words)");
    const float* vec = vectors_.data() + static_cast<size_t>(v) * vec_size_;
    for (size_t i = 0; i < vec_size_; ++i) preds[i] = static_cast<double>(vec[i]);
  }

  size_t preds_size() const override { return vec_size_; }
  size_t min_preds_size() const override { return vec_size_; }
  std::vector<std::string> OutputNames() const override {
    std::vector<std::string> names;
    for (size_t i = 1; i <= vec_size_; ++i) names.push_back(std::string("C").append(std::to_string(i)));
    return names;
  }
  std::string Describe() const override {
    return "H2O-3 Word2Vec, " + std::to_string(vectors_.size() / vec_size_) + " words x " + std::to_string(vec_size_) +
           " dimensions, MOJO " + meta_.mojo_version;
  }
  bool UsesOffset() const override { return false; }

 private:
  size_t vec_size_;
  std::vector<float> vectors_;  // vocabulary order, vec_size_ per word
};

}  // namespace

std::unique_ptr<MojoModel> LoadWord2Vec(Archive& archive, const ModelIni& ini, MojoMeta meta) {
  const std::string& path = meta.path;
  RequireMojoVersion(meta, {1.00}, OlderMojoVersions::kRead);
  const int64_t vocab_size = ini.Int("vocab_size").value_or(-1);
  const int64_t vec_size = ini.Int("vec_size").value_or(-1);
  if (vocab_size < 1 || vocab_size > (int64_t{1} << 28) || vec_size < 1 || vec_size > (1 << 16))
    Fail(ErrorKind::kDataLoss, path + ": Word2Vec vocab_size = " + std::to_string(vocab_size) +
                                   ", vec_size = " + std::to_string(vec_size));
  const std::string raw = archive.Read("vectors");
  const uint64_t want = static_cast<uint64_t>(vocab_size) * static_cast<uint64_t>(vec_size) * 4;
  if (raw.size() != want)
    Fail(ErrorKind::kDataLoss, path + ": Word2Vec vectors holds " + std::to_string(raw.size()) + " bytes, " +
                                   std::to_string(want) + " expected (corrupted vector representation)");
  const std::string text = archive.Read("vocabulary");
  std::vector<std::string> words;
  words.reserve(static_cast<size_t>(vocab_size));
  for (std::string_view line : SplitLines(text)) words.push_back(UnescapeNewlines(line));
  if (words.size() != static_cast<size_t>(vocab_size))
    Fail(ErrorKind::kDataLoss, path + ": Word2Vec vocabulary has " + std::to_string(words.size()) +
                                   " words, vocab_size = " + std::to_string(vocab_size));
  {
    std::unordered_set<std::string_view> seen;
    seen.reserve(words.size());
    for (const std::string& w : words)
      if (!seen.insert(w).second)
        Fail(ErrorKind::kDataLoss, path + ": Word2Vec vocabulary lists '" + w + "' twice (genmodel rejects it too)");
  }
  std::vector<float> vectors(static_cast<size_t>(vocab_size * vec_size));
  for (size_t i = 0; i < vectors.size(); ++i) {
    uint32_t bits = 0;
    for (size_t b = 0; b < 4; ++b) bits = (bits << 8) | static_cast<unsigned char>(raw[i * 4 + b]);
    std::memcpy(&vectors[i], &bits, sizeof bits);
  }
  // The input: one categorical feature `word` over the vocabulary, matched exactly.
  meta.n_features = 1;
  meta.columns = {"word"};
  meta.domain_sizes = {static_cast<int32_t>(words.size())};
  meta.domains.clear();
  meta.domains.emplace_back(std::move(words));
  meta.levels_exact_only = true;
  meta.offset_column.clear();
  return std::make_unique<Word2VecModel>(std::move(meta), static_cast<size_t>(vec_size), std::move(vectors));
}

}  // namespace scorehost::h2o3
