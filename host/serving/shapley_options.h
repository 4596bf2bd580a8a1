// Which Shapley contribution types this server hands out, decided the way H2O's Java runtimes
// decide it (SHAPLEY_ENABLE=true means ALL; otherwise SHAPLEY_TYPES_ENABLED), intersected with what
// the loaded model can compute. Also owns the exact client-facing messages for refused requests.
#pragma once

#include <scorehost/plugin_api.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace scorehost {

// A client's requestShapleyValueType.
enum class ShapleyRequest { kNone, kOriginal, kTransformed };

// "ORIGINAL" / "TRANSFORMED" / "NONE" -> value; anything else -> nullopt.
std::optional<ShapleyRequest> ParseShapleyRequest(std::string_view text);
const char* ShapleyRequestName(ShapleyRequest r);
sh_contribution_kind ContributionKindOf(ShapleyRequest r);  // kNone -> 0

class ShapleyOptions {
 public:
  enum class Option { kNone, kOriginal, kTransformed, kAll };

  ShapleyOptions() = default;  // nothing enabled

  // `enable`: SHAPLEY_ENABLE (empty = unset); `types`: SHAPLEY_TYPES_ENABLED (empty = NONE).
  static Result<ShapleyOptions> Parse(const std::string& enable, const std::string& types);

  // Restricts the configured types to those the model declares (SH_CAP_CONTRIBUTION_* bits).
  ShapleyOptions RestrictedTo(uint32_t model_capabilities) const;

  bool allows_original() const { return option_ == Option::kOriginal || option_ == Option::kAll; }
  bool allows_transformed() const { return option_ == Option::kTransformed || option_ == Option::kAll; }
  bool enabled() const { return option_ != Option::kNone; }
  // Whether `r` (ORIGINAL or TRANSFORMED) is among these types; kNone -> false.
  bool allows(ShapleyRequest r) const {
    return r == ShapleyRequest::kOriginal ? allows_original() : r == ShapleyRequest::kTransformed && allows_transformed();
  }
  const char* option_name() const;

  // Checks a /model/score request (kNone always passes). The message is the Java runtime's.
  Status CheckScoreRequest(ShapleyRequest requested) const;
  // Checks a /model/contribution request (kNone is refused).
  Status CheckContributionRequest(ShapleyRequest requested) const;

 private:
  explicit ShapleyOptions(Option o) : option_(o) {}
  Option option_ = Option::kNone;
};

}  // namespace scorehost
