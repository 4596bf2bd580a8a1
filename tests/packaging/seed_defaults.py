"""The seed's scoring-runtime settings and their documented defaults, in one place for the
packaging tests (reference: the dai-mojo-scorer and h2o3-mojo-scorer configuration tables and
"Tuning parameters"). MODEL_PATH and DRIVERLESS_AI_LICENSE_KEY are required and have no default."""

SEED_DEFAULTS = {
    "PORT": "8080",
    "HOST": "0.0.0.0",
    "LOG_LEVEL": "INFO",
    "SCORING_CONCURRENCY": "4",
    "BATCH_WORKERS": "1",
    "MAX_BATCH_SIZE": "64",
    "MAX_QUEUE_DELAY_US": "10000",
    "SCORING_TIMEOUT": "0",
    "SCORING_WARN_TIMEOUT": "30",
    "SCORE_ROW_COUNT_VALIDATION": "strict",
    "SHAPLEY_ENABLE": "false",
    "SHAPLEY_TYPES_ENABLED": "NONE",
}
