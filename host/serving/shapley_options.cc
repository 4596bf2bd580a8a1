#include "serving/shapley_options.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace scorehost {
namespace {

std::string Upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::toupper(c); });
  return out;
}

constexpr const char* kDisabledMessage =
    "shapley.types.enabled property has to be set to one of [TRANSFORMED, ORIGINAL, ALL] or shapley.enable "
    "property has to be set to true in the runtime configuration to obtain Shapley contribution";

}  // namespace

std::optional<ShapleyRequest> ParseShapleyRequest(std::string_view text) {
  if (text == "NONE") return ShapleyRequest::kNone;
  if (text == "ORIGINAL") return ShapleyRequest::kOriginal;
  if (text == "TRANSFORMED") return ShapleyRequest::kTransformed;
  return std::nullopt;
}

const char* ShapleyRequestName(ShapleyRequest r) {
  switch (r) {
    case ShapleyRequest::kOriginal: return "ORIGINAL";
    case ShapleyRequest::kTransformed: return "TRANSFORMED";
    default: return "NONE";
  }
}

sh_contribution_kind ContributionKindOf(ShapleyRequest r) {
  switch (r) {
    case ShapleyRequest::kOriginal: return SH_CONTRIBUTION_ORIGINAL;
    case ShapleyRequest::kTransformed: return SH_CONTRIBUTION_TRANSFORMED;
    default: return static_cast<sh_contribution_kind>(0);
  }
}

Result<ShapleyOptions> ShapleyOptions::Parse(const std::string& enable, const std::string& types) {
  std::string e = Upper(enable);
  if (!e.empty() && e != "TRUE" && e != "FALSE")
    return Status::InvalidArgument(fmt::format("SHAPLEY_ENABLE must be true or false, not '{}'", enable));
  if (e == "TRUE") return ShapleyOptions(Option::kAll);
  std::string t = Upper(types);
  if (t.empty() || t == "NONE") return ShapleyOptions(Option::kNone);
  if (t == "ALL") return ShapleyOptions(Option::kAll);
  if (t == "ORIGINAL") return ShapleyOptions(Option::kOriginal);
  if (t == "TRANSFORMED") return ShapleyOptions(Option::kTransformed);
  return Status::InvalidArgument(
      fmt::format("SHAPLEY_TYPES_ENABLED must be one of ALL, NONE, ORIGINAL, TRANSFORMED, not '{}'", types));
}

ShapleyOptions ShapleyOptions::RestrictedTo(uint32_t caps) const {
  bool orig = allows_original() && (caps & SH_CAP_CONTRIBUTION_ORIGINAL);
  bool trans = allows_transformed() && (caps & SH_CAP_CONTRIBUTION_TRANSFORMED);
  if (orig && trans) return ShapleyOptions(Option::kAll);
  if (orig) return ShapleyOptions(Option::kOriginal);
  if (trans) return ShapleyOptions(Option::kTransformed);
  return ShapleyOptions(Option::kNone);
}

const char* ShapleyOptions::option_name() const {
  switch (option_) {
    case Option::kOriginal: return "ORIGINAL";
    case Option::kTransformed: return "TRANSFORMED";
    case Option::kAll: return "ALL";
    default: return "NONE";
  }
}

Status ShapleyOptions::CheckScoreRequest(ShapleyRequest requested) const {
  if (requested == ShapleyRequest::kNone) return Status::Ok();
  if (!enabled()) return Status::InvalidArgument(kDisabledMessage);
  bool ok = requested == ShapleyRequest::kOriginal ? allows_original() : allows_transformed();
  if (!ok)
    return Status::InvalidArgument(fmt::format("Requested Shapley type {} not enabled for this scorer. Expected: {}",
                                               ShapleyRequestName(requested), option_name()));
  return Status::Ok();
}

Status ShapleyOptions::CheckContributionRequest(ShapleyRequest requested) const {
  if (!enabled()) return Status::InvalidArgument(kDisabledMessage);
  if (requested == ShapleyRequest::kNone) {
    if (option_ == Option::kAll)
      return Status::InvalidArgument("Only ORIGINAL or TRANSFORMED are accepted enums values of Shapley values");
    return Status::InvalidArgument(
        fmt::format("Requested Shapley type NONE not enabled for this scorer. Expected: {}", option_name()));
  }
  return CheckScoreRequest(requested);
}

}  // namespace scorehost
