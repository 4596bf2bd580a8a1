# Trains the XGBoost TreeSHAP / offset fixtures with H2O-3 3.46.0.11 and writes H2O's in-cluster
# predict_contributions for the scoring rows (the reference for XGBoost contributions).
#   python train_xgb.py <fresh.csv> <out dir> [port] [model names...]
# H2O's default output_format ("Original") gives one contribution per one-hot column
# (<col>.<level>, <col>.missing(NA)) for categoricals; <name>_contrib_compact.csv is the
# "Compact" format (one per original column), written for documentation only.
import os, sys
import h2o
from h2o.estimators import H2OXGBoostEstimator as XGB
data, out = sys.argv[1], sys.argv[2]
port = int(sys.argv[3]) if len(sys.argv) > 3 else 54321
os.makedirs(out, exist_ok=True)
h2o.init(port=port, nthreads=2, max_mem_size="2G")
fresh_types = {"c1": "enum", "c2": "enum", "binary": "enum", "klass": "enum", "ordinal": "enum"}
fresh = h2o.import_file(data, col_types=fresh_types)
XF = ["x1", "x2", "c1", "c2"]
models = {
  "shap_xgb_gbtree_bernoulli": (XGB(ntrees=20, max_depth=4, seed=1), "binary", {}),
  "shap_xgb_gbtree_gaussian": (XGB(ntrees=20, max_depth=5, seed=1), "pos", {}),
  "shap_xgb_gbtree_poisson": (XGB(ntrees=15, max_depth=4, distribution="poisson", seed=1), "count", {}),
  "shap_xgb_dart_bernoulli": (XGB(ntrees=15, max_depth=4, booster="dart", rate_drop=0.2, seed=1), "binary", {}),
  "shap_xgb_dart_gaussian": (XGB(ntrees=15, max_depth=4, booster="dart", rate_drop=0.2, seed=1), "pos", {}),
  "shap_xgb_multinomial": (XGB(ntrees=5, max_depth=3, seed=1), "klass", {}),
  # Offsets (base margin): scored with Score0 and each row's offset.
  "xgb_offset_gaussian": (XGB(ntrees=10, max_depth=4, seed=1), "pos", {"offset_column": "off"}),
  "xgb_offset_bernoulli": (XGB(ntrees=10, max_depth=4, seed=1), "binary", {"offset_column": "off"}),
  "xgb_dart_offset_gaussian": (XGB(ntrees=10, max_depth=4, booster="dart", rate_drop=0.2, seed=1), "pos",
                               {"offset_column": "off"}),
}
only = set(sys.argv[4:])
for name, (est, y, kw) in models.items():
    if only and name not in only: continue
    try:
        est.train(x=XF, y=y, training_frame=fresh, **kw)
        p = est.download_mojo(path=out)
        os.replace(p, os.path.join(out, name + ".mojo"))
        print("OK", name, flush=True)
    except Exception as e:
        print("FAIL", name, repr(e)[:300], flush=True)
        continue
    if not name.startswith("shap_"): continue
    try:
        c = est.predict_contributions(fresh[:300, :])
        h2o.export_file(c, os.path.join(out, name + "_contrib.csv"), force=True)
        c = est.predict_contributions(fresh[:300, :], output_format="compact")
        h2o.export_file(c, os.path.join(out, name + "_contrib_compact.csv"), force=True)
        print("CONTRIB", name, flush=True)
    except Exception as e:
        open(os.path.join(out, name + "_contrib_error.txt"), "w").write(str(e).splitlines()[0] + "\n")
        print("CONTRIB-FAIL", name, str(e).splitlines()[0][:300], flush=True)
h2o.cluster().shutdown()
