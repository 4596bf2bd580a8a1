# Trains the issue-4 "big" tree MOJOs and the TreeSHAP fixtures with H2O-3 3.46.0.11 and writes
# H2O's own predict_contributions for the scoring rows (the TreeSHAP reference).
#   python train_big.py <data dir with big_*.csv and fresh.csv> <out dir>
import os, sys
import h2o
from h2o.estimators import H2OGradientBoostingEstimator as GBM, H2ORandomForestEstimator as DRF
data, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
h2o.init(nthreads=2, max_mem_size="4G")
big_types = {"cbig": "enum", "cmid": "enum", "ybin": "enum"}
big = h2o.import_file(os.path.join(data, "big_train.csv"), col_types=big_types)
big_test = h2o.import_file(os.path.join(data, "big_test.csv"), col_types=big_types)
small = big[:2000, :]
fresh_types = {"c1": "enum", "c2": "enum", "binary": "enum", "klass": "enum", "ordinal": "enum"}
fresh = h2o.import_file(os.path.join(data, "fresh.csv"), col_types=fresh_types)
XB = ["x1", "x2", "x3", "cbig", "cmid"]
XF = ["x1", "x2", "c1", "c2"]
# name: (estimator, x, y, training frame, scoring frame, write contributions?)
models = {
  # > 1000 levels; nbins_cats above the level count so splits carry full 1200-bit bitsets.
  "big_gbm_cat1200": (GBM(ntrees=20, max_depth=6, nbins_cats=2048, seed=1), XB, "y", big, big_test, True),
  "big_drf_cat1200": (DRF(ntrees=10, max_depth=8, nbins_cats=2048, seed=1), XB, "ybin", big, big_test, True),
  # Deep, noisy trees: min_rows=1 and depth 50 give > 64 KiB left subtrees (3-byte skips); one
  # tree each keeps the MOJOs near 650 KiB.
  "big_gbm_deep": (GBM(ntrees=1, max_depth=50, min_rows=1, nbins=256, seed=1), ["x1", "x2", "x3"], "y", big, big_test, True),
  "big_drf_deep": (DRF(ntrees=1, max_depth=50, min_rows=1, nbins=256, sample_rate=1.0, mtries=3, seed=1),
                   ["x1", "x2", "x3"], "y", big, big_test, True),
  # 1000+ trees: tree files t00_1000.bin and beyond.
  "big_gbm_1100": (GBM(ntrees=1100, max_depth=2, learn_rate=0.01, seed=1), XB, "ybin", small, big_test, True),
  "big_drf_1001": (DRF(ntrees=1001, max_depth=3, seed=1), XB, "y", small, big_test, True),
  # TreeSHAP fixtures on fresh.csv (numeric + categorical + missing values).
  "shap_gbm_bernoulli": (GBM(ntrees=20, max_depth=4, seed=1), XF, "binary", fresh, fresh, True),
  "shap_gbm_gaussian": (GBM(ntrees=20, max_depth=5, seed=1), XF, "pos", fresh, fresh, True),
  "shap_gbm_poisson": (GBM(ntrees=15, max_depth=4, distribution="poisson", seed=1), XF, "count", fresh, fresh, True),
  "shap_drf_binomial": (DRF(ntrees=15, max_depth=6, seed=1), XF, "binary", fresh, fresh, True),
  "shap_drf_regression": (DRF(ntrees=15, max_depth=6, seed=1), XF, "pos", fresh, fresh, True),
  "shap_gbm_multinomial": (GBM(ntrees=5, max_depth=3, seed=1), XF, "klass", fresh, fresh, True),
}
only = set(sys.argv[3:])
for name, (est, x, y, train, test, contrib) in models.items():
    if only and name not in only: continue
    try:
        est.train(x=x, y=y, training_frame=train)
        p = est.download_mojo(path=out)
        os.replace(p, os.path.join(out, name + ".mojo"))
        print("OK", name, flush=True)
    except Exception as e:
        print("FAIL", name, repr(e)[:300], flush=True)
        continue
    if contrib:
        try:
            c = est.predict_contributions(test[:300, :])
            h2o.export_file(c, os.path.join(out, name + "_contrib.csv"), force=True)
            print("CONTRIB", name, flush=True)
        except Exception as e:
            # H2O refuses multinomial contributions; keep its message as the reference.
            open(os.path.join(out, name + "_contrib_error.txt"), "w").write(str(e).splitlines()[0] + "\n")
            print("CONTRIB-FAIL", name, str(e).splitlines()[0][:300], flush=True)
h2o.cluster().shutdown()
