#!/bin/sh
# CLI tests: run each tests/cli/t_*.sh with $ORDERSIM, CLI_JOBS at a time (default 2: most
# scripts run one single-threaded process at a time, and each works in its own temporary
# directory); print "ok"/"FAIL" per script in name order, then "N passed, N failed".
: "${ORDERSIM:=build/ordersim}"
: "${CLI_JOBS:=2}"
export ORDERSIM
ls tests/cli/t_*.sh | xargs -P "$CLI_JOBS" -I{} sh -c \
  'if sh "$1" > "build/$(basename "$1").log" 2>&1; then echo ok > "build/$(basename "$1").rc";
   else echo FAIL > "build/$(basename "$1").rc"; fi' _ {}
pass=0; fail=0
for t in tests/cli/t_*.sh; do
  [ -e "$t" ] || continue
  r="build/$(basename "$t").rc"
  if [ "$(cat "$r" 2>/dev/null)" = ok ]; then pass=$((pass+1)); echo "ok   $t"
  else fail=$((fail+1)); echo "FAIL $t (log: build/$(basename "$t").log)"; tail -20 "build/$(basename "$t").log"; fi
  rm -f "$r"
done
echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
