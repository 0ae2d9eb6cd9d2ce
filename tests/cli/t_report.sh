# The report model: report.md and report.html carry the same sections and the same numbers
# (both parsed), no number in md/html/txt uses exponent notation, the currency comes from the
# scenario, and check --junit / --json list one rule per threshold and baseline figure.
. tests/cli/lib.sh
S="$ROOT/scenarios/slow_payments.json"
small="--set customers.max_customers=3000"
# (the terminal output of each command is kept: it is checked for exponents below)
"$BIN" run "$S" $small --set currency=EUR --replications 2 --db "$T/r.db" --out "$T/run" > "$T/run.term"
"$BIN" run "$S" $small --json --no-report --db "$T/r.db" > "$T/base.json"
expect_rc 1 "$BIN" check "$S" $small --set customers.arrivals.rate=3 --baseline "$T/base.json" --db "$T/r.db" --out "$T/chk" \
  --junit "$T/junit.xml"
cp "$T/last.out" "$T/chk.term"
"$BIN" compare "$S" $small --replications 2 --db "$T/r.db" --out "$T/cmp" > "$T/cmp.term"
"$BIN" sweep "$ROOT/scenarios/capacity.json" --param customers.arrivals.rate=40,100 --set horizon=3m --set warmup=30s \
  --db "$T/r.db" --out "$T/swp" > "$T/swp.term"
# fit: a log with large delays (days, in seconds: where %g would switch to exponents)
"$BIN" run "$ROOT/scenarios/week_shop.json" --orders-csv "$T/week.csv" --no-report --quiet --db "$T/r.db"
"$BIN" fit "$T/week.csv" -o "$T/fitted.json" --out "$T/fit" > "$T/fit.term"
# exponent notation in human text: a number directly followed by e/E and digits (hex ids of
# batches are not numbers: the "recorded" lines are left out)
has_exponent() { grep -v '^recorded ' "$1" | grep -nE '(^|[^0-9A-Za-z_.#-])[0-9]+(\.[0-9]+)?[eE][+-]?[0-9]+'; }
for f in run.term chk.term cmp.term swp.term fit.term fit/report.md; do
  [ -s "$T/$f" ] || fail "$f is empty"
  ! has_exponent "$T/$f" >&2 || fail "exponent notation in $f"
done
grep -q 'median [0-9,]* s' "$T/fit.term" || fail "the fit prints no delay median"
sed 's/<[^>]*>/ /g' "$T/fit/report.html" | grep -v 'svg\|stroke\|fill' > "$T/fit.html.txt"
! has_exponent "$T/fit.html.txt" >&2 || fail "exponent notation in the fit's report.html"
# the terminal shows the report's own text: the same lines as report.txt (no charts section)
for d in run cmp; do
  sed '/^  generated: /d; /^Charts$/,$d' "$T/$d/report.txt" > "$T/$d.txt.cut"
  grep -v '^recorded \|^report: \|^  generated: ' "$T/$d.term" > "$T/$d.term.cut"
  diff "$T/$d.txt.cut" "$T/$d.term.cut" >&2 || fail "$d: the terminal output is not the report's text"
done

# md_sections FILE / html_sections FILE: the level-2 headings, one a line
md_sections() { sed -n 's/^## //p' "$1"; }
html_sections() { grep -o '<h2 id="[^"]*">[^<]*</h2>' "$1" | sed 's/<[^>]*>//g; s/&lt;/</g; s/&gt;/>/g; s/&quot;/"/g; s/&amp;/\&/g'; }
# numbers FILE: every number a person reads (thousands separators and decimals kept), sorted
md_numbers() { sed 's/\]([^)]*)/]/g' "$1" | grep -oE '[0-9][0-9,]*(\.[0-9]+)?' | sort; }
html_numbers() {
  awk 'BEGIN { RS = "\0" } { gsub(/<head>.*<\/head>/, ""); gsub(/<svg[^>]*>([^<]|<[^\/]|<\/[^s]|<\/s[^v])*<\/svg>/, ""); print }' "$1" |
    awk 'BEGIN { skip = 0 } /<svg/ { skip = 1 } !skip { print } /<\/svg>/ { skip = 0 }' |
    sed 's/<[^>]*>/ /g; s/&lt;/</g; s/&gt;/>/g; s/&quot;/"/g; s/&amp;/\&/g' | grep -oE '[0-9][0-9,]*(\.[0-9]+)?' | sort
}
for d in run chk cmp swp; do
  md="$T/$d/report.md" html="$T/$d/report.html"
  [ -s "$md" ] && [ -s "$html" ] || fail "$d: report missing"
  md_sections "$md" > "$T/md.sec"
  html_sections "$html" > "$T/html.sec"
  [ "$(wc -l < "$T/md.sec")" -ge 7 ] || fail "$d: too few sections in report.md"
  diff "$T/md.sec" "$T/html.sec" >&2 || fail "$d: report.md and report.html have different sections"
  md_numbers "$md" > "$T/md.num"
  html_numbers "$html" > "$T/html.num"
  [ "$(wc -l < "$T/md.num")" -ge 100 ] || fail "$d: too few numbers in report.md"
  diff "$T/md.num" "$T/html.num" >&2 || fail "$d: report.md and report.html show different numbers"
  for f in "$md" "$T/$d/report.txt"; do
    ! grep -nE '(^|[^0-9A-Za-z_.#-])[0-9]+(\.[0-9]+)?[eE][+-]?[0-9]+' "$f" >&2 || fail "$d: exponent notation in $f"
  done
  # HTML: text outside tags, styles and charts
  html_numbers "$html" > /dev/null
  sed 's/<[^>]*>/ /g' "$html" | grep -v 'svg\|stroke\|fill' | grep -nE '(^|[^0-9A-Za-z_.#-])[0-9]+(\.[0-9]+)?[eE][+-]?[0-9]+' >&2 &&
    fail "$d: exponent notation in report.html"
  for s in Summary Thresholds "Baseline comparison" Metrics Stations Invariants Charts; do
    grep -q "^$s" "$T/md.sec" || fail "$d: section $s missing"
  done
done
# the summary comes first, the warnings right after it
[ "$(sed -n 1p "$T/md.sec")" = Summary ] || fail "the summary is not the first section"
grep -q '^## Summary' "$T/cmp/report.md" && grep -q '^Recommendation: \|^No recommendation' "$T/cmp/report.md" || fail "compare's summary lacks the recommendation"
grep -q '^Capacity: ~' "$T/swp/report.md" || fail "the capacity report does not lead with the capacity"
# currency
grep -q '^| revenue | EUR | [0-9,.]* ' "$T/run/report.md" || fail "revenue is not in the scenario's currency"
grep -q '"currency": "EUR"' "$T/run/report.json" || fail "report.json lacks the currency"
# a report rebuilt from the results DB keeps it (read from the recorded scenario)
id=$(sqlite3 "$T/r.db" "SELECT min(id) FROM runs")
"$BIN" report "$id" --db "$T/r.db" --out "$T/rebuilt" --quiet || fail "report $id"
grep -q '^| revenue | EUR | [0-9,.]* EUR' "$T/rebuilt/report.md" || fail "the rebuilt report lost the currency"
grep -q '^- \*\*currency:\*\* EUR' "$T/rebuilt/report.md" || fail "the rebuilt report does not state the currency"
# verdict cells are coloured in HTML
grep -q '<td class="\(good\|bad\|same\)">' "$T/cmp/report.html" || fail "verdict cells are not coloured"
# JUnit: valid XML, one testcase per rule (the thresholds and every baseline figure), failures for regressions
"$BIN" check "$S" $small --set customers.arrivals.rate=3 --baseline "$T/base.json" --db "$T/r.db" --no-report --json > "$T/chk.json" || true
rules=$(grep -c '"kind": "\(threshold\|baseline\)"' "$T/chk.json")
[ "$rules" -ge 40 ] || fail "check --json lists too few rules ($rules)"
if command -v xmllint > /dev/null; then
  xmllint --noout "$T/junit.xml" || fail "the JUnit file is not well-formed XML"
  cases=$(xmllint --xpath 'count(//testcase)' "$T/junit.xml")
  fails=$(xmllint --xpath 'count(//testcase/failure)' "$T/junit.xml")
else
  # a small structural check: the declaration, balanced suites, self-consistent counts
  head -1 "$T/junit.xml" | grep -q '^<?xml version="1.0"' || fail "no XML declaration"
  [ "$(grep -c '<testcase ' "$T/junit.xml")" = "$(grep -c '</testcase>' "$T/junit.xml")" ] || fail "unbalanced testcases"
  cases=$(grep -c '<testcase ' "$T/junit.xml")
  fails=$(grep -c '<failure ' "$T/junit.xml")
fi
[ "$cases" = "$rules" ] || fail "JUnit has $cases testcases, check --json lists $rules rules"
[ "$fails" -ge 1 ] || fail "the regressions are not JUnit failures"
grep -q "\"passed\": false" "$T/chk.json" || fail "check --json does not say it failed"
grep -q 'classname="thresholds" name="order_to_pay_p95 &lt; 1800"' "$T/junit.xml" || fail "the threshold is not a testcase"
exit 0
