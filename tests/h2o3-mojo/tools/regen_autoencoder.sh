#!/bin/sh
# Regenerates the Deep Learning autoencoder fixtures (tests/data/mojoland/fresh_algos/ae_*) with
# H2O-3 3.46.0.11. H2O=<dir with venv/ and h2o.jar> (default ~/.cache/scorehost/h2o),
# PORT=<H2O port> (default 54351), WORK=<scratch dir> (default /tmp/autoencoder), DEST=<output dir>.
set -eu
H2O=${H2O:-$HOME/.cache/scorehost/h2o}
PORT=${PORT:-54351}
WORK=${WORK:-/tmp/autoencoder}
TOOLS=$(cd "$(dirname "$0")" && pwd)
DEST=${DEST:-$TOOLS/../../data/mojoland/fresh_algos}
mkdir -p "$WORK/mojos" "$WORK/out" "$WORK/classes" "$DEST"
"$H2O/venv/bin/python" "$TOOLS/train_autoencoder.py" "$WORK/mojos" "$PORT"
python3 "$TOOLS/gen_rows.py" "$WORK/mojos" "$WORK/out" "$WORK/mojos/ae_data.csv" ae_
javac -cp "$H2O/h2o.jar" -d "$WORK/classes" "$TOOLS/Score0.java"
for m in "$WORK"/mojos/ae_*.mojo; do
  n=$(basename "$m" .mojo)
  java -cp "$H2O/h2o.jar:$WORK/classes" Score0 "$m" "$WORK/out/${n}_rows.csv" --no-offset > "$WORK/out/${n}_scores.txt"
  # PredictCsv's reconstruction (not committed: it equals H2O's in-cluster predict bit for bit).
  java -cp "$H2O/h2o.jar" hex.genmodel.tools.PredictCsv --mojo "$m" --input "$WORK/mojos/ae_data.csv" \
    --output "$WORK/out/${n}_predictcsv.csv" --decimal
  cp "$m" "$WORK/out/${n}_rows.csv" "$WORK/out/${n}_scores.txt" "$DEST/"
  head -n 101 "$WORK/mojos/${n}_h2o.csv" > "$DEST/${n}_h2o.csv"  # header + the first 100 rows
done
cp "$WORK/mojos/ae_data.csv" "$DEST/ae_data.csv"
