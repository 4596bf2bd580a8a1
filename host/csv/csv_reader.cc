#include "csv/csv_reader.h"

#include <fmt/format.h>

#include <array>

namespace scorehost {
namespace {
// A single field longer than this is treated as a malformed file (e.g. an unclosed quote that
// swallows the rest of a huge file), so memory stays bounded.
constexpr size_t kMaxFieldBytes = 64u << 20;

// Bytes that end a run of ordinary field bytes outside quotes, and that make an output field quoted.
constexpr auto kSpecial = [] {
  std::array<bool, 256> t{};
  t[static_cast<unsigned char>(',')] = t[static_cast<unsigned char>('"')] = true;
  t[static_cast<unsigned char>('\n')] = t[static_cast<unsigned char>('\r')] = true;
  return t;
}();
}  // namespace

CsvReader::CsvReader(std::FILE* file, size_t block_size) : file_(file), buffer_(block_size) {}

bool CsvReader::Fill() {
  if (eof_) return false;
  end_ = std::fread(buffer_.data(), 1, buffer_.size(), file_);
  pos_ = 0;
  bytes_read_ += end_;
  if (end_ == 0) eof_ = true;
  return end_ > 0;
}

bool CsvReader::Next(std::vector<std::string>& fields, Status* error) {
  size_t n = 0;  // fields used in this record
  auto field = [&]() -> std::string& {
    if (n == fields.size()) fields.emplace_back();
    std::string& f = fields[n];
    return f;
  };
  if (pos_ == end_ && !Fill()) {
    fields.clear();
    return false;
  }
  record_line_ = line_;
  std::string* current = &field();
  current->clear();
  bool in_quotes = false;
  bool after_quote = false;  // just saw a closing quote (or the first of a doubled one)
  while (true) {
    if (pos_ == end_ && !Fill()) {
      if (in_quotes) {
        *error = Status::InvalidArgument(fmt::format("CSV line {}: a quoted field is not closed", record_line_));
        return false;
      }
      break;
    }
    if (!in_quotes) {
      // Fast path: a run of ordinary bytes (no delimiter, quote or line end) is appended at once
      // instead of byte by byte; what follows the run is handled below as before.
      const char* begin = buffer_.data() + pos_;
      const char* stop = buffer_.data() + end_;
      const char* p = begin;
      while (p != stop && !kSpecial[static_cast<unsigned char>(*p)]) ++p;
      if (p != begin) {
        current->append(begin, static_cast<size_t>(p - begin));
        pos_ += static_cast<size_t>(p - begin);
        after_quote = false;
        if (current->size() > kMaxFieldBytes) {
          *error = Status::InvalidArgument(fmt::format("CSV line {}: a field is longer than {} bytes", record_line_,
                                                       kMaxFieldBytes));
          return false;
        }
        continue;
      }
    }
    char c = buffer_[pos_++];
    if (in_quotes) {
      if (c == '"') {
        in_quotes = false;
        after_quote = true;
      } else {
        if (c == '\n') ++line_;
        current->push_back(c);
      }
    } else if (c == '"') {
      if (after_quote) {  // "" inside a quoted field is one quote
        current->push_back('"');
        in_quotes = true;
        after_quote = false;
      } else {
        in_quotes = true;
      }
    } else if (c == ',') {
      ++n;
      current = &field();
      current->clear();
      after_quote = false;
    } else if (c == '\n') {
      ++line_;
      break;
    } else if (c == '\r') {
      after_quote = false;  // CR of CRLF: dropped
    } else {
      current->push_back(c);
      after_quote = false;
    }
    if (current->size() > kMaxFieldBytes) {
      *error = Status::InvalidArgument(fmt::format("CSV line {}: a field is longer than {} bytes", record_line_,
                                                   kMaxFieldBytes));
      return false;
    }
  }
  fields.resize(n + 1);
  return true;
}

void AppendCsvField(std::string& out, std::string_view value) {
  // A table lookup per byte: find_first_of with a 4-byte set costs a memchr call per byte.
  bool quote = false;
  for (char c : value) quote |= kSpecial[static_cast<unsigned char>(c)];
  if (!quote) {
    out.append(value);
    return;
  }
  out.push_back('"');
  for (char c : value) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

}  // namespace scorehost
