#include "artifact/artifact_detector.h"

#include <fmt/format.h>
#include <zip.h>

#include <algorithm>
#include <boost/filesystem.hpp>
#include <fstream>
#include <optional>
#include <string_view>
#include <vector>

#include "registry/registry.h"

namespace fs = boost::filesystem;

namespace scorehost {
namespace {

// Bounds that keep detection cheap and safe on hostile input: we only list names, never extract.
constexpr size_t kMaxListedEntries = 100000;
constexpr int kMaxDirectoryDepth = 4;

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string_view BaseName(std::string_view path) {
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

bool IsZipFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  in.read(magic, 4);
  return in.gcount() == 4 && magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4;
}

Result<std::vector<std::string>> ListZip(const std::string& path) {
  int error = 0;
  zip_t* archive = zip_open(path.c_str(), ZIP_RDONLY, &error);
  if (archive == nullptr) {
    zip_error_t ze;
    zip_error_init_with_code(&ze, error);
    std::string why = zip_error_strerror(&ze);
    zip_error_fini(&ze);
    return Status::DataLoss(fmt::format("{} looks like a zip archive but cannot be read: {}", path, why));
  }
  std::vector<std::string> names;
  zip_int64_t n = zip_get_num_entries(archive, 0);
  for (zip_int64_t i = 0; i < n && names.size() < kMaxListedEntries; ++i) {
    const char* name = zip_get_name(archive, static_cast<zip_uint64_t>(i), 0);
    if (name) names.emplace_back(name);
  }
  zip_close(archive);
  return names;
}

std::vector<std::string> ListDirectory(const std::string& root) {
  std::vector<std::string> names;
  boost::system::error_code ec;
  fs::recursive_directory_iterator it(root, ec), end;
  for (; !ec && it != end && names.size() < kMaxListedEntries; it.increment(ec)) {
    if (it.depth() >= kMaxDirectoryDepth) {
      it.disable_recursion_pending();
    }
    std::string rel = fs::relative(it->path(), root, ec).generic_string();
    if (fs::is_directory(it->path(), ec)) rel += '/';
    names.push_back(rel);
  }
  return names;
}

// Drops a single top-level folder that every entry shares ("model/MLmodel" -> "MLmodel"), as
// produced by zipping a folder rather than its contents.
void StripCommonFolder(std::vector<std::string>& names) {
  if (names.empty()) return;
  size_t slash = names.front().find('/');
  if (slash == std::string::npos) return;
  std::string prefix = names.front().substr(0, slash + 1);
  for (const std::string& n : names)
    if (n.compare(0, prefix.size(), prefix) != 0) return;
  std::vector<std::string> stripped;
  for (const std::string& n : names)
    if (n.size() > prefix.size()) stripped.push_back(n.substr(prefix.size()));
  names.swap(stripped);
}

struct Listing {
  std::vector<std::string> names;
  std::string where;  // "the zip archive" / "the directory"
  bool Has(std::string_view name) const {  // at the top level
    return std::any_of(names.begin(), names.end(), [&](const std::string& n) { return n == name; });
  }
  std::optional<std::string> Find(auto&& predicate) const {
    for (const std::string& n : names)
      if (predicate(n)) return n;
    return std::nullopt;
  }
};

bool IsDaiWheel(std::string_view name) {
  std::string_view base = BaseName(name);
  return base.rfind("scoring_h2oai_experiment", 0) == 0 && EndsWith(base, ".whl");
}

std::optional<DetectedArtifact> MatchListing(const Listing& l) {
  auto mojo_pipeline = l.Find([](const std::string& n) { return BaseName(n) == "pipeline.mojo"; });
  auto dai_wheel = l.Find([](const std::string& n) {
    return IsDaiWheel(n) || BaseName(n) == "scoring-pipeline" || n.rfind("scoring-pipeline/", 0) == 0;
  });
  if (l.Has("MLmodel")) {
    if (mojo_pipeline)
      return DetectedArtifact{"mlflow_mojo_pipeline", fmt::format("MLmodel and {} in {}", *mojo_pipeline, l.where)};
    if (dai_wheel)
      return DetectedArtifact{"mlflow_scoring_pipeline", fmt::format("MLmodel and {} in {}", *dai_wheel, l.where)};
    auto h2o3 = l.Find([](const std::string& n) { return EndsWith(n, ".mojo") || BaseName(n) == "model.ini"; });
    if (h2o3) return DetectedArtifact{"mlflow_h2o3_mojo", fmt::format("MLmodel and {} in {}", *h2o3, l.where)};
    return DetectedArtifact{"python/mlflow.zip", "MLmodel in " + l.where};
  }
  if (l.Has("model.ini")) return DetectedArtifact{"h2o3_mojo", "model.ini in " + l.where};
  if (mojo_pipeline) return DetectedArtifact{"dai_mojo_pipeline", fmt::format("{} in {}", *mojo_pipeline, l.where)};
  if (l.Has("mojo/pipeline.pb") || l.Has("pipeline.pb"))
    return DetectedArtifact{"dai_mojo_pipeline", "a MOJO2 pipeline (mojo/pipeline.pb) in " + l.where};
  if (dai_wheel) return DetectedArtifact{"dai_python_scoring_pipeline", fmt::format("{} in {}", *dai_wheel, l.where)};
  return std::nullopt;
}

}  // namespace

Result<DetectedArtifact> DetectArtifact(const std::string& path, const Registry& registry) {
  boost::system::error_code ec;
  if (!fs::exists(path, ec)) return Status::NotFound(fmt::format("model path {} does not exist", path));

  Listing listing;
  if (fs::is_directory(path, ec)) {
    listing.names = ListDirectory(path);
    listing.where = "the directory";
  } else if (fs::is_regular_file(path, ec)) {
    if (IsDaiWheel(path))
      return DetectedArtifact{"dai_python_scoring_pipeline", "a scoring_h2oai_experiment wheel"};
    std::ifstream probe(path, std::ios::binary);
    if (!probe) return Status::FailedPrecondition(fmt::format("model file {} cannot be read", path));
    if (IsZipFile(path)) {
      auto names = ListZip(path);
      if (!names.ok()) return names.status();
      listing.names = std::move(*names);
      listing.where = "the zip archive";
    }
  } else {
    return Status::FailedPrecondition(fmt::format("model path {} is neither a file nor a directory", path));
  }
  StripCommonFolder(listing.names);
  if (auto match = MatchListing(listing)) return *match;

  for (const auto& plugin : registry.plugins()) {
    if (!plugin->api().probe_artifact) continue;
    const char* type = nullptr;
    if (plugin->api().probe_artifact(path.c_str(), &type) && type)
      return DetectedArtifact{type, fmt::format("recognised by plugin {}", plugin->name())};
  }
  return Status::InvalidArgument(fmt::format(
      "cannot tell what kind of model {} is: found no model.ini (H2O-3 MOJO), pipeline.mojo (Driverless AI "
      "MOJO pipeline), MLmodel (MLflow model) or scoring_h2oai_experiment wheel (Driverless AI Python "
      "pipeline), and no installed plugin recognised it",
      path));
}

}  // namespace scorehost
