# Synthetic score0 rows for a MOJO without a data set (h2o-genmodel's test MOJOs): level indices
# drawn from each categorical's domain (some missing, some one past the last level = unseen),
# numerics around 0 with some missing; offsets (after ';') drawn when the MOJO has an offset column.
#   python3 gen_synthetic_rows.py <mojo zip> <rows.csv> <n rows> [seed]
import random, sys, zipfile
mojo, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
rnd = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 1)
ini = zipfile.ZipFile(mojo).read("model.ini").decode().splitlines()
info, doms, sec = {}, {}, None
for l in ini:
    l = l.strip()
    if not l or l.startswith("#"): continue
    if l.startswith("["): sec = l; continue
    if sec == "[info]":
        k, v = [x.strip() for x in l.split("=", 1)]; info[k] = v
    elif sec == "[domains]":
        ci, rest = l.split(":", 1); doms[int(ci)] = int(rest.split()[0])
nf = int(info["n_features"])
offset = "offset_column" in info
lines = []
for r in range(n):
    vals = []
    for i in range(nf):
        u = rnd.random()
        if u < 0.08: vals.append("NaN")
        elif i in doms: vals.append(str(doms[i] if u < 0.12 else rnd.randrange(doms[i])))
        else: vals.append(repr(round(rnd.gauss(0, 1) * (10 if u < 0.5 else 1), 4)))
    lines.append(",".join(vals) + ";" + (repr(round(rnd.uniform(-1, 1), 3)) if offset else "0"))
open(out, "w").write("\n".join(lines) + "\n")
