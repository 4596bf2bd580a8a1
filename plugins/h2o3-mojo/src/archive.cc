#include "archive.hpp"

#include <zip.h>

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

class ZipArchive final : public Archive {
 public:
  ZipArchive(const std::string& path, const ArchiveLimits& limits) : Archive(path, limits) {
    int err = 0;
    zip_ = zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &err);
    if (zip_ == nullptr) {
      if (err == ZIP_ER_NOENT) Fail(ErrorKind::kNotFound, path + ": no such file");
      Fail(ErrorKind::kDataLoss, path + ": not a readable zip archive (" + ZipErrorText(err) + ")");
    }
    IndexEntries();
  }

  // A zip held in memory (a MOJO nested inside another archive).
  ZipArchive(std::string bytes, const std::string& origin, const ArchiveLimits& limits)
      : Archive(origin, limits), bytes_(std::move(bytes)) {
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t* src = zip_source_buffer_create(bytes_.data(), bytes_.size(), 0, &ze);
    if (src == nullptr) {
      zip_error_fini(&ze);
      Fail(ErrorKind::kDataLoss, origin + ": cannot read the nested zip");
    }
    zip_ = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
    if (zip_ == nullptr) {
      std::string why = zip_error_strerror(&ze);
      zip_source_free(src);
      zip_error_fini(&ze);
      Fail(ErrorKind::kDataLoss, origin + ": not a readable zip archive (" + why + ")");
    }
    zip_error_fini(&ze);
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
