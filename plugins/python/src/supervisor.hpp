// One supervised worker process per model: start-up handshake, per-call deadlines, kill and
// restart of a dead or hung worker. See plugins/python/README.md, "Supervision".
#pragma once

#include <sys/types.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "protocol.hpp"

namespace scorehost::pyworker {

struct WorkerConfig {
  std::string label;        // for log lines, e.g. the runtime name
  std::string worker_exe;   // scorehost-pyworker3.X
  std::string venv_python;  // <env>/bin/python
  std::string glue_dir;
  std::string load_request;           // LOAD payload (JSON)
  std::vector<std::string> env;       // the worker's whole environment
  int connections = 1;                // concurrent call slots
  int64_t hello_timeout_ms = 60000;   // interpreter up + glue imported
  int64_t load_timeout_ms = 600000;   // model loaded
  int64_t call_timeout_ms = 120000;   // one score call
  int load_attempts = 2;              // crashes tolerated at the first load
};

struct Instance;

class Supervisor {
 public:
  explicit Supervisor(WorkerConfig config);
  ~Supervisor();  // kills the worker and joins every thread
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  // Starts the first worker and loads the model; returns the LOADED document. Throws
  // scorehost::plugin::Error with the Python traceback (load error) or the last stderr lines (crash).
  std::string Start();

  // One request/response exchange on a free connection. On a worker failure throws
  // Error(SH_UNAVAILABLE) saying what happened; the worker is restarted in the background.
  void Call(MsgType type, const std::string& request, MsgType* reply_type, std::string* reply);

  pid_t current_pid();
  int restarts();

 private:
  std::shared_ptr<Instance> Launch(std::string* loaded, std::string* failure, bool* crashed);
  void Drain(std::shared_ptr<Instance> inst);
  void Monitor();
  void Kill(const std::shared_ptr<Instance>& inst, const std::string& reason);
  std::string WaitForDeath(const std::shared_ptr<Instance>& inst, int64_t wait_ms);
  std::string Tail(const std::shared_ptr<Instance>& inst, size_t lines);

  WorkerConfig cfg_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::shared_ptr<Instance> current_;  // null while restarting
  std::vector<std::shared_ptr<Instance>> all_;  // every instance whose drain thread may run
  std::string last_failure_;
  bool stopping_ = false;
  bool started_ = false;
  int restarts_ = 0;
  std::thread monitor_;
};

}  // namespace scorehost::pyworker
