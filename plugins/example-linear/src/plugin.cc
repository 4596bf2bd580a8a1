// The example-linear runtime plugin: the template for third-party plugin authors.
//
// It serves linear and logistic regression models stored in a small text file (see
// models/README.md). The model is deliberately simple; the ABI usage is complete: self-description,
// artifact probe, load/describe/unload, batched columnar scoring with nulls, prediction intervals
// and exact Shapley contributions, and an exception barrier around every entry point.
#include <scorehost/arrow_columns.hpp>
#include <scorehost/plugin_api.h>
#include <scorehost/plugin_helpers.hpp>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "linear_model.h"

namespace {

using scorehost::plugin::Error;
using scorehost::plugin::Guard;
namespace arrow = scorehost::arrow;
using example_linear::LinearModel;

constexpr const char* kArtifactType = "scorehost_example_linear";
constexpr size_t kMaxModelBytes = 16u << 20;  // a text model larger than this is not one of ours

const char* const kArtifactTypes[] = {kArtifactType};
const sh_runtime_desc kRuntimes[] = {
    {sizeof(sh_runtime_desc), "example-linear", "Example linear/logistic model (plugin template)", 1, kArtifactTypes}};

// Everything a loaded model owns; sh_model is an opaque alias for it.
struct Model {
  LinearModel linear;
  std::string artifact_type;
  std::string description;
  std::vector<std::string> output_names;
  std::vector<sh_field> inputs;
  std::vector<sh_field> outputs;
  std::vector<std::string> example_texts;  // the feature means, as sample_request values
  std::vector<const char*> examples;
  sh_model_info info{};
};

Model* AsModel(sh_model* m) { return reinterpret_cast<Model*>(m); }
const Model* AsModel(const sh_model* m) { return reinterpret_cast<const Model*>(m); }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(SH_NOT_FOUND, "cannot open model file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().size() > kMaxModelBytes) throw Error(SH_DATA_LOSS, path + " is too large for a linear model");
  return text.str();
}

// Reads the batch's columns as doubles, row-major, checking it matches the model's inputs.
std::vector<double> ReadRows(const Model& model, const ArrowSchema* schema, const ArrowArray* array, int64_t* rows) {
  arrow::TableView view;
  std::string why;
  if (!arrow::TableView::Make(schema, array, &view, &why)) throw Error(SH_INVALID_ARGUMENT, "bad input batch: " + why);
  const size_t n = model.linear.features.size();
  if (view.num_columns() != n)
    throw Error(SH_INVALID_ARGUMENT, "expected " + std::to_string(n) + " input columns, got " +
                                         std::to_string(view.num_columns()));
  for (size_t j = 0; j < n; ++j) {
    if (arrow::IsStringType(view.column(j).type()))
      throw Error(SH_INVALID_ARGUMENT, "input column " + std::string(view.column(j).name()) + " must be numeric");
  }
  *rows = view.num_rows();
  std::vector<double> values(static_cast<size_t>(*rows) * n);
  for (size_t j = 0; j < n; ++j) {
    const arrow::ColumnView& col = view.column(j);
    for (int64_t r = 0; r < *rows; ++r) values[static_cast<size_t>(r) * n + j] = col.Double(r);  // null -> NaN
  }
  return values;
}

double Sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }

// ---- ABI entry points -----------------------------------------------------------------------

sh_status* Init(const sh_host_api* host) {
  scorehost::plugin::Host() = host;
  return nullptr;
}

void Fini() { scorehost::plugin::Host() = nullptr; }

int ProbeArtifact(const char* path, const char** artifact_type) {
  try {
    std::ifstream in(path, std::ios::binary);
    if (!in) return 0;
    std::string head(512, '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<size_t>(in.gcount()));
    if (!example_linear::LooksLikeLinearModel(head)) return 0;
    *artifact_type = kArtifactType;
    return 1;
  } catch (...) {
    return 0;
  }
}

sh_status* ModelLoad(const sh_load_args* args, sh_model** out_model) {
  return Guard([&] {
    auto model = std::make_unique<Model>();
    try {
      model->linear = example_linear::ParseLinearModel(ReadFile(args->model_path));
    } catch (const std::runtime_error& e) {
      throw Error(SH_DATA_LOSS, std::string(args->model_path) + ": " + e.what());
    }
    const LinearModel& m = model->linear;
    model->artifact_type = args->artifact_type ? args->artifact_type : kArtifactType;
    if (m.kind == LinearModel::Kind::kLinear) {
      model->output_names.push_back(m.target);
      if (m.interval_half_width >= 0) {
        model->output_names.push_back(m.target + ".lower");
        model->output_names.push_back(m.target + ".upper");
      }
    } else {
      model->output_names.push_back(m.target + "." + m.negative_label);
      model->output_names.push_back(m.target + "." + m.positive_label);
    }
    for (const auto& f : m.features) {
      model->inputs.push_back({f.name.c_str(), SH_TYPE_FLOAT64});
      std::ostringstream mean;
      mean << f.mean;
      model->example_texts.push_back(mean.str());
    }
    for (const auto& text : model->example_texts) model->examples.push_back(text.c_str());
    for (const auto& name : model->output_names) model->outputs.push_back({name.c_str(), SH_TYPE_FLOAT64});
    model->description = std::string(m.kind == LinearModel::Kind::kLinear ? "linear" : "logistic") +
                         " regression of " + m.target + " on " + std::to_string(m.features.size()) + " features";
    sh_model_info& info = model->info;
    info.struct_size = sizeof(sh_model_info);
    info.model_id = model->linear.id.c_str();
    info.artifact_type = model->artifact_type.c_str();
    info.description = model->description.c_str();
    info.n_inputs = model->inputs.size();
    info.inputs = model->inputs.data();
    info.n_outputs = model->outputs.size();
    info.outputs = model->outputs.data();
    info.capabilities = SH_CAP_SCORE | SH_CAP_CONTRIBUTION_ORIGINAL | SH_CAP_CONTRIBUTION_TRANSFORMED |
                        (m.interval_half_width >= 0 ? SH_CAP_SCORE_PREDICTION_INTERVAL : 0);
    info.thread_safety = SH_THREAD_SAFE;  // scoring only reads the model
    info.input_examples = model->examples.data();
    // n_properties/properties (ABI 1.2) stay 0/NULL: scoring a formula in-process has no device or
    // library version worth telling operators. A runtime that has some (e.g. {"device","cuda:0"})
    // lists them here, owned by the model like everything else in `info`.
    *out_model = reinterpret_cast<sh_model*>(model.release());
  });
}

const sh_model_info* ModelDescribe(const sh_model* model) { return &AsModel(model)->info; }

sh_status* Score(sh_model* handle, const ArrowSchema* in_schema, const ArrowArray* in, const sh_score_options* options,
                 ArrowSchema* out_schema, ArrowArray* out) {
  return Guard([&] {
    const Model& model = *AsModel(handle);
    const LinearModel& m = model.linear;
    const bool intervals = options && (options->flags & SH_SCORE_PREDICTION_INTERVALS) && m.interval_half_width >= 0;
    int64_t rows = 0;
    std::vector<double> values = ReadRows(model, in_schema, in, &rows);
    const size_t n = m.features.size();
    arrow::Table result;
    result.set_num_rows(rows);
    if (m.kind == LinearModel::Kind::kLinear) {
      double* pred = result.AddColumn(model.output_names[0], SH_TYPE_FLOAT64).MutableDoubles(rows);
      for (int64_t r = 0; r < rows; ++r) pred[r] = m.Link(&values[static_cast<size_t>(r) * n]);
      if (intervals) {
        std::vector<double> copy(pred, pred + rows);  // AddColumn may move earlier columns
        double* lo = result.AddColumn(model.output_names[1], SH_TYPE_FLOAT64).MutableDoubles(rows);
        for (int64_t r = 0; r < rows; ++r) lo[r] = copy[r] - m.interval_half_width;
        double* hi = result.AddColumn(model.output_names[2], SH_TYPE_FLOAT64).MutableDoubles(rows);
        for (int64_t r = 0; r < rows; ++r) hi[r] = copy[r] + m.interval_half_width;
      }
    } else {
      std::vector<double> p1(static_cast<size_t>(rows));
      for (int64_t r = 0; r < rows; ++r) p1[r] = Sigmoid(m.Link(&values[static_cast<size_t>(r) * n]));
      double* neg = result.AddColumn(model.output_names[0], SH_TYPE_FLOAT64).MutableDoubles(rows);
      for (int64_t r = 0; r < rows; ++r) neg[r] = 1.0 - p1[r];
      double* pos = result.AddColumn(model.output_names[1], SH_TYPE_FLOAT64).MutableDoubles(rows);
      for (int64_t r = 0; r < rows; ++r) pos[r] = p1[r];
    }
    std::move(result).Export(out_schema, out);
  });
}

// For a linear predictor with independent features and the feature means as baseline, the Shapley
// value of feature i is exactly coefficient_i * (x_i - mean_i); the bias is the prediction at the
// means. Original and transformed features are the same thing here. For logistic models the
// values are in log-odds (link) space, where they sum to the prediction.
sh_status* Contribute(sh_model* handle, sh_contribution_kind kind, const ArrowSchema* in_schema, const ArrowArray* in,
                      ArrowSchema* out_schema, ArrowArray* out) {
  return Guard([&] {
    if (kind != SH_CONTRIBUTION_ORIGINAL && kind != SH_CONTRIBUTION_TRANSFORMED)
      throw Error(SH_INVALID_ARGUMENT, "unknown contribution kind " + std::to_string(static_cast<int>(kind)));
    const Model& model = *AsModel(handle);
    const LinearModel& m = model.linear;
    int64_t rows = 0;
    std::vector<double> values = ReadRows(model, in_schema, in, &rows);
    const size_t n = m.features.size();
    double bias = m.intercept;
    for (const auto& f : m.features) bias += f.coefficient * f.mean;
    arrow::Table result;
    result.set_num_rows(rows);
    for (size_t j = 0; j < n; ++j) {
      double* c = result.AddColumn(m.features[j].name, SH_TYPE_FLOAT64).MutableDoubles(rows);
      for (int64_t r = 0; r < rows; ++r) {
        double x = values[static_cast<size_t>(r) * n + j];
        c[r] = std::isnan(x) ? 0.0 : m.features[j].coefficient * (x - m.features[j].mean);
      }
    }
    double* b = result.AddColumn("bias", SH_TYPE_FLOAT64).MutableDoubles(rows);
    for (int64_t r = 0; r < rows; ++r) b[r] = bias;
    std::move(result).Export(out_schema, out);
  });
}

void ModelUnload(sh_model* model) { delete AsModel(model); }

const sh_plugin_api kApi = {
    sizeof(sh_plugin_api), SH_ABI_MAJOR, SH_ABI_MINOR,
    "example-linear", "1.0.0",
    sizeof(kRuntimes) / sizeof(kRuntimes[0]), kRuntimes,
    &Init, &Fini, &ProbeArtifact, /*runtime_status=*/nullptr,
    &ModelLoad, &ModelDescribe, &Score, &Contribute, &ModelUnload};

}  // namespace

extern "C" SH_PLUGIN_EXPORT int scorehost_plugin_entry(uint32_t host_abi_major, uint32_t host_abi_minor,
                                                       sh_plugin_api* out) {
  (void)host_abi_minor;
  return scorehost::plugin::FillEntry(host_abi_major, out, kApi);
}
