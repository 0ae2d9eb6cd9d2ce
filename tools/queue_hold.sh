#!/bin/sh
# The event queue's hold-model table (make queue-bench, part of make bench): for each number
# of pending events, ns per hold operation (pop the earliest, push it again later; the
# fastest of 3 repetitions of 1,000,000) of the 4-ary heap alone and of the queue as
# shipped; CALLGRIND=1 adds instructions per operation, counted by callgrind over the
# measured loop only (200,000 operations, the same on any machine).
# usage: tools/queue_hold.sh HEAP_BIN SHIPPED_BIN
set -eu
HEAP=$1; SHIP=$2
CALLGRIND=${CALLGRIND:-0}
SIZES=${QUEUE_HOLD_SIZES:-"10 100 1000 10000 100000 1000000"}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
ir() { # bin size -> instructions per operation
  valgrind --tool=callgrind --callgrind-out-file=/dev/null --toggle-collect=qh_hold \
    "$1" --ops 200000 --reps 1 "$2" > /dev/null 2> "$T/log"
  sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$T/log" | awk '{ printf "%.0f", $1 / 200000 }'
}
echo "event queue, hold model (ns/op: fastest of 3 x 1,000,000 operations; Ir/op: callgrind)"
printf '%10s %14s %14s %12s %12s\n' pending heap_ns/op shipped_ns/op heap_Ir/op shipped_Ir/op
"$HEAP" $SIZES > "$T/heap"
"$SHIP" $SIZES > "$T/ship"
for s in $SIZES; do
  h=$(awk -v s="$s" '$1 == s { print $2 }' "$T/heap"); p=$(awk -v s="$s" '$1 == s { print $2 }' "$T/ship")
  hi=-; pi=-
  if [ "$CALLGRIND" = 1 ]; then hi=$(ir "$HEAP" "$s"); pi=$(ir "$SHIP" "$s"); fi
  printf '%10s %14s %14s %12s %12s\n' "$s" "$h" "$p" "$hi" "$pi"
done
