# gen_rows_b.py [--fill=X] <mojo dir> <out dir> <data csv> <prefix>... — score0 rows ("v1,...;offset")
# for the RuleFit / CoxPH / GAM fixtures, like gen_rows.py, except that a MOJO column the data lacks
# (CoxPH interaction columns, GAM's expanded spline columns) is NaN (or X with --fill=X: GAM data rows
# then carry given expanded values, which genmodel's raw score0 uses as they are), and the offset is
# the data's `off` only for MOJOs whose model.ini names an offset column (0 otherwise; edge rows 0).
import csv, zipfile, sys, os
args = [a for a in sys.argv[1:] if not a.startswith("--fill=")]
fill = next((a[7:] for a in sys.argv[1:] if a.startswith("--fill=")), "")
mojo_dir, out_dir, data_path = args[0], args[1], args[2]
prefixes = tuple(args[3:]) or ("",)
data = list(csv.reader(open(data_path)))
header, body = data[0], data[1:]
for fn in sorted(os.listdir(mojo_dir)):
    if not fn.endswith(".mojo") or not fn.startswith(prefixes): continue
    name = fn[:-5]
    z = zipfile.ZipFile(os.path.join(mojo_dir, fn))
    info, cols, doms, sec = {}, [], {}, None
    for l in z.read("model.ini").decode().splitlines():
        l = l.strip()
        if not l or l.startswith("#"): continue
        if l in ("[info]", "[columns]", "[domains]"): sec = l; continue
        if sec == "[info]":
            k, v = [x.strip() for x in l.split("=", 1)]; info[k] = v
        elif sec == "[columns]": cols.append(l)
        else:
            ci, rest = l.split(":", 1); cnt, f = rest.strip().split(" ", 1)
            doms[int(ci)] = z.read("domains/" + f).decode().split("\n")[:int(cnt)]
    nf = int(info["n_features"])
    use_off = info.get("offset_column", "null") not in ("null", "")
    rows = []
    for r in body:
        vals = []
        for i in range(nf):
            v = r[header.index(cols[i])] if cols[i] in header else fill
            if i in doms:
                vals.append(str(doms[i].index(v)) if v in doms[i] else "NaN")
            else:
                vals.append(v if v else "NaN")
        rows.append(",".join(vals) + ";" + (r[header.index("off")] if use_off else "0"))
    n = nf
    edge = [["NaN"] * n, ["0"] * n, [str(-x) for x in range(n)], [str(x) for x in range(n + 1)], [str(x) for x in range(n - 1)]]
    for i in range(n - 1):
        edge.append([str(x * 1000) for x in range(i)] + ["NaN"] + [str(x) for x in range(i + 2, n)])
    for e in range(10, 201, 30):
        edge.append(["%de%d" % (x + 1, e) for x in range(n)])
    edge.append(["2.5"] * n)  # a non-integral level index
    for e in edge: rows.append(",".join(e) + ";0")
    open(os.path.join(out_dir, name + "_rows.csv"), "w").write("\n".join(rows) + "\n")
