// Per-algorithm loaders, called by LoadMojo after model.ini and the common metadata are read.
#pragma once

#include <memory>

#include "archive.hpp"
#include "model_ini.hpp"
#include "mojo_model.hpp"

namespace scorehost::h2o3 {

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
