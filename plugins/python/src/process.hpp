// Child processes for the python plugin: the venv/pip commands and the worker executables.
//
// Children are started with posix_spawn (safe in a multi-threaded host, unlike fork + arbitrary
// code), in their own process group (a Ctrl-C on the host's terminal is the host's to handle),
// with default signal dispositions and an empty signal mask, stdin from /dev/null and stdout +
// stderr on one pipe that the plugin reads line by line into the host log.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace scorehost::pyworker {

struct SpawnSpec {
  std::vector<std::string> argv;               // argv[0] is an absolute path
  std::vector<std::string> env;                // the child's whole environment, "KEY=VALUE"
  std::vector<std::pair<int, int>> fd_map;     // parent fd -> fd number in the child (>= 3)
  std::string cwd;                             // empty: inherit
};

struct Spawned {
  pid_t pid = -1;
  int output_fd = -1;  // read end of the child's stdout+stderr pipe (O_CLOEXEC)
};

// Throws std::runtime_error with errno text on failure.
Spawned Spawn(const SpawnSpec& spec);

// "exited with status 3", "was killed by signal 9 (SIGKILL)".
std::string DescribeWaitStatus(int wait_status);

// The current environment with `set` applied and the `remove` keys dropped.
std::vector<std::string> EnvironmentWith(const std::map<std::string, std::string>& set,
                                         const std::vector<std::string>& remove);

// Runs a command to completion, passing every output line to `on_line`. Kills the child (SIGKILL)
// when `timeout_ms` (>= 0) passes and sets *timed_out. Returns the wait status.
int RunStreaming(const SpawnSpec& spec, const std::function<void(std::string_view)>& on_line, int64_t timeout_ms,
                 bool* timed_out);

// pidfd_open(2), or -1 where the kernel lacks it.
int PidFdOpen(pid_t pid);

}  // namespace scorehost::pyworker
