// Read-only access to the files of a MOJO: a zip archive (libzip) or an unpacked directory.
// Every name is checked before use and every read is capped, because MOJOs are user input: an
// archive may try to escape its root, declare absurd sizes (zip bombs) or lie about its contents.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace scorehost::h2o3 {

struct ArchiveLimits {
  uint64_t max_entry_bytes = 512ull << 20;  // one uncompressed file
  uint64_t max_total_bytes = 4ull << 30;    // everything read from one artifact
  uint64_t max_entries = 1u << 22;          // entries in a zip's central directory
};

class Archive {
 public:
  virtual ~Archive() = default;

  // Opens `path` (a zip file or a directory). Throws MojoError: kNotFound when nothing is there,
  // kDataLoss when the zip is unreadable or contains an entry whose name escapes the root.
  static std::unique_ptr<Archive> Open(const std::string& path, const ArchiveLimits& limits = {});
  // A zip archive held in memory; `origin` names it in messages.
  static std::unique_ptr<Archive> OpenZipBytes(std::string bytes, const std::string& origin,
                                               const ArchiveLimits& limits = {});
  // The files under "<prefix>/" of `base` ("" returns `base` itself).
  static std::unique_ptr<Archive> Subtree(std::unique_ptr<Archive> base, const std::string& prefix);

  // `name` is a relative path with '/' separators, e.g. "trees/t00_000.bin".
  virtual bool Exists(const std::string& name) const = 0;
  // The whole file. Throws MojoError (kDataLoss) when it is missing, over the limits or corrupt.
  virtual std::string Read(const std::string& name) = 0;
  // Every regular file, relative to the root (used to find a MOJO inside an MLflow model).
  virtual std::vector<std::string> List() const = 0;

  const std::string& path() const { return path_; }

 protected:
  Archive(std::string path, ArchiveLimits limits) : path_(std::move(path)), limits_(limits) {}
  // Charges `bytes` to the artifact's total budget; throws when it is exhausted.
  void Charge(const std::string& name, uint64_t bytes);
  std::string path_;
  ArchiveLimits limits_;
  uint64_t total_read_ = 0;
};

// True for a relative name that stays inside the root: not empty, not absolute, no drive letter,
// no NUL, no ".." component (backslashes count as separators, as some zip writers use them).
bool IsSafeEntryName(const std::string& name);

// The structural check of a zip held in `zip` that the archive reader applies when libzip's own
// consistency check refuses it: "" when every local header agrees with the central directory
// (macOS's data-descriptor headers allowed), else what is wrong. `names` receives the entry names
// in central-directory order.
std::string CheckLocalHeaders(std::string_view zip, std::vector<std::string>* names = nullptr);

}  // namespace scorehost::h2o3
