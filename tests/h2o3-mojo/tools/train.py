import h2o, os, sys
from h2o.estimators import H2OGradientBoostingEstimator as GBM, H2ORandomForestEstimator as DRF
from h2o.estimators import H2OGeneralizedLinearEstimator as GLM, H2OIsolationForestEstimator as IF
h2o.init(nthreads=2, max_mem_size="2G")
out = sys.argv[1]
fr = h2o.import_file("/tmp/fresh/fresh.csv", col_types={"c1": "enum", "c2": "enum", "binary": "enum", "klass": "enum", "ordinal": "enum"})
fr["ordinal"] = fr["ordinal"].relevel("low")
fr["binnum"] = (fr["binary"] == "yes")
X = ["x1", "x2", "c1", "c2"]
models = {
  "gbm_poisson": (GBM(ntrees=15, max_depth=4, distribution="poisson", seed=1), "count", {}),
  "gbm_gamma": (GBM(ntrees=15, max_depth=4, distribution="gamma", seed=1), "pos", {}),
  "gbm_tweedie": (GBM(ntrees=15, max_depth=4, distribution="tweedie", tweedie_power=1.3, seed=1), "tw", {}),
  "gbm_quantile": (GBM(ntrees=15, max_depth=4, distribution="quantile", quantile_alpha=0.8, seed=1), "pos", {}),
  "gbm_huber": (GBM(ntrees=15, max_depth=4, distribution="huber", seed=1), "pos", {}),
  "gbm_gaussian_offset": (GBM(ntrees=15, max_depth=4, distribution="gaussian", offset_column="off", seed=1), "pos", {}),
  "gbm_bernoulli_offset": (GBM(ntrees=15, max_depth=4, distribution="bernoulli", offset_column="off", seed=1), "binary", {}),
  "gbm_quasibinomial": (GBM(ntrees=15, max_depth=4, distribution="quasibinomial", seed=1), "binnum", {}),
  "gbm_multinomial2": (GBM(ntrees=10, max_depth=3, distribution="multinomial", seed=1), "binary", {}),
  "gbm_platt": (GBM(ntrees=10, max_depth=3, distribution="bernoulli", calibrate_model=True, calibration_frame=fr, calibration_method="PlattScaling", seed=1), "binary", {"calib": True}),
  "gbm_isotonic": (GBM(ntrees=10, max_depth=3, distribution="bernoulli", calibrate_model=True, calibration_frame=fr, calibration_method="IsotonicRegression", seed=1), "binary", {"calib": True}),
  "gbm_multinomial_balance": (GBM(ntrees=10, max_depth=3, distribution="multinomial", balance_classes=True, seed=1), "klass", {}),
  "drf_binomial": (DRF(ntrees=10, max_depth=6, seed=1), "binary", {}),
  "drf_multinomial": (DRF(ntrees=8, max_depth=5, seed=1), "klass", {}),
  "glm_poisson": (GLM(family="poisson"), "count", {}),
  "glm_gamma": (GLM(family="gamma"), "pos", {}),
  "glm_tweedie": (GLM(family="tweedie", tweedie_variance_power=1.3, tweedie_link_power=0.2), "tw", {}),
  "glm_binomial_offset": (GLM(family="binomial", offset_column="off"), "binary", {}),
  "glm_gaussian_skip": (GLM(family="gaussian", missing_values_handling="Skip", lambda_=0), "pos", {}),
  "glm_multinomial": (GLM(family="multinomial", lambda_=0), "klass", {}),
  "glm_ordinal": (GLM(family="ordinal"), "ordinal", {}),
  "glm_quasibinomial": (GLM(family="quasibinomial"), "binnum", {}),
  "glm_gamma_inverse": (GLM(family="gamma", link="inverse"), "pos", {}),
  "isofor_flag": (IF(ntrees=10, seed=1, contamination=0.1), None, {}),
}
os.makedirs(out, exist_ok=True)
for name, (est, y, opts) in models.items():
    try:
        if y is None:
            est.train(x=X, training_frame=fr)
        elif opts.get("calib"):
            est.train(x=X, y=y, training_frame=fr)
        else:
            est.train(x=X, y=y, training_frame=fr)
        p = est.download_mojo(path=out)
        os.rename(p, os.path.join(out, name + ".mojo"))
        print("OK", name)
    except Exception as e:
        print("FAIL", name, repr(e)[:300])
h2o.cluster().shutdown()
