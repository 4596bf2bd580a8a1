#include "csv/csv_reader.h"

#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace scorehost {
namespace {

// Bytes that end a run of ordinary field bytes outside quotes, and that make an output field quoted.
constexpr auto kSpecial = [] {
  std::array<bool, 256> t{};
  t[static_cast<unsigned char>(',')] = t[static_cast<unsigned char>('"')] = true;
  t[static_cast<unsigned char>('\n')] = t[static_cast<unsigned char>('\r')] = true;
  return t;
}();

}  // namespace

CsvBlockReader::CsvBlockReader(std::FILE* file, size_t read_size)
    : file_(file), read_size_(read_size == 0 ? 1 : read_size) {}

bool CsvBlockReader::Next(size_t max_records, CsvBlock& block, Status* error) {
  if (max_records == 0) max_records = 1;
  // The block starts with the bytes read past the previous block's end; the block's old buffer is
  // reused for the next carry.
  block.bytes.swap(carry_);
  carry_.clear();
  block.first_line = line_;
  block.records = 0;

  // Blocks end at record ends, so every block starts outside quotes.
  bool in_quotes = false;
  uint64_t line = line_;          // line number of the byte at `scan`
  uint64_t record_line = line_;   // where the record being scanned started
  size_t record_start = 0;        // its offset in block.bytes
  size_t scan = 0;                // bytes before this have been scanned
  while (true) {
    const char* b = block.bytes.data();
    const size_t n = block.bytes.size();
    while (scan < n) {
      const char* nl = static_cast<const char*>(std::memchr(b + scan, '\n', n - scan));
      const size_t stop = nl ? static_cast<size_t>(nl - b) : n;
      for (const char* q = static_cast<const char*>(std::memchr(b + scan, '"', stop - scan)); q != nullptr;) {
        in_quotes = !in_quotes;
        const size_t next = static_cast<size_t>(q - b) + 1;
        q = next < stop ? static_cast<const char*>(std::memchr(b + next, '"', stop - next)) : nullptr;
      }
      if (nl == nullptr) {
        scan = n;
        break;
      }
      scan = stop + 1;
      ++line;
      if (in_quotes) continue;  // a newline inside a quoted field
      ++block.records;
      record_start = scan;
      record_line = line;
      if (block.records == max_records) {
        carry_.assign(b + scan, n - scan);
        block.bytes.resize(scan);
        line_ = line;
        return true;
      }
    }
    if (eof_) break;
    if (n - record_start > kMaxRecordBytes) {
      *error = Status::InvalidArgument(
          fmt::format("line {}: a record is longer than {} bytes (is a quote not closed?)", record_line,
                      kMaxRecordBytes));
      return false;
    }
    block.bytes.resize(n + read_size_);
    const size_t got = std::fread(block.bytes.data() + n, 1, read_size_, file_);
    block.bytes.resize(n + got);
    bytes_read_ += got;
    if (got == 0) {
      if (std::ferror(file_)) {
        *error = Status::Internal(fmt::format("line {}: read failed: {}", line, std::strerror(errno)));
        return false;
      }
      eof_ = true;
    }
  }
  // End of input: what is left after the last line end is the file's last record.
  line_ = line;
  if (in_quotes) {
    *error = Status::InvalidArgument(fmt::format("line {}: a quoted field is not closed", record_line));
    return false;
  }
  if (record_start < block.bytes.size()) ++block.records;
  return block.records > 0;
}

CsvRecords::CsvRecords(CsvBlock& block)
    : pos_(block.bytes.data()), end_(block.bytes.data() + block.bytes.size()), line_(block.first_line) {}

bool CsvRecords::Next(std::vector<std::string_view>& fields) {
  fields.clear();
  if (pos_ == end_) return false;
  record_line_ = line_;
  // Unquoting only ever drops bytes, so the field is rewritten in place: `w` trails `pos_`.
  char* start = pos_;
  char* w = pos_;
  bool in_quotes = false;
  bool after_quote = false;  // just saw a closing quote (or the first of a doubled one)
  while (pos_ != end_) {
    if (!in_quotes) {
      // A run of ordinary bytes (no delimiter, quote or line end) is taken at once; it only has
      // to move when something before it in the field was dropped.
      char* p = pos_;
      while (p != end_ && !kSpecial[static_cast<unsigned char>(*p)]) ++p;
      if (p != pos_) {
        const size_t len = static_cast<size_t>(p - pos_);
        if (w != pos_) std::memmove(w, pos_, len);
        w += len;
        pos_ = p;
        after_quote = false;
        continue;
      }
    }
    const char c = *pos_++;
    if (in_quotes) {
      if (c == '"') {
        in_quotes = false;
        after_quote = true;
      } else {
        if (c == '\n') ++line_;
        *w++ = c;
      }
    } else if (c == '"') {
      if (after_quote) *w++ = '"';  // "" inside a quoted field is one quote
      in_quotes = true;
      after_quote = false;
    } else if (c == ',') {
      fields.emplace_back(start, static_cast<size_t>(w - start));
      start = w = pos_;
      after_quote = false;
    } else if (c == '\n') {
      ++line_;
      fields.emplace_back(start, static_cast<size_t>(w - start));
      return true;
    } else {  // '\r' outside quotes (CR of CRLF): dropped
      after_quote = false;
    }
  }
  fields.emplace_back(start, static_cast<size_t>(w - start));  // the last record, with no line end
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
