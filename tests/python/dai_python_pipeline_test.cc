// Unit tests of dai_python_pipeline.{hpp,cc}: finding a Driverless AI Python scoring pipeline in a
// scorer.zip, a directory and an MLflow wrapper; the DAI version and where it came from; the
// version ↔ runtime table; the refusal naming the right runtime.
//
// The artifacts are built here with libzip and contain only what the code reads (file names, a
// requirements.txt, a wheel's METADATA): layout test doubles, not runnable pipelines. The runnable
// double is tests/python/dai_pipeline_double/make_pipeline.py (dai_pipeline_test.py).
#define BOOST_TEST_MODULE dai_python_pipeline
#include <stdlib.h>
#include <zip.h>

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include <scorehost/plugin_helpers.hpp>

#include "dai_python_pipeline.hpp"

namespace fs = std::filesystem;
using scorehost::plugin::Error;
using namespace scorehost::pyworker;

namespace {

using Entries = std::vector<std::pair<std::string, std::string>>;  // name → content ("…/" = folder)

const std::string kWheel = "scoring_h2oai_experiment_5f2a_11ee-1.0.0-py3-none-any.whl";
const std::string kModule = "scoring_h2oai_experiment_5f2a_11ee";

struct TempDir {
  fs::path path;
  TempDir() {
    std::string t = (fs::temp_directory_path() / "dai-py-test-XXXXXX").string();
    BOOST_REQUIRE(mkdtemp(t.data()));
    path = t;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

void MakeZip(const fs::path& file, const Entries& entries) {
  int err = 0;
  zip_t* z = zip_open(file.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  BOOST_REQUIRE(z);
  for (const auto& [name, content] : entries) {
    if (!name.empty() && name.back() == '/') {
      BOOST_REQUIRE(zip_dir_add(z, name.c_str(), ZIP_FL_ENC_UTF_8) >= 0);
      continue;
    }
    // libzip reads the buffer only at zip_close, so it gets its own copy to free (freep=1); an
    // empty entry gets no buffer at all, since libzip never frees a zero-length one.
    char* copy = nullptr;
    if (!content.empty()) {
      copy = static_cast<char*>(malloc(content.size()));
      memcpy(copy, content.data(), content.size());
    }
    zip_source_t* s = zip_source_buffer(z, copy, content.size(), copy != nullptr);
    BOOST_REQUIRE(s);
    BOOST_REQUIRE(zip_file_add(z, name.c_str(), s, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE) >= 0);
  }
  BOOST_REQUIRE(zip_close(z) == 0);
}

void WriteFile(const fs::path& file, const std::string& content) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << content;
}

// A wheel whose METADATA requires `requires_dist` (e.g. "h2oaicore (==2.2.4)"), or none.
std::string WheelBytes(const fs::path& scratch, const std::string& requires_dist) {
  fs::path w = scratch / "tmp.whl";
  std::string meta = "Metadata-Version: 2.1\nName: " + kModule + "\nVersion: 1.0.0\n";
  if (!requires_dist.empty()) meta += "Requires-Dist: pandas\nRequires-Dist: " + requires_dist + "\n";
  meta += "\nDescription mentioning h2oaicore==9.9.9, which must not count\n";
  MakeZip(w, {{kModule + "/__init__.py", ""}, {kModule + "-1.0.0.dist-info/METADATA", meta}});
  std::ifstream in(w, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  fs::remove(w);
  return bytes;
}

// A pipeline folder's files below `prefix` ("scoring-pipeline/").
Entries PipelineEntries(const std::string& prefix, const std::string& dai_version, const std::string& wheel_bytes = "") {
  Entries e = {{prefix + kWheel, wheel_bytes},
               {prefix + "requirements.txt", "pandas==2.2.2\nnumpy\n"},
               {prefix + "example.py", "# test double\n"}};
  if (!dai_version.empty())
    e.push_back({prefix + "h2oaicore-" + dai_version + "-cp311-cp311-linux_x86_64.whl", "test double"});
  return e;
}

void MakeDir(const fs::path& dir, const Entries& entries) {
  for (const auto& [name, content] : entries) {
    if (!name.empty() && name.back() == '/')
      fs::create_directories(dir / name);
    else
      WriteFile(dir / name, content);
  }
}

sh_status_code CodeOf(const std::function<void()>& f, std::string* message = nullptr) {
  try {
    f();
  } catch (const Error& e) {
    if (message) *message = e.what();
    return e.code();
  }
  return SH_OK;
}

bool Contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

BOOST_AUTO_TEST_CASE(version_runtime_table) {
  const std::vector<std::pair<std::string, std::string>> table = {
      {"1.11.0", "python-scorer_dai_pipelines_1110"}, {"1.11.1.1", "python-scorer_dai_pipelines_11111"},
      {"2.0.0", "python-scorer_dai_pipelines_200"},   {"2.1.0", "python-scorer_dai_pipelines_210"},
      {"2.2.3", "python-scorer_dai_pipelines_223"},   {"2.2.4", "python-scorer_dai_pipelines_224"},
      {"2.2.5", "python-scorer_dai_pipelines_225"},   {"2.3.1", "python-scorer_dai_pipelines_231"},
      {"2.3.2", "python-scorer_dai_pipelines_232"},   {"2.4.0", "python-scorer_dai_pipelines_240"}};
  BOOST_TEST(DaiServedVersions().size() == table.size());
  for (const auto& [version, runtime] : table) {
    BOOST_TEST(DaiRuntimeForVersion(version) == runtime);
    BOOST_TEST(DaiVersionOfRuntime(runtime) == version);
  }
  // Same release spelled differently.
  BOOST_TEST(DaiRuntimeForVersion("2.2.4.0") == "python-scorer_dai_pipelines_224");
  BOOST_TEST(DaiRuntimeForVersion("2.4") == "python-scorer_dai_pipelines_240");
  BOOST_TEST(DaiRuntimeForVersion(" 2.2.4+cuda118 ") == "python-scorer_dai_pipelines_224");
  BOOST_TEST(DaiRuntimeForVersion("1.11.1.1.0") == "python-scorer_dai_pipelines_11111");
  // Different releases: no runtime.
  BOOST_TEST(DaiRuntimeForVersion("1.11.1") == "");
  BOOST_TEST(DaiRuntimeForVersion("1.11.1.2") == "");
  BOOST_TEST(DaiRuntimeForVersion("1.10.4.3") == "");
  BOOST_TEST(DaiRuntimeForVersion("11.1.1") == "");
  BOOST_TEST(DaiRuntimeForVersion("2.0.0rc1") == "");
  BOOST_TEST(DaiRuntimeForVersion("2.2.4.post1") == "");
  BOOST_TEST(DaiRuntimeForVersion("") == "");
  BOOST_TEST(DaiRuntimeForVersion("2..4") == "");
  BOOST_TEST(DaiVersionOfRuntime("python-scorer_mlflow_dynamic_311") == "");
  BOOST_TEST(DaiVersionOfRuntime("python-scorer_dai_pipelines_1111") == "");
  BOOST_TEST(DaiVersionOfRuntime("dai-mojo-scorer") == "");
}

BOOST_AUTO_TEST_CASE(scorer_zip) {
  TempDir t;
  fs::path zip = t.path / "scorer.zip";
  Entries e = PipelineEntries("scoring-pipeline/", "2.2.4");
  e.insert(e.begin(), {"scoring-pipeline/", ""});
  MakeZip(zip, e);
  fs::path scratch = t.path / "scratch";
  std::string temp;
  {
    DaiPythonPipeline p;
    OpenDaiPythonPipeline(zip.string(), scratch.string(), &p);
    temp = p.temp_dir;
    BOOST_TEST(!temp.empty());
    BOOST_TEST(fs::path(p.root).filename() == "scoring-pipeline");
    BOOST_TEST(fs::path(p.root).parent_path() == fs::path(temp));
    BOOST_TEST(p.experiment_wheel == (fs::path(p.root) / kWheel).string());
    BOOST_TEST(p.experiment_module == kModule);
    BOOST_TEST(p.dai_version == "2.2.4");
    BOOST_TEST(p.dai_version_from == "h2oaicore wheel");
    BOOST_TEST(p.python_tag == "cp311");
    BOOST_TEST(p.requirements_path == (fs::path(p.root) / "requirements.txt").string());
    BOOST_TEST(!p.mlflow_wrapped);
    BOOST_TEST(fs::exists(p.requirements_path));
    CheckDaiVersion(p, "python-scorer_dai_pipelines_224");
  }
  BOOST_TEST(!fs::exists(temp));  // removed with the object
}

BOOST_AUTO_TEST_CASE(directory_forms) {
  TempDir t;
  MakeDir(t.path / "unzipped", PipelineEntries("scoring-pipeline/", "1.11.1.1"));
  for (const fs::path& given : {t.path / "unzipped", t.path / "unzipped" / "scoring-pipeline"}) {
    DaiPythonPipeline p;
    OpenDaiPythonPipeline(given.string(), (t.path / "scratch").string(), &p);
    BOOST_TEST(p.temp_dir.empty());
    BOOST_TEST(p.root == (t.path / "unzipped" / "scoring-pipeline").string());
    BOOST_TEST(p.dai_version == "1.11.1.1");
    BOOST_TEST(p.experiment_module == kModule);
    CheckDaiVersion(p, "python-scorer_dai_pipelines_11111");
  }
  BOOST_TEST(!fs::exists(t.path / "scratch"));  // a directory is used in place
  BOOST_TEST(fs::exists(t.path / "unzipped" / "scoring-pipeline" / kWheel));  // and never removed
}

BOOST_AUTO_TEST_CASE(mlflow_wrapped_forms) {
  TempDir t;
  // Directory: MLmodel above artifacts/scoring-pipeline/.
  fs::path dir = t.path / "mlflow-model";
  MakeDir(dir, PipelineEntries("artifacts/scoring-pipeline/", "2.0.0"));
  WriteFile(dir / "MLmodel", "flavors:\n  python_function: {}\n");
  {
    DaiPythonPipeline p;
    OpenDaiPythonPipeline(dir.string(), (t.path / "s").string(), &p);
    BOOST_TEST(p.mlflow_wrapped);
    BOOST_TEST(p.root == (dir / "artifacts" / "scoring-pipeline").string());
    BOOST_TEST(p.dai_version == "2.0.0");
  }
  // Zip with its own top folder, pipeline files directly in artifacts/.
  fs::path zip = t.path / "wrapped.zip";
  Entries e = PipelineEntries("model/artifacts/", "2.4.0");
  e.push_back({"model/MLmodel", "flavors: {}\n"});
  e.push_back({"model/conda.yaml", "dependencies: []\n"});
  MakeZip(zip, e);
  DaiPythonPipeline p;
  OpenDaiPythonPipeline(zip.string(), (t.path / "s").string(), &p);
  BOOST_TEST(p.mlflow_wrapped);
  BOOST_TEST(p.root == (fs::path(p.temp_dir) / "model" / "artifacts").string());
  BOOST_TEST(p.dai_version == "2.4.0");
  CheckDaiVersion(p, "python-scorer_dai_pipelines_240");
}

BOOST_AUTO_TEST_CASE(version_sources_in_order) {
  TempDir t;
  // No h2oaicore wheel: requirements.txt names it (wheel path), and the METADATA says otherwise —
  // requirements.txt wins.
  fs::path a = t.path / "a";
  MakeDir(a, PipelineEntries("scoring-pipeline/", "", WheelBytes(t.path, "h2oaicore (==2.1.0)")));
  WriteFile(a / "scoring-pipeline" / "requirements.txt",
            "# pins\npandas==2.2.2\n./h2oaicore-2.3.1-cp311-cp311-linux_x86_64.whl  # DAI\n");
  {
    DaiPythonPipeline p;
    OpenDaiPythonPipeline(a.string(), "", &p);
    BOOST_TEST(p.dai_version == "2.3.1");
    BOOST_TEST(p.dai_version_from == "requirements.txt");
    BOOST_TEST(p.python_tag == "");
  }
  // A pin in requirements.txt.
  WriteFile(a / "scoring-pipeline" / "requirements.txt", "numpy\nh2oaicore == 2.2.5 ; python_version >= '3.8'\n");
  {
    DaiPythonPipeline p;
    OpenDaiPythonPipeline(a.string(), "", &p);
    BOOST_TEST(p.dai_version == "2.2.5");
  }
  // Nothing in requirements.txt: the experiment wheel's Requires-Dist (not its description).
  WriteFile(a / "scoring-pipeline" / "requirements.txt", "numpy\nh2oaicore>=1.0\n");
  {
    DaiPythonPipeline p;
    OpenDaiPythonPipeline(a.string(), "", &p);
    BOOST_TEST(p.dai_version == "2.1.0");
    BOOST_TEST(p.dai_version_from == "experiment wheel METADATA");
  }
  // The h2oaicore wheel beats both.
  WriteFile(a / "scoring-pipeline" / "h2oaicore-2.2.3-cp311-cp311-linux_x86_64.whl", "test double");
  {
    DaiPythonPipeline p;
    OpenDaiPythonPipeline(a.string(), "", &p);
    BOOST_TEST(p.dai_version == "2.2.3");
    BOOST_TEST(p.dai_version_from == "h2oaicore wheel");
  }
  // No source at all: opens (inspect can still show it), but no runtime accepts it.
  fs::path b = t.path / "b";
  MakeDir(b, PipelineEntries("", "", WheelBytes(t.path, "")));
  DaiPythonPipeline p;
  OpenDaiPythonPipeline(b.string(), "", &p);
  BOOST_TEST(p.dai_version == "");
  BOOST_TEST(p.dai_version_from == "");
  std::string msg;
  BOOST_TEST(CodeOf([&] { CheckDaiVersion(p, "python-scorer_dai_pipelines_1110"); }, &msg) == SH_FAILED_PRECONDITION);
  BOOST_TEST(Contains(msg, "cannot tell which Driverless AI version built the pipeline"), msg);
}

BOOST_AUTO_TEST_CASE(check_dai_version_messages) {
  TempDir t;
  MakeDir(t.path / "p224", PipelineEntries("scoring-pipeline/", "2.2.4"));
  DaiPythonPipeline p;
  OpenDaiPythonPipeline((t.path / "p224").string(), "", &p);
  std::string msg;
  BOOST_TEST(CodeOf([&] { CheckDaiVersion(p, "python-scorer_dai_pipelines_224"); }) == SH_OK);
  BOOST_TEST(CodeOf([&] { CheckDaiVersion(p, "python-scorer_dai_pipelines_1110"); }, &msg) == SH_FAILED_PRECONDITION);
  BOOST_TEST(Contains(msg, "the pipeline was built by Driverless AI 2.2.4: use python-scorer_dai_pipelines_224"), msg);
  BOOST_TEST(Contains(msg, "runtime python-scorer_dai_pipelines_1110 serves"), msg);

  BOOST_TEST(CodeOf([&] { CheckDaiVersion(p, "python-scorer_mlflow_dynamic_311"); }, &msg) == SH_INVALID_ARGUMENT);

  // 1.11.1 is not 1.11.1.1: refused, listing what is served.
  MakeDir(t.path / "p1111", PipelineEntries("scoring-pipeline/", "1.11.1"));
  DaiPythonPipeline q;
  OpenDaiPythonPipeline((t.path / "p1111").string(), "", &q);
  BOOST_TEST(CodeOf([&] { CheckDaiVersion(q, "python-scorer_dai_pipelines_11111"); }, &msg) == SH_FAILED_PRECONDITION);
  BOOST_TEST(Contains(msg, "built by Driverless AI 1.11.1 (h2oaicore wheel), and no Python Pipeline Scorer serves that version"), msg);
  BOOST_TEST(Contains(msg, "1.11.0, 1.11.1.1, 2.0.0"), msg);
}

BOOST_AUTO_TEST_CASE(refusals) {
  TempDir t;
  fs::path scratch = t.path / "scratch";
  std::string msg;
  BOOST_TEST(CodeOf([&] {
               DaiPythonPipeline p;
               OpenDaiPythonPipeline((t.path / "missing.zip").string(), scratch.string(), &p);
             }) == SH_NOT_FOUND);

  // A zip without an experiment wheel (a MOJO zip, an MLflow model): refused before extraction.
  MakeZip(t.path / "mojo.zip", {{"mojo-pipeline/pipeline.mojo", "x"}, {"mojo-pipeline/example.csv", "a\n"}});
  BOOST_TEST(CodeOf([&] {
               DaiPythonPipeline p;
               OpenDaiPythonPipeline((t.path / "mojo.zip").string(), scratch.string(), &p);
             }, &msg) == SH_DATA_LOSS);
  BOOST_TEST(Contains(msg, "not a Driverless AI Python scoring pipeline"), msg);
  BOOST_TEST(fs::is_empty(scratch));  // its temp dir went with the object

  // Not a zip at all.
  WriteFile(t.path / "junk.zip", "not a zip");
  BOOST_TEST(CodeOf([&] {
               DaiPythonPipeline p;
               OpenDaiPythonPipeline((t.path / "junk.zip").string(), scratch.string(), &p);
             }) == SH_DATA_LOSS);

  // Zip slip.
  Entries evil = PipelineEntries("scoring-pipeline/", "2.2.4");
  evil.push_back({"scoring-pipeline/../../evil.txt", "x"});
  MakeZip(t.path / "evil.zip", evil);
  BOOST_TEST(CodeOf([&] {
               DaiPythonPipeline p;
               OpenDaiPythonPipeline((t.path / "evil.zip").string(), scratch.string(), &p);
             }, &msg) == SH_DATA_LOSS);
  BOOST_TEST(Contains(msg, "points outside"), msg);
  BOOST_TEST(!fs::exists(t.path / "evil.txt"));
  BOOST_TEST(fs::is_empty(scratch));

  // Two pipelines at the same depth: ambiguous. A deeper one next to a shallower one is not.
  fs::path two = t.path / "two";
  MakeDir(two, PipelineEntries("a/", "2.2.4"));
  MakeDir(two, PipelineEntries("b/", "2.2.5"));
  BOOST_TEST(CodeOf([&] {
               DaiPythonPipeline p;
               OpenDaiPythonPipeline(two.string(), "", &p);
             }, &msg) == SH_DATA_LOSS);
  BOOST_TEST(Contains(msg, "several experiment wheels"), msg);
  fs::path nested = t.path / "nested";
  MakeDir(nested, PipelineEntries("scoring-pipeline/", "2.2.4"));
  MakeDir(nested, PipelineEntries("scoring-pipeline/old/copy/", "2.0.0"));
  {
    DaiPythonPipeline p;
    OpenDaiPythonPipeline(nested.string(), "", &p);
    BOOST_TEST(p.dai_version == "2.2.4");
  }

  // Too deep to be one artifact.
  MakeDir(t.path / "deep", PipelineEntries("1/2/3/4/5/", "2.2.4"));
  BOOST_TEST(CodeOf([&] {
               DaiPythonPipeline p;
               OpenDaiPythonPipeline((t.path / "deep").string(), "", &p);
             }) == SH_DATA_LOSS);

  // Two h2oaicore versions beside one experiment wheel.
  fs::path mixed = t.path / "mixed";
  MakeDir(mixed, PipelineEntries("", "2.2.4"));
  WriteFile(mixed / "h2oaicore-2.2.5-cp311-cp311-linux_x86_64.whl", "x");
  BOOST_TEST(CodeOf([&] {
               DaiPythonPipeline p;
               OpenDaiPythonPipeline(mixed.string(), "", &p);
             }, &msg) == SH_DATA_LOSS);
  BOOST_TEST(Contains(msg, "two versions"), msg);
}

// The runnable test double (make_pipeline.py, stdlib Python only), when the build says where it is
// (DAI_MAKE_PIPELINE, a compile definition or the environment): its scorer.zip, its extracted
// folder and its MLflow wrapper open as the pipeline they are, and the version check names the
// right runtime.
BOOST_AUTO_TEST_CASE(make_pipeline_double) {
  std::string script;
#ifdef DAI_MAKE_PIPELINE
  script = DAI_MAKE_PIPELINE;
#endif
  if (const char* e = std::getenv("DAI_MAKE_PIPELINE")) script = e;
  if (script.empty()) {
    BOOST_TEST_MESSAGE("skipped: DAI_MAKE_PIPELINE (path of tests/python/dai_pipeline_double/make_pipeline.py) not set");
    return;
  }
  TempDir t;
  const std::string cmd = "python3 '" + script + "' --dai-version 2.2.4 --mlflow --out '" + t.path.string() + "' >/dev/null";
  BOOST_REQUIRE_EQUAL(std::system(cmd.c_str()), 0);
  const std::string module = "scoring_h2oai_experiment_testdouble_2_2_4";
  for (const fs::path& given : {t.path / "scorer.zip", t.path / "scoring-pipeline", t.path / "mlflow-model"}) {
    BOOST_TEST_CONTEXT(given) {
      DaiPythonPipeline p;
      OpenDaiPythonPipeline(given.string(), (t.path / "scratch").string(), &p);
      BOOST_TEST(p.experiment_module == module);
      BOOST_TEST(p.dai_version == "2.2.4");
      BOOST_TEST(p.dai_version_from == "h2oaicore wheel");
      BOOST_TEST(p.python_tag == "cp311");
      BOOST_TEST(p.mlflow_wrapped == (given.filename() == "mlflow-model"));
      BOOST_TEST(!p.requirements_path.empty());
      std::string msg;
      BOOST_TEST(CodeOf([&] { CheckDaiVersion(p, "python-scorer_dai_pipelines_1110"); }, &msg) == SH_FAILED_PRECONDITION);
      BOOST_TEST(Contains(msg, "the pipeline was built by Driverless AI 2.2.4: use python-scorer_dai_pipelines_224"), msg);
      CheckDaiVersion(p, "python-scorer_dai_pipelines_224");
    }
  }
}
