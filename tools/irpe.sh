#!/bin/sh
# Instructions per simulated event, counted by callgrind (stable on a noisy machine).
# usage: tools/irpe.sh BIN SCENARIO [ordersim run options...]
BIN=$1; S=$2; shift 2
out=$(mktemp); log=$(mktemp)
valgrind --tool=callgrind --callgrind-out-file=/dev/null "$BIN" run "$S" --json --no-report --db "$out.db" "$@" > "$out" 2> "$log"
ir=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$log")
ev=$(sed -n 's/.*"engine": {"events": \([0-9]*\).*/\1/p' "$out")
rm -f "$out" "$log" "$out.db" "$out.db-wal" "$out.db-shm"
[ -n "$ir" ] && [ -n "$ev" ] || { echo "irpe: no measurement" >&2; exit 1; }
awk -v ir="$ir" -v ev="$ev" 'BEGIN { printf "%d instructions / %d events = %.0f per event\n", ir, ev, ir / ev }'
