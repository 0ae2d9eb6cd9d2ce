# Reliability round three (docs/reliability.md, "The eight rules"): every output through the
# one safe-write path, outputs that are inputs refused, fit's bounded input, like-for-like
# baselines, fixed limits as errors, and what files a scenario may name. Each case states
# what it would catch on a build without the rule.
. tests/cli/lib.sh
S="$ROOT/scenarios/flash_sale.json"
small="--set customers.max_customers=2000"
W="$T/w"
mkdir -p "$W"
cd "$W"
cp "$S" s.json
"$BIN" run s.json $small --db r.db --quiet --no-report 2> /dev/null
runs() { sqlite3 "$W/r.db" "SELECT count(*) FROM runs WHERE status = 'complete'"; }
[ "$(runs)" = 1 ] || fail "setup: one run"
# leftover temporaries of the safe-write path (".NAME.XXXXXXXX.tmp") anywhere below $W
temps() { find "$W" -name '.*.tmp' | wc -l; }

# ---- 1. one safe-write path ----------------------------------------------------------------
# --orders-csv naming the results DB: refused by device and inode (was: renamed over the DB, exit 0)
sum=$(sha256sum < s.json)
expect_rc 2 "$BIN" run s.json $small --db r.db --quiet --no-report --orders-csv r.db
grep -qF "ordersim run: --orders-csv r.db is the same file as r.db (the results database (--db)); refusing to overwrite it" "$T/last.err" \
  || { cat "$T/last.err"; fail "--orders-csv = --db not refused"; }
[ "$(runs)" = 1 ] || fail "--orders-csv = --db: runs lost"
# ... naming the scenario, or a link to it, or the DB through a symbolic link
expect_rc 2 "$BIN" run s.json $small --db r.db --quiet --no-report --orders-csv s.json
ln -s s.json scn-link.csv
expect_rc 2 "$BIN" run s.json $small --db r.db --quiet --no-report --orders-csv scn-link.csv
grep -qF "is the same file as s.json (an input of this command)" "$T/last.err" || fail "a link to the scenario not refused"
ln s.json hard.csv
expect_rc 2 "$BIN" run s.json $small --db r.db --quiet --no-report --orders-csv hard.csv
[ "$(sha256sum < s.json)" = "$sum" ] || fail "the scenario was changed"
rm -f hard.csv scn-link.csv
# a planted symbolic link at the old fixed temporary name (FILE.partial) and at the target:
# neither is followed (the temporary is created O_EXCL|O_NOFOLLOW under a fresh name; the
# rename replaces the link at the target)
echo "victim" > victim.txt
ln -s victim.txt o.csv.partial
ln -s victim.txt o.csv
"$BIN" run s.json $small --db r.db --quiet --no-report --orders-csv o.csv 2> /dev/null
[ "$(cat victim.txt)" = victim ] || fail "a planted link was followed"
[ -f o.csv ] && [ ! -L o.csv ] && head -1 o.csv | grep -q '^order_id,' || fail "o.csv not written as a file of its own"
[ -L o.csv.partial ] || fail "the planted link was touched"
rm -f o.csv.partial
[ "$(temps)" = 0 ] || fail "a temporary file was left after a run"
# SIGINT during a run with --orders-csv: no temporary left, the previous log kept
cp o.csv o.keep
"$BIN" run s.json --set customers.max_customers=400000 --db r.db --quiet --no-report --orders-csv o.csv 2> /dev/null &
pid=$!
i=0; while [ "$(temps)" = 0 ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
[ "$(temps)" = 1 ] || fail "the run's temporary never appeared"
kill -INT $pid; set +e; wait $pid; rc=$?; set -e
[ $rc = 130 ] || fail "SIGINT: exit $rc"
[ "$(temps)" = 0 ] || fail "SIGINT left the temporary file (was: FILE.partial left behind)"
cmp -s o.csv o.keep || fail "SIGINT changed the previous log"
sqlite3 r.db "SELECT count(*) FROM runs WHERE status = 'running'" | grep -qx 0 || fail "SIGINT left a run 'running'"

# check --junit naming its own baseline: refused (was: the baseline overwritten)
"$BIN" run s.json $small --db r.db --quiet --no-report --json > b.json 2> /dev/null
sum=$(sha256sum < b.json)
expect_rc 2 "$BIN" check s.json $small --db r.db --no-report --baseline b.json --junit b.json
grep -qF "ordersim check: --junit b.json is the same file as b.json (the baseline (--baseline))" "$T/last.err" || fail "--junit = --baseline"
[ "$(sha256sum < b.json)" = "$sum" ] || fail "the baseline was changed"
"$BIN" check s.json $small --db r.db --no-report --baseline b.json --junit j.xml > /dev/null 2>&1 || fail "check with a JUnit file"
grep -q '<testsuite' j.xml || fail "JUnit not written"
[ "$(temps)" = 0 ] || fail "a temporary file was left after check"

# ---- fit: its output, its report folder, its input bounds -----------------------------------
"$BIN" fit o.csv -o fitted.json --out fitrep --quiet || fail "fit"
[ -f fitrep/.ordersim-report ] && [ -f fitrep/report.md ] || fail "fit report is not an ordersim report directory"
expect_rc 2 "$BIN" fit o.csv -o o.csv --no-report
grep -qF "ordersim fit: -o o.csv is the same file as o.csv (an input of this command)" "$T/last.err" || fail "fit -o = log"
# a folder of the user's own files is never written into (was: report.md overwritten)
mkdir mine && echo "my notes" > mine/report.md && echo "mine" > mine/notes.txt
expect_rc 74 "$BIN" fit o.csv -o f2.json --out mine --quiet
grep -qF "mine: exists and is not an ordersim report directory ('notes.txt'); it was left untouched" "$T/last.err" || fail "fit --out mine"
[ "$(cat mine/report.md)" = "my notes" ] || fail "fit overwrote the user's report.md"
expect_rc 74 "$BIN" fit o.csv -o f2.json --out . --quiet
grep -qF "give the report its own directory (a name, not '.' or '..')" "$T/last.err" || fail "fit --out ."
# a link planted in a report folder is not followed (the folder is replaced whole)
rm fitrep/charts.gp && ln -s "$W/victim.txt" fitrep/charts.gp
"$BIN" fit o.csv -o fitted.json --out fitrep --quiet || fail "fit over its own report"
[ "$(cat victim.txt)" = victim ] || fail "fit followed a planted charts.gp link"
[ -f fitrep/charts.gp ] && [ ! -L fitrep/charts.gp ] || fail "fit report not replaced"
# the scenario is checked before it replaces -o: a directory that cannot take the new file
# leaves the old one as it was (exit 74, no temporary)
cp fitted.json good.json
mkdir ro && cp good.json ro/f.json && chmod 555 ro
if [ ! -w ro ]; then   # (root writes anyway)
  expect_rc 74 "$BIN" fit o.csv -o ro/f.json --no-report
  cmp -s ro/f.json good.json || fail "a failed fit changed -o"
fi
chmod 755 ro
# timestamps: 9999-12-31 (was: memory without bound), 0001-01-01 (was: a 100 MB scenario)
cp o.csv far.csv; echo 'o9999,c1,paid,9999-12-31T00:00:00Z,,,,,,phone-x,1,4999.00,genuine' >> far.csv
line=$(wc -l < far.csv)
expect_rc 65 "$BIN" fit far.csv -o fitted.json --no-report
grep -qE "^far.csv:$line:15: created_at: 9999-12-31T00:00:00Z is 7974 years after the log's median creation time \(2026-01-05T00:0[0-9:.]*Z\), expected at most 10$" \
  "$T/last.err" || { cat "$T/last.err"; fail "9999-12-31 not refused with its position"; }
grep -qF "drop them with --min-time/--max-time" "$T/last.err" || fail "no escape named"
cmp -s fitted.json good.json || fail "a refused fit changed -o"
cp o.csv old.csv; echo 'o1,c1,paid,2026-01-05T00:00:01Z,0001-01-01T00:00:00Z,,,,,phone-x,1,4999.00,genuine' >> old.csv
expect_rc 65 "$BIN" fit old.csv -o fitted.json --no-report
grep -qF "old.csv:$line:33: paid_at: 0001-01-01T00:00:00Z is before 1970" "$T/last.err" || { cat "$T/last.err"; fail "0001-01-01"; }
# the escape: rows outside the window are dropped with a note
"$BIN" fit far.csv -o fitted.json --no-report --max-time 2027-01-01T00:00:00Z > /dev/null 2> "$T/err" || { cat "$T/err"; fail "--max-time"; }
grep -qF "note: far.csv: dropped 1 row outside --min-time/--max-time" "$T/err" || fail "no note for the dropped row"
"$BIN" fit old.csv -o fitted.json --no-report --min-time 2020-01-01T00:00:00Z > /dev/null 2>&1 || fail "--min-time"
expect_rc 2 "$BIN" fit o.csv -o fitted.json --no-report --min-time yesterday
expect_rc 2 "$BIN" fit o.csv -o fitted.json --no-report --horizon 40000d
# quantity 1e308 and a SKU that is not UTF-8 are bad rows, not "a bug in ordersim fit" (exit 70)
cp o.csv q.csv; echo 'oq,c1,paid,2026-01-05T00:00:01Z,,,,,,phone-x,1e308,4999.00,genuine' >> q.csv
"$BIN" fit q.csv -o fitted.json --no-report > /dev/null 2> "$T/err" || { cat "$T/err"; fail "quantity 1e308: exit $?"; }
grep -qF "q.csv:$line:46: quantity: found \"1e308\", expected a number from 0 to 1e6" "$T/err" || { cat "$T/err"; fail "1e308 message"; }
cp o.csv u.csv; printf 'ou,c1,paid,2026-01-05T00:00:01Z,,,,,,ph\377one,1,4999.00,genuine\n' >> u.csv
"$BIN" fit u.csv -o fitted.json --no-report > /dev/null 2> "$T/err" || { cat "$T/err"; fail "invalid UTF-8 SKU"; }
grep -qF 'sku: found "ph\xFFone", expected UTF-8 text' "$T/err" || { cat "$T/err"; fail "UTF-8 message"; }
"$BIN" validate fitted.json > /dev/null 2>&1 || fail "the fitted scenario does not validate"
[ "$(temps)" = 0 ] || fail "a temporary file was left by fit"

# optimize's report folder: never a folder of the user's own files (was: report.md overwritten)
mkdir opt-mine && echo "my notes" > opt-mine/report.md && echo "mine" > opt-mine/notes.txt
expect_rc 74 "$BIN" optimize "$ROOT/scenarios/capacity.json" --param customers.arrivals.rate=20,40 --set horizon=2m --set warmup=10s \
  --objective max:orders_paid --replications 2 --db "$T/opt-never.db" --out opt-mine --quiet
grep -qF "opt-mine: exists and is not an ordersim report directory ('notes.txt'); it was left untouched" "$T/last.err" || { cat "$T/last.err"; fail "optimize --out mine"; }
[ "$(cat opt-mine/report.md)" = "my notes" ] || fail "optimize overwrote the user's report.md"

# ---- 5. files a scenario names: regular files only, no content in messages ------------------
printf 'api_key=SECRET-1234567890\nsecond line\n' > secret.csv
trace_scn() { cat <<JSON
{"name": "replay", "horizon": "1h", "catalog": [{"sku": "a", "stock": 100, "price": 20}],
 "customers": {"arrivals": {"process": "trace", "file": "$1", "column": "when"},
   "segments": [{"name": "all", "share": 1, "pay_probability": 1, "think_time": {"dist": "const", "value": 60}}]}}
JSON
}
trace_scn secret.csv > leak.json
expect_rc 65 "$BIN" validate leak.json
grep -qF 'leak.json:2:57: customers.arrivals.file: cannot replay the trace "secret.csv":' "$T/last.err" || { cat "$T/last.err"; fail "trace of a secret: message"; }
grep -qF '  secret.csv:1:1: no column "when" in the header (it has 1 column, none named so)' "$T/last.err" || { cat "$T/last.err"; fail "trace header message"; }
grep -q 'SECRET' "$T/last.err" && { cat "$T/last.err"; fail "validate printed the trace file's content"; }
# a bad value is quoted as a short escaped token, never the whole field
printf 'when\n2026-01-05T10:00:00Z\nSECRET-PASSWORD-abcdefghijklmnopqrstuvwxyz-0123456789\n' > secret2.csv
trace_scn secret2.csv > leak2.json
"$BIN" validate leak2.json > /dev/null 2> "$T/err" || true
grep -q 'abcdefghijklmnopqrstuvwxyz' "$T/err" && { cat "$T/err"; fail "a bad value was quoted beyond 24 bytes"; }
mkfifo fifo.csv
trace_scn fifo.csv > fifo.json
set +e; timeout 10 "$BIN" validate fifo.json > /dev/null 2> "$T/err"; rc=$?; set -e
[ $rc = 65 ] || fail "a FIFO as the trace: exit $rc (124 = hung)"
grep -qF 'the trace "fifo.csv" is a FIFO (named pipe), expected a regular file' "$T/err" || { cat "$T/err"; fail "FIFO message"; }

# ---- 6. fixed limits are errors ---------------------------------------------------------------
sets=""; for i in $(seq 1 256); do sets="$sets --set seed=$i"; done
C="$ROOT/scenarios/capacity.json"
expect_rc 2 "$BIN" sweep "$C" $sets --param customers.arrivals.rate=20:40:20 --db "$T/never.db" --no-report
grep -qF "ordersim sweep: 256 --set and 1 --param are more than the 256 edits a scenario takes" "$T/last.err" || { cat "$T/last.err"; fail "--set + --param"; }
expect_rc 2 "$BIN" optimize "$C" $sets --param customers.arrivals.rate=20:40:20 --objective max:orders_paid --db "$T/never.db" --no-report
grep -qF "ordersim optimize: 256 --set and 1 --param are more than the 256 edits" "$T/last.err" || { cat "$T/last.err"; fail "optimize --set + --param"; }
long=$(printf 'x%.0s' $(seq 1 70))
expect_rc 2 "$BIN" sweep "$C" --param "name=a,$long" --db "$T/never.db" --no-report
grep -qF "value 2 is longer than 63 characters" "$T/last.err" || { cat "$T/last.err"; fail "--param value too long"; }
[ ! -e "$T/never.db" ] || fail "a refused sweep wrote the DB"

# ---- 8. check compares like with like --------------------------------------------------------
"$BIN" compare s.json $small --seed 5 --db r.db --no-report --json > cmp.json 2> /dev/null
# the strategy in force is reserve_on_checkout: its entry is the baseline, so the same seed
# reproduces it exactly (was: compared with the scenario's own strategy's entry)
"$BIN" check s.json $small --seed 5 --strategy reserve_on_checkout --db r.db --no-report --baseline cmp.json > "$T/out" 2>&1 \
  || { cat "$T/out"; fail "check --strategy X --baseline compare.json did not compare X with X"; }
grep -q "0 regressions, 0 changes to review, 0 other changes" "$T/out" || { cat "$T/out"; fail "like with like: changes found"; }
# a run --json baseline of another strategy: exit 65 (was: compared without a word)
expect_rc 65 "$BIN" check s.json $small --strategy reserve_on_checkout --db r.db --no-report --baseline b.json
grep -qF "b.json: the baseline ran strategy 'reduce_on_order', this check runs 'reserve_on_checkout'" "$T/last.err" || { cat "$T/last.err"; fail "other strategy"; }
# a compare baseline without the strategy in force: exit 65
sed 's/"reserve_on_checkout"/"another_strategy"/' cmp.json > cmp2.json
expect_rc 65 "$BIN" check s.json $small --strategy reserve_on_checkout --db r.db --no-report --baseline cmp2.json
grep -qF "cmp2.json: the baseline has no entry for strategy 'reserve_on_checkout'" "$T/last.err" || { cat "$T/last.err"; fail "no entry"; }
# --baseline-run of another strategy: exit 65
expect_rc 65 "$BIN" check s.json $small --strategy reserve_on_checkout --db r.db --no-report --baseline-run 1
grep -qF "run 1 ran strategy 'reduce_on_order', this check runs 'reserve_on_checkout'" "$T/last.err" || { cat "$T/last.err"; fail "--baseline-run"; }

# ---- 2. every SQLite read checked; values read back validated ------------------------------
rm -f d.db*
"$BIN" run s.json $small --db d.db --quiet --no-report 2> /dev/null
page=$(sqlite3 d.db "SELECT rootpage FROM sqlite_master WHERE name = 'metrics'")
psize=$(sqlite3 d.db "PRAGMA page_size")
# one damaged page (the metrics table's root): every reader says so, none shows '-' or "no rows"
printf '\377\377\377\377\377\377\377\377' | dd of=d.db bs=1 seek=$(( (page - 1) * psize )) conv=notrunc 2> /dev/null
expect_rc 74 "$BIN" report 1 --db d.db --out "$T/rep-d"
grep -qF "d.db: reading metrics: database disk image is malformed" "$T/last.err" || { cat "$T/last.err"; fail "report on a damaged page"; }
[ ! -e "$T/rep-d" ] || fail "a report was written from a damaged DB (was: every metric '-', exit 0)"
expect_rc 74 "$BIN" history --db d.db
grep -qF "d.db: reading runs: database disk image is malformed" "$T/last.err" || { cat "$T/last.err"; fail "history on a damaged page (was: the header alone, exit 0)"; }
expect_rc 74 "$BIN" history --db d.db --json
cp r.db e.db
expect_rc 74 "$BIN" check s.json $small --db d.db --baseline-run 1 --no-report
grep -qF "d.db: reading metrics: database disk image is malformed" "$T/last.err" || { cat "$T/last.err"; fail "check --baseline-run on a damaged page (was: invented regressions)"; }
# runs edited out of range (tests/db/v5_out_of_range.sql: a 2 x 2 sweep, then runs 5-8 with
# sweep_point 2147483647, replication -5, sweep_point -1, replication 2147483647)
B=sweep-roo-354d082b385bead0f1
for k in 5 6 7 8; do
  rm -f x.db*; sqlite3 x.db < "$ROOT/tests/db/v5_out_of_range.sql"
  sqlite3 x.db "PRAGMA foreign_keys=ON; DELETE FROM runs WHERE id > 4 AND id <> $k"
  expect_rc 65 "$BIN" report --sweep $B --db x.db --no-report   # was: SIGSEGV, double free, or a silent answer
  grep -qF "x.db: run $k" "$T/last.err" || { cat "$T/last.err"; fail "report --sweep with run $k out of range"; }
done
# merge skips them with a note and keeps the rest
rm -f x.db* m.db*; sqlite3 x.db < "$ROOT/tests/db/v5_out_of_range.sql"
"$BIN" merge m.db x.db > "$T/out" 2> "$T/err" || { cat "$T/err"; fail "merge of out-of-range runs"; }
grep -qF "x.db: 4 runs added" "$T/out" || { cat "$T/out" "$T/err"; fail "merge: the good runs"; }
grep -qF "note: x.db: run 5 (uuid bad5): sweep_point 2147483647 is outside 0..1023: not copied" "$T/err" || { cat "$T/err"; fail "merge note"; }
grep -qF "note: x.db: 4 runs with a replication or sweep point out of range not merged" "$T/err" || fail "merge count"
"$BIN" report --sweep $B --db m.db --no-report > /dev/null 2>&1 || fail "the merged good runs report"
# optimize --resume over a replication out of range: refused (was: a hang, or a heap overflow for -5)
C="$ROOT/scenarios/capacity.json"
oargs="--param customers.arrivals.rate=20,40 --set horizon=2m --set warmup=10s --objective max:orders_paid --replications 4 --seed 3"
"$BIN" optimize "$C" $oargs --db o.db --no-report --quiet --budget 4 > /dev/null 2>&1 || true
oid=$(sqlite3 o.db "SELECT batch FROM runs LIMIT 1")
[ -n "$oid" ] || fail "optimize recorded nothing"
for rep in 2147483647 -5; do
  cp o.db o2.db; sqlite3 o2.db "UPDATE runs SET replication = $rep WHERE id = 1"
  set +e; timeout 20 "$BIN" optimize "$C" $oargs --db o2.db --no-report --quiet --resume "$oid" > /dev/null 2> "$T/err"; rc=$?; set -e
  [ $rc = 65 ] || { cat "$T/err"; fail "optimize --resume with replication $rep: exit $rc"; }
  grep -qF "o2.db: run 1: replication $rep is outside 0..99999" "$T/err" || { cat "$T/err"; fail "resume message"; }
done

# ---- 3. a run is 'running' only while a process holds it: merge never copies one -----------
rm -f sh.db* m2.db*
"$BIN" run s.json $small --db sh.db --quiet --no-report 2> /dev/null
sqlite3 sh.db "UPDATE runs SET status = 'running', finished_at = NULL"    # as a shard looks while it runs
"$BIN" merge m2.db sh.db > "$T/out" 2> "$T/err"
grep -qF "sh.db: 0 runs added" "$T/out" && grep -qF "note: sh.db: 1 run still running" "$T/err" || { cat "$T/out" "$T/err"; fail "merge copied a running run"; }
sqlite3 sh.db "UPDATE runs SET status = 'complete'"                        # the shard finished
"$BIN" merge m2.db sh.db > "$T/out" 2> "$T/err"
grep -qF "sh.db: 1 run added" "$T/out" || { cat "$T/out" "$T/err"; fail "a later merge did not bring the finished run in (was: lost for good)"; }
[ "$(sqlite3 m2.db "SELECT status FROM runs")" = complete ] || fail "merged run not complete"
# a 'running' copy left by an older merge (no pid: made before schema 5) is replaced by the finished run
sqlite3 m2.db "UPDATE runs SET status = 'running', pid = NULL"
"$BIN" merge m2.db sh.db > "$T/out" 2> "$T/err" || { cat "$T/err"; fail "merge over a stale copy"; }
grep -qF "sh.db: 1 run merged earlier while running replaced by its end" "$T/out" || { cat "$T/out"; fail "stale copy not replaced"; }
[ "$(sqlite3 m2.db "SELECT count(*) || status FROM runs")" = 1complete ] || fail "stale copy: not exactly one complete run"

# a lock timeout while writing the results (exit 74): the run ends 'failed', not 'running'
rm -f lk.db*
"$BIN" run s.json $small --db lk.db --quiet --no-report 2> /dev/null
"$BIN" run s.json --set customers.max_customers=300000 --db lk.db --db-timeout 0.2 --quiet --no-report > /dev/null 2> "$T/err" &
pid=$!
i=0; until [ "$(sqlite3 lk.db "SELECT count(*) FROM runs WHERE status = 'running'" 2> /dev/null)" = 1 ] || [ $i -ge 200 ]; do sleep 0.05; i=$((i + 1)); done
/usr/bin/python3 -c "import sqlite3, time; c = sqlite3.connect('lk.db', isolation_level=None); c.execute('BEGIN IMMEDIATE'); time.sleep(${LOCK_HOLD:-4}); c.execute('ROLLBACK')"
set +e; wait $pid; rc=$?; set -e
[ $rc = 74 ] || { cat "$T/err"; fail "a lock held past --db-timeout: exit $rc (expected 74)"; }
grep -qF "the results database is locked by" "$T/err" || { cat "$T/err"; fail "lock timeout message"; }
[ "$(sqlite3 lk.db "SELECT status FROM runs WHERE id = 2")" = failed ] || { cat "$T/err"; fail "a lock timeout left the run '$(sqlite3 lk.db "SELECT status FROM runs WHERE id = 2")' (was: 'running' for good)"; }
# out of memory (exit 71, address space limited; not under AddressSanitizer, which needs its own)
case "$BIN" in *address*) ;; *)
  rm -f oom.db*
  set +e; (ulimit -v 120000; "$BIN" run s.json --set customers.max_customers=3000000 --set 'customers.arrivals.schedule=[]' \
     --set customers.arrivals.rate=100000 --ledger --force --db oom.db --no-report --quiet > /dev/null 2> "$T/err"); rc=$?; set -e
  [ $rc = 71 ] || { cat "$T/err"; fail "out of memory: exit $rc"; }
  [ "$(sqlite3 oom.db "SELECT status FROM runs")" = failed ] || { cat "$T/err"; fail "out of memory left the run '$(sqlite3 oom.db "SELECT status FROM runs")' (was: 'running')"; } ;;
esac
# a process killed while its run is 'running': history says so, the next writer marks it
rm -f kl.db*
"$BIN" run s.json --set customers.max_customers=400000 --db kl.db --quiet --no-report > /dev/null 2>&1 &
pid=$!
i=0; until [ "$(sqlite3 kl.db "SELECT count(*) FROM runs WHERE status = 'running'" 2> /dev/null)" = 1 ] || [ $i -ge 200 ]; do sleep 0.05; i=$((i + 1)); done
kill -KILL $pid; set +e; wait $pid; set -e
"$BIN" history --db kl.db > "$T/out" 2>&1
grep -q " abandoned " "$T/out" || { cat "$T/out"; fail "history does not say the run's process is gone"; }
"$BIN" history --db kl.db --json | grep -q '"status": "abandoned"' || fail "history --json: abandoned"
"$BIN" run s.json $small --db kl.db --quiet --no-report 2> /dev/null
[ "$(sqlite3 kl.db "SELECT status FROM runs WHERE id = 1")" = interrupted ] || fail "the next writer did not mark the dead process's run interrupted"
# disk full while writing the results (a small file system): no run left 'running' by a live
# process, and none shown as running once it is gone
if mkdir -p "$T/full" && mount -t tmpfs -o size=900k tmpfs "$T/full" 2> /dev/null; then
  set +e; "$BIN" run s.json --set customers.max_customers=20000 --ledger --db "$T/full/f.db" --quiet --no-report > /dev/null 2> "$T/err"; rc=$?; set -e
  [ $rc = 74 ] || { cat "$T/err"; umount "$T/full"; fail "disk full: exit $rc"; }
  st=$(sqlite3 "$T/full/f.db" "SELECT group_concat(status) FROM runs" 2> /dev/null || echo none)
  hist=$("$BIN" history --db "$T/full/f.db" 2>&1 || true)
  case "$st" in *running*) echo "$hist" | grep -q " abandoned " || { echo "$hist"; umount "$T/full"; fail "disk full left a run 'running' ($st)"; } ;; esac
  umount "$T/full"
fi

# ---- 4. a results DB on a read-only medium is readable ---------------------------------------
n_runs=$(sqlite3 r.db "SELECT count(*) FROM runs WHERE status = 'complete'")
mkdir -p rodir && cp r.db rodir/r.db && chmod 444 rodir/r.db && chmod 555 rodir
"$BIN" history --db rodir/r.db > "$T/out" 2> "$T/err" || { cat "$T/err"; fail "history on a read-only directory"; }
[ "$(grep -c ' complete ' "$T/out")" = "$n_runs" ] || fail "history on a read-only directory: runs missing"
chmod 755 rodir
# a read-only file system (root ignores file modes): a tmpfs remounted read-only
if mkdir -p "$T/full" && mount -t tmpfs -o size=16m tmpfs "$T/full" 2> /dev/null; then
  cp r.db "$T/full/r.db"
  mount -o remount,ro "$T/full"
  "$BIN" history --db "$T/full/r.db" > "$T/out" 2> "$T/err" || { cat "$T/err"; fail "history on a read-only file system (was: unable to open, WAL -shm)"; }
  [ "$(grep -c ' complete ' "$T/out")" = "$n_runs" ] || fail "history on a read-only medium: runs missing"
  "$BIN" report 1 --db "$T/full/r.db" --out "$T/rep-ro" --quiet 2> "$T/err" || { cat "$T/err"; fail "report from a read-only medium"; }
  "$BIN" merge m3.db "$T/full/r.db" > /dev/null 2> "$T/err" || { cat "$T/err"; fail "merge from a read-only medium"; }
  umount "$T/full"
else
  echo "note: no tmpfs mount here: the read-only file system case was skipped"
fi
echo ok
