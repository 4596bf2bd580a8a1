# Synthetic data for the "big" fixtures (issue 4): a >1000-level categorical, enough rows for
# very deep trees (> 64 KiB subtrees), and a small frame for 1000+ tree ensembles.
#   big_train.csv  20000 rows (training only, not committed)
#   big_test.csv     300 rows (committed: scoring input, with unseen levels and empty cells)
import csv, math, os, random, sys
out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/fresh"
os.makedirs(out, exist_ok=True)
random.seed(4242)
N_BIG = 1200                                        # > 1000 levels: bitsets of 150 bytes
big_levels = ["k%04d" % i for i in range(N_BIG)]
mid_levels = ["m%02d" % i for i in range(40)]        # > 32 levels
effect = {l: random.gauss(0, 1) for l in big_levels}  # per-level signal the trees must learn

def row(i, test):
    x1, x2, x3 = random.gauss(0, 1), random.uniform(-3, 3), random.expovariate(1)
    cb, cm = random.choice(big_levels), random.choice(mid_levels)
    eta = effect[cb] + 0.7 * x1 - 0.3 * x2 + 0.5 * math.sin(3 * x3) + (int(cm[1:]) % 5) * 0.2
    y = eta + random.gauss(0, 0.3)                       # noisy: min_rows=1 trees keep splitting
    ybin = "yes" if random.random() < 1 / (1 + math.exp(-eta)) else "no"
    r = dict(x1=round(x1, 5), x2=round(x2, 5), x3=round(x3, 5), cbig=cb, cmid=cm, y=round(y, 5), ybin=ybin)
    if i % 31 == 3: r["x1"] = ""
    if i % 37 == 5: r["cbig"] = ""
    if test and i % 41 == 7: r["cbig"] = "k9999"         # a level the model never saw
    if test and i % 43 == 9: r["cmid"] = "unseen"
    return r

for name, n, test in (("big_train.csv", 20000, False), ("big_test.csv", 300, True)):
    rows = [row(i, test) for i in range(n)]
    with open(os.path.join(out, name), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)
