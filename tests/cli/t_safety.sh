# Nothing written where it must not be, the results DB judged before it is changed, lock
# waits with a deadline, and merge refusing bad inputs. Each case asserts the exit code, the
# message, and that nothing was written or changed (a digest of every file before and after).
. tests/cli/lib.sh
S="$ROOT/scenarios/flash_sale.json"
small="--set customers.max_customers=2000"
# digest DIR: names, types and contents of everything below DIR. SQLite's -wal/-shm
# companions are left out: a reader of a WAL-mode database may create them empty (the
# database file itself is covered).
digest() { (cd "$1" && find . ! -name '*-wal' ! -name '*-shm' -print | LC_ALL=C sort | while read -r f; do
  if [ -f "$f" ] && [ ! -L "$f" ]; then echo "$f $(sha256sum < "$f")"; else echo "$f $(stat -c %F "$f")"; fi; done) | sha256sum; }
# refused RC MESSAGE CMD...: CMD exits RC, stderr has MESSAGE, and nothing under $T/w changed
refused() {
  rc=$1; msg=$2; shift 2
  before=$(digest "$T/w")
  (cd "$T/w" && expect_rc "$rc" "$@")
  grep -qF -- "$msg" "$T/last.err" || { cat "$T/last.err" >&2; fail "message '$msg' missing: $*"; }
  [ "$(digest "$T/w")" = "$before" ] || { ls -laR "$T/w" >&2; fail "something was written or changed: $*"; }
}
mkdir -p "$T/w"
cd "$T/w"
"$BIN" run "$S" $small --db good.db --quiet --no-report
cd "$ROOT"

# --- 1. writing where it must not
refused 2 "ordersim: --out '' is empty; give a directory" "$BIN" run "$S" $small --db good.db --out ''
refused 2 "ordersim: --db '' is an empty file name; give a file name" "$BIN" run "$S" $small --db ''
refused 2 "ordersim: --db ':memory:' is an in-memory database, which would lose every result" "$BIN" run "$S" $small --db :memory:
refused 2 "ordersim: --db 'file:x.db' is a URI (file:...)" "$BIN" run "$S" $small --db file:x.db
refused 2 "ordersim: --db '' is an empty file name" "$BIN" history --db ''
# a directory of the user's own files is never replaced by a report
mkdir -p "$T/w/mine" && echo "my notes" > "$T/w/mine/notes.txt" && echo "# readme" > "$T/w/mine/README.md"
refused 74 "mine: exists and is not an ordersim report directory ('notes.txt'); it was left untouched" \
  "$BIN" run "$S" $small --out "$T/w/mine" --quiet --db "$T/x.db"
rm -f "$T/x.db"*
before=$(digest "$T/w")
(cd "$T/w" && expect_rc 74 "$BIN" report 1 --db good.db --out . --quiet)
grep -qF "give the report its own directory (a name, not '.' or '..')" "$T/last.err" || fail "--out . not refused clearly"
[ "$(digest "$T/w")" = "$before" ] || fail "--out . changed the directory"
# report RUN_ID cleans the scenario name like run does: nothing outside out/
mkdir -p "$T/w2/a/b"
"$BIN" run "$S" $small --set 'name=../../x' --db "$T/w2/n.db" --quiet --no-report
(cd "$T/w2/a/b" && "$BIN" report 1 --db ../../n.db --quiet)
[ -f "$T/w2/a/b/out/_._.._x/run-1/report.md" ] || fail "report RUN_ID did not clean the name"
[ "$(find "$T/w2" -name report.md | wc -l)" = 1 ] || fail "report RUN_ID wrote outside out/"
# a report is replaced as a unit: nothing of the previous one survives (compare wrote three
# strategies' data files; a run writes one), nested reports are carried over
(cd "$T/w2" && "$BIN" compare "$S" $small --db n.db --out rep --quiet && "$BIN" report 1 --db n.db --out rep/run-1 --quiet)
[ -f "$T/w2/rep/series_2.dat" ] || fail "compare wrote no series_2.dat"
(cd "$T/w2" && "$BIN" run "$S" $small --db n.db --out rep --quiet)
[ ! -e "$T/w2/rep/series_2.dat" ] || fail "a file of the previous report survived: not replaced as a unit"
[ -f "$T/w2/rep/run-1/report.md" ] || fail "a nested report was not carried over"
ls -A "$T/w2" | grep -q 'work-\|\.old-' && fail "a work directory was left beside the report"

# --- 2. the results DB is judged before it is changed
cp "$T/w/good.db" "$T/w/before.db"
sqlite3 "$T/w/app.db" "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users VALUES (1, 'ann');"
sqlite3 "$T/w/app2.db" "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT); CREATE TABLE orders (id INTEGER);"
echo "not a database" > "$T/w/text.db"
sqlite3 "$T/w/newer.db" < "$ROOT/tests/db/v2.sql"
sqlite3 "$T/w/newer.db" "UPDATE meta SET value = '99' WHERE key = 'schema_version'"
for cmd in "run $S $small --no-report" "history" "report 1"; do
  # shellcheck disable=SC2086
  refused 74 "app.db: not an ordersim results database (it holds other tables: users); it was left untouched" "$BIN" $cmd --db app.db
  # shellcheck disable=SC2086
  refused 74 "app2.db: not an ordersim results database (it holds other tables: meta, orders); it was left untouched" "$BIN" $cmd --db app2.db
  # shellcheck disable=SC2086
  refused 74 "text.db: cannot read it as an SQLite database (is it a results database?): file is not a database" "$BIN" $cmd --db text.db
  # shellcheck disable=SC2086
  refused 74 "newer.db: results database schema version 99 is newer than this ordersim's (5); it was left untouched" "$BIN" $cmd --db newer.db
done
# read-only commands never create: a mistyped --db is 66 and leaves no file or directory
refused 66 "nope/r.db: no such results database (check --db)" "$BIN" history --db nope/r.db
refused 66 "r.db: no such results database (check --db)" "$BIN" report 1 --db r.db
refused 66 "r.db: no such results database (check --db)" "$BIN" report --sweep abc --db r.db
refused 66 "r.db: no such results database (check --db)" "$BIN" check "$S" $small --baseline-run 1 --db r.db
: > "$T/w/empty.db"
refused 66 "empty.db: holds no results (an empty file)" "$BIN" history --db empty.db
# older versions: read-only commands refuse them untouched; a writing command migrates
for f in "$ROOT"/tests/db/v1_*.sql "$ROOT/tests/db/v2.sql" "$ROOT/tests/db/v3.sql" "$ROOT/tests/db/v4.sql"; do
  b=$(basename "$f" .sql); db="$T/w/$b.db"
  sqlite3 "$db" < "$f"
  old=$(sqlite3 "$db" "SELECT value FROM meta WHERE key = 'schema_version'")
  refused 74 "$b.db: results database schema version $old, older than this ordersim's (5); it was left untouched: \`ordersim merge $b.db\` upgrades it in place" \
    "$BIN" history --db "$b.db"
  metrics=$(sqlite3 "$db" "SELECT run_id, name, quote(value) FROM metrics ORDER BY 1, 2" | sha256sum)
  ledger=""
  if sqlite3 "$db" "SELECT 1 FROM pragma_table_info('transitions') WHERE name = 'action' AND type = 'TEXT'" | grep -q 1; then
    ledger=$(sqlite3 "$db" "SELECT run_id, order_id, t, action, actor, coalesce(from_state, ''), to_state, shortfall
                            FROM transitions ORDER BY run_id, order_id, t, rowid" | sha256sum)
  fi
  expect_rc 0 "$BIN" merge "$db"
  [ "$(sqlite3 "$db" "SELECT value FROM meta WHERE key = 'schema_version'")" = 5 ] || fail "$b: not migrated to 5"
  # version 5: who runs each run, and the invocation behind each batch (none for older runs)
  [ "$(sqlite3 "$db" "SELECT count(*) FROM pragma_table_info('runs') WHERE name IN ('pid', 'host')")" = 2 ] || fail "$b: runs.pid/host missing"
  [ "$(sqlite3 "$db" "SELECT count(*) FROM batches")" = 0 ] || fail "$b: batches invented for old runs"
  # every series column is described (version 4), its values untouched
  [ "$(sqlite3 "$db" "SELECT count(*) FROM (SELECT DISTINCT run_id, name FROM series) s
                      WHERE NOT EXISTS (SELECT 1 FROM series_columns c WHERE c.run_id = s.run_id AND c.name = s.name)")" = 0 ] \
    || fail "$b: a series column without its description after the migration"
  [ "$(sqlite3 "$db" 'PRAGMA integrity_check')" = ok ] || fail "$b: integrity after migration"
  [ -z "$(sqlite3 "$db" 'PRAGMA foreign_key_check')" ] || fail "$b: foreign keys after migration"
  [ "$(sqlite3 "$db" "SELECT run_id, name, quote(value) FROM metrics ORDER BY 1, 2" | sha256sum)" = "$metrics" ] || fail "$b: metrics changed"
  if [ -n "$ledger" ]; then
    [ "$(sqlite3 "$db" "SELECT run_id, order_id, t, action, actor, coalesce(from_state, ''), to_state, shortfall
                        FROM transitions_named ORDER BY run_id, order_id, n" | sha256sum)" = "$ledger" ] || fail "$b: the ledger changed in the migration"
  fi
  expect_rc 0 "$BIN" report 1 --db "$db" --out "$T/rep-$b" --quiet
  expect_rc 0 "$BIN" run "$S" $small --db "$db" --no-report --quiet --ledger
  [ "$(sqlite3 "$db" "SELECT count(*) FROM runs WHERE status = 'complete'")" = 3 ] || fail "$b: a new run after the migration"
  [ "$(sqlite3 "$db" "SELECT count(*) FROM breakdowns WHERE run_id = (SELECT max(id) FROM runs)")" -gt 0 ] ||
    fail "$b: the run recorded after the migration has no breakdowns"
  [ "$(sqlite3 "$db" "SELECT count(*) FROM batches b JOIN runs r ON r.batch = b.batch WHERE r.id = (SELECT max(id) FROM runs)
                      AND b.argv LIKE '[\"%ordersim\", \"run\", %' AND b.pid > 0")" = 1 ] || fail "$b: the new run has no invocation row"
  echo "$b: migrated to version 5; metrics and ledger unchanged"
done

# --- 3. a lock wait has one deadline and names the holder
(echo "BEGIN IMMEDIATE; INSERT INTO meta VALUES ('lock', 'held');"; sleep 6) | sqlite3 "$T/w/good.db" &
holder=$!
sleep 0.5
t0=$(date +%s)
expect_rc 74 "$BIN" run "$S" $small --db "$T/w/good.db" --no-report --quiet --db-timeout 1
t1=$(date +%s)
grep -q "good.db: the results database is locked by process [0-9]* (sqlite3); gave up after waiting 1 s (--db-timeout SECONDS waits longer)" \
  "$T/last.err" || { cat "$T/last.err" >&2; fail "lock message"; }
[ $((t1 - t0)) -le 3 ] || fail "waited $((t1 - t0)) s for a 1 s deadline"
wait "$holder"
expect_rc 2 "$BIN" run "$S" $small --db-timeout forever
grep -qF "ordersim: --db-timeout takes seconds from 0 to 86400, not 'forever'" "$T/last.err" || fail "--db-timeout message"

# --- 4. one estimate for the whole invocation, refused above the limits (timeout: a guard
# in case the refusal breaks; each of these would run for hours). --jobs 1: the estimate
# divides by the threads, and --jobs defaults to the number of cores.
B10="$ROOT/scenarios/bench/steady_10m.json"
refused 65 "steady_10m.json: this invocation would make 1000 runs (replications x strategies, over 1000 scenario points) of about 5e+10 events in all: roughly 9.26 hours on 1 thread" \
  timeout 60 "$BIN" sweep "$B10" --param customers.arrivals.rate=100:100000:100 --jobs 1 --db s.db
refused 65 "flash_sale.json: this invocation would make 20 runs (replications x strategies, over 1 scenario point) of about" \
  timeout 60 "$BIN" run "$S" --set horizon=20d --set report.sample_every=1s --replications 20 --jobs 1 --db s.db
grep -q "GB more in the results DB (622 M series values" "$T/last.err" || fail "series values not counted"
refused 65 "steady_10m.json: this invocation would make 30 runs (replications x strategies, over 1 scenario point) of about 1.5e+09 events in all: roughly 0.278 hours on 1 thread" \
  timeout 60 "$BIN" run "$B10" --ledger --replications 30 --jobs 1 --db s.db
grep -q "M series values, 1.5e+03 M ledger rows" "$T/last.err" || fail "ledger rows not counted"
refused 65 "flash_sale.json: this invocation would make 100000 runs (replications x strategies, over 1 scenario point) of about" \
  timeout 60 "$BIN" run "$S" $small --replications 100000 --jobs 1 --db s.db
grep -q "M ledger rows, [0-9.]* MB of scenario text" "$T/last.err" || fail "scenario text not counted once per run"
refused 65 "flash_sale.json: this invocation would make 300000 runs (replications x strategies, over 1 scenario point)" \
  timeout 60 "$BIN" compare "$S" $small --replications 100000 --jobs 1 --db s.db
# a sweep's shard is estimated on its share
refused 65 "steady_10m.json: this invocation would make 500 runs (replications x strategies, over 1000 scenario points)" \
  timeout 60 "$BIN" sweep "$B10" --param customers.arrivals.rate=100:100000:100 --shard 1/2 --jobs 1 --db s.db

# --- 6. check: a bad baseline is bad input (65), only a real regression is 1
"$BIN" run "$S" $small --json --no-report --db "$T/c.db" > "$T/w/base.json"
: > "$T/w/empty.json"
echo '{"metrics": {}}' > "$T/w/nometrics.json"
echo '{"metrics": {"latency": 3, "errors": 0}}' > "$T/w/foreign.json"
echo '{"metrics": {"orders_paid": "many"}}' > "$T/w/string.json"
echo '{"metrics": {"orders_paid": 1' > "$T/w/broken.json"
refused 65 "empty.json:1:1: malformed JSON: unexpected end of file" "$BIN" check "$S" $small --baseline empty.json --db "$T/c.db" --no-report
refused 65 "nometrics.json: not an ordersim summary: none of the" "$BIN" check "$S" $small --baseline nometrics.json --db "$T/c.db" --no-report
refused 65 "foreign.json: not an ordersim summary: none of the" "$BIN" check "$S" $small --baseline foreign.json --db "$T/c.db" --no-report
refused 65 "string.json: metrics.orders_paid: found a string, expected a number or null: not an ordersim summary" "$BIN" check "$S" $small --baseline string.json --db "$T/c.db" --no-report
refused 65 "broken.json:2:1: malformed JSON: unexpected end of file" "$BIN" check "$S" $small --baseline broken.json --db "$T/c.db" --no-report
expect_rc 0 "$BIN" check "$S" $small --set name=elsewhere --baseline "$T/w/base.json" --db "$T/c.db" --no-report --quiet
grep -qF "base.json: warning: the baseline is of scenario 'flash_sale', this check runs 'elsewhere'" "$T/last.err" || fail "no warning for another scenario's baseline"
sed 's/"orders_paid": [0-9][0-9]*/"orders_paid": 100000/' "$T/w/base.json" > "$T/w/better.json"
expect_rc 1 "$BIN" check "$S" $small --baseline "$T/w/better.json" --db "$T/c.db" --no-report
grep -q "^orders_paid .*REGRESSED" "$T/last.out" || fail "a real regression is not reported as one"

# --- 7. strict input and safe echo (scenario files: tests/bad_input/r02..r04)
refused 2 "--set catalog[0]={\"sku\":\"a\",\"sku\":\"b\",\"stock\":1,\"price\":1}: duplicate key \"sku\" in the value" \
  "$BIN" run "$S" --set 'catalog[0]={"sku":"a","sku":"b","stock":1,"price":1}' --db n.db
refused 2 '--set name=caf\xE9: invalid UTF-8 (byte 0xE9) at byte 4 of the value' "$BIN" run "$S" --set "name=$(printf 'caf\351')" --db n.db
refused 2 '--set name=a\x1B[31mred: a control character (0x1B) at byte 2 of the value' "$BIN" run "$S" --set "name=$(printf 'a\033[31mred')" --db n.db
refused 2 '--set customers.max_customers=007: a number with a leading zero (JSON numbers have none) at byte 1 of the value' \
  "$BIN" run "$S" --set customers.max_customers=007 --db n.db
# a 120 KB value is not echoed whole
big=$(head -c 120000 /dev/zero | tr '\0' x)
refused 2 "... (120008 bytes): bad array index in \"nope[x]\"" "$BIN" run "$S" --set "nope[x]=$big" --db n.db
[ "$(wc -c < "$T/last.err")" -lt 1000 ] || fail "an error echoed a 120 KB --set value"
refused 65 "... (120008 bytes)): catalog: found a string, expected an array" "$BIN" run "$S" --set "catalog=$big" --db n.db
[ "$(wc -c < "$T/last.err")" -lt 1000 ] || fail "a scenario error echoed a 120 KB --set value"
# a FIFO as a process definition or a scenario is refused at once, not waited on
mkfifo "$T/w/p.fifo"
refused 65 "p.fifo: is a FIFO (named pipe), expected a regular JSON file" timeout 10 "$BIN" run "$S" --set "process=$T/w/p.fifo" --db n.db
refused 74 "p.fifo: is a FIFO (named pipe), expected a regular JSON file" timeout 10 "$BIN" run p.fifo --db n.db
# control characters in a name are escaped on the terminal, in JSON and in report.md; HTML
# and Markdown in names and descriptions are quoted, not rendered
name='"bell\u0007esc\u001b[31m<b>*x*</b>"'
(cd "$T/w2" && expect_rc 0 "$BIN" run "$S" $small --set "name=$name" --set 'description=[link](http://e) <script>x</script>' --db n.db --out ctl)
grep -q '^ordersim report: bell\\x07esc\\x1B\[31m<b>\*x\*</b>$' "$T/last.out" || { cat "$T/last.out" >&2; fail "terminal output not escaped"; }
LC_ALL=C grep -q "$(printf '\033')" "$T/last.out" && fail "a raw ESC reached the terminal"
(cd "$T/w2" && "$BIN" run "$S" $small --set "name=$name" --db n.db --no-report --json > j.json)
grep -qF '"scenario": "bell\u0007esc\u001b[31m<b>*x*</b>"' "$T/w2/j.json" || fail "JSON output not escaped"
grep -qF '# ordersim report: bell esc \[31m&lt;b&gt;\*x\*&lt;/b&gt;' "$T/w2/ctl/report.md" || { head -3 "$T/w2/ctl/report.md" >&2; fail "report.md title not escaped"; }
grep -qF '\[link\]\(http://e\) &lt;script&gt;x&lt;/script&gt;' "$T/w2/ctl/report.md" || fail "report.md description not escaped"
LC_ALL=C grep -q "$(printf '[\007\033]')" "$T/w2/ctl/report.md" && fail "a control character reached report.md"

# --- 8. merge
refused 2 "ordersim merge: good.db is the output good.db itself; nothing was merged" "$BIN" merge good.db good.db
refused 2 "ordersim merge: ./good.db is the output good.db itself" "$BIN" merge good.db before.db ./good.db
refused 66 "missing.db: no such results database (check --db)" "$BIN" merge new.db before.db missing.db
grep -qF "ordersim merge: input missing.db refused; nothing was merged" "$T/last.err" || fail "merge does not name the input"
refused 74 "app.db: not an ordersim results database" "$BIN" merge new.db before.db app.db
refused 74 "app.db: not an ordersim results database" "$BIN" merge good.db before.db app.db
sqlite3 "$T/w/old.db" < "$ROOT/tests/db/v1_f5d946d.sql"
refused 74 "old.db: results database schema version 1, older than this ordersim's (5)" "$BIN" merge new.db old.db
refused 2 "ordersim merge: expected OUT.db and at least one IN.db" "$BIN" merge new.db
(cd "$T/w" && expect_rc 0 "$BIN" merge new.db before.db --quiet)
[ "$(sqlite3 "$T/w/new.db" "SELECT count(*) FROM runs")" = 1 ] || fail "merge into a new file"
ls -A "$T/w" | grep -q 'merge-' && fail "merge left its temporary file"
echo ok
