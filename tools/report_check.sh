#!/bin/sh
# make report-check: renders the demo's report.html and a capacity report in headless
# Chromium and fails on console messages, requests that leave the machine, or a missing
# section. Screenshots land in out/report-check/*.png. Not part of `make test` (it needs a
# browser and takes about a minute).
#
#   sh tools/report_check.sh [BIN]
set -e
BIN="${1:-build/ordersim}"
OUT="$(pwd)/out/report-check"
sh tools/deps.sh chromium python3
CHROME=$(command -v chromium || command -v chromium-browser)
rm -rf "$OUT"
mkdir -p "$OUT"
echo "== the demo's comparison (3 replications) and a capacity sweep"
"$BIN" compare scenarios/flash_sale.json --replications 3 --out "$OUT/demo" --db "$OUT/r.db" --quiet
"$BIN" sweep scenarios/capacity.json --param customers.arrivals.rate=40:100:20 --replications 2 \
  --slo 'order_to_pay_p95<600' --out "$OUT/capacity" --db "$OUT/r.db" --quiet
fails=0
# check NAME HTML SECTION... : render, log console and network, screenshot, check sections
check() {
  name=$1 html=$2
  shift 2
  url="file://$(cd "$(dirname "$html")" && pwd)/$(basename "$html")"
  flags="--headless --no-sandbox --disable-gpu --hide-scrollbars --disable-background-networking --disable-component-update
         --disable-sync --no-first-run --disable-default-apps --disable-extensions --enable-logging=stderr --log-level=0"
  nores="--host-resolver-rules=MAP * ~NOTFOUND"   # nothing resolves: a request cannot leave
  # shellcheck disable=SC2086
  "$CHROME" $flags "$nores" --log-net-log="$OUT/$name.netlog.json" --dump-dom "$url" > "$OUT/$name.dom.html" 2> "$OUT/$name.console.log" || true
  # shellcheck disable=SC2086
  "$CHROME" $flags "$nores" --window-size=1280,1500 --screenshot="$OUT/$name-top.png" "$url" > /dev/null 2>&1 || true
  # further down the page: a frame scrolled to the section (a screenshot of the page itself
  # always shows its top)
  for sec in $shots; do
    printf '<!DOCTYPE html><html><body style="margin:0"><iframe src="%s#%s" style="border:0;width:1280px;height:1500px"></iframe></body></html>' \
      "$url" "$sec" > "$OUT/$name-$sec.html"
    # shellcheck disable=SC2086
    "$CHROME" $flags "$nores" --window-size=1280,1500 --virtual-time-budget=5000 --screenshot="$OUT/$name-$sec.png" \
      "file://$OUT/$name-$sec.html" > /dev/null 2>&1 || true
    rm -f "$OUT/$name-$sec.html"
  done
  python3 - "$OUT/$name.netlog.json" "$OUT/$name.console.log" "$OUT/$name.dom.html" "$@" <<'PY' || fails=$((fails + 1))
import json, re, sys
netlog, console, dom, sections = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
bad = []
# requests made by the page (their isolation key is the file:// page) must stay local
for e in json.load(open(netlog)).get("events", []):
    p = e.get("params") or {}
    url, nik = p.get("url", ""), p.get("network_isolation_key", "")
    if url and nik.startswith("file://") and not url.startswith(("file:", "data:")):
        bad.append("external request: " + url)
for line in open(console, errors="replace"):
    if ":CONSOLE" in line:
        bad.append("console: " + line.strip())
html = open(dom, errors="replace").read()
if len(html) < 1000:
    bad.append("the page did not render (%d bytes of DOM)" % len(html))
for s in sections:
    if not re.search(r'<h2 id="%s">' % re.escape(s), html):
        bad.append("missing section: " + s)
text = re.sub(r"<(style|svg|script)\b.*?</\1>", " ", html, flags=re.S)
text = re.sub(r"<[^>]+>", " ", text)
m = re.search(r"(?<![\w.#])\d+(\.\d+)?[eE][+-]?\d+\b", text)
if m:
    bad.append("a number in exponent notation: " + text[max(0, m.start() - 30):m.end() + 10])
for b in bad:
    print("FAIL " + dom + ": " + b)
if not bad:
    print("ok   %s: %d sections, no console message, no external request" % (dom, len(sections)))
sys.exit(1 if bad else 0)
PY
  for png in "$OUT/$name-top.png" $(for sec in $shots; do echo "$OUT/$name-$sec.png"; done); do
    [ -s "$png" ] || { echo "FAIL no screenshot $png"; fails=$((fails + 1)); }
  done
}
shots="verdicts stations charts"
check demo "$OUT/demo/report.html" summary thresholds baseline verdicts conclusion metrics stations invariants charts
shots="capacity_stations charts"
check capacity "$OUT/capacity/report.html" summary thresholds baseline capacity capacity_stations metrics stations invariants charts
echo "screenshots: $(ls "$OUT"/*.png | tr '\n' ' ')"
[ "$fails" = 0 ] || { echo "report-check: $fails failure(s)"; exit 1; }
echo "report-check passed"
