// scorehost-pyworker<X.Y>: the per-model worker process of the python plugin.
//
// Embeds the CPython it was linked against (one executable per Python minor version), activates the
// model's virtualenv, loads the model through the glue module (scorehost_pyworker.py) and serves
// SCORE frames on the sockets it inherited (one thread per socket = per concurrent call slot).
// Why a separate process at all: see design.md §5 and plugins/python/README.md.
//
// Usage (the plugin is the only caller):
//   scorehost-pyworker3.11 --python <venv>/bin/python --glue <dir> --fd 3 [--fd 4 ...]
// The first --fd carries the handshake (HELLO, LOAD -> LOADED/ERROR); every fd then serves SCORE.
//
// Python-side rules kept here:
//   - isolated PyConfig with `executable` = the venv's python and no `home`, so site.py activates the
//     venv exactly as running <venv>/bin/python would (verified for 3.10-3.12, see python.md §2.2);
//   - no Python signal handlers: install_signal_handlers = 0, and after every phase that may import
//     `signal` (glue import, model load) the dispositions of the termination signals are put back to
//     the defaults, so SIGTERM/SIGINT from the supervisor end the process instead of raising
//     KeyboardInterrupt somewhere in a model;
//   - no Python exception crosses into C++: the glue returns errors as values, and any C-API failure
//     here is fetched, formatted with its traceback and sent back as an ERROR frame;
//   - the GIL is held only while building Python objects and calling the model; socket I/O runs
//     without it, so calls on other connections proceed meanwhile;
//   - no Py_Finalize: extension modules with their own threads (torch, OpenMP) can crash in it, and
//     the process ends anyway. stdio is unbuffered (buffered_stdio = 0), so no output is lost.
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "protocol.hpp"

namespace pw = scorehost::pyworker;

namespace {

PyObject* g_glue = nullptr;  // the glue module; lives for the process

std::string JsonEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 16);
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

std::string ErrorJson(const char* kind, const std::string& message, const std::string& traceback) {
  return std::string("{\"kind\":\"") + kind + "\",\"message\":\"" + JsonEscape(message) + "\",\"traceback\":\"" +
         JsonEscape(traceback) + "\"}";
}

std::string Utf8Of(PyObject* s) {
  if (s == nullptr || !PyUnicode_Check(s)) return {};
  Py_ssize_t n = 0;
  const char* p = PyUnicode_AsUTF8AndSize(s, &n);
  if (p == nullptr) {
    PyErr_Clear();
    return "<unprintable>";
  }
  return std::string(p, static_cast<size_t>(n));
}

// Takes the pending Python exception (GIL held) and returns "Traceback ...\nType: message".
// Uses PyErr_Fetch/NormalizeException, which exist on 3.10-3.13 (deprecated, not removed, in 3.12).
std::string TakePythonError(std::string* message_out = nullptr) {
  PyObject *type = nullptr, *value = nullptr, *tb = nullptr;
  PyErr_Fetch(&type, &value, &tb);
  if (type == nullptr) return "unknown error (no Python exception set)";
  PyErr_NormalizeException(&type, &value, &tb);
  if (tb && value) PyException_SetTraceback(value, tb);
  std::string text, message;
  if (value) {
    PyObject* str = PyObject_Str(value);
    message = Utf8Of(str);
    Py_XDECREF(str);
    PyErr_Clear();
    PyObject* mod = PyImport_ImportModule("traceback");
    PyObject* lines = mod ? PyObject_CallMethod(mod, "format_exception", "O", value) : nullptr;
    if (lines) {
      PyObject* empty = PyUnicode_FromString("");
      PyObject* joined = PyUnicode_Join(empty, lines);
      text = Utf8Of(joined);
      Py_XDECREF(joined);
      Py_XDECREF(empty);
    }
    Py_XDECREF(lines);
    Py_XDECREF(mod);
    PyErr_Clear();
  }
  if (message_out) *message_out = message;
  Py_XDECREF(type);
  Py_XDECREF(value);
  Py_XDECREF(tb);
  return text.empty() ? message : text;
}

// Puts the termination signals back to their defaults (a model or library may have imported
// `signal`, which installs CPython's SIGINT handler even in isolated mode) and keeps SIGPIPE
// ignored (socket writes use MSG_NOSIGNAL anyway). faulthandler's handlers for fatal signals
// (SIGSEGV, SIGABRT, ...) are kept on purpose: they print the Python stack to stderr, which the
// supervisor logs, and then re-raise, so the process still dies of the signal.
void RestoreSignalDefaults() {
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2}) signal(sig, SIG_DFL);
  signal(SIGPIPE, SIG_IGN);
}

// Calls glue.<name>(arg) where arg is a str; returns the (ok, text) pair the glue returns.
bool CallGlueText(const char* name, const std::string& arg, std::string* text, std::string* error_json) {
  PyObject* res = PyObject_CallMethod(g_glue, name, "s#", arg.data(), static_cast<Py_ssize_t>(arg.size()));
  if (res == nullptr) {
    std::string msg;
    std::string tb = TakePythonError(&msg);
    *error_json = ErrorJson("internal", msg, tb);
    return false;
  }
  bool ok = false;
  if (PyTuple_Check(res) && PyTuple_Size(res) == 2) {
    ok = PyObject_IsTrue(PyTuple_GetItem(res, 0)) == 1;
    *(ok ? text : error_json) = Utf8Of(PyTuple_GetItem(res, 1));
  } else {
    *error_json = ErrorJson("internal", std::string("glue.") + name + " returned an unexpected value", "");
  }
  Py_DECREF(res);
  return ok;
}

// ---- SCORE: column block -> Python -> column block ---------------------------------------------

// Builds the glue's input: [(name, type, data, nulls)], GIL held. Returns nullptr with an exception.
PyObject* ColumnsToPython(const pw::WireBlock& block) {
  const uint64_t rows = block.rows;
  PyObject* list = PyList_New(static_cast<Py_ssize_t>(block.columns.size()));
  if (!list) return nullptr;
  for (size_t c = 0; c < block.columns.size(); ++c) {
    const pw::WireColumn& col = block.columns[c];
    PyObject* data = nullptr;
    PyObject* nulls = nullptr;
    if (col.validity) {  // one byte per row, 1 = null: what numpy wants for a boolean mask
      nulls = PyBytes_FromStringAndSize(nullptr, static_cast<Py_ssize_t>(rows));
      if (!nulls) break;
      char* m = PyBytes_AS_STRING(nulls);
      for (uint64_t r = 0; r < rows; ++r) m[r] = col.IsValid(r) ? 0 : 1;
    } else {
      nulls = Py_NewRef(Py_None);
    }
    if (col.type == 1) {  // bitmap -> one byte per row
      data = PyBytes_FromStringAndSize(nullptr, static_cast<Py_ssize_t>(rows));
      if (data) {
        char* d = PyBytes_AS_STRING(data);
        for (uint64_t r = 0; r < rows; ++r) d[r] = static_cast<char>((col.values[r / 8] >> (r % 8)) & 1u);
      }
    } else if (size_t w = pw::FixedWidth(col.type)) {
      // One copy into a bytes object the numpy array can keep referring to after this call.
      data = PyBytes_FromStringAndSize(reinterpret_cast<const char*>(col.values), static_cast<Py_ssize_t>(rows * w));
    } else {  // strings: a list of str (None for nulls); invalid UTF-8 is replaced, never fatal
      data = PyList_New(static_cast<Py_ssize_t>(rows));
      for (uint64_t r = 0; data && r < rows; ++r) {
        PyObject* item;
        if (!col.IsValid(r)) {
          item = Py_NewRef(Py_None);
        } else {
          uint32_t a, b;
          std::memcpy(&a, col.values + r * 4, 4);
          std::memcpy(&b, col.values + (r + 1) * 4, 4);
          item = PyUnicode_DecodeUTF8(reinterpret_cast<const char*>(col.chars) + a, b - a, "replace");
          if (!item) {
            Py_CLEAR(data);
            break;
          }
        }
        PyList_SET_ITEM(data, static_cast<Py_ssize_t>(r), item);
      }
    }
    if (!data) {
      Py_XDECREF(nulls);
      Py_DECREF(list);
      return nullptr;
    }
    PyObject* name = PyUnicode_DecodeUTF8(col.name.data(), static_cast<Py_ssize_t>(col.name.size()), "replace");
    PyObject* tuple = name ? Py_BuildValue("(NiNN)", name, static_cast<int>(col.type), data, nulls) : nullptr;
    if (!tuple) {
      Py_DECREF(list);
      return nullptr;
    }
    PyList_SET_ITEM(list, static_cast<Py_ssize_t>(c), tuple);
  }
  return list;
}

// Reads a buffer-protocol object (numpy array or bytes) as a contiguous byte range.
struct BufferView {
  Py_buffer view{};
  bool ok = false;
  explicit BufferView(PyObject* obj) { ok = PyObject_GetBuffer(obj, &view, PyBUF_C_CONTIGUOUS) == 0; }
  ~BufferView() {
    if (ok) PyBuffer_Release(&view);
  }
  const uint8_t* data() const { return static_cast<const uint8_t*>(view.buf); }
  size_t size() const { return static_cast<size_t>(view.len); }
};

// Encodes the glue's output [(name, type, data, nulls)] for `rows` rows. GIL held. false + *error.
bool PythonToColumns(PyObject* cols, uint64_t rows, std::string* out, std::string* error) {
  if (!PyList_Check(cols)) {
    *error = "glue returned a non-list of columns";
    return false;
  }
  pw::BlockWriter writer(out);
  const Py_ssize_t n = PyList_Size(cols);
  writer.Begin(rows, static_cast<uint32_t>(n));
  for (Py_ssize_t c = 0; c < n; ++c) {
    PyObject* t = PyList_GetItem(cols, c);
    if (!PyTuple_Check(t) || PyTuple_Size(t) != 4) {
      *error = "glue returned a malformed column";
      return false;
    }
    std::string name = Utf8Of(PyTuple_GetItem(t, 0));
    long type = PyLong_AsLong(PyTuple_GetItem(t, 1));
    PyObject* data = PyTuple_GetItem(t, 2);
    PyObject* nulls = PyTuple_GetItem(t, 3);
    std::vector<uint8_t> validity;
    if (nulls != Py_None) {
      BufferView m(nulls);
      if (!m.ok || m.size() != rows) {
        PyErr_Clear();
        *error = "column " + name + ": null mask has the wrong size";
        return false;
      }
      validity.assign(pw::BitmapBytes(rows), 0);
      for (uint64_t r = 0; r < rows; ++r)
        if (!m.data()[r]) validity[r / 8] |= static_cast<uint8_t>(1u << (r % 8));
    }
    const uint8_t* vptr = validity.empty() ? nullptr : validity.data();
    if (type == 1) {
      BufferView b(data);
      if (!b.ok || b.size() != rows) {
        PyErr_Clear();
        *error = "column " + name + ": bool values have the wrong size";
        return false;
      }
      std::vector<uint8_t> bits(pw::BitmapBytes(rows), 0);
      for (uint64_t r = 0; r < rows; ++r)
        if (b.data()[r]) bits[r / 8] |= static_cast<uint8_t>(1u << (r % 8));
      writer.Column(name, 1, vptr, bits.data(), bits.size(), nullptr, 0);
    } else if (size_t w = pw::FixedWidth(static_cast<uint8_t>(type))) {
      BufferView b(data);
      if (!b.ok || b.size() != rows * w) {
        PyErr_Clear();
        *error = "column " + name + ": values have the wrong size";
        return false;
      }
      writer.Column(name, static_cast<uint8_t>(type), vptr, b.data(), b.size(), nullptr, 0);
    } else if (type == 6 || type == 7) {
      if (!PyList_Check(data) || static_cast<uint64_t>(PyList_Size(data)) != rows) {
        *error = "column " + name + ": string values have the wrong size";
        return false;
      }
      std::vector<uint32_t> offsets(rows + 1, 0);
      std::string chars;
      std::vector<uint8_t> svalid;
      for (uint64_t r = 0; r < rows; ++r) {
        PyObject* item = PyList_GetItem(data, static_cast<Py_ssize_t>(r));
        if (item == Py_None) {
          if (svalid.empty()) svalid.assign(pw::BitmapBytes(rows), 0xFF);
          svalid[r / 8] &= static_cast<uint8_t>(~(1u << (r % 8)));
        } else {
          Py_ssize_t len = 0;
          const char* s = PyUnicode_Check(item) ? PyUnicode_AsUTF8AndSize(item, &len) : nullptr;
          if (!s) {
            PyErr_Clear();
            *error = "column " + name + ": row " + std::to_string(r) + " is not a str";
            return false;
          }
          chars.append(s, static_cast<size_t>(len));
          if (chars.size() > UINT32_MAX) {
            *error = "column " + name + ": more than 4 GiB of text";
            return false;
          }
        }
        offsets[r + 1] = static_cast<uint32_t>(chars.size());
      }
      if (!svalid.empty() && vptr)  // both a mask and None values: combine
        for (size_t i = 0; i < svalid.size(); ++i) svalid[i] &= validity[i];
      const uint8_t* sv = svalid.empty() ? vptr : svalid.data();
      std::string head(reinterpret_cast<const char*>(offsets.data()), offsets.size() * 4);
      writer.Column(name, static_cast<uint8_t>(type), sv, head.data(), head.size(), chars.data(), chars.size());
    } else {
      *error = "column " + name + ": unknown type " + std::to_string(type);
      return false;
    }
  }
  return true;
}

// Handles one scoring frame (`op`: pw::ScoringOperation of its type); fills the reply frame.
// Takes and releases the GIL.
void HandleScore(const std::string& payload, const char* op, pw::MsgType* reply_type, std::string* reply) {
  pw::WireBlock block;
  std::string why;
  if (!pw::DecodeColumns(payload, &block, &why)) {
    *reply_type = pw::MsgType::kError;
    *reply = ErrorJson("internal", why, "");
    return;
  }
  PyGILState_STATE gil = PyGILState_Ensure();
  *reply_type = pw::MsgType::kError;
  PyObject* cols = ColumnsToPython(block);
  PyObject* res = cols ? PyObject_CallMethod(g_glue, "predict", "KOs", static_cast<unsigned long long>(block.rows), cols, op)
                       : nullptr;
  Py_XDECREF(cols);
  if (res == nullptr) {
    std::string msg;
    std::string tb = TakePythonError(&msg);
    *reply = ErrorJson("internal", msg, tb);
  } else if (PyTuple_Check(res) && PyTuple_Size(res) == 3 && PyObject_IsTrue(PyTuple_GetItem(res, 0)) == 1) {
    // (True, rows, columns)
    uint64_t out_rows = PyLong_AsUnsignedLongLong(PyTuple_GetItem(res, 1));
    std::string block_out;
    if (PyErr_Occurred()) {
      std::string msg;
      *reply = ErrorJson("internal", "bad row count from glue", TakePythonError(&msg));
    } else if (PythonToColumns(PyTuple_GetItem(res, 2), out_rows, &block_out, &why)) {
      *reply_type = pw::MsgType::kResult;
      *reply = std::move(block_out);
    } else {
      *reply = ErrorJson("internal", why, "");
    }
  } else if (PyTuple_Check(res) && PyTuple_Size(res) == 3) {
    // (False, error_json, unused)
    *reply = Utf8Of(PyTuple_GetItem(res, 1));
  } else {
    *reply = ErrorJson("internal", "glue.predict returned an unexpected value", "");
  }
  Py_XDECREF(res);
  PyGILState_Release(gil);
}

void ServeConnection(int fd) {
  // Conversation threads never take asynchronous signals; the main thread (or the default action,
  // which kills the whole process) does.
  sigset_t all;
  sigfillset(&all);
  for (int s : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) sigdelset(&all, s);
  pthread_sigmask(SIG_BLOCK, &all, nullptr);
  std::string payload, reply, error;
  for (;;) {
    pw::MsgType type;
    if (pw::ReadFrame(fd, &type, &payload, -1, &error) != pw::IoResult::kOk) return;  // EOF: supervisor is done
    pw::MsgType reply_type;
    if (const char* op = pw::ScoringOperation(type)) {
      HandleScore(payload, op, &reply_type, &reply);
    } else {
      reply_type = pw::MsgType::kError;
      reply = ErrorJson("internal", "unexpected frame type " + std::to_string(static_cast<int>(type)), "");
    }
    if (pw::WriteFrame(fd, reply_type, reply, -1, &error) != pw::IoResult::kOk) return;
  }
}

[[noreturn]] void Die(int code, const std::string& why) {
  std::fprintf(stderr, "scorehost-pyworker: %s\n", why.c_str());
  std::fflush(stderr);
  _exit(code);
}

}  // namespace

int main(int argc, char** argv) {
  std::string python, glue;
  std::vector<int> fds;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string key = argv[i];
    if (key == "--python") python = argv[i + 1];
    else if (key == "--glue") glue = argv[i + 1];
    else if (key == "--fd") fds.push_back(std::atoi(argv[i + 1]));
    else Die(64, "unknown argument " + key);
  }
  if (python.empty() || glue.empty() || fds.empty()) Die(64, "usage: --python <venv python> --glue <dir> --fd N...");
  signal(SIGPIPE, SIG_IGN);

  // The supervisor normally ends us by closing the sockets or with SIGKILL. If the host process
  // itself dies (even by SIGKILL), nothing closes our sockets while a model call hangs, so watch
  // for re-parenting and leave.
  const pid_t parent = getppid();
  std::thread([parent] {
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, nullptr);
    for (;;) {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      if (getppid() != parent) _exit(0);
    }
  }).detach();

  PyConfig config;
  PyConfig_InitIsolatedConfig(&config);
  config.install_signal_handlers = 0;
  config.buffered_stdio = 0;
  config.write_bytecode = 0;
  config.site_import = 1;
  config.parse_argv = 0;
  PyStatus st = PyConfig_SetBytesString(&config, &config.program_name, python.c_str());
  if (!PyStatus_Exception(st)) st = PyConfig_SetBytesString(&config, &config.executable, python.c_str());
  if (!PyStatus_Exception(st)) st = Py_InitializeFromConfig(&config);
  PyConfig_Clear(&config);
  if (PyStatus_Exception(st))
    Die(70, std::string("Python initialisation failed: ") + (st.func ? st.func : "") + ": " + (st.err_msg ? st.err_msg : ""));

  PyObject* path = PySys_GetObject("path");  // borrowed
  PyObject* glue_dir = PyUnicode_DecodeFSDefault(glue.c_str());
  if (!path || !glue_dir || PyList_Insert(path, 0, glue_dir) != 0) Die(70, "cannot extend sys.path: " + TakePythonError());
  Py_DECREF(glue_dir);
  g_glue = PyImport_ImportModule("scorehost_pyworker");
  if (!g_glue) Die(71, "cannot import the glue module from " + glue + ":\n" + TakePythonError());
  RestoreSignalDefaults();

  const int control = fds.front();
  std::string hello, error_json, error;
  if (!CallGlueText("hello", "", &hello, &error_json)) Die(71, "glue.hello failed: " + error_json);
  if (pw::WriteFrame(control, pw::MsgType::kHello, hello, -1, &error) != pw::IoResult::kOk) Die(0, "supervisor gone");

  pw::MsgType type;
  std::string request;
  if (pw::ReadFrame(control, &type, &request, -1, &error) != pw::IoResult::kOk) _exit(0);
  if (type != pw::MsgType::kLoad) Die(65, "expected LOAD, got frame type " + std::to_string(static_cast<int>(type)));
  std::string loaded;
  bool ok = CallGlueText("load", request, &loaded, &error_json);
  RestoreSignalDefaults();
  if (!ok) {
    pw::WriteFrame(control, pw::MsgType::kError, error_json, -1, &error);
    std::fflush(stderr);
    _exit(3);
  }
  if (pw::WriteFrame(control, pw::MsgType::kLoaded, loaded, -1, &error) != pw::IoResult::kOk) _exit(0);

  PyThreadState* main_state = PyEval_SaveThread();  // from here on, threads take the GIL per call
  std::vector<std::thread> threads;
  for (int fd : fds) threads.emplace_back(ServeConnection, fd);
  for (std::thread& t : threads) t.join();
  PyEval_RestoreThread(main_state);
  _exit(0);
}
