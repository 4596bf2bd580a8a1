// Error type of the MOJO core library. The plugin glue maps ErrorKind onto sh_status_code, so the
// core never depends on the ABI header.
#pragma once

#include <stdexcept>
#include <string>

namespace scorehost::h2o3 {

enum class ErrorKind {
  kNotFound,          // the artifact (or a file a caller asked for) does not exist
  kDataLoss,          // the artifact is corrupt, truncated, inconsistent or hostile
  kUnimplemented,     // a valid MOJO this scorer does not support (algorithm, version, encoding)
  kInvalidArgument,   // the data passed to a score call cannot be scored
};

class MojoError : public std::runtime_error {
 public:
  MojoError(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

[[noreturn]] inline void Fail(ErrorKind kind, const std::string& message) { throw MojoError(kind, message); }

}  // namespace scorehost::h2o3
