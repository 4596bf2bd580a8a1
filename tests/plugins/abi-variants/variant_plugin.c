/* Test plugins for the loader and registry (named as such; never installed). One C source, built
 * several times with different macros:
 *   VARIANT_ABI_MAJOR / VARIANT_ABI_MINOR  the ABI version the plugin claims to be built for;
 *   VARIANT_RUNTIME                        the runtime name it declares (to provoke duplicates).
 * It can load no model: it exists to be registered or refused. */
#include <scorehost/plugin_api.h>

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

static sh_status* init(const sh_host_api* host) {
  g_host = host;
  return NULL;
}
static void fini(void) { g_host = NULL; }
static sh_status* model_load(const sh_load_args* args, sh_model** out) {
  (void)args;
  (void)out;
  return g_host->status_new(SH_UNIMPLEMENTED, "the test variant plugin loads no models");
}
static const sh_model_info* model_describe(const sh_model* m) {
  (void)m;
  return NULL;
}
static sh_status* score(sh_model* m, const struct ArrowSchema* is, const struct ArrowArray* ia,
                        const sh_score_options* o, struct ArrowSchema* os, struct ArrowArray* oa) {
  (void)m; (void)is; (void)ia; (void)o; (void)os; (void)oa;
  return g_host->status_new(SH_INTERNAL, "unreachable");
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
  api.model_load = model_load;
  api.model_describe = model_describe;
  api.score = score;
  api.model_unload = model_unload;
  size_t n = out->struct_size < sizeof api ? out->struct_size : sizeof api;
  memcpy(out, &api, n);
  out->struct_size = n;
  return 0;
}
