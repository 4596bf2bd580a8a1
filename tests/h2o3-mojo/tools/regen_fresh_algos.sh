#!/bin/sh
# Regenerates tests/data/mojoland/fresh_algos (Stacked Ensemble, K-Means, Uplift DRF, Target Encoder)
# with H2O-3 3.46.0.11. H2O=<dir with venv/ and h2o.jar> (default ~/.cache/scorehost/h2o),
# PORT=<H2O port> (default 54321), WORK=<scratch dir> (default /tmp/fresh-algos), DEST=<output dir>.
set -eu
H2O=${H2O:-$HOME/.cache/scorehost/h2o}
PORT=${PORT:-54321}
WORK=${WORK:-/tmp/fresh-algos}
TOOLS=$(cd "$(dirname "$0")" && pwd)
DEST=${DEST:-$TOOLS/../../data/mojoland/fresh_algos}
mkdir -p "$WORK/mojos" "$WORK/out" "$WORK/classes" "$DEST"
sed "s#/tmp/fresh/fresh.csv#$WORK/fresh.csv#" "$TOOLS/make_data.py" > "$WORK/make_data.py"
python3 "$WORK/make_data.py"
"$H2O/venv/bin/python" "$TOOLS/train_fresh_algos.py" "$WORK/fresh.csv" "$WORK/mojos" "$PORT"
python3 "$TOOLS/gen_rows.py" "$WORK/mojos" "$WORK/out" "$WORK/fresh.csv" se_
python3 "$TOOLS/gen_rows.py" "$WORK/mojos" "$WORK/out" "$WORK/fresh.csv" km_
python3 "$TOOLS/gen_rows.py" "$WORK/mojos" "$WORK/out" "$WORK/fresh.csv" te_
python3 "$TOOLS/gen_rows.py" "$WORK/mojos" "$WORK/out" "$WORK/mojos/uplift.csv" uplift_
javac -cp "$H2O/h2o.jar" -d "$WORK/classes" "$TOOLS/Score0.java"
for m in "$WORK"/mojos/*.mojo; do
  n=$(basename "$m" .mojo)
  java -cp "$H2O/h2o.jar:$WORK/classes" Score0 "$m" "$WORK/out/${n}_rows.csv" --no-offset > "$WORK/out/${n}_scores.txt"
  cp "$m" "$WORK/out/${n}_rows.csv" "$WORK/out/${n}_scores.txt" "$DEST/"
done
cp "$WORK"/mojos/te_*_transform.csv "$DEST/"
cp "$WORK/mojos/uplift.csv" "$DEST/data.csv"
