# Trains the RuleFit, CoxPH and GAM fixtures (tests/data/mojoland/fresh/{rulefit,coxph,gam}/) with
# H2O-3 3.46.0.11 on fresh.csv and exports their MOJOs. Usage:
#   venv/bin/python train_rulefit_coxph_gam.py <fresh.csv> <out dir> [port]
import os, sys
import h2o
from h2o.estimators import H2ORuleFitEstimator as RuleFit
from h2o.estimators import H2OCoxProportionalHazardsEstimator as CoxPH
from h2o.estimators import H2OGeneralizedAdditiveEstimator as GAM

data, out = sys.argv[1], sys.argv[2]
port = int(sys.argv[3]) if len(sys.argv) > 3 else 54321
h2o.init(port=port, nthreads=2, max_mem_size="2G")
fr = h2o.import_file(data, col_types={"c1": "enum", "c2": "enum", "binary": "enum", "klass": "enum", "ordinal": "enum"})
fr["event"] = (fr["binary"] == "yes")
fr["time"] = fr["pos"] + 0.01
X = ["x1", "x2", "c1", "c2"]
XS = ["x1", "x2", "c1"]
models = {
    # RuleFit: rules + linear terms, rules only, linear only; binomial, regression, multinomial.
    "rulefit_binomial": (RuleFit(algorithm="drf", min_rule_length=1, max_rule_length=3, rule_generation_ntrees=6,
                                 max_num_rules=40, seed=1), "binary"),
    "rulefit_regression_gbm": (RuleFit(algorithm="gbm", min_rule_length=2, max_rule_length=3, rule_generation_ntrees=5,
                                       max_num_rules=30, seed=1), "pos"),
    "rulefit_multinomial": (RuleFit(algorithm="drf", min_rule_length=1, max_rule_length=2, rule_generation_ntrees=4,
                                    max_num_rules=30, seed=1), "klass"),
    "rulefit_rules_only": (RuleFit(algorithm="gbm", min_rule_length=1, max_rule_length=3, rule_generation_ntrees=5,
                                   model_type="rules", seed=1), "binary"),
    "rulefit_linear_only": (RuleFit(model_type="linear", seed=1), "pos"),
    # CoxPH: plain, ties, strata, interactions (num x num, enum x num, enum x enum), offset.
    "coxph_plain": (CoxPH(stop_column="time"), "event"),
    "coxph_breslow": (CoxPH(stop_column="time", ties="breslow"), "event"),
    "coxph_strata": (CoxPH(stop_column="time", stratify_by=["c1"]), "event"),
    "coxph_interactions": (CoxPH(stop_column="time", interactions=["x1", "x2", "c1"]), "event"),
    "coxph_interaction_pairs": (CoxPH(stop_column="time", interaction_pairs=[("c1", "x2"), ("x1", "x2")]), "event"),
    "coxph_enum_pairs": (CoxPH(stop_column="time", interaction_pairs=[("c1", "ordinal")]), "event"),
    "coxph_offset": (CoxPH(stop_column="time", offset_column="off"), "event"),
    "coxph_all_levels": (CoxPH(stop_column="time", use_all_factor_levels=True), "event"),
    # GAM: every spline type 3.46 writes, each family shape.
    "gam_gaussian_cs": (GAM(family="gaussian", gam_columns=["x1"], bs=[0], num_knots=[6], lambda_=0), "pos"),
    "gam_binomial_cs": (GAM(family="binomial", gam_columns=["x1", "x2"], bs=[0, 0], num_knots=[5, 6]), "binary"),
    "gam_multinomial_cs": (GAM(family="multinomial", gam_columns=["x1"], bs=[0], num_knots=[5]), "klass"),
    "gam_gaussian_tp": (GAM(family="gaussian", gam_columns=[["x1", "x2"]], bs=[1], num_knots=[8]), "pos"),
    "gam_gaussian_tp1": (GAM(family="gaussian", gam_columns=["x1"], bs=[1], num_knots=[5]), "pos"),
    "gam_gaussian_is": (GAM(family="gaussian", gam_columns=["x1"], bs=[2], num_knots=[5], spline_orders=[3]), "pos"),
    "gam_gaussian_ms": (GAM(family="gaussian", gam_columns=["x2"], bs=[3], num_knots=[5], spline_orders=[3]), "pos"),
    "gam_poisson_mixed": (GAM(family="poisson", gam_columns=["x1", "x2"], bs=[0, 3], num_knots=[5, 5], spline_orders=[1, 2]), "count"),
    "gam_tweedie": (GAM(family="tweedie", tweedie_variance_power=1.3, tweedie_link_power=0.2, gam_columns=["x1"], bs=[0], num_knots=[5]), "tw"),
    "gam_binomial_mixed": (GAM(family="binomial", gam_columns=["x1", ["x1", "x2"], "x2"], bs=[2, 1, 0], num_knots=[5, 7, 5], spline_orders=[2, -1, -1]), "binary"),
}
only = set(sys.argv[4].split(",")) if len(sys.argv) > 4 else None
os.makedirs(out, exist_ok=True)
for name, (est, y) in models.items():
    if only and name not in only: continue
    try:
        x = X
        if name.startswith("coxph_"):
            x = ["x1", "x2", "c1", "ordinal"] if name == "coxph_enum_pairs" else X
        est.train(x=x, y=y, training_frame=fr)
        p = est.download_mojo(path=out)
        os.replace(p, os.path.join(out, name + ".mojo"))
        print("OK", name, flush=True)
    except Exception as e:
        print("FAIL", name, repr(e)[:400], flush=True)
h2o.cluster().shutdown()
