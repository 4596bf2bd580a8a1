#include "supervisor.hpp"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <simdjson.h>

#include <scorehost/plugin_helpers.hpp>

#include "process.hpp"

using scorehost::plugin::Error;
using scorehost::plugin::Log;

namespace scorehost::pyworker {

// One worker process. Fields marked (mu) are guarded by Supervisor::mu_.
struct Instance {
  pid_t pid = -1;
  int pidfd = -1;
  int log_fd = -1;
  std::vector<int> conns;
  std::vector<int> free;          // (mu) indices into conns that no call is using
  bool exited = false;            // (mu) reaped
  std::string death;              // (mu) "was killed by signal 9 (SIGKILL)"
  std::string kill_reason;        // (mu) why we killed it, if we did
  std::deque<std::string> tail;   // (mu) last output lines
  std::thread drain;

  ~Instance() {
    for (int fd : conns) close(fd);
    if (log_fd >= 0) close(log_fd);
    if (pidfd >= 0) close(pidfd);
  }
};

namespace {

constexpr size_t kTailLines = 40;

std::string Seconds(int64_t ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g s", static_cast<double>(ms) / 1000.0);
  return buf;
}

// "message\n<traceback>" from an ERROR frame's JSON; *kind = "user" / "model" / "internal".
std::string DescribeError(const std::string& json, std::string* kind) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(json).get(doc) != simdjson::SUCCESS) {
    if (kind) *kind = "internal";
    return json;
  }
  std::string_view k = "internal", message, traceback;
  // Missing fields keep their defaults; the worker always sends all three.
  if (doc["kind"].get(k) != simdjson::SUCCESS) k = "internal";
  if (doc["message"].get(message) != simdjson::SUCCESS) message = json;
  if (doc["traceback"].get(traceback) != simdjson::SUCCESS) traceback = {};
  if (kind) *kind = std::string(k);
  std::string out(message);
  if (!traceback.empty()) {
    out += "\nPython traceback (most recent call last):\n";
    std::string tb(traceback);
    // traceback.format_exception already starts with "Traceback (most recent call last):"
    const std::string head = "Traceback (most recent call last):\n";
    if (tb.rfind(head, 0) == 0) tb = tb.substr(head.size());
    out += tb;
    while (!out.empty() && out.back() == '\n') out.pop_back();
  }
  return out;
}

}  // namespace

std::string FormatWorkerError(const std::string& json, std::string* kind) { return DescribeError(json, kind); }

Supervisor::Supervisor(WorkerConfig config) : cfg_(std::move(config)) {}

Supervisor::~Supervisor() {
  std::vector<std::shared_ptr<Instance>> instances;
  {
    std::lock_guard<std::mutex> lk(mu_);
    stopping_ = true;
    instances = all_;
    // Closing our ends lets an idle worker finish by itself (EOF on every connection)...
    for (auto& inst : instances)
      for (int fd : inst->conns) shutdown(fd, SHUT_RDWR);
    cv_.notify_all();
  }
  // ...and a worker stuck in a model call is killed after a short grace period.
  const int64_t grace = NowMs() + 2000;
  for (auto& inst : instances) {
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait_until(lk, std::chrono::steady_clock::now() + std::chrono::milliseconds(std::max<int64_t>(0, grace - NowMs())),
                   [&] { return inst->exited; });
    if (!inst->exited) {
      lk.unlock();
      Kill(inst, "the model is being unloaded");
    }
  }
  if (monitor_.joinable()) monitor_.join();
  {
    std::lock_guard<std::mutex> lk(mu_);
    instances = all_;
  }
  for (auto& inst : instances)
    if (inst->drain.joinable()) inst->drain.join();
}

pid_t Supervisor::current_pid() {
  std::lock_guard<std::mutex> lk(mu_);
  return current_ ? current_->pid : -1;
}

int Supervisor::restarts() {
  std::lock_guard<std::mutex> lk(mu_);
  return restarts_;
}

void Supervisor::Kill(const std::shared_ptr<Instance>& inst, const std::string& reason) {
  std::lock_guard<std::mutex> lk(mu_);
  if (inst->exited) return;  // reaped: the pid may belong to someone else now
  if (inst->kill_reason.empty()) inst->kill_reason = reason;
#ifdef SYS_pidfd_send_signal
  if (inst->pidfd >= 0 && syscall(SYS_pidfd_send_signal, inst->pidfd, SIGKILL, nullptr, 0) == 0) return;
#endif
  kill(inst->pid, SIGKILL);
}

std::string Supervisor::WaitForDeath(const std::shared_ptr<Instance>& inst, int64_t wait_ms) {
  std::unique_lock<std::mutex> lk(mu_);
  cv_.wait_for(lk, std::chrono::milliseconds(wait_ms), [&] { return inst->exited; });
  return inst->exited ? inst->death : std::string();
}

std::string Supervisor::Tail(const std::shared_ptr<Instance>& inst, size_t lines) {
  std::lock_guard<std::mutex> lk(mu_);
  std::string out;
  size_t skip = inst->tail.size() > lines ? inst->tail.size() - lines : 0;
  for (size_t i = skip; i < inst->tail.size(); ++i) out += "  " + inst->tail[i] + "\n";
  if (out.empty()) out = "  (none)\n";
  out.pop_back();
  return out;
}

// Logs the worker's stdout/stderr line by line, and reaps the worker when it ends (pidfd readable,
// or the output closed where pidfds are missing). Wakes every waiter once the death is recorded.
void Supervisor::Drain(std::shared_ptr<Instance> inst) {
  const std::string prefix = "[python worker " + std::to_string(inst->pid) + "] ";
  std::string pending;
  char buf[8192];
  bool out_open = true, process_gone = false;
  auto flush_lines = [&](bool all) {
    size_t nl;
    while ((nl = pending.find('\n')) != std::string::npos || (all && !pending.empty())) {
      std::string line = nl == std::string::npos ? pending : pending.substr(0, nl);
      pending.erase(0, nl == std::string::npos ? pending.size() : nl + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      Log(SH_LOG_INFO, prefix + line);
      std::lock_guard<std::mutex> lk(mu_);
      inst->tail.push_back(std::move(line));
      if (inst->tail.size() > kTailLines) inst->tail.pop_front();
    }
  };
  while (out_open || !process_gone) {
    pollfd p[2] = {{out_open ? inst->log_fd : -1, POLLIN, 0}, {process_gone ? -1 : inst->pidfd, POLLIN, 0}};
    int n = poll(p, 2, process_gone ? 200 : (inst->pidfd >= 0 ? -1 : 200));
    if (n < 0 && errno != EINTR) break;
    if (out_open && (p[0].revents & (POLLIN | POLLHUP | POLLERR))) {
      ssize_t got = read(inst->log_fd, buf, sizeof buf);
      if (got > 0) {
        pending.append(buf, static_cast<size_t>(got));
        flush_lines(false);
      } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
        out_open = false;
      }
    }
    if (!process_gone) {
      bool check = inst->pidfd < 0 ? !out_open || n == 0 : (p[1].revents & POLLIN) != 0;
      if (check) {
        int st = 0;
        std::lock_guard<std::mutex> lk(mu_);  // reap under mu_: Kill never signals a reaped pid
        if (waitpid(inst->pid, &st, WNOHANG) == inst->pid) {
          process_gone = true;
          inst->death = DescribeWaitStatus(st);
        }
      }
    } else if (n == 0) {
      break;  // the process is gone and its output stayed quiet: a grandchild may hold the pipe
    }
  }
  flush_lines(true);
  {
    std::lock_guard<std::mutex> lk(mu_);
    inst->exited = true;
    for (int fd : inst->conns) shutdown(fd, SHUT_RDWR);  // wakes calls still waiting on it
  }
  cv_.notify_all();
}

std::shared_ptr<Instance> Supervisor::Launch(std::string* loaded, std::string* failure, bool* crashed) {
  *crashed = false;
  const int n = std::max(1, cfg_.connections);
  std::vector<int> parent_ends, child_ends;
  auto close_all = [&] {
    for (int fd : parent_ends) close(fd);
    for (int fd : child_ends) close(fd);
  };
  for (int i = 0; i < n; ++i) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
      close_all();
      *failure = std::string("socketpair: ") + std::strerror(errno);
      return nullptr;
    }
    parent_ends.push_back(sv[0]);
    child_ends.push_back(sv[1]);
  }
  SpawnSpec spec;
  spec.argv = {cfg_.worker_exe, "--python", cfg_.venv_python, "--glue", cfg_.glue_dir};
  for (int i = 0; i < n; ++i) {
    spec.argv.push_back("--fd");
    spec.argv.push_back(std::to_string(3 + i));
    spec.fd_map.emplace_back(child_ends[i], 3 + i);
  }
  spec.env = cfg_.env;
  Spawned child;
  try {
    child = Spawn(spec);
  } catch (const std::exception& e) {
    close_all();
    *failure = e.what();
    return nullptr;
  }
  for (int fd : child_ends) close(fd);
  child_ends.clear();

  auto inst = std::make_shared<Instance>();
  inst->pid = child.pid;
  inst->pidfd = PidFdOpen(child.pid);
  inst->log_fd = child.output_fd;
  inst->conns = parent_ends;
  parent_ends.clear();
  {
    std::lock_guard<std::mutex> lk(mu_);
    all_.push_back(inst);
  }
  inst->drain = std::thread(&Supervisor::Drain, this, inst);

  auto fail = [&](const std::string& why, bool crash) -> std::shared_ptr<Instance> {
    Kill(inst, why);
    std::string death = WaitForDeath(inst, 10000);
    *failure = why + (death.empty() ? "" : "; the worker (pid " + std::to_string(inst->pid) + ") " + death) +
               "; last worker output:\n" + Tail(inst, 20);
    *crashed = crash;
    if (inst->drain.joinable()) inst->drain.join();
    std::lock_guard<std::mutex> lk(mu_);
    std::erase(all_, inst);
    return nullptr;
  };

  MsgType type;
  std::string payload, err;
  IoResult r = ReadFrame(inst->conns[0], &type, &payload, NowMs() + cfg_.hello_timeout_ms, &err);
  if (r == IoResult::kTimeout)
    return fail("the python worker did not start within " + Seconds(cfg_.hello_timeout_ms), true);
  if (r != IoResult::kOk || type != MsgType::kHello) return fail("the python worker ended during start-up", true);
  Log(SH_LOG_INFO, "python worker " + std::to_string(inst->pid) + " for " + cfg_.label + " is up: " + payload);
  r = WriteFrame(inst->conns[0], MsgType::kLoad, cfg_.load_request, NowMs() + cfg_.hello_timeout_ms, &err);
  if (r == IoResult::kOk) r = ReadFrame(inst->conns[0], &type, &payload, NowMs() + cfg_.load_timeout_ms, &err);
  if (r == IoResult::kTimeout)
    return fail("loading the model took longer than " + Seconds(cfg_.load_timeout_ms) +
                    " (SCOREHOST_PYTHON_LOAD_TIMEOUT)",
                false);
  if (r != IoResult::kOk) return fail("the python worker ended while loading the model", true);
  if (type == MsgType::kError) return fail("the model failed to load: " + DescribeError(payload, nullptr), false);
  if (type != MsgType::kLoaded) return fail("the python worker answered LOAD with frame type " +
                                                std::to_string(static_cast<int>(type)), false);
  *loaded = payload;
  std::lock_guard<std::mutex> lk(mu_);
  for (int i = n - 1; i >= 0; --i) inst->free.push_back(i);
  return inst;
}

std::string Supervisor::Start() {
  std::string loaded, failure;
  bool crashed = false;
  for (int attempt = 1; attempt <= std::max(1, cfg_.load_attempts); ++attempt) {
    auto inst = Launch(&loaded, &failure, &crashed);
    if (inst) {
      std::lock_guard<std::mutex> lk(mu_);
      current_ = inst;
      started_ = true;
      monitor_ = std::thread(&Supervisor::Monitor, this);
      return loaded;
    }
    if (!crashed) throw Error(SH_FAILED_PRECONDITION, failure);
    Log(SH_LOG_WARN, "python worker for " + cfg_.label + " crashed while loading the model (attempt " +
                         std::to_string(attempt) + " of " + std::to_string(cfg_.load_attempts) + "): " + failure);
  }
  throw Error(SH_INTERNAL, "the python worker crashed while loading the model, " + std::to_string(cfg_.load_attempts) +
                               " times; last attempt: " + failure);
}

// Restarts the worker whenever the current one ends, with exponential back-off while restarts
// fail. Calls waiting for a connection wake up on every change.
void Supervisor::Monitor() {
  std::unique_lock<std::mutex> lk(mu_);
  while (!stopping_) {
    cv_.wait(lk, [&] { return stopping_ || (current_ && current_->exited); });
    if (stopping_) break;
    std::shared_ptr<Instance> dead = std::move(current_);
    current_.reset();
    last_failure_ = "the python worker (pid " + std::to_string(dead->pid) + ") " + dead->death +
                    (dead->kill_reason.empty() ? "" : " (" + dead->kill_reason + ")");
    Log(SH_LOG_WARN, last_failure_ + "; restarting it");
    lk.unlock();
    if (dead->drain.joinable()) dead->drain.join();
    lk.lock();
    std::erase(all_, dead);
    int failures = 0;
    while (!stopping_ && !current_) {
      lk.unlock();
      std::string loaded, failure;
      bool crashed = false;
      auto inst = Launch(&loaded, &failure, &crashed);
      lk.lock();
      if (inst) {
        if (stopping_) break;  // the destructor kills it with the rest of all_
        current_ = inst;
        ++restarts_;
        Log(SH_LOG_INFO, "python worker for " + cfg_.label + " restarted (pid " + std::to_string(inst->pid) + ")");
        cv_.notify_all();
        break;
      }
      ++failures;
      last_failure_ = "restarting the python worker failed: " + failure;
      Log(SH_LOG_ERROR, last_failure_);
      cv_.notify_all();
      auto backoff = std::chrono::milliseconds(std::min<int64_t>(30000, int64_t{500} << std::min(failures, 6)));
      cv_.wait_for(lk, backoff, [&] { return stopping_; });
    }
  }
}

void Supervisor::Call(MsgType type, const std::string& request, MsgType* reply_type, std::string* reply) {
  std::shared_ptr<Instance> inst;
  int slot = -1;
  {
    std::unique_lock<std::mutex> lk(mu_);
    // A restart in progress is waited for (the request after a crash should succeed); a worker
    // that cannot be restarted within the load timeout fails the call.
    const int64_t give_up = NowMs() + cfg_.load_timeout_ms;
    for (;;) {
      if (stopping_) throw Error(SH_UNAVAILABLE, "the model is being unloaded");
      if (current_ && !current_->exited && !current_->free.empty()) {
        inst = current_;
        slot = inst->free.back();
        inst->free.pop_back();
        break;
      }
      if (NowMs() > give_up)
        throw Error(SH_UNAVAILABLE, current_ ? "every connection to the python worker stayed busy for " +
                                                   Seconds(cfg_.load_timeout_ms)
                                             : "the python worker is not available: " + last_failure_);
      cv_.wait_for(lk, std::chrono::milliseconds(200));
    }
  }
  const int fd = inst->conns[slot];
  const int64_t deadline = NowMs() + cfg_.call_timeout_ms;
  std::string err;
  IoResult r = WriteFrame(fd, type, request, deadline, &err);
  if (r == IoResult::kOk) r = ReadFrame(fd, reply_type, reply, deadline, &err);
  if (r == IoResult::kOk) {
    std::lock_guard<std::mutex> lk(mu_);
    if (!inst->exited) inst->free.push_back(slot);
    cv_.notify_all();
    return;
  }
  const std::string who = "the python worker (pid " + std::to_string(inst->pid) + ")";
  if (r == IoResult::kTimeout) {
    Kill(inst, "a call exceeded the per-call deadline of " + Seconds(cfg_.call_timeout_ms));
    WaitForDeath(inst, 5000);
    throw Error(SH_UNAVAILABLE, who + " did not answer within the per-call deadline of " +
                                    Seconds(cfg_.call_timeout_ms) +
                                    " (SCOREHOST_PYTHON_CALL_TIMEOUT); it was killed and is being restarted");
  }
  if (r == IoResult::kError) Kill(inst, "protocol error: " + err);
  std::string death = WaitForDeath(inst, 5000);
  std::string reason;
  {
    std::lock_guard<std::mutex> lk(mu_);
    reason = inst->kill_reason;
  }
  throw Error(SH_UNAVAILABLE, who + (death.empty() ? " ended" : " " + death) + " while this call was in flight" +
                                  (reason.empty() ? "" : " (" + reason + ")") +
                                  "; it is being restarted. Last worker output:\n" + Tail(inst, 12));
}

}  // namespace scorehost::pyworker
