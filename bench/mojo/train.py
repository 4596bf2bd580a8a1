# Trains the benchmark MOJOs with H2O-3 3.46.0.11 (the last release that exports MOJOs).
#   train.py DIR   (DIR/train.csv -> DIR/<name>.mojo; existing MOJOs are kept)
import os, sys
import h2o
from h2o.estimators import H2OGradientBoostingEstimator as GBM, H2ORandomForestEstimator as DRF
from h2o.estimators import H2OGeneralizedLinearEstimator as GLM, H2OXGBoostEstimator as XGB
d = sys.argv[1]
models = {
    "gbm_100x5": lambda: GBM(ntrees=100, max_depth=5, seed=1),
    "gbm_100x10": lambda: GBM(ntrees=100, max_depth=10, seed=1),
    "gbm_500x5": lambda: GBM(ntrees=500, max_depth=5, seed=1),
    "gbm_500x10": lambda: GBM(ntrees=500, max_depth=10, seed=1),
    "drf_100x20": lambda: DRF(ntrees=100, max_depth=20, seed=1),
    "glm": lambda: GLM(family="binomial", lambda_=1e-4),
    # XGBoost inside H2O (booster gbtree); its MOJO holds the native XGBoost model bytes.
    "xgb_100x6": lambda: XGB(ntrees=100, max_depth=6, booster="gbtree", seed=1),
}
todo = [n for n in models if not os.path.exists(os.path.join(d, n + ".mojo"))]
if todo:
    h2o.init(nthreads=-1, max_mem_size="4G")
    # upload_file, not import_file: H2O refuses to import from hidden directories (~/.cache).
    fr = h2o.upload_file(os.path.join(d, "train.csv"), col_types={"cs": "enum", "cl": "enum", "y": "enum"})
    x = [c for c in fr.columns if c != "y"]
    for name in todo:
        est = models[name]()
        est.train(x=x, y="y", training_frame=fr)
        os.replace(est.download_mojo(path=d), os.path.join(d, name + ".mojo"))
        print("trained", name, flush=True)
    h2o.cluster().shutdown()
