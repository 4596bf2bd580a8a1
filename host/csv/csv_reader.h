// Streaming CSV input (RFC 4180: quoted fields, doubled quotes, CRLF or LF line ends, newlines
// inside quotes), in two steps so that the expensive one runs in parallel:
//
//   1. CsvBlockReader (one thread) cuts the byte stream into blocks of whole records. It only
//      looks for line ends and counts quotes (memchr), so it keeps up with several parsers.
//   2. CsvRecords (any thread, one per block) splits a block's records into fields, unquoting
//      them in place: each field is a string_view into the block, no copy per cell.
//
// Both follow the same rules: every '"' opens or closes quoting, so a newline ends a record only
// where the count of quotes before it (in the record) is even.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace scorehost {

// Whole CSV records, as read from the file.
struct CsvBlock {
  std::string bytes;        // records, each ended by '\n' except possibly the file's last one
  uint64_t first_line = 1;  // 1-based line number of the first record
  size_t records = 0;       // records in `bytes` (blank lines included)
};

class CsvBlockReader {
 public:
  // `file` is borrowed and must stay open while the reader is used; it is read `read_size`
  // bytes at a time.
  explicit CsvBlockReader(std::FILE* file, size_t read_size = 256 << 10);

  // Replaces `block` with the next (up to) `max_records` records. Returns false at end of input,
  // or with `*error` set ("line N: ...", for the caller to prefix with the file's name) when the
  // input is malformed or cannot be read: a quote not closed at end of input, or one
  // record longer than kMaxRecordBytes (e.g. an unclosed quote that swallows a huge file), so
  // memory stays bounded whatever the input.
  bool Next(size_t max_records, CsvBlock& block, Status* error);

  // Bytes read from the file so far (for progress reports).
  uint64_t bytes_read() const { return bytes_read_; }

  static constexpr size_t kMaxRecordBytes = 64u << 20;

 private:
  std::FILE* file_;
  size_t read_size_;
  std::string carry_;       // bytes read past the last block's end: the next block starts with them
  bool eof_ = false;
  bool in_quotes_ = false;  // quoting state at the end of what has been scanned
  uint64_t line_ = 1;       // line number of the first byte not yet handed out
  uint64_t bytes_read_ = 0;
};

// The records of one block, split into fields. The block's bytes are rewritten in place
// (quotes removed), so it must not be read as raw CSV again; the fields point into it and stay
// valid while the block is alive and unchanged.
class CsvRecords {
 public:
  explicit CsvRecords(CsvBlock& block);

  // The next record's fields; false when the block is exhausted. A blank line is one empty field.
  bool Next(std::vector<std::string_view>& fields);

  // 1-based line number where the last record returned started.
  uint64_t record_line() const { return record_line_; }

 private:
  char* pos_;
  char* end_;
  uint64_t line_;
  uint64_t record_line_ = 0;
};

// Appends `value` to `out` as one CSV field, quoting it only when it needs quotes.
void AppendCsvField(std::string& out, std::string_view value);

}  // namespace scorehost
