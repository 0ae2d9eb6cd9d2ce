# The results DB: schema round trip through `report`, a killed writer, merging.
. tests/cli/lib.sh
S="$ROOT/scenarios/flash_sale.json"
"$BIN" run "$S" --db "$T/r.db" --out "$T/rep" --set customers.max_customers=20000 --quiet
[ "$(sqlite3 "$T/r.db" "SELECT status FROM runs")" = complete ] || fail "run not complete"
n=$(sqlite3 "$T/r.db" "SELECT count(*) FROM metrics WHERE run_id=1")
[ "$n" -ge 30 ] || fail "metrics missing ($n)"
[ "$(sqlite3 "$T/r.db" "SELECT count(*) FROM stations WHERE run_id=1")" = 3 ] || fail "stations missing"
[ "$(sqlite3 "$T/r.db" "SELECT count(DISTINCT name) FROM series WHERE run_id=1 AND name LIKE 'state.%'")" -ge 10 ] || fail "state series missing"
paid=$(sqlite3 "$T/r.db" "SELECT orders_paid FROM run_summary WHERE id=1")
# rebuild the report from the DB: the same metrics come back
"$BIN" report 1 --db "$T/r.db" --out "$T/rebuilt" --quiet
grep -q "| orders_paid | orders | ${paid%.0} |" "$T/rebuilt/report.md" || { grep orders_paid "$T/rebuilt/report.md" >&2; fail "rebuilt report lost orders_paid=$paid"; }
grep -q "| orders_paid | orders | ${paid%.0} |" "$T/rep/report.md" || fail "original report differs"
[ -s "$T/rebuilt/stock.png" ] && [ -s "$T/rebuilt/stock.svg" ] || fail "rebuilt charts missing"
# a writer killed mid-run leaves a sound database with the run visibly not complete
"$BIN" run "$ROOT/scenarios/steady_state.json" --db "$T/r.db" --no-report --quiet --force --set horizon=60d \
  --set customers.arrivals.rate=50 --set 'customers.arrivals.schedule=[]' &
pid=$!
for i in $(seq 1 50); do
  [ "$(sqlite3 "$T/r.db" "SELECT count(*) FROM runs WHERE status='running'" 2>/dev/null)" = 1 ] && break
  sleep 0.1
done
kill -9 $pid; wait $pid 2>/dev/null || true
[ "$(sqlite3 "$T/r.db" 'PRAGMA integrity_check')" = ok ] || fail "integrity_check after kill"
[ "$(sqlite3 "$T/r.db" "SELECT status FROM runs WHERE id=2")" = running ] || fail "killed run should show as running"
[ "$(sqlite3 "$T/r.db" "SELECT count(*) FROM metrics WHERE run_id=2")" = 0 ] || fail "killed run has partial metrics"
[ "$(sqlite3 "$T/r.db" "SELECT status FROM runs WHERE id=1")" = complete ] || fail "earlier run damaged"
# merge: runs are copied once, with their children; the killed run (still 'running') is not
# copied, and history shows it as abandoned (its process is gone)
"$BIN" merge "$T/m.db" "$T/r.db" --quiet 2> /dev/null
"$BIN" merge "$T/m.db" "$T/r.db" --quiet 2> /dev/null
[ "$(sqlite3 "$T/m.db" 'SELECT count(*) FROM runs')" = 1 ] || fail "merge duplicated runs or copied the running one"
[ "$(sqlite3 "$T/m.db" 'SELECT count(*) FROM metrics')" = "$(sqlite3 "$T/r.db" 'SELECT count(*) FROM metrics')" ] || fail "merge lost metrics"
"$BIN" history --db "$T/r.db" > "$T/h.txt"
grep -q abandoned "$T/h.txt" && grep -q complete "$T/h.txt" || fail "history shows both runs, the killed one abandoned"
# --ledger: every order's transitions, enough to say which orders oversold and when
"$BIN" run "$S" --db "$T/l.db" --no-report --quiet --strategy reduce_on_payment --ledger --set customers.max_customers=20000
over=$(sqlite3 "$T/l.db" "SELECT count(*) FROM transitions_named WHERE action='pay' AND shortfall > 0")
[ "$over" = "$(sqlite3 "$T/l.db" "SELECT value FROM metrics WHERE name='oversold_orders'" | cut -d. -f1)" ] || fail "ledger oversold orders ($over) differ from the metric"
[ "$(sqlite3 "$T/l.db" "SELECT count(*) FROM transitions_named WHERE action='create'")" = \
  "$(sqlite3 "$T/l.db" "SELECT value FROM metrics WHERE name='orders_created'" | cut -d. -f1)" ] || fail "ledger creations differ"
# --jobs 3: one writer thread records the runs, in replication order (ids do not depend on
# the threads' timing), each whole (series, ledger), and the report still has every series
"$BIN" run "$S" --db "$T/j.db" --out "$T/jrep" --quiet --jobs 3 --replications 7 --ledger --set customers.max_customers=3000
[ "$(sqlite3 "$T/j.db" "SELECT group_concat(replication, ',') FROM (SELECT replication FROM runs WHERE status = 'complete' ORDER BY id)")" =   0,1,2,3,4,5,6 ] || fail "--jobs 3: runs not recorded complete in replication order"
[ "$(sqlite3 "$T/j.db" "SELECT count(DISTINCT run_id) FROM series")" = 7 ] || fail "--jobs 3: a run without its series"
[ "$(sqlite3 "$T/j.db" "SELECT count(DISTINCT run_id) FROM transitions")" = 7 ] || fail "--jobs 3: a run without its ledger"
[ -s "$T/jrep/stock.png" ] || fail "--jobs 3: report charts missing"
# without gnuplot the run still succeeds and says the charts were skipped
PATH=/nonexistent "$BIN" run "$S" --db "$T/g.db" --out "$T/nog" --set customers.max_customers=2000 > "$T/nog.out" 2> "$T/nog.err" \
  || fail "a run without gnuplot failed"
grep -q "charts were skipped" "$T/nog.err" || fail "no note that charts were skipped"
grep -q "Charts were skipped" "$T/nog/report.md" || fail "report does not say charts were skipped"
[ ! -e "$T/nog/stock.png" ] || fail "a chart appeared without gnuplot"
echo ok
