// LoadMojo: reads model.ini and the domain files, validates what every MOJO shares, and hands
// over to the loader of the algorithm named in `algorithm` (as genmodel's ModelMojoFactory does).
#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>

#include "errors.hpp"
#include "java_semantics.hpp"
#include "model_ini.hpp"
#include "model_loaders.hpp"
#include "mojo_model.hpp"

namespace scorehost::h2o3 {

const std::vector<std::string>* MojoMeta::response_domain() const {
  if (!supervised || columns.empty()) return nullptr;
  const auto& d = domains.back();
  return d ? &*d : nullptr;
}

size_t MojoModel::preds_size() const {
  return meta_.is_classifier() ? static_cast<size_t>(meta_.n_classes) + 1 : 2;
}

size_t MojoModel::min_preds_size() const {
  return meta_.is_classifier() ? static_cast<size_t>(meta_.n_classes) + 1 : 1;
}

void MojoModel::CheckPreds(size_t n) const {
  if (n < min_preds_size())
    Fail(ErrorKind::kInvalidArgument, "the prediction buffer holds " + std::to_string(n) + " values, the model writes " +
                                          std::to_string(min_preds_size()));
}

std::vector<std::string> MojoModel::ContributionNames() const {
  std::vector<std::string> names(meta_.columns.begin(), meta_.columns.begin() + meta_.n_features);
  names.push_back("BiasTerm");
  return names;
}

void MojoModel::ContributeBatch(const double* /*rows*/, size_t /*n_rows*/, size_t /*row_len*/, float* /*out*/) const {
  Fail(ErrorKind::kUnimplemented, "Shapley contributions are not available for " + meta_.algorithm + " models");
}

void RequireMojoVersion(const MojoMeta& meta, std::initializer_list<double> read, OlderMojoVersions older,
                        std::string_view name) {
  const std::optional<double> version = JavaParseDouble(meta.mojo_version);
  if (version) {
    for (double v : read)
      if (*version == v) return;
    if (older == OlderMojoVersions::kRead && *version <= std::max(read)) return;
  }
  std::string supported;
  for (double v : read) {
    char text[16];
    std::snprintf(text, sizeof(text), "%.2f", v);
    supported += (supported.empty() ? "" : ", ") + std::string(text);
  }
  Fail(ErrorKind::kUnimplemented, meta.path + ": " + std::string(name.empty() ? meta.algorithm : name) +
                                      " MOJO version " + meta.mojo_version + " is not supported (supported: " +
                                      supported + ")");
}

namespace {

ModelCategory ParseCategory(const std::string& s) {
  if (s == "Binomial") return ModelCategory::kBinomial;
  if (s == "Multinomial") return ModelCategory::kMultinomial;
  if (s == "Ordinal") return ModelCategory::kOrdinal;
  if (s == "Regression") return ModelCategory::kRegression;
  if (s == "AnomalyDetection") return ModelCategory::kAnomalyDetection;
  return ModelCategory::kOther;
}

MojoMeta ReadMeta(Archive& archive, const ModelIni& ini) {
  MojoMeta m;
  m.path = archive.path();
  const std::string& path = m.path;
  m.algo = ini.String("algo").value_or("");
  m.algorithm = ini.String("algorithm").value_or(m.algo);
  m.mojo_version = ini.RequireString("mojo_version");
  if (!JavaParseDouble(m.mojo_version)) Fail(ErrorKind::kDataLoss, path + ": unparseable mojo_version '" + m.mojo_version + "'");
  m.h2o_version = ini.String("h2o_version").value_or("unknown");
  m.uuid = ini.String("uuid").value_or("");
  m.category_name = ini.RequireString("category");
  m.category = ParseCategory(m.category_name);
  if (auto e = ini.String("endianness"); e && *e != "LITTLE_ENDIAN")
    Fail(ErrorKind::kUnimplemented, path + ": MOJO written with endianness " + *e + " is not supported");
  m.supervised = ini.Bool("supervised").value_or(false);
  const int64_t nf = ini.RequireInt("n_features"), nc = ini.Int("n_classes").value_or(0);
  m.columns = ini.columns();
  const size_t ncol = m.columns.size();
  if (nf < 0 || static_cast<uint64_t>(nf) > ncol || (m.supervised && static_cast<uint64_t>(nf) >= ncol))
    Fail(ErrorKind::kDataLoss, path + ": n_features = " + std::to_string(nf) + " does not fit " +
                                   std::to_string(ncol) + " columns");
  if (nc < 0 || nc > (1 << 20)) Fail(ErrorKind::kDataLoss, path + ": n_classes = " + std::to_string(nc));
  m.n_features = static_cast<int>(nf);
  m.n_classes = static_cast<int>(nc);

  const bool escaped = ini.Bool("escape_domain_values").value_or(false);
  m.domains.resize(ncol);
  m.domain_sizes.assign(ncol, -1);
  for (const DomainRef& ref : ini.domains()) {
    if (ref.column < 0) Fail(ErrorKind::kDataLoss, path + ": negative column in [domains]");
    if (static_cast<size_t>(ref.column) >= ncol) continue;  // Java ignores these too
    const std::string file = "domains/" + ref.file;
    const std::string text = archive.Read(file);
    std::vector<std::string_view> lines = SplitLines(text);
    if (static_cast<int64_t>(lines.size()) != ref.count)
      Fail(ErrorKind::kDataLoss, path + ": " + file + " has " + std::to_string(lines.size()) + " levels, model.ini says " +
                                     std::to_string(ref.count));
    std::vector<std::string> levels;
    levels.reserve(lines.size());
    for (std::string_view l : lines) levels.push_back(escaped ? UnescapeNewlines(l) : std::string(l));
    m.domain_sizes[static_cast<size_t>(ref.column)] = static_cast<int32_t>(levels.size());
    m.domains[static_cast<size_t>(ref.column)] = std::move(levels);
  }

  m.balance_classes = ini.Bool("balance_classes").value_or(false);
  m.default_threshold = ini.Double("default_threshold").value_or(0.5);
  m.prior_class_distrib = ini.Doubles("prior_class_distrib").value_or(std::vector<double>{});
  m.model_class_distrib = ini.Doubles("model_class_distrib").value_or(std::vector<double>{});
  m.offset_column = ini.String("offset_column").value_or("");

  if (m.is_classifier()) {
    if (!m.supervised || m.n_classes < 2)
      Fail(ErrorKind::kDataLoss, path + ": " + m.category_name + " model with n_classes = " + std::to_string(m.n_classes));
    if (const auto* rd = m.response_domain(); rd && rd->size() != static_cast<size_t>(m.n_classes))
      Fail(ErrorKind::kDataLoss, path + ": the response has " + std::to_string(rd->size()) + " levels but n_classes = " +
                                     std::to_string(m.n_classes));
    auto check_len = [&](const std::vector<double>& v, const char* key) {
      if (!v.empty() && v.size() != static_cast<size_t>(m.n_classes))
        Fail(ErrorKind::kDataLoss, path + ": " + key + " has " + std::to_string(v.size()) + " entries for " +
                                       std::to_string(m.n_classes) + " classes");
    };
    check_len(m.prior_class_distrib, "prior_class_distrib");
    check_len(m.model_class_distrib, "model_class_distrib");
    if (m.balance_classes && (m.prior_class_distrib.empty() || m.model_class_distrib.empty()))
      Fail(ErrorKind::kDataLoss, path + ": balance_classes without class distributions");
  }
  return m;
}

}  // namespace

std::unique_ptr<MojoModel> LoadMojo(Archive& archive) {
  if (!archive.Exists("model.ini"))
    Fail(ErrorKind::kDataLoss, archive.path() + ": not an H2O-3 MOJO (no model.ini)");
  const ModelIni ini = ModelIni::Parse(archive.Read("model.ini"), archive.path());
  MojoMeta meta = ReadMeta(archive, ini);
  const std::string& a = meta.algorithm;
  if (a == "Gradient Boosting Machine" || a == "Gradient Boosting Method") return LoadGbm(archive, ini, std::move(meta));
  if (a == "Distributed Random Forest") return LoadDrf(archive, ini, std::move(meta));
  if (a == "Generalized Linear Modeling" || a == "Generalized Linear Model") return LoadGlm(archive, ini, std::move(meta));
  if (a == "Isolation Forest") return LoadIsolationForest(archive, ini, std::move(meta));
  if (a == "Extended Isolation Forest") return LoadExtendedIsolationForest(archive, ini, std::move(meta));
  if (a == "XGBoost") return LoadXgboost(archive, ini, std::move(meta));
  if (a == "Deep Learning" || a == "deep learning") return LoadDeepLearning(archive, ini, std::move(meta));
  if (a == "Stacked Ensemble" || a == "StackedEnsemble") return LoadStackedEnsemble(archive, ini, std::move(meta));
  if (a == "K-means") return LoadKMeans(archive, ini, std::move(meta));
  if (a == "Uplift Distributed Random Forest") return LoadUpliftDrf(archive, ini, std::move(meta));
  if (a == "TargetEncoder") return LoadTargetEncoder(archive, ini, std::move(meta));
  if (a == "RuleFit") return LoadRuleFit(archive, ini, std::move(meta));
  if (a == "Cox Proportional Hazards") return LoadCoxPh(archive, ini, std::move(meta));
  if (a == "Generalized Additive Model") return LoadGam(archive, ini, std::move(meta));
  if (a == "Principal Components Analysis" || a == "Principal Component Analysis") return LoadPca(archive, ini, std::move(meta));
  if (a == "Generalized Low Rank Modeling" || a == "Generalized Low Rank Model") return LoadGlrm(archive, ini, std::move(meta));
  if (a == "Word2Vec") return LoadWord2Vec(archive, ini, std::move(meta));
  Fail(ErrorKind::kUnimplemented, meta.path + ": algorithm '" + a + "' (algo " + meta.algo + ", MOJO version " +
                                      meta.mojo_version + ") is not supported by the H2O-3 MOJO scorer");
}

std::unique_ptr<MojoModel> LoadMojo(const std::string& path, const ArchiveLimits& limits) {
  std::unique_ptr<Archive> archive = Archive::Open(path, limits);
  return LoadMojo(*archive);
}

}  // namespace scorehost::h2o3

namespace scorehost::h2o3 {

std::vector<std::string> MojoModel::OutputNames() const {
  if (!meta_.is_classifier()) return {"predict"};
  std::vector<std::string> names{"predict"};
  const auto* domain = meta_.response_domain();
  for (int c = 0; c < meta_.n_classes; ++c) {
    std::string level = domain ? (*domain)[static_cast<size_t>(c)] : std::to_string(c);
    // Integer.valueOf(level) succeeds -> "p" prefix, so "0"/"1" become "p0"/"p1".
    if (JavaParseInt(level)) level = "p" + level;
    names.push_back(std::move(level));
  }
  return names;
}

}  // namespace scorehost::h2o3
