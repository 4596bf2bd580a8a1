# PCA, GLRM and Word2Vec MOJOs for the h2o3-mojo tests (issue 5), trained with H2O-3 3.46.0.11.
#   ~/.cache/scorehost/h2o/venv/bin/python train_dimred.py <out dir> [port] [only: comma-separated names]
# Writes <out>/dimred.csv (the data, deterministic), <out>/<name>.mojo and <out>/words.txt.
import h2o, math, os, random, sys
from h2o.estimators import H2OPrincipalComponentAnalysisEstimator as PCA
from h2o.estimators import H2OGeneralizedLowRankEstimator as GLRM
from h2o.estimators import H2OWord2vecEstimator as W2V

out = sys.argv[1]
port = int(sys.argv[2]) if len(sys.argv) > 2 else 54321
only = set(sys.argv[3].split(",")) if len(sys.argv) > 3 else None
os.makedirs(out, exist_ok=True)

# 120 rows: three numerics (one with missing values), a 4-level and a 3-level categorical (one
# with missing values), a count column for Poisson loss, a 0/1 column for binary losses.
rnd = random.Random(5)
rows = ["x1,x2,x3,c1,c2,cnt,bin"]
for i in range(120):
    x1 = rnd.gauss(0, 1)
    x2 = 2.5 * x1 + rnd.gauss(3, 0.7)
    x3 = "" if i % 17 == 3 else "%.6f" % (rnd.uniform(-4, 10) - x1)
    c1 = "abcd"[int(rnd.random() * 4) if x1 < 0.5 else 3 - int(rnd.random() * 2)]
    c2 = "" if i % 23 == 5 else ["lo", "mid", "hi"][int(rnd.random() * 3)]
    cnt = int(rnd.expovariate(0.4))
    b = 1 if x1 + rnd.gauss(0, 0.5) > 0 else 0
    rows.append("%.6f,%.6f,%s,%s,%s,%d,%d" % (x1, x2, x3, c1, c2, cnt, b))
open(os.path.join(out, "dimred.csv"), "w").write("\n".join(rows) + "\n")

h2o.init(port=port, nthreads=2, max_mem_size="2G")
fr = h2o.import_file(os.path.join(out, "dimred.csv"),
                     col_types={"c1": "enum", "c2": "enum", "cnt": "numeric", "bin": "numeric"})
X = ["x1", "x2", "x3", "c1", "c2"]
XN = ["x1", "x2", "x3"]
XP = ["x1", "x2", "x3", "c1", "c2", "cnt", "bin"]
models = {
  "pca_gramsvd_standardize": (PCA(k=3, transform="standardize", pca_method="gram_s_v_d", seed=1), X),
  "pca_power_normalize_allfactors": (PCA(k=2, transform="normalize", pca_method="power", use_all_factor_levels=True, seed=1), X),
  "pca_randomized_demean": (PCA(k=3, transform="demean", pca_method="randomized", seed=1), X),
  "pca_glrm_none": (PCA(k=2, transform="none", pca_method="glrm", use_all_factor_levels=True, seed=1), X),
  "pca_descale_numeric": (PCA(k=2, transform="descale", pca_method="gram_s_v_d", seed=1), XN),
  "glrm_quadratic_none": (GLRM(k=3, loss="quadratic", multi_loss="categorical", transform="standardize", regularization_x="none", regularization_y="none", init="plus_plus", seed=7, max_iterations=50), X),
  "glrm_huber_l2_ordinal": (GLRM(k=2, loss="huber", multi_loss="ordinal", transform="normalize", regularization_x="l2", gamma_x=0.3, regularization_y="quadratic", gamma_y=0.1, init="svd", seed=11, max_iterations=40), X),
  "glrm_absolute_l1": (GLRM(k=2, loss="absolute", transform="demean", regularization_x="l1", gamma_x=0.2, regularization_y="l1", gamma_y=0.1, init="random", seed=3, max_iterations=40), XN),
  "glrm_nonnegative_quadreg": (GLRM(k=3, loss="quadratic", transform="none", regularization_x="non_negative", gamma_x=1.0, regularization_y="non_negative", gamma_y=1.0, init="random", seed=4, max_iterations=40), XN),
  "glrm_quadratic_xreg_bylcol": (GLRM(k=3, loss="quadratic", multi_loss="categorical", transform="none", regularization_x="quadratic", gamma_x=0.5, regularization_y="quadratic", gamma_y=0.5, loss_by_col=["poisson", "logistic"], loss_by_col_idx=[5, 6], init="plus_plus", seed=9, max_iterations=40), XP),
  "glrm_simplex": (GLRM(k=3, loss="quadratic", transform="standardize", regularization_x="simplex", gamma_x=1.0, regularization_y="none", init="random", seed=5, max_iterations=30), XN),
  "glrm_onesparse": (GLRM(k=3, loss="quadratic", transform="standardize", regularization_x="one_sparse", gamma_x=1.0, regularization_y="non_negative", gamma_y=1.0, init="random", seed=6, max_iterations=30), XN),
  "glrm_unitonesparse": (GLRM(k=3, loss="quadratic", transform="standardize", regularization_x="unit_one_sparse", gamma_x=1.0, regularization_y="none", init="random", seed=8, max_iterations=30), XN),
}
for name, (est, x) in models.items():
    if only and name not in only: continue
    try:
        est.train(x=x, training_frame=fr)
        p = est.download_mojo(path=out)
        os.rename(p, os.path.join(out, name + ".mojo"))
        print("OK", name)
    except Exception as e:
        print("FAIL", name, str(e)[:2000])

# Word2Vec on a tiny corpus: 15 words, sentences separated by NA.
vocab = "the cat dog sat on mat ran fast slow red blue big small a tree".split()
words = []
for s in range(150):
    n = 3 + int(rnd.random() * 5)
    words += [vocab[int(rnd.random() ** 1.5 * len(vocab))] for _ in range(n)] + [""]
open(os.path.join(out, "words.txt"), "w").write("word\n" + "\n".join(words) + "\n")
wf = h2o.import_file(os.path.join(out, "words.txt"), col_types=["string"])
try:
    if only and "word2vec_small" not in only: raise SystemExit(h2o.cluster().shutdown())
    w2v = W2V(vec_size=4, min_word_freq=1, epochs=3, window_size=2)
    w2v.train(training_frame=wf)
    p = w2v.download_mojo(path=out)
    os.rename(p, os.path.join(out, "word2vec_small.mojo"))
    print("OK word2vec_small")
    # H2O's own per-word transform (NaN for unknown words), a cross-check of the MOJO values.
    q = h2o.H2OFrame([["cat"], ["tree"], ["unknownword"], ["the"]], column_types=["string"], column_names=["word"])
    h2o.download_csv(w2v.transform(q, aggregate_method="NONE"), os.path.join(out, "word2vec_small_transform.csv"))
except Exception as e:
    print("FAIL word2vec", repr(e)[:400])
h2o.cluster().shutdown()
