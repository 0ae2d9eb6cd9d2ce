# Scenario warnings: printed to stderr by validate and before run/compare/check/sweep start;
# --strict makes them exit 65. Every shipped scenario is warning-free; the flagship as it
# once shipped (tests/fixtures/dead_schedule.json: its schedule died at max_customers) must
# report exactly that.
. tests/cli/lib.sh
S="$ROOT/scenarios/bot_attack.json"
small="--set customers.max_customers=200 --set customers.arrivals.schedule=[] --db $T/w.db --no-report"
inert="--set thresholds.oversold_units===0"
msg="warning: thresholds.oversold_units: oversold_units is always 0 here (strategy reduce_on_order never oversells), so this threshold always passes"

# every shipped scenario: no warning, even under --strict
for f in "$ROOT"/scenarios/*.json "$ROOT"/scenarios/bench/*.json; do
  expect_rc 0 "$BIN" validate --strict "$f"
  [ ! -s "$T/last.err" ] || { cat "$T/last.err"; fail "$f warns"; }
done

# the old flagship: its dead schedule entries (2000/s from t = 0 reaches 200,000 customers at 100 s)
expect_rc 0 "$BIN" validate "$ROOT/tests/fixtures/dead_schedule.json"
grep -Fq "dead_schedule.json:16:66: warning: customers.arrivals.schedule[1].at: this entry (at 100 s) never takes effect: customers.max_customers (200000) is reached at t = 100 s (expected arrivals), after which no customer arrives" "$T/last.err" \
  || fail "flash_sale's entry at 100 s"
grep -Fq "warning: customers.arrivals.schedule[2].at: this entry (at 10 min) never takes effect" "$T/last.err" \
  || fail "flash_sale's entry at 10 min"
grep -q "warning" "$T/last.out" && fail "warnings go to stderr"
expect_rc 65 "$BIN" validate --strict "$ROOT/tests/fixtures/dead_schedule.json"
grep -q "4 warnings, and --strict makes warnings errors" "$T/last.err" || fail "--strict says why"
grep -q ": ok" "$T/last.out" && fail "a file refused by --strict is not ok"

# validate: the warning carries file:line:col (from the file) or no position (from --set)
expect_rc 0 "$BIN" validate "$S" --set 'customers.segments[0].coupon=SAVE5'
grep -Fq "bot_attack.json: warning: customers.segments[0].coupon: coupon \"SAVE5\" matches no promotion" "$T/last.err" \
  || fail "a --set value has no position"
grep -Eq '^'"$S"': ok' "$T/last.out" || fail "valid with a warning is still ok"

# run / check / compare / sweep: the warning before the start, exit 65 only with --strict
for cmd in run check; do
  expect_rc 0 "$BIN" $cmd "$S" $small $inert --quiet
  grep -Fq "$msg" "$T/last.err" || fail "$cmd prints the warning"
  expect_rc 65 "$BIN" $cmd "$S" $small $inert --quiet --strict
  grep -Fq "$msg" "$T/last.err" || fail "$cmd --strict prints the warning"
done
# compare runs every strategy, reduce_on_payment may oversell: no warning there
expect_rc 0 "$BIN" compare "$S" $small $inert --strict
grep -q "warning" "$T/last.err" && fail "compare: oversold_units can move under reduce_on_payment"
# ... and run --strategy reduce_on_payment neither
expect_rc 0 "$BIN" run "$S" $small $inert --strict --quiet --strategy reduce_on_payment
# a dead schedule entry fails compare --strict
expect_rc 65 "$BIN" compare "$S" --set customers.max_customers=200 --db "$T/w.db" --no-report --strict
grep -Fq "warning: customers.arrivals.schedule[1].at: this entry (at 5 min) never takes effect: customers.max_customers (200) is reached at t = 4 s" "$T/last.err" \
  || fail "compare --strict names the dead entry"
# The report repeats the scenario's warnings in its Warnings section (md, html, txt, json).
expect_rc 0 "$BIN" run "$ROOT/tests/fixtures/dead_schedule.json" --set customers.max_customers=2000 --db "$T/w.db" --out "$T/deadrep" --quiet
grep -Fq -- "- **warning:** scenario $ROOT/tests/fixtures/dead_schedule.json:33:40: fulfilment.auto_confirm_after: this timer (7 d) cannot fire within the horizon (2 h)" "$T/deadrep/report.md" \
  || { grep -A6 Warnings "$T/deadrep/report.md"; fail "scenario warning missing from report.md"; }
for f in report.html report.txt report.json; do
  grep -q "dead_schedule.json:33:64: fulfilment.complete_after: this timer" "$T/deadrep/$f" || fail "scenario warning missing from $f"
done
# a report rebuilt from the results DB derives the recorded scenario's warnings again
id=$(sqlite3 "$T/w.db" "SELECT max(id) FROM runs")
expect_rc 0 "$BIN" report "$id" --db "$T/w.db" --out "$T/deadrep2" --quiet
grep -Fq -- "- **warning:** scenario recorded scenario:1:" "$T/deadrep2/report.md" &&
  grep -Fq "fulfilment.auto_confirm_after: this timer (7 d) cannot fire within the horizon (2 h)" "$T/deadrep2/report.md" \
  || { grep -A6 Warnings "$T/deadrep2/report.md"; fail "scenario warning missing from the rebuilt report"; }
# sweep: the base scenario's warnings once, not once per point, and in the sweep's report;
# the report rebuilt from the DB has them too
sweep_small=$(echo "$small" | sed 's/ --db [^ ]*//; s/ --no-report//')
expect_rc 0 "$BIN" sweep "$S" $sweep_small $inert --param customers.arrivals.rate=1,2,3 --quiet --db "$T/sw.db" --out "$T/swrep"
[ "$(grep -c 'warning:' "$T/last.err")" = 1 ] || { cat "$T/last.err"; fail "sweep warns once"; }
grep -q "warning:.*scenario .*oversold_units" "$T/swrep/report.md" || { grep -A4 Warnings "$T/swrep/report.md"; fail "scenario warning missing from the sweep report"; }
sid=$(sqlite3 "$T/sw.db" "SELECT batch FROM runs LIMIT 1")
expect_rc 0 "$BIN" report --sweep "$sid" --db "$T/sw.db" --out "$T/swrep2" --quiet
grep -q "warning:.*scenario recorded scenario:.*oversold_units" "$T/swrep2/report.md" || { grep -A4 Warnings "$T/swrep2/report.md"; fail "scenario warning missing from the rebuilt sweep report"; }
expect_rc 65 "$BIN" sweep "$S" $small $inert --param customers.arrivals.rate=1,2,3 --quiet --strict
# a coupon's per-customer limit that no segment's coupon reaches
M="$ROOT/scenarios/member_shop.json"
expect_rc 0 "$BIN" validate "$M" --set 'promotions[1].per_customer=1'
[ ! -s "$T/last.err" ] || { cat "$T/last.err"; fail "a limit on a presented coupon warns"; }
expect_rc 0 "$BIN" validate "$M" --set 'promotions[1].per_customer=1' --set 'customers.segments[1].coupon=OTHER'
grep -Fq 'warning: promotions[1].per_customer: no effect: no segment presents coupon "WELCOME" (customers.segments[].coupon)' "$T/last.err" \
  || { cat "$T/last.err"; fail "per_customer without a segment presenting the coupon"; }
echo ok
