#!/usr/bin/env python3
"""Trains the bundled example model: logistic regression of "is Iris-virginica" on the four iris
measurements, by batch gradient descent with a small L2 penalty (standard library only, so it runs
anywhere), and writes it in the example-linear plugin's text format.

    python3 train_iris.py iris.csv > iris-virginica.linear
"""
import csv
import math
import sys
import uuid


def main(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    names = ["Sepal.Length", "Sepal.Width", "Petal.Length", "Petal.Width"]
    x = [[float(r[n]) for n in names] for r in rows]
    y = [1.0 if r["Species"] == "Iris-virginica" else 0.0 for r in rows]
    means = [sum(col) / len(col) for col in zip(*x)]
    sds = [math.sqrt(sum((v - m) ** 2 for v in col) / len(col)) for col, m in zip(zip(*x), means)]
    z = [[(v - m) / s for v, m, s in zip(row, means, sds)] for row in x]  # standardise for stable steps

    w, b, lam, rate = [0.0] * len(names), 0.0, 1e-3, 0.5
    for _ in range(20000):
        gw, gb = [lam * wi for wi in w], 0.0
        for zi, yi in zip(z, y):
            p = 1.0 / (1.0 + math.exp(-(b + sum(a * c for a, c in zip(w, zi)))))
            for j, zij in enumerate(zi):
                gw[j] += (p - yi) * zij / len(z)
            gb += (p - yi) / len(z)
        w = [wi - rate * g for wi, g in zip(w, gw)]
        b -= rate * gb

    # Back to the original units: coef_j = w_j / sd_j, intercept = b - sum(w_j * mean_j / sd_j).
    coef = [wi / s for wi, s in zip(w, sds)]
    intercept = b - sum(c * m for c, m in zip(coef, means))
    out = sys.stdout
    out.write("# Example model for the example-linear plugin, written by train_iris.py from iris.csv.\n")
    out.write("scorehost-linear-model 1\n")
    out.write(f"id {uuid.uuid5(uuid.NAMESPACE_URL, 'scorehost/example/iris-virginica')}\n")
    out.write("kind logistic\ntarget Species\nlabels other Iris-virginica\n")
    out.write(f"intercept {intercept!r}\n")
    out.write("# feature <name> <coefficient> <mean: imputes missing values, Shapley baseline>\n")
    for n, c, m in zip(names, coef, means):
        out.write(f"feature {n} {c!r} {m!r}\n")


if __name__ == "__main__":
    main(sys.argv[1])
