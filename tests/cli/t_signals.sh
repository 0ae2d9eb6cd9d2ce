# SIGINT/SIGTERM at seeded random moments of run, compare and sweep --jobs 2 (51 signals,
# reports on, so gnuplot and the report work directory are often live when it lands).
# After each: exit 130/143 with a message (or 0 if it had finished), PRAGMA integrity_check
# ok, no run left 'running', no work directory or temporary file left, no gnuplot left
# behind. At the end the interrupted runs are listed as such and complete runs are whole.
. tests/cli/lib.sh
DB="$T/s.db"
S="$ROOT/scenarios/flash_sale.json"
C="$ROOT/scenarios/capacity.json"
small="--set customers.max_customers=20000"
# processes whose working directory is inside $T: a gnuplot left running would be one
leftovers() { ls -l /proc/[0-9]*/cwd 2>/dev/null | grep -c -- "-> $T" || true; }
n=0; signalled=0
for i in $(seq 1 51); do
  delay=$(awk -v s="$i" 'BEGIN { srand(7000 + s); printf "%.3f", 0.02 + rand() * 0.5 }')
  if [ $((i % 2)) = 0 ]; then sig=INT; want=130; else sig=TERM; want=143; fi
  case $((i % 3)) in
    0) "$BIN" run "$S" $small --replications 4 --jobs 2 --db "$DB" --out "$T/out/run" --quiet > /dev/null 2> "$T/err" & ;;
    1) "$BIN" compare "$S" $small --replications 2 --jobs 2 --db "$DB" --out "$T/out/cmp" --quiet > /dev/null 2> "$T/err" & ;;
    2) "$BIN" sweep "$C" --param customers.arrivals.rate=20:80:20 --set horizon=4m --set warmup=30s --jobs 2 \
         --db "$DB" --out "$T/out/swp" --quiet > /dev/null 2> "$T/err" & ;;
  esac
  pid=$!
  sleep "$delay"
  kill -s "$sig" "$pid" 2>/dev/null || true
  set +e; wait "$pid"; rc=$?; set -e
  n=$((n + 1))
  if [ "$rc" = "$want" ]; then
    signalled=$((signalled + 1))
    # a signal before the handler is installed (the first microseconds) ends the process
    # with no message and nothing written; every later one says what happened
    [ ! -s "$T/err" ] || grep -q "^ordersim: interrupted by SIG$sig; stopped (exit $want)$" "$T/err" \
      || { cat "$T/err" >&2; fail "signal $i (SIG$sig): no message"; }
  elif [ "$rc" != 0 ]; then
    cat "$T/err" >&2; fail "signal $i (SIG$sig after ${delay}s): exit $rc"
  fi
  [ "$(leftovers)" = 0 ] || fail "signal $i: a process is still running in the test directory (orphaned gnuplot?)"
  find "$T" -name '*work-*' -o -name '*.old-*' -o -name '*.merge-*' | grep -q . && fail "signal $i: a work file was left"
  [ -e "$DB" ] || continue
  [ "$(sqlite3 "$DB" 'PRAGMA integrity_check')" = ok ] || fail "integrity_check after signal $i"
  # a signal between the file's creation and the schema's commit (one transaction) leaves a
  # file with no tables, which the next command sets up as new: nothing to check yet
  [ "$(sqlite3 "$DB" "SELECT count(*) FROM sqlite_master WHERE name = 'runs'")" = 1 ] || continue
  [ "$(sqlite3 "$DB" "SELECT count(*) FROM runs WHERE status = 'running'")" = 0 ] || fail "signal $i left a run 'running'"
done
interrupted=$(sqlite3 "$DB" "SELECT count(*) FROM runs WHERE status = 'interrupted'")
complete=$(sqlite3 "$DB" "SELECT count(*) FROM runs WHERE status = 'complete'")
[ "$interrupted" -gt 0 ] || fail "no run was ever interrupted: the delays miss the runs"
# complete runs are whole; interrupted ones have no metrics and a finish time
[ "$(sqlite3 "$DB" "SELECT count(*) FROM runs r WHERE status = 'complete' AND (SELECT count(*) FROM metrics WHERE run_id = r.id) = 0")" = 0 ] \
  || fail "a complete run without metrics"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM metrics m JOIN runs r ON r.id = m.run_id WHERE r.status = 'interrupted'")" = 0 ] \
  || fail "an interrupted run has metrics"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM runs WHERE status = 'interrupted' AND finished_at IS NULL")" = 0 ] \
  || fail "an interrupted run without its finish time"
"$BIN" history 500 --db "$DB" | grep -q " interrupted " || fail "history does not show interrupted runs"
echo "$n signals ($signalled ended by the signal, the rest had finished): $complete complete and $interrupted interrupted runs, DB sound"
