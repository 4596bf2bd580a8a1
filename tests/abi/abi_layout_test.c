/* Compiles the public plugin header as plain C11 and freezes the released layouts (1.0, 1.1, 1.2): a
 * change to any offset or size below breaks every plugin built against them, so it must fail the build. */
#include <scorehost/plugin_api.h>

#include <stddef.h>
#include <stdio.h>

#if defined(__x86_64__) || defined(__aarch64__)
/* LP64 layouts: 1.0 unless a message says which later minor appended the field. */
_Static_assert(offsetof(sh_plugin_api, struct_size) == 0, "frozen across majors");
_Static_assert(offsetof(sh_plugin_api, abi_major) == 8, "frozen across majors");
_Static_assert(offsetof(sh_plugin_api, abi_minor) == 12, "frozen across majors");
_Static_assert(offsetof(sh_plugin_api, plugin_name) == 16, "1.0 layout");
_Static_assert(offsetof(sh_plugin_api, plugin_version) == 24, "1.0 layout");
_Static_assert(offsetof(sh_plugin_api, n_runtimes) == 32, "1.0 layout");
_Static_assert(offsetof(sh_plugin_api, runtimes) == 40, "1.0 layout");
_Static_assert(offsetof(sh_plugin_api, init) == 48, "1.0 layout");
_Static_assert(offsetof(sh_plugin_api, fini) == 56, "1.0 layout");
_Static_assert(offsetof(sh_plugin_api, probe_artifact) == 64, "1.0 layout");
_Static_assert(offsetof(sh_plugin_api, runtime_status) == 72, "1.0 layout");
_Static_assert(offsetof(sh_plugin_api, model_load) == 80, "1.0 layout");
_Static_assert(offsetof(sh_plugin_api, model_describe) == 88, "1.0 layout");
_Static_assert(offsetof(sh_plugin_api, score) == 96, "1.0 layout");
_Static_assert(offsetof(sh_plugin_api, contribute) == 104, "1.0 layout");
_Static_assert(offsetof(sh_plugin_api, model_unload) == 112, "1.0 layout");
_Static_assert(sizeof(sh_plugin_api) == 120, "1.0 layout: append new fields and bump SH_ABI_MINOR");

_Static_assert(offsetof(sh_host_api, struct_size) == 0, "1.0 layout");
_Static_assert(offsetof(sh_host_api, abi_major) == 8, "1.0 layout");
_Static_assert(offsetof(sh_host_api, abi_minor) == 12, "1.0 layout");
_Static_assert(offsetof(sh_host_api, status_new) == 16, "1.0 layout");
_Static_assert(offsetof(sh_host_api, log) == 24, "1.0 layout");
_Static_assert(sizeof(sh_host_api) == 32, "1.0 layout");

_Static_assert(sizeof(sh_field) == 16, "1.0 layout");
_Static_assert(offsetof(sh_runtime_desc, artifact_types) == 32 && sizeof(sh_runtime_desc) == 40, "1.0 layout");
_Static_assert(offsetof(sh_model_info, model_id) == 8, "1.0 layout");
_Static_assert(offsetof(sh_model_info, artifact_type) == 16, "1.0 layout");
_Static_assert(offsetof(sh_model_info, description) == 24, "1.0 layout");
_Static_assert(offsetof(sh_model_info, n_inputs) == 32, "1.0 layout");
_Static_assert(offsetof(sh_model_info, inputs) == 40, "1.0 layout");
_Static_assert(offsetof(sh_model_info, n_outputs) == 48, "1.0 layout");
_Static_assert(offsetof(sh_model_info, outputs) == 56, "1.0 layout");
_Static_assert(offsetof(sh_model_info, capabilities) == 64, "1.0 layout");
_Static_assert(offsetof(sh_model_info, thread_safety) == 68, "1.0 layout");
/* 1.0 ended after thread_safety (72 bytes); 1.1 appended input_examples and ended at 80 bytes;
 * 1.2 appended n_properties and properties. */
_Static_assert(offsetof(sh_model_info, input_examples) == 72, "1.1 layout");
_Static_assert(offsetof(sh_model_info, n_properties) == 80, "1.2 layout: 1.1 ended at 80 bytes");
_Static_assert(offsetof(sh_model_info, properties) == 88, "1.2 layout");
_Static_assert(sizeof(sh_model_info) == 96, "1.2 layout: append new fields and bump SH_ABI_MINOR");
_Static_assert(sizeof(sh_kv) == 16 && offsetof(sh_kv, value) == 8, "1.0 layout");
_Static_assert(sizeof(sh_load_args) == 48 && offsetof(sh_load_args, config) == 40, "1.0 layout");
_Static_assert(sizeof(sh_score_options) == 16 && offsetof(sh_score_options, flags) == 8, "1.0 layout");
_Static_assert(sizeof(struct ArrowSchema) == 72 && sizeof(struct ArrowArray) == 80, "Arrow C Data Interface");
#endif

/* The enum values are part of the ABI too. */
_Static_assert(SH_INVALID_ARGUMENT == 3 && SH_UNIMPLEMENTED == 12 && SH_INTERNAL == 13 && SH_UNAVAILABLE == 14,
               "status codes are frozen");
_Static_assert(SH_TYPE_BOOL == 1 && SH_TYPE_TIME64 == 7, "data types are frozen");
_Static_assert(SH_CAP_SCORE == 1u && SH_CAP_CONTRIBUTION_TRANSFORMED == 8u, "capability bits are frozen");
_Static_assert(sizeof(sh_status_code) == 4 && sizeof(sh_data_type) == 4, "enums are 32-bit");

int main(void) {
  /* SH_HAS_FIELD works on a struct filled by an older/smaller writer. */
  sh_plugin_api api = {0};
  api.struct_size = offsetof(sh_plugin_api, init);
  if (SH_HAS_FIELD(&api, sh_plugin_api, init)) {
    fprintf(stderr, "SH_HAS_FIELD reports a field beyond struct_size\n");
    return 1;
  }
  api.struct_size = sizeof(api);
  if (!SH_HAS_FIELD(&api, sh_plugin_api, model_unload)) {
    fprintf(stderr, "SH_HAS_FIELD misses a field within struct_size\n");
    return 1;
  }
  /* A 1.0 plugin's model description ends before input_examples: a reader must not see it. */
  sh_model_info info = {0};
  info.struct_size = offsetof(sh_model_info, input_examples);
  if (SH_HAS_FIELD(&info, sh_model_info, input_examples)) {
    fprintf(stderr, "a 1.0 sh_model_info appears to carry input_examples\n");
    return 1;
  }
  /* A 1.1 plugin's ends before n_properties: a reader must not see properties. */
  info.struct_size = offsetof(sh_model_info, n_properties);
  if (!SH_HAS_FIELD(&info, sh_model_info, input_examples) || SH_HAS_FIELD(&info, sh_model_info, n_properties) ||
      SH_HAS_FIELD(&info, sh_model_info, properties)) {
    fprintf(stderr, "SH_HAS_FIELD misreads a 1.1 sh_model_info\n");
    return 1;
  }
  info.struct_size = sizeof(info);
  if (!SH_HAS_FIELD(&info, sh_model_info, properties)) {
    fprintf(stderr, "a 1.2 sh_model_info appears to lack properties\n");
    return 1;
  }
  printf("plugin ABI %d.%d header compiles as C11; 1.0, 1.1 and 1.2 layouts frozen\n", SH_ABI_MAJOR, SH_ABI_MINOR);
  return 0;
}
