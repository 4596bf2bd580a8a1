// The scorehost ABI glue of the H2O-3 MOJO scorer: describes the runtime, loads MOJOs through the
// core library and converts Arrow struct arrays to and from the row-major doubles it scores.
#include <scorehost/arrow_columns.hpp>
#include <scorehost/plugin_api.h>
#include <scorehost/plugin_helpers.hpp>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "errors.hpp"
#include "io_schema.hpp"
#include "mlflow_locator.hpp"
#include "mojo_model.hpp"

namespace {

namespace h2o3 = scorehost::h2o3;
using scorehost::plugin::Error;

constexpr const char* kRuntimeName = "h2o3-mojo-scorer";
constexpr const char* kArtifactMojo = "h2o3_mojo";
constexpr const char* kArtifactMlflow = "mlflow_h2o3_mojo";
const char* const kArtifactTypes[] = {kArtifactMojo, kArtifactMlflow};
const sh_runtime_desc kRuntimes[] = {
    {sizeof(sh_runtime_desc), kRuntimeName, "H2O-3 MOJO Scorer", 2, kArtifactTypes}};

sh_status_code CodeOf(h2o3::ErrorKind kind) {
  switch (kind) {
    case h2o3::ErrorKind::kNotFound: return SH_NOT_FOUND;
    case h2o3::ErrorKind::kDataLoss: return SH_DATA_LOSS;
    case h2o3::ErrorKind::kUnimplemented: return SH_UNIMPLEMENTED;
    case h2o3::ErrorKind::kInvalidArgument: return SH_INVALID_ARGUMENT;
  }
  return SH_INTERNAL;
}

// Everything sh_model_info points into lives here, unchanged from load to unload.
struct LoadedModel {
  std::unique_ptr<h2o3::MojoModel> model;
  std::unique_ptr<h2o3::InputSchema> inputs;
  std::unique_ptr<h2o3::OutputLayout> outputs;
  std::string model_id, artifact_type, description;
  std::vector<sh_field> input_fields, output_fields;
  sh_model_info info{};
};

sh_status* Init(const sh_host_api* host) {
  scorehost::plugin::Host() = host;
  return nullptr;
}

void Fini() { scorehost::plugin::Host() = nullptr; }

sh_status* ModelLoad(const sh_load_args* args, sh_model** out_model) {
  return scorehost::plugin::Guard([&]() -> sh_status* {
    if (out_model == nullptr || args == nullptr || args->model_path == nullptr)
      throw Error(SH_INVALID_ARGUMENT, "model_load: missing arguments");
    *out_model = nullptr;
    const std::string path = args->model_path;
    const std::string type = args->artifact_type ? args->artifact_type : kArtifactMojo;
    if (type != kArtifactMojo && type != kArtifactMlflow)
      throw Error(SH_FAILED_PRECONDITION, path + ": artifact type '" + type + "' is not served by " + kRuntimeName);
    auto lm = std::make_unique<LoadedModel>();
    try {
      if (type == kArtifactMlflow) {
        std::unique_ptr<h2o3::Archive> archive = h2o3::OpenMlflowMojo(path);
        lm->model = h2o3::LoadMojo(*archive);
      } else {
        lm->model = h2o3::LoadMojo(path);
      }
    } catch (const h2o3::MojoError& e) {
      throw Error(CodeOf(e.kind()), e.what());
    }
    const h2o3::MojoMeta& meta = lm->model->meta();
    lm->inputs = std::make_unique<h2o3::InputSchema>(meta);
    lm->outputs = std::make_unique<h2o3::OutputLayout>(*lm->model);
    lm->model_id = meta.uuid;
    lm->artifact_type = type == kArtifactMojo ? kArtifactMojo : kArtifactMlflow;
    lm->description = lm->model->Describe();
    for (const auto& c : lm->inputs->columns())
      lm->input_fields.push_back({c.name.c_str(), c.categorical ? SH_TYPE_STR : SH_TYPE_FLOAT64});
    for (const auto& c : lm->outputs->columns())
      lm->output_fields.push_back({c.name.c_str(), c.is_label ? SH_TYPE_STR : SH_TYPE_FLOAT64});
    sh_model_info& info = lm->info;
    info.struct_size = sizeof(sh_model_info);
    info.model_id = lm->model_id.c_str();
    info.artifact_type = lm->artifact_type.c_str();
    info.description = lm->description.c_str();
    info.n_inputs = lm->input_fields.size();
    info.inputs = lm->input_fields.data();
    info.n_outputs = lm->output_fields.size();
    info.outputs = lm->output_fields.data();
    // TreeSHAP for GBM/DRF/XGBoost regression and binomial models. Others (multinomial, GLM, ...) do not
    // declare it; contribute still answers them SH_UNIMPLEMENTED with the reason.
    info.capabilities = SH_CAP_SCORE | (lm->model->HasContributions() ? SH_CAP_CONTRIBUTION_TRANSFORMED : 0u);
    info.thread_safety = SH_THREAD_SAFE;
    scorehost::plugin::Log(SH_LOG_INFO, "h2o3-mojo: loaded " + path + ": " + lm->description);
    *out_model = reinterpret_cast<sh_model*>(lm.release());
    return nullptr;
  });
}

const sh_model_info* ModelDescribe(const sh_model* model) {
  return &reinterpret_cast<const LoadedModel*>(model)->info;
}

void ModelUnload(sh_model* model) { delete reinterpret_cast<LoadedModel*>(model); }

// The model's input rows, converted from the Arrow batch: row-major features (Java's score0 row:
// level indices, NaN for missing) and the offsets (empty when the model has no offset column).
struct InputRows {
  size_t n = 0;
  std::vector<double> rows;
  std::vector<double> offsets;
};

InputRows ReadInputs(const LoadedModel& lm, const ArrowSchema* in_schema, const ArrowArray* in) {
  namespace arrow = scorehost::arrow;
  arrow::TableView view;
  std::string why;
  if (!arrow::TableView::Make(in_schema, in, &view, &why)) throw Error(SH_INVALID_ARGUMENT, "bad input batch: " + why);
  const auto& specs = lm.inputs->columns();
  if (view.num_columns() != specs.size())
    throw Error(SH_INVALID_ARGUMENT, "the model takes " + std::to_string(specs.size()) + " input columns, the batch has " +
                                         std::to_string(view.num_columns()));
  InputRows input;
  const size_t n = input.n = static_cast<size_t>(view.num_rows());
  const size_t nf = static_cast<size_t>(lm.model->meta().n_features);
  input.rows.resize(n * nf);
  for (size_t j = 0; j < specs.size(); ++j) {
    const h2o3::InputColumnSpec& spec = specs[j];
    const arrow::ColumnView& col = view.column(j);
    const bool is_string = arrow::IsStringType(col.type());
    // The ABI promises inputs in describe()'s order and types; catch a host or client that
    // reorders or retypes columns instead of silently scoring garbage.
    if (!col.name().empty() && col.name() != spec.name)
      throw Error(SH_INVALID_ARGUMENT, "input column " + std::to_string(j) + " is '" + std::string(col.name()) +
                                           "', the model expects '" + spec.name + "'");
    if (is_string != spec.categorical)
      throw Error(SH_INVALID_ARGUMENT, "input column '" + spec.name + "' must be " +
                                           (spec.categorical ? "a string (categorical level)" : "numeric"));
    if (spec.is_offset) {
      input.offsets.resize(n);
      for (size_t r = 0; r < n; ++r) {
        input.offsets[r] = col.Double(static_cast<int64_t>(r));
        if (std::isnan(input.offsets[r]))
          throw Error(SH_INVALID_ARGUMENT, "offset column '" + spec.name + "' is missing in row " + std::to_string(r));
      }
      continue;
    }
    double* dst = input.rows.data() + spec.feature;
    for (size_t r = 0; r < n; ++r, dst += nf) {
      const int64_t i = static_cast<int64_t>(r);
      if (col.IsNull(i)) *dst = NAN;
      else if (spec.categorical) *dst = lm.inputs->EncodeLevel(spec.feature, col.String(i));
      else *dst = col.Double(i);
    }
  }
  return input;
}

// Arrow input -> row-major features (+ offsets) -> Java preds -> Arrow output.
void ScoreBatch(const LoadedModel& lm, const ArrowSchema* in_schema, const ArrowArray* in, ArrowSchema* out_schema,
                ArrowArray* out) {
  namespace arrow = scorehost::arrow;
  const InputRows input = ReadInputs(lm, in_schema, in);
  const std::vector<double>& rows = input.rows;
  const std::vector<double>& offsets = input.offsets;
  const h2o3::MojoModel& model = *lm.model;
  const size_t n = input.n;
  const size_t nf = static_cast<size_t>(model.meta().n_features);

  const size_t stride = model.preds_size();
  std::vector<double> preds(n * stride, 0.0);
  try {
    model.ScoreBatch(rows.data(), n, nf, offsets.empty() ? nullptr : offsets.data(), preds.data(), stride);
  } catch (const h2o3::MojoError& e) {
    // Find the offending row for the message (errors are rare; the batch path stays lean).
    for (size_t r = 0; r < n; ++r) {
      try {
        model.Score0(std::span<const double>(rows.data() + r * nf, nf), offsets.empty() ? 0.0 : offsets[r],
                     std::span<double>(preds.data() + r * stride, stride));
      } catch (const h2o3::MojoError& row_error) {
        throw Error(CodeOf(row_error.kind()), "row " + std::to_string(r) + ": " + row_error.what());
      }
    }
    throw Error(CodeOf(e.kind()), e.what());
  }

  const h2o3::OutputLayout& layout = *lm.outputs;
  arrow::Table table(static_cast<int64_t>(n));
  const auto& ocols = layout.columns();
  if (!layout.classifier()) {
    for (size_t c = 0; c < ocols.size(); ++c) {
      double* dst = table.AddColumn(ocols[c].name, SH_TYPE_FLOAT64).MutableDoubles(n);
      for (size_t r = 0; r < n; ++r) dst[r] = preds[r * stride + c];
    }
  } else {
    const size_t k = layout.n_classes();
    arrow::Column& label = table.AddColumn(ocols[0].name, SH_TYPE_STR);
    label.Reserve(n);
    for (size_t r = 0; r < n; ++r) {
      if (const std::string* l = layout.Label(preds[r * stride])) label.AppendString(*l);
      else label.AppendNull();
    }
    for (size_t c = 1; c <= k; ++c) {
      double* dst = table.AddColumn(ocols[c].name, SH_TYPE_FLOAT64).MutableDoubles(n);
      for (size_t r = 0; r < n; ++r) dst[r] = preds[r * stride + c];
    }
    if (layout.calibrated()) {
      std::vector<double*> cal(k);
      for (size_t c = 0; c < k; ++c) cal[c] = table.AddColumn(ocols[1 + k + c].name, SH_TYPE_FLOAT64).MutableDoubles(n);
      std::vector<double> tmp(stride);
      for (size_t r = 0; r < n; ++r) {
        std::copy(preds.begin() + static_cast<std::ptrdiff_t>(r * stride),
                  preds.begin() + static_cast<std::ptrdiff_t>((r + 1) * stride), tmp.begin());
        model.Calibrate(tmp.data());
        for (size_t c = 0; c < k; ++c) cal[c][r] = tmp[1 + c];
      }
    }
  }
  std::move(table).Export(out_schema, out);
}

// Arrow input -> TreeSHAP (CONTRIBUTION_TRANSFORMED only) -> one Float32 column per contribution
// (per feature, or per one-hot input for XGBoost) + BiasTerm.
// The values are Java's floats, so Float32 columns make the REST layer print them as Java does.
sh_status* Contribute(sh_model* model, sh_contribution_kind kind, const ArrowSchema* in_schema, const ArrowArray* in,
                      ArrowSchema* out_schema, ArrowArray* out) {
  return scorehost::plugin::Guard([&] {
    namespace arrow = scorehost::arrow;
    if (model == nullptr || out_schema == nullptr || out == nullptr)
      throw Error(SH_INVALID_ARGUMENT, "contribute: null argument");
    const LoadedModel& lm = *reinterpret_cast<const LoadedModel*>(model);
    if (kind != SH_CONTRIBUTION_TRANSFORMED)
      throw Error(SH_UNIMPLEMENTED, "H2O-3 MOJO models only provide TRANSFORMED Shapley contributions (TreeSHAP in "
                                    "link space); ORIGINAL contributions are not supported");
    const size_t nf = static_cast<size_t>(lm.model->meta().n_features);
    if (!lm.model->HasContributions()) {
      // The capability is not declared: answer SH_UNIMPLEMENTED with the model's reason, whatever
      // the batch holds (ContributeBatch refuses such models before it reads any row).
      try {
        lm.model->ContributeBatch(nullptr, 0, nf, nullptr);
      } catch (const h2o3::MojoError& e) {
        throw Error(SH_UNIMPLEMENTED, e.what());
      }
      throw Error(SH_UNIMPLEMENTED, "Shapley contributions are not available for this model");
    }
    const InputRows input = ReadInputs(lm, in_schema, in);
    const size_t width = lm.model->ContributionWidth();
    std::vector<float> values(input.n * width);
    try {
      lm.model->ContributeBatch(input.rows.data(), input.n, nf, values.data());
    } catch (const h2o3::MojoError& e) {
      throw Error(CodeOf(e.kind()), e.what());
    }
    arrow::Table table(static_cast<int64_t>(input.n));
    const std::vector<std::string> names = lm.model->ContributionNames();
    for (size_t c = 0; c < names.size(); ++c) {
      arrow::Column& col = table.AddColumn(names[c], SH_TYPE_FLOAT32);
      col.Reserve(input.n);
      for (size_t r = 0; r < input.n; ++r) col.AppendDouble(values[r * width + c]);
    }
    std::move(table).Export(out_schema, out);
  });
}

sh_status* Score(sh_model* model, const ArrowSchema* in_schema, const ArrowArray* in,
                 const sh_score_options* /*options: no prediction intervals for MOJOs*/, ArrowSchema* out_schema,
                 ArrowArray* out) {
  return scorehost::plugin::Guard([&] {
    if (model == nullptr || out_schema == nullptr || out == nullptr) throw Error(SH_INVALID_ARGUMENT, "score: null argument");
    ScoreBatch(*reinterpret_cast<const LoadedModel*>(model), in_schema, in, out_schema, out);
  });
}

}  // namespace

extern "C" SH_PLUGIN_EXPORT int scorehost_plugin_entry(uint32_t host_abi_major, uint32_t /*host_abi_minor*/,
                                                       sh_plugin_api* out) {
  static const sh_plugin_api api = [] {
    sh_plugin_api a{};
    a.struct_size = sizeof(sh_plugin_api);
    a.abi_major = SH_ABI_MAJOR;
    a.abi_minor = SH_ABI_MINOR;
    a.plugin_name = "h2o3-mojo";
    a.plugin_version = "0.1.0";
    a.n_runtimes = 1;
    a.runtimes = kRuntimes;
    a.init = &Init;
    a.fini = &Fini;
    a.probe_artifact = nullptr;  // the host recognises MOJOs by their model.ini
    a.runtime_status = nullptr;  // pure C++: always available
    a.model_load = &ModelLoad;
    a.model_describe = &ModelDescribe;
    a.score = &Score;
    a.contribute = &Contribute;
    a.model_unload = &ModelUnload;
    return a;
  }();
  return scorehost::plugin::FillEntry(host_abi_major, out, api);
}
