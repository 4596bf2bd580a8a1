#include "safe_unzip.hpp"

#include <sys/stat.h>
#include <zip.h>

#include <cstdint>
#include <fstream>
#include <sstream>

#include <scorehost/plugin_helpers.hpp>

namespace fs = std::filesystem;
using scorehost::plugin::Error;

namespace scorehost::pyworker {
namespace {

constexpr uint64_t kMaxExtractBytes = uint64_t{64} << 30;

// Owns an open archive.
struct Zip {
  zip_t* z = nullptr;
  explicit Zip(const std::string& path) {
    int err = 0;
    z = zip_open(path.c_str(), ZIP_RDONLY, &err);
    if (!z) throw Error(SH_DATA_LOSS, path + " cannot be opened as a zip archive (libzip error " + std::to_string(err) + ")");
  }
  ~Zip() { zip_discard(z); }
  Zip(const Zip&) = delete;
  Zip& operator=(const Zip&) = delete;
};

bool SafeRelative(const std::string& name) {
  if (name.empty() || name[0] == '/' || name.find('\\') != std::string::npos) return false;
  std::istringstream parts(name);
  for (std::string part; std::getline(parts, part, '/');)
    if (part == "..") return false;
  return true;
}

}  // namespace

std::vector<std::string> ZipEntryNames(const std::string& zip_path) {
  Zip zip(zip_path);
  std::vector<std::string> names;
  const zip_int64_t n = zip_get_num_entries(zip.z, 0);
  for (zip_int64_t i = 0; i < n; ++i)
    if (const char* nm = zip_get_name(zip.z, static_cast<zip_uint64_t>(i), 0)) names.emplace_back(nm);
  return names;
}

void ExtractZipEntries(const std::string& zip_path, const std::string& prefix, const fs::path& target) {
  Zip zip(zip_path);
  const zip_int64_t n = zip_get_num_entries(zip.z, 0);
  uint64_t total = 0;
  std::vector<char> buf(1 << 16);
  for (zip_int64_t i = 0; i < n; ++i) {
    zip_stat_t st;
    if (zip_stat_index(zip.z, static_cast<zip_uint64_t>(i), 0, &st) != 0 || !(st.valid & ZIP_STAT_NAME)) continue;
    std::string name = st.name;
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    std::string rel = name.substr(prefix.size());
    if (rel.empty()) continue;
    if (!SafeRelative(rel))
      throw Error(SH_DATA_LOSS, zip_path + ": entry '" + name + "' points outside the folder it is extracted to");
    zip_uint8_t opsys;
    zip_uint32_t attr;
    if (zip_file_get_external_attributes(zip.z, static_cast<zip_uint64_t>(i), 0, &opsys, &attr) == 0 &&
        opsys == ZIP_OPSYS_UNIX) {
      mode_t mode = (attr >> 16) & S_IFMT;
      if (mode != 0 && mode != S_IFREG && mode != S_IFDIR) continue;  // links, devices: never created
    }
    fs::path dest = target / rel;
    if (rel.back() == '/') {
      fs::create_directories(dest);
      continue;
    }
    fs::create_directories(dest.parent_path());
    total += st.size;
    if (total > kMaxExtractBytes) throw Error(SH_DATA_LOSS, zip_path + " expands to more than 64 GiB");
    zip_file_t* f = zip_fopen_index(zip.z, static_cast<zip_uint64_t>(i), 0);
    if (!f) throw Error(SH_DATA_LOSS, zip_path + ": cannot read entry " + name);
    std::ofstream out(dest, std::ios::binary);
    zip_int64_t got;
    while ((got = zip_fread(f, buf.data(), buf.size())) > 0) out.write(buf.data(), got);
    zip_fclose(f);
    if (got < 0 || !out) throw Error(SH_DATA_LOSS, zip_path + ": entry " + name + " is corrupt or cannot be written");
  }
}

}  // namespace scorehost::pyworker
