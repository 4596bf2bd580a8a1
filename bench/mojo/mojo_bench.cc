// Native side of the MOJO benchmark: the h2o3-mojo core library (what the plugin calls), no JVM.
// Compiled by bench/mojo/run.sh against a release build's libh2o3_mojo_core.a.
//
//   mojo_bench <mojo> <rows.csv> <max rows> <seconds> <threads> <doubles|strings> [batch rows]
//
// Loads the MOJO (timed, 5 loads, median; RSS one loaded model adds), reads up to <max rows> rows,
// warms up, then scores them in a loop for <seconds> on <threads> threads and prints one
// "RESULT key=value ..." line (the same keys as MojoBench.java).
//   doubles: MojoModel::ScoreBatch on pre-encoded rows (the bare scorer; Java's score0 mode)
//   strings: the row's text cells -> level lookup / number parsing -> ScoreBatch per batch (the
//            work the plugin does for a request; Java's EasyPredictModelWrapper mode)
#include <algorithm>
#include <atomic>
#include <barrier>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <time.h>
#include <vector>

#include "io_schema.hpp"
#include "mojo_model.hpp"

namespace h2o3 = scorehost::h2o3;
using Clock = std::chrono::steady_clock;

namespace {

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

long RssKb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  return -1;
}

std::vector<std::string> Split(const std::string& line) {
  std::vector<std::string> out;
  std::string cell;
  std::istringstream s(line);
  while (std::getline(s, cell, ',')) out.push_back(cell);
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 7) {
    std::fprintf(stderr, "usage: %s mojo rows.csv max_rows seconds threads doubles|strings [batch]\n", argv[0]);
    return 2;
  }
  const std::string mojo = argv[1];
  const size_t max_rows = std::stoul(argv[3]);
  const double seconds = std::stod(argv[4]);
  const int threads = std::stoi(argv[5]);
  const bool strings = std::string(argv[6]) == "strings";
  const size_t batch = argc > 7 ? std::stoul(argv[7]) : 1024;

  std::vector<double> loads;
  for (int i = 0; i < 5; ++i) {
    const auto t0 = Clock::now();
    auto m = h2o3::LoadMojo(mojo);
    loads.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  std::sort(loads.begin(), loads.end());
  const long rss_before = RssKb();
  const std::unique_ptr<h2o3::MojoModel> model = h2o3::LoadMojo(mojo);
  const long rss_after = RssKb();
  const h2o3::InputSchema schema(model->meta());
  const size_t nf = static_cast<size_t>(model->meta().n_features);

  // Rows: per feature the text cell (strings mode) and the encoded value (doubles mode).
  std::ifstream in(argv[2]);
  std::string line;
  std::getline(in, line);
  const auto header = Split(line);
  std::vector<int> source(nf, -1);
  for (size_t f = 0; f < nf; ++f) {
    auto it = std::find(header.begin(), header.end(), model->meta().columns[f]);
    if (it != header.end()) source[f] = static_cast<int>(it - header.begin());
  }
  std::vector<std::string> cells;  // row-major, nf per row
  std::vector<double> encoded;
  while (cells.size() / nf < max_rows && std::getline(in, line)) {
    const auto c = Split(line);
    for (size_t f = 0; f < nf; ++f) {
      const std::string v = source[f] >= 0 && static_cast<size_t>(source[f]) < c.size() ? c[source[f]] : "";
      cells.push_back(v);
      if (v.empty()) encoded.push_back(NAN);
      else if (schema.columns()[f].categorical) encoded.push_back(schema.EncodeLevel(static_cast<int>(f), v));
      else encoded.push_back(std::strtod(v.c_str(), nullptr));
    }
  }
  const size_t n = encoded.size() / nf;
  const size_t stride = model->preds_size();

  std::atomic<uint64_t> scored{0};
  std::atomic<double> cpu_seconds{0};  // thread CPU time in the window: rows per CPU-second
  std::atomic<double> sink{0};
  std::barrier start(threads + 1), stop(threads + 1);
  const double warmup = std::max(1.0, seconds / 4);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      std::vector<double> rows(batch * nf), preds(batch * stride);
      size_t i = n * static_cast<size_t>(t) / static_cast<size_t>(threads);
      double acc = 0;
      auto run_batch = [&] {
        const size_t k = std::min(batch, n - i);
        const double* src = encoded.data() + i * nf;
        if (strings) {  // the plugin's per-cell work: parse numbers, look levels up
          for (size_t r = 0; r < k; ++r)
            for (size_t f = 0; f < nf; ++f) {
              const std::string& v = cells[(i + r) * nf + f];
              double& d = rows[r * nf + f];
              if (v.empty()) d = NAN;
              else if (schema.columns()[f].categorical) d = schema.EncodeLevel(static_cast<int>(f), v);
              else std::from_chars(v.data(), v.data() + v.size(), d);
            }
          src = rows.data();
        }
        model->ScoreBatch(src, k, nf, nullptr, preds.data(), stride);
        acc += preds[stride - 1];
        i = (i + k) % n;
        return k;
      };
      for (auto end = Clock::now() + std::chrono::duration<double>(warmup); Clock::now() < end;) run_batch();
      start.arrive_and_wait();
      const double cpu0 = ThreadCpuSeconds();
      uint64_t count = 0;
      for (auto end = Clock::now() + std::chrono::duration<double>(seconds); Clock::now() < end;) count += run_batch();
      scored += count;
      const double cpu = ThreadCpuSeconds() - cpu0;
      for (double c = cpu_seconds.load(); !cpu_seconds.compare_exchange_weak(c, c + cpu);) {
      }
      sink.store(sink.load() + acc);
      stop.arrive_and_wait();
    });
  }
  start.arrive_and_wait();
  const auto t0 = Clock::now();
  stop.arrive_and_wait();
  const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
  for (auto& th : pool) th.join();
  std::printf("RESULT impl=cpp-%s threads=%d rows=%zu rows_per_s=%.0f rows_per_cpu_s=%.0f load_ms=%.2f heap_kb=%ld rss_kb=%ld sink=%.3f\n",
              strings ? "strings" : "doubles", threads, n, static_cast<double>(scored.load()) / elapsed,
              static_cast<double>(scored.load()) / cpu_seconds.load(),
              loads[loads.size() / 2], rss_after - rss_before, RssKb(), sink.load());
  return 0;
}
