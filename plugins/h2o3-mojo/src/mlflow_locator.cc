#include "mlflow_locator.hpp"

#include <algorithm>
#include <filesystem>

#include "errors.hpp"

namespace scorehost::h2o3 {

namespace {

bool EndsWithNoCase(const std::string& s, const std::string& suffix) {
  if (s.size() < suffix.size()) return false;
  return std::equal(suffix.begin(), suffix.end(), s.end() - static_cast<std::ptrdiff_t>(suffix.size()),
                    [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
}

}  // namespace

std::unique_ptr<Archive> OpenMlflowMojo(const std::string& path, const ArchiveLimits& limits) {
  std::unique_ptr<Archive> base = Archive::Open(path, limits);
  if (base->Exists("model.ini")) return base;  // already a MOJO
  std::vector<std::string> names = base->List();
  std::sort(names.begin(), names.end());
  for (const std::string& n : names) {
    if (!EndsWithNoCase(n, ".mojo")) continue;
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
      return Archive::Open((std::filesystem::path(path) / n).string(), limits);
    return Archive::OpenZipBytes(base->Read(n), path + "!/" + n, limits);
  }
  const std::string* best = nullptr;
  for (const std::string& n : names) {
    if (n == "model.ini" || !(n.size() > 10 && n.compare(n.size() - 10, 10, "/model.ini") == 0)) continue;
    if (!best || std::count(n.begin(), n.end(), '/') < std::count(best->begin(), best->end(), '/')) best = &n;
  }
  if (best) return Archive::Subtree(std::move(base), best->substr(0, best->size() - 10));
  Fail(ErrorKind::kNotFound, path + ": no H2O-3 MOJO (*.mojo file or directory with model.ini) in this MLflow model");
}

}  // namespace scorehost::h2o3
