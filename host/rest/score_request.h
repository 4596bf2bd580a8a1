// A /model/score or /model/contribution request body, parsed against the model's input schema:
// the options, the input rows as typed columns (ready for the plugin) and the cells the response
// must echo back.
#pragma once

#include <scorehost/arrow_columns.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "model/cells.h"
#include "model/loaded_model.h"
#include "serving/shapley_options.h"

namespace scorehost::rest {

// One input column copied to the response (includeFieldsInOutput), cells as the client sent them.
struct EchoColumn {
  std::string name;
  std::vector<std::optional<std::string>> cells;  // one per row; nullopt = JSON null
};

struct ScoreRequest {
  std::optional<ShapleyRequest> shapley;  // requestShapleyValueType, absent when not sent / null
  bool no_field_names_in_output = false;
  bool request_prediction_intervals = false;
  std::optional<std::string> id_field;
  std::vector<std::string> fields;
  std::vector<std::string> include_fields_in_output;
  bool has_rows = false;

  int64_t num_rows = 0;
  arrow::OwnedArrow input;         // struct array of the model's inputs, in model order
  std::vector<EchoColumn> echo;    // in `fields` order
  bool generate_ids = false;       // idField absent from fields but listed for output: fresh UUIDs
};

// Parses `body` (UTF-8 JSON). Cells may be strings, numbers, booleans or null (and the bare
// NaN / Infinity / -Infinity tokens Jackson accepts); unknown keys and unknown fields are
// ignored; model inputs absent from `fields` are missing. Errors are INVALID_ARGUMENT with a
// message for the client.
Result<ScoreRequest> ParseScoreRequest(std::string_view body, const std::vector<FieldInfo>& inputs,
                                       const MissingValues& missing);

}  // namespace scorehost::rest
