// Unit tests of the batcher / direct path with a fake model.
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "serving/inference_queue.h"
#include "serving/table_concat.h"

using namespace scorehost;
using namespace std::chrono_literals;

namespace {

// One Float64 input "x"; the fake model returns y = x and the batch size per row.
arrow::OwnedArrow Input(std::vector<double> xs) {
  arrow::Table t(static_cast<int64_t>(xs.size()));
  auto& c = t.AddColumn("x", SH_TYPE_FLOAT64);
  for (double x : xs) c.AppendDouble(x);
  arrow::OwnedArrow out;
  std::move(t).Export(&out.schema, &out.array);
  return out;
}

struct FakeModel {
  std::atomic<int> calls{0};
  std::atomic<int> active{0};
  std::atomic<int> max_active{0};
  int row_delta = 0;
  std::chrono::milliseconds delay{0};
  double fail_x = -1;       // a row with this x fails the call INVALID_ARGUMENT
  double short_x = -1;      // a row with this x is left out of the output (wrong row count)
  int unavailable_calls = 0;  // the first N calls fail UNAVAILABLE

  ModelFunctions Functions() {
    ModelFunctions f;
    f.score = [this](const arrow::OwnedArrow& in, uint32_t) -> Result<arrow::OwnedArrow> {
      int now = ++active;
      int seen = max_active.load();
      while (now > seen && !max_active.compare_exchange_weak(seen, now)) {
      }
      std::this_thread::sleep_for(delay);
      ++calls;
      arrow::TableView v;
      std::string why;
      arrow::TableView::Make(&in.schema, &in.array, &v, &why);
      if (calls.load() <= unavailable_calls) {
        --active;
        return Status::Unavailable("worker restarting");
      }
      int64_t n = std::max<int64_t>(0, v.num_rows() + row_delta);
      for (int64_t r = 0; r < v.num_rows(); ++r) {
        if (v.column(0).Double(r) == fail_x) {
          --active;
          return Status::InvalidArgument("x=" + std::to_string(fail_x) + " refused");
        }
        if (v.column(0).Double(r) == short_x) n = std::max<int64_t>(0, n - 1);
      }
      arrow::Table t(n);
      t.AddColumn("y", SH_TYPE_FLOAT64);
      t.AddColumn("batch", SH_TYPE_INT64);
      auto& y = t.columns()[0];  // references taken after the last AddColumn
      auto& b = t.columns()[1];
      for (int64_t r = 0; r < n; ++r) {
        y.AppendDouble(r < v.num_rows() ? v.column(0).Double(r) : -1);
        b.AppendInt(v.num_rows());
      }
      arrow::OwnedArrow out;
      std::move(t).Export(&out.schema, &out.array);
      --active;
      return out;
    };
    f.contribute = [](const arrow::OwnedArrow&, sh_contribution_kind) -> Result<arrow::OwnedArrow> {
      return Status::Unimplemented("no");
    };
    return f;
  }
};

struct Collected {
  std::mutex m;
  std::condition_variable cv;
  std::vector<std::pair<int, JobOutcome>> outcomes;
  void Add(int id, JobOutcome o) {
    std::lock_guard<std::mutex> l(m);
    outcomes.emplace_back(id, std::move(o));
    cv.notify_all();
  }
  void WaitFor(size_t n) {
    std::unique_lock<std::mutex> l(m);
    BOOST_REQUIRE(cv.wait_for(l, 10s, [&] { return outcomes.size() >= n; }));
  }
};

InferenceJob Job(int id, std::vector<double> xs, Collected& sink, ModelCall call = {}) {
  InferenceJob j;
  j.call = call;
  j.rows = static_cast<int64_t>(xs.size());
  j.input = Input(std::move(xs));
  j.done = [id, &sink](JobOutcome o) { sink.Add(id, std::move(o)); };
  return j;
}

double Y(const JobOutcome& o, int64_t row) {
  arrow::TableView v;
  std::string why;
  arrow::TableView::Make(&o.output->scores->schema, &o.output->scores->array, &v, &why);
  return v.column(0).Double(o.offset + row);
}

int64_t BatchOf(const JobOutcome& o) {
  arrow::TableView v;
  std::string why;
  arrow::TableView::Make(&o.output->scores->schema, &o.output->scores->array, &v, &why);
  return v.column(1).Int(o.offset);
}

}  // namespace

BOOST_AUTO_TEST_CASE(coalesces_and_splits_by_offset) {
  FakeModel model;
  model.delay = 30ms;
  Collected sink;
  InferenceQueue::Options o;
  o.max_batch_rows = 64;
  o.max_delay = 50ms;
  {
    InferenceQueue q(o, model.Functions(), nullptr);
    for (int i = 0; i < 20; ++i) q.Submit(Job(i, {double(i), double(i) + 0.5}, sink));
    sink.WaitFor(20);
  }
  BOOST_TEST(model.calls.load() < 20);
  for (auto& [id, o] : sink.outcomes) {
    BOOST_REQUIRE(o.status.ok());
    BOOST_TEST(o.rows == 2);
    BOOST_TEST(Y(o, 0) == double(id));
    BOOST_TEST(Y(o, 1) == double(id) + 0.5);
  }
}

BOOST_AUTO_TEST_CASE(a_failed_batch_is_rerun_job_by_job_so_only_the_culprit_fails) {
  enum Kind { kError, kRowCount, kUnavailable };
  for (Kind kind : {kError, kRowCount, kUnavailable}) {
    FakeModel model;
    if (kind == kError) model.fail_x = 30;
    if (kind == kRowCount) model.short_x = 30;
    if (kind == kUnavailable) model.unavailable_calls = 1;
    Collected sink;
    InferenceQueue::Options o;
    o.max_delay = 50ms;
    InferenceQueue::Stats stats;
    {
      InferenceQueue q(o, model.Functions(), nullptr);
      for (int i = 0; i < 10; ++i) q.Submit(Job(i, {double(i * 10)}, sink));  // job 3 has x = 30
      sink.WaitFor(10);
      stats = q.stats();
    }
    BOOST_TEST_CONTEXT("kind=" << kind) {
      BOOST_TEST(stats.splits == 1u);
      BOOST_TEST(model.calls.load() == 11);  // the failed batch, then each job alone
      for (auto& [id, out] : sink.outcomes) {
        if (id == 3 && kind != kUnavailable) {
          BOOST_TEST(!out.status.ok());
          const char* own = kind == kError ? "refused" : "returned 0 score rows for 1 input rows";
          BOOST_TEST(out.status.message().find(own) != std::string::npos, out.status.message());
          continue;
        }
        BOOST_REQUIRE_MESSAGE(out.status.ok(), out.status.message());
        BOOST_TEST(Y(out, 0) == double(id * 10));
        BOOST_TEST(BatchOf(out) == 1);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(a_failed_lone_job_is_not_retried) {
  FakeModel model;
  model.fail_x = 1;
  Collected sink;
  InferenceQueue::Options o;
  o.max_delay = 1ms;
  InferenceQueue::Stats stats;
  {
    InferenceQueue q(o, model.Functions(), nullptr);
    q.Submit(Job(1, {1, 2}, sink));
    sink.WaitFor(1);
    stats = q.stats();
  }
  BOOST_TEST(!sink.outcomes.front().second.status.ok());
  BOOST_TEST(model.calls.load() == 1);
  BOOST_TEST(stats.splits == 0u);
}

BOOST_AUTO_TEST_CASE(batch_never_exceeds_max_rows_but_big_jobs_run_whole) {
  FakeModel model;
  Collected sink;
  InferenceQueue::Options o;
  o.max_batch_rows = 3;
  o.max_delay = 20ms;
  {
    InferenceQueue q(o, model.Functions(), nullptr);
    for (int i = 0; i < 9; ++i) q.Submit(Job(i, {double(i)}, sink));
    q.Submit(Job(100, std::vector<double>(10, 7.0), sink));
    sink.WaitFor(10);
  }
  for (auto& [id, o] : sink.outcomes) {
    BOOST_REQUIRE(o.status.ok());
    if (id == 100) BOOST_TEST(BatchOf(o) == 10);
    else BOOST_TEST(BatchOf(o) <= 3);
  }
}

BOOST_AUTO_TEST_CASE(different_calls_are_not_merged) {
  FakeModel model;
  model.delay = 20ms;
  Collected sink;
  InferenceQueue::Options o;
  o.max_delay = 50ms;
  ModelCall a, b;
  b.score_flags = SH_SCORE_PREDICTION_INTERVALS;
  {
    InferenceQueue q(o, model.Functions(), nullptr);
    for (int i = 0; i < 10; ++i) q.Submit(Job(i, {double(i)}, sink, i % 2 ? a : b));
    sink.WaitFor(10);
  }
  BOOST_TEST(model.calls.load() >= 2);
  for (auto& [id, o] : sink.outcomes) BOOST_TEST(BatchOf(o) <= 5);
}

BOOST_AUTO_TEST_CASE(no_wait_when_nobody_else_can_arrive) {
  FakeModel model;
  Collected sink;
  InferenceQueue::Options o;
  o.max_delay = 5s;  // would be visible if the worker waited
  auto start = std::chrono::steady_clock::now();
  {
    InferenceQueue q(o, model.Functions(), [] { return false; });
    q.Submit(Job(1, {1}, sink));
    sink.WaitFor(1);
  }
  BOOST_TEST((std::chrono::steady_clock::now() - start < 1s));
}

BOOST_AUTO_TEST_CASE(row_count_mismatch_table) {
  struct Case {
    bool coalesce;
    RowCountValidation mode;
    int delta;
    bool ok;
  } cases[] = {
      {true, RowCountValidation::kStrict, -1, false}, {true, RowCountValidation::kWarn, -1, false},
      {true, RowCountValidation::kWarn, 1, false},    {true, RowCountValidation::kWarn, -100, false},
      {false, RowCountValidation::kStrict, 1, false}, {false, RowCountValidation::kWarn, 1, true},
      {false, RowCountValidation::kWarn, -1, true},   {false, RowCountValidation::kWarn, -100, false},
      {false, RowCountValidation::kStrict, 0, true},  {true, RowCountValidation::kStrict, 0, true},
  };
  for (const Case& c : cases) {
    FakeModel model;
    model.row_delta = c.delta;
    Collected sink;
    InferenceQueue::Options o;
    o.coalesce = c.coalesce;
    o.row_count_mode = c.mode;
    o.max_delay = 1ms;
    {
      InferenceQueue q(o, model.Functions(), nullptr);
      q.Submit(Job(1, {1, 2, 3}, sink));
      sink.WaitFor(1);
    }
    const JobOutcome& out = sink.outcomes.front().second;
    BOOST_TEST_CONTEXT("coalesce=" << c.coalesce << " delta=" << c.delta) {
      BOOST_TEST(out.status.ok() == c.ok);
      if (!c.ok) BOOST_TEST(out.status.message().find("for 3 input rows") != std::string::npos);
      if (c.ok) BOOST_TEST(out.rows == 3 + c.delta);
    }
  }
}

BOOST_AUTO_TEST_CASE(direct_path_runs_in_parallel) {
  FakeModel model;
  model.delay = 50ms;
  Collected sink;
  InferenceQueue::Options o;
  o.coalesce = false;
  o.workers = 4;
  {
    InferenceQueue q(o, model.Functions(), nullptr);
    for (int i = 0; i < 8; ++i) q.Submit(Job(i, {double(i)}, sink));
    sink.WaitFor(8);
  }
  BOOST_TEST(model.calls.load() == 8);
  BOOST_TEST(model.max_active.load() > 1);
}

BOOST_AUTO_TEST_CASE(concatenation_keeps_types_nulls_and_order) {
  arrow::Table a(2), b(1);
  auto& s1 = a.AddColumn("s", SH_TYPE_STR);
  s1.AppendString("x");
  s1.AppendNull();
  auto& i1 = a.AddColumn("i", SH_TYPE_INT64);
  i1.AppendInt(1);
  i1.AppendInt(2);
  auto& s2 = b.AddColumn("s", SH_TYPE_STR);
  s2.AppendString("y");
  auto& i2 = b.AddColumn("i", SH_TYPE_INT64);
  i2.AppendNull();
  arrow::OwnedArrow ea, eb;
  std::move(a).Export(&ea.schema, &ea.array);
  std::move(b).Export(&eb.schema, &eb.array);
  auto merged = ConcatenateTables({&ea, &eb});
  BOOST_REQUIRE(merged.ok());
  arrow::TableView v;
  std::string why;
  BOOST_REQUIRE(arrow::TableView::Make(&merged->schema, &merged->array, &v, &why));
  BOOST_TEST(v.num_rows() == 3);
  BOOST_TEST(v.column(0).String(0) == "x");
  BOOST_TEST(v.column(0).IsNull(1));
  BOOST_TEST(v.column(0).String(2) == "y");
  BOOST_TEST(v.column(1).Int(1) == 2);
  BOOST_TEST(v.column(1).IsNull(2));
}
