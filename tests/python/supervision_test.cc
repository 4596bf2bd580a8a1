// Supervision tests of the python plugin through the C ABI (dlopen of python.so, as the host does):
// a worker that segfaults, hangs or is SIGKILLed mid-call fails only the calls in flight, with
// SH_UNAVAILABLE and a reason, and the next call succeeds on a restarted worker. Also measures the
// round-trip overhead for 1 and 1000 rows.
//
// Environment: PY_FIXTURES (make_fixtures.py output), PY_RUNTIME, SCOREHOST_ENV_CACHE.
#define BOOST_TEST_MODULE python_supervision
#include <dirent.h>
#include <dlfcn.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <scorehost/arrow_columns.hpp>
#include <scorehost/plugin_api.h>

namespace arrow = scorehost::arrow;

namespace {

struct FakeStatus {
  sh_status_code code;
  std::string message;
};

// The test's stand-in for the host's status and log services (a test double for sh_host_api).
sh_status* StatusNew(sh_status_code code, const char* message) {
  if (code == SH_OK) return nullptr;
  return reinterpret_cast<sh_status*>(new FakeStatus{code, message ? message : ""});
}
std::mutex g_log_mu;
std::vector<std::string> g_log;
void LogLine(sh_log_level, const char* message) {
  std::lock_guard<std::mutex> lk(g_log_mu);
  g_log.emplace_back(message);
}
const sh_host_api kHost = {sizeof(sh_host_api), SH_ABI_MAJOR, SH_ABI_MINOR, &StatusNew, &LogLine};

struct Result {
  sh_status_code code = SH_OK;
  std::string message;
};
Result Take(sh_status* s) {
  if (!s) return {};
  auto* f = reinterpret_cast<FakeStatus*>(s);
  Result r{f->code, f->message};
  delete f;
  return r;
}

const char* Env(const char* k) {
  const char* v = std::getenv(k);
  return v ? v : "";
}

struct Plugin {
  void* lib = nullptr;
  sh_plugin_api api{};
  Plugin() {
    lib = dlopen(PYTHON_PLUGIN_PATH, RTLD_NOW | RTLD_LOCAL);
    BOOST_REQUIRE_MESSAGE(lib, dlerror());
    auto entry = reinterpret_cast<sh_plugin_entry_fn>(dlsym(lib, SH_PLUGIN_ENTRY_SYMBOL));
    BOOST_REQUIRE(entry);
    api.struct_size = sizeof api;
    BOOST_REQUIRE_EQUAL(entry(SH_ABI_MAJOR, SH_ABI_MINOR, &api), 0);
    BOOST_REQUIRE(Take(api.init(&kHost)).code == SH_OK);
  }
  ~Plugin() {
    api.fini();
    dlclose(lib);
  }
};

Plugin& P() {
  static Plugin p;
  return p;
}

sh_model* Load(const std::string& model, std::vector<std::pair<std::string, std::string>> config = {}, Result* err = nullptr) {
  std::string path = std::string(Env("PY_FIXTURES")) + "/" + model;
  config.emplace_back("SCOREHOST_ENV_CACHE", Env("SCOREHOST_ENV_CACHE"));
  std::vector<sh_kv> kvs;
  for (auto& [k, v] : config) kvs.push_back({k.c_str(), v.c_str()});
  sh_load_args args{sizeof(sh_load_args), Env("PY_RUNTIME"), path.c_str(), "python/mlflow.zip", kvs.size(), kvs.data()};
  sh_model* m = nullptr;
  Result r = Take(P().api.model_load(&args, &m));
  if (err) *err = r;
  else BOOST_REQUIRE_MESSAGE(r.code == SH_OK, r.message);
  return m;
}

// Scores a one-column Float64 batch "v".
Result ScoreV(sh_model* m, const std::vector<double>& values, std::vector<double>* out = nullptr) {
  arrow::Table t;
  double* v = t.AddColumn("v", SH_TYPE_FLOAT64).MutableDoubles(values.size());
  for (size_t i = 0; i < values.size(); ++i) v[i] = values[i];
  arrow::OwnedArrow in, res;
  std::move(t).Export(&in.schema, &in.array);
  sh_score_options opts{sizeof opts, 0};
  Result r = Take(P().api.score(m, &in.schema, &in.array, &opts, &res.schema, &res.array));
  if (r.code == SH_OK && out) {
    arrow::TableView view;
    std::string why;
    BOOST_REQUIRE(arrow::TableView::Make(&res.schema, &res.array, &view, &why));
    out->clear();
    for (int64_t i = 0; i < view.num_rows(); ++i) out->push_back(view.column(0).Double(i));
  }
  return r;
}

// Worker processes that are our children (the plugin's workers), by pid.
std::vector<pid_t> Workers() {
  std::vector<pid_t> out;
  DIR* d = opendir("/proc");
  while (dirent* e = readdir(d)) {
    pid_t pid = std::atoi(e->d_name);
    if (pid <= 0) continue;
    std::ifstream stat(std::string("/proc/") + e->d_name + "/stat");
    std::string line;
    std::getline(stat, line);
    auto close = line.rfind(')');
    if (close == std::string::npos || line.find("scorehost-pywor") == std::string::npos) continue;
    int ppid = 0;
    char state;
    std::sscanf(line.c_str() + close + 2, "%c %d", &state, &ppid);
    if (ppid == getpid() && state != 'Z') out.push_back(pid);
  }
  closedir(d);
  return out;
}

bool Contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// Without fixtures (no tools venv: .ci/python-deps.sh not run) the whole binary is skipped.
struct SkipWithoutFixtures {
  SkipWithoutFixtures() {
    if (!std::ifstream(std::string(Env("PY_FIXTURES")) + "/fixtures.json")) {
      std::printf("skipped: no fixtures in %s\n", Env("PY_FIXTURES"));
      std::exit(77);
    }
  }
};

}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(SkipWithoutFixtures);

BOOST_AUTO_TEST_CASE(segfault_mid_call_fails_only_that_call) {
  sh_model* m = Load("pyfunc_segfault");
  std::vector<double> out;
  BOOST_REQUIRE(ScoreV(m, {1, 2}, &out).code == SH_OK);
  BOOST_TEST(out == std::vector<double>({2, 3}), boost::test_tools::per_element());
  Result r = ScoreV(m, {13});
  BOOST_TEST(r.code == SH_UNAVAILABLE);
  BOOST_TEST(Contains(r.message, "SIGSEGV"), r.message);
  BOOST_TEST(Contains(r.message, "in string_at"), r.message);  // faulthandler's Python stack in the tail
  BOOST_REQUIRE_MESSAGE(ScoreV(m, {5}, &out).code == SH_OK, "the call after the crash must succeed");
  BOOST_TEST(out[0] == 6);
  P().api.model_unload(m);
  BOOST_TEST(Workers().empty());
}

BOOST_AUTO_TEST_CASE(hung_call_hits_the_deadline_and_the_worker_is_replaced) {
  sh_model* m = Load("pyfunc_hangs", {{"SCOREHOST_PYTHON_CALL_TIMEOUT", "2"}});
  std::vector<double> out;
  auto t0 = std::chrono::steady_clock::now();
  Result r = ScoreV(m, {7});
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  BOOST_TEST(r.code == SH_UNAVAILABLE);
  BOOST_TEST(Contains(r.message, "per-call deadline of 2 s"), r.message);
  BOOST_TEST(took < 15.0);
  BOOST_REQUIRE(ScoreV(m, {1, 2}, &out).code == SH_OK);
  BOOST_TEST(out == std::vector<double>({0, 1}), boost::test_tools::per_element());
  P().api.model_unload(m);
}

BOOST_AUTO_TEST_CASE(sigkill_under_concurrent_load_fails_only_in_flight_calls) {
  sh_model* m = Load("pyfunc_segfault", {{"BATCH_WORKERS", "0"}, {"SCORING_CONCURRENCY", "4"}});
  BOOST_TEST(P().api.model_describe(m)->thread_safety == SH_THREAD_SAFE);
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, unavailable{0}, other{0};
  std::mutex mu;
  std::string other_message;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      std::vector<double> in(200, 1.0), out;
      while (!stop) {
        Result r = ScoreV(m, in, &out);
        if (r.code == SH_OK && out.size() == 200 && out[0] == 2.0) ++ok;
        else if (r.code == SH_UNAVAILABLE) ++unavailable;
        else {
          ++other;
          std::lock_guard<std::mutex> lk(mu);
          other_message = r.message;
        }
      }
    });
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  auto workers = Workers();
  BOOST_REQUIRE_EQUAL(workers.size(), 1u);
  int before = ok;
  kill(workers[0], SIGKILL);
  std::this_thread::sleep_for(std::chrono::milliseconds(6000));
  stop = true;
  for (auto& t : threads) t.join();
  BOOST_TEST(other == 0, other_message);
  BOOST_TEST(unavailable <= 4);  // at most the calls in flight, one per connection
  BOOST_TEST(ok > before);       // calls after the kill succeeded on the restarted worker
  auto now = Workers();
  BOOST_REQUIRE_EQUAL(now.size(), 1u);
  BOOST_TEST(now[0] != workers[0]);
  P().api.model_unload(m);
}

BOOST_AUTO_TEST_CASE(round_trip_overhead) {
  sh_model* m = Load("pyfunc_segfault");
  for (size_t rows : {1, 1000}) {
    std::vector<double> in(rows, 2.0), out;
    for (int i = 0; i < 20; ++i) BOOST_REQUIRE(ScoreV(m, in, &out).code == SH_OK);  // warm-up
    const int n = 200;
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) BOOST_REQUIRE(ScoreV(m, in, &out).code == SH_OK);
    double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() / n;
    BOOST_TEST_MESSAGE("score round trip, " << rows << " row(s): " << us << " us per call (pandas + predict included)");
    std::fprintf(stderr, "score round trip, %zu row(s): %.0f us per call\n", rows, us);
  }
  P().api.model_unload(m);
}

BOOST_AUTO_TEST_CASE(load_error_carries_the_reason) {
  Result err;
  sh_model* m = Load("wrong_python", {}, &err);
  BOOST_TEST(m == nullptr);
  BOOST_TEST(err.code == SH_FAILED_PRECONDITION);
  BOOST_TEST(Contains(err.message, "use runtime python-scorer_mlflow_dynamic_"), err.message);
}
