// The Prometheus exposition writer and the lock-free histogram behind GET /metrics.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include "serving/metrics.h"

using scorehost::metrics::ExpositionWriter;
using scorehost::metrics::Histogram;

BOOST_AUTO_TEST_SUITE(metrics_exposition)

BOOST_AUTO_TEST_CASE(family_and_samples) {
  std::string out;
  ExpositionWriter w(out);
  w.Family("x_total", "counter", "A help text with a \\ backslash\nand a newline \"quoted\".");
  w.Sample("x_total", {}, uint64_t{3});
  w.Sample("x_total", {{"a", "1"}, {"b", "q\"u\\o\nte"}}, uint64_t{18446744073709551615ull});
  w.Family("g", "gauge", "g");
  w.Sample("g", {}, 0.25);
  w.Sample("g", {{"k", "v"}}, int64_t{-2});
  w.Sample("g", {{"k", "nan"}}, std::nan(""));
  w.Sample("g", {{"k", "inf"}}, -INFINITY);
  BOOST_TEST(out ==
             "# HELP x_total A help text with a \\\\ backslash\\nand a newline \"quoted\".\n"
             "# TYPE x_total counter\n"
             "x_total 3\n"
             "x_total{a=\"1\",b=\"q\\\"u\\\\o\\nte\"} 18446744073709551615\n"
             "# HELP g g\n"
             "# TYPE g gauge\n"
             "g 0.25\n"
             "g{k=\"v\"} -2\n"
             "g{k=\"nan\"} NaN\n"
             "g{k=\"inf\"} -Inf\n");
}

BOOST_AUTO_TEST_CASE(histogram_is_cumulative_and_ends_in_inf) {
  std::string out;
  ExpositionWriter w(out);
  w.Histogram("h_seconds", {{"endpoint", "/e"}}, {0.001, 0.5, 1}, {2, 0, 3, 1}, 4.75);
  BOOST_TEST(out ==
             "h_seconds_bucket{endpoint=\"/e\",le=\"0.001\"} 2\n"
             "h_seconds_bucket{endpoint=\"/e\",le=\"0.5\"} 2\n"
             "h_seconds_bucket{endpoint=\"/e\",le=\"1\"} 5\n"
             "h_seconds_bucket{endpoint=\"/e\",le=\"+Inf\"} 6\n"
             "h_seconds_sum{endpoint=\"/e\"} 4.75\n"
             "h_seconds_count{endpoint=\"/e\"} 6\n");
  BOOST_CHECK_THROW(w.Histogram("bad", {}, {1, 2}, {1, 2}, 0), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(histogram_buckets_bounds_inclusive_and_scaled) {
  Histogram h({1000, 5000}, 1e6);  // observed in microseconds-ish units, exposed / 1e6
  h.Observe(0);
  h.Observe(1000);  // le is inclusive
  h.Observe(1001);
  h.Observe(999999);
  BOOST_TEST(h.count() == 4u);
  std::string out;
  ExpositionWriter w(out);
  h.Write(w, "h", {});
  BOOST_TEST(out ==
             "h_bucket{le=\"0.001\"} 2\n"
             "h_bucket{le=\"0.005\"} 3\n"
             "h_bucket{le=\"+Inf\"} 4\n"
             "h_sum 1.002\n"
             "h_count 4\n");
  BOOST_CHECK_THROW(Histogram({5, 5}, 1), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(histogram_concurrent_observations_are_all_counted) {
  Histogram h({1, 10, 100}, 1);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&h, t] {
      for (int i = 0; i < 10000; ++i) h.Observe(static_cast<uint64_t>((i + t) % 200));
    });
  for (auto& t : threads) t.join();
  BOOST_TEST(h.count() == 40000u);
}

BOOST_AUTO_TEST_CASE(server_metrics_render_without_a_model) {
  scorehost::metrics::ServerMetrics m;
  m.CountRequest(scorehost::metrics::Endpoint::kScore, 200);
  m.CountRequest(scorehost::metrics::Endpoint::kOther, 404);
  m.CountRequest(scorehost::metrics::Endpoint::kScore, 299);  // an unlisted status: code="other"
  std::string text = m.Render();
  BOOST_TEST(text.find("scorehost_requests_total{endpoint=\"/model/score\",code=\"200\"} 1\n") != std::string::npos);
  BOOST_TEST(text.find("scorehost_requests_total{endpoint=\"other\",code=\"404\"} 1\n") != std::string::npos);
  BOOST_TEST(text.find("scorehost_requests_total{endpoint=\"/model/score\",code=\"other\"} 1\n") != std::string::npos);
  BOOST_TEST(text.find("scorehost_inflight_requests 0\n") != std::string::npos);
  BOOST_TEST(text.find("scorehost_model_info{") == std::string::npos);  // not loaded yet
}

BOOST_AUTO_TEST_SUITE_END()
