// The files under "<prefix>" of an archive that stays owned by the caller: how multi-model MOJOs
// (Stacked Ensemble, RuleFit) read the complete MOJOs nested under `models/<algo>/<key>/`.
#pragma once

#include <string>
#include <vector>

#include "archive.hpp"

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

}  // namespace scorehost::h2o3
