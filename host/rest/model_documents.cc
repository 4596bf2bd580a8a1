#include "rest/model_documents.h"

#include "rest/json_writer.h"

namespace scorehost::rest {
namespace {

void WriteFields(JsonWriter& w, const std::vector<FieldInfo>& fields) {
  w.BeginArray();
  for (const FieldInfo& f : fields) {
    w.BeginObject();
    w.Key("name");
    w.String(f.name);
    w.Key("dataType");
    w.String(DataTypeName(f.type));
    w.EndObject();
  }
  w.EndArray();
}

// The Java SampleRequestBuilder's examples.
const char* ExampleOf(sh_data_type type) {
  switch (type) {
    case SH_TYPE_BOOL: return "true";
    case SH_TYPE_INT32:
    case SH_TYPE_INT64:
    case SH_TYPE_FLOAT32:
    case SH_TYPE_FLOAT64: return "0";
    case SH_TYPE_STR: return "text";
    case SH_TYPE_TIME64: return "2018-01-01";
    default: return "";
  }
}

}  // namespace

std::string SchemaDocument(const ModelInfo& info, const std::string& model_id) {
  std::string body;
  JsonWriter w(body);
  w.BeginObject();
  if (!model_id.empty()) {
    w.Key("id");
    w.String(model_id);
  }
  w.Key("schema");
  w.BeginObject();
  w.Key("inputFields");
  WriteFields(w, info.inputs);
  w.Key("outputFields");
  WriteFields(w, info.outputs);
  w.EndObject();
  w.EndObject();
  return body;
}

std::string CapabilitiesDocument(const ModelInfo& info, const ShapleyOptions& shapley) {
  std::string body;
  JsonWriter w(body);
  w.BeginArray();
  if (info.Has(SH_CAP_SCORE_PREDICTION_INTERVAL)) w.String("SCORE_PREDICTION_INTERVAL");
  w.String("SCORE");
  if (shapley.allows_original()) w.String("CONTRIBUTION_ORIGINAL");
  if (shapley.allows_transformed()) w.String("CONTRIBUTION_TRANSFORMED");
  w.EndArray();
  return body;
}

std::string SampleRequestDocument(const ModelInfo& info) {
  std::string body;
  JsonWriter w(body);
  w.BeginObject();
  w.Key("fields");
  w.BeginArray();
  for (const FieldInfo& f : info.inputs) w.String(f.name);
  w.EndArray();
  w.Key("rows");
  w.BeginArray();
  w.BeginArray();
  // The model's own example (ABI 1.1, e.g. an MLflow input example) when it has one, else the
  // Java scorer's per-type placeholder.
  for (size_t i = 0; i < info.inputs.size(); ++i) {
    const bool has_example = i < info.input_examples.size() && info.input_examples[i].has_value();
    w.String(has_example ? *info.input_examples[i] : std::string(ExampleOf(info.inputs[i].type)));
  }
  w.EndArray();
  w.EndArray();
  w.EndObject();
  return body;
}

std::string RuntimeDocument(const LoadedModel& model) {
  std::string body;
  JsonWriter w(body);
  w.BeginObject();
  w.Key("runtime");
  w.String(model.runtime_name());
  w.Key("plugin");
  w.String(model.plugin().name());
  w.Key("plugin_version");
  w.String(model.plugin().version());
  w.Key("artifact_type");
  w.String(model.info().artifact_type);
  // An object rather than a list of pairs: keys are unique (LoadedModel drops repeats), and a
  // client reads one fact by name, e.g. properties.device.
  w.Key("properties");
  w.BeginObject();
  for (const auto& [key, value] : model.info().properties) {
    w.Key(key);
    w.String(value);
  }
  w.EndObject();
  w.EndObject();
  return body;
}

}  // namespace scorehost::rest
