# Regression checks: thresholds, a matching baseline, and a real rule change.
. tests/cli/lib.sh
S="$ROOT/scenarios/bot_attack.json"
common="--db $T/c.db --no-report --set customers.max_customers=5000"
# a threshold the scenario meets, then one it breaches
expect_rc 0 "$BIN" check "$S" $common
grep -q "check passed" "$T/last.out" || fail "check should pass"
expect_rc 1 "$BIN" check "$S" $common --set 'thresholds.locked_stock_peak=< 10'
grep -q "FAIL" "$T/last.out" || fail "the breach is shown"
# a baseline from the same scenario and seed matches exactly
"$BIN" run "$S" $common --json > "$T/base.json"
expect_rc 0 "$BIN" check "$S" $common --baseline "$T/base.json"
grep -q "0 regressions" "$T/last.out" || fail "no regressions against itself"
# the rule change: order expiry 10m -> 30m lets bots hold stock longer
expect_rc 1 "$BIN" check "$S" $common --baseline "$T/base.json" --set inventory.order_expiry=30m
grep -q "locked_unit_seconds.*REGRESSED" "$T/last.out" || fail "longer expiry locks more stock"
# a baseline recorded in the DB, by id
id=$(sqlite3 "$T/c.db" "SELECT max(id) FROM runs WHERE kind='run'")
expect_rc 0 "$BIN" check "$S" $common --baseline-run "$id"
expect_rc 2 "$BIN" check "$S" $common --baseline "$T/base.json" --tolerance 'orders_paid=lots'
# the process change: buyers who try to cancel after paying are refused by b2c, allowed by
# the variant, and the check catches the refunds
D="$ROOT/scenarios/steady_state.json"
"$BIN" run "$D" --db "$T/c.db" --no-report --set 'customers.segments[0].cancel_after_pay_probability=0.1' \
  --set 'customers.segments[0].cancel_after_pay_delay={"dist":"exp","mean":"10m"}' --json > "$T/steady.json"
grep -Eq '"orders_cancelled_after_pay": 0,?$' "$T/steady.json" || fail "b2c let a paid order be cancelled"
expect_rc 1 "$BIN" check "$D" --db "$T/c.db" --no-report --set 'customers.segments[0].cancel_after_pay_probability=0.1' \
  --set 'customers.segments[0].cancel_after_pay_delay={"dist":"exp","mean":"10m"}' \
  --baseline "$T/steady.json" --set process=processes/b2c_cancel_after_pay.json
grep -q "refund_total.*REGRESSED" "$T/last.out" || fail "cancelling after payment should show refunds"
grep -q "orders_cancelled_after_pay" "$T/last.out" || fail "the cancels are listed"
echo ok
