# ordersim fit, run --orders-csv and trace replay: a round trip, bad logs, trace semantics.
. tests/cli/lib.sh
# metric FILE SECTION KEY: a number from a --json summary ("metrics" or "ci95").
metric() { awk -v sec="\"$2\":" -v key="\"$3\":" '$1 == sec { in_s = 1; next } in_s && $1 == key { v = $2; sub(/,$/, "", v); print v; exit } in_s && /^  }/ { in_s = 0 }' "$1"; }

expect_rc 0 "$BIN" fit --help
grep -q -- "--segment-by" "$T/last.out" || fail "fit --help lists its flags"
expect_rc 0 "$BIN" run --help
grep -q -- "--orders-csv" "$T/last.out" || fail "run --help lists --orders-csv"
expect_rc 2 "$BIN" fit "$T/none.csv"

# ---- round trip: a log written by run is fitted; the fit reproduces the metrics ----------
cat > "$T/shop.json" <<'JSON'
{"name": "rt_shop", "seed": 3, "horizon": "2d",
 "catalog": [{"sku": "a", "stock": 1000000, "price": 20}, {"sku": "b", "stock": 1000000, "price": 55, "demand_weight": 0.5}],
 "inventory": {"order_expiry": "12h"},
 "customers": {"arrivals": {"process": "poisson", "rate": 0.01,
   "schedule": [{"at": "0h", "rate": 0.005}, {"at": "8h", "rate": 0.03}, {"at": "20h", "rate": 0.01},
                {"at": "24h", "rate": 0.005}, {"at": "32h", "rate": 0.03}, {"at": "44h", "rate": 0.01}]},
   "segments": [{"name": "web", "share": 1, "pay_probability": 0.8, "cancel_probability": 0.06,
     "think_time": {"dist": "mixture", "components": [{"weight": 0.7, "median": "2m", "sigma": 0.5},
                                                       {"weight": 0.3, "median": "4h", "sigma": 0.4}]},
     "return_probability": 0.15, "return_delay": {"dist": "exp", "mean": "3h"}}]},
 "stations": {"warehouse": {"servers": 500, "service": {"dist": "lognormal", "median": "1h", "sigma": 0.5}}},
 "fulfilment": {"delivery": {"dist": "lognormal", "median": "5h", "sigma": 0.3}}}
JSON
expect_rc 0 "$BIN" run "$T/shop.json" --orders-csv "$T/log.csv" --db "$T/r.db" --no-report --json
created=$(metric "$T/last.out" metrics orders_created)
rows=$(($(wc -l < "$T/log.csv") - 1))
[ "$rows" = "$created" ] || fail "--orders-csv wrote $rows rows for $created orders"
head -1 "$T/log.csv" | grep -q '^order_id,customer_id,status,created_at,paid_at,cancelled_at,shipped_at,delivered_at,returned_at,sku,quantity,price,channel$' \
  || fail "--orders-csv header"
expect_rc 0 "$BIN" fit "$T/log.csv" -o "$T/fitted.json" --out "$T/rep"
grep -q 'think_time .*mixture' "$T/last.out" || { cat "$T/last.out"; fail "the two-mode think time is not fitted as a mixture"; }
for f in report.md report.html; do [ -s "$T/rep/$f" ] || fail "fit report $f missing"; done
for d in think_time warehouse.service fulfilment.delivery return_delay; do grep -q "| $d |" "$T/rep/report.md" || fail "report lacks $d"; done
if command -v gnuplot > /dev/null; then [ -s "$T/rep/fit_think_time.png" ] || fail "no CDF chart"; fi
expect_rc 0 "$BIN" validate --strict "$T/fitted.json"
[ ! -s "$T/last.err" ] || { cat "$T/last.err"; fail "validate printed something for the fitted scenario"; }
# The strict round trip. What "reproduces the original's metrics within their 95% intervals"
# means here: for each headline metric, the fitted scenario's mean lies inside the original's
# 95% interval (10 replications each). Both run with the same seeds (the simulator keys its
# random streams per decision, so the two draw the same customers' choices: common random
# numbers), which leaves the fit's own error as the difference. The fit reads a 28-day log
# of the same shop (the daily pattern repeated), so its estimates are about as precise as
# 14 two-day replications; a 2-day log (above) is as noisy as the interval itself.
awk 'BEGIN { s = ""; for (d = 0; d < 28; d++) s = s sprintf("%s{\"at\": \"%dh\", \"rate\": 0.005}, {\"at\": \"%dh\", \"rate\": 0.03}, {\"at\": \"%dh\", \"rate\": 0.01}", d ? ", " : "", 24 * d, 24 * d + 8, 24 * d + 20); print s }' > "$T/sched.txt"
awk -v s="$(cat "$T/sched.txt")" '/"schedule": \[/ { in_s = 1 } in_s && /\]\},$/ { print "   \"schedule\": [" s "]},"; in_s = 0; next } !in_s { sub(/"horizon": "2d"/, "\"horizon\": \"28d\""); print }' \
  "$T/shop.json" > "$T/shop28.json"
grep -q '"horizon": "28d"' "$T/shop28.json" && grep -q '"at": "668h"' "$T/shop28.json" || fail "the 28-day source scenario"
expect_rc 0 "$BIN" run "$T/shop28.json" --orders-csv "$T/log28.csv" --db "$T/r28.db" --no-report --quiet
expect_rc 0 "$BIN" fit "$T/log28.csv" -o "$T/fitted28.json" --horizon 2d --no-report
expect_rc 0 "$BIN" run "$T/shop.json" --seed 7 --replications 10 --jobs 2 --db "$T/r.db" --no-report --json
cp "$T/last.out" "$T/orig.json"
expect_rc 0 "$BIN" run "$T/fitted28.json" --seed 7 --replications 10 --jobs 2 --db "$T/r.db" --no-report --json
cp "$T/last.out" "$T/fit.json"
for k in orders_created orders_paid orders_expired orders_cancelled orders_returned revenue order_to_pay_p50 order_to_pay_p95 order_to_pay_p99; do
  a=$(metric "$T/orig.json" metrics $k); ha=$(metric "$T/orig.json" ci95 $k)
  b=$(metric "$T/fit.json" metrics $k)
  awk -v k=$k -v a="$a" -v b="$b" -v ha="$ha" 'BEGIN { d = b - a; printf "round trip: %-18s source %.1f +/- %.1f, fitted %.1f (%+.2f half-widths)\n", k, a, ha, b, (ha > 0 ? d / ha : 0)
    if (d < 0) d = -d; exit !(ha > 0 && d <= ha) }' || fail "round trip: $k source $a +/- $ha, fitted $b (outside the interval)"
done

# ---- a long public-style log (tools/public_log.py): two years, growth, weekly and daily ----
# cycles, five columns under their own names, times like 10/2/2017 10:56, rare unpaid orders
# with no closing time. It fits, validates, and one run of the fitted scenario reproduces
# the log: volume within 10%, paid share within 2 points, created -> paid p25/p50/p90
# within 25%, orders per hour of the day correlated >= 0.9. No expiry is made up.
pubmap="--map created_at=order_purchase_timestamp --map paid_at=order_approved_at --map shipped_at=order_delivered_carrier_date
  --map delivered_at=order_delivered_customer_date --map status=order_status --time-format %m/%d/%Y%t%H:%M"
python3 "$ROOT/tools/public_log.py" > "$T/pub.csv" || fail "tools/public_log.py"
python3 "$ROOT/tools/public_log.py" | cmp -s - "$T/pub.csv" || fail "tools/public_log.py is not deterministic"
grep -q '^[0-9a-f]*,c[0-9]*,delivered,1/1/2017 19:17,' "$T/pub.csv" || fail "the public-style log's time format"
expect_rc 0 "$BIN" fit "$T/pub.csv" -o "$T/pub.json" $pubmap --json --out "$T/pubrep"
cp "$T/last.out" "$T/pubfit.json"
expect_rc 0 "$BIN" validate --strict "$T/pub.json"
python3 - "$T/pubfit.json" "$T/pub.json" <<'PY' || fail "the public-style log's round trip"
import json, sys
f = json.load(open(sys.argv[1])); scn = json.load(open(sys.argv[2]))
rt = f["round_trip"]
def rel(k): return abs(rt[k]["simulated"] / rt[k]["log"] - 1)
checks = [("volume within 10%", rel("volume") <= 0.10),
          ("paid share within 2 points", abs(rt["paid_share"]["simulated"] - rt["paid_share"]["log"]) <= 0.02),
          ("created->paid p25 within 25%", rel("created_to_paid_p25") <= 0.25),
          ("created->paid p50 within 25%", rel("created_to_paid_p50") <= 0.25),
          ("created->paid p90 within 25%", rel("created_to_paid_p90") <= 0.25),
          ("hour-of-day correlation >= 0.9", rt["hour_of_day"]["correlation"] >= 0.9),
          ("the log's 4957 orders", f["log"]["orders"] == 4957 and rt["volume"]["log"] == 4957),
          ("the expiry is not inferred", not f["expiry"]["inferred"] and f["expiry"]["seconds"] == f["window"]["horizon_s"]),
          ("and says why", any(g["what"] == "inventory.order_expiry" and "closing time" in g["why"] for g in f["not_inferred"])),
          ("no order expires in the run", scn["inventory"]["order_expiry"] >= scn["horizon"]),
          ("growth: weekly levels", f["arrivals"]["level_h"] == 168 and f["arrivals"]["levels"] > 100 and "levels" in scn["customers"]["arrivals"]),
          ("the stated status 'canceled' counts", 0.005 < f["segments"][0]["cancel_probability"] < 0.03),
          ("a two-mode time to pay", f["delays"]["think_time"]["law"]["dist"] == "mixture"),
          ("KS of each family", set(f["delays"]["think_time"]["ks_of"]) >= {"exp", "lognormal", "mixture"})]
for name, ok in checks:
    print(("ok   " if ok else "FAIL ") + name)
for k in ("volume", "paid_share", "created_to_paid_p25", "created_to_paid_p50", "created_to_paid_p90"):
    print("round trip %-20s log %12.6g simulated %12.6g" % (k, rt[k]["log"], rt[k]["simulated"]))
print("round trip hour-of-day correlation %.4f" % rt["hour_of_day"]["correlation"])
sys.exit(0 if all(ok for _, ok in checks) else 1)
PY
grep -q "^## Round trip" "$T/pubrep/report.md" && grep -q "^| volume (orders created) | 4957 |" "$T/pubrep/report.md" || fail "the report's round trip"
grep -q "^- \*\*inventory.order_expiry\*\*: 0 unpaid orders have a closing time" "$T/pubrep/report.md" || fail "the report says why the expiry is not inferred"
# the busiest week: a 7-day scenario starting on a Monday, compared with that week of the log
expect_rc 0 "$BIN" fit "$T/pub.csv" -o "$T/pubw.json" $pubmap --horizon busiest-week --no-report
grep -q "round trip over the busiest week of the log (Monday 00:00 UTC onwards): 2018-1[0-2]-[0-9][0-9], [0-9]* orders" "$T/last.out" || { cat "$T/last.out"; fail "busiest week"; }
grep -q '"horizon":[[:space:]]*604800,' "$T/pubw.json" || fail "a week's horizon"
expect_rc 0 "$BIN" validate --strict "$T/pubw.json"
# --levels none: the profile alone; --period day: 24 weights
expect_rc 0 "$BIN" fit "$T/pub.csv" -o "$T/pubn.json" $pubmap --levels none --period day --no-report --quiet
! grep -q '"levels"' "$T/pubn.json" || fail "--levels none wrote levels"
expect_rc 2 "$BIN" fit "$T/pub.csv" -o "$T/x.json" --levels month
expect_rc 2 "$BIN" fit "$T/pub.csv" -o "$T/x.json" --horizon busiest-year

# ---- bad logs: positioned message, exit 65 ------------------------------------------------
printf 'created_at,sku\n2026-01-05T00:00:00Z,"tee\n2026-01-05T00:01:00Z,cap\n' > "$T/quote.csv"
expect_rc 65 "$BIN" fit "$T/quote.csv" -o "$T/x.json"
grep -q "quote.csv:2:22: unterminated quoted field" "$T/last.err" || { cat "$T/last.err"; fail "unbalanced quote"; }
printf 'created_at\n2026-01-05T00:00:00Z\n5 Jan 2026\n2026-13-01T00:00:00Z\n' > "$T/ts.csv"
expect_rc 65 "$BIN" fit "$T/ts.csv" -o "$T/x.json"
grep -q "ts.csv:3:1: created_at: found \"5 Jan 2026\", expected an ISO 8601 time" "$T/last.err" || { cat "$T/last.err"; fail "bad timestamp"; }
grep -q "ts.csv:4:1: created_at" "$T/last.err" || fail "second bad timestamp not listed"
grep -q "2 of 3 rows are bad" "$T/last.err" || fail "bad-row count"
: > "$T/empty.csv"
expect_rc 65 "$BIN" fit "$T/empty.csv" -o "$T/x.json"
grep -q "empty.csv:1:1: empty file" "$T/last.err" || fail "empty file"
printf 'order_id,paid_at\n1,2026-01-05T00:00:00Z\n' > "$T/nocreated.csv"
expect_rc 65 "$BIN" fit "$T/nocreated.csv" -o "$T/x.json"
grep -q 'nocreated.csv:1:1: no column "created_at"' "$T/last.err" || fail "no created_at"
[ ! -e "$T/x.json" ] || fail "a refused log wrote a scenario"
# A 2 GB line, streamed through a pipe: refused after the 1 MiB record limit, never read whole.
mkfifo "$T/huge.csv"
( { printf 'created_at\n'; head -c 2147483648 /dev/zero | tr '\0' x; } > "$T/huge.csv" 2>/dev/null || true ) &
expect_rc 65 "$BIN" fit "$T/huge.csv" -o "$T/x.json"
wait
grep -q "huge.csv:2:1048577: record longer than 1048576 bytes" "$T/last.err" || { cat "$T/last.err"; fail "huge line"; }
# Within --max-bad: skipped and counted; --max-bad 0 refuses.
{ echo 'ts;x' | tr ';' ','; i=0; while [ $i -lt 150 ]; do printf '05.01.2026 %02d:%02d,a\n' $((i / 60)) $((i % 60)); i=$((i + 1)); done; echo 'never,b'; } > "$T/fmt.csv"
expect_rc 0 "$BIN" fit "$T/fmt.csv" -o "$T/fmt.json" --map created_at=ts --time-format '%d.%m.%Y %H:%M' --no-report
grep -q "note: skipped .*fmt.csv:152:1: ts: found \"never\"" "$T/last.err" || { cat "$T/last.err"; fail "skipped row not reported"; }
expect_rc 0 "$BIN" validate "$T/fmt.json"
expect_rc 65 "$BIN" fit "$T/fmt.csv" -o "$T/fmt.json" --map created_at=ts --time-format '%d.%m.%Y %H:%M' --max-bad 0
expect_rc 2 "$BIN" fit "$T/fmt.csv" -o "$T/fmt.json" --max-bad 5

# ---- trace replay ------------------------------------------------------------------------
# c1 places three orders at once and never pays: with one unpaid order per user, two are blocked.
cat > "$T/trace.csv" <<'CSV'
id,when,customer,item,qty
1,2026-01-05T10:00:00Z,c1,b,2
2,2026-01-05T10:00:00Z,c1,a,1
3,2026-01-05T10:00:00Z,c1,a,1
4,2026-01-05T10:00:10Z,c2,b,3
5,2026-01-05T10:00:20Z,c3,a,4
CSV
cat > "$T/replay.json" <<'JSON'
{"name": "replay", "horizon": "1h",
 "catalog": [{"sku": "a", "stock": 100, "price": 20}, {"sku": "b", "stock": 100, "price": 55}],
 "risk": {"max_unpaid_orders_per_user": 1},
 "customers": {"arrivals": {"process": "trace", "file": "trace.csv", "column": "when", "speedup": 2,
                            "map": {"order_id": "id", "customer_id": "customer", "sku": "item", "quantity": "qty"}},
   "segments": [{"name": "all", "share": 1, "pay_probability": 1, "think_time": {"dist": "const", "value": 60}}]}}
JSON
expect_rc 0 "$BIN" validate "$T/replay.json"
expect_rc 0 "$BIN" run "$T/replay.json" --json --no-report --db "$T/r.db"
cp "$T/last.out" "$T/replay1.out"
[ "$(metric "$T/replay1.out" metrics customers)" = 5 ] || fail "trace: 5 arrivals"
[ "$(metric "$T/replay1.out" metrics orders_blocked_risk)" = 2 ] || fail "trace: the customer id must carry the per-user limit"
[ "$(metric "$T/replay1.out" metrics units_sold)" = 9 ] || fail "trace: SKUs and quantities as logged (2 + 3 + 4 units)"
[ "$(metric "$T/replay1.out" metrics revenue)" = 355 ] || fail "trace: b x2 + b x3 + a x4 = 110 + 165 + 80"
expect_rc 0 "$BIN" run "$T/replay.json" --json --no-report --db "$T/r.db"
strip_engine "$T/last.out" > "$T/a"; strip_engine "$T/replay1.out" > "$T/b"
cmp -s "$T/a" "$T/b" || fail "trace replay is not deterministic"
sed 's/"a", "stock"/"z", "stock"/' "$T/replay.json" > "$T/replay_bad.json"
expect_rc 65 "$BIN" validate "$T/replay_bad.json"
grep -q 'trace.csv:3: SKU "a" is not in the catalog' "$T/last.err" || { cat "$T/last.err"; fail "unknown SKU in a trace"; }
echo ok
