#include "dai_python_pipeline.hpp"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <zip.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <scorehost/plugin_helpers.hpp>

#include "safe_unzip.hpp"

namespace fs = std::filesystem;
using scorehost::plugin::Error;

namespace scorehost::pyworker {
namespace {

// scorer.zip/scoring-pipeline/x.whl is depth 1; an MLflow wrapper zipped with its own top folder
// (model/artifacts/scoring-pipeline/x.whl) is depth 3. One more level of slack, and no deeper:
// a pipeline buried further is more likely a folder of several things than one artifact.
constexpr int kMaxSearchDepth = 4;
constexpr const char* kWheelPrefix = "scoring_h2oai_experiment_";
constexpr const char* kRuntimePrefix = "python-scorer_dai_pipelines_";

// The product table (registry/runtimes.toml, seed-scoring-runtimes.txt): one runtime per DAI version.
struct Served {
  const char* version;
  const char* runtime;
};
constexpr Served kServed[] = {
    {"1.11.0", "python-scorer_dai_pipelines_1110"},  {"1.11.1.1", "python-scorer_dai_pipelines_11111"},
    {"2.0.0", "python-scorer_dai_pipelines_200"},    {"2.1.0", "python-scorer_dai_pipelines_210"},
    {"2.2.3", "python-scorer_dai_pipelines_223"},    {"2.2.4", "python-scorer_dai_pipelines_224"},
    {"2.2.5", "python-scorer_dai_pipelines_225"},    {"2.3.1", "python-scorer_dai_pipelines_231"},
    {"2.3.2", "python-scorer_dai_pipelines_232"},    {"2.4.0", "python-scorer_dai_pipelines_240"},
};

bool EndsWith(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

bool StartsWith(const std::string& s, const std::string& head) { return s.compare(0, head.size(), head) == 0; }

std::string BaseName(const std::string& entry) {
  size_t slash = entry.rfind('/');
  return slash == std::string::npos ? entry : entry.substr(slash + 1);
}

bool IsExperimentWheel(const std::string& base) {
  return StartsWith(base, kWheelPrefix) && EndsWith(base, ".whl") && base.size() > std::strlen(kWheelPrefix) + 4;
}

std::string Trim(std::string s) {
  auto ws = [](unsigned char c) { return std::isspace(c) != 0; };
  while (!s.empty() && ws(s.back())) s.pop_back();
  size_t i = 0;
  while (i < s.size() && ws(s[i])) ++i;
  return s.substr(i);
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string part; std::getline(in, part, sep);) out.push_back(part);
  if (!s.empty() && s.back() == sep) out.emplace_back();
  return out;
}

// Wheel file names are {dist}-{version}[-{build}]-{python}-{abi}-{platform}.whl (PEP 427).
struct WheelName {
  std::string dist, version, python_tag;
};
bool ParseWheelName(const std::string& base, WheelName* w) {
  if (!EndsWith(base, ".whl")) return false;
  std::vector<std::string> parts = Split(base.substr(0, base.size() - 4), '-');
  if (parts.size() != 5 && parts.size() != 6) return false;
  for (const std::string& p : parts)
    if (p.empty()) return false;
  w->dist = parts[0];
  w->version = parts[1];
  w->python_tag = parts[parts.size() - 3];
  return true;
}

bool IsIdentifier(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isalnum(c) || c == '_'; });
}

std::string ReadText(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return {};
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// "2.2.4.0" → {2,2,4}; "2.2.4+cuda" → {2,2,4}; false for anything that is not plain numeric
// release parts (a pre-release is not the release a runtime was made for).
bool ReleaseParts(std::string v, std::vector<unsigned long>* out) {
  out->clear();
  v = Trim(v);
  if (!v.empty() && (v[0] == 'v' || v[0] == 'V')) v = v.substr(1);
  v = v.substr(0, v.find('+'));
  if (v.empty()) return false;
  for (const std::string& p : Split(v, '.')) {
    if (p.empty() || p.size() > 9 || !std::all_of(p.begin(), p.end(), [](unsigned char c) { return std::isdigit(c); }))
      return false;
    out->push_back(std::stoul(p));
  }
  while (out->size() > 1 && out->back() == 0) out->pop_back();
  return true;
}

// The version after "h2oaicore" in a requirement ("h2oaicore==1.11.0", "h2oaicore (==1.11.0)",
// "h2oaicore == 1.11.0 ; python_version…"); "" when it is not pinned with ==.
std::string PinnedH2oaicore(const std::string& requirement) {
  std::string t = Trim(requirement);
  std::string lower = t;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (!StartsWith(lower, "h2oaicore")) return {};
  size_t i = 9;
  auto skip = [&] {
    while (i < t.size() && (t[i] == ' ' || t[i] == '(' || t[i] == '\t')) ++i;
  };
  skip();
  if (t.compare(i, 2, "==") != 0 || t.compare(i, 3, "===") == 0) return {};
  i += 2;
  skip();
  size_t j = i;
  while (j < t.size() && !std::isspace(static_cast<unsigned char>(t[j])) && t[j] != ')' && t[j] != ';' && t[j] != ',')
    ++j;
  return t.substr(i, j - i);
}

// The h2oaicore version a requirements.txt names, via a wheel path or a pin.
std::string RequirementsDaiVersion(const std::string& text) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    line = Trim(line.substr(0, line.find('#')));
    if (line.empty()) continue;
    size_t at = line.find("h2oaicore-");
    if (at != std::string::npos) {
      size_t end = line.find(".whl", at);
      WheelName w;
      if (end != std::string::npos && ParseWheelName(line.substr(at, end + 4 - at), &w)) return w.version;
    }
    std::string pinned = PinnedH2oaicore(line);
    if (!pinned.empty()) return pinned;
  }
  return {};
}

// Requires-Dist: h2oaicore (==…) from the wheel's *.dist-info/METADATA; "" when absent or unreadable
// (a corrupt experiment wheel is pip's to report, with a better message than ours).
std::string WheelMetadataDaiVersion(const std::string& wheel) {
  int err = 0;
  zip_t* zip = zip_open(wheel.c_str(), ZIP_RDONLY, &err);
  if (!zip) return {};
  struct Closer {
    zip_t* z;
    ~Closer() { zip_discard(z); }
  } closer{zip};
  const zip_int64_t n = zip_get_num_entries(zip, 0);
  for (zip_int64_t i = 0; i < n; ++i) {
    const char* nm = zip_get_name(zip, static_cast<zip_uint64_t>(i), 0);
    if (!nm) continue;
    std::string name = nm;
    std::vector<std::string> parts = Split(name, '/');
    if (parts.size() != 2 || !EndsWith(parts[0], ".dist-info") || parts[1] != "METADATA") continue;
    zip_stat_t st;
    if (zip_stat_index(zip, static_cast<zip_uint64_t>(i), 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE) ||
        st.size > (uint64_t{16} << 20))
      return {};
    zip_file_t* f = zip_fopen_index(zip, static_cast<zip_uint64_t>(i), 0);
    if (!f) return {};
    std::string text(static_cast<size_t>(st.size), '\0');
    zip_int64_t got = zip_fread(f, text.data(), text.size());
    zip_fclose(f);
    if (got < 0) return {};
    text.resize(static_cast<size_t>(got));
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty()) break;  // end of the headers; the description follows
      if (!StartsWith(line, "Requires-Dist:")) continue;
      std::string pinned = PinnedH2oaicore(line.substr(14));
      if (!pinned.empty()) return pinned;
    }
    return {};
  }
  return {};
}

// Detection before extraction: a zip without an experiment wheel is not this artifact type, and
// extracting (possibly gigabytes) just to find that out would be wasteful.
void ExtractPipelineZip(const std::string& path, const fs::path& target) {
  bool found = false;
  for (const std::string& name : ZipEntryNames(path)) found = found || IsExperimentWheel(BaseName(name));
  if (!found)
    throw Error(SH_DATA_LOSS, path + " holds no " + kWheelPrefix +
                                  "*.whl, so it is not a Driverless AI Python scoring pipeline");
  ExtractZipEntries(path, "", target);
}

// The shallowest experiment wheels below `top` (depth 0 = in top itself). Symlinked folders are
// not followed: a link could lead out of the artifact or into a loop.
std::vector<fs::path> FindExperimentWheels(const fs::path& top) {
  std::vector<fs::path> best;
  int best_depth = kMaxSearchDepth + 1;
  std::error_code ec;
  fs::recursive_directory_iterator it(top, fs::directory_options::skip_permission_denied, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    const int depth = it.depth();
    if (it->is_directory(ec) && !it->is_symlink(ec)) {
      if (depth + 1 > kMaxSearchDepth || depth + 1 > best_depth) it.disable_recursion_pending();
      continue;
    }
    if (!IsExperimentWheel(it->path().filename().string()) || !it->is_regular_file(ec)) continue;
    if (depth < best_depth) {
      best.clear();
      best_depth = depth;
    }
    if (depth == best_depth) best.push_back(it->path());
  }
  std::sort(best.begin(), best.end());
  return best;
}

}  // namespace

DaiPythonPipeline::~DaiPythonPipeline() {
  if (!temp_dir.empty()) {
    std::error_code ec;
    fs::remove_all(temp_dir, ec);
  }
}

void OpenDaiPythonPipeline(const std::string& path, const std::string& scratch_root, DaiPythonPipeline* p) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw Error(SH_NOT_FOUND, "model path " + path + " does not exist");
  fs::path top;
  if (fs::is_directory(path, ec)) {
    top = fs::absolute(path, ec);
  } else {
    fs::create_directories(scratch_root, ec);
    std::string tmpl = (fs::path(scratch_root) / "dai-python-pipeline-XXXXXX").string();
    if (!mkdtemp(tmpl.data()))
      throw Error(SH_FAILED_PRECONDITION, "cannot create a directory below " + scratch_root + ": " + std::strerror(errno));
    p->temp_dir = tmpl;  // set before extracting, so a failed extraction is cleaned up too
    ExtractPipelineZip(path, tmpl);
    top = fs::absolute(tmpl, ec);
  }

  std::vector<fs::path> wheels = FindExperimentWheels(top);
  if (wheels.empty())
    throw Error(SH_DATA_LOSS, path + " holds no " + kWheelPrefix + "*.whl (searched " +
                                  std::to_string(kMaxSearchDepth) +
                                  " folders deep), so it is not a Driverless AI Python scoring pipeline");
  if (wheels.size() > 1) {
    std::string names;
    for (const fs::path& w : wheels) names += (names.empty() ? "" : ", ") + fs::relative(w, top, ec).string();
    throw Error(SH_DATA_LOSS, path + " holds several experiment wheels (" + names +
                                  "); an artifact must hold one Driverless AI Python scoring pipeline");
  }
  const fs::path wheel = wheels.front();
  const fs::path root = wheel.parent_path();
  p->root = root.string();
  p->experiment_wheel = wheel.string();

  WheelName wn;
  if (!ParseWheelName(wheel.filename().string(), &wn) || !IsIdentifier(wn.dist))
    throw Error(SH_DATA_LOSS, wheel.string() + " is not a valid wheel file name for an experiment module");
  p->experiment_module = wn.dist;

  // MLflow wrapper: MLmodel in root or any folder between root and the artifact's top.
  p->mlflow_wrapped = false;
  for (fs::path d = root;; d = d.parent_path()) {
    if (fs::exists(d / "MLmodel", ec)) p->mlflow_wrapped = true;
    if (d == top || d == d.parent_path() || d.string().size() < top.string().size()) break;
  }

  p->requirements_path = fs::is_regular_file(root / "requirements.txt", ec) ? (root / "requirements.txt").string() : "";

  // 1. The h2oaicore wheel DAI ships beside the experiment wheel is versioned as DAI itself is
  //    (h2oaicore-1.11.1.1-cp311-…): the most direct statement, and it also tells the Python.
  std::vector<WheelName> cores;
  for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    WheelName w;
    if (ParseWheelName(it->path().filename().string(), &w) && w.dist == "h2oaicore") cores.push_back(w);
  }
  for (const WheelName& w : cores)
    if (w.version != cores.front().version)
      throw Error(SH_DATA_LOSS, p->root + " holds h2oaicore wheels of two versions (" + cores.front().version +
                                    ", " + w.version + "); a pipeline ships the one it was built with");
  if (!cores.empty()) {
    p->dai_version = cores.front().version;
    p->dai_version_from = "h2oaicore wheel";
    p->python_tag = cores.front().python_tag;
    return;
  }
  // 2. Without the wheel (stripped to save space, or installed from an index), the requirements
  //    still name it; 3. the experiment wheel depends on the h2oaicore that built it.
  if (!p->requirements_path.empty()) {
    p->dai_version = RequirementsDaiVersion(ReadText(p->requirements_path));
    if (!p->dai_version.empty()) {
      p->dai_version_from = "requirements.txt";
      return;
    }
  }
  p->dai_version = WheelMetadataDaiVersion(p->experiment_wheel);
  if (!p->dai_version.empty()) p->dai_version_from = "experiment wheel METADATA";
}

std::string DaiRuntimeForVersion(const std::string& dai_version) {
  std::vector<unsigned long> want, have;
  if (!ReleaseParts(dai_version, &want)) return {};
  for (const Served& s : kServed) {
    ReleaseParts(s.version, &have);
    if (have == want) return s.runtime;
  }
  return {};
}

std::string DaiVersionOfRuntime(const std::string& runtime) {
  for (const Served& s : kServed)
    if (runtime == s.runtime) return s.version;
  return {};
}

std::vector<std::string> DaiServedVersions() {
  std::vector<std::string> out;
  for (const Served& s : kServed) out.emplace_back(s.version);
  return out;
}

void CheckDaiVersion(const DaiPythonPipeline& p, const std::string& runtime) {
  const std::string served = DaiVersionOfRuntime(runtime);
  if (served.empty())
    throw Error(SH_INVALID_ARGUMENT, "runtime " + runtime + " is not a Python Pipeline Scorer (" + kRuntimePrefix + "…)");
  const std::string head = "runtime " + runtime + " serves Python scoring pipelines built by Driverless AI " + served;
  if (p.dai_version.empty())
    throw Error(SH_FAILED_PRECONDITION,
                head + ", and cannot tell which Driverless AI version built the pipeline in " + p.root +
                    ": there is no h2oaicore-<version>-….whl beside " + fs::path(p.experiment_wheel).filename().string() +
                    ", no h2oaicore pin in requirements.txt and none in the experiment wheel's METADATA");
  const std::string right = DaiRuntimeForVersion(p.dai_version);
  if (right == runtime) return;
  if (!right.empty())
    throw Error(SH_FAILED_PRECONDITION, head + ", but the pipeline was built by Driverless AI " + p.dai_version +
                                            ": use " + right);
  std::string list;
  for (const Served& s : kServed) list += (list.empty() ? "" : ", ") + std::string(s.version);
  throw Error(SH_FAILED_PRECONDITION, head + ", but the pipeline was built by Driverless AI " + p.dai_version +
                                          " (" + p.dai_version_from + "), and no Python Pipeline Scorer serves that version " +
                                          "(they serve " + list + "; the versions must match exactly)");
}

}  // namespace scorehost::pyworker
