// The host's error vocabulary: a code (the ABI's sh_status_code) plus a message, and Result<T>.
// Inside the host, fallible functions return these instead of throwing across component seams.
#pragma once

#include <scorehost/plugin_api.h>

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace scorehost {

class Status {
 public:
  Status() = default;  // OK
  Status(sh_status_code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) { return {SH_INVALID_ARGUMENT, std::move(m)}; }
  static Status NotFound(std::string m) { return {SH_NOT_FOUND, std::move(m)}; }
  static Status FailedPrecondition(std::string m) { return {SH_FAILED_PRECONDITION, std::move(m)}; }
  static Status Unimplemented(std::string m) { return {SH_UNIMPLEMENTED, std::move(m)}; }
  static Status Unavailable(std::string m) { return {SH_UNAVAILABLE, std::move(m)}; }
  static Status Internal(std::string m) { return {SH_INTERNAL, std::move(m)}; }
  static Status DataLoss(std::string m) { return {SH_DATA_LOSS, std::move(m)}; }

  bool ok() const { return code_ == SH_OK; }
  sh_status_code code() const { return code_; }
  const std::string& message() const { return message_; }

  // "INVALID_ARGUMENT: message"
  std::string ToString() const;

 private:
  sh_status_code code_ = SH_OK;
  std::string message_;
};

// The canonical upper-case name of a code, e.g. "INVALID_ARGUMENT".
const char* StatusCodeName(sh_status_code code);

// A value or an error. Deliberately small: ok(), status(), value(), operator*, operator->.
template <class T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status) : status_(std::move(status)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace scorehost
