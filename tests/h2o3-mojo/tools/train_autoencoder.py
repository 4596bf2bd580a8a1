# Fresh fixtures for Deep Learning AutoEncoder MOJOs (H2O-3 3.46.0.11).
#   venv/bin/python train_autoencoder.py <out dir> [port]
# Writes <out dir>/ae_data.csv (400 rows: 3 numerics, 2 categoricals, ~6% missing cells), one
# <name>.mojo per autoencoder, and <name>_h2o.csv: H2O's in-cluster predict (the reconstruction,
# column names as H2O gives them) on ae_data.csv. See README.md ("Deep Learning autoencoders").
import csv, os, random, sys
import h2o
from h2o.estimators import H2ODeepLearningEstimator as DL

out = sys.argv[1]
port = int(sys.argv[2]) if len(sys.argv) > 2 else 54351
os.makedirs(out, exist_ok=True)

random.seed(11)
rows = []
for i in range(400):
    a = random.gauss(0, 1)
    b = 3 * a + random.gauss(10, 2)
    c = random.expovariate(0.2) - 4
    ca = random.choice(["red", "green", "blue"])
    cb = random.choice(["k1", "k2", "k3", "k4", "k5"]) if a > -1 else "k1"
    r = {"n1": "%.4f" % a, "n2": "%.3f" % b, "n3": "%.3f" % c, "ca": ca, "cb": cb}
    for k in r:
        if random.random() < 0.06: r[k] = ""
    rows.append(r)
data = os.path.join(out, "ae_data.csv")
with open(data, "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=["n1", "n2", "n3", "ca", "cb"])
    w.writeheader()
    w.writerows(rows)

h2o.init(port=port, nthreads=2, max_mem_size="2G")
fr = h2o.import_file(data, col_types={"ca": "enum", "cb": "enum", "n1": "numeric", "n2": "numeric", "n3": "numeric"})
NUM, ALL = ["n1", "n2", "n3"], ["n1", "n2", "n3", "ca", "cb"]

models = [
    ("ae_num_tanh", NUM, dict(activation="Tanh", hidden=[2], standardize=True)),
    ("ae_num_rect_nostd", NUM, dict(activation="Rectifier", hidden=[4], standardize=False)),
    ("ae_cat_tanh", ALL, dict(activation="Tanh", hidden=[6, 3, 6], standardize=True)),
    ("ae_cat_rect", ALL, dict(activation="Rectifier", hidden=[5], standardize=True)),
    ("ae_cat_tanh_nostd", ALL, dict(activation="Tanh", hidden=[4], standardize=False)),
    ("ae_cat_tanh_dropout", ALL, dict(activation="TanhWithDropout", hidden=[6], hidden_dropout_ratios=[0.3],
                                      standardize=True)),
    ("ae_cat_rect_dropout", ALL, dict(activation="RectifierWithDropout", hidden=[5, 4], hidden_dropout_ratios=[0.2, 0.1],
                                      standardize=True)),
]
for name, x, kw in models:
    try:
        m = DL(model_id=name, autoencoder=True, epochs=30, seed=5, reproducible=True, **kw)
        m.train(x=x, training_frame=fr)
        p = m.download_mojo(path=out)
        os.replace(p, os.path.join(out, name + ".mojo"))
        h2o.export_file(m.predict(fr), os.path.join(out, name + "_h2o.csv"), force=True)
        print("OK", name, flush=True)
    except Exception as e:
        print("FAIL", name, repr(e)[:400], flush=True)
h2o.cluster().shutdown()
