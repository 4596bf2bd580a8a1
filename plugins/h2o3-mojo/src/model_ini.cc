#include "model_ini.hpp"

#include "errors.hpp"
#include "java_semantics.hpp"

namespace scorehost::h2o3 {

namespace {

bool IsRegexSpace(char c) {  // Java regex \s
  return c == ' ' || c == '\t' || c == '\n' || c == '\x0B' || c == '\f' || c == '\r';
}

std::optional<std::vector<std::string_view>> SplitArray(std::string_view v) {
  if (v.size() < 2 || v.front() != '[' || v.back() != ']') return std::nullopt;
  std::vector<std::string_view> parts;
  std::string_view body = v.substr(1, v.size() - 2);
  if (JavaTrim(body).empty()) return parts;  // "[]"
  size_t start = 0;
  while (true) {
    size_t comma = body.find(',', start);
    parts.push_back(JavaTrim(body.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start)));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return parts;
}

}  // namespace

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find_first_of("\r\n", start);
    if (end == std::string_view::npos) {
      lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, end - start));
    start = end + ((text[end] == '\r' && end + 1 < text.size() && text[end + 1] == '\n') ? 2 : 1);
  }
  return lines;
}

std::string UnescapeNewlines(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      const char c = s[++i];
      out.push_back(c == 'n' ? '\n' : c == 'r' ? '\r' : c);
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

ModelIni ModelIni::Parse(std::string_view text, const std::string& origin) {
  ModelIni ini;
  ini.origin_ = origin;
  auto bad = [&](const std::string& why) { Fail(ErrorKind::kDataLoss, origin + ": malformed model.ini: " + why); };
  enum { kNone, kInfo, kColumns, kDomains } section = kNone;
  size_t n_columns = 0;
  for (std::string_view raw : SplitLines(text)) {
    std::string_view line = JavaTrim(raw);
    if (line.empty() || line[0] == '#') continue;
    if (line == "[info]") {
      section = kInfo;
    } else if (line == "[columns]") {
      auto n = ini.Int("n_columns");
      if (!n) bad("`n_columns` must precede [columns]");
      if (*n < 0 || *n > (1 << 24)) bad("n_columns = " + std::to_string(*n) + " is out of range");
      n_columns = static_cast<size_t>(*n);
      ini.columns_.clear();
      ini.columns_.reserve(n_columns);
      section = kColumns;
    } else if (line == "[domains]") {
      section = kDomains;
    } else if (section == kInfo) {
      size_t eq = line.find('=');
      if (eq == std::string_view::npos) bad("line without '=' in [info]: " + std::string(line));
      size_t key_end = eq;
      while (key_end > 0 && IsRegexSpace(line[key_end - 1])) --key_end;
      size_t val_start = eq + 1;
      while (val_start < line.size() && IsRegexSpace(line[val_start])) ++val_start;
      ini.info_[std::string(line.substr(0, key_end))] = std::string(line.substr(val_start));
    } else if (section == kColumns) {
      if (ini.columns_.size() >= n_columns) bad("more [columns] entries than n_columns = " + std::to_string(n_columns));
      ini.columns_.emplace_back(line);
    } else if (section == kDomains) {
      size_t colon = line.find(':');
      if (colon == std::string_view::npos) bad("[domains] line without ':': " + std::string(line));
      auto col = JavaParseInt(line.substr(0, colon));
      std::string_view rest = line.substr(colon + 1);
      while (!rest.empty() && IsRegexSpace(rest.front())) rest.remove_prefix(1);
      size_t space = rest.find(' ');
      if (!col || space == std::string_view::npos) bad("bad [domains] line: " + std::string(line));
      auto count = JavaParseInt(rest.substr(0, space));
      if (!count || *count < 0) bad("bad level count in [domains] line: " + std::string(line));
      ini.domains_.push_back(DomainRef{*col, *count, std::string(rest.substr(space + 1))});
    }
  }
  if (ini.columns_.size() != n_columns)
    bad("[columns] lists " + std::to_string(ini.columns_.size()) + " names, n_columns says " + std::to_string(n_columns));
  return ini;
}

bool ModelIni::Has(const std::string& key) const { return info_.count(key) != 0; }

std::optional<std::string> ModelIni::String(const std::string& key) const {
  auto it = info_.find(key);
  if (it == info_.end() || it->second == "null") return std::nullopt;
  return it->second;
}

void ModelIni::Malformed(const std::string& key, const std::string& value, const char* expected) const {
  Fail(ErrorKind::kDataLoss, origin_ + ": malformed model.ini: " + key + " = '" + value + "' is not " + expected);
}

std::optional<bool> ModelIni::Bool(const std::string& key) const {
  auto v = String(key);
  if (!v) return std::nullopt;
  if (*v == "true") return true;
  if (*v == "false") return false;
  Malformed(key, *v, "a boolean");
}

std::optional<int64_t> ModelIni::Int(const std::string& key) const {
  auto v = String(key);
  if (!v) return std::nullopt;
  auto n = JavaParseLong(*v);
  if (!n) Malformed(key, *v, "an integer");
  return n;
}

std::optional<double> ModelIni::Double(const std::string& key) const {
  auto v = String(key);
  if (!v) return std::nullopt;
  auto d = JavaParseDouble(*v);
  if (!d) Malformed(key, *v, "a number");
  return d;
}

std::optional<std::vector<double>> ModelIni::Doubles(const std::string& key) const {
  auto v = String(key);
  if (!v) return std::nullopt;
  auto parts = SplitArray(*v);
  if (!parts) Malformed(key, *v, "an array of numbers");
  std::vector<double> out;
  out.reserve(parts->size());
  for (std::string_view p : *parts) {
    auto d = JavaParseDouble(p);
    if (!d) Malformed(key, *v, "an array of numbers");
    out.push_back(*d);
  }
  return out;
}

std::optional<std::vector<int64_t>> ModelIni::Ints(const std::string& key) const {
  auto v = String(key);
  if (!v) return std::nullopt;
  auto parts = SplitArray(*v);
  if (!parts) Malformed(key, *v, "an array of integers");
  std::vector<int64_t> out;
  out.reserve(parts->size());
  for (std::string_view p : *parts) {
    auto n = JavaParseLong(p);
    if (!n) Malformed(key, *v, "an array of integers");
    out.push_back(*n);
  }
  return out;
}

std::string ModelIni::RequireString(const std::string& key) const {
  auto v = String(key);
  if (!v) Fail(ErrorKind::kDataLoss, origin_ + ": model.ini lacks required key '" + key + "'");
  return *v;
}

std::optional<std::vector<int32_t>> ModelIni::Int32s(const std::string& key) const {
  auto wide = Ints(key);
  if (!wide) return std::nullopt;
  std::vector<int32_t> out;
  out.reserve(wide->size());
  for (int64_t x : *wide) {
    if (x < INT32_MIN || x > INT32_MAX) Malformed(key, *String(key), "an array of 32-bit integers");
    out.push_back(static_cast<int32_t>(x));
  }
  return out;
}

int64_t ModelIni::RequireInt(const std::string& key) const {
  auto v = Int(key);
  if (!v) Fail(ErrorKind::kDataLoss, origin_ + ": model.ini lacks required key '" + key + "'");
  return *v;
}

bool ModelIni::RequireBool(const std::string& key) const {
  auto v = Bool(key);
  if (!v) Fail(ErrorKind::kDataLoss, origin_ + ": model.ini lacks required key '" + key + "'");
  return *v;
}

}  // namespace scorehost::h2o3
