# Sweeps as an architect uses them: --slo (any metric or station figure) answers the highest
# load that meets it, interpolated between the points that bracket it; bad SLOs are bad input
# (65); a sweep of a non-load parameter is a parameter study; warmup is stored as run; sweep
# ids are unique per invocation and per strategy; a shard run twice is merged once.
. tests/cli/lib.sh
S="$ROOT/scenarios/capacity.json"
short="--set horizon=3m --set warmup=30s"

# The documented command that used to crash (exit 139) on any --slo.
expect_rc 0 "$BIN" sweep "$S" --param customers.arrivals.rate=40:80:20 --slo 'order_to_pay_p95<600' $short --db "$T/a.db" --no-report
grep -q "^SLO order_to_pay_p95 < 600 holds at every point" "$T/last.out" || { cat "$T/last.out"; fail "no SLO finding"; }

# A station response figure: the answer lies between the bracketing points, where the line
# through them crosses 2 s (hand-checked from the table's own offered and slo columns).
expect_rc 0 "$BIN" sweep "$S" --param customers.arrivals.rate=50:90:10 --slo 'stations.order_service.response_p95<2' $short --db "$T/a.db" --no-report
f=$(grep "^SLO stations.order_service.response_p95 < 2: highest load meeting it about" "$T/last.out") || { cat "$T/last.out"; fail "no interpolated SLO load"; }
got=$(echo "$f" | sed 's/.*about \([0-9.]*\) customers\/s.*/\1/')
a=$(echo "$f" | sed 's/.*between point \([0-9]*\) .*/\1/')
b=$(echo "$f" | sed 's/.* and point \([0-9]*\) .*/\1/')
[ "$b" -eq $((a + 1)) ] || fail "bracketing points $a and $b are not adjacent"
row() { awk -v p="$1" '$1 == p { for (i = 4; i <= NF; i++) if ($i == "ok" || $i == "FAIL") print $3, $(i-1), $i }' "$T/last.out"; }
set -- $(row "$a") $(row "$b")
[ "$3" = ok ] && [ "$6" = FAIL ] || fail "point $a should meet the SLO and point $b fail it: $*"
awk -v xa="$1" -v va="$2" -v xb="$4" -v vb="$5" -v got="$got" 'BEGIN {
  want = xa + (2 - va) * (xb - xa) / (vb - va); d = want - got; if (d < 0) d = -d
  printf "SLO load %s customers/s; by hand %.4f from (%s, %s) and (%s, %s)\n", got, want, xa, va, xb, vb
  exit !(d < 0.01 * want && got > xa && got < xb) }' || fail "interpolation does not match the hand computation"
grep -q "saturation: point $b " "$T/last.out" || fail "the knee should be where the SLO first fails (point $b)"

# --metric in a load sweep adds a column (not silently ignored).
expect_rc 0 "$BIN" sweep "$S" --param customers.arrivals.rate=40 $short --metric stations.payment.response_mean --db "$T/a.db" --no-report
grep -q "locked stations.payment.response_mean" "$T/last.out" || { cat "$T/last.out"; fail "--metric column missing in a load sweep"; }

# Bad SLOs and figures are bad input, with the column of the mistake.
expect_rc 65 "$BIN" sweep "$S" --param customers.arrivals.rate=50:60:10 --slo 'stations.order_servic.response_p95<2' --db "$T/a.db" --no-report
grep -q "column 10: unknown station \"order_servic\" (did you mean \"order_service\"?)" "$T/last.err" || { cat "$T/last.err"; fail "no positioned message"; }
expect_rc 65 "$BIN" sweep "$S" --param customers.arrivals.rate=50:60:10 --slo 'stations.payment.respnse_p95<2' --db "$T/a.db" --no-report
grep -q "column 18: unknown station figure" "$T/last.err" || { cat "$T/last.err"; fail "no positioned message"; }
expect_rc 65 "$BIN" sweep "$S" --param inventory.order_expiry=5m,10m --metric stations.warehouse.nope --db "$T/a.db" --no-report
expect_rc 65 "$BIN" run "$S" --set 'thresholds={"stations.order_servic.response_p95": "< 2"}' --db "$T/a.db" --no-report
grep -q "unknown station \"order_servic\"" "$T/last.err" || { cat "$T/last.err"; fail "a threshold on an unknown station must be refused"; }
# A station response figure works as a threshold too (check fails on it, exit 1).
expect_rc 1 "$BIN" check "$S" $short --set 'thresholds={"stations.order_service.response_p95": "< 0.01"}' --db "$T/a.db" --no-report
grep -q "stations.order_service.response_p95 .* FAIL" "$T/last.out" || { cat "$T/last.out"; fail "threshold row missing"; }

# ... and as a baseline figure: one order-service server fewer slows its responses.
"$BIN" run "$S" $short --db "$T/a.db" --no-report --json > "$T/base.json"
expect_rc 0 "$BIN" check "$S" $short --db "$T/a.db" --no-report --baseline "$T/base.json"
expect_rc 1 "$BIN" check "$S" $short --db "$T/a.db" --no-report --baseline "$T/base.json" --set stations.order_service.servers=5
grep -q "^stations.order_service.response_mean .*REGRESSED" "$T/last.out" || { cat "$T/last.out"; fail "station response not compared with the baseline"; }
expect_rc 2 "$BIN" check "$S" $short --db "$T/a.db" --no-report --baseline "$T/base.json" --tolerance 'stations.order_servic.response_p95=10%'
grep -q "did you mean \"order_service\"" "$T/last.err" || fail "no hint for a misspelt station in --tolerance"

# A non-load parameter: a parameter study, never a knee or a bottleneck.
F="$ROOT/scenarios/flash_sale.json"
expect_rc 0 "$BIN" sweep "$F" --param inventory.order_expiry=30m,10m --metric locked_stock_mean --metric stations.order_service.response_mean \
  --db "$T/a.db" --out "$T/study"
grep -q "(parameter study)" "$T/last.out" || fail "not a parameter study"
! grep -Eq "^(saturation|bottleneck|analytic bound)" "$T/last.out" || { cat "$T/last.out"; fail "a parameter study printed load findings"; }
grep -q "stations.order_service.response_mean" "$T/last.out" || fail "chosen figure missing from the table"
[ -s "$T/study/study_1.svg" ] && [ -s "$T/study/study_2.svg" ] || fail "parameter study charts missing"
! grep -q "^note: no metric moved" "$T/last.out" || fail "a study that moved figures said nothing moved"
# A parameter that changes nothing here (no customer is malicious, so the bot limit is never
# reached) is said to have changed nothing, in the table and in the report's warnings.
expect_rc 0 "$BIN" sweep "$F" --param risk.max_unpaid_orders_per_user=5,9 --set customers.max_customers=300 \
  --db "$T/a.db" --out "$T/inert"
grep -q "^note: no metric moved: all 2 points gave the same results (to 9 significant digits)" "$T/last.out" || { cat "$T/last.out"; fail "no note for a sweep that moved nothing"; }
grep -q "warning:.*sweep: no metric moved" "$T/inert/report.md" || fail "the report does not warn that the sweep moved nothing"

# Warmup stored as run: report --sweep shows the same offered loads as the live sweep.
expect_rc 0 "$BIN" sweep "$S" --param customers.arrivals.rate=40,80 $short --db "$T/w.db" --no-report
awk '/^[0-9]+ +customers/ { print $1, $3 }' "$T/last.out" > "$T/live.txt"
id=$(sqlite3 "$T/w.db" "SELECT DISTINCT batch FROM runs")
[ "$(sqlite3 "$T/w.db" "SELECT DISTINCT warmup FROM runs")" = 30.0 ] || fail "warmup not stored as run"
expect_rc 0 "$BIN" report --sweep "$id" --db "$T/w.db" --no-report
awk '/^[0-9]+ +customers/ { print $1, $3 }' "$T/last.out" > "$T/rebuilt.txt"
[ -s "$T/live.txt" ] && cmp "$T/live.txt" "$T/rebuilt.txt" || fail "offered loads of the rebuilt report differ from the live sweep"

# Sweep ids: distinct per --strategy and per invocation.
for st in reduce_on_order reduce_on_payment reduce_on_order; do
  "$BIN" sweep "$S" --param customers.arrivals.rate=40 $short --strategy $st --db "$T/ids.db" --no-report --quiet
done
[ "$(sqlite3 "$T/ids.db" "SELECT count(DISTINCT batch) FROM runs")" = 3 ] || fail "sweep ids are shared"
sqlite3 "$T/ids.db" "SELECT batch FROM runs WHERE strategy = 'reduce_on_payment'" | grep -q "^sweep-rop-" || fail "the id does not name the strategy"
for st in reduce_on_order reduce_on_payment; do
  "$BIN" sweep "$S" --param customers.arrivals.rate=40,60 $short --strategy $st --shard 1/2 --db "$T/sh_$st.db" --no-report --quiet
done
[ "$(sqlite3 "$T/sh_reduce_on_order.db" "SELECT batch FROM runs")" != "$(sqlite3 "$T/sh_reduce_on_payment.db" "SELECT batch FROM runs")" ] \
  || fail "sharded sweeps that differ only in --strategy share an id"

# A shard run twice (a cluster retry): merged once, with a note; the report counts it once.
P="--param customers.arrivals.rate=40,60 --replications 2"
"$BIN" sweep "$S" $P $short --shard 1/2 --db "$T/s1.db" --no-report --quiet
"$BIN" sweep "$S" $P $short --shard 1/2 --db "$T/s1again.db" --no-report --quiet
"$BIN" sweep "$S" $P $short --shard 2/2 --db "$T/s2.db" --no-report --quiet
expect_rc 0 "$BIN" merge "$T/m.db" "$T/s1.db" "$T/s1again.db" "$T/s2.db"
grep -q "note: .*s1again.db: 2 sweep runs skipped: the same sweep point and replication were already merged" "$T/last.err" \
  || { cat "$T/last.out" "$T/last.err"; fail "no note about the duplicate shard"; }
[ "$(sqlite3 "$T/m.db" "SELECT count(*) FROM runs")" = 4 ] || fail "duplicates were merged"
# ... and a shard re-run into the same file: report --sweep keeps one and says so.
for k in 1 2 1; do "$BIN" sweep "$S" $P $short --shard $k/2 --db "$T/one.db" --no-report --quiet; done
id=$(sqlite3 "$T/s1.db" "SELECT DISTINCT batch FROM runs")
[ "$(sqlite3 "$T/one.db" "SELECT count(*) FROM runs WHERE batch = '$id'")" = 6 ] || fail "expected 6 runs, 2 of them duplicates"
expect_rc 0 "$BIN" report --sweep "$id" --db "$T/one.db" --no-report
grep -q "replication 0 was recorded more than once" "$T/last.err" || { cat "$T/last.err"; fail "no note about the duplicate"; }
grep -q "2 points x 2 replications" "$T/last.out" || { cat "$T/last.out"; fail "duplicates counted as replications"; }
# A load sweep reads its points as increasing loads and its SLO as an upper bound: a list out
# of order or a lower-bound SLO would turn the capacity answer upside down, so both are refused
# before any run (nothing is written).
expect_rc 2 "$BIN" sweep "$S" --param customers.arrivals.rate=100,80,60,40 --slo 'stations.order_service.response_p95<2' --db "$T/order.db"
grep -q "a load sweep lists its loads in ascending order (found 100 then 80)" "$T/last.err" || fail "descending loads accepted"
expect_rc 65 "$BIN" sweep "$S" --param customers.arrivals.rate=40:100:20 --slo 'throughput_paid_per_s>50' --db "$T/order.db"
grep -q "in a load sweep the SLO is an upper bound (< or <=)" "$T/last.err" || fail "a lower-bound SLO accepted in a load sweep"
[ ! -e "$T/order.db" ] || fail "a refused sweep wrote its DB"
echo ok
