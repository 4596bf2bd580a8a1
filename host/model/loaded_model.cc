#include "model/loaded_model.h"

#include <fmt/format.h>

#include <set>

#include "loader/host_services.h"

namespace scorehost {

const char* DataTypeName(sh_data_type type) {
  switch (type) {
    case SH_TYPE_BOOL: return "Bool";
    case SH_TYPE_INT32: return "Int32";
    case SH_TYPE_INT64: return "Int64";
    case SH_TYPE_FLOAT32: return "Float32";
    case SH_TYPE_FLOAT64: return "Float64";
    case SH_TYPE_STR: return "Str";
    case SH_TYPE_TIME64: return "Time64";
    default: return "Str";
  }
}

namespace {

bool KnownType(sh_data_type t) { return t >= SH_TYPE_BOOL && t <= SH_TYPE_TIME64; }

Result<std::vector<FieldInfo>> CopyFields(const sh_field* fields, size_t n, const char* what) {
  std::vector<FieldInfo> out;
  if (n > 0 && fields == nullptr) return Status::Internal(fmt::format("plugin lists {} {} but no array", n, what));
  for (size_t i = 0; i < n; ++i) {
    if (fields[i].name == nullptr) return Status::Internal(fmt::format("{} field {} has no name", what, i));
    if (!KnownType(fields[i].type))
      return Status::Internal(fmt::format("{} field '{}' has unknown type {}", what, fields[i].name,
                                          static_cast<int>(fields[i].type)));
    out.push_back({fields[i].name, fields[i].type});
  }
  return out;
}

// Copies a model's runtime properties. They only inform (nothing depends on them), so a malformed
// entry is dropped rather than failing the load: a NULL key is skipped, a NULL value reads as "",
// and a repeated key keeps its first value so that documents keyed by name stay well-formed.
std::vector<std::pair<std::string, std::string>> CopyProperties(const sh_kv* kvs, size_t n) {
  std::vector<std::pair<std::string, std::string>> out;
  std::set<std::string> seen;
  for (size_t i = 0; i < n; ++i) {
    if (kvs[i].key == nullptr || !seen.insert(kvs[i].key).second) continue;
    out.emplace_back(kvs[i].key, kvs[i].value ? kvs[i].value : "");
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<LoadedModel>> LoadedModel::Load(std::shared_ptr<PluginLibrary> plugin,
                                                        const std::string& runtime_name,
                                                        const std::string& model_path,
                                                        const std::string& artifact_type,
                                                        const KeyValues& config) {
  std::vector<sh_kv> kvs;
  kvs.reserve(config.size());
  for (const auto& [k, v] : config) kvs.push_back({k.c_str(), v.c_str()});
  sh_load_args args{sizeof(sh_load_args), runtime_name.c_str(), model_path.c_str(), artifact_type.c_str(),
                    kvs.size(), kvs.data()};
  sh_model* handle = nullptr;
  Status st = TakeStatus(plugin->api().model_load(&args, &handle));
  if (!st.ok()) return st;
  if (handle == nullptr) return Status::Internal("plugin " + plugin->path() + " loaded no model and reported no error");

  std::unique_ptr<LoadedModel> model(new LoadedModel());
  model->plugin_ = std::move(plugin);
  model->model_ = handle;
  model->runtime_name_ = runtime_name;

  const sh_model_info* d = model->plugin_->api().model_describe(handle);
  if (d == nullptr) return Status::Internal("plugin " + model->plugin_->path() + " returned no model description");
  ModelInfo& info = model->info_;
  info.model_id = d->model_id ? d->model_id : "";
  info.artifact_type = d->artifact_type ? d->artifact_type : artifact_type;
  info.description = d->description ? d->description : "";
  auto inputs = CopyFields(d->inputs, d->n_inputs, "input");
  if (!inputs.ok()) return inputs.status();
  auto outputs = CopyFields(d->outputs, d->n_outputs, "output");
  if (!outputs.ok()) return outputs.status();
  info.inputs = std::move(*inputs);
  info.outputs = std::move(*outputs);
  info.capabilities = d->capabilities;
  info.thread_safe = d->thread_safety == SH_THREAD_SAFE;
  if (SH_HAS_FIELD(d, sh_model_info, input_examples) && d->input_examples != nullptr) {
    for (size_t i = 0; i < info.inputs.size(); ++i) {
      const char* example = d->input_examples[i];
      info.input_examples.push_back(example ? std::optional<std::string>(example) : std::nullopt);
    }
  }
  if (SH_HAS_FIELD(d, sh_model_info, properties) && d->properties != nullptr)
    info.properties = CopyProperties(d->properties, d->n_properties);
  return model;
}

LoadedModel::~LoadedModel() {
  if (model_ != nullptr) plugin_->api().model_unload(model_);
}

arrow::Table LoadedModel::MakeInputTable() const {
  arrow::Table t;
  for (const FieldInfo& f : info_.inputs) t.AddColumn(f.name, f.type);
  return t;
}

Result<arrow::OwnedArrow> LoadedModel::Finish(sh_status* status, arrow::OwnedArrow out, const char* what) const {
  Status st = TakeStatus(status);
  if (!st.ok()) return st;
  arrow::TableView view;
  std::string why;
  if (!arrow::TableView::Make(&out.schema, &out.array, &view, &why))
    return Status::Internal(fmt::format("plugin {} returned a malformed {} result: {}", plugin_->name(), what, why));
  return out;
}

Result<arrow::OwnedArrow> LoadedModel::Score(const arrow::OwnedArrow& input, uint32_t score_flags) const {
  sh_score_options options{sizeof(sh_score_options), score_flags};
  arrow::OwnedArrow out;
  sh_status* status = CallModel([&] {
    return plugin_->api().score(model_, &input.schema, &input.array, &options, &out.schema, &out.array);
  });
  return Finish(status, std::move(out), "score");
}

Result<arrow::OwnedArrow> LoadedModel::Contribute(const arrow::OwnedArrow& input, sh_contribution_kind kind) const {
  if (plugin_->api().contribute == nullptr)
    return Status::Unimplemented(fmt::format("runtime {} does not compute Shapley contributions", runtime_name_));
  arrow::OwnedArrow out;
  sh_status* status = CallModel([&] {
    return plugin_->api().contribute(model_, kind, &input.schema, &input.array, &out.schema, &out.array);
  });
  return Finish(status, std::move(out), "contribution");
}

}  // namespace scorehost
