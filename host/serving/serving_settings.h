// Everything `scorehost serve` can be told, with the seed's environment variable names and
// defaults. Each setting is a flag and an environment variable; the flag wins.
#pragma once

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "model/loaded_model.h"

namespace scorehost {

enum class RowCountValidation { kStrict, kWarn };

struct ServingSettings {
  // Model and runtime.
  std::string model_path;        // --model-path / MODEL_PATH
  std::string mojo_path_env;     // SCORER_MOJO_PATH (H2O-3 runtime's own name; lower precedence)
  std::vector<std::string> java_style_properties;  // -Dmojo.path=..., -Dshapley.enable=... (seed aliases)
  std::string runtime_name;      // --runtime / RUNTIME
  std::string model_id;          // --model-id / MODEL_ID; empty: the plugin's model id

  // HTTP.
  std::string host = "0.0.0.0";  // HOST
  int port = 8080;               // PORT
  int http_threads = 0;          // HTTP_THREADS; 0: one per CPU core (at most 8)
  std::size_t max_body_bytes = 64u << 20;  // MAX_BODY_SIZE
  double drain_timeout_s = 30;   // DRAIN_TIMEOUT
  bool metrics_enabled = true;   // METRICS_ENABLED: GET /metrics and the recording behind it

  // Admission and batching (the seed's "Concurrency and performance tuning").
  int scoring_concurrency = 4;       // SCORING_CONCURRENCY
  double scoring_warn_timeout_s = 30;  // SCORING_WARN_TIMEOUT
  double scoring_timeout_s = 0;      // SCORING_TIMEOUT; 0 = wait forever
  int max_waiting_requests = 4096;   // MAX_WAITING_REQUESTS: bound on requests waiting at the gate
  int batch_workers = 1;             // BATCH_WORKERS; 0 = direct path
  int max_batch_size = 64;           // MAX_BATCH_SIZE (rows)
  int64_t max_queue_delay_us = 10000;  // MAX_QUEUE_DELAY_US
  std::string row_count_validation = "strict";  // SCORE_ROW_COUNT_VALIDATION

  // Shapley (handed to the plugin and used for /model/capabilities).
  std::string shapley_enable;         // SHAPLEY_ENABLE (true/false); empty = unset
  std::string shapley_types_enabled;  // SHAPLEY_TYPES_ENABLED (ALL, NONE, ORIGINAL, TRANSFORMED)

  RowCountValidation row_count_mode() const {
    return row_count_validation == "warn" ? RowCountValidation::kWarn : RowCountValidation::kStrict;
  }
  std::chrono::microseconds max_queue_delay() const { return std::chrono::microseconds(max_queue_delay_us); }
};

// Registers every setting on `command` as a flag bound to its environment variable, with the
// default shown in --help.
void AddServingOptions(CLI::App& command, ServingSettings& settings);

// Applies the precedence rules CLI11 cannot express (model path aliases, -D properties), checks
// ranges and enum values. Call after parsing.
Status FinalizeServingSettings(ServingSettings& settings);

// The key/value configuration handed to the plugin's model_load: the environment's plugin
// settings overlaid with the resolved serving settings (flags win).
KeyValues PluginConfig(const ServingSettings& settings);

}  // namespace scorehost
