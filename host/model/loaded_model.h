// One model loaded through a plugin: its description in host types, and score/contribute calls
// that own their Arrow results. The only place in the host that calls a model's entry points.
#pragma once

#include <scorehost/arrow_columns.hpp>
#include <scorehost/plugin_api.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "loader/plugin_library.h"

namespace scorehost {

struct FieldInfo {
  std::string name;
  sh_data_type type;
};

struct ModelInfo {
  std::string model_id;
  std::string artifact_type;
  std::string description;
  std::vector<FieldInfo> inputs;
  std::vector<FieldInfo> outputs;
  uint32_t capabilities = 0;  // SH_CAP_* bits
  bool thread_safe = false;
  // One example text per input (ABI 1.1); empty when the plugin gave none, nullopt per missing entry.
  std::vector<std::optional<std::string>> input_examples;
  // What the plugin reports about how it serves the model (ABI 1.2), e.g. {"device","cuda:0"}, in the
  // plugin's order; empty for a plugin that reports none or predates 1.2. Keys are unique.
  std::vector<std::pair<std::string, std::string>> properties;

  bool Has(uint32_t capability) const { return (capabilities & capability) != 0; }
};

// The REST name of a data type ("Float64", ...).
const char* DataTypeName(sh_data_type type);

using KeyValues = std::vector<std::pair<std::string, std::string>>;

class LoadedModel {
 public:
  // Loads the model at `model_path` with `runtime_name` of `plugin`. `config` is handed to the
  // plugin (seed environment variable names).
  static Result<std::unique_ptr<LoadedModel>> Load(std::shared_ptr<PluginLibrary> plugin,
                                                   const std::string& runtime_name,
                                                   const std::string& model_path,
                                                   const std::string& artifact_type,
                                                   const KeyValues& config);
  ~LoadedModel();
  LoadedModel(const LoadedModel&) = delete;
  LoadedModel& operator=(const LoadedModel&) = delete;

  const ModelInfo& info() const { return info_; }
  const std::string& runtime_name() const { return runtime_name_; }
  const PluginLibrary& plugin() const { return *plugin_; }

  // Scores `input` (a struct array whose columns are info().inputs in order). The result is the
  // plugin's output, validated as a well-formed struct array; its row count is NOT checked here
  // (row-count policy belongs to the caller, see SCORE_ROW_COUNT_VALIDATION).
  // Safe to call from several threads: a model that is not thread-safe is serialised here.
  Result<arrow::OwnedArrow> Score(const arrow::OwnedArrow& input, uint32_t score_flags) const;

  // Shapley contributions; same contract as Score.
  Result<arrow::OwnedArrow> Contribute(const arrow::OwnedArrow& input, sh_contribution_kind kind) const;

  // An empty input table with the model's input columns (for zero-row calls and tests).
  arrow::Table MakeInputTable() const;

 private:
  LoadedModel() = default;
  Result<arrow::OwnedArrow> Finish(sh_status* status, arrow::OwnedArrow out, const char* what) const;

  // Runs one call into the model, holding serial_ unless the model declared itself thread-safe.
  template <class Call>
  sh_status* CallModel(Call&& call) const {
    if (info_.thread_safe) return call();
    std::lock_guard<std::mutex> lock(serial_);
    return call();
  }

  std::shared_ptr<PluginLibrary> plugin_;
  sh_model* model_ = nullptr;
  std::string runtime_name_;
  ModelInfo info_;
  mutable std::mutex serial_;  // held around calls into a model that is not thread-safe
};

}  // namespace scorehost
