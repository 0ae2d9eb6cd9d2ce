# Process definitions that cannot break the core: every lint finding (with file:line:col and
# the states and transitions it names), the engine's loop guard (exit 65, the order's path,
# the run recorded as failed), the worked example of docs/processes.md, and views per role.
. tests/cli/lib.sh
# def NAME TRANSITION-LINES...: a definition over b2c-named states (stances inherited) plus
# the extra states in $EXTRA; each transition on its own line, from line 5 on.
def() {
  name=$1; shift
  {
    echo "{\"name\": \"$name\", \"states\": [\"pending_payment\", \"paid\", \"confirmed\", \"completed\", \"cancelled\"$EXTRA],"
    echo " \"initial\": \"pending_payment\", \"terminal\": [\"completed\", \"cancelled\"$TERM],"
    echo " \"transitions\": ["
    echo " {\"from\": \"pending_payment\", \"action\": \"cancel\", \"to\": \"cancelled\", \"actors\": [\"buyer\"]},"
    first=1
    for row in "$@"; do
      [ $first = 1 ] || echo ","
      printf ' %s' "$row"; first=0
    done
    echo "]}"
  } > "$T/$name.json"
}
EXTRA=""; TERM=""
PAY='{"from": "pending_payment", "action": "pay", "to": "paid", "actors": ["buyer"]}'
DONE='{"from": "paid", "action": "complete", "to": "completed", "actors": ["system"]}'
CONF='{"from": "confirmed", "action": "complete", "to": "completed", "actors": ["system"]}'

# A cycle of zero-duration timers: an error naming both rows and their positions.
def zero "$PAY" "$DONE" "$CONF" \
  '{"from": "paid", "action": "confirm", "to": "confirmed", "actors": ["system"], "after": "0s"}' \
  '{"from": "confirmed", "action": "return_reject", "to": "paid", "actors": ["system"], "after": 0}'
expect_rc 1 "$BIN" fsm "$T/zero.json"
grep -qF "$T/zero.json:8:2: cycle of zero-duration timers through \"paid\": an order would loop forever at one instant: paid --confirm--> confirmed after 0s ($T/zero.json:8:2), confirmed --return_reject--> paid after 0s ($T/zero.json:9:2)" "$T/last.err" \
  || { cat "$T/last.err"; fail "zero-timer cycle not named"; }
grep -q "lint: defects found" "$T/last.out" || fail "zero cycle: summary"
# ... and a scenario using it is refused before it runs.
sed "s|\"process\": \"pay_after_delivery.json\"|\"process\": \"$T/zero.json\"|" "$ROOT/scenarios/processes/pay_after_delivery_shop.json" > "$T/zero_shop.json"
expect_rc 65 "$BIN" run "$T/zero_shop.json" --no-report --db "$T/never.db"
grep -q "fails the linter" "$T/last.err" || fail "zero cycle: scenario not refused"

# A cycle of timers shorter than a second: a warning, not a refusal.
def fast "$PAY" "$DONE" "$CONF" \
  '{"from": "paid", "action": "confirm", "to": "confirmed", "actors": ["system"], "after": "200ms"}' \
  '{"from": "confirmed", "action": "return_reject", "to": "paid", "actors": ["system"], "after": "300ms"}'
expect_rc 0 "$BIN" fsm "$T/fast.json"
grep -qF "warning: $T/fast.json:8:2: cycle of timers through \"paid\" takes 0.5 s (< 1 s)" "$T/last.err" || { cat "$T/last.err"; fail "fast cycle warning"; }
grep -qF "paid --confirm--> confirmed after 0.2s ($T/fast.json:8:2), confirmed --return_reject--> paid after 0.3s ($T/fast.json:9:2)" "$T/last.err" || fail "fast cycle rows"
grep -q "lint: clean (1 warning, see stderr)" "$T/last.out" || fail "fast cycle: summary"

# A terminal state that keeps stock locked.
EXTRA=', {"name": "parked", "stock": "locked", "money": "none"}'; TERM=', "parked"'
def parked "$PAY" "$DONE" '{"from": "pending_payment", "action": "expire", "to": "parked", "actors": ["system"], "after": "15m"}'
expect_rc 1 "$BIN" fsm "$T/parked.json"
grep -qF "$T/parked.json:1:97: terminal state \"parked\" has stock stance \"locked\": an order ending there would keep its units locked forever" "$T/last.err" || { cat "$T/last.err"; fail "terminal locked"; }

# A timer on a state no order can occupy.
EXTRA=', {"name": "limbo", "stock": "locked", "money": "none"}'; TERM=""
def limbo "$PAY" "$DONE" '{"from": "limbo", "action": "expire", "to": "cancelled", "actors": ["system"], "after": "1h"}'
expect_rc 1 "$BIN" fsm "$T/limbo.json"
grep -qF "$T/limbo.json:7:2: timer limbo --expire--> cancelled after 3600s ($T/limbo.json:7:2) can never fire: no order can occupy \"limbo\" (it is unreachable from the initial state)" "$T/last.err" || { cat "$T/last.err"; fail "timer on unreachable state"; }

# Stances the engine cannot honour: pay that does not capture, money captured by another
# action, modify after payment, a state with no stance.
EXTRA=', "mystery"'; TERM=""
def stances '{"from": "pending_payment", "action": "pay", "to": "cancelled", "actors": ["buyer"]}' \
  '{"from": "pending_payment", "action": "confirm", "to": "paid", "actors": ["system"]}' \
  '{"from": "paid", "action": "modify", "to": "mystery", "actors": ["buyer"]}' \
  '{"from": "mystery", "action": "complete", "to": "completed", "actors": ["system"]}'
expect_rc 1 "$BIN" fsm "$T/stances.json"
grep -qF "$T/stances.json:5:2: pending_payment --pay--> cancelled ($T/stances.json:5:2): \"pay\" must enter a state whose money stance is \"captured\", \"cancelled\" has \"none\"" "$T/last.err" || { cat "$T/last.err"; fail "pay without capture"; }
grep -qF "$T/stances.json:6:2: pending_payment --confirm--> paid ($T/stances.json:6:2): money is captured only by \"pay\"" "$T/last.err" || fail "capture without pay"
grep -qF "$T/stances.json:7:2: paid --modify--> mystery ($T/stances.json:7:2): \"modify\" from \"paid\" (stock deducted, money captured)" "$T/last.err" || fail "modify after pay"
grep -qF "$T/stances.json:1:98: state \"mystery\" has no stance and b2c has no state of that name" "$T/last.err" || fail "missing stance"

# The loop guard: timers bound to scenario parameters pass the linter; bound to 0 s they
# would cycle forever at one instant. The run stops with exit 65 and the order's path, and
# the results DB records it as failed (never left running).
EXTRA=""; TERM=""
def bound "$PAY" "$DONE" '{"from": "paid", "action": "confirm", "to": "confirmed", "actors": ["system"], "after": "auto_confirm_after"}' \
  '{"from": "confirmed", "action": "return_reject", "to": "paid", "actors": ["system"], "after": "complete_after"}'
expect_rc 0 "$BIN" fsm "$T/bound.json"
sed "s|\"process\": \"pay_after_delivery.json\"|\"process\": \"$T/bound.json\"|; s|\"complete_after\": \"12h\"|\"auto_confirm_after\": 0, \"complete_after\": 0|" \
  "$ROOT/scenarios/processes/pay_after_delivery_shop.json" > "$T/bound_shop.json"
expect_rc 65 timeout 60 "$BIN" run "$T/bound_shop.json" --no-report --db "$T/loop.db"
grep -q "made more than 64 transitions at t=.* without time passing" "$T/last.err" || { cat "$T/last.err"; fail "loop guard message"; }
grep -q "its path: \.\.\. \(paid -> confirmed -> \)\{5,\}" "$T/last.err" || fail "loop guard path"
[ "$(sqlite3 "$T/loop.db" "SELECT status FROM runs")" = failed ] || fail "looping run not recorded as failed"
[ "$(sqlite3 "$T/loop.db" "SELECT count(*) FROM violations WHERE message LIKE '%its path%'")" = 1 ] || fail "loop message not recorded"
# --orders-csv of a stopped run: no file that looks complete is left (an older one stays).
echo "older log" > "$T/loop_orders.csv"
expect_rc 65 timeout 60 "$BIN" run "$T/bound_shop.json" --no-report --db "$T/loop.db" --orders-csv "$T/loop_orders.csv"
[ "$(cat "$T/loop_orders.csv")" = "older log" ] || fail "a stopped run overwrote the order log"
[ ! -e "$T/loop_orders.csv.partial" ] || fail "a stopped run left its partial order log"
grep -q "loop_orders.csv not written (the run did not complete)" "$T/last.err" || fail "no word on the order log not written"
expect_rc 65 timeout 60 "$BIN" check "$T/bound_shop.json" --no-report --db "$T/loop.db"
[ "$(sqlite3 "$T/loop.db" "SELECT count(*) FROM runs WHERE status='running'")" = 0 ] || fail "a run left running"
# With the timers bound to real durations the same definition runs.
sed 's|"auto_confirm_after": 0, "complete_after": 0|"auto_confirm_after": "1h", "complete_after": "1h"|' "$T/bound_shop.json" > "$T/bound_ok.json"
expect_rc 0 "$BIN" run "$T/bound_ok.json" --no-report --db "$T/loop.db"

# Views per role: labels, and only that role's actions (text, Mermaid, dot).
expect_rc 0 "$BIN" fsm b2c --view merchant
grep -q "^awaiting shipment  *produce -> in production; refund -> refunded; modify_address -> awaiting shipment$" "$T/last.out" || { cat "$T/last.out"; fail "merchant view"; }
grep -q "^shipped  *(waits: another role acts)$" "$T/last.out" || fail "merchant waits while shipped"
! grep -q "pay ->" "$T/last.out" || fail "the merchant view shows the buyer's pay"
expect_rc 0 "$BIN" fsm b2c --view buyer
grep -q "^awaiting payment  *pay -> paid; modify -> awaiting payment; modify_address -> awaiting payment; cancel -> cancelled$" "$T/last.out" || fail "buyer view"
grep -q "^delivered  *confirm -> received (timer); return_request -> return requested$" "$T/last.out" || fail "buyer view after delivery"
expect_rc 0 "$BIN" fsm b2c --view buyer --mermaid
grep -qx '    state "awaiting payment" as pending_payment' "$T/last.out" || fail "mermaid labels"
! grep -q "produce" "$T/last.out" || fail "mermaid buyer view shows produce"
expect_rc 0 "$BIN" fsm b2c --view merchant --dot
grep -qF '"paid" [label="awaiting shipment"];' "$T/last.out" || fail "dot labels"
grep -qF '"paid" -> "in_production" [label="produce"];' "$T/last.out" || fail "dot merchant row"
! grep -qF 'label="pay"' "$T/last.out" || fail "dot merchant view shows pay"
expect_rc 2 "$BIN" fsm b2c --view courier
# fsm diff reports stance and label changes.
expect_rc 1 "$BIN" fsm diff cod "$ROOT/scenarios/processes/pay_after_delivery.json"
grep -qx "~ state shipped: stock locked, money none" "$T/last.out" || fail "diff stance"
grep -qx "  now stock deducted, money none" "$T/last.out" || fail "diff stance now"
grep -qx '~ state delivered: buyer label "at the door"' "$T/last.out" || fail "diff label"
grep -qx '  now "arrived: please pay"' "$T/last.out" || fail "diff label now"

# The worked example of docs/processes.md runs, with every invariant holding.
expect_rc 0 "$BIN" run "$ROOT/scenarios/processes/pay_after_delivery_shop.json" --no-report --db "$T/ex.db" --ledger
grep -q "^- reduce_on_payment: all hold (stock conservation" "$T/last.out" || fail "worked example invariants"
# fsm --json escapes names: a state named do"ne gives JSON that parses and reads back to
# the same machine.
"$BIN" fsm "$ROOT/tests/fixtures/quoted_state.json" --json > "$T/quote.out" 2> /dev/null || true
python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert "do\"ne" in [s["name"] for s in d["states"]], d' "$T/quote.out" \
  || fail "fsm --json of a state named do\"ne is not valid JSON"
"$BIN" fsm "$T/quote.out" --json > "$T/quote2.out" 2> /dev/null || true
cmp -s "$T/quote.out" "$T/quote2.out" || fail "fsm --json does not read back to itself"
# A custom process's open states are charted under their own names, from the columns'
# descriptors, and a report rebuilt from the DB charts the same ones (terminal states,
# counted since the start, are not open orders).
if command -v gnuplot > /dev/null; then
  expect_rc 0 "$BIN" run "$ROOT/scenarios/processes/pay_after_delivery_shop.json" --db "$T/st.db" --out "$T/st" --quiet
  grep -qx "paid" "$T/st/orders_by_state.titles" && grep -qx "shipped" "$T/st/orders_by_state.titles" || fail "custom process: no orders-by-state chart of its states"
  ! grep -qx "completed\|refused\|returned" "$T/st/orders_by_state.titles" || fail "custom process: terminal states charted as open orders"
  expect_rc 0 "$BIN" report 1 --db "$T/st.db" --out "$T/st2"
  cmp -s "$T/st/orders_by_state.titles" "$T/st2/orders_by_state.titles" || fail "report RUN_ID charts other states than the live report"
fi
echo "ok: escaped names, lint findings, loop guard, views, diff, worked example"
