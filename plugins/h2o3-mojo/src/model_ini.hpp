// model.ini: the [info] key/value section, the [columns] list and the [domains] index of a MOJO.
// Values stay raw strings and are parsed on request with Java's number grammar, like genmodel's
// ParseUtils does, so that "1.0E-5", "NaN", "Infinity" and "null" mean what they meant to Java.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace scorehost::h2o3 {

struct DomainRef {
  int column;         // index into columns
  int64_t count;      // number of levels the file must hold
  std::string file;   // file name under domains/
};

class ModelIni {
 public:
  // Throws MojoError(kDataLoss) naming `origin` when the text is not a valid model.ini.
  static ModelIni Parse(std::string_view text, const std::string& origin);

  bool Has(const std::string& key) const;
  // The raw value; nullopt when the key is absent or its value is "null".
  std::optional<std::string> String(const std::string& key) const;
  // Typed getters: nullopt when absent or "null"; throw kDataLoss when present but malformed.
  std::optional<bool> Bool(const std::string& key) const;
  std::optional<int64_t> Int(const std::string& key) const;
  std::optional<double> Double(const std::string& key) const;
  std::optional<std::vector<double>> Doubles(const std::string& key) const;
  std::optional<std::vector<int64_t>> Ints(const std::string& key) const;
  // A Java int[]: as Ints, and kDataLoss when a value does not fit 32 bits.
  std::optional<std::vector<int32_t>> Int32s(const std::string& key) const;

  // Required variants: throw kDataLoss when absent.
  std::string RequireString(const std::string& key) const;
  int64_t RequireInt(const std::string& key) const;
  bool RequireBool(const std::string& key) const;

  const std::vector<std::string>& columns() const { return columns_; }
  const std::vector<DomainRef>& domains() const { return domains_; }
  const std::string& origin() const { return origin_; }

 private:
  [[noreturn]] void Malformed(const std::string& key, const std::string& value, const char* expected) const;
  std::map<std::string, std::string> info_;
  std::vector<std::string> columns_;
  std::vector<DomainRef> domains_;
  std::string origin_;
};

// Splits text into lines the way java.io.BufferedReader.readLine does (\n, \r or \r\n; a final
// terminator does not start an extra empty line).
std::vector<std::string_view> SplitLines(std::string_view text);

// Undoes the newline escapes of MOJO text files (genmodel's StringEscapeUtils.unescapeNewlines):
// \n -> LF, \r -> CR, \\ -> \, \X -> X; a trailing lone backslash stays.
std::string UnescapeNewlines(std::string_view s);

}  // namespace scorehost::h2o3
