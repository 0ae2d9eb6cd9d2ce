#!/bin/sh
# make kill-test: KILLS (default 100) SIGKILLs of sweep shards, merge and optimize (first
# run and --resume), each at a seeded random moment (KILL_SEED), stopping early after
# KILL_SECONDS if set (CI runs a 60-second cut). After every kill: PRAGMA integrity_check is
# ok on every results DB, and no run shows as 'running' in `history` (a run whose process
# is gone shows as 'abandoned'; the next writer marks it 'interrupted'). At the end the
# shards, the merge and the optimize are run to completion: the merged DB holds every
# (point, replication) of the sweep, and the resumed optimize answers as one never killed.
set -eu
ROOT=$(pwd)
BIN="$ROOT/${ORDERSIM:-build/ordersim}"
KILLS=${KILLS:-100}
LIMIT=${KILL_SECONDS:-0}
SEED=${KILL_SEED:-26}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
C="$ROOT/scenarios/capacity.json"
short="--set horizon=5m --set warmup=10s"
sweep_args="--param customers.arrivals.rate=20:80:20 --replications 2 $short --no-report --quiet"
opt_args="--param customers.arrivals.rate=20,40,60 $short --objective max:orders_paid --replications 4 --seed 3 --no-report --quiet"
cd "$T"
# check_db FILE: sound, and nothing shown as running (no process of this test is alive now)
check_db() {
  [ -s "$1" ] || return 0
  [ "$(sqlite3 "$1" 'PRAGMA integrity_check')" = ok ] || fail "kill $i ($what): integrity_check of $1"
  "$BIN" history 1000000 --db "$1" > "$T/hist" 2>&1 || { grep -q "no such results database\|holds no results" "$T/hist" && return 0; cat "$T/hist"; fail "kill $i ($what): history of $1"; }
  ! awk 'NR > 1 && $8 == "running"' "$T/hist" | grep -q . || { cat "$T/hist"; fail "kill $i ($what): $1 shows a run 'running' after its process was killed"; }
}
opt_id() { sqlite3 opt.db "SELECT batch FROM runs WHERE kind = 'optimize' AND status = 'complete' LIMIT 1" 2> /dev/null || true; }
start=$(date +%s)
i=0; kills=0
while [ $i -lt "$KILLS" ]; do
  i=$((i + 1))
  [ "$LIMIT" -gt 0 ] && [ $(( $(date +%s) - start )) -ge "$LIMIT" ] && break
  delay=$(awk -v s="$SEED" -v i="$i" 'BEGIN { srand(s * 1000 + i); printf "%.3f", 0.02 + rand() * 0.4 }')
  case $((i % 4)) in
    0|2) k=$(( (i / 4) % 2 + 1 )); what="sweep shard $k/2"
         "$BIN" sweep "$C" $sweep_args --shard $k/2 --db shard$k.db > /dev/null 2>&1 & ;;
    1)   what="merge"
         set -- shard*.db; [ -e "$1" ] || continue
         "$BIN" merge out.db "$@" > /dev/null 2>&1 & ;;
    3)   id=$(opt_id); what="optimize${id:+ --resume}"
         if [ -n "$id" ]; then "$BIN" optimize "$C" $opt_args --db opt.db --resume "$id" > /dev/null 2>&1 &
         else "$BIN" optimize "$C" $opt_args --db opt.db > /dev/null 2>&1 & fi ;;
  esac
  pid=$!
  sleep "$delay"
  kill -KILL $pid 2> /dev/null && kills=$((kills + 1)) || true
  set +e; wait $pid 2> /dev/null; set -e
  for db in shard1.db shard2.db out.db opt.db; do check_db "$db"; done
done
echo "kill-test: $kills SIGKILLs in $i rounds ($(( $(date +%s) - start )) s), every DB sound, no run left showing 'running'"
# ---- to completion: every run is there in the end
i=end; what="completion"
for k in 1 2; do "$BIN" sweep "$C" $sweep_args --shard $k/2 --db shard$k.db > /dev/null 2>&1 || fail "shard $k/2 to completion"; done
"$BIN" merge out.db shard1.db shard2.db > /dev/null 2> "$T/merge.err" || { cat "$T/merge.err"; fail "the final merge"; }
sid=$(sqlite3 shard1.db "SELECT batch FROM runs WHERE kind = 'sweep' LIMIT 1")
[ "$(sqlite3 out.db "SELECT count(*) FROM (SELECT DISTINCT sweep_point, replication FROM runs WHERE batch = '$sid' AND status = 'complete')")" = 8 ] \
  || fail "the merged DB lacks a (point, replication) of the sweep"
"$BIN" report --sweep "$sid" --db out.db --no-report > /dev/null 2>&1 || fail "report --sweep of the merged DB"
id=$(opt_id)
if [ -n "$id" ]; then "$BIN" optimize "$C" $opt_args --db opt.db --resume "$id" --json > opt.json 2> "$T/opt.err" || { cat "$T/opt.err"; fail "optimize --resume to completion"; }
else "$BIN" optimize "$C" $opt_args --db opt.db --json > opt.json 2> "$T/opt.err" || { cat "$T/opt.err"; fail "optimize to completion"; }; fi
"$BIN" optimize "$C" $opt_args --db clean.db --json > clean.json 2> /dev/null || fail "the optimize never killed"
# the same answer as an optimize never killed (the id, wall times and run counts of this invocation aside)
strip() { grep -v '"optimize_id"\|"wall\|"ran"' "$1"; }
[ "$(strip opt.json)" = "$(strip clean.json)" ] || { diff opt.json clean.json | head -20; fail "the resumed optimize differs from one never killed"; }
for db in shard1.db shard2.db out.db opt.db; do check_db "$db"; done
echo "kill-test: merge and resume ended with every run; the resumed optimize equals one never killed"
