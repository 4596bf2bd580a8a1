// simdjson On-Demand over the request body. Every access returns an error code that is checked
// before the next access: On-Demand's behaviour after an ignored error is undefined (a truncated
// body crashed an early prototype, see shared/reference/stack.md §4).
#include <simdjson.h>

#include <fmt/format.h>

#include <unordered_map>
#include <unordered_set>

#include "rest/score_request.h"

namespace scorehost::rest {
namespace {

namespace od = simdjson::ondemand;

Status JsonError(simdjson::error_code e) {
  return Status::InvalidArgument(fmt::format("JSON parse error: {}", simdjson::error_message(e)));
}

std::string_view TrimRight(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Jackson (with ALLOW_NON_NUMERIC_NUMBERS) reads these bare tokens as numbers.
bool IsNonNumericNumber(std::string_view token) {
  return token == "NaN" || token == "Infinity" || token == "+Infinity" || token == "-Infinity";
}

Status ReadBool(od::value& v, std::string_view key, bool* out) {
  od::json_type type;
  if (auto e = v.type().get(type)) return JsonError(e);
  if (type == od::json_type::null) return Status::Ok();
  if (type == od::json_type::boolean) {
    if (auto e = v.get_bool().get(*out)) return JsonError(e);
    return Status::Ok();
  }
  if (type == od::json_type::string) {  // Jackson coerces "true"/"false"
    std::string_view s;
    if (auto e = v.get_string().get(s)) return JsonError(e);
    if (s == "true") { *out = true; return Status::Ok(); }
    if (s == "false") { *out = false; return Status::Ok(); }
  }
  return Status::InvalidArgument(fmt::format("{} must be true or false", key));
}

Status ReadOptionalString(od::value& v, std::string_view key, std::optional<std::string>* out) {
  od::json_type type;
  if (auto e = v.type().get(type)) return JsonError(e);
  if (type == od::json_type::null) {
    out->reset();
    return Status::Ok();
  }
  if (type != od::json_type::string) return Status::InvalidArgument(fmt::format("{} must be a string", key));
  std::string_view s;
  if (auto e = v.get_string().get(s)) return JsonError(e);
  *out = std::string(s);
  return Status::Ok();
}

Status ReadStringArray(od::value& v, std::string_view key, std::vector<std::string>* out) {
  out->clear();
  od::json_type type;
  if (auto e = v.type().get(type)) return JsonError(e);
  if (type == od::json_type::null) return Status::Ok();
  od::array array;
  if (type != od::json_type::array || v.get_array().get(array))
    return Status::InvalidArgument(fmt::format("{} must be an array of strings", key));
  for (auto element : array) {
    od::value item;
    if (auto e = element.get(item)) return JsonError(e);
    std::string_view s;
    if (auto e = item.get_string().get(s)) {
      if (e == simdjson::INCORRECT_TYPE)
        return Status::InvalidArgument(fmt::format("{} must be an array of strings", key));
      return JsonError(e);
    }
    out->emplace_back(s);
  }
  return Status::Ok();
}

// A repeated name would make one of its values silently lost (which one wins is an accident of the
// row builder), so the request is refused, naming the first repeated field.
Status CheckDistinctFields(const std::vector<std::string>& fields) {
  std::unordered_set<std::string_view> seen;
  for (const std::string& f : fields)
    if (!seen.insert(f).second) return Status::InvalidArgument(fmt::format("duplicate field name in fields: '{}'", f));
  return Status::Ok();
}

// Where each request field goes: a model input column and/or an echo column (-1: nowhere).
struct FieldRouting {
  std::vector<int> column;
  std::vector<int> echo;
  std::vector<size_t> unrouted_columns;  // model inputs no field feeds: missing in every row
};

FieldRouting Route(const ScoreRequest& req, const std::vector<FieldInfo>& inputs) {
  FieldRouting r;
  r.column.assign(req.fields.size(), -1);
  r.echo.assign(req.fields.size(), -1);
  std::unordered_map<std::string_view, int> input_index;
  for (size_t i = 0; i < inputs.size(); ++i) input_index.emplace(inputs[i].name, static_cast<int>(i));
  std::vector<bool> fed(inputs.size(), false);
  // Names are distinct (CheckDistinctFields); `last` stays so a repeat could never feed a column twice.
  std::unordered_map<std::string_view, size_t> last;
  for (size_t j = 0; j < req.fields.size(); ++j) last[req.fields[j]] = j;
  for (size_t j = 0; j < req.fields.size(); ++j) {
    auto it = input_index.find(req.fields[j]);
    if (it != input_index.end() && last[req.fields[j]] == j) {
      r.column[j] = it->second;
      fed[static_cast<size_t>(it->second)] = true;
    }
  }
  for (size_t i = 0; i < inputs.size(); ++i)
    if (!fed[i]) r.unrouted_columns.push_back(i);
  return r;
}

class RowsReader {
 public:
  RowsReader(ScoreRequest& req, const FieldRouting& routing, arrow::Table& table, const MissingValues& missing)
      : req_(req), routing_(routing), table_(table), missing_(missing) {}

  Status Read(od::value& rows_value) {
    od::json_type type;
    if (auto e = rows_value.type().get(type)) return JsonError(e);
    if (type == od::json_type::null) return Status::InvalidArgument("rows must be an array of rows");
    od::array rows;
    if (type != od::json_type::array || rows_value.get_array().get(rows))
      return Status::InvalidArgument("rows must be an array of rows");
    for (auto row_result : rows) {
      od::value row_value;
      if (auto e = row_result.get(row_value)) return JsonError(e);
      Status st = ReadRow(row_value);
      if (!st.ok()) return st;
      ++req_.num_rows;
    }
    return Status::Ok();
  }

 private:
  Status ReadRow(od::value& row_value) {
    od::array row;
    od::json_type type;
    if (auto e = row_value.type().get(type)) return JsonError(e);
    if (type != od::json_type::array || row_value.get_array().get(row))
      return Status::InvalidArgument(fmt::format("row {} must be an array of values", req_.num_rows));
    size_t j = 0;
    for (auto cell_result : row) {
      od::value cell;
      if (auto e = cell_result.get(cell)) return JsonError(e);
      if (j >= req_.fields.size())
        return Status::InvalidArgument(fmt::format("row {} has more values than the {} names in fields",
                                                   req_.num_rows, req_.fields.size()));
      Status st = ReadCell(cell, j);
      if (!st.ok()) return st;
      ++j;
    }
    // A short row leaves its trailing fields missing.
    for (; j < req_.fields.size(); ++j) Put(j, std::nullopt);
    return Status::Ok();
  }

  Status ReadCell(od::value& cell, size_t j) {
    od::json_type type;
    std::string_view token = TrimRight(cell.raw_json_token());
    if (cell.type().get(type)) {
      if (IsNonNumericNumber(token)) return Put(j, token);
      return Status::InvalidArgument(fmt::format("row {}: value {} of field '{}' is not valid JSON", req_.num_rows,
                                                 j, req_.fields[j]));
    }
    switch (type) {
      case od::json_type::string: {
        std::string_view s;
        if (auto e = cell.get_string().get(s)) return JsonError(e);
        return Put(j, s);
      }
      case od::json_type::number: {
        double ignored;
        if (cell.get_double().get(ignored)) {
          if (IsNonNumericNumber(token)) return Put(j, token);
          return Status::InvalidArgument(fmt::format("row {}: '{}' of field '{}' is not a valid number",
                                                     req_.num_rows, token, req_.fields[j]));
        }
        return Put(j, token);  // the client's spelling, as Jackson's text coercion keeps it
      }
      case od::json_type::boolean: {
        bool b;
        if (auto e = cell.get_bool().get(b)) return JsonError(e);
        return Put(j, b ? std::string_view("true") : std::string_view("false"));
      }
      case od::json_type::null: {
        bool is_null = false;
        if (auto e = cell.is_null().get(is_null)) return JsonError(e);
        if (!is_null) return Status::InvalidArgument("invalid null literal");
        return Put(j, std::nullopt);
      }
      default:
        return Status::InvalidArgument(fmt::format(
            "row {}: value of field '{}' must be a string, number, boolean or null", req_.num_rows, req_.fields[j]));
    }
  }

  Status Put(size_t j, std::optional<std::string_view> text) {
    if (int e = routing_.echo[j]; e >= 0) {
      auto& cells = req_.echo[static_cast<size_t>(e)].cells;
      if (text) cells.emplace_back(std::string(*text));
      else cells.emplace_back(std::nullopt);
    }
    if (int c = routing_.column[j]; c >= 0) {
      arrow::Column& column = table_.columns()[static_cast<size_t>(c)];
      if (!text) {
        column.AppendNull();
        return Status::Ok();
      }
      return AppendCell(column, *text, missing_);
    }
    return Status::Ok();
  }

  ScoreRequest& req_;
  const FieldRouting& routing_;
  arrow::Table& table_;
  const MissingValues& missing_;
};

Status ReadOptions(od::object& object, ScoreRequest& req) {
  for (auto member : object) {
    od::field field;
    if (auto e = std::move(member).get(field)) return JsonError(e);
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return JsonError(e);
    od::value value = field.value();
    Status st;
    if (key == "fields") {
      st = ReadStringArray(value, key, &req.fields);
    } else if (key == "rows") {
      req.has_rows = true;  // read in the second pass, once fields and options are known
    } else if (key == "includeFieldsInOutput") {
      st = ReadStringArray(value, key, &req.include_fields_in_output);
    } else if (key == "idField") {
      st = ReadOptionalString(value, key, &req.id_field);
    } else if (key == "noFieldNamesInOutput") {
      st = ReadBool(value, key, &req.no_field_names_in_output);
    } else if (key == "requestPredictionIntervals") {
      st = ReadBool(value, key, &req.request_prediction_intervals);
    } else if (key == "requestShapleyValueType") {
      std::optional<std::string> text;
      st = ReadOptionalString(value, key, &text);
      if (st.ok() && text) {
        req.shapley = ParseShapleyRequest(*text);
        if (!req.shapley)
          st = Status::InvalidArgument(fmt::format(
              "requestShapleyValueType must be one of ORIGINAL, TRANSFORMED, NONE, not '{}'", *text));
      }
    }
    // Unknown keys are skipped by the iterator, as Jackson ignores unknown properties.
    if (!st.ok()) return st;
  }
  return Status::Ok();
}

}  // namespace

Result<ScoreRequest> ParseScoreRequest(std::string_view body, const std::vector<FieldInfo>& inputs,
                                       const MissingValues& missing) {
  // simdjson reads up to SIMDJSON_PADDING bytes past the end; the transport's string has no such
  // guarantee, so the body is copied into a per-thread padded buffer.
  thread_local std::string padded;
  thread_local od::parser parser;
  padded.reserve(body.size() + simdjson::SIMDJSON_PADDING);
  padded.assign(body.data(), body.size());
  simdjson::padded_string_view view(padded.data(), padded.size(), padded.capacity());

  ScoreRequest req;
  od::document doc;
  if (auto e = parser.iterate(view).get(doc)) return JsonError(e);
  od::object object;
  if (auto e = doc.get_object().get(object)) {
    if (e == simdjson::INCORRECT_TYPE) return Status::InvalidArgument("the request body must be a JSON object");
    return JsonError(e);
  }
  Status st = ReadOptions(object, req);
  if (!st.ok()) return st;
  if (!req.has_rows) return Status::InvalidArgument("rows is required");
  st = CheckDistinctFields(req.fields);
  if (!st.ok()) return st;

  // Echo columns: includeFieldsInOutput is a set, echoed in the order of `fields`.
  std::unordered_set<std::string_view> include(req.include_fields_in_output.begin(),
                                               req.include_fields_in_output.end());
  FieldRouting routing = Route(req, inputs);
  for (size_t j = 0; j < req.fields.size(); ++j) {
    if (include.count(req.fields[j])) {
      routing.echo[j] = static_cast<int>(req.echo.size());
      req.echo.push_back(EchoColumn{req.fields[j], {}});
    }
  }
  if (req.id_field) {
    bool in_fields = false;
    for (const std::string& f : req.fields) in_fields = in_fields || f == *req.id_field;
    req.generate_ids = !in_fields && include.count(*req.id_field) > 0;
  }

  arrow::Table table;
  for (const FieldInfo& f : inputs) table.AddColumn(f.name, f.type);

  doc.rewind();
  if (auto e = doc.get_object().get(object)) return JsonError(e);
  for (auto member : object) {
    od::field field;
    if (auto e = std::move(member).get(field)) return JsonError(e);
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return JsonError(e);
    if (key != "rows") continue;
    od::value value = field.value();
    RowsReader reader(req, routing, table, missing);
    st = reader.Read(value);
    if (!st.ok()) return st;
    break;
  }
  for (size_t c : routing.unrouted_columns)
    for (int64_t r = 0; r < req.num_rows; ++r) table.columns()[c].AppendNull();
  table.set_num_rows(req.num_rows);
  // Keep the per-thread buffer from holding on to one huge body for the life of the thread.
  if (padded.capacity() > (8u << 20)) std::string().swap(padded);
  try {
    std::move(table).Export(&req.input.schema, &req.input.array);
  } catch (const std::exception& e) {
    return Status::Internal(std::string("cannot build the input table: ") + e.what());
  }
  return req;
}

}  // namespace scorehost::rest
