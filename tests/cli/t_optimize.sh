# optimize on problems whose answer is known: the shortest expiry above a constant think time,
# the cheapest server count meeting a wait SLO (Erlang C), an apparent best whose constraint
# is not shown at 95% (never chosen); the run budget counted in the DB; resume after a budget
# stop and after kill -9 ends as an uninterrupted optimize; shards + merge + resume.
. tests/cli/lib.sh
json_get() { sed -n "s/^  \"$1\": \\(.*\\),\$/\\1/p" "$2"; }        # a top-level JSON scalar
params_of() { sed -n "s/^    {\"index\": $1, \"params\": \"\\([^\"]*\\)\".*/\\1/p" "$2"; }
runs_in() { sqlite3 "$1" "SELECT count(*) FROM runs WHERE batch = '$2' AND status = 'complete'"; }

# 1. Genuine buyers think exactly 60 s, then pay at once; bots order and never pay. An expiry
#    at or below 60 s expires every genuine order (the expiry fires first on a tie); above it,
#    every genuine order is paid, and the stock bots lock grows with the expiry. So the
#    expiry that locks the least stock while serving the genuine buyers is the first grid
#    value above 60 s: 65 s on 40:90:5.
cat > "$T/expiry.json" <<'EOF'
{"name": "expiry_opt", "seed": 5, "horizon": "10m",
 "catalog": [{"sku": "a", "stock": 100000, "price": 10}],
 "inventory": {"strategy": "reduce_on_order", "order_expiry": "15m"},
 "customers": {"arrivals": {"process": "deterministic", "rate": 1},
   "segments": [{"name": "genuine", "share": 0.5, "pay_probability": 1.0, "think_time": {"dist": "const", "value": 60}},
                {"name": "bots", "share": 0.5, "malicious": true, "pay_probability": 0.0}]},
 "payment": {"delay": {"dist": "const", "value": 0}}}
EOF
E0="$T/expiry.json --param inventory.order_expiry=40:90:5 --objective min:locked_stock_mean --subject-to genuine_orders_served>=250 --replications 4"
E="$E0 --no-report"
"$BIN" optimize $E --db "$T/e.db" --json > "$T/e.json"
best=$(json_get best "$T/e.json")
want=$(awk 'BEGIN { for (x = 40; x <= 90; x += 5) if (x > 60) { print x; exit } }')
[ "$(params_of "$best" "$T/e.json")" = "inventory.order_expiry=$want" ] || { cat "$T/e.json" >&2; fail "best expiry is not $want s"; }
for i in 0 1 2 3 4; do   # 40..60 s: every genuine order expires, shown broken
  grep -q "\"index\": $i, .*\"state\": \"infeasible\"" "$T/e.json" || fail "expiry candidate $i should be infeasible"
done
echo "expiry: best inventory.order_expiry=$want s (think time 60 s)"
# The answer does not depend on the number of threads.
"$BIN" optimize $E --db "$T/e2.db" --json --jobs 2 > "$T/e2.json"
grep -v optimize_id "$T/e.json" > "$T/x"; grep -v optimize_id "$T/e2.json" > "$T/y"
cmp "$T/x" "$T/y" || fail "--jobs 2 changed the answer"

# 2. M/M/c: 40 arrivals/s, exponential service of mean 0.1 s (a = 4 erlangs). Erlang C:
#    Wq(c) = C(c, a) / (c mu - lambda): c=5 0.0554 s, c=6 0.0142 s, c=7 0.0045 s; c=4 is
#    unstable. The cheapest c with Wq < 0.03 s is 6; computed below, not assumed.
cat > "$T/mmc.json" <<'EOF'
{"name": "mmc_opt", "seed": 3, "horizon": "300s", "warmup": "30s",
 "catalog": [{"sku": "a", "stock": 1000000000, "price": 1}], "inventory": {"order_expiry": "1s"},
 "customers": {"arrivals": {"rate": 40}, "segments": [{"name": "g", "share": 1, "pay_probability": 0}]},
 "stations": {"order_service": {"servers": 8, "service": {"dist": "exp", "mean": 0.1}}}}
EOF
erlang=$(awk -v l=40 -v mu=10 -v slo=0.03 'BEGIN {
  a = l / mu
  for (c = 4; c <= 10; c++) {
    if (c <= a) continue
    b = 1; for (k = 1; k <= c; k++) b = a * b / (k + a * b)   # Erlang B
    rho = a / c; pc = b / (1 - rho + rho * b)                 # Erlang C
    wq = pc / (c * mu - l)
    if (wq < slo) { print c; exit }
  } }')
[ "$erlang" = 6 ] || fail "Erlang C computation gives $erlang"
M="$T/mmc.json --param stations.order_service.servers=4:10:1 --objective min:stations.order_service.servers --no-report"
"$BIN" optimize $M --subject-to 'stations.order_service.wait_mean < 0.03' --replications 8 --db "$T/m.db" --json > "$T/m.json"
best=$(json_get best "$T/m.json")
[ "$(params_of "$best" "$T/m.json")" = "stations.order_service.servers=$erlang" ] || { cat "$T/m.json" >&2; fail "not the Erlang C answer $erlang"; }
echo "M/M/c: cheapest server count meeting Wq < 0.03 s is $erlang (Erlang C)"

# 3. The apparent best: with a 0.07 s SLO and 3 replications, c=5's mean wait (0.061 s)
#    meets the SLO and 5 servers is the cheapest such mean, but its 95% upper bound (0.079 s)
#    does not: it must not be chosen; 6 servers (upper bound 0.016 s) is.
"$BIN" optimize $M --subject-to 'stations.order_service.wait_mean < 0.07' --replications 3 --db "$T/m3.db" --json > "$T/m3.json"
line=$(grep -A1 '"index": 1,' "$T/m3.json" | tr -d '\n')
mean=$(echo "$line" | sed -n 's/.*"stations.order_service.wait_mean", "mean": \([0-9.e-]*\), "ci95": \([0-9.e-]*\).*/\1 \2/p')
awk -v m="${mean% *}" -v h="${mean#* }" 'BEGIN { exit !(m < 0.07 && m + h >= 0.07) }' \
  || fail "the test premise broke: candidate 1 (5 servers) should have mean < 0.07 <= upper bound ($mean)"
best=$(json_get best "$T/m3.json")
[ "$(params_of "$best" "$T/m3.json")" = "stations.order_service.servers=6" ] || { cat "$T/m3.json" >&2; fail "chose a candidate not shown feasible"; }
echo "$line" | grep -q '"feasible": null' || fail "5 servers should be 'feasibility not shown'"
"$BIN" optimize $M --subject-to 'stations.order_service.wait_mean < 0.07' --replications 3 --db "$T/m3.db" > "$T/m3.txt"
grep -q "#1 stations.order_service.servers=5: left out, feasibility not shown" "$T/m3.txt" || { cat "$T/m3.txt" >&2; fail "text does not say why 5 servers was left out"; }
echo "apparent best (5 servers, mean within the SLO, upper bound not) not chosen"

# 4. The run budget: 11 candidates, at most 25 runs; the DB holds no more.
"$BIN" optimize $E --db "$T/b.db" --budget 25 --json > "$T/b1.json"
id=$(json_get optimize_id "$T/b1.json" | tr -d '"')
n=$(runs_in "$T/b.db" "$id")
[ "$n" -le 25 ] && [ "$n" = "$(json_get runs "$T/b1.json")" ] || fail "budget 25: $n runs in the DB"
expect_rc 2 "$BIN" optimize $E --db "$T/b.db" --budget 21
grep -q "cannot give 11 candidates the 2 replications" "$T/last.err" || fail "a budget below 2 per candidate must be refused"
echo "budget 25: $n runs recorded"

# A time budget is checked between looks: 1 ms lets the first look run and no other.
"$BIN" optimize $E --db "$T/t.db" --budget 0.001s --json > "$T/t.json"
[ "$(json_get looks "$T/t.json")" = 1 ] && json_get stopped "$T/t.json" | grep -q "time budget" || { cat "$T/t.json" >&2; fail "time budget not honoured"; }
# Bad figures are bad input (65) with the position; a malformed objective is usage (2).
expect_rc 65 "$BIN" optimize $E --db "$T/t.db" --objective max:nosuch
grep -q "column 5: unknown metric" "$T/last.err" || fail "no position for a bad objective"
expect_rc 65 "$BIN" optimize $E --db "$T/t.db" --subject-to 'stations.order_servic.wait_mean < 1'
grep -q 'did you mean "order_service"' "$T/last.err" || fail "no suggestion for a misspelt station"
expect_rc 2 "$BIN" optimize $E --db "$T/t.db" --subject-to 'locked_stock_mean == 1'
expect_rc 2 "$BIN" optimize "$T/expiry.json" --param inventory.order_expiry=40:90:5 --objective locked_stock_mean

# 5. Resume: extend the budget to 60; the answer equals a fresh optimize with budget 60, and
#    the DB never holds more than 60 runs of the id. A second resume runs nothing.
"$BIN" optimize $E --db "$T/b.db" --budget 60 --resume "$id" --json > "$T/b2.json"
n=$(runs_in "$T/b.db" "$id")
[ "$n" -le 60 ] && [ "$n" = "$(json_get runs "$T/b2.json")" ] || fail "budget 60 after resume: $n runs in the DB"
"$BIN" optimize $E --db "$T/fresh.db" --budget 60 --json > "$T/f.json"
grep -v optimize_id "$T/b2.json" > "$T/x" ; grep -v optimize_id "$T/f.json" > "$T/y"
cmp "$T/x" "$T/y" || { diff "$T/x" "$T/y" >&2; fail "resumed optimize differs from an uninterrupted one"; }
"$BIN" optimize $E0 --db "$T/b.db" --budget 60 --resume "$id" --out "$T/rebuilt" > "$T/b3.txt"
grep -q "ran 0 runs in this invocation" "$T/b3.txt" || fail "a finished optimize resumed should run nothing"
[ "$(runs_in "$T/b.db" "$id")" = "$n" ] || fail "a rebuild added runs"
grep -q "locked_stock_mean against inventory.order_expiry" "$T/rebuilt/report.md" || fail "report lacks the objective against the parameter"
[ "$(grep -c '<circle' "$T/rebuilt/report.html")" = 11 ] || fail "report.html should chart the 11 candidates"
! command -v python3 > /dev/null || python3 -c 'import sys, xml.dom.minidom as m; s = open(sys.argv[1]).read(); m.parseString(s[s.index("<svg"):s.index("</svg>") + 6])' "$T/rebuilt/report.html" \
  || fail "report.html's chart is not well-formed SVG"
(cd "$T" && "$BIN" report --optimize "$id" --db "$T/b.db" --json --out "$T/rep") > "$T/b4.json"
cmp "$T/b2.json" "$T/b4.json" || { diff "$T/b2.json" "$T/b4.json" >&2; fail "report --optimize differs from the optimize it rebuilds"; }
[ "$(runs_in "$T/b.db" "$id")" = "$n" ] && [ -s "$T/rep/report.md" ] || fail "report --optimize ran something or wrote no report"
expect_rc 2 "$BIN" report --optimize opt-nosuchid --db "$T/b.db"
expect_rc 2 "$BIN" optimize $E --db "$T/b.db" --resume "$id" --replications 8
grep -q "started with other arguments" "$T/last.err" || fail "resume with other arguments must be refused"
echo "resume: budget 25 then 60 equals a fresh budget 60 ($n runs)"

# 6. kill -9 in the middle, then resume: the same answer as uninterrupted.
"$BIN" optimize $E --db "$T/k.db" --json > "$T/k0.json" 2>/dev/null &
pid=$!
i=0
while [ "$(sqlite3 "$T/k.db" "SELECT count(*) FROM runs WHERE status = 'complete'" 2>/dev/null || echo 0)" -lt 12 ] && [ $i -lt 400 ]; do
  sleep 0.05; i=$((i + 1))
done
kill -9 "$pid" 2>/dev/null || fail "the optimize finished before it could be killed"
wait "$pid" 2>/dev/null || true
kid=$(sqlite3 "$T/k.db" "SELECT DISTINCT batch FROM runs")
"$BIN" optimize $E --db "$T/k.db" --resume "$kid" --json > "$T/k1.json"
"$BIN" optimize $E --db "$T/k2.db" --json > "$T/k2.json"
grep -v optimize_id "$T/k1.json" > "$T/x" ; grep -v optimize_id "$T/k2.json" > "$T/y"
cmp "$T/x" "$T/y" || { diff "$T/x" "$T/y" >&2; fail "killed and resumed optimize differs from an uninterrupted one"; }
echo "kill -9 then --resume: same answer"

# 7. Shards of the first look, merged, then resumed: the same answer as unsharded.
for k in 1 2; do "$BIN" optimize $E --db "$T/s$k.db" --shard $k/2 --quiet; done
"$BIN" merge "$T/s.db" "$T/s1.db" "$T/s2.db" --quiet
sid=$(sqlite3 "$T/s.db" "SELECT DISTINCT batch FROM runs")
"$BIN" optimize $E --db "$T/s.db" --resume "$sid" --json > "$T/s.json"
grep -v optimize_id "$T/s.json" > "$T/x"
cmp "$T/x" "$T/y" || { diff "$T/x" "$T/y" >&2; fail "sharded optimize differs from an unsharded one"; }
"$BIN" report --optimize "$sid" --db "$T/s.db" --json > "$T/s2.json"
cmp "$T/s.json" "$T/s2.json" || fail "report --optimize on the merged DB differs"
echo "shards 2 + merge + resume: same answer"

# 8. Two objectives: a Pareto front; --strategy all only for optimize.
"$BIN" optimize "$T/expiry.json" --param inventory.order_expiry=50:80:10 --objective max:genuine_orders_served \
  --objective min:locked_stock_mean --replications 3 --db "$T/p.db" --no-report --json > "$T/p.json"
grep -q '"front": \[0, 2\]' "$T/p.json" || { cat "$T/p.json" >&2; fail "the front should be 50 s (least locked) and 70 s (most served)"; }
expect_rc 2 "$BIN" run "$T/expiry.json" --strategy all --db "$T/r.db"
# 9. One cost estimate for the whole optimize (candidates x --replications, cut by --budget
# or a shard's share of the first look), refused above the limits before anything runs
# (timeout: a guard in case the refusal breaks; each would run for hours).
B10="$ROOT/scenarios/bench/steady_10m.json"
Q="--param customers.arrivals.rate=1000:100000:1000 --objective max:orders_paid --no-report"
expect_rc 65 timeout 60 "$BIN" optimize "$B10" $Q --db "$T/c.db"
grep -q "steady_10m.json: this invocation would make 3200 runs (replications x strategies, over 100 scenario points)" "$T/last.err" \
  || { cat "$T/last.err" >&2; fail "optimize: 100 candidates x 32 replications not estimated as one"; }
expect_rc 65 timeout 60 "$BIN" optimize "$B10" $Q --budget 1000 --db "$T/c.db"
grep -q "would make 1000 runs" "$T/last.err" || { cat "$T/last.err" >&2; fail "optimize: the estimate ignores --budget"; }
[ ! -e "$T/c.db" ] || [ "$(sqlite3 "$T/c.db" "SELECT count(*) FROM runs")" = 0 ] || fail "a refused optimize recorded runs"
echo ok
