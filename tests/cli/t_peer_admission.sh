# Independent models (tools/peer/, SimPy): the waiting room (gate, capacity, patience) and the
# payment timeout agree with ordersim within the sum of the two 95% half-widths, 20
# replications each, fixed seeds (so the verdict is reproducible).
. tests/cli/lib.sh
PY=/usr/bin/python3
$PY -c 'import simpy' 2>/dev/null || fail "python3-simpy3 is not installed (make deps)"
"$BIN" run tests/peer/waiting_room.json --replications 20 --json --no-report --db "$T/w.db" > "$T/w.json"
$PY tools/peer/waiting_room.py 12 10 15 5 600 60 20 > "$T/wp.json"
$PY tools/peer/agree.py "$T/w.json" "$T/wp.json" admitted=metrics.orders_created:nonzero \
    left=metrics.customers_left_waiting_room:nonzero shed=metrics.customers_shed:nonzero \
    wait_mean=stations.waiting_room.wait_mean:nonzero || fail "the waiting room disagrees with its SimPy model"
"$BIN" run tests/peer/payment_timeout.json --replications 20 --json --no-report --db "$T/p.db" > "$T/p.json"
$PY tools/peer/payment_timeout.py 2 3 2 3 2000 100 20 > "$T/pp.json"
$PY tools/peer/agree.py "$T/p.json" "$T/pp.json" paid=metrics.orders_paid:nonzero timed_out=metrics.payments_timed_out:nonzero \
    wait_mean=stations.payment.wait_mean:nonzero || fail "the payment timeout disagrees with its SimPy model"
echo "ok: the waiting room and the payment timeout agree with their independent models"
