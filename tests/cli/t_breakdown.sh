# Breakdowns per segment, SKU, promotion and payment channel: in --json, in the results DB
# (and back through `report`), in the reports (a table only when it has more than one row),
# and through `merge`. docs/metrics.md, "Breakdowns".
. tests/cli/lib.sh
S="$ROOT/scenarios/apparel_returns.json"
small="--set horizon=2h --seed 3"
# shellcheck disable=SC2086
"$BIN" run "$S" $small --db "$T/r.db" --out "$T/rep" --json > "$T/run.json" 2> "$T/run.err"
for k in by_segment by_sku by_promotion by_channel; do
  grep -q "^  \"$k\": {" "$T/run.json" || fail "--json lacks $k"
done
grep -q '^    "default": {"orders_created": ' "$T/run.json" || fail "by_channel has no default row"
# each breakdown adds up to the total: orders_paid by segment, units_sold by SKU
command -v python3 > /dev/null && { python3 - "$T/run.json" <<'PY' || fail "a breakdown does not add up in --json"; }
import json, sys
j = json.load(open(sys.argv[1]))
m = j["metrics"]
assert sum(r["orders_paid"] for r in j["by_segment"].values()) == m["orders_paid"]
assert sum(r["units_sold"] for r in j["by_sku"].values()) == m["units_sold"]
assert abs(sum(r["revenue"] for r in j["by_sku"].values()) - m["revenue"]) < 0.01
assert abs(sum(r["discount_total"] for r in j["by_promotion"].values()) - m["discount_total"]) < 0.01
assert list(j["by_channel"]) == ["default"]
PY
# the DB holds the same cells
db_units=$(sqlite3 "$T/r.db" "SELECT sum(value) FROM breakdowns WHERE run_id = 1 AND dimension = 'sku' AND name = 'units_sold'")
total=$(sqlite3 "$T/r.db" "SELECT value FROM metrics WHERE run_id = 1 AND name = 'units_sold'")
[ "$db_units" = "$total" ] || fail "DB: units_sold by SKU $db_units, total $total"
[ "$(sqlite3 "$T/r.db" "SELECT group_concat(key, ',') FROM (SELECT DISTINCT row, key FROM breakdowns WHERE run_id = 1 AND dimension = 'sku' ORDER BY row)")" = "dress,coat,scarf" ] ||
  fail "DB: SKU rows not in catalog order"
# reports: three SKUs -> a table; one segment and one channel -> no table
grep -q "^## Breakdowns" "$T/rep/report.md" || fail "report.md has no Breakdowns section"
grep -q "^| by SKU | unit | dress | coat | scarf |" "$T/rep/report.md" || fail "report.md has no SKU table"
grep -q "^| by segment" "$T/rep/report.md" && fail "a one-row breakdown (segment) got a table"
grep -q "^| by payment channel" "$T/rep/report.md" && fail "a one-row breakdown (channel) got a table"
# rebuilt from the DB: the same table
"$BIN" report 1 --db "$T/r.db" --out "$T/rebuilt" --quiet
sed -n '/^## Breakdowns/,/^## /p' "$T/rep/report.md" > "$T/a.md"
sed -n '/^## Breakdowns/,/^## /p' "$T/rebuilt/report.md" > "$T/b.md"
[ -s "$T/a.md" ] || fail "no breakdowns to compare"
diff "$T/a.md" "$T/b.md" >&2 || fail "the report rebuilt from the DB shows other breakdowns"
# merge copies them
"$BIN" merge "$T/m.db" "$T/r.db" --quiet
[ "$(sqlite3 "$T/m.db" "SELECT count(*) FROM breakdowns")" = "$(sqlite3 "$T/r.db" "SELECT count(*) FROM breakdowns")" ] ||
  fail "merge lost breakdown rows"
# a doctored file: a row number far out of range is a message and exit 65, not an allocation
cp "$T/r.db" "$T/bad.db"
sqlite3 "$T/bad.db" "INSERT INTO breakdowns VALUES (1, 'segment', 2000000000, 'x', 'customers', 1)"
expect_rc 65 "$BIN" report 1 --db "$T/bad.db" --out "$T/bad" --quiet
grep -q "breakdowns row 2000000000 (by_segment) is outside 0..4095" "$T/last.err" || fail "no message for a bad breakdown row"
# two segments: a segment table; compare shows a column per strategy and segment
B="$ROOT/scenarios/bot_attack.json"
"$BIN" compare "$B" --set horizon=10m --db "$T/c.db" --out "$T/cmp" --quiet 2> /dev/null || true
grep -q "^| by segment | unit | reduce_on_order: genuine | reduce_on_order: scalpers |" "$T/cmp/report.md" ||
  { grep "by segment" "$T/cmp/report.md" >&2; fail "compare report lacks the per-strategy segment table"; }
echo ok
