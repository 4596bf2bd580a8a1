/* Test plugins for the loader and registry (named as such; never installed). One C source, built
 * several times with different macros:
 *   VARIANT_ABI_MAJOR / VARIANT_ABI_MINOR  the ABI version the plugin claims to be built for;
 *   VARIANT_RUNTIME                        the runtime name it declares (to provoke duplicates).
 * It exists to be registered or refused, and to show what the host reads from a plugin of an older
 * minor: it loads any file named *.testvariant as a model (input x, output y, Float64) that it
 * describes as a plugin of VARIANT_ABI_MINOR would, but cannot score. */
#include <scorehost/plugin_api.h>

#include <stddef.h>
#include <string.h>

#ifndef VARIANT_ABI_MAJOR
#define VARIANT_ABI_MAJOR SH_ABI_MAJOR
#endif
#ifndef VARIANT_ABI_MINOR
#define VARIANT_ABI_MINOR SH_ABI_MINOR
#endif
#ifndef VARIANT_RUNTIME
#define VARIANT_RUNTIME "test-variant"
#endif

static const sh_host_api* g_host;
static const char* const kTypes[] = {"test_variant"};
static const sh_runtime_desc kRuntimes[] = {{sizeof(sh_runtime_desc), VARIANT_RUNTIME, "Test variant", 1, kTypes}};
static const sh_field kInputs[] = {{"x", SH_TYPE_FLOAT64}};
static const sh_field kOutputs[] = {{"y", SH_TYPE_FLOAT64}};
/* Beyond the struct_size of an older minor: what a reader that ignored struct_size would show. */
static const sh_kv kBeyondStructSize[] = {{"must_not_be_read", "the host read past struct_size"}};

/* The bytes a plugin compiled against VARIANT_ABI_MINOR knows of sh_model_info. */
static size_t ModelInfoSize(void) {
  if (VARIANT_ABI_MINOR < 1) return offsetof(sh_model_info, input_examples);
  if (VARIANT_ABI_MINOR < 2) return offsetof(sh_model_info, n_properties);
  return sizeof(sh_model_info);
}

static sh_model_info g_info; /* the one model's description: the model handle points here */

static int EndsWith(const char* s, const char* suffix) {
  size_t n = strlen(s), k = strlen(suffix);
  return n >= k && strcmp(s + n - k, suffix) == 0;
}

static int probe_artifact(const char* path, const char** artifact_type) {
  if (path == NULL || !EndsWith(path, ".testvariant")) return 0;
  *artifact_type = kTypes[0];
  return 1;
}

static sh_status* init(const sh_host_api* host) {
  g_host = host;
  return NULL;
}
static void fini(void) { g_host = NULL; }
static sh_status* model_load(const sh_load_args* args, sh_model** out) {
  if (!EndsWith(args->model_path, ".testvariant"))
    return g_host->status_new(SH_FAILED_PRECONDITION, "the test variant plugin loads only *.testvariant files");
  memset(&g_info, 0, sizeof g_info);
  g_info.struct_size = ModelInfoSize();
  g_info.model_id = "test-variant";
  g_info.artifact_type = kTypes[0];
  g_info.description = "TEST ONLY: ABI variant";
  g_info.n_inputs = 1;
  g_info.inputs = kInputs;
  g_info.n_outputs = 1;
  g_info.outputs = kOutputs;
  g_info.capabilities = SH_CAP_SCORE;
  g_info.thread_safety = SH_THREAD_SAFE;
  if (g_info.struct_size < sizeof g_info) {
    /* Bytes an older plugin never wrote may hold anything; struct_size must keep the host out. */
    g_info.n_properties = 1;
    g_info.properties = kBeyondStructSize;
  }
  *out = (sh_model*)&g_info;
  return NULL;
}
static const sh_model_info* model_describe(const sh_model* m) { return (const sh_model_info*)m; }
static sh_status* score(sh_model* m, const struct ArrowSchema* is, const struct ArrowArray* ia,
                        const sh_score_options* o, struct ArrowSchema* os, struct ArrowArray* oa) {
  (void)m; (void)is; (void)ia; (void)o; (void)os; (void)oa;
  return g_host->status_new(SH_UNIMPLEMENTED, "the test variant plugin does not score");
}
static void model_unload(sh_model* m) { (void)m; }

SH_PLUGIN_EXPORT int scorehost_plugin_entry(uint32_t host_abi_major, uint32_t host_abi_minor, sh_plugin_api* out) {
  (void)host_abi_minor;
  out->abi_major = VARIANT_ABI_MAJOR;
  out->abi_minor = VARIANT_ABI_MINOR;
  if (host_abi_major != VARIANT_ABI_MAJOR) return 1;
  sh_plugin_api api;
  memset(&api, 0, sizeof api);
  api.struct_size = sizeof api;
  api.abi_major = VARIANT_ABI_MAJOR;
  api.abi_minor = VARIANT_ABI_MINOR;
  api.plugin_name = "test-variant";
  api.plugin_version = "0";
  api.n_runtimes = 1;
  api.runtimes = kRuntimes;
  api.init = init;
  api.fini = fini;
  api.probe_artifact = probe_artifact;
  api.model_load = model_load;
  api.model_describe = model_describe;
  api.score = score;
  api.model_unload = model_unload;
  size_t n = out->struct_size < sizeof api ? out->struct_size : sizeof api;
  memcpy(out, &api, n);
  out->struct_size = n;
  return 0;
}
