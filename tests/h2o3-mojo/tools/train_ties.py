import h2o, os, random
from h2o.estimators import H2OGradientBoostingEstimator as GBM
random.seed(5)
rows = ["x1,x2,klass"]
for i in range(200):
    k = "a" if i % 5 in (0, 1) else "b" if i % 5 in (2, 3) else "c"   # a:b:c = 2:2:1
    rows.append("%.4f,%.4f,%s" % (random.uniform(0, 10), random.uniform(0, 1), k))
open("/tmp/fresh/ties.csv", "w").write("\n".join(rows) + "\n")
h2o.init(nthreads=2, max_mem_size="1G")
fr = h2o.import_file("/tmp/fresh/ties.csv", col_types={"klass": "enum"})
m = GBM(ntrees=3, min_split_improvement=1e9, distribution="multinomial", seed=3)  # no split pays off: stumps
m.train(x=["x1", "x2"], y="klass", training_frame=fr)
p = m.download_mojo(path="/tmp/fresh/mojos"); os.rename(p, "/tmp/fresh/mojos/gbm_ties.mojo")
h2o.cluster().shutdown()
