# Fresh fixtures for Stacked Ensemble, K-Means, Uplift DRF and Target Encoder MOJOs (H2O-3 3.46.0.11).
#   venv/bin/python train_fresh_algos.py <fresh.csv from make_data.py> <out dir> [port] [se,km,uplift,te]
# Writes <out dir>/<name>.mojo and <out dir>/uplift.csv (fresh.csv plus a treatment and an uplift
# response). See README.md ("Stacked Ensemble, K-Means, Uplift DRF, Target Encoder").
import csv, os, random, sys
import h2o
from h2o.estimators import (H2OGradientBoostingEstimator as GBM, H2ORandomForestEstimator as DRF,
                            H2OGeneralizedLinearEstimator as GLM, H2OStackedEnsembleEstimator as SE,
                            H2OKMeansEstimator as KM, H2OUpliftRandomForestEstimator as UDRF,
                            H2OTargetEncoderEstimator as TE)

data, out = sys.argv[1], sys.argv[2]
port = int(sys.argv[3]) if len(sys.argv) > 3 else 54321
groups = sys.argv[4].split(",") if len(sys.argv) > 4 else ["se", "km", "uplift", "te"]
os.makedirs(out, exist_ok=True)

# Uplift data: a random treatment and a binary outcome that depends on it.
random.seed(7)
rows = list(csv.DictReader(open(data)))
for r in rows:
    t = random.random() < 0.5
    x1 = float(r["x1"]) if r["x1"] else 0.0
    p = 0.3 + (0.25 if t and x1 > 0 else 0.05 if t else 0.0) + (0.1 if r["c1"] in ("red", "1") else 0.0)
    r["treatment"] = "treatment" if t else "control"
    r["conv"] = "1" if random.random() < p else "0"
uplift_csv = os.path.join(out, "uplift.csv")
with open(uplift_csv, "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
    w.writeheader()
    w.writerows(rows)

h2o.init(port=port, nthreads=2, max_mem_size="2G")
types = {"c1": "enum", "c2": "enum", "binary": "enum", "klass": "enum", "ordinal": "enum"}
fr = h2o.import_file(data, col_types=types)
X = ["x1", "x2", "c1", "c2"]

def save(model, name):
    p = model.download_mojo(path=out)
    os.replace(p, os.path.join(out, name + ".mojo"))
    print("OK", name, flush=True)

def attempt(name, fn):
    try:
        fn()
    except Exception as e:
        print("FAIL", name, repr(e)[:400], flush=True)

# Stacked Ensembles: GBM, GLM, DRF base models with the same 3 folds.
def bases(y, tag, family):
    cv = dict(nfolds=3, fold_assignment="Modulo", keep_cross_validation_predictions=True, seed=1)
    ms = [GBM(ntrees=12, max_depth=4, model_id="base_" + tag + "_gbm", **cv),
          GLM(family=family, model_id="base_" + tag + "_glm", **cv),
          DRF(ntrees=8, max_depth=6, model_id="base_" + tag + "_drf", **cv)]
    for m in ms:
        m.train(x=X, y=y, training_frame=fr)
    return ms

for y, tag, family, metas in [] if "se" not in groups else [
        ("binary", "se_binomial", "binomial", [("glm", {}), ("gbm", {}), ("drf", {}), ("glm_logit", {"metalearner_transform": "Logit"})]),
        ("pos", "se_regression", "gaussian", [("glm", {}), ("gbm", {}), ("drf", {})]),
        ("klass", "se_multinomial", "multinomial", [("glm", {}), ("gbm", {}), ("drf", {}), ("glm_logit", {"metalearner_transform": "Logit"})])]:
    ms = bases(y, tag, family)
    for meta, extra in metas:
        algo = meta.split("_")[0]
        name = tag + "_" + meta
        def go(algo=algo, extra=extra, name=name, ms=ms, y=y):
            if algo != "glm":  # small tree metalearners keep the fixtures small
                extra = dict(extra, metalearner_params={"ntrees": 10, "max_depth": 4})
            se = SE(base_models=ms, metalearner_algorithm=algo, seed=1, model_id=name, **extra)
            se.train(x=X, y=y, training_frame=fr)
            save(se, name)
        attempt(name, go)

# K-Means: categoricals + numerics, standardize on/off; numerics only.
for name, cols, kw in [] if "km" not in groups else [("km_std", X, dict(k=4, standardize=True)),
                       ("km_nostd", X, dict(k=3, standardize=False)),
                       ("km_num", ["x1", "x2", "pos"], dict(k=5, standardize=True))]:
    def go(name=name, cols=cols, kw=kw):
        km = KM(seed=1, max_iterations=20, model_id=name, **kw)
        km.train(x=cols, training_frame=fr)
        save(km, name)
    attempt(name, go)

# Uplift DRF: each uplift metric.
ufr = h2o.import_file(uplift_csv, col_types=dict(types, treatment="enum", conv="enum"))
for metric in ["KL", "euclidean", "chi_squared"] if "uplift" in groups else []:
    name = "uplift_" + metric.lower()
    def go(metric=metric, name=name):
        m = UDRF(ntrees=10, max_depth=5, treatment_column="treatment", uplift_metric=metric, seed=1, model_id=name)
        m.train(x=X, y="conv", training_frame=ufr)
        save(m, name)
    attempt(name, go)

# Target Encoder: binomial, regression, multinomial; blending on/off; an interaction column.
for name, y, kw in [] if "te" not in groups else [("te_binomial", "binary", dict(blending=True, inflection_point=5, smoothing=3)),
                    ("te_binomial_noblend", "binary", dict(blending=False)),
                    ("te_regression", "pos", dict(blending=True, inflection_point=10, smoothing=20)),
                    ("te_multinomial", "klass", dict(blending=True, inflection_point=3, smoothing=1)),
                    ("te_interaction", "binary", dict(blending=True, columns_to_encode=[["c1", "c2"], "c1"]))]:
    def go(name=name, y=y, kw=kw):
        kw = dict(kw)
        cols = kw.pop("columns_to_encode", ["c1", "c2"])
        te = TE(noise=0, data_leakage_handling="none", seed=1, model_id=name, columns_to_encode=cols, **kw)
        te.train(x=["c1", "c2"] if name != "te_interaction" else ["c1", "c2"], y=y, training_frame=fr)
        save(te, name)
        # H2O's in-cluster transform, for a cross-check of the MOJO scores.
        h2o.export_file(te.transform(fr, as_training=False), os.path.join(out, name + "_transform.csv"), force=True)
    attempt(name, go)

h2o.cluster().shutdown()
