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
# a baseline written by a build without the newer metrics: they are new, not regressions
sed 's/"genuine_orders_served": -\?[0-9][0-9.e+-]*/"genuine_orders_served": null/; s/"revenue_at_risk": -\?[0-9][0-9.e+-]*/"revenue_at_risk": null/' "$T/base.json" > "$T/old.json"
expect_rc 0 "$BIN" check "$S" $common --baseline "$T/old.json"
grep -q "genuine_orders_served .*new (not in the baseline)" "$T/last.out" || fail "a metric missing from an old baseline is new"
# oversold orders are no improvement: more orders paid because more were oversold is "changed"
"$BIN" run "$S" $common --strategy reduce_on_payment --set inventory.revalidate_before_payment=true --json > "$T/rop.json"
expect_rc 1 "$BIN" check "$S" $common --strategy reduce_on_payment --baseline "$T/rop.json"
grep -q "oversold_units .*REGRESSED" "$T/last.out" || fail "more oversold units regress"
grep -Eq "^orders_paid .* changed$" "$T/last.out" || fail "orders paid that include oversold ones are not an improvement"
grep -q "orders_paid .*improved" "$T/last.out" && fail "oversold orders scored as an improvement"
echo ok
