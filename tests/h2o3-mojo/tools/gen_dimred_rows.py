# score0 rows for the PCA/GLRM MOJOs of train_dimred.py: the data rows (categoricals as level
# indices, empty cells as NaN) and edge rows (unseen/negative/non-integral levels, all missing,
# huge values, a short row).
#   python3 gen_dimred_rows.py <mojo dir> <data csv> <out dir>
import csv, os, sys
from mojo_rows import read_mojo, score0_values
mojo_dir, data_path, out_dir = sys.argv[1:4]
data = list(csv.reader(open(data_path)))
header, body = data[0], data[1:]
os.makedirs(out_dir, exist_ok=True)
for fn in sorted(os.listdir(mojo_dir)):
    if not fn.endswith(".mojo") or not (fn.startswith("pca_") or fn.startswith("glrm_")): continue
    info, cols, doms = read_mojo(os.path.join(mojo_dir, fn))
    nf = int(info["n_features"])
    rows = [score0_values(r, header, cols, doms, nf) for r in body]
    base = rows[0]
    def with_(i, v):
        e = list(base); e[i] = v; return e
    edge = [["NaN"] * nf, ["0"] * nf]
    for i in range(nf):
        if i in doms:
            edge += [with_(i, str(len(doms[i]))), with_(i, str(len(doms[i]) + 5)), with_(i, "-1"), with_(i, "1.5"), with_(i, "NaN")]
        else:
            edge += [with_(i, "NaN"), with_(i, "1e6"), with_(i, "-3.25")]
    edge.append(base[:-1])  # one value short: Java's ArrayIndexOutOfBoundsException
    open(os.path.join(out_dir, fn[:-5] + "_rows.csv"), "w").write("\n".join(",".join(x) for x in rows + edge) + "\n")
