# GBM and DRF MOJOs trained with every categorical_encoding H2O-3 exports (H2O-3 3.46.0.11), and
# what genmodel's PredictCsv --decimal makes of them when fed the ORIGINAL columns (PredictCsv's
# EasyPredictModelWrapper applies the MOJO's _genmodel_encoding from _orig_names/_orig_domain_values).
#   venv/bin/python train_encodings.py <out dir> [port]   (H2O=<dir with h2o.jar>, default ~/.cache/scorehost/h2o)
# Writes <out dir>/enc_rows.csv (the scoring rows: original columns, with missing cells, unseen
# levels and integer-looking levels), enc_<algo>_<kind>_<encoding>.mojo and their
# enc_<...>_predictcsv.csv. See README.md ("Categorical encodings").
import csv, os, random, subprocess, sys
import h2o
from h2o.estimators import H2OGradientBoostingEstimator as GBM, H2ORandomForestEstimator as DRF

out = sys.argv[1]
port = int(sys.argv[2]) if len(sys.argv) > 2 else 54361
jar = os.path.join(os.environ.get("H2O", os.path.expanduser("~/.cache/scorehost/h2o")), "h2o.jar")
os.makedirs(out, exist_ok=True)

random.seed(11)
SMALL = ["red", "green", "blue", "other"]            # "other" also tests EnumLimited's merged bucket
MANY = ["L%02d" % i for i in range(40)]              # more than the 10 levels enum_limited keeps
INTS = ["3", "7", "12", "007", "-2"]  # LabelEncoder parses integer levels (H2O refuses mixed ones)
header = ["x1", "c_small", "x2", "c_many", "c_int", "y_bin", "y_reg"]
train = []
for i in range(360):
    x1 = random.gauss(0, 1)
    x2 = random.uniform(-3, 3)
    cs = random.choice(SMALL)
    cm = MANY[min(39, int(random.expovariate(0.12)))]
    ci = random.choice(INTS)
    z = x1 + (0.8 if cs == "red" else -0.4 if cs == "blue" else 0) + int(cm[1:]) / 20.0 - (1.0 if ci in ("7", "007") else 0)
    yb = "yes" if random.random() < 1 / (1 + 2.718281828 ** (-z)) else "no"
    yr = 2 * z + x2 + random.gauss(0, 0.3)
    row = ["%.6f" % x1, cs, "%.6f" % x2, cm, ci, yb, "%.6f" % yr]
    for j in (0, 1, 3, 4):
        if random.random() < 0.06:
            row[j] = ""
    train.append(row)
train_csv = os.path.join(out, "train.csv")
with open(train_csv, "w", newline="") as f:
    csv.writer(f).writerows([header] + train)

# Scoring rows (features only): 150 training rows, then every level of every categorical, missing
# cells, unseen levels and a level of another column.
score = [r[:5] for r in train[:150]]
for j, levels in ((1, SMALL), (3, MANY), (4, INTS)):
    for lv in levels + ["", "unseen", "L05" if j != 3 else "red", "Other", "+7", "7.0"]:
        base = list(train[len(score) % 300][:5])
        base[j] = lv
        score.append(base)
score.append(["", "", "", "", ""])
score.append(["0.5", "unseen", "1", "nope", "99"])
rows_csv = os.path.join(out, "enc_rows.csv")
with open(rows_csv, "w", newline="") as f:
    csv.writer(f).writerows([header[:5]] + score)

h2o.init(port=port, nthreads=2, max_mem_size="2G")
try:
    fr = h2o.import_file(train_csv, col_types={"c_small": "enum", "c_many": "enum", "c_int": "enum", "y_bin": "enum"})
    X = header[:5]
    encodings = ["one_hot_explicit", "binary", "label_encoder", "enum_limited", "eigen"]
    for enc in encodings:
        for algo, cls in (("gbm", GBM), ("drf", DRF)):
            for kind, y in (("bin", "y_bin"), ("reg", "y_reg")):
                kw = dict(ntrees=8, max_depth=5, seed=3, categorical_encoding=enc)
                m = cls(**kw)
                m.train(x=X, y=y, training_frame=fr)
                name = "enc_%s_%s_%s" % (algo, kind, enc)
                p = m.download_mojo(path=out)
                mojo = os.path.join(out, name + ".mojo")
                os.replace(p, mojo)
                pred = os.path.join(out, name + "_predictcsv.csv")
                subprocess.run(["java", "-cp", jar, "hex.genmodel.tools.PredictCsv", "--mojo", mojo,
                                "--input", rows_csv, "--output", pred, "--decimal"], check=True)
                print("OK", name, os.path.getsize(mojo), flush=True)
finally:
    h2o.cluster().shutdown()
