// A streaming CSV reader (RFC 4180: quoted fields, doubled quotes, CRLF or LF line ends, newlines
// inside quotes). It reads in fixed-size blocks, so memory stays bounded whatever the file size.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "core/status.h"

namespace scorehost {

class CsvReader {
 public:
  // `file` is borrowed and must stay open while the reader is used.
  explicit CsvReader(std::FILE* file, size_t block_size = 1 << 20);

  // Reads the next record into `fields` (reusing its strings). Returns false at end of input.
  // A malformed record (quote not closed at end of input, absurdly long field) sets `*error`.
  bool Next(std::vector<std::string>& fields, Status* error);

  // Bytes consumed so far (for progress reports).
  uint64_t bytes_read() const { return bytes_read_; }
  // 1-based line number where the last record returned started.
  uint64_t record_line() const { return record_line_; }

 private:
  bool Fill();

  std::FILE* file_;
  std::vector<char> buffer_;
  size_t pos_ = 0;
  size_t end_ = 0;
  bool eof_ = false;
  uint64_t bytes_read_ = 0;
  uint64_t line_ = 1;
  uint64_t record_line_ = 0;
};

// Appends `value` to `out` as one CSV field, quoting it only when it needs quotes.
void AppendCsvField(std::string& out, std::string_view value);

}  // namespace scorehost
