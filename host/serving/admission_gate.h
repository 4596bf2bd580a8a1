// The admission gate: at most `slots` scoring requests are past it at once (the seed's
// SCORING_CONCURRENCY "connection pool"); the others wait in FIFO order.
//
// Waiting never occupies a thread: a waiting request is an entry in a queue. It is admitted by
// whichever thread frees a slot (Leave), or rejected by the gate's timer thread once it has
// waited `timeout`. The timer thread also writes the one WARN line per request that waits longer
// than `warn_after`.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace scorehost {

class AdmissionGate {
 public:
  using Clock = std::chrono::steady_clock;

  struct Options {
    std::size_t slots = 4;
    Clock::duration warn_after = std::chrono::seconds(30);
    Clock::duration timeout = Clock::duration::zero();  // zero: wait forever
    std::size_t max_waiting = 4096;                     // beyond this, Enter rejects at once
  };

  // What to do with one request. Exactly one of the two is called, exactly once, and never while
  // the gate's lock is held. `admitted` must be quick (hand the work to another queue).
  struct Ticket {
    std::function<void()> admitted;
    std::function<void(const std::string& why)> rejected;
    std::string request_id;  // tags the WARN line about a long wait
  };

  explicit AdmissionGate(Options options);
  ~AdmissionGate();  // rejects whoever still waits
  AdmissionGate(const AdmissionGate&) = delete;
  AdmissionGate& operator=(const AdmissionGate&) = delete;

  // Admits at once (on the caller's thread) when a slot is free, otherwise queues the ticket.
  void Enter(Ticket ticket);

  // Frees the caller's slot; the oldest waiting ticket, if any, is admitted on this thread.
  void Leave();

  // Tells whether a request that is not yet past the gate could still be admitted without
  // anyone leaving: the batcher stops waiting for company when this is false.
  bool HasFreeSlot() const;

  std::size_t in_use() const;
  std::size_t waiting() const;
  const Options& options() const { return options_; }

 private:
  struct Waiter {
    Ticket ticket;
    Clock::time_point since;
    bool warned = false;
  };

  void TimerLoop();

  const Options options_;
  mutable std::mutex mutex_;
  std::condition_variable timer_wakeup_;
  std::size_t in_use_ = 0;
  std::deque<Waiter> waiting_;
  bool stopping_ = false;
  bool timer_idle_ = false;  // the timer sleeps without a deadline: a new waiter must wake it
  std::thread timer_;
};

}  // namespace scorehost
