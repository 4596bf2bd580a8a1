// Finds the H2O-3 MOJO inside an MLflow model (a directory or a zip of one): the first *.mojo
// file in path order, else the shallowest unpacked MOJO directory (one holding model.ini).
#pragma once

#include <memory>
#include <string>

#include "archive.hpp"

namespace scorehost::h2o3 {

std::unique_ptr<Archive> OpenMlflowMojo(const std::string& path, const ArchiveLimits& limits = {});

}  // namespace scorehost::h2o3
