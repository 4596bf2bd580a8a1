// The registry manifest (registry/runtimes.toml): the runtimes and artifact types the product
// defines, read from a human-edited TOML file.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"

namespace scorehost {

struct ArtifactTypeInfo {
  std::string name;          // e.g. "h2o3_mojo"
  std::string storage_name;  // e.g. "h2o3/mojo"
  std::string display_name;  // e.g. "H2O-3 MOJO"
};

struct ManifestRuntime {
  std::string name;
  std::string display_name;
  std::string compatible_model;
  std::string plugin;  // plugin_name expected to serve it
  std::vector<std::string> artifact_types;
};

struct Manifest {
  std::string path;
  std::vector<ArtifactTypeInfo> artifact_types;
  std::vector<ManifestRuntime> runtimes;
};

// Reads and validates a manifest: required keys present, no duplicate names, every runtime's
// artifact types declared. Errors name the file and the offending entry.
Result<Manifest> ReadManifest(const std::string& path);

}  // namespace scorehost
