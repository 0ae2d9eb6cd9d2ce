# The worked examples of docs/optimize.md give the answers the doc states (each run with its
# DB and report redirected to a temporary directory).
. tests/cli/lib.sh
n=0
# (the optimize commands that stand alone; tests/cli/t_docs.sh runs every command in order)
awk '/^```sh$/ { on = 1; next } /^```/ { on = 0 } on && /^build\/ordersim optimize / && !/\$id/ { print }' docs/optimize.md > "$T/cmds"
[ -s "$T/cmds" ] || fail "no commands found in docs/optimize.md"
while IFS= read -r line; do
  n=$((n + 1))
  cmd="\"$BIN\"${line#build/ordersim} --db \"$T/doc$n.db\" --out \"$T/out$n\""
  (cd "$ROOT" && eval "$cmd") > "$T/doc$n.out" 2> "$T/doc$n.err" || { cat "$T/doc$n.err" >&2; fail "documented command $n failed: $line"; }
  echo "ran: $line"
done < "$T/cmds"
# the doc's stated answers
grep -q "^best: #0 inventory.order_expiry=2m,catalog\[0\].max_per_user=1,inventory.strategy=reduce_on_order " "$T/doc1.out" \
  || fail "flash sale: the doc says #0 (2m, limit 1, reduce_on_order) is named best"
for c in 2 3 5 8 11; do
  sed -n '/^runner-ups not separated/,/^$/p' "$T/doc1.out" | grep -q "^  #$c .*identical in every replication" \
    || fail "flash sale: the doc says #$c ties with the best"
done
for c in 1 4 7 10; do
  grep -q "^  #$c .*reduce_on_payment: infeasible: oversold_units" "$T/doc1.out" || fail "flash sale: the doc says #$c oversells"
done
for c in 6 9; do
  grep -q "^  #$c .*order_expiry=15m.*reduce_on_order: infeasible: locked_stock_mean" "$T/doc1.out" \
    || fail "flash sale: the doc says #$c locks too much stock"
done
runs=$(sed -n 's/^spent \([0-9]*\) of a budget of 100 runs.*/\1/p' "$T/doc1.out")
[ -n "$runs" ] && [ "$runs" -le 100 ] || fail "flash sale: budget 100 not honoured ($runs)"
grep -q "^best: #2 stations.order_service.servers=6 " "$T/doc2.out" || fail "Erlang C example: the doc says 6 servers"
grep -q '"front": \[0, 1, 2, 3\]' "$T/doc3.out" || fail "Pareto example: the doc says every server count is on the front"
echo "ok ($n commands)"
