// Unit tests of the admission gate: slots, FIFO hand-over, timeouts, bounded waiting.
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "serving/admission_gate.h"
#include "serving/shapley_options.h"

using namespace scorehost;
using namespace std::chrono_literals;

namespace {

struct Log {
  std::mutex m;
  std::vector<std::string> events;
  void Add(std::string e) {
    std::lock_guard<std::mutex> l(m);
    events.push_back(std::move(e));
  }
  size_t Count(const std::string& prefix) {
    std::lock_guard<std::mutex> l(m);
    size_t n = 0;
    for (auto& e : events) n += e.rfind(prefix, 0) == 0;
    return n;
  }
};

AdmissionGate::Ticket Ticket(Log& log, int id) {
  return {[&log, id] { log.Add("in" + std::to_string(id)); },
          [&log, id](const std::string& why) { log.Add("out" + std::to_string(id) + " " + why); },
          "req-" + std::to_string(id)};
}

}  // namespace

BOOST_AUTO_TEST_CASE(slots_then_fifo_handover) {
  AdmissionGate::Options o;
  o.slots = 2;
  AdmissionGate gate(o);
  Log log;
  for (int i = 0; i < 5; ++i) gate.Enter(Ticket(log, i));
  BOOST_TEST(log.Count("in") == 2u);
  BOOST_TEST(gate.waiting() == 3u);
  BOOST_TEST(!gate.HasFreeSlot());
  gate.Leave();
  BOOST_TEST(log.events.back() == "in2");
  gate.Leave();
  gate.Leave();
  BOOST_TEST(log.events.back() == "in4");
  BOOST_TEST(gate.in_use() == 2u);
  gate.Leave();
  gate.Leave();
  BOOST_TEST(gate.in_use() == 0u);
  BOOST_TEST(gate.HasFreeSlot());
}

BOOST_AUTO_TEST_CASE(timeout_rejects_waiters_only) {
  AdmissionGate::Options o;
  o.slots = 1;
  o.timeout = 200ms;
  AdmissionGate gate(o);
  Log log;
  auto start = std::chrono::steady_clock::now();
  gate.Enter(Ticket(log, 0));
  gate.Enter(Ticket(log, 1));
  while (log.Count("out1") == 0 && std::chrono::steady_clock::now() - start < 3s) std::this_thread::sleep_for(5ms);
  auto waited = std::chrono::steady_clock::now() - start;
  BOOST_TEST(log.Count("out1") == 1u);
  BOOST_TEST((waited >= 190ms));
  BOOST_TEST((waited < 1s));
  BOOST_TEST(log.Count("in0") == 1u);
  gate.Leave();
}

BOOST_AUTO_TEST_CASE(bounded_waiting_and_shutdown_rejects) {
  Log log;
  {
    AdmissionGate::Options o;
    o.slots = 1;
    o.max_waiting = 2;
    AdmissionGate gate(o);
    for (int i = 0; i < 5; ++i) gate.Enter(Ticket(log, i));
    BOOST_TEST(log.Count("out") == 2u);  // 3 and 4: queue full
  }
  BOOST_TEST(log.Count("out") == 4u);  // 1 and 2 at destruction
}

BOOST_AUTO_TEST_CASE(shapley_options_like_java) {
  auto none = ShapleyOptions::Parse("", "");
  BOOST_REQUIRE(none.ok());
  BOOST_TEST(!none->enabled());
  BOOST_TEST(none->CheckScoreRequest(ShapleyRequest::kNone).ok());
  BOOST_TEST(none->CheckScoreRequest(ShapleyRequest::kOriginal).message().find("shapley.enable property") !=
             std::string::npos);
  auto all = ShapleyOptions::Parse("true", "NONE");
  BOOST_TEST(all->allows_original());
  BOOST_TEST(all->allows_transformed());
  BOOST_TEST(all->CheckContributionRequest(ShapleyRequest::kNone).message() ==
             "Only ORIGINAL or TRANSFORMED are accepted enums values of Shapley values");
  auto orig = ShapleyOptions::Parse("", "original");
  BOOST_TEST(orig->CheckScoreRequest(ShapleyRequest::kTransformed).message() ==
             "Requested Shapley type TRANSFORMED not enabled for this scorer. Expected: ORIGINAL");
  BOOST_TEST(all->RestrictedTo(SH_CAP_CONTRIBUTION_TRANSFORMED).option_name() == std::string("TRANSFORMED"));
  BOOST_TEST(!ShapleyOptions::Parse("yes", "").ok());
  BOOST_TEST(!ShapleyOptions::Parse("", "SOME").ok());
}
