// The files under "<prefix>" of an archive that stays owned by the caller: how multi-model MOJOs
// (Stacked Ensemble, RuleFit) read the complete MOJOs nested under `models/<algo>/<key>/`.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "archive.hpp"
#include "model_ini.hpp"
#include "mojo_model.hpp"

namespace scorehost::h2o3 {

class NestedArchive final : public Archive {
 public:
  NestedArchive(Archive& base, std::string prefix)
      : Archive(base.path() + "!/" + prefix, {}), base_(base), prefix_(std::move(prefix)) {}
  bool Exists(const std::string& name) const override { return base_.Exists(prefix_ + name); }
  std::string Read(const std::string& name) override { return base_.Read(prefix_ + name); }
  std::vector<std::string> List() const override {
    std::vector<std::string> out;
    for (const std::string& n : base_.List())
      if (n.compare(0, prefix_.size(), prefix_) == 0) out.push_back(n.substr(prefix_.size()));
    return out;
  }

 private:
  Archive& base_;
  std::string prefix_;
};

// One complete MOJO nested in a multi-model MOJO, with the key model.ini names it by.
struct Submodel {
  std::string key;
  std::shared_ptr<const MojoModel> model;
};

// Loads the nested MOJOs that model.ini lists (genmodel's MultiModelMojoReader): submodel_count
// entries, each submodel_key_<i> read from the folder submodel_dir_<i> of `archive`. A count above
// `max_count` or a folder that is not a safe relative path is a DataLoss refusal naming `path`.
// `nesting` is the calling loader's per-thread depth counter; it stays raised while the submodels
// load, so that the loader can refuse a copy of itself nested inside (its scratch buffers and H2O
// both assume none).
std::vector<Submodel> LoadSubmodels(Archive& archive, const ModelIni& ini, const std::string& path,
                                    int64_t max_count, int& nesting);

}  // namespace scorehost::h2o3
