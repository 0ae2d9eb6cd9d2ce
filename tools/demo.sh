#!/bin/sh
# make demo: the flagship comparison. Which inventory strategy for a flash sale, and why?
set -e
BIN="${1:-build/ordersim}"
echo "== ordersim compare scenarios/flash_sale.json --replications 10 --jobs 2"
echo "   (1,000 phones, 120,000 customers in the first minute and ~360,000 in two hours, 10% bots; every strategy sees the same customers)"
echo
"$BIN" compare scenarios/flash_sale.json --replications 10 --jobs 2
echo
echo "Open out/flash_sale/report.html in a browser (or read out/flash_sale/report.md)."
echo "All runs are in out/results.db: ordersim history, or sqlite3 out/results.db 'SELECT * FROM run_summary'."
