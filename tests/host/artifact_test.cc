#include <boost/test/unit_test.hpp>
#include <zip.h>

#include <fstream>

#include "artifact/artifact_detector.h"
#include "registry/registry.h"
#include "test_paths.h"

namespace fs = boost::filesystem;
using scorehost::DetectArtifact;
using scorehost::Registry;
using test_paths::TempDir;

namespace {

// A registry with the example plugin only (for its probe).
Registry ExampleRegistry(const TempDir& dir) {
  fs::copy_file(test_paths::kExamplePlugin, dir / "example-linear.so");
  auto reg = Registry::Build(test_paths::kManifest, dir.path.string());
  BOOST_REQUIRE(reg.ok());
  return std::move(*reg);
}

void WriteZip(const std::string& path, const std::vector<std::string>& names) {
  int err = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  BOOST_REQUIRE(z);
  for (const auto& name : names) {
    zip_source_t* src = zip_source_buffer(z, "x", 1, 0);
    BOOST_REQUIRE(zip_file_add(z, name.c_str(), src, ZIP_FL_OVERWRITE) >= 0);
  }
  BOOST_REQUIRE(zip_close(z) == 0);
}

std::string TypeOf(const std::string& path, const Registry& reg) {
  auto d = DetectArtifact(path, reg);
  BOOST_REQUIRE_MESSAGE(d.ok(), d.status().ToString());
  return d->type;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(artifact_detection)

BOOST_AUTO_TEST_CASE(real_h2o3_mojo_and_dai_pipeline) {
  TempDir plugins;
  Registry reg = ExampleRegistry(plugins);
  BOOST_TEST(TypeOf(test_paths::kDataDir + "/mojoland/mojos/gbm/titanic/v1.40/gbm_v1.40_titanic.mojo", reg) ==
             "h2o3_mojo");
  BOOST_TEST(TypeOf(test_paths::kDataDir + "/dai/iris-pipeline.mojo", reg) == "dai_mojo_pipeline");
  BOOST_TEST(TypeOf(test_paths::kExampleModel, reg) == "scorehost_example_linear");
}

BOOST_AUTO_TEST_CASE(directories_zips_and_mlflow_variants) {
  TempDir plugins, work;
  Registry reg = ExampleRegistry(plugins);
  // An unzipped MOJO directory.
  fs::create_directories(work / "mojo_dir/trees");
  std::ofstream(work / "mojo_dir/model.ini") << "[info]\nalgorithm = gbm\n";
  BOOST_TEST(TypeOf(work / "mojo_dir", reg) == "h2o3_mojo");
  // MLflow models, zipped with and without a top-level folder.
  WriteZip(work / "plain.zip", {"MLmodel", "python_model.pkl", "requirements.txt"});
  BOOST_TEST(TypeOf(work / "plain.zip", reg) == "python/mlflow.zip");
  WriteZip(work / "folder.zip", {"tf-model-py310/MLmodel", "tf-model-py310/artifacts/tf.h5"});
  BOOST_TEST(TypeOf(work / "folder.zip", reg) == "python/mlflow.zip");
  WriteZip(work / "mlflow-mojo.zip", {"MLmodel", "artifacts/pipeline.mojo"});
  BOOST_TEST(TypeOf(work / "mlflow-mojo.zip", reg) == "mlflow_mojo_pipeline");
  WriteZip(work / "mlflow-py.zip", {"MLmodel", "artifacts/scoring_h2oai_experiment_abc-1.0.0-py3-none-any.whl"});
  BOOST_TEST(TypeOf(work / "mlflow-py.zip", reg) == "mlflow_scoring_pipeline");
  WriteZip(work / "mlflow-h2o3.zip", {"MLmodel", "artifacts/model.mojo"});
  BOOST_TEST(TypeOf(work / "mlflow-h2o3.zip", reg) == "mlflow_h2o3_mojo");
  // DAI Python scoring pipeline: the wheel itself, or a scoring-pipeline folder.
  WriteZip(work / "scoring_h2oai_experiment_6a77d0a4-1.0.0-py3-none-any.whl", {"x/__init__.py"});
  BOOST_TEST(TypeOf(work / "scoring_h2oai_experiment_6a77d0a4-1.0.0-py3-none-any.whl", reg) ==
             "dai_python_scoring_pipeline");
  fs::create_directories(work / "scorer/scoring-pipeline");
  std::ofstream(work / "scorer/scoring-pipeline/scoring_h2oai_experiment_x-1.0-py3-none-any.whl") << "";
  BOOST_TEST(TypeOf(work / "scorer", reg) == "dai_python_scoring_pipeline");
  // A DAI MOJO pipeline directory.
  fs::create_directories(work / "mojo-pipeline");
  fs::copy_file(test_paths::kDataDir + "/dai/iris-pipeline.mojo", work / "mojo-pipeline/pipeline.mojo");
  BOOST_TEST(TypeOf(work / "mojo-pipeline", reg) == "dai_mojo_pipeline");
}

BOOST_AUTO_TEST_CASE(missing_corrupt_and_unknown_artifacts_get_clear_errors) {
  TempDir plugins, work;
  Registry reg = ExampleRegistry(plugins);
  auto missing = DetectArtifact(work / "nope.mojo", reg);
  BOOST_TEST(missing.status().code() == SH_NOT_FOUND);
  BOOST_TEST(missing.status().message().find("nope.mojo") != std::string::npos);

  std::ofstream(work / "corrupt.mojo", std::ios::binary) << std::string("PK\x03\x04garbage-garbage-garbage", 27);
  auto corrupt = DetectArtifact(work / "corrupt.mojo", reg);
  BOOST_TEST(corrupt.status().code() == SH_DATA_LOSS);
  BOOST_TEST(corrupt.status().message().find("corrupt.mojo") != std::string::npos);

  std::ofstream(work / "notes.txt") << "hello";
  auto unknown = DetectArtifact(work / "notes.txt", reg);
  BOOST_TEST(unknown.status().code() == SH_INVALID_ARGUMENT);
  BOOST_TEST(unknown.status().message().find("model.ini") != std::string::npos);

  fs::create_directories(work / "empty");
  BOOST_TEST(DetectArtifact(work / "empty", reg).status().code() == SH_INVALID_ARGUMENT);
}

BOOST_AUTO_TEST_SUITE_END()
