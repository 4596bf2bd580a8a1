# Synthetic data for the MOJO benchmark: 10 numeric features, a 20-level and a 200-level
# categorical, a binary response. `make_data.py DIR TRAIN_ROWS SCORE_ROWS` writes
#   DIR/train.csv (model training) and DIR/score.csv (the rows every harness scores).
import math, os, random, sys
out, n_train, n_score = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
os.makedirs(out, exist_ok=True)
random.seed(7)
small = ["s%02d" % i for i in range(20)]
large = ["L%03d" % i for i in range(200)]
effect = {l: random.gauss(0, 0.7) for l in large}
header = ["x%d" % i for i in range(10)] + ["cs", "cl", "y"]

def rows(n):
    for i in range(n):
        x = [random.gauss(0, 1) for _ in range(10)]
        cs, cl = random.choice(small), random.choice(large)
        eta = 0.8 * x[0] - 0.5 * x[1] + 0.3 * x[2] * x[3] + math.sin(2 * x[4]) + effect[cl] + (int(cs[1:]) % 4) * 0.2
        y = "1" if random.random() < 1 / (1 + math.exp(-eta)) else "0"
        cells = ["%.5f" % v for v in x] + [cs, cl, y]
        if i % 53 == 7: cells[0] = ""       # some missing values, as real data has
        if i % 61 == 3: cells[11] = ""
        yield ",".join(cells)

for name, n in (("train.csv", n_train), ("score.csv", n_score)):
    with open(os.path.join(out, name), "w") as f:
        f.write(",".join(header) + "\n")
        for line in rows(n):
            f.write(line + "\n")
