// LoadSubmodels: the nested-MOJO reading shared by Stacked Ensemble and RuleFit.
#include "nested_archive.hpp"

#include "errors.hpp"

namespace scorehost::h2o3 {

std::vector<Submodel> LoadSubmodels(Archive& archive, const ModelIni& ini, const std::string& path,
                                    int64_t max_count, int& nesting) {
  const int64_t count = ini.Int("submodel_count").value_or(0);
  if (count < 0 || count > max_count) Fail(ErrorKind::kDataLoss, path + ": submodel_count = " + std::to_string(count));
  // Lowered again however the loop ends (a submodel's load may throw).
  struct NestingGuard {
    int& depth;
    explicit NestingGuard(int& d) : depth(d) { ++depth; }
    ~NestingGuard() { --depth; }
    NestingGuard(const NestingGuard&) = delete;
    NestingGuard& operator=(const NestingGuard&) = delete;
  } guard(nesting);
  std::vector<Submodel> submodels;
  for (int64_t i = 0; i < count; ++i) {
    const std::string index = std::to_string(i);
    std::string key = ini.RequireString("submodel_key_" + index);
    std::string dir = ini.RequireString("submodel_dir_" + index);
    if (!dir.empty() && dir.back() != '/') dir += '/';
    if (dir.size() < 2 || !IsSafeEntryName(dir.substr(0, dir.size() - 1)))
      Fail(ErrorKind::kDataLoss, path + ": submodel_dir_" + index + " '" + dir + "' is not a safe relative path");
    NestedArchive sub(archive, dir);
    submodels.push_back({std::move(key), std::shared_ptr<const MojoModel>(LoadMojo(sub))});
  }
  return submodels;
}

}  // namespace scorehost::h2o3
