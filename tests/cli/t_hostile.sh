# A scenario name built to break gnuplot, markdown and HTML is rendered as text.
. tests/cli/lib.sh
cd "$T"
sed 's/"name": "flash_sale"/"name": "x'"'"'\\n\\"; system(\\"touch PWNED\\") `touch PWNED2` <b>|"/' \
  "$ROOT/scenarios/flash_sale.json" > hostile.json
grep -q 'system' hostile.json || fail "test setup: name not replaced"
"$BIN" validate hostile.json > /dev/null
"$BIN" run hostile.json --db r.db --out rep --quiet --set customers.max_customers=5000
[ ! -e PWNED ] && [ ! -e rep/PWNED ] && [ ! -e PWNED2 ] && [ ! -e rep/PWNED2 ] || fail "the name ran a command"
[ -s rep/stock.png ] || fail "charts were not drawn"
grep -q "system(\"touch PWNED\")" rep/charts.gp || fail "the name is not in the chart titles"
grep -q "&lt;b&gt;" rep/report.html || fail "HTML not escaped"
! grep -q "<b>|" rep/report.html || fail "raw markup in HTML"
[ "$(sqlite3 r.db 'SELECT count(*) FROM runs')" = 1 ] || fail "run not recorded"
# a name that tries to climb out of out/ stays inside it
sed 's/"name": "flash_sale"/"name": "..\/..\/escape"/' "$ROOT/scenarios/flash_sale.json" > climb.json
"$BIN" run climb.json --db r.db --quiet --set customers.max_customers=2000
[ "$(find out -mindepth 2 -maxdepth 2 -name report.md | wc -l)" = 1 ] || { find . -name report.md >&2; fail "report not under out/"; }
[ ! -e ../escape ] && [ ! -e ../../escape ] || fail "the name climbed out of out/"
echo ok
