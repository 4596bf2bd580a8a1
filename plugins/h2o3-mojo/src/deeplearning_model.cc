// Deep Learning MOJOs (genmodel DeeplearningMojoModel / NeuralNetwork / ActivationUtils).
// Everything is in model.ini: layer sizes, f32 weights (stored as doubles, read back as floats)
// and f64 biases per layer. The row is standardised and one-hot encoded (GenModel.setInput, NA
// level per categorical, missing numerics -> 0), then propagated through dense layers in double
// arithmetic with genmodel's exact summation order (8 interleaved partial sums, like
// gemv_row_optimized), so the results are Java's bit for bit.
// AutoEncoders: the output layer has one unit per input unit and the hidden activation (no
// Softmax/Linear); score0 returns that reconstruction with the numeric units de-standardised
// (value / norm_mul + norm_sub) when the model standardised, named like GenModel.getOutputNames:
// reconstr_<col>.<level> per level, reconstr_<col>.missing(NA), then reconstr_<num col>.
#include <algorithm>
#include <cmath>

#include "class_prediction.hpp"
#include "errors.hpp"
#include "java_semantics.hpp"
#include "model_loaders.hpp"
#include "one_hot.hpp"

namespace scorehost::h2o3 {

namespace {

enum class Act { kLinear, kSoftmax, kExpRectifier, kRectifier, kMaxout, kTanh };
enum class Family { kLogistic, kExp, kIdentity, kModifiedHuber };

struct Layer {
  Act act = Act::kLinear;
  double dropout = 0;   // applied (as a 1 - ratio factor) by the *WithDropout activations only
  bool with_dropout = false;
  int in = 0, out = 0, max_k = 1;
  std::vector<float> w;   // [out][in] (Maxout: [out][in][k])
  std::vector<double> b;  // [out] (Maxout: [out][k])
};

class DeepLearningModel final : public RowScorer<DeepLearningModel> {
 public:
  struct Params {
    int cats = 0, nums = 0;
    std::vector<int32_t> cat_offsets;
    std::vector<double> norm_mul, norm_sub;
    bool has_resp_norm = false;
    double resp_mul = 1, resp_sub = 0;
    bool use_all_levels = true;
    bool autoencoder = false;
    Family family = Family::kIdentity;
    std::string activation, distribution;
    std::vector<Layer> layers;
    size_t widest = 0;
  };

  DeepLearningModel(MojoMeta meta, Params p) : RowScorer(std::move(meta)), p_(std::move(p)) {}

  void ScoreRow(const double* row, size_t row_len, double /*offset*/, double* preds) const {
    const size_t cats = static_cast<size_t>(p_.cats), nums = static_cast<size_t>(p_.nums);
    // GenModel.setCats reads every categorical, then every value after them (a longer row
    // overflows Java's arrays); numerics missing at the end of a short row stay 0.
    if (row_len < cats)
      Fail(ErrorKind::kInvalidArgument, "the row has " + std::to_string(row_len) + " values but the model has " +
                                            std::to_string(cats) + " categorical features");
    if (row_len > cats + nums)
      Fail(ErrorKind::kInvalidArgument, "the row has " + std::to_string(row_len) + " values, the model takes " +
                                            std::to_string(cats + nums));
    thread_local std::vector<double> a, b;
    a.assign(p_.widest, 0.0);
    b.assign(p_.widest, 0.0);
    double* input = a.data();
    for (size_t i = 0; i < cats; ++i) {
      const int32_t v = OneHotColumn(row[i], p_.cat_offsets[i], p_.cat_offsets[i + 1], p_.use_all_levels);
      if (v >= 0) input[v] = 1.0;
    }
    const size_t num_base = static_cast<size_t>(p_.cat_offsets[cats]);
    const bool standardize = !p_.norm_mul.empty();
    for (size_t i = cats; i < row_len; ++i) {
      double d = row[i];
      if (standardize) d = (d - p_.norm_sub[i - cats]) * p_.norm_mul[i - cats];
      input[num_base + i - cats] = std::isnan(d) ? 0.0 : d;
    }

    double* output = b.data();
    for (const Layer& l : p_.layers) {
      Forward(l, input, output);
      std::swap(input, output);
    }
    // `input` now holds the network's output.
    const int k = meta_.n_classes;
    if (p_.autoencoder) {
      const size_t width = static_cast<size_t>(p_.layers.back().out);
      const size_t first_num = width - nums;
      std::copy(input, input + first_num, preds);
      for (size_t i = 0; i < nums; ++i)
        preds[first_num + i] = standardize ? input[first_num + i] / p_.norm_mul[i] + p_.norm_sub[i] : input[first_num + i];
      return;
    }
    if (p_.family == Family::kModifiedHuber) {
      preds[0] = -1;
      preds[2] = 1 / (1 + JavaMin(1e19, std::exp(1.0)));
      preds[1] = 1 - preds[2];
    } else if (meta_.is_classifier()) {
      for (int i = 0; i < k; ++i) {
        preds[i + 1] = input[i];
        if (std::isnan(preds[i + 1])) Fail(ErrorKind::kInvalidArgument, "Predicted class probability NaN!");
      }
      if (meta_.balance_classes)
        CorrectProbabilities(preds, static_cast<size_t>(k), meta_.prior_class_distrib, meta_.model_class_distrib);
      preds[0] = PredictClass(preds, static_cast<size_t>(k), meta_.prior_class_distrib, row, row_len,
                              meta_.default_threshold);
    } else {
      double f = p_.has_resp_norm ? input[0] / p_.resp_mul + p_.resp_sub : input[0];
      switch (p_.family) {
        case Family::kLogistic: f = 1 / (1 + JavaMin(1e19, std::exp(-f))); break;
        case Family::kExp: f = JavaMin(1e19, std::exp(f)); break;
        default: break;
      }
      preds[0] = f;
      if (std::isnan(f)) Fail(ErrorKind::kInvalidArgument, "Predicted regression target NaN!");
    }
  }

  size_t preds_size() const override {
    return p_.autoencoder ? static_cast<size_t>(p_.layers.back().out) : MojoModel::preds_size();
  }
  size_t min_preds_size() const override {
    return p_.autoencoder ? static_cast<size_t>(p_.layers.back().out) : MojoModel::min_preds_size();
  }
  std::vector<std::string> OutputNames() const override {
    if (!p_.autoencoder) return MojoModel::OutputNames();
    std::vector<std::string> names;
    for (int i = 0; i < p_.cats; ++i) {
      const std::string& col = meta_.columns[static_cast<size_t>(i)];
      for (const std::string& level : *meta_.domains[static_cast<size_t>(i)]) names.push_back("reconstr_" + col + "." + level);
      names.push_back("reconstr_" + col + ".missing(NA)");
    }
    for (int i = p_.cats; i < p_.cats + p_.nums; ++i) names.push_back("reconstr_" + meta_.columns[static_cast<size_t>(i)]);
    return names;
  }

  std::string Describe() const override {
    std::string cat = meta_.category_name;
    for (char& c : cat) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string sizes;
    for (const Layer& l : p_.layers) sizes += (sizes.empty() ? std::to_string(l.in) : "") + "-" + std::to_string(l.out);
    return "H2O-3 Deep Learning " + cat + " (" + p_.distribution + ", " + p_.activation + ", layers " + sizes +
           "), MOJO " + meta_.mojo_version;
  }
  bool UsesOffset() const override { return false; }

 private:
  static void Forward(const Layer& l, const double* in, double* out) {
    const int cols = l.in;
    if (l.max_k == 1) {
      // NeuralNetwork.formNNInputs: 8 partial sums over the first (cols/8)*8 - 1 columns (an odd
      // bound genmodel shares with gemv_row_optimized), then the tail from cols - cols % 8.
      const int multiple = (cols / 8) * 8 - 1, extra = cols - cols % 8;
      size_t idx = 0;
      for (int r = 0; r < l.out; ++r) {
        const float* w = l.w.data() + idx;
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        for (int c = 0; c < multiple; c += 8) {
          s0 += static_cast<double>(w[c]) * in[c];
          s1 += static_cast<double>(w[c + 1]) * in[c + 1];
          s2 += static_cast<double>(w[c + 2]) * in[c + 2];
          s3 += static_cast<double>(w[c + 3]) * in[c + 3];
          s4 += static_cast<double>(w[c + 4]) * in[c + 4];
          s5 += static_cast<double>(w[c + 5]) * in[c + 5];
          s6 += static_cast<double>(w[c + 6]) * in[c + 6];
          s7 += static_cast<double>(w[c + 7]) * in[c + 7];
        }
        double acc = 0;
        acc += s0 + s1 + s2 + s3;
        acc += s4 + s5 + s6 + s7;
        for (int c = extra; c < cols; ++c) acc += static_cast<double>(w[c]) * in[c];
        acc += l.b[static_cast<size_t>(r)];
        out[r] = acc;
        idx += static_cast<size_t>(cols);
      }
    } else {
      // formNNInputsMaxOut, then MaxoutOut (its cumulative index is fine for k = 2, the only k
      // accepted at load).
      const int kk = l.max_k;
      double pre[2];
      for (int r = 0; r < l.out; ++r) {
        for (int k = 0; k < kk; ++k) {
          double acc = 0;
          for (int c = 0; c < cols; ++c)
            acc += in[c] * static_cast<double>(l.w[static_cast<size_t>(kk) * (static_cast<size_t>(r) * cols + c) + k]);
          acc += l.b[static_cast<size_t>(kk * r + k)];
          pre[k] = acc;
        }
        double t = pre[0];
        int ci = 0;
        for (int k = 0; k < kk; ++k) {
          ci += k;
          t = t > pre[ci] ? t : pre[ci];
        }
        out[r] = t;
      }
      if (l.with_dropout && l.dropout > 0)
        for (int r = 0; r < l.out; ++r) out[r] *= 1 - l.dropout;
      return;
    }
    const int n = l.out;
    switch (l.act) {
      case Act::kLinear: break;
      case Act::kSoftmax: {
        double mx = out[0];
        for (int i = 0; i < n; ++i) mx = mx < out[i] ? out[i] : mx;
        double scaling = 0;
        for (int i = 0; i < n; ++i) {
          out[i] = std::exp(out[i] - mx);
          scaling += out[i];
        }
        for (int i = 0; i < n; ++i) out[i] /= scaling;
        break;
      }
      case Act::kExpRectifier:
        for (int i = 0; i < n; ++i) out[i] = out[i] >= 0 ? out[i] : std::exp(out[i]) - 1;
        break;
      case Act::kRectifier:
        for (int i = 0; i < n; ++i) out[i] = 0.5 * (out[i] + std::fabs(out[i]));
        break;
      case Act::kTanh:
        for (int i = 0; i < n; ++i) out[i] = 1 - 2 / (1 + std::exp(2 * out[i]));
        break;
      case Act::kMaxout: break;  // handled above
    }
    if (l.with_dropout && l.dropout > 0)
      for (int i = 0; i < n; ++i) out[i] *= 1 - l.dropout;
  }

  Params p_;
};

}  // namespace

std::unique_ptr<MojoModel> LoadDeepLearning(Archive& /*archive*/, const ModelIni& ini, MojoMeta meta) {
  const std::string& path = meta.path;
  RequireMojoVersion(meta, {1.00, 1.10});
  const bool autoencoder = meta.category == ModelCategory::kOther && meta.category_name == "AutoEncoder";
  if (!autoencoder && (meta.category == ModelCategory::kOther || meta.category == ModelCategory::kOrdinal ||
                       meta.category == ModelCategory::kAnomalyDetection))
    Fail(ErrorKind::kUnimplemented, path + ": Deep Learning " + meta.category_name +
                                        " models are not supported (MOJO " + meta.mojo_version + ")");
  if (auto enc = ini.String("_genmodel_encoding"); enc && *enc != "AUTO" && *enc != "SortByResponse" && *enc != "OneHotInternal")
    Fail(ErrorKind::kUnimplemented, path + ": Deep Learning MOJO with categorical encoding " + *enc + " is not supported");
  DeepLearningModel::Params p;
  OneHotLayout layout = ReadOneHotLayout(ini, path, "Deep Learning", meta.n_features, /*offsets_optional=*/true);
  const int64_t nums = layout.nums;
  p.cats = layout.cats;
  p.nums = layout.nums;
  p.cat_offsets = std::move(layout.cat_offsets);
  p.norm_mul = ini.Doubles("norm_mul").value_or(std::vector<double>{});
  p.norm_sub = ini.Doubles("norm_sub").value_or(std::vector<double>{});
  if (!p.norm_mul.empty() && (p.norm_mul.size() < static_cast<size_t>(nums) || p.norm_sub.size() < static_cast<size_t>(nums)))
    Fail(ErrorKind::kDataLoss, path + ": Deep Learning norm_mul/norm_sub do not cover the numeric features");
  auto resp_mul = ini.Doubles("norm_resp_mul"), resp_sub = ini.Doubles("norm_resp_sub");
  if (resp_mul && !meta.is_classifier()) {
    if (resp_mul->empty() || !resp_sub || resp_sub->empty())
      Fail(ErrorKind::kDataLoss, path + ": Deep Learning norm_resp_mul without norm_resp_sub");
    p.has_resp_norm = true;
    p.resp_mul = (*resp_mul)[0];
    p.resp_sub = (*resp_sub)[0];
  }
  p.use_all_levels = ini.Bool("use_all_factor_levels").value_or(true);
  p.autoencoder = autoencoder;
  if (autoencoder) {
    // genmodel names one output per level plus the NA level of every categorical; without all
    // factor levels the network has fewer outputs than names, so Java's output is ill-defined.
    if (p.cats > 0 && !p.use_all_levels)
      Fail(ErrorKind::kUnimplemented, path + ": Deep Learning autoencoder trained without use_all_factor_levels is "
                                             "not supported (genmodel's reconstr_ output names do not match its outputs)");
    for (int i = 0; i < p.cats; ++i) {
      const auto& dom = meta.domains[static_cast<size_t>(i)];
      const int64_t width = static_cast<int64_t>(p.cat_offsets[static_cast<size_t>(i) + 1]) - p.cat_offsets[static_cast<size_t>(i)];
      if (!dom || width != static_cast<int64_t>(dom->size()) + 1)
        Fail(ErrorKind::kDataLoss, path + ": Deep Learning autoencoder categorical " + std::to_string(i) + " has " +
                                       std::to_string(width) + " input units, its domain needs " +
                                       (dom ? std::to_string(dom->size() + 1) : std::string("a domain")));
    }
  }
  p.activation = ini.RequireString("activation");
  p.distribution = ini.RequireString("distribution");
  const std::string& d = p.distribution;
  if (d == "modified_huber") p.family = Family::kModifiedHuber;
  else if (d == "bernoulli" || d == "quasibinomial" || d == "ordinal") p.family = Family::kLogistic;
  else if (d == "multinomial" || d == "poisson" || d == "gamma" || d == "tweedie") p.family = Family::kExp;
  else if (d == "AUTO" || d == "gaussian" || d == "huber" || d == "laplace" || d == "quantile") p.family = Family::kIdentity;
  else Fail(ErrorKind::kUnimplemented, path + ": Deep Learning distribution '" + d + "' is not supported");
  if (p.family == Family::kModifiedHuber && meta.n_classes != 2)
    Fail(ErrorKind::kDataLoss, path + ": modified_huber Deep Learning model with " + std::to_string(meta.n_classes) + " classes");

  Act hidden;
  bool hidden_dropout = false;
  std::string a = p.activation;
  if (a.size() > 11 && a.ends_with("WithDropout")) {
    hidden_dropout = true;
    a.resize(a.size() - 11);
  }
  if (a == "Rectifier") hidden = Act::kRectifier;
  else if (a == "Tanh") hidden = Act::kTanh;
  else if (a == "ExpRectifier") hidden = Act::kExpRectifier;
  else if (a == "Maxout") hidden = Act::kMaxout;
  else Fail(ErrorKind::kUnimplemented, path + ": Deep Learning activation '" + p.activation + "' is not supported");

  const std::vector<int64_t> units = ini.Ints("neural_network_sizes").value_or(std::vector<int64_t>{});
  const std::vector<double> dropout = ini.Doubles("hidden_dropout_ratios").value_or(std::vector<double>{});
  if (units.size() < 2) Fail(ErrorKind::kDataLoss, path + ": Deep Learning neural_network_sizes has fewer than 2 layers");
  for (int64_t u : units)
    if (u <= 0 || u > (1 << 24)) Fail(ErrorKind::kDataLoss, path + ": Deep Learning layer size " + std::to_string(u));
  const size_t n_layers = units.size() - 1;
  if (dropout.size() < n_layers)
    Fail(ErrorKind::kDataLoss, path + ": Deep Learning hidden_dropout_ratios has " + std::to_string(dropout.size()) +
                                   " entries for " + std::to_string(n_layers) + " layers");
  if (units[0] != p.cat_offsets.back() + nums)
    Fail(ErrorKind::kDataLoss, path + ": Deep Learning input layer has " + std::to_string(units[0]) + " units, the features need " +
                                   std::to_string(p.cat_offsets.back() + nums));
  const int64_t k_out = autoencoder ? units[0] : meta.is_classifier() ? meta.n_classes : 1;
  if (units.back() != k_out)
    Fail(ErrorKind::kDataLoss, path + ": Deep Learning output layer has " + std::to_string(units.back()) + " units, expected " +
                                   std::to_string(k_out));
  for (size_t li = 0; li < n_layers; ++li) {
    Layer l;
    l.in = static_cast<int>(units[li]);
    l.out = static_cast<int>(units[li + 1]);
    const bool last = li + 1 == n_layers;
    l.act = last && !autoencoder ? (meta.is_classifier() ? Act::kSoftmax : Act::kLinear) : hidden;
    l.with_dropout = (!last || autoencoder) && hidden_dropout;
    l.dropout = dropout[li];
    std::vector<double> w = ini.Doubles("weight_layer" + std::to_string(li)).value_or(std::vector<double>{});
    l.b = ini.Doubles("bias_layer" + std::to_string(li)).value_or(std::vector<double>{});
    if (l.act == Act::kMaxout) {
      l.max_k = static_cast<int>(l.b.size() / static_cast<size_t>(l.out));
      if (l.max_k != 2)
        Fail(ErrorKind::kUnimplemented, path + ": Deep Learning Maxout layer with " + std::to_string(l.max_k) +
                                            " channels is not supported (only 2)");
    }
    const uint64_t want_w = static_cast<uint64_t>(l.in) * static_cast<uint64_t>(l.out) * static_cast<uint64_t>(l.max_k);
    if (w.size() != want_w || l.b.size() != static_cast<size_t>(l.out) * static_cast<size_t>(l.max_k))
      Fail(ErrorKind::kDataLoss, path + ": Deep Learning layer " + std::to_string(li) + " has " + std::to_string(w.size()) +
                                     " weights and " + std::to_string(l.b.size()) + " biases for " + std::to_string(l.in) +
                                     " x " + std::to_string(l.out) + " units");
    l.w.resize(w.size());
    for (size_t i = 0; i < w.size(); ++i) l.w[i] = static_cast<float>(w[i]);
    p.widest = std::max({p.widest, static_cast<size_t>(l.in), static_cast<size_t>(l.out)});
    p.layers.push_back(std::move(l));
  }
  return std::make_unique<DeepLearningModel>(std::move(meta), std::move(p));
}

}  // namespace scorehost::h2o3
