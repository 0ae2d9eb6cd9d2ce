# Fault windows in reports: a run's charts shade each fault window, labelled, and drop the
# shading for the latency chart (its x axis is not time); a run without faults has none.
. tests/cli/lib.sh
cat > "$T/f.json" <<'JSON'
{"name": "f", "horizon": "10m", "catalog": [{"sku": "a", "stock": 100, "price": 10}],
 "customers": {"arrivals": {"rate": 2}, "segments": [{"name": "g", "share": 1, "pay_probability": 1}]},
 "payment": {"delay": {"dist": "const", "value": 2}, "timeout": "30s"},
 "faults": [{"target": "payment", "at": "2m", "duration": "3m"},
            {"target": "payment", "at": "6m", "duration": "1m", "kind": "slow", "factor": 2}]}
JSON
expect_rc 0 "$BIN" run "$T/f.json" --out "$T/r" --db "$T/f.db" --quiet
gp="$T/r/charts.gp"
[ -f "$gp" ] || fail "no charts.gp"
grep -q "^set object 1 rect from 2, graph 0 to 5, graph 1 behind" "$gp" || fail "the outage window is not shaded"
grep -q "^set label 1 'payment outage'" "$gp" || fail "the outage window is not labelled"
grep -q "^set label 2 'payment slow x2'" "$gp" || fail "the slow window is not labelled"
grep -q "^unset object" "$gp" || fail "the latency chart keeps the shading"
expect_rc 0 "$BIN" run "$T/f.json" --out "$T/r0" --db "$T/f.db" --quiet --set 'faults=[{"target":"payment","at":"20m","duration":"1m"}]'
grep -q "warning: faults\[0\]: starts at 20 min, not before the horizon (10 min): it never happens" "$T/last.err" || fail "no warning for a fault after the horizon"
grep -q "set object" "$T/r0/charts.gp" && fail "a fault after the horizon is shaded"
echo "ok: fault windows shaded in the charts"
