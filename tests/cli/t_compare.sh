# compare: verdicts with their uncertainty, and a recommendation that never names a strategy
# that oversold while another did not; text, JSON and the report say the same thing.
. tests/cli/lib.sh
B="$ROOT/scenarios/bot_attack.json"
A="$ROOT/scenarios/apparel_returns.json"
common="--db $T/c.db --replications 3"
# bot_attack: reduce_on_payment oversells and pays the most orders; it is never recommended
expect_rc 0 "$BIN" compare "$B" $common --no-report --json
cp "$T/last.out" "$T/b.json"
grep -q '^  "verdicts": {' "$T/b.json" || fail "compare --json has verdicts"
grep -q '^  "recommendation": {"strategy": ' "$T/b.json" || fail "compare --json has a recommendation"
grep -q '"reduce_on_payment is excluded: it oversold' "$T/b.json" || fail "the overseller is excluded, and the why says so"
grep -q '^  "recommendation": {"strategy": "reduce_on_payment"' "$T/b.json" && fail "recommended a strategy that oversold"
grep -q '^  "recommendation": {"strategy": "reserve_on_checkout"' "$T/b.json" || fail "reserve_on_checkout dominates here"
# the whole document is valid JSON that check reads back as a baseline
expect_rc 0 "$BIN" check "$B" $common --no-report --baseline "$T/b.json"
grep -q "0 regressions" "$T/last.out" || fail "compare --json as a baseline matches its own strategy"
# verdicts of reduce_on_payment against reduce_on_order: more orders paid, but not "better"
sed -n '/^    "reduce_on_payment": {$/,/^    }/p' "$T/b.json" > "$T/rop.json"
grep -q '"orders_paid": {.*"verdict": "higher", "why": "counts oversold orders' "$T/rop.json" || fail "oversold orders paid are not scored"
grep -q '"genuine_orders_served": {.*"verdict": "better"' "$T/rop.json" || fail "served orders are scored"
grep -q '"order_to_pay_p95": {.*"verdict": "not comparable", "why": "taken over different orders' "$T/rop.json" ||
  fail "a p95 over a different number of paid orders is not comparable"
# the text output and report.md carry the same conclusion as the JSON
expect_rc 0 "$BIN" compare "$B" $common --out "$T/out"
grep -q '^Recommendation: reserve_on_checkout\.$' "$T/last.out" || fail "text names the recommendation"
grep -q 'order_to_pay_p95 .* not comparable: taken over different orders' "$T/last.out" || fail "text says not comparable and why"
sed -n '/^Conclusion$/,/^Metrics$/p' "$T/last.out" | sed '1d;$d' | sed "/^$/d" > "$T/text.txt"
sed -n '/^## Conclusion$/,/^## /p' "$T/out/report.md" | sed '1,2d;$d' | sed '/^$/d' > "$T/md.txt"
[ "$(wc -l < "$T/text.txt")" -ge 6 ] || fail "the conclusion was not found in the text output"
diff "$T/text.txt" "$T/md.txt" >&2 || fail "report.md's conclusion differs from the text output"
grep -q 'Recommendation: reserve_on_checkout\.' "$T/out/report.html" || fail "report.html carries the recommendation"
grep -q '| order_to_pay_p95 |.*| not comparable: taken over different orders' "$T/out/report.md" || fail "report.md verdict table"
grep -q '<td>order_to_pay_p95</td>.*<td>not comparable: <small class="why">taken over different orders' "$T/out/report.html" || fail "report.html verdict table"
# apparel_returns: the two strategies that never oversold are within each other's interval
expect_rc 0 "$BIN" compare "$A" $common --no-report --json
grep -q '^  "recommendation": {"strategy": null' "$T/last.out" || fail "no recommendation when the best is indistinguishable"
grep -q 'reduce_on_order and reserve_on_checkout are indistinguishable on genuine orders served (.* the 95% interval includes 0)' \
  "$T/last.out" || fail "the why says indistinguishable"
grep -q '"genuine_orders_served": {.*"verdict": "same", "why": "the 95% interval includes 0"}' "$T/last.out" ||
  fail "a difference within its interval is same"
expect_rc 0 "$BIN" compare "$A" $common --no-report
grep -q '^No recommendation: no strategy dominates\.$' "$T/last.out" || fail "text: no recommendation"
