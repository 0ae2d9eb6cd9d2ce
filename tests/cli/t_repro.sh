# Same scenario and seed: byte-identical JSON (engine figures aside); --jobs 2 equals --jobs 1.
. tests/cli/lib.sh
S="$ROOT/scenarios/flash_sale.json"
"$BIN" run "$S" --json --db "$T/a.db" --no-report --set customers.max_customers=30000 > "$T/a.json"
"$BIN" run "$S" --json --db "$T/a.db" --no-report --set customers.max_customers=30000 > "$T/b.json"
strip_engine "$T/a.json" > "$T/a.s"; strip_engine "$T/b.json" > "$T/b.s"
cmp "$T/a.s" "$T/b.s" || fail "two runs with one seed differ"
grep -q '"oversold_units": 0' "$T/a.s" || fail "reduce_on_order oversold"
"$BIN" run "$S" --json --db "$T/a.db" --no-report --set customers.max_customers=30000 --seed 43 > "$T/c.json"
strip_engine "$T/c.json" > "$T/c.s"
! cmp -s "$T/a.s" "$T/c.s" || fail "another seed gave the same result"
"$BIN" run "$S" --json --db "$T/a.db" --no-report --set customers.max_customers=20000 --replications 4 --jobs 1 > "$T/j1.json"
"$BIN" run "$S" --json --db "$T/a.db" --no-report --set customers.max_customers=20000 --replications 4 --jobs 2 > "$T/j2.json"
strip_engine "$T/j1.json" > "$T/j1.s"; strip_engine "$T/j2.json" > "$T/j2.s"
cmp "$T/j1.s" "$T/j2.s" || fail "--jobs 2 differs from --jobs 1"
grep -q '"replications": 4' "$T/j1.s" || fail "replications not reported"
grep -q '"stations_ci95"' "$T/j1.s" || fail "stations_ci95 missing with replications"
echo ok
