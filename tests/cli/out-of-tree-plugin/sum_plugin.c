/* A minimal third-party plugin in plain C, used by the CLI tests: its "model" is a text file
 *   sum-model <column> <column> ...
 * and its one output, "sum", is the sum of those Float64 columns (null if any input is null). */
#include <scorehost/plugin_api.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_COLUMNS 16

static const sh_host_api* host;
static const char* const kTypes[] = {"sum_model"};
static const sh_runtime_desc kRuntimes[] = {{sizeof(sh_runtime_desc), "sum-scorer", "Sum of columns (third-party C plugin)", 1, kTypes}};

typedef struct model {
  char names[MAX_COLUMNS][64];
  sh_field inputs[MAX_COLUMNS];
  sh_field output;
  sh_model_info info;
} model;

/* The result batch: a struct with one double column, freed by its release callbacks. */
typedef struct result {
  struct ArrowSchema child_schema, *child_schema_ptr;
  struct ArrowArray child_array, *child_array_ptr;
  const void* child_buffers[2];
  const void* struct_buffers[1];
  double* values;
  unsigned char* validity;
  int refs;
} result;

static void drop(result* r) {
  if (--r->refs == 0) {
    free(r->values);
    free(r->validity);
    free(r);
  }
}
static void release_child_schema(struct ArrowSchema* s) { s->release = NULL; }
static void release_child_array(struct ArrowArray* a) { a->release = NULL; }
static void release_schema(struct ArrowSchema* s) {
  s->children[0]->release(s->children[0]);
  drop((result*)s->private_data);
  s->release = NULL;
}
static void release_array(struct ArrowArray* a) {
  a->children[0]->release(a->children[0]);
  drop((result*)a->private_data);
  a->release = NULL;
}

static sh_status* init(const sh_host_api* h) { host = h; return NULL; }
static void fini(void) { host = NULL; }

static int probe(const char* path, const char** type) {
  char head[16] = {0};
  FILE* f = fopen(path, "rb");
  if (!f) return 0;
  size_t n = fread(head, 1, 9, f);
  fclose(f);
  if (n == 9 && memcmp(head, "sum-model", 9) == 0) { *type = kTypes[0]; return 1; }
  return 0;
}

static sh_status* load(const sh_load_args* args, sh_model** out) {
  FILE* f = fopen(args->model_path, "rb");
  if (!f) return host->status_new(SH_NOT_FOUND, "cannot open sum model file");
  model* m = calloc(1, sizeof *m);
  if (!m) { fclose(f); return host->status_new(SH_RESOURCE_EXHAUSTED, "out of memory"); }
  char word[64];
  size_t n = 0;
  int first = 1;
  while (fscanf(f, "%63s", word) == 1) {
    if (first) { first = 0; continue; }  /* the "sum-model" tag */
    if (n == MAX_COLUMNS) break;
    strcpy(m->names[n], word);
    m->inputs[n].name = m->names[n];
    m->inputs[n].type = SH_TYPE_FLOAT64;
    ++n;
  }
  fclose(f);
  if (n == 0) { free(m); return host->status_new(SH_DATA_LOSS, "sum model lists no columns"); }
  m->output.name = "sum";
  m->output.type = SH_TYPE_FLOAT64;
  m->info.struct_size = sizeof m->info;
  m->info.model_id = "sum-model";
  m->info.artifact_type = kTypes[0];
  m->info.description = "sum of columns";
  m->info.n_inputs = n;
  m->info.inputs = m->inputs;
  m->info.n_outputs = 1;
  m->info.outputs = &m->output;
  m->info.capabilities = SH_CAP_SCORE;
  m->info.thread_safety = SH_THREAD_SAFE;
  *out = (sh_model*)m;
  return NULL;
}

static const sh_model_info* describe(const sh_model* m) { return &((const model*)m)->info; }

static int is_valid(const struct ArrowArray* a, int64_t i) {
  const unsigned char* bits = a->buffers[0];
  if (!bits || a->null_count == 0) return 1;
  i += a->offset;
  return (bits[i / 8] >> (i % 8)) & 1;
}

static sh_status* score(sh_model* handle, const struct ArrowSchema* in_schema, const struct ArrowArray* in,
                        const sh_score_options* options, struct ArrowSchema* out_schema, struct ArrowArray* out) {
  (void)options;
  const model* m = (const model*)handle;
  if (strcmp(in_schema->format, "+s") != 0 || (size_t)in->n_children != m->info.n_inputs)
    return host->status_new(SH_INVALID_ARGUMENT, "expected one Float64 column per model input");
  for (int64_t c = 0; c < in->n_children; ++c)
    if (strcmp(in_schema->children[c]->format, "g") != 0)
      return host->status_new(SH_INVALID_ARGUMENT, "sum inputs must be Float64 columns");
  int64_t rows = in->length;
  result* r = calloc(1, sizeof *r);
  double* values = malloc(sizeof(double) * (size_t)(rows ? rows : 1));
  unsigned char* validity = calloc((size_t)(rows / 8 + 1), 1);
  if (!r || !values || !validity) {
    free(r); free(values); free(validity);
    return host->status_new(SH_RESOURCE_EXHAUSTED, "out of memory");
  }
  int64_t nulls = 0;
  for (int64_t i = 0; i < rows; ++i) {
    double sum = 0;
    int ok = 1;
    for (int64_t c = 0; c < in->n_children; ++c) {
      const struct ArrowArray* col = in->children[c];
      if (!is_valid(col, i)) { ok = 0; break; }
      sum += ((const double*)col->buffers[1])[col->offset + i];
    }
    values[i] = ok ? sum : 0;
    if (ok) validity[i / 8] |= (unsigned char)(1u << (i % 8));
    else ++nulls;
  }
  r->values = values;
  r->validity = validity;
  r->refs = 2;
  r->child_buffers[0] = validity;
  r->child_buffers[1] = values;
  r->child_schema = (struct ArrowSchema){"g", "sum", NULL, ARROW_FLAG_NULLABLE, 0, NULL, NULL, release_child_schema, NULL};
  r->child_array = (struct ArrowArray){rows, nulls, 0, 2, 0, r->child_buffers, NULL, NULL, release_child_array, NULL};
  r->child_schema_ptr = &r->child_schema;
  r->child_array_ptr = &r->child_array;
  *out_schema = (struct ArrowSchema){"+s", "", NULL, 0, 1, &r->child_schema_ptr, NULL, release_schema, r};
  *out = (struct ArrowArray){rows, 0, 0, 1, 1, r->struct_buffers, &r->child_array_ptr, NULL, release_array, r};
  return NULL;
}

static void unload(sh_model* m) { free(m); }

SH_PLUGIN_EXPORT int scorehost_plugin_entry(uint32_t host_abi_major, uint32_t host_abi_minor, sh_plugin_api* out) {
  (void)host_abi_minor;
  out->abi_major = SH_ABI_MAJOR;
  out->abi_minor = SH_ABI_MINOR;
  if (host_abi_major != SH_ABI_MAJOR) return 1;
  sh_plugin_api api = {sizeof(sh_plugin_api), SH_ABI_MAJOR, SH_ABI_MINOR, "sum-plugin", "1.0", 1, kRuntimes,
                       init, fini, probe, NULL, load, describe, score, NULL, unload};
  size_t n = out->struct_size < sizeof api ? out->struct_size : sizeof api;
  memcpy(out, &api, n);
  out->struct_size = n;
  return 0;
}
