// A small append-only JSON text builder. Responses are built straight into one string: the
// shapes are fixed and small, so a DOM would only add allocations.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/json_string.h"

namespace scorehost::rest {

using scorehost::AppendJsonString;

// Tracks commas for one object or array level at a time; the caller opens/closes brackets.
class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  void BeginObject() { Separator(); out_ += '{'; first_ = true; }
  void EndObject() { out_ += '}'; first_ = false; }
  void BeginArray() { Separator(); out_ += '['; first_ = true; }
  void EndArray() { out_ += ']'; first_ = false; }
  void Key(std::string_view key) {
    Separator();
    AppendJsonString(out_, key);
    out_ += ':';
    first_ = true;  // the value that follows takes no comma
  }
  void String(std::string_view s) { Separator(); AppendJsonString(out_, s); }
  void NullableString(const std::optional<std::string>& s) {
    if (s) String(*s);
    else Null();
  }
  void Null() { Separator(); out_ += "null"; }
  void Bool(bool b) { Separator(); out_ += b ? "true" : "false"; }
  void Raw(std::string_view json) { Separator(); out_.append(json); }

  std::string& out() { return out_; }

 private:
  void Separator() {
    if (!first_) out_ += ',';
    first_ = false;
  }
  std::string& out_;
  bool first_ = true;
};

}  // namespace scorehost::rest
