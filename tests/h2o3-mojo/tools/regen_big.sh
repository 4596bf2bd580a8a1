#!/bin/sh
# Regenerates the issue-4/5 fixtures in tests/data/mojoland/fresh: big_* (>1000-level and
# >32-level categoricals, > 64 KiB subtrees, 1000+ trees) and shap_* (TreeSHAP references).
# Needs Java 17 and the h2o 3.46.0.11 venv + h2o.jar described in README.md (H2O=<dir>).
set -eu
H2O=${H2O:-$HOME/.cache/scorehost/h2o}
TOOLS=$(cd "$(dirname "$0")" && pwd)
DEST=$TOOLS/../../data/mojoland/fresh
W=${WORK:-/tmp/big}
mkdir -p "$W/cls" "$W/out"
cp "$DEST/fresh.csv" "$W/"
python3 "$TOOLS/make_data_big.py" "$W"
"$H2O/venv/bin/python" "$TOOLS/train_big.py" "$W" "$W/mojos"
python3 "$TOOLS/gen_rows.py" "$W/mojos" "$W/out" "$W/big_test.csv" big_
python3 "$TOOLS/gen_rows.py" "$W/mojos" "$W/out" "$W/fresh.csv" shap_
javac -cp "$H2O/h2o.jar" -d "$W/cls" "$TOOLS/Score0.java" "$TOOLS/Contrib.java"
for m in "$W"/mojos/*.mojo; do
  n=$(basename "$m" .mojo)
  java -cp "$H2O/h2o.jar:$W/cls" Score0 "$m" "$W/out/${n}_rows.csv" > "$W/out/${n}_scores.txt"
  # genmodel's TreeSHAP on the MOJO, to cross-check H2O's in-cluster predict_contributions.
  java -cp "$H2O/h2o.jar:$W/cls" Contrib "$m" "$W/out/${n}_rows.csv" > "$W/out/${n}_genmodel_contrib.txt"
  cp "$m" "$W/out/"
  [ -f "$W/mojos/${n}_contrib.csv" ] && cp "$W/mojos/${n}_contrib.csv" "$W/out/"
  [ -f "$W/mojos/${n}_contrib_error.txt" ] && cp "$W/mojos/${n}_contrib_error.txt" "$W/out/"
done
# Whole-file references for the end-to-end test (scorehost score vs PredictCsv).
for n in big_gbm_cat1200 big_drf_cat1200; do
  java -cp "$H2O/h2o.jar" hex.genmodel.tools.PredictCsv --mojo "$W/mojos/$n.mojo" --input "$W/big_test.csv" \
    --output "$W/out/${n}_predictcsv.csv" --decimal
done
cp "$W/big_test.csv" "$W/out/"
echo "fixtures in $W/out; copy them to $DEST"
