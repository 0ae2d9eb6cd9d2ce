#!/bin/sh
# make bench: runs the fixed benchmark scenarios on the release build, prints one table and
# stores every result in out/bench.db so the next run shows the change; then whole-process
# figures: --jobs scaling, small_runs (1,000 short replications), a tiny run, a sharded sweep. CALLGRIND=1 adds
# instructions per event counted by callgrind on a 200,000-customer cut of each scenario
# (stable on a noisy machine). Never part of `make test`.
set -eu
BIN=${1:-build/ordersim}
DB=${BENCH_DB:-out/bench.db}
CALLGRIND=${CALLGRIND:-0}
mkdir -p "$(dirname "$DB")"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
sqlite3 "$DB" "CREATE TABLE IF NOT EXISTS bench (id INTEGER PRIMARY KEY, at TEXT, git TEXT, name TEXT,
  customers INTEGER, events INTEGER, wall_seconds REAL, events_per_second REAL, customers_per_second REAL,
  peak_rss_bytes INTEGER, instructions_per_event REAL)"
git=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
now() { date +%s.%N; }
num() { sed -n "s/.*\"$1\": \([0-9.e+-]*\).*/\1/p" "$2" | head -1; }

# The machine's speed first: a bare M/M/1 event loop (tools/ref_mm1.c, fastest of 3), so that
# figures from machines of different speed can be compared by their ratio to it.
REF_MM1=${REF_MM1:-build/ref_mm1}
ref=0
if [ -x "$REF_MM1" ]; then
  for i in 1 2 3; do
    r=$("$REF_MM1" | sed -n 's/.*: \([0-9]*\) events\/s.*/\1/p')
    ref=$(awk -v a="$ref" -v b="$r" 'BEGIN { print (b > a) ? b : a }')
  done
  echo "machine reference (bare M/M/1 event loop, tools/ref_mm1.c, fastest of 3): $ref events/s; load average $(cut -d' ' -f1-3 /proc/loadavg)"
fi
printf '%-34s %10s %10s %8s %12s %12s %9s %9s %10s\n' scenario customers events wall_s events/s customers/s rss_MB Ir/event "vs last"
bench() { # name scenario [options...]
  name=$1; s=$2; shift 2
  "$BIN" run "$s" --json --no-report --quiet --db "$T/b.db" "$@" > "$T/out.json"
  cust=$(num customers "$T/out.json"); ev=$(num events "$T/out.json"); wall=$(num wall_seconds "$T/out.json")
  rss=$(num peak_rss_bytes "$T/out.json")
  eps=$(awk -v e="$ev" -v w="$wall" 'BEGIN { printf "%.0f", e / w }')
  cps=$(awk -v c="$cust" -v w="$wall" 'BEGIN { printf "%.0f", c / w }')
  ir=""
  if [ "$CALLGRIND" = 1 ]; then
    ir=$(sh tools/irpe.sh "$BIN" "$s" "$@" --set customers.max_customers=200000 | awk '{ print $(NF-2) }')
  fi
  prev=$(sqlite3 "$DB" ".parameter set :n '$name'" "SELECT wall_seconds FROM bench WHERE name = :n ORDER BY id DESC LIMIT 1")
  change=$(awk -v w="$wall" -v p="$prev" 'BEGIN { if (p == "") print "first"; else printf "%+.1f%%", 100 * (w - p) / p }')
  sqlite3 "$DB" ".parameter set :n '$name'" ".parameter set :g '$git'" ".parameter set :ir '${ir:-NULL}'" \
    "INSERT INTO bench (at, git, name, customers, events, wall_seconds, events_per_second, customers_per_second,
       peak_rss_bytes, instructions_per_event)
     VALUES (datetime('now'), :g, :n, $cust, $ev, $wall, $eps, $cps, $rss, CASE WHEN :ir = 'NULL' THEN NULL ELSE :ir END)"
  printf '%-34s %10s %10s %8.3f %12s %12s %9.1f %9s %10s\n' "$name" "$cust" "$ev" "$wall" "$eps" "$cps" \
    "$(awk -v r="$rss" 'BEGIN { print r / 1048576 }')" "${ir:--}" "$change"
}

if [ "${BENCH_SKIP_TABLE:-0}" != 1 ]; then   # BENCH_SKIP_TABLE=1: only the per-run overhead figures
bench kernel scenarios/bench/kernel.json
for st in reduce_on_order reduce_on_payment reserve_on_checkout; do
  bench "flash_sale_1m/$st" scenarios/bench/flash_sale_1m.json --strategy "$st"
done
# The same steady trade cut to 1,000,000 customers: peak RSS must be flat in the customers
# (it follows orders in flight), so the two rows should show about the same rss_MB.
bench steady_10m/1m_customers scenarios/bench/steady_10m.json --set customers.max_customers=1000000
bench steady_10m scenarios/bench/steady_10m.json

# Whole-process costs the table does not show.
FS=scenarios/bench/flash_sale_1m.json
t0=$(now); "$BIN" run "$FS" --quiet --no-report --db "$T/a.db" --replications 4 --jobs 1 --set customers.max_customers=500000; t1=$(now)
"$BIN" run "$FS" --quiet --no-report --db "$T/a.db" --replications 4 --jobs 2 --set customers.max_customers=500000; t2=$(now)
echo
awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN { printf "--jobs 2 vs --jobs 1 (4 replications of 500,000 customers): %.2fx (%.2f s vs %.2f s)\n", (b - a) / (c - b), c - b, b - a }'
t0=$(now); "$BIN" run "$FS" --quiet --no-report --db "$T/a.db" --replications 4 --jobs 1 --set customers.max_customers=250000; t1=$(now)
"$BIN" run "$FS" --quiet --no-report --db "$T/a.db" --replications 4 --jobs 2 --set customers.max_customers=250000; t2=$(now)
awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN { printf "--jobs 2 vs --jobs 1 (4 replications of 250,000 customers): %.2fx (%.2f s vs %.2f s)\n", (b - a) / (c - b), c - b, b - a }'
t0=$(now); "$BIN" run "$FS" --quiet --no-report --db "$T/c.db" --set report.sample_every=3h; t1=$(now)
"$BIN" run "$FS" --quiet --no-report --db "$T/d.db"; t2=$(now)
awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN { printf "time series (10 s samples) + results DB on flash_sale_1m: %+.1f%% (%.2f s vs %.2f s)\n", 100 * ((c - b) / (b - a) - 1), c - b, b - a }'
ORDERSIM_TIMING=1 "$BIN" run "$FS" --quiet --no-report --db "$T/e.db" --ledger --strategy reduce_on_payment 2> "$T/timing.txt"
sed -n 's/^timing: run [0-9]* recorded in \([0-9.]*\) s (\([0-9]*\) ledger rows.*/\1 \2/p' "$T/timing.txt" |
  awk '{ printf "--ledger: %d transitions recorded in %.2f s: %.0f rows/s (the whole DB write, series and metrics included)\n", $2, $1, $2 / $1 }'
fi

# Per-run overhead. Rows go to table bench_process (name, value, unit): each figure is
# measured whole-process, so it includes start, scenario load and the results DB.
sqlite3 "$DB" "CREATE TABLE IF NOT EXISTS bench_process (id INTEGER PRIMARY KEY, at TEXT, git TEXT, name TEXT,
  value REAL, unit TEXT)"
record() { # name value unit
  sqlite3 "$DB" ".parameter set :n '$1'" ".parameter set :g '$git'" ".parameter set :u '$3'" \
    "INSERT INTO bench_process (at, git, name, value, unit) VALUES (datetime('now'), :g, :n, $2, :u)"
}
[ "$ref" = 0 ] || record machine_reference_mm1 "$ref" events/s
SM=scenarios/bench/small.json
# small_runs: 1,000 replications of a 1,000-customer scenario in one invocation, DB writes included.
t0=$(now); "$BIN" run "$SM" --quiet --no-report --db "$T/s.db" --replications 1000 --jobs 2; t1=$(now)
sr=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", 1000 / (b - a) }')
record small_runs "$sr" replications/s
echo "small_runs (1,000 replications x 1,000 customers, --jobs 2, results DB): $sr replications/s"
# tiny run: the whole process, 100 customers, --no-report; the fastest of 20 (start-up noise).
best=999
for i in $(seq 20); do
  rm -f "$T/t.db" "$T/t.db-wal" "$T/t.db-shm"
  t0=$(now); "$BIN" run "$SM" --quiet --no-report --db "$T/t.db" --set customers.max_customers=100; t1=$(now)
  best=$(awk -v a="$t0" -v b="$t1" -v m="$best" 'BEGIN { w = 1000 * (b - a); print (w < m) ? w : m }')
done
record tiny_run_ms "$best" ms
echo "tiny run (100 customers, whole process, --no-report, new results DB): $best ms (fastest of 20)"
# Sharded sweep: 4 worker processes through GNU parallel, then merge; the merge should be
# negligible against the runs.
SW="$SM --param payment.failure_probability=0.01:0.04:0.01 --replications 2 --set customers.max_customers=200000"
t0=$(now)
parallel --will-cite -j 4 "$BIN" sweep $SW --shard {}/4 --db "$T/shard-{}.db" --no-report --quiet ::: 1 2 3 4
t1=$(now)
"$BIN" merge "$T/sweep.db" "$T"/shard-*.db > /dev/null; t2=$(now)
awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN { printf "sharded sweep (8 runs of 200,000 customers, 4 shards via GNU parallel): runs %.2f s, merge %.3f s (%.1f%% of the runs)\n", b - a, c - b, 100 * (c - b) / (b - a) }'
record sweep_4_shards_s "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" s
record sweep_merge_s "$(awk -v b="$t1" -v c="$t2" 'BEGIN { print c - b }')" s
echo "results stored in $DB (tables bench and bench_process)"
