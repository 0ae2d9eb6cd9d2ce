# The row-lock stock store against an independent SimPy model (tools/peer/row_lock.py,
# Debian's python3-simpy3 under /usr/bin/python3): two SKUs of limited stock, exponential
# holds, one connection for both rows and a timeout, so that queueing, the connection cap,
# timeouts and stock-outs all happen. 20 replications each (independent seeds: the two
# share no random numbers); every figure must agree within the combined 95% half-widths
# sqrt(h1^2 + h2^2).
. tests/cli/lib.sh
PY=/usr/bin/python3
$PY -c "import simpy" 2>/dev/null || fail "python3-simpy3 is missing (make deps installs it)"
cat > "$T/peer.json" <<'JSON'
{ "name": "peer_row_lock", "horizon": "60s", "seed": 11,
  "catalog": [ { "sku": "a", "stock": 5000, "price": 1.0, "demand_weight": 0.7 },
               { "sku": "b", "stock": 2000, "price": 1.0, "demand_weight": 0.3 } ],
  "inventory": { "strategy": "reduce_on_order", "order_expiry": "10h",
                 "store": { "kind": "row_lock", "hold": { "dist": "exp", "mean": "8ms" }, "connections": 1, "timeout": "30ms" } },
  "customers": { "arrivals": { "rate": 150 }, "segments": [ { "name": "g", "share": 1, "pay_probability": 0 } ] } }
JSON
expect_rc 0 "$BIN" run "$T/peer.json" --replications 20 --json --no-report --db "$T/p.db"
cp "$T/last.out" "$T/ordersim.json"
$PY "$ROOT/tools/peer/row_lock.py" --rate 150 --horizon 60 --stock 5000,2000 --weights 0.7,0.3 --hold-dist exp \
  --hold-mean 0.008 --connections 1 --timeout 0.03 --reps 20 --seed 1 > "$T/peer.jsonl" || fail "the peer model failed"
$PY - "$T/ordersim.json" "$T/peer.jsonl" <<'PY' || fail "ordersim and the SimPy peer disagree"
import json, math, statistics, sys
d = json.load(open(sys.argv[1]))
rows = [json.loads(l) for l in open(sys.argv[2])]
t95 = 2.093  # Student t, 19 degrees of freedom
m, c = d["metrics"], d["ci95"]
inv, invc = d["stations"]["inventory"], d["stations_ci95"]["inventory"]
ours = {"created": (m["orders_created"], c["orders_created"]),
        "stockout": (m["orders_rejected_stockout"], c["orders_rejected_stockout"]),
        "timed_out": (m["requests_timed_out"], c["requests_timed_out"]),
        "wait_mean": (inv["wait_mean"], invc["wait_mean"]),
        "utilization": (inv["utilization"], invc["utilization"])}
bad = 0
for k, (a, ha) in ours.items():
    xs = [r[k] for r in rows]
    b = statistics.mean(xs)
    hb = t95 * statistics.stdev(xs) / math.sqrt(len(xs))
    tol = math.hypot(ha, hb)
    ok = abs(a - b) <= tol
    print("%-12s ordersim %.6g +/- %.3g  peer %.6g +/- %.3g  %s" % (k, a, ha, b, hb, "ok" if ok else "DISAGREE"))
    bad += not ok
assert m["requests_timed_out"] > 0 and m["orders_rejected_stockout"] > 0, "the case must exercise timeouts and stock-outs"
sys.exit(1 if bad else 0)
PY
echo ok
