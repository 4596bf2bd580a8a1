#include "process.hpp"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

#include "protocol.hpp"

extern char** environ;

namespace scorehost::pyworker {

int PidFdOpen(pid_t pid) {
#ifdef SYS_pidfd_open
  return static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
#else
  (void)pid;
  return -1;
#endif
}

Spawned Spawn(const SpawnSpec& spec) {
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  // Move every source fd above every target first, so that no dup2 in the child clobbers a source
  // that a later dup2 still needs. The copies are O_CLOEXEC and closed here after the spawn.
  int highest_target = 2;
  for (auto& [from, to] : spec.fd_map) highest_target = std::max(highest_target, to);
  std::vector<int> sources;
  for (auto& [from, to] : spec.fd_map) {
    int high = fcntl(from, F_DUPFD_CLOEXEC, highest_target + 1);
    if (high < 0) {
      for (int s : sources) close(s);
      close(out[0]);
      close(out[1]);
      throw std::runtime_error(std::string("fcntl(F_DUPFD): ") + std::strerror(errno));
    }
    sources.push_back(high);
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, out[1], 2);
  for (size_t i = 0; i < sources.size(); ++i) posix_spawn_file_actions_adddup2(&actions, sources[i], spec.fd_map[i].second);
  if (!spec.cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, spec.cwd.c_str());

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t empty, all;
  sigemptyset(&empty);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);

  std::vector<char*> argv, envp;
  for (const std::string& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const std::string& e : spec.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  for (int s : sources) close(s);
  close(out[1]);
  if (rc != 0) {
    close(out[0]);
    throw std::runtime_error("cannot start " + spec.argv[0] + ": " + std::strerror(rc));
  }
  return Spawned{pid, out[0]};
}

std::string DescribeWaitStatus(int st) {
  if (WIFEXITED(st)) return "exited with status " + std::to_string(WEXITSTATUS(st));
  if (WIFSIGNALED(st)) {
    int sig = WTERMSIG(st);
    const char* abbrev = sigabbrev_np(sig);
    return "was killed by signal " + std::to_string(sig) + " (" + (abbrev ? std::string("SIG") + abbrev : "?") + ")";
  }
  return "ended with wait status " + std::to_string(st);
}

std::vector<std::string> EnvironmentWith(const std::map<std::string, std::string>& set,
                                         const std::vector<std::string>& remove) {
  std::vector<std::string> out;
  for (char** e = environ; e && *e; ++e) {
    std::string kv = *e;
    std::string key = kv.substr(0, kv.find('='));
    bool drop = set.count(key) > 0;
    for (const std::string& r : remove) drop = drop || r == key;
    if (!drop) out.push_back(std::move(kv));
  }
  for (auto& [k, v] : set) out.push_back(k + "=" + v);
  return out;
}

int RunStreaming(const SpawnSpec& spec, const std::function<void(std::string_view)>& on_line, int64_t timeout_ms,
                 bool* timed_out) {
  Spawned child = Spawn(spec);
  if (timed_out) *timed_out = false;
  const int64_t deadline = timeout_ms >= 0 ? NowMs() + timeout_ms : -1;
  std::string pending;
  char buf[4096];
  for (;;) {
    int wait_ms = 1000;
    if (deadline >= 0) {
      int64_t left = deadline - NowMs();
      if (left <= 0) {
        kill(child.pid, SIGKILL);
        if (timed_out) *timed_out = true;
        break;
      }
      wait_ms = static_cast<int>(std::min<int64_t>(left, 1000));
    }
    pollfd p{child.output_fd, POLLIN, 0};
    int n = poll(&p, 1, wait_ms);
    if (n < 0 && errno != EINTR) break;
    if (n <= 0) continue;
    ssize_t got = read(child.output_fd, buf, sizeof buf);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    pending.append(buf, static_cast<size_t>(got));
    size_t nl;
    while ((nl = pending.find_first_of("\n\r")) != std::string::npos) {
      if (nl > 0) on_line(std::string_view(pending.data(), nl));
      pending.erase(0, nl + 1);
    }
  }
  if (!pending.empty()) on_line(pending);
  close(child.output_fd);
  int st = 0;
  while (waitpid(child.pid, &st, 0) < 0 && errno == EINTR) {
  }
  return st;
}

}  // namespace scorehost::pyworker
