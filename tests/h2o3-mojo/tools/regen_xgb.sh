#!/bin/sh
# Regenerates the XGBoost fixtures: tests/data/mojoland/fresh/{shap_xgb_*,xgb_*offset*} (H2O's
# in-cluster predict_contributions, Java's score0) and tests/data/h2o-genmodel/xgboost (genmodel's
# test MOJOs scored by genmodel 3.46.0.11). Needs Java 17 and the h2o 3.46.0.11 venv + h2o.jar
# described in README.md (H2O=<dir>), and the h2o-3 fixtures copy (FIXTURES=<dir>).
set -eu
H2O=${H2O:-$HOME/.cache/scorehost/h2o}
FIXTURES=${FIXTURES:-/work/shared/fixtures/h2o-genmodel}
TOOLS=$(cd "$(dirname "$0")" && pwd)
FRESH=$TOOLS/../../data/mojoland/fresh
GM=$TOOLS/../../data/h2o-genmodel/xgboost
W=${WORK:-/tmp/xgb}
mkdir -p "$W/cls" "$W/out" "$W/gm"
"$H2O/venv/bin/python" "$TOOLS/train_xgb.py" "$FRESH/fresh.csv" "$W/mojos" "${PORT:-54321}"
python3 "$TOOLS/gen_rows.py" "$W/mojos" "$W/out" "$FRESH/fresh.csv" shap_xgb
python3 "$TOOLS/gen_rows.py" "$W/mojos" "$W/out" "$FRESH/fresh.csv" xgb_
# Models trained without an offset column refuse a non-zero offset (Java throws): score them
# with offset 0 so that the rows test the numbers.
for f in "$W"/out/shap_xgb_*_rows.csv; do sed -i 's/;.*$/;0/' "$f"; done
javac -cp "$H2O/h2o.jar" -d "$W/cls" "$TOOLS/Score0.java" "$TOOLS/Contrib.java"
for m in "$W"/mojos/*.mojo; do
  n=$(basename "$m" .mojo)
  java -cp "$H2O/h2o.jar:$W/cls" Score0 "$m" "$W/out/${n}_rows.csv" > "$W/out/${n}_scores.txt"
  # genmodel's MOJO-side TreeSHAP: equal to the in-cluster predict_contributions on every value
  # (checked when the fixtures were made; only the latter is committed).
  java -cp "$H2O/h2o.jar:$W/cls" Contrib "$m" "$W/out/${n}_rows.csv" > "$W/out/${n}_genmodel_contrib.txt"
  cp "$m" "$W/out/"
  for s in _contrib.csv _contrib_compact.csv _contrib_error.txt; do
    [ -f "$W/mojos/$n$s" ] && cp "$W/mojos/$n$s" "$W/out/"
  done
done
# h2o-genmodel's XGBoost test MOJOs: synthetic rows (+ the rows of XGBoostJavaMojoModelTest).
SRC=$FIXTURES/h2o-genmodel-extensions/xgboost/src/test/resources/hex/genmodel/algos/xgboost
for z in xgboost xgboost_java XGBoostWithOffset XGBoostWithoutOffset; do
  cp "$SRC/$z.zip" "$W/gm/"
  python3 "$TOOLS/gen_synthetic_rows.py" "$W/gm/$z.zip" "$W/gm/${z}_rows.csv" 60
done
printf '0,1.0,5.0;0.1\n1,2.0,4.0;0.2\n0,3.0,3.0;0.3\n0,1.0,5.0;0\n1,2.0,4.0;0\n0,3.0,3.0;0\n' >> "$W/gm/XGBoostWithOffset_rows.csv"
printf '0,1.0,5.0;0\n1,2.0,4.0;0\n0,3.0,3.0;0\n' >> "$W/gm/XGBoostWithoutOffset_rows.csv"
for z in xgboost xgboost_java XGBoostWithOffset XGBoostWithoutOffset; do
  java -cp "$H2O/h2o.jar:$W/cls" Score0 "$W/gm/$z.zip" "$W/gm/${z}_rows.csv" > "$W/gm/${z}_scores.txt"
  [ "$z" = xgboost ] || java -cp "$H2O/h2o.jar:$W/cls" Contrib "$W/gm/$z.zip" "$W/gm/${z}_rows.csv" > "$W/gm/${z}_genmodel_contrib.txt"
done
echo "fixtures in $W/out (copy to $FRESH, without *_genmodel_contrib.txt) and $W/gm (copy to $GM)"
