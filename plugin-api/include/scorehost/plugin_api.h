/*
 * scorehost plugin ABI, version 1.
 *
 * This is the only contract between the scorehost host process and a runtime plugin (one shared
 * library per kind of model artifact). It is plain C (C11 and C++ compatible) and depends only on
 * <stddef.h> and <stdint.h>, so a plugin can be built outside the scorehost tree with nothing but
 * this header.
 *
 * ---------------------------------------------------------------------------------------------
 * Shape
 * ---------------------------------------------------------------------------------------------
 *   1. A plugin exports exactly one symbol, `scorehost_plugin_entry` (see the bottom of this file).
 *      The host calls it once after dlopen; it fills an `sh_plugin_api` function table and must not
 *      do any other work (no threads, no I/O) because the host has not yet checked the version.
 *   2. The host checks `abi_major == SH_ABI_MAJOR` and `abi_minor <= SH_ABI_MINOR` (the Triton rule:
 *      majors equal, host minor at least the plugin's). A mismatching plugin is refused and never
 *      called again; the other plugins keep working.
 *   3. init -> (probe_artifact | runtime_status)* -> model_load -> model_describe ->
 *      (score | contribute)* -> model_unload -> fini.
 *
 * ---------------------------------------------------------------------------------------------
 * Versioning rules
 * ---------------------------------------------------------------------------------------------
 *   - Every extensible struct starts with `size_t struct_size`, set by whoever fills the struct to
 *     sizeof() as *it* was compiled. A reader must check `struct_size` before touching a field that
 *     was appended in a later minor version (SH_HAS_FIELD below).
 *   - Fields are only appended, never reordered or removed; each addition is tagged `since 1.N`
 *     and bumps SH_ABI_MINOR. The released layouts are frozen by static asserts in
 *     tests/abi/abi_layout_test.c.
 *   - History: 1.0 first release; 1.1 added sh_model_info.input_examples; 1.2 added
 *     sh_model_info.n_properties / properties (runtime properties of a loaded model).
 *   - The first three fields of `sh_plugin_api` (struct_size, abi_major, abi_minor) are frozen
 *     across *all* majors, so the host can always read a plugin's version, even a future one.
 *
 * ---------------------------------------------------------------------------------------------
 * Memory and ownership (applies to the whole file unless a field says otherwise)
 * ---------------------------------------------------------------------------------------------
 *   - Statuses (`sh_status*`) are always allocated by the host through `sh_host_api.status_new`
 *     and freed by the host. A plugin creates them and returns them; it never frees one.
 *     NULL means success.
 *   - Strings handed from host to plugin are borrowed for the duration of the call only; copy what
 *     you keep. Strings a plugin hands to the host in a description (`sh_plugin_api`,
 *     `sh_model_info`) stay owned by the plugin and must live as long as the object they describe.
 *   - Batches cross as Arrow C Data Interface structs (https://arrow.apache.org/docs/format/
 *     CDataInterface.html). Input batches are *borrowed*: the plugin must not call their release
 *     callbacks and must not keep pointers into them after the call returns. Output batches are
 *     *moved* to the host: the plugin fills them, the host calls `release` when it is done.
 *   - No C++ exception, longjmp or signal may cross this boundary. Plugins written in C++ wrap every
 *     entry point in a catch-all that turns an exception into SH_INTERNAL (see
 *     plugin-api/cpp/scorehost/plugin_helpers.hpp).
 *
 * ---------------------------------------------------------------------------------------------
 * Threads
 * ---------------------------------------------------------------------------------------------
 *   - entry, init, fini, probe_artifact, runtime_status, model_load and model_unload are called
 *     from one host thread at a time (never concurrently with each other).
 *   - score and contribute on *one* model are called concurrently only if the model's
 *     `sh_model_info.thread_safety` is SH_THREAD_SAFE; otherwise the host serialises them.
 *     model_describe may be called from any thread at any time between load and unload.
 *   - Every function in `sh_host_api` is thread-safe and may be called from any thread, including
 *     threads the plugin created itself, between init and the return of fini.
 */
#ifndef SCOREHOST_PLUGIN_API_H
#define SCOREHOST_PLUGIN_API_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ============================================================================================ */
/* Versions                                                                                      */
/* ============================================================================================ */

#define SH_ABI_MAJOR 1
#define SH_ABI_MINOR 2

/* True when `ptr` (a pointer to a size-prefixed struct) was filled by a party that knew `field`. */
#define SH_HAS_FIELD(ptr, type, field) \
  ((ptr)->struct_size >= offsetof(type, field) + sizeof(((type*)0)->field))

/* ============================================================================================ */
/* Arrow C Data Interface                                                                        */
/* The two struct definitions below are the Arrow project's published, frozen C ABI; they are    */
/* reproduced field for field (as the specification asks producers and consumers to do), under   */
/* the customary include guard so that a translation unit that also includes Arrow sees one copy. */
/* ============================================================================================ */
#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE

#define ARROW_FLAG_DICTIONARY_ORDERED 1
#define ARROW_FLAG_NULLABLE 2
#define ARROW_FLAG_MAP_KEYS_SORTED 4

struct ArrowSchema {
  const char* format;
  const char* name;
  const char* metadata;
  int64_t flags;
  int64_t n_children;
  struct ArrowSchema** children;
  struct ArrowSchema* dictionary;
  void (*release)(struct ArrowSchema*);
  void* private_data;
};

struct ArrowArray {
  int64_t length;
  int64_t null_count;
  int64_t offset;
  int64_t n_buffers;
  int64_t n_children;
  const void** buffers;
  struct ArrowArray** children;
  struct ArrowArray* dictionary;
  void (*release)(struct ArrowArray*);
  void* private_data;
};

#endif /* ARROW_C_DATA_INTERFACE */

/* ============================================================================================ */
/* Status                                                                                        */
/* ============================================================================================ */

/*
 * Status codes. Numbering follows the gRPC/abseil canonical codes so that the vocabulary is
 * familiar. Only the REST layer maps them to HTTP:
 *   SH_INVALID_ARGUMENT -> 400, SH_UNIMPLEMENTED -> 501, SH_UNAVAILABLE / SH_RESOURCE_EXHAUSTED /
 *   SH_DEADLINE_EXCEEDED -> 503, everything else -> 500.
 */
typedef enum sh_status_code {
  SH_OK = 0,
  SH_CANCELLED = 1,
  SH_UNKNOWN = 2,
  SH_INVALID_ARGUMENT = 3,       /* the request (data, options) is wrong; the client must fix it */
  SH_DEADLINE_EXCEEDED = 4,
  SH_NOT_FOUND = 5,              /* e.g. the model file does not exist */
  SH_RESOURCE_EXHAUSTED = 8,
  SH_FAILED_PRECONDITION = 9,    /* e.g. an artifact this runtime cannot serve, a missing licence */
  SH_UNIMPLEMENTED = 12,         /* a capability the model does not have */
  SH_INTERNAL = 13,              /* a bug or an unexpected failure inside the plugin */
  SH_UNAVAILABLE = 14,           /* transient: a worker died and is restarting; retry */
  SH_DATA_LOSS = 15,             /* corrupt artifact */
  SH_STATUS_CODE_FORCE_32BIT = 0x7fffffff /* reserved: forces a `default:` in switches */
} sh_status_code;

/* Opaque. Created by sh_host_api.status_new, owned and freed by the host. */
typedef struct sh_status sh_status;

typedef enum sh_log_level {
  SH_LOG_DEBUG = 10,
  SH_LOG_INFO = 20,
  SH_LOG_WARN = 30,
  SH_LOG_ERROR = 40,
  SH_LOG_LEVEL_FORCE_32BIT = 0x7fffffff
} sh_log_level;

/* ============================================================================================ */
/* Host services, passed to the plugin at init                                                   */
/* ============================================================================================ */

typedef struct sh_host_api {
  size_t struct_size;  /* sizeof(sh_host_api) as the host was compiled */
  uint32_t abi_major;  /* the host's SH_ABI_MAJOR */
  uint32_t abi_minor;  /* the host's SH_ABI_MINOR */

  /*
   * Creates a status. `message` (UTF-8, may be NULL) is copied; the returned pointer is owned by
   * whoever receives it from the plugin (always the host). Never returns NULL for a code other
   * than SH_OK; returns NULL for SH_OK. Thread-safe.
   */
  sh_status* (*status_new)(sh_status_code code, const char* message);

  /*
   * Writes one log line through the host's logger (level filtering, format and request ids are the
   * host's business). `message` is borrowed for the call. Thread-safe.
   */
  void (*log)(sh_log_level level, const char* message);
} sh_host_api;

/* ============================================================================================ */
/* Descriptions                                                                                  */
/* ============================================================================================ */

/* The REST API's data types (/model/schema "dataType"). How each crosses as an Arrow column:
 *   SH_TYPE_BOOL    "b"  (bit-packed booleans)
 *   SH_TYPE_INT32   "i"
 *   SH_TYPE_INT64   "l"
 *   SH_TYPE_FLOAT32 "f"
 *   SH_TYPE_FLOAT64 "g"
 *   SH_TYPE_STR     "u"  (utf8, int32 offsets)
 *   SH_TYPE_TIME64  "u"  (the timestamp text exactly as the client sent it: its format belongs to
 *                         the model, e.g. a DAI pipeline's own date format)
 * A missing value is an Arrow null (validity bit 0) in every type. */
typedef enum sh_data_type {
  SH_TYPE_BOOL = 1,
  SH_TYPE_INT32 = 2,
  SH_TYPE_INT64 = 3,
  SH_TYPE_FLOAT32 = 4,
  SH_TYPE_FLOAT64 = 5,
  SH_TYPE_STR = 6,
  SH_TYPE_TIME64 = 7,
  SH_DATA_TYPE_FORCE_32BIT = 0x7fffffff
} sh_data_type;

/* Capability bits (/model/capabilities). */
#define SH_CAP_SCORE ((uint32_t)1u << 0)
#define SH_CAP_SCORE_PREDICTION_INTERVAL ((uint32_t)1u << 1)
#define SH_CAP_CONTRIBUTION_ORIGINAL ((uint32_t)1u << 2)
#define SH_CAP_CONTRIBUTION_TRANSFORMED ((uint32_t)1u << 3)

typedef enum sh_thread_safety {
  SH_THREAD_SERIAL = 0, /* score/contribute are never called concurrently on this model */
  SH_THREAD_SAFE = 1,   /* score/contribute may run concurrently on this model */
  SH_THREAD_SAFETY_FORCE_32BIT = 0x7fffffff
} sh_thread_safety;

/* One named, typed column of a model's input or output. Plain data, not extensible. */
typedef struct sh_field {
  const char* name; /* UTF-8, non-NULL */
  sh_data_type type;
} sh_field;

/* One key/value pair of text. Plain data, not extensible. Used in both directions: settings the
 * host hands to model_load (sh_load_args.config) and facts a model reports about itself
 * (sh_model_info.properties); who owns the strings is said where each array is declared. */
typedef struct sh_kv {
  const char* key;
  const char* value;
} sh_kv;

/*
 * A runtime a plugin serves, as listed by `scorehost runtimes`. The registry manifest
 * (registry/runtimes.toml) may carry the same names; the plugin's own description is what makes a
 * runtime available. All strings are static in the plugin (live until the library is unloaded).
 */
typedef struct sh_runtime_desc {
  size_t struct_size;
  const char* name;               /* e.g. "h2o3-mojo-scorer"; unique across all plugins */
  const char* display_name;       /* e.g. "H2O-3 MOJO Scorer" */
  size_t n_artifact_types;
  const char* const* artifact_types; /* e.g. {"h2o3_mojo", "mlflow_h2o3_mojo"} */
} sh_runtime_desc;

/*
 * What a loaded model looks like. Filled by the plugin; every pointer is owned by the model and
 * stays valid and unchanged from model_load until model_unload.
 *
 * Outputs: `outputs` lists every column `score` can produce, in the order `score` returns them,
 * including prediction-interval bounds ("<target>.lower" / "<target>.upper") when the model has
 * SH_CAP_SCORE_PREDICTION_INTERVAL. Without the interval option, `score` omits the bound columns.
 */
typedef struct sh_model_info {
  size_t struct_size;
  const char* model_id;      /* the model's UUID or stable id; non-NULL, may be "" if it has none */
  const char* artifact_type; /* the artifact type name the model was loaded as */
  const char* description;   /* one human sentence, e.g. "H2O-3 GBM binomial, 50 trees"; may be "" */
  size_t n_inputs;
  const sh_field* inputs;    /* the columns `score` expects, in this order */
  size_t n_outputs;
  const sh_field* outputs;
  uint32_t capabilities;     /* SH_CAP_* bits */
  sh_thread_safety thread_safety;

  /* ---- since 1.1 (read only when SH_HAS_FIELD says the plugin filled it) ---- */

  /* Optional (may be NULL): one example value per input, in `inputs` order, as the text a client
   * would send (e.g. from an MLflow model's input example); an entry may be NULL (no example for
   * that input). The host builds GET /model/sample_request from it. Owned by the model. */
  const char* const* input_examples;

  /* ---- since 1.2 (read only when SH_HAS_FIELD says the plugin filled it) ---- */

  /* Optional (NULL or n_properties == 0: none): facts about how the plugin serves this model, for
   * operators and clients, e.g. {"device","cuda:0"}, {"gpu_name","NVIDIA H200"},
   * {"gpu_memory","139.8 GiB"}. Keys are lower_snake_case ASCII and unique within the model;
   * values are one line of UTF-8 text (no control characters), shown exactly as given, so include
   * any unit. The host shows them in `scorehost inspect`, one INFO line when `serve` starts and
   * GET /model/runtime.
   * Ownership and lifetime: like every pointer here, owned by the model and unchanged from
   * model_load until model_unload. The host reads and copies them once, right after model_load
   * (through model_describe); a later change is never seen, so report what is true for the life of
   * the model. Threads: read from the thread that called model_load; no synchronisation needed.
   * Tolerated, not intended: a NULL key makes the host skip that entry, a NULL value reads as "",
   * and a repeated key keeps its first value. */
  size_t n_properties;
  const sh_kv* properties;
} sh_model_info;

/* ============================================================================================ */
/* Call arguments                                                                                */
/* ============================================================================================ */

/*
 * Arguments of model_load. Everything is borrowed for the duration of the call.
 * `config` carries the settings that concern the plugin, under the seed's environment variable
 * names (e.g. SHAPLEY_ENABLE, SHAPLEY_TYPES_ENABLED, DRIVERLESS_AI_LICENSE_KEY, BATCH_WORKERS,
 * SCORING_CONCURRENCY). A plugin ignores keys it does not know. `scorehost inspect` adds
 * SCOREHOST_LOAD_PURPOSE=inspect: the model is only described, never scored, so a plugin may load
 * what it can without everything a server needs (e.g. a pipeline's schema without its licence).
 */
typedef struct sh_load_args {
  size_t struct_size;
  const char* runtime_name;  /* the runtime the user selected, one of the plugin's */
  const char* model_path;    /* file or directory, absolute */
  const char* artifact_type; /* what the host (or the plugin's probe) detected */
  size_t n_config;
  const sh_kv* config;
} sh_load_args;

/* Options of one score call. */
#define SH_SCORE_PREDICTION_INTERVALS ((uint32_t)1u << 0) /* also return the interval columns */

typedef struct sh_score_options {
  size_t struct_size;
  uint32_t flags; /* SH_SCORE_* bits */
} sh_score_options;

typedef enum sh_contribution_kind {
  SH_CONTRIBUTION_ORIGINAL = 1,
  SH_CONTRIBUTION_TRANSFORMED = 2,
  SH_CONTRIBUTION_KIND_FORCE_32BIT = 0x7fffffff
} sh_contribution_kind;

/* Opaque model handle, owned by the plugin from model_load until model_unload. */
typedef struct sh_model sh_model;

/* ============================================================================================ */
/* The plugin's function table                                                                   */
/* ============================================================================================ */

typedef struct sh_plugin_api {
  /* ---- frozen across all majors ---- */
  size_t struct_size; /* sizeof(sh_plugin_api) as the plugin was compiled */
  uint32_t abi_major; /* the plugin's SH_ABI_MAJOR */
  uint32_t abi_minor; /* the plugin's SH_ABI_MINOR */

  /* ---- since 1.0 ---- */
  const char* plugin_name;    /* short name, static, e.g. "h2o3-mojo" */
  const char* plugin_version; /* static, e.g. "0.1.0" */
  size_t n_runtimes;
  const sh_runtime_desc* runtimes; /* static array of n_runtimes entries */

  /*
   * Called once, after the version check and before anything else. `host` stays valid until fini
   * returns. May start threads. On failure, the plugin is not used and fini is not called.
   */
  sh_status* (*init)(const sh_host_api* host);

  /* Called once before the library is closed; must join every thread the plugin started. */
  void (*fini)(void);

  /*
   * Optional (may be NULL). Says whether this plugin recognises the artifact at `path` as one of
   * its artifact types, for artifact types the host does not detect by itself. On a match, sets
   * *artifact_type to one of the static strings in `runtimes` and returns 1; otherwise returns 0.
   * Must not throw, crash or take long on arbitrary files (it is called on user input).
   */
  int (*probe_artifact)(const char* path, const char** artifact_type);

  /*
   * Optional (may be NULL = always available). Returns NULL when `runtime_name` can serve models on
   * this machine now, or a status whose message says why not (e.g. "python3.10 not found").
   */
  sh_status* (*runtime_status)(const char* runtime_name);

  /*
   * Loads one model. On success *out_model is a new handle owned by the plugin, released by
   * model_unload. On failure *out_model is left NULL and the returned status explains why
   * (SH_NOT_FOUND, SH_DATA_LOSS for a corrupt artifact, SH_FAILED_PRECONDITION, ...).
   */
  sh_status* (*model_load)(const sh_load_args* args, sh_model** out_model);

  /* Returns the model's description; never NULL; owned by the model (see sh_model_info). */
  const sh_model_info* (*model_describe)(const sh_model* model);

  /*
   * Scores a batch.
   *   in_schema/in: borrowed. A struct array ("+s") whose children are exactly the model's inputs
   *     in sh_model_info order and with their types; length = number of rows (may be 0).
   *   options: borrowed, may be NULL (= all defaults).
   *   out_schema/out: uninitialised on entry. On success the plugin fills a struct array whose
   *     children are the model's output columns (named) and whose length must equal in->length;
   *     ownership moves to the host, which calls their release callbacks. On failure they are left
   *     untouched (release == NULL) and the status says why.
   * Thread rule: see "Threads" above.
   */
  sh_status* (*score)(sh_model* model, const struct ArrowSchema* in_schema,
                      const struct ArrowArray* in, const sh_score_options* options,
                      struct ArrowSchema* out_schema, struct ArrowArray* out);

  /*
   * Optional (NULL if no model of this plugin has a contribution capability). Shapley
   * contributions of `kind`; same ownership rules as score. The output's children are named:
   * one column per feature, plus a bias column if the method has one; for multinomial models one
   * column per (feature, class) named "<feature>.<class>", classes in output order.
   * Returns SH_UNIMPLEMENTED if the model lacks that kind.
   */
  sh_status* (*contribute)(sh_model* model, sh_contribution_kind kind,
                           const struct ArrowSchema* in_schema, const struct ArrowArray* in,
                           struct ArrowSchema* out_schema, struct ArrowArray* out);

  /* Releases a model and everything it owns. `model` may be NULL (no-op). */
  void (*model_unload)(sh_model* model);
} sh_plugin_api;

/* ============================================================================================ */
/* The entry symbol                                                                              */
/* ============================================================================================ */

#define SH_PLUGIN_ENTRY_SYMBOL "scorehost_plugin_entry"

#if defined(_WIN32)
#define SH_PLUGIN_EXPORT __declspec(dllexport)
#else
#define SH_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

/*
 * The one symbol a plugin exports. The host zero-fills `*out`, sets `out->struct_size` to its own
 * sizeof(sh_plugin_api) and calls this once. The plugin must:
 *   - always set out->abi_major and out->abi_minor to the version it was compiled against,
 *     even if it refuses `host_abi_major`;
 *   - write no more than min(out->struct_size, its own sizeof(sh_plugin_api)) bytes, then set
 *     out->struct_size to the number of bytes it wrote;
 *   - do nothing else: no allocation that needs freeing, no threads, no I/O.
 * Returns 0 when it filled the table, non-zero when it cannot serve a host of `host_abi_major`
 * (the host then reports both versions and the file).
 */
typedef int (*sh_plugin_entry_fn)(uint32_t host_abi_major, uint32_t host_abi_minor,
                                  sh_plugin_api* out);

SH_PLUGIN_EXPORT int scorehost_plugin_entry(uint32_t host_abi_major, uint32_t host_abi_minor,
                                            sh_plugin_api* out);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SCOREHOST_PLUGIN_API_H */
