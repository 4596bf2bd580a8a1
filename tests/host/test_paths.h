// Paths the build hands to the host unit tests (see CMakeLists.txt).
#pragma once
#include <boost/filesystem.hpp>
#include <string>

namespace test_paths {
inline const std::string kExamplePlugin = SCOREHOST_TEST_EXAMPLE_PLUGIN;
inline const std::string kVariantDir = SCOREHOST_TEST_VARIANT_DIR;
inline const std::string kTestDelayPlugin = SCOREHOST_TEST_DELAY_PLUGIN;
inline const std::string kManifest = SCOREHOST_TEST_MANIFEST;
inline const std::string kDataDir = SCOREHOST_TEST_DATA_DIR;
inline const std::string kExampleModel = SCOREHOST_TEST_EXAMPLE_MODEL;

// A fresh, empty directory under the system temp dir, removed at destruction.
struct TempDir {
  boost::filesystem::path path;
  TempDir() : path(boost::filesystem::temp_directory_path() / boost::filesystem::unique_path("scorehost-%%%%-%%%%")) {
    boost::filesystem::create_directories(path);
  }
  ~TempDir() {
    boost::system::error_code ec;
    boost::filesystem::remove_all(path, ec);
  }
  std::string operator/(const std::string& name) const { return (path / name).string(); }
};
}  // namespace test_paths
