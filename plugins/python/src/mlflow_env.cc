#include "mlflow_env.hpp"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <deque>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <scorehost/plugin_helpers.hpp>

#include "process.hpp"
#include "protocol.hpp"
#include "safe_unzip.hpp"
#include "sha256.hpp"

namespace fs = std::filesystem;
using scorehost::plugin::Error;
using scorehost::plugin::Log;

namespace scorehost::pyworker {
namespace {

// Bumped when the layout or the install recipe changes, so old envs are not reused.
constexpr const char* kEnvLayout = "scorehost-mlflow-env-1";

std::string ReadText(const fs::path& p, bool* exists = nullptr) {
  std::ifstream in(p, std::ios::binary);
  if (exists) *exists = static_cast<bool>(in);
  if (!in) return {};
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Trim(std::string s) {
  auto ws = [](unsigned char c) { return std::isspace(c) != 0; };
  while (!s.empty() && ws(s.back())) s.pop_back();
  size_t i = 0;
  while (i < s.size() && ws(s[i])) ++i;
  return s.substr(i);
}

std::string Unquote(std::string s) {
  s = Trim(s);
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front()) s = s.substr(1, s.size() - 2);
  return s;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    out.push_back(line);
  }
  return out;
}

// The few YAML shapes MLflow writes: "python: 3.10.12" and a "build_dependencies:" block list.
void ParsePythonEnv(const std::string& text, MlflowArtifact* a) {
  bool in_build = false;
  for (const std::string& raw : Lines(text)) {
    std::string line = raw.substr(0, raw.find(" #"));
    if (Trim(line).empty()) continue;
    bool indented = !line.empty() && (line[0] == ' ' || line[0] == '-');
    std::string t = Trim(line);
    if (!indented) {
      in_build = t.rfind("build_dependencies:", 0) == 0;
      if (t.rfind("python:", 0) == 0) a->python_version = Unquote(t.substr(7));
      continue;
    }
    if (in_build && t.rfind("- ", 0) == 0) a->build_dependencies.push_back(Unquote(t.substr(2)));
  }
}

void FindPythonVersion(const fs::path& dir, MlflowArtifact* a) {
  if (!a->python_env_text.empty()) {
    ParsePythonEnv(a->python_env_text, a);
    if (!a->python_version.empty()) {
      a->python_version_from = "python_env.yaml";
      return;
    }
  }
  for (const std::string& line : Lines(ReadText(dir / "conda.yaml"))) {
    std::string t = Trim(line);
    if (t.rfind("- python=", 0) == 0 || t.rfind("- python==", 0) == 0) {
      std::string v = t.substr(t.find('=') + 1);
      if (!v.empty() && v[0] == '=') v = v.substr(1);
      a->python_version = Unquote(v);
      a->python_version_from = "conda.yaml";
      return;
    }
  }
  for (const std::string& line : Lines(ReadText(dir / "MLmodel"))) {
    std::string t = Trim(line);
    if (t.rfind("python_version:", 0) == 0) {
      a->python_version = Unquote(t.substr(15));
      a->python_version_from = "MLmodel";
      return;
    }
  }
}

void ExtractZip(const std::string& path, const fs::path& target) {
  // The model root is the folder of the shallowest MLmodel (zips of the folder itself are common).
  std::string prefix;
  size_t best = std::string::npos;
  for (const std::string& name : ZipEntryNames(path)) {
    if (name == "MLmodel" || (name.size() > 8 && name.compare(name.size() - 8, 8, "/MLmodel") == 0)) {
      size_t depth = static_cast<size_t>(std::count(name.begin(), name.end(), '/'));
      if (depth < best) {
        best = depth;
        prefix = name.substr(0, name.size() - 7);
      }
    }
  }
  if (best == std::string::npos) throw Error(SH_DATA_LOSS, path + " has no MLmodel file, so it is not an MLflow model");
  ExtractZipEntries(path, prefix, target);
}

}  // namespace

MlflowArtifact::~MlflowArtifact() {
  if (!temp_dir.empty()) {
    std::error_code ec;
    fs::remove_all(temp_dir, ec);
  }
}

void OpenMlflowArtifact(const std::string& path, const std::string& scratch_root, MlflowArtifact* a) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw Error(SH_NOT_FOUND, "model path " + path + " does not exist");
  if (fs::is_directory(path, ec)) {
    if (!fs::exists(fs::path(path) / "MLmodel", ec))
      throw Error(SH_DATA_LOSS, path + " has no MLmodel file, so it is not an MLflow model directory");
    a->model_dir = path;
  } else {
    fs::create_directories(scratch_root, ec);
    std::string tmpl = (fs::path(scratch_root) / "mlflow-model-XXXXXX").string();
    if (!mkdtemp(tmpl.data()))
      throw Error(SH_FAILED_PRECONDITION, "cannot create a directory below " + scratch_root + ": " + std::strerror(errno));
    a->temp_dir = tmpl;
    ExtractZip(path, tmpl);
    a->model_dir = tmpl;
  }
  fs::path dir(a->model_dir);
  a->requirements_text = ReadText(dir / "requirements.txt", &a->has_requirements);
  a->python_env_text = ReadText(dir / "python_env.yaml");
  FindPythonVersion(dir, a);
  for (const std::string& line : Lines(ReadText(dir / "MLmodel"))) {
    std::string t = Trim(line);
    if (t.rfind("loader_module:", 0) == 0) {
      a->loader_module = Unquote(t.substr(14));
      break;
    }
  }
}

bool RequirementsNameMlflow(const std::string& text) {
  for (const std::string& raw : Lines(text)) {
    std::string t = Trim(raw.substr(0, raw.find('#')));
    size_t end = t.find_first_of("=<>!~[; @");
    std::string name = t.substr(0, end);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    std::replace(name.begin(), name.end(), '_', '-');
    if (name == "mlflow" || name == "mlflow-skinny") return true;
  }
  return false;
}

std::string DefaultEnvCache() {
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return (fs::path(x) / "scorehost" / "envs").string();
  if (const char* h = std::getenv("HOME"); h && *h) return (fs::path(h) / ".cache" / "scorehost" / "envs").string();
  return "/tmp/scorehost-envs";
}

EnvRequest ModelEnvRequest(const MlflowArtifact& a) {
  EnvRequest r;
  r.label = a.model_dir + "/requirements.txt";
  r.has_requirements = a.has_requirements;
  r.requirements_path = (fs::path(a.model_dir) / "requirements.txt").string();
  r.requirements_text = a.requirements_text;
  r.python_env_text = a.python_env_text;
  r.build_dependencies = a.build_dependencies;
  r.work_dir = a.model_dir;
  return r;
}

std::string EnvKey(const EnvRequest& r) {
  Sha256 h;
  auto field = [&](std::string_view name, std::string_view value) {
    h.Update(name);
    h.Update(std::to_string(value.size()));
    h.Update(":");
    h.Update(value);
  };
  field("layout", kEnvLayout);
  field("python", r.python_version);
  field("requirements", r.has_requirements ? r.requirements_text : "<none>");
  field("python_env", r.python_env_text);
  field("extra", r.extra_requirement);
  // Only when set, so the keys of existing Dynamic MLflow envs stay what they were.
  if (!r.device_class.empty()) field("device", r.device_class);
  for (const std::string& wheel : r.local_wheels) {
    std::error_code ec;
    field("wheel", fs::path(wheel).filename().string() + ":" + std::to_string(fs::file_size(wheel, ec)));
  }
  return h.HexDigest();
}

EnvResult EnsureEnv(const EnvRequest& r) {
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  EnvResult res;
  res.key = EnvKey(r);
  std::string minor = r.python_version.substr(0, r.python_version.rfind('.'));
  std::string name = (r.name_prefix.empty() ? "py" + minor : r.name_prefix) + "-" + res.key.substr(0, 24);
  fs::path root(r.cache_root), dir = root / name;
  res.dir = dir.string();
  res.python = (dir / "bin" / "python").string();
  const fs::path ready = dir / ".scorehost-ready";
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) throw Error(SH_FAILED_PRECONDITION, "cannot create the env cache " + root.string() + ": " + ec.message());

  // Fast path without the lock: a ready marker is written last and never removed by us.
  if (fs::exists(ready, ec)) {
    res.reused = true;
    res.seconds = elapsed();
    Log(SH_LOG_INFO, "python env " + res.dir + " reused (cache hit)");
    return res;
  }

  std::string lock_path = (root / (name + ".lock")).string();
  int lock = open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock < 0) throw Error(SH_FAILED_PRECONDITION, "cannot open lock " + lock_path + ": " + std::strerror(errno));
  struct Unlock {
    int fd;
    ~Unlock() { close(fd); }  // closing drops the flock
  } unlock{lock};
  int64_t waited = 0, deadline = NowMs() + r.timeout_ms;
  while (flock(lock, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR)
      throw Error(SH_FAILED_PRECONDITION, "cannot lock " + lock_path + ": " + std::strerror(errno));
    if (NowMs() > deadline) throw Error(SH_FAILED_PRECONDITION, "timed out waiting for another process building " + res.dir);
    if (waited % 10000 == 0) Log(SH_LOG_INFO, "python env " + res.dir + " is being built by another process; waiting");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    waited += 200;
  }
  if (fs::exists(ready, ec)) {  // someone else finished it while we waited
    res.reused = true;
    res.seconds = elapsed();
    Log(SH_LOG_INFO, "python env " + res.dir + " was built by another process; reusing it");
    return res;
  }
  if (fs::exists(dir, ec)) {
    Log(SH_LOG_WARN, "python env " + res.dir + " is incomplete (an earlier build was interrupted); rebuilding it");
    fs::remove_all(dir, ec);
  }

  Log(SH_LOG_INFO, "building python env " + res.dir + " with " + r.base_python + " (Python " + r.python_version +
                       ") from " + r.label + (r.device_class.empty() ? "" : " for device class " + r.device_class));
  std::map<std::string, std::string> env = r.pip_env;
  env["PIP_NO_INPUT"] = "1";
  env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1";
  env["PYTHONNOUSERSITE"] = "1";
  SpawnSpec spec;
  spec.env = EnvironmentWith(env, {"PYTHONHOME", "PYTHONPATH", "VIRTUAL_ENV", "PIP_REQUIRE_VIRTUALENV", "PIP_USER"});
  spec.cwd = r.work_dir;  // relative -r/-c references in requirements.txt resolve here
  std::deque<std::string> tail;
  auto on_line = [&](std::string_view line) {
    Log(SH_LOG_INFO, "[pip " + name.substr(0, 16) + "] " + std::string(line));
    tail.emplace_back(line);
    if (tail.size() > 25) tail.pop_front();
  };
  auto run = [&](std::vector<std::string> argv, const std::string& what) {
    spec.argv = std::move(argv);
    bool timed_out = false;
    int64_t left = std::max<int64_t>(1000, deadline - NowMs());
    int st = RunStreaming(spec, on_line, left, &timed_out);
    if (timed_out || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
      std::string lines;
      for (const std::string& l : tail) lines += "\n  " + l;
      fs::remove_all(dir, ec);
      throw Error(SH_FAILED_PRECONDITION, "building the model's python env failed: " + what + " " +
                                              (timed_out ? "timed out" : DescribeWaitStatus(st)) + "; last output:" + lines);
    }
    tail.clear();
  };
  run({r.base_python, "-m", "venv", res.dir}, "python -m venv");
  if (!r.build_dependencies.empty()) {
    std::vector<std::string> argv = {res.python, "-m", "pip", "install", "--progress-bar", "off"};
    for (const std::string& d : r.build_dependencies) argv.push_back(d);
    run(argv, "pip install (build dependencies from python_env.yaml)");
  }
  std::vector<std::string> argv = {res.python, "-m", "pip", "install", "--progress-bar", "off"};
  if (r.has_requirements) {
    argv.push_back("-r");
    argv.push_back(r.requirements_path);
  }
  if (!r.extra_requirement.empty()) argv.push_back(r.extra_requirement);
  for (const std::string& wheel : r.local_wheels) argv.push_back(wheel);
  if (argv.size() > 6) run(argv, "pip install -r requirements.txt");
  std::ofstream(ready) << "key " << res.key << "\npython " << r.python_version << "\n";
  res.seconds = elapsed();
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.1f", res.seconds);
  Log(SH_LOG_INFO, "python env " + res.dir + " built in " + secs + " s");
  return res;
}

}  // namespace scorehost::pyworker
