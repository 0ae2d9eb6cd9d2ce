# Capacity sweeps: the knee lies within one step of the analytic bound, and a sweep sharded
# three ways through GNU parallel, then merged, equals the unsharded sweep metric for metric.
. tests/cli/lib.sh
command -v parallel > /dev/null || fail "GNU parallel is missing (make deps installs it)"
S="$ROOT/scenarios/capacity.json"
short="--set horizon=4m --set warmup=30s"
"$BIN" sweep "$S" --param customers.arrivals.rate=10:150:10 $short --db "$T/k.db" --out "$T/k" --jobs 2 > "$T/k.txt"
knee=$(sed -n 's/^saturation: point [0-9]* (customers.arrivals.rate=\([0-9.]*\)).*/\1/p' "$T/k.txt")
bound=$(sed -n 's/^  bound: \([0-9.]*\) customers\/s (order_service)/\1/p' "$T/k.txt")
[ -n "$knee" ] && [ -n "$bound" ] || { cat "$T/k.txt" >&2; fail "no knee or bound found"; }
awk -v k="$knee" -v b="$bound" 'BEGIN { d = k - b; if (d < 0) d = -d; exit !(d <= 10) }' \
  || fail "knee at $knee customers/s is more than one step (10) from the bound $bound"
echo "knee at $knee customers/s, analytic bound $bound customers/s: within one step (10)"
grep -q "bottleneck: order_service" "$T/k.txt" || fail "bottleneck should be order_service"
[ -s "$T/k/throughput.png" ] && [ -s "$T/k/latency_p95.png" ] && [ -s "$T/k/utilization.png" ] || fail "capacity charts missing"
# payment's response p95 is order-to-pay p95 here (no think time): one line named for both,
# not one line hidden under the other
grep -q "title 'order-to-pay p95 = payment response p95'" "$T/k/charts.gp" && ! grep -q "title 'payment response p95'" "$T/k/charts.gp" \
  || fail "coinciding p95 lines not merged in the latency chart"
grep -q "title 'order_service response p95'" "$T/k/charts.gp" || fail "order_service response p95 missing from the latency chart"

P="--param customers.arrivals.rate=20:140:40 --param payment.servers=100,400 --replications 2"
"$BIN" sweep "$S" $P $short --db "$T/full.db" --out "$T/full" --quiet
parallel --will-cite --halt now,fail=1 "$BIN" sweep "$S" $P $short --db "$T/shard{}.db" --shard {}/3 --quiet --no-report ::: 1 2 3
"$BIN" merge "$T/merged.db" "$T/shard1.db" "$T/shard2.db" "$T/shard3.db" --quiet
# (the unsharded sweep's id has a random part; the shards share a deterministic one)
q="SELECT r.sweep_point, r.sweep_params, r.replication, r.seed, r.warmup, m.name, quote(m.value) FROM runs r JOIN metrics m ON m.run_id = r.id ORDER BY 1, 3, 6"
sqlite3 "$T/full.db" "$q" > "$T/full.txt"
sqlite3 "$T/merged.db" "$q" > "$T/merged.txt"
[ "$(wc -l < "$T/full.txt")" -gt 500 ] || fail "too few metric rows compared"
cmp "$T/full.txt" "$T/merged.txt" || fail "merged shards differ from the unsharded sweep"
q="SELECT r.sweep_point, r.replication, s.station, quote(s.utilization), quote(s.wait_p95) FROM runs r JOIN stations s ON s.run_id = r.id ORDER BY 1, 2, 3"
[ "$(sqlite3 "$T/full.db" "$q")" = "$(sqlite3 "$T/merged.db" "$q")" ] || fail "station figures differ"
id=$(sqlite3 "$T/merged.db" "SELECT DISTINCT batch FROM runs")
full_id=$(sqlite3 "$T/full.db" "SELECT DISTINCT batch FROM runs")
[ "$id" != "$full_id" ] || fail "an unsharded sweep must get an id of its own"
"$BIN" report --sweep "$id" --db "$T/merged.db" --out "$T/rep" > "$T/rep.txt"
sed -n '/^point/,$p' "$T/rep.txt" | grep -v '^report:' > "$T/a"
"$BIN" report --sweep "$full_id" --db "$T/full.db" --out "$T/rep2" > "$T/rep2.txt"
sed -n '/^point/,$p' "$T/rep2.txt" | grep -v '^report:' > "$T/b"
[ -s "$T/a" ] && cmp "$T/a" "$T/b" || fail "the capacity reports differ"
[ -s "$T/rep/study_1.svg" ] || fail "report --sweep drew no charts"
grep -q "^parameter study" "$T/rep.txt" || fail "a grid with payment.servers is a parameter study"
echo ok
