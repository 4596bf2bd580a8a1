// Extracting a model archive (an MLflow model zip, a DAI scorer.zip) without letting it write
// outside the target folder: entries that escape ("..", absolute paths) are refused, links and
// devices are never created, and the total size is bounded. Errors are
// scorehost::plugin::Error(SH_DATA_LOSS) naming the archive.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace scorehost::pyworker {

// The names of the archive's entries, in archive order (for deciding what it is before extracting).
std::vector<std::string> ZipEntryNames(const std::string& zip_path);

// Extracts the entries whose names start with `prefix` ("" = all) into `target`, with the prefix
// removed from their paths.
void ExtractZipEntries(const std::string& zip_path, const std::string& prefix, const std::filesystem::path& target);

}  // namespace scorehost::pyworker
