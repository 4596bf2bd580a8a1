#include "serving/admission_gate.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <vector>

#include "cli/common_options.h"
#include "serving/metrics.h"

namespace scorehost {
namespace {

double Seconds(AdmissionGate::Clock::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

AdmissionGate::AdmissionGate(Options options) : options_(options) {
  timer_ = std::thread([this] { TimerLoop(); });
}

AdmissionGate::~AdmissionGate() {
  std::deque<Waiter> abandoned;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    abandoned.swap(waiting_);
  }
  timer_wakeup_.notify_all();
  timer_.join();
  if (!abandoned.empty())
    if (metrics::ServerMetrics* m = metrics::Active()) m->CountUnavailable(metrics::Unavailable::kShuttingDown, abandoned.size());
  for (Waiter& w : abandoned) w.ticket.rejected("the server is shutting down");
}

void AdmissionGate::Enter(Ticket ticket) {
  std::string refusal;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (in_use_ < options_.slots && waiting_.empty()) {
      ++in_use_;
    } else if (waiting_.size() >= options_.max_waiting) {
      refusal = fmt::format("{} requests are already waiting for one of the {} scoring slots (MAX_WAITING_REQUESTS)",
                            waiting_.size(), options_.slots);
    } else {
      waiting_.push_back(Waiter{std::move(ticket), Clock::now(), false});
      // Waiters queue in arrival order, so a newcomer's deadlines are never earlier than the ones
      // the timer already sleeps towards; only an idle timer needs waking (a wake-up per
      // request would cost a futex call each under load).
      if (timer_idle_) {
        timer_idle_ = false;
        timer_wakeup_.notify_all();
      }
      return;
    }
  }
  // Callbacks run outside the lock: they send responses and may re-enter the gate.
  if (refusal.empty()) {
    ticket.admitted();
  } else {
    if (metrics::ServerMetrics* m = metrics::Active()) m->CountUnavailable(metrics::Unavailable::kQueueFull);
    ticket.rejected(refusal);
  }
}

void AdmissionGate::Leave() {
  Ticket next;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (waiting_.empty()) {
      if (in_use_ > 0) --in_use_;
      return;
    }
    // The slot passes straight to the oldest waiter, so in_use_ stays the same.
    next = std::move(waiting_.front().ticket);
    waiting_.pop_front();
  }
  next.admitted();
}

bool AdmissionGate::HasFreeSlot() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return in_use_ < options_.slots;
}

std::size_t AdmissionGate::in_use() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return in_use_;
}

std::size_t AdmissionGate::waiting() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return waiting_.size();
}

// Waiters are in arrival order, so both deadlines of the front waiter are the earliest ones; the
// first not-yet-warned waiter holds the earliest pending warning.
void AdmissionGate::TimerLoop() {
  const bool has_timeout = options_.timeout > Clock::duration::zero();
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    Clock::time_point now = Clock::now();
    std::vector<Ticket> expired;
    if (has_timeout) {
      while (!waiting_.empty() && now - waiting_.front().since >= options_.timeout) {
        expired.push_back(std::move(waiting_.front().ticket));
        waiting_.pop_front();
      }
    }
    std::vector<std::pair<std::string, Clock::duration>> warned;  // request id, waited
    for (Waiter& w : waiting_) {
      if (now - w.since < options_.warn_after) break;
      if (!w.warned) {
        w.warned = true;
        warned.emplace_back(w.ticket.request_id, now - w.since);
      }
    }
    const size_t warned_now = warned.size();
    Clock::time_point wake = Clock::time_point::max();
    for (const Waiter& w : waiting_) {
      if (!w.warned) {
        wake = std::min(wake, w.since + options_.warn_after);
        break;
      }
    }
    if (has_timeout && !waiting_.empty()) wake = std::min(wake, waiting_.front().since + options_.timeout);
    size_t still_waiting = waiting_.size();

    if (!expired.empty() || warned_now > 0) {
      lock.unlock();
      for (const auto& [request_id, waited] : warned) {
        RequestIdContext context(request_id);
        ScopedLogContext scope(request_id.empty() ? nullptr : &context);
        spdlog::warn("a scoring request has waited {:.1f} s for one of the {} scoring slots "
                     "(SCORING_WARN_TIMEOUT={} s, {} waiting); raise SCORING_CONCURRENCY or add replicas",
                     Seconds(waited), options_.slots, Seconds(options_.warn_after), still_waiting);
      }
      std::string why = fmt::format(
          "no scoring slot became free within SCORING_TIMEOUT={} s (all {} slots busy); retry later",
          Seconds(options_.timeout), options_.slots);
      if (!expired.empty())
        if (metrics::ServerMetrics* m = metrics::Active()) m->CountUnavailable(metrics::Unavailable::kPoolTimeout, expired.size());
      for (Ticket& t : expired) t.rejected(why);
      lock.lock();
      continue;
    }
    if (wake == Clock::time_point::max()) {
      timer_idle_ = true;
      timer_wakeup_.wait(lock);
    } else {
      timer_wakeup_.wait_until(lock, wake);
    }
  }
}

}  // namespace scorehost
