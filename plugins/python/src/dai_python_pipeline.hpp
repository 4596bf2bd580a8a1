// Driverless AI Python scoring pipelines (artifact types dai_python_scoring_pipeline and
// mlflow_scoring_pipeline): finding the pipeline in a scorer.zip / directory / MLflow wrapper, the
// Driverless AI version that built it, and which "Python Pipeline Scorer" runtime serves that
// version. The worker side is glue/scorehost_dai_pipeline.py; plugins/python/DAI-PYTHON-PIPELINE.md
// says what was checked against what.
#pragma once

#include <string>
#include <vector>

namespace scorehost::pyworker {

struct DaiPythonPipeline {
  std::string root;               // directory holding the experiment wheel (and requirements.txt, example.py)
  std::string temp_dir;           // our extraction of a zip, removed by ~DaiPythonPipeline; "" for a user dir
  std::string experiment_wheel;   // absolute path of scoring_h2oai_experiment_<id>-….whl
  std::string experiment_module;  // scoring_h2oai_experiment_<id>: what the worker imports
  std::string dai_version;        // "1.11.1.1" as the pipeline states it; "" when it does not say
  std::string dai_version_from;   // where dai_version was read (see OpenDaiPythonPipeline); "" if not found
  std::string requirements_path;  // root/requirements.txt, "" when absent
  std::string python_tag;         // the h2oaicore wheel's python tag ("cp311"), "" when unknown
  bool mlflow_wrapped = false;    // an MLmodel sits in root or a folder above it (inside the artifact)

  DaiPythonPipeline() = default;
  DaiPythonPipeline(const DaiPythonPipeline&) = delete;
  DaiPythonPipeline& operator=(const DaiPythonPipeline&) = delete;
  ~DaiPythonPipeline();
};

// Opens `path`: a scorer.zip (top folder scoring-pipeline/), the extracted directory (the
// scoring-pipeline folder itself or a folder above it), or the MLflow-wrapped form (a directory or
// zip with MLmodel whose pipeline files lie below it, e.g. artifacts/scoring-pipeline/). The pipeline
// is recognised by its content: the shallowest scoring_h2oai_experiment_*.whl at most 4 folders
// down; its folder is `root`. A zip must contain such a wheel before anything is extracted; it is
// then extracted below `scratch_root` (entries escaping the target refused, links and devices
// skipped, 64 GiB cap).
//
// The Driverless AI version, first source that states it wins:
//   1. the h2oaicore-<version>-cp3X-…whl file name beside the experiment wheel ("h2oaicore wheel");
//   2. requirements.txt: a line naming such a wheel, or h2oaicore==<version> ("requirements.txt");
//   3. the experiment wheel's *.dist-info/METADATA: Requires-Dist h2oaicore ==<version>
//      ("experiment wheel METADATA").
// None → dai_version "" (CheckDaiVersion then refuses the load; inspect can still show the rest).
//
// Throws scorehost::plugin::Error: SH_NOT_FOUND (no such path), SH_DATA_LOSS (not a pipeline,
// ambiguous, corrupt zip), SH_FAILED_PRECONDITION (scratch dir cannot be created).
void OpenDaiPythonPipeline(const std::string& path, const std::string& scratch_root, DaiPythonPipeline* out);

// "python-scorer_dai_pipelines_224" for "2.2.4"; "" when no runtime serves that version. Versions
// compare by their numeric release parts with trailing zeros ignored ("2.2.4.0" = "2.2.4") and a
// local label dropped ("2.2.4+cuda" = "2.2.4"); 1.11.1 and 1.11.1.1 are different releases, so
// 1.11.1 gets "". Pre-/post-/dev releases ("2.0.0rc1") get "".
std::string DaiRuntimeForVersion(const std::string& dai_version);

// "2.2.4" for "python-scorer_dai_pipelines_224"; "" for any other name. Table-driven: the names
// cannot be parsed back ("11111" is 1.11.1.1).
std::string DaiVersionOfRuntime(const std::string& runtime);

// The DAI versions that have a Python Pipeline Scorer, oldest first.
std::vector<std::string> DaiServedVersions();

// Throws SH_FAILED_PRECONDITION unless `runtime` serves the version that built the pipeline:
//   "... the pipeline was built by Driverless AI 2.2.4: use python-scorer_dai_pipelines_224"
//   "... the pipeline was built by Driverless AI 1.10.4, and no Python Pipeline Scorer serves that version ..."
//   "... cannot tell which Driverless AI version built the pipeline ..."
// and SH_INVALID_ARGUMENT when `runtime` is not a Python Pipeline Scorer.
void CheckDaiVersion(const DaiPythonPipeline& pipeline, const std::string& runtime);

}  // namespace scorehost::pyworker
