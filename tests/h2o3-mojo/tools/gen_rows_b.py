# gen_rows_b.py [--fill=X] <mojo dir> <out dir> <data csv> <prefix>... — score0 rows ("v1,...;offset")
# for the RuleFit / CoxPH / GAM fixtures, like gen_rows.py, except that a MOJO column the data lacks
# (CoxPH interaction columns, GAM's expanded spline columns) is NaN (or X with --fill=X: GAM data rows
# then carry given expanded values, which genmodel's raw score0 uses as they are), and the offset is
# the data's `off` only for MOJOs whose model.ini names an offset column (0 otherwise; edge rows 0).
import csv, sys, os
from mojo_rows import read_mojo, score0_values, edge_rows
args = [a for a in sys.argv[1:] if not a.startswith("--fill=")]
fill = next((a[7:] for a in sys.argv[1:] if a.startswith("--fill=")), "")
mojo_dir, out_dir, data_path = args[0], args[1], args[2]
prefixes = tuple(args[3:]) or ("",)
data = list(csv.reader(open(data_path)))
header, body = data[0], data[1:]
for fn in sorted(os.listdir(mojo_dir)):
    if not fn.endswith(".mojo") or not fn.startswith(prefixes): continue
    name = fn[:-5]
    info, cols, doms = read_mojo(os.path.join(mojo_dir, fn))
    nf = int(info["n_features"])
    use_off = info.get("offset_column", "null") not in ("null", "")
    rows = []
    for r in body:
        vals = score0_values(r, header, cols, doms, nf, missing=fill)
        rows.append(",".join(vals) + ";" + (r[header.index("off")] if use_off else "0"))
    for e in edge_rows(nf, 30): rows.append(",".join(e) + ";0")
    open(os.path.join(out_dir, name + "_rows.csv"), "w").write("\n".join(rows) + "\n")
