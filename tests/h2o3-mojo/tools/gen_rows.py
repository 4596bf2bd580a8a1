import csv, sys, os
from mojo_rows import read_mojo, score0_values, edge_rows
# gen_rows.py <mojo dir> <out dir> [data csv (default /tmp/fresh/fresh.csv)] [MOJO name prefix]
mojo_dir, out_dir = sys.argv[1], sys.argv[2]
data_path = sys.argv[3] if len(sys.argv) > 3 else "/tmp/fresh/fresh.csv"
prefix = sys.argv[4] if len(sys.argv) > 4 else ""
data = list(csv.reader(open(data_path)))
header, body = data[0], data[1:]
off_idx = header.index("off") if "off" in header else None
for fn in sorted(os.listdir(mojo_dir)):
    if not fn.endswith(".mojo") or not fn.startswith(prefix): continue
    name = fn[:-5]
    info, cols, doms = read_mojo(os.path.join(mojo_dir, fn))
    nf = int(info["n_features"])
    rows = []
    for r in body:
        vals = score0_values(r, header, cols, doms, nf)
        rows.append(",".join(vals) + ";" + (r[off_idx] if off_idx is not None else "0"))
    for e in edge_rows(nf, 10): rows.append(",".join(e) + ";0.25")
    open(os.path.join(out_dir, name + "_rows.csv"), "w").write("\n".join(rows) + "\n")
