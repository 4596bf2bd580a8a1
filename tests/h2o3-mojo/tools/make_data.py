import random, math, csv
random.seed(2024)
levels_small = ["red", "green", "blue", "0", "1"]            # integer-like levels on purpose
levels_big = ["L%02d" % i for i in range(40)]               # > 32 levels: large bitsets
rows = []
for i in range(400):
    x1 = random.gauss(0, 1)
    x2 = random.uniform(-3, 3)
    c1 = random.choice(levels_small)
    c2 = random.choice(levels_big)
    off = random.uniform(-0.5, 0.5)
    eta = 0.6 * x1 - 0.4 * x2 + (0.8 if c1 in ("red", "1") else -0.3) + (int(c2[1:]) % 7) * 0.15 + off
    count = min(40, int(random.expovariate(1) * math.exp(eta * 0.5) * 3))
    pos = math.exp(0.3 * eta) * random.uniform(0.5, 1.5)
    tw = 0.0 if random.random() < 0.3 else pos
    binary = "yes" if random.random() < 1 / (1 + math.exp(-eta)) else "no"
    klass = random.choice(["a", "b", "c"]) if random.random() < 0.3 else ("a" if eta < -0.5 else "b" if eta < 0.7 else "c")
    ordinal = "low" if eta < -0.3 else "mid" if eta < 0.8 else "high"
    r = dict(x1=round(x1, 4), x2=round(x2, 4), c1=c1, c2=c2, off=round(off, 4), count=count, pos=round(pos, 5),
             tw=round(tw, 5), binary=binary, klass=klass, ordinal=ordinal)
    if i % 17 == 5: r["x1"] = ""
    if i % 23 == 7: r["c1"] = ""
    if i % 29 == 11: r["c2"] = ""
    rows.append(r)
with open("/tmp/fresh/fresh.csv", "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
    w.writeheader()
    w.writerows(rows)
