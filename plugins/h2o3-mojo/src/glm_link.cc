#include "glm_link.hpp"

#include "errors.hpp"

namespace scorehost::h2o3 {

GlmLink ParseGlmLink(const std::string& name, const std::string& path, const std::string& algo) {
  if (name == "identity") return GlmLink::kIdentity;
  if (name == "logit") return GlmLink::kLogit;
  if (name == "log") return GlmLink::kLog;
  if (name == "inverse") return GlmLink::kInverse;
  if (name == "tweedie") return GlmLink::kTweedie;
  Fail(ErrorKind::kUnimplemented, path + ": " + algo + " link function '" + name + "' is not supported");
}

}  // namespace scorehost::h2o3
