#!/bin/sh
# CLI tests: run each tests/cli/t_*.sh with $ORDERSIM; print "N passed, N failed".
: "${ORDERSIM:=build/ordersim}"
export ORDERSIM
pass=0; fail=0
for t in tests/cli/t_*.sh; do
  [ -e "$t" ] || continue
  if sh "$t" > "build/$(basename "$t").log" 2>&1; then pass=$((pass+1)); echo "ok   $t"
  else fail=$((fail+1)); echo "FAIL $t (log: build/$(basename "$t").log)"; tail -20 "build/$(basename "$t").log"; fi
done
echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
