# What the score0 row generators (gen_rows.py, gen_rows_b.py, gen_dimred_rows.py) share: reading a
# MOJO's model.ini and writing data rows as the values genmodel's score0 takes.
import zipfile


def read_mojo(path):
    """(info, cols, doms) of the MOJO at `path`: model.ini's [info] keys, its [columns] and, per
    categorical column index, the levels of its domains/ file."""
    z = zipfile.ZipFile(path)
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
    return info, cols, doms


def score0_values(r, header, cols, doms, nf, missing=None):
    """The first nf MOJO columns of data row r (a csv row under `header`) as score0 strings:
    categoricals as level indices (an unseen level is NaN), numbers as written (empty is NaN). A
    column the data lacks is an error, or takes the value `missing` when that is given."""
    vals = []
    for i in range(nf):
        v = r[header.index(cols[i])] if missing is None or cols[i] in header else missing
        if i in doms: vals.append(str(doms[i].index(v)) if v in doms[i] else "NaN")
        else: vals.append(v if v else "NaN")
    return vals


def edge_rows(n, exponent_step):
    """Edge rows of n values: all missing, zeros, negatives, one value too many and too few, a NaN
    at each position, huge values 1e10.. by `exponent_step` up to 1e200, a non-integral level."""
    edge = [["NaN"] * n, ["0"] * n, [str(-x) for x in range(n)], [str(x) for x in range(n + 1)], [str(x) for x in range(n - 1)]]
    for i in range(n - 1):
        edge.append([str(x * 1000) for x in range(i)] + ["NaN"] + [str(x) for x in range(i + 2, n)])
    for e in range(10, 201, exponent_step):
        edge.append(["%de%d" % (x + 1, e) for x in range(n)])
    edge.append(["2.5"] * n)  # a non-integral level index
    return edge
