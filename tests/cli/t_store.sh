# The stock store (inventory.store): a sweep over the kind runs every point (keys of another
# kind are ignored with a warning, not refused), the inventory station and its per-SKU rows
# reach --json, thresholds and the report, and the warnings where a setting cannot matter.
. tests/cli/lib.sh
S="$T/hot.json"
cat > "$S" <<'JSON'
{ "name": "hot", "horizon": "60s", "seed": 1,
  "catalog": [ { "sku": "hot", "stock": 500, "price": 10.0 }, { "sku": "cold", "stock": 500, "price": 5.0 } ],
  "inventory": { "strategy": "reduce_on_order",
                 "store": { "hold": { "dist": "const", "value": "5ms" }, "timeout": "100ms" } },
  "customers": { "arrivals": { "rate": 150 },
                 "segments": [ { "name": "g", "share": 1, "pay_probability": 0.5, "think_time": { "dist": "const", "value": "10s" } } ] },
  "payment": { "delay": { "dist": "const", "value": "2s" } }
}
JSON

# instant with row_lock keys: valid, each ignored key warned about
expect_rc 0 "$BIN" validate "$S"
grep -Fq 'warning: inventory.store.hold: ignored: the store'"'"'s kind is "instant" (this key applies to row_lock, buckets, cache)' "$T/last.err" \
  || fail "hold under instant is not warned about"
grep -Fq 'warning: inventory.store.timeout: ignored' "$T/last.err" || fail "timeout under instant is not warned about"
# a timeout beyond the horizon cannot matter
expect_rc 0 "$BIN" validate "$S" --set inventory.store.kind=row_lock --set inventory.store.timeout=2m
grep -Fq 'warning: inventory.store.timeout: an operation cannot wait 2 min before the horizon (1 min): it never times out' "$T/last.err" \
  || { cat "$T/last.err"; fail "a timeout beyond the horizon is not warned about"; }

# a sweep over the kind runs every point
expect_rc 0 "$BIN" sweep "$S" --param inventory.store.kind=instant,row_lock --db "$T/s.db" --out "$T/sw" --quiet --json
n=$(sqlite3 "$T/s.db" "SELECT COUNT(DISTINCT sweep_point) FROM runs")
[ "$n" = 2 ] || fail "sweep over the store's kind ran $n points, expected 2"
sqlite3 "$T/s.db" "SELECT COUNT(*) FROM metrics WHERE name = 'stations.inventory.skus.hot.utilization'" | grep -qx 1 \
  || fail "the row_lock point has no per-SKU row in the DB"
# a figure of a station only some points have (the instant point has no inventory) is accepted
expect_rc 0 "$BIN" sweep "$S" --param inventory.store.kind=instant,row_lock --metric stations.inventory.utilization_peak \
  --db "$T/s2.db" --no-report
grep -q "stations.inventory.utilization_peak" "$T/last.out" || fail "the sweep table lacks the inventory's figure"

# run --json: the inventory station with a row per SKU; the hot SKU is busier
expect_rc 0 "$BIN" run "$S" --set inventory.store.kind=row_lock --json --db "$T/r.db" --no-report
python3 - "$T/last.out" <<'PY' || fail "inventory station figures"
import json, sys
d = json.load(open(sys.argv[1]))
inv = d["stations"]["inventory"]
assert inv["servers"] if "servers" in inv else True
skus = inv["skus"]
assert set(skus) == {"hot", "cold"}, skus
assert 0 < inv["utilization"] < 1, inv
# 150 requests/s at 5 ms on two rows: utilization about (150 x 0.005 + releases) / 2
assert abs(skus["hot"]["utilization"] + skus["cold"]["utilization"] - 2 * inv["utilization"]) < 1e-9
assert d["invariants"]["ok"]
PY
# a threshold on a SKU's row: check gates on it
expect_rc 1 "$BIN" check "$S" --set inventory.store.kind=row_lock --set 'thresholds={"stations.inventory.skus.hot.utilization": "< 0.01"}' \
  --db "$T/c.db" --quiet
expect_rc 0 "$BIN" check "$S" --set inventory.store.kind=row_lock --set 'thresholds={"stations.inventory.skus.hot.wait_p99": "<= 0.1"}' \
  --db "$T/c.db" --quiet
# the report lists the SKU rows
expect_rc 0 "$BIN" run "$S" --set inventory.store.kind=row_lock --db "$T/r.db" --out "$T/rep" --quiet
grep -q "inventory.skus.hot" "$T/rep/report.md" || fail "the report has no per-SKU row"
echo ok
