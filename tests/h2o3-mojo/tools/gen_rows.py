import csv, zipfile, sys, os, math
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
    z = zipfile.ZipFile(os.path.join(mojo_dir, fn))
    ini = z.read("model.ini").decode().splitlines()
    info, cols, doms, sec = {}, [], {}, None
    for l in ini:
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
    rows = []
    for r in body:
        vals = []
        for i in range(nf):
            v = r[header.index(cols[i])]
            if i in doms:
                vals.append(str(doms[i].index(v)) if v in doms[i] else "NaN")
            else:
                vals.append(v if v else "NaN")
        rows.append(",".join(vals) + ";" + (r[off_idx] if off_idx is not None else "0"))
    n = nf
    edge = [["NaN"] * n, ["0"] * n, [str(-x) for x in range(n)], [str(x) for x in range(n + 1)], [str(x) for x in range(n - 1)]]
    for i in range(n - 1):
        edge.append([str(x * 1000) for x in range(i)] + ["NaN"] + [str(x) for x in range(i + 2, n)])
    for e in range(10, 201, 10):
        edge.append(["%de%d" % (x + 1, e) for x in range(n)])
    edge.append(["2.5"] * n)  # a non-integral level index
    for e in edge: rows.append(",".join(e) + ";0.25")
    open(os.path.join(out_dir, name + "_rows.csv"), "w").write("\n".join(rows) + "\n")
