#include "archive.hpp"

#include <zip.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "errors.hpp"

namespace scorehost::h2o3 {

namespace fs = std::filesystem;

bool IsSafeEntryName(const std::string& name) {
  if (name.empty() || name.find('\0') != std::string::npos) return false;
  if (name[0] == '/' || name[0] == '\\') return false;
  if (name.size() >= 2 && name[1] == ':') return false;  // "C:..."
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find_first_of("/\\", start);
    if (end == std::string::npos) end = name.size();
    if (name.compare(start, end - start, "..") == 0 && end - start == 2) return false;
    start = end + 1;
  }
  return true;
}

void Archive::Charge(const std::string& name, uint64_t bytes) {
  total_read_ += bytes;
  if (total_read_ > limits_.max_total_bytes)
    Fail(ErrorKind::kDataLoss, path_ + ": reading '" + name + "' exceeds the limit of " +
                                   std::to_string(limits_.max_total_bytes) +
                                   " uncompressed bytes per artifact");
}

namespace {

uint16_t Le16(std::string_view b, size_t at) {
  return static_cast<uint16_t>(static_cast<uint8_t>(b[at]) | static_cast<uint8_t>(b[at + 1]) << 8);
}
uint32_t Le32(std::string_view b, size_t at) {
  return static_cast<uint32_t>(Le16(b, at)) | static_cast<uint32_t>(Le16(b, at + 2)) << 16;
}

}  // namespace

// libzip's ZIP_CHECKCONS compares every local header with its central directory entry and, for
// an entry with a data descriptor (flag bit 3), accepts local CRC and sizes only if they equal
// the central ones or are all zero. macOS's Archive Utility writes a zero CRC and compressed size
// but the real uncompressed size, so libzip (1.7) calls its zips inconsistent. This check is
// libzip's with that one rule relaxed (each local value zero or equal) and some more: the data
// descriptor must repeat the central CRC and sizes, entries must lie before the central directory
// without overlapping, and zip64 or multi-disk archives are not accepted here at all.
std::string CheckLocalHeaders(std::string_view zip, std::vector<std::string>* names) {
  const size_t n = zip.size();
  if (n < 22) return "too short";
  size_t eocd = std::string_view::npos;
  for (size_t p = n - 22;; --p) {  // the comment is at most 65535 bytes
    if (Le32(zip, p) == 0x06054b50u && p + 22 + Le16(zip, p + 20) == n) {
      eocd = p;
      break;
    }
    if (p == 0 || n - p > 22 + 65535) break;
  }
  if (eocd == std::string_view::npos) return "no end of central directory";
  const uint16_t disk = Le16(zip, eocd + 4), cd_disk = Le16(zip, eocd + 6);
  const uint16_t count_here = Le16(zip, eocd + 8), count = Le16(zip, eocd + 10);
  const uint32_t cd_size = Le32(zip, eocd + 12), cd_offset = Le32(zip, eocd + 16);
  if (disk != 0 || cd_disk != 0 || count_here != count || count == 0xFFFF || cd_size == 0xFFFFFFFFu ||
      cd_offset == 0xFFFFFFFFu)
    return "multi-disk or zip64 archive";
  if (uint64_t{cd_offset} + cd_size > eocd) return "the central directory overlaps its end record";
  struct Extent {
    uint64_t begin, end;
  };
  std::vector<Extent> extents;
  size_t p = cd_offset;
  const size_t cd_end = size_t{cd_offset} + cd_size;
  for (uint32_t i = 0; i < count; ++i) {
    if (p + 46 > cd_end || Le32(zip, p) != 0x02014b50u) return "central directory entry " + std::to_string(i) + " is malformed";
    const uint16_t vneed = Le16(zip, p + 6), flags = Le16(zip, p + 8), method = Le16(zip, p + 10);
    const uint32_t mtime = Le32(zip, p + 12), crc = Le32(zip, p + 16), csize = Le32(zip, p + 20), usize = Le32(zip, p + 24);
    const uint16_t nlen = Le16(zip, p + 28), xlen = Le16(zip, p + 30), clen = Le16(zip, p + 32);
    const uint32_t off = Le32(zip, p + 42);
    if (p + 46 + nlen + xlen + clen > cd_end) return "central directory entry " + std::to_string(i) + " overruns";
    const std::string_view name = zip.substr(p + 46, nlen);
    const std::string what = "entry '" + std::string(name) + "'";
    p += 46 + size_t{nlen} + xlen + clen;
    if (csize == 0xFFFFFFFFu || usize == 0xFFFFFFFFu || off == 0xFFFFFFFFu) return what + " is zip64";
    if (uint64_t{off} + 30 > cd_offset || Le32(zip, off) != 0x04034b50u) return what + ": no local header";
    const uint16_t lver = Le16(zip, off + 4), lflags = Le16(zip, off + 6), lmethod = Le16(zip, off + 8);
    const uint32_t ltime = Le32(zip, off + 10), lcrc = Le32(zip, off + 14), lcsize = Le32(zip, off + 18),
                   lusize = Le32(zip, off + 22);
    const uint16_t lnlen = Le16(zip, off + 26), lxlen = Le16(zip, off + 28);
    const uint64_t data = uint64_t{off} + 30 + lnlen + lxlen, data_end = data + csize;
    if (data_end > cd_offset) return what + " overruns the central directory";
    if (vneed < lver || method != lmethod || mtime != ltime || zip.substr(off + 30, lnlen) != name)
      return what + ": the local header differs from the central directory";
    auto zero_or = [](uint32_t local, uint32_t central) { return local == 0 || local == central; };
    if ((crc != lcrc || csize != lcsize || usize != lusize) &&
        (!(lflags & 8) || !zero_or(lcrc, crc) || !zero_or(lcsize, csize) || !zero_or(lusize, usize)))
      return what + ": the local header's CRC or sizes differ from the central directory";
    uint64_t end = data_end;
    if (flags & 8 || lflags & 8) {  // the data descriptor, with or without its signature
      uint64_t q = data_end;
      if (q + 4 <= cd_offset && Le32(zip, q) == 0x08074b50u) q += 4;
      if (q + 12 > cd_offset || Le32(zip, q) != crc || Le32(zip, q + 4) != csize || Le32(zip, q + 8) != usize)
        return what + ": the data descriptor differs from the central directory";
      end = q + 12;
    }
    extents.push_back({off, end});
    if (names) names->emplace_back(name);
  }
  if (p != cd_end) return "the central directory has trailing bytes";
  std::sort(extents.begin(), extents.end(), [](const Extent& a, const Extent& b) { return a.begin < b.begin; });
  for (size_t i = 1; i < extents.size(); ++i)
    if (extents[i].begin < extents[i - 1].end) return "entries overlap";
  return {};
}

namespace {

class ZipArchive final : public Archive {
 public:
  ZipArchive(const std::string& path, const ArchiveLimits& limits) : Archive(path, limits) {
    int err = 0;
    zip_ = zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &err);
    if (zip_ == nullptr && err == ZIP_ER_INCONS) {
      // libzip's check refuses valid zips written by macOS (see CheckLocalHeaders); check those
      // ourselves and open them without it.
      std::string bytes = ReadWholeFile(path, limits);
      const std::string why = CheckLocalHeaders(bytes);
      if (!why.empty()) Fail(ErrorKind::kDataLoss, path + ": not a readable zip archive (" + ZipErrorText(err) + ": " + why + ")");
      zip_ = zip_open(path.c_str(), ZIP_RDONLY, &err);
      if (zip_ != nullptr) CheckSameEntries(bytes);
    }
    if (zip_ == nullptr) {
      if (err == ZIP_ER_NOENT) Fail(ErrorKind::kNotFound, path + ": no such file");
      Fail(ErrorKind::kDataLoss, path + ": not a readable zip archive (" + ZipErrorText(err) + ")");
    }
    IndexEntries();
  }

  // A zip held in memory (a MOJO nested inside another archive).
  ZipArchive(std::string bytes, const std::string& origin, const ArchiveLimits& limits)
      : Archive(origin, limits), bytes_(std::move(bytes)) {
    zip_ = OpenBuffer(ZIP_CHECKCONS);
    if (zip_ == nullptr && open_error_ == ZIP_ER_INCONS) {
      const std::string why = CheckLocalHeaders(bytes_);
      if (!why.empty()) Fail(ErrorKind::kDataLoss, origin + ": not a readable zip archive (" + ZipErrorText(open_error_) + ": " + why + ")");
      zip_ = OpenBuffer(0);
      if (zip_ != nullptr) CheckSameEntries(bytes_);
    }
    if (zip_ == nullptr) {
      if (open_error_ == -1) Fail(ErrorKind::kDataLoss, origin + ": cannot read the nested zip");
      Fail(ErrorKind::kDataLoss, origin + ": not a readable zip archive (" + ZipErrorText(open_error_) + ")");
    }
    IndexEntries();
  }

  ~ZipArchive() override {
    if (zip_) zip_discard(zip_);
  }

  bool Exists(const std::string& name) const override {
    return IsSafeEntryName(name) && zip_name_locate(zip_, name.c_str(), ZIP_FL_ENC_RAW) >= 0;
  }

  std::string Read(const std::string& name) override {
    if (!IsSafeEntryName(name)) Fail(ErrorKind::kDataLoss, path_ + ": refusing to read unsafe name '" + name + "'");
    zip_int64_t idx = zip_name_locate(zip_, name.c_str(), ZIP_FL_ENC_RAW);
    if (idx < 0) Fail(ErrorKind::kDataLoss, path_ + ": missing entry '" + name + "'");
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(zip_, static_cast<zip_uint64_t>(idx), 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE))
      Fail(ErrorKind::kDataLoss, path_ + ": cannot stat entry '" + name + "'");
    if (st.size > limits_.max_entry_bytes)
      Fail(ErrorKind::kDataLoss, path_ + ": entry '" + name + "' declares " + std::to_string(st.size) +
                                     " uncompressed bytes, more than the limit of " +
                                     std::to_string(limits_.max_entry_bytes) + " (zip bomb?)");
    Charge(name, st.size);
    zip_file_t* f = zip_fopen_index(zip_, static_cast<zip_uint64_t>(idx), 0);
    if (f == nullptr)
      Fail(ErrorKind::kDataLoss, path_ + ": cannot open entry '" + name + "': " + zip_strerror(zip_));
    std::string data(static_cast<size_t>(st.size), '\0');
    zip_uint64_t got = 0;
    bool ok = true;
    while (got < st.size) {
      zip_int64_t r = zip_fread(f, data.data() + got, st.size - got);
      if (r <= 0) {  // 0: the stream ended early; <0: a read error
        ok = false;
        break;
      }
      got += static_cast<zip_uint64_t>(r);
    }
    // One more byte must not exist: the stream has to end where the directory says it does.
    char extra;
    zip_int64_t more = ok && got == st.size ? zip_fread(f, &extra, 1) : 0;
    std::string ferr = zip_error_strerror(zip_file_get_error(f));
    int close_err = zip_fclose(f);
    if (!ok || got != st.size || more != 0 || close_err != 0)
      Fail(ErrorKind::kDataLoss, path_ + ": entry '" + name + "' is corrupt or truncated (read " +
                                     std::to_string(got) + " of " + std::to_string(st.size) +
                                     " bytes; " + ferr + ")");
    return data;
  }

  std::vector<std::string> List() const override { return names_; }

 private:
  static std::string ZipErrorText(int code) {
    zip_error_t ze;
    zip_error_init_with_code(&ze, code);
    std::string why = zip_error_strerror(&ze);
    zip_error_fini(&ze);
    return why;
  }

  zip_t* OpenBuffer(int flags) {
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t* src = zip_source_buffer_create(bytes_.data(), bytes_.size(), 0, &ze);
    if (src == nullptr) {
      zip_error_fini(&ze);
      open_error_ = -1;
      return nullptr;
    }
    zip_t* z = zip_open_from_source(src, ZIP_RDONLY | flags, &ze);
    if (z == nullptr) {
      open_error_ = zip_error_code_zip(&ze);
      zip_source_free(src);
    }
    zip_error_fini(&ze);
    return z;
  }

  static std::string ReadWholeFile(const std::string& path, const ArchiveLimits& limits) {
    std::error_code ec;
    const uint64_t size = fs::file_size(path, ec);
    if (ec || size > limits.max_total_bytes)
      Fail(ErrorKind::kDataLoss, path + ": not a readable zip archive (inconsistent, and too large to check)");
    std::ifstream in(path, std::ios::binary);
    std::string bytes(static_cast<size_t>(size), '\0');
    if (!in.read(bytes.data(), static_cast<std::streamsize>(size)))
      Fail(ErrorKind::kDataLoss, path + ": cannot read the zip archive");
    return bytes;
  }

  // The entries libzip opened without its check are those CheckLocalHeaders checked.
  void CheckSameEntries(const std::string& bytes) {
    std::vector<std::string> names;
    const std::string why = CheckLocalHeaders(bytes, &names);
    bool same = why.empty() && zip_get_num_entries(zip_, 0) == static_cast<zip_int64_t>(names.size());
    for (size_t i = 0; same && i < names.size(); ++i) {
      const char* raw = zip_get_name(zip_, i, ZIP_FL_ENC_RAW);
      same = raw && names[i] == raw;
    }
    if (!same) {
      zip_discard(zip_);
      zip_ = nullptr;
      Fail(ErrorKind::kDataLoss, path_ + ": not a readable zip archive (the central directory is ambiguous)");
    }
  }

  // Refuses the whole archive if any entry name could escape the root: a MOJO never needs one.
  void IndexEntries() {
    zip_int64_t n = zip_get_num_entries(zip_, 0);
    if (n < 0 || static_cast<uint64_t>(n) > limits_.max_entries) {
      zip_discard(zip_);
      zip_ = nullptr;
      Fail(ErrorKind::kDataLoss, path_ + ": zip archive has " + std::to_string(n) +
                                     " entries, more than the limit of " + std::to_string(limits_.max_entries));
    }
    for (zip_int64_t i = 0; i < n; ++i) {
      const char* raw = zip_get_name(zip_, static_cast<zip_uint64_t>(i), ZIP_FL_ENC_RAW);
      std::string name = raw ? raw : "";
      if (!IsSafeEntryName(name)) {
        zip_discard(zip_);
        zip_ = nullptr;
        Fail(ErrorKind::kDataLoss, path_ + ": zip entry '" + name + "' escapes the archive root; refusing the artifact");
      }
      if (name.back() != '/') names_.push_back(std::move(name));
    }
  }

  std::string bytes_;  // backing store of an in-memory zip (must outlive zip_)
  zip_t* zip_ = nullptr;
  int open_error_ = 0;  // libzip's error code of the last OpenBuffer, -1 if no source
  std::vector<std::string> names_;
};

class DirArchive final : public Archive {
 public:
  DirArchive(const std::string& path, const ArchiveLimits& limits) : Archive(path, limits) {
    std::error_code ec;
    root_ = fs::canonical(path, ec);
    if (ec) Fail(ErrorKind::kNotFound, path + ": " + ec.message());
  }

  bool Exists(const std::string& name) const override {
    std::error_code ec;
    fs::path p;
    return Resolve(name, &p) && fs::is_regular_file(p, ec);
  }

  std::string Read(const std::string& name) override {
    fs::path p;
    if (!Resolve(name, &p)) Fail(ErrorKind::kDataLoss, path_ + ": '" + name + "' escapes the model directory or does not exist");
    std::error_code ec;
    if (!fs::is_regular_file(p, ec)) Fail(ErrorKind::kDataLoss, path_ + ": missing file '" + name + "'");
    uint64_t size = fs::file_size(p, ec);
    if (ec) Fail(ErrorKind::kDataLoss, path_ + ": cannot stat '" + name + "': " + ec.message());
    if (size > limits_.max_entry_bytes)
      Fail(ErrorKind::kDataLoss, path_ + ": file '" + name + "' has " + std::to_string(size) +
                                     " bytes, more than the limit of " + std::to_string(limits_.max_entry_bytes));
    Charge(name, size);
    std::ifstream in(p, std::ios::binary);
    std::string data(static_cast<size_t>(size), '\0');
    if (!in.read(data.data(), static_cast<std::streamsize>(size)))
      Fail(ErrorKind::kDataLoss, path_ + ": cannot read '" + name + "'");
    return data;
  }

  std::vector<std::string> List() const override {
    std::vector<std::string> out;
    std::error_code ec;
    fs::recursive_directory_iterator it(root_, fs::directory_options::none, ec), end;
    size_t seen = 0;
    for (; !ec && it != end; it.increment(ec)) {
      if (++seen > limits_.max_entries) break;
      if (it->is_regular_file(ec)) out.push_back(fs::relative(it->path(), root_, ec).generic_string());
    }
    return out;
  }

 private:
  // Resolves symlinks and insists that the target is still under the root.
  bool Resolve(const std::string& name, fs::path* out) const {
    if (!IsSafeEntryName(name)) return false;
    std::error_code ec;
    fs::path p = fs::canonical(root_ / name, ec);
    if (ec) return false;
    auto rel = p.lexically_relative(root_);
    if (rel.empty() || *rel.begin() == "..") return false;
    *out = p;
    return true;
  }
  fs::path root_;
};

// A view of the files under "<prefix>/" of another archive (an unpacked MOJO inside a zip).
class PrefixArchive final : public Archive {
 public:
  PrefixArchive(std::unique_ptr<Archive> base, std::string prefix)
      : Archive(base->path() + "!/" + prefix, {}), base_(std::move(base)), prefix_(std::move(prefix) + "/") {}
  bool Exists(const std::string& name) const override { return base_->Exists(prefix_ + name); }
  std::string Read(const std::string& name) override { return base_->Read(prefix_ + name); }
  std::vector<std::string> List() const override {
    std::vector<std::string> out;
    for (const std::string& n : base_->List())
      if (n.compare(0, prefix_.size(), prefix_) == 0) out.push_back(n.substr(prefix_.size()));
    return out;
  }

 private:
  std::unique_ptr<Archive> base_;
  std::string prefix_;
};

}  // namespace

std::unique_ptr<Archive> Archive::OpenZipBytes(std::string bytes, const std::string& origin, const ArchiveLimits& limits) {
  return std::make_unique<ZipArchive>(std::move(bytes), origin, limits);
}

std::unique_ptr<Archive> Archive::Subtree(std::unique_ptr<Archive> base, const std::string& prefix) {
  if (prefix.empty()) return base;
  return std::make_unique<PrefixArchive>(std::move(base), prefix);
}

std::unique_ptr<Archive> Archive::Open(const std::string& path, const ArchiveLimits& limits) {
  std::error_code ec;
  fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) Fail(ErrorKind::kNotFound, path + ": no such file or directory");
  if (fs::is_directory(st)) return std::make_unique<DirArchive>(path, limits);
  return std::make_unique<ZipArchive>(path, limits);
}

}  // namespace scorehost::h2o3
