# H2O's in-cluster predict_contributions (and predict) for the GBM/DRF models of train_encodings.py,
# retrained with the same data and seed (H2O-3 3.46.0.11 rebuilds the same trees: predictions equal
# PredictCsv's on every row without missing or unseen values), on enc_rows.csv.
#   venv/bin/python h2o_contrib_encodings.py <dir with train.csv and enc_rows.csv from train_encodings.py> [port]
# Writes <dir>/enc_<algo>_<kind>_<encoding>_h2o_contrib.csv and _h2o_pred.csv for one_hot_explicit and
# binary (label_encoder's in-cluster predict fails on the unseen levels: NumberFormatException).
import os, sys
import h2o
from h2o.estimators import H2OGradientBoostingEstimator as GBM, H2ORandomForestEstimator as DRF

out = sys.argv[1]
port = int(sys.argv[2]) if len(sys.argv) > 2 else 54362
h2o.init(port=port, nthreads=2, max_mem_size="2G")
try:
    cats = {"c_small": "enum", "c_many": "enum", "c_int": "enum"}
    fr = h2o.import_file(os.path.join(out, "train.csv"), col_types=dict(cats, y_bin="enum"))
    te = h2o.import_file(os.path.join(out, "enc_rows.csv"), col_types=cats)
    X = ["x1", "c_small", "x2", "c_many", "c_int"]
    for enc in ["one_hot_explicit", "binary"]:
        for algo, cls in (("gbm", GBM), ("drf", DRF)):
            for kind, y in (("bin", "y_bin"), ("reg", "y_reg")):
                m = cls(ntrees=8, max_depth=5, seed=3, categorical_encoding=enc)
                m.train(x=X, y=y, training_frame=fr)
                name = "enc_%s_%s_%s" % (algo, kind, enc)
                h2o.download_csv(m.predict(te), os.path.join(out, name + "_h2o_pred.csv"))
                h2o.download_csv(m.predict_contributions(te), os.path.join(out, name + "_h2o_contrib.csv"))
                print("OK", name, flush=True)
finally:
    h2o.cluster().shutdown()
