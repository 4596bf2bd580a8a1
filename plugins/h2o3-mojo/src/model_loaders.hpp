// Per-algorithm loaders, called by LoadMojo after model.ini and the common metadata are read.
#pragma once

#include <initializer_list>
#include <memory>
#include <string_view>

#include "archive.hpp"
#include "model_ini.hpp"
#include "mojo_model.hpp"

namespace scorehost::h2o3 {

// Whether a loader also reads MOJO versions older than the first one it lists.
enum class OlderMojoVersions { kRefused, kRead };

// The version check each loader starts with: a model.ini mojo_version the loader does not read
// is refused (kUnimplemented) with a message naming the algorithm (`name`, default model.ini's
// algorithm), the version and the supported ones ("supported: 1.00, 1.10").
void RequireMojoVersion(const MojoMeta& meta, std::initializer_list<double> read,
                        OlderMojoVersions older = OlderMojoVersions::kRefused, std::string_view name = {});

std::unique_ptr<MojoModel> LoadGbm(Archive& archive, const ModelIni& ini, MojoMeta meta);
std::unique_ptr<MojoModel> LoadDrf(Archive& archive, const ModelIni& ini, MojoMeta meta);
std::unique_ptr<MojoModel> LoadGlm(Archive& archive, const ModelIni& ini, MojoMeta meta);
std::unique_ptr<MojoModel> LoadIsolationForest(Archive& archive, const ModelIni& ini, MojoMeta meta);
std::unique_ptr<MojoModel> LoadExtendedIsolationForest(Archive& archive, const ModelIni& ini, MojoMeta meta);
std::unique_ptr<MojoModel> LoadXgboost(Archive& archive, const ModelIni& ini, MojoMeta meta);
std::unique_ptr<MojoModel> LoadDeepLearning(Archive& archive, const ModelIni& ini, MojoMeta meta);
std::unique_ptr<MojoModel> LoadStackedEnsemble(Archive& archive, const ModelIni& ini, MojoMeta meta);
std::unique_ptr<MojoModel> LoadKMeans(Archive& archive, const ModelIni& ini, MojoMeta meta);
std::unique_ptr<MojoModel> LoadUpliftDrf(Archive& archive, const ModelIni& ini, MojoMeta meta);
std::unique_ptr<MojoModel> LoadTargetEncoder(Archive& archive, const ModelIni& ini, MojoMeta meta);
std::unique_ptr<MojoModel> LoadRuleFit(Archive& archive, const ModelIni& ini, MojoMeta meta);
std::unique_ptr<MojoModel> LoadCoxPh(Archive& archive, const ModelIni& ini, MojoMeta meta);
std::unique_ptr<MojoModel> LoadGam(Archive& archive, const ModelIni& ini, MojoMeta meta);
std::unique_ptr<MojoModel> LoadPca(Archive& archive, const ModelIni& ini, MojoMeta meta);
std::unique_ptr<MojoModel> LoadGlrm(Archive& archive, const ModelIni& ini, MojoMeta meta);
std::unique_ptr<MojoModel> LoadWord2Vec(Archive& archive, const ModelIni& ini, MojoMeta meta);

}  // namespace scorehost::h2o3
