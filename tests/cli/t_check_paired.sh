# check against a baseline pairs replication r with replication r when the seeds match
# (docs/regression.md, "Pairing"): raising member_shop's threshold promotion from 30 to 40
# lowers revenue on every seed by 2 to 24, which two overlapping 95% intervals hide.
. tests/cli/lib.sh
S="$ROOT/scenarios/member_shop.json"
common="--db $T/c.db --no-report --replications 5"
"$BIN" run "$S" $common --json > "$T/base.json"
grep -q '"per_replication"' "$T/base.json" || fail "a summary of several replications keeps each one's values"
# paired: the regression is found
expect_rc 1 "$BIN" check "$S" $common --baseline "$T/base.json" --set 'promotions[0].value=40'
grep -Eq '^revenue .*ci \(paired\) +REGRESSED' "$T/last.out" || fail "a revenue drop on every seed is a regression"
grep -q "^Paired: each of the 5 replications" "$T/last.out" || fail "the output says the comparison is paired"
# a baseline without per-replication values (an older build): unpaired, and it says so
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); del d['per_replication']; json.dump(d, open(sys.argv[2], 'w'))" \
  "$T/base.json" "$T/old.json"
expect_rc 0 "$BIN" check "$S" $common --baseline "$T/old.json" --set 'promotions[0].value=40'
grep -Eq '^revenue .*ci \(unpaired\) +ok' "$T/last.out" || fail "unpaired intervals hide the drop"
grep -q "^Unpaired: the baseline keeps no per-replication values" "$T/last.out" || fail "the output says it is unpaired, and why"
# other seeds: unpaired
expect_rc 0 "$BIN" check "$S" $common --seed 100 --baseline "$T/base.json"
grep -q "^Unpaired: the baseline's 5 replications (seeds from 15) are not this run's 5 (seeds from 100)" "$T/last.out" ||
  fail "seeds that differ make the comparison unpaired"
# the same run against itself: paired, nothing moves
expect_rc 0 "$BIN" check "$S" $common --baseline "$T/base.json"
grep -q "^0 regressions, 0 changes to review, 0 other changes" "$T/last.out" || fail "a run against itself changes nothing"
# a directionless money figure that moved: a change to review, failing only under --fail-on-change
expect_rc 0 "$BIN" check "$S" $common --baseline "$T/base.json" --set 'promotions[1].value=25' --tolerance '*=ci,revenue=1e7'
grep -Eq '^discount_total .*changed \(to review\)$' "$T/last.out" || fail "discount_total moved: a change to review"
expect_rc 1 "$BIN" check "$S" $common --baseline "$T/base.json" --set 'promotions[1].value=25' --tolerance '*=ci,revenue=1e7' --fail-on-change
grep -Eq '^discount_total .*CHANGED \(to review\)$' "$T/last.out" || fail "--fail-on-change fails on it"
grep -q "2 changes to review (failing: --fail-on-change)" "$T/last.out" || fail "the count of changes to review"
"$BIN" check "$S" $common --baseline "$T/base.json" --set 'promotions[1].value=25' --tolerance '*=ci,revenue=1e7' --json > "$T/c.json" || true
grep -q '"changes_to_review": 2' "$T/c.json" || fail "--json counts the changes to review"
grep -q '"pairing": "paired"' "$T/c.json" || fail "--json says it is paired"
# one replication per side: no interval; the tolerance alone decides, and it says so
"$BIN" run "$S" --db "$T/c.db" --no-report --json > "$T/one.json"
expect_rc 0 "$BIN" check "$S" --db "$T/c.db" --no-report --baseline "$T/one.json"
grep -q "^One replication on each side (seed 15): no interval, the tolerance alone decides." "$T/last.out" || fail "one replication: said"
# a malformed per_replication is bad input, not a regression
sed 's/"seeds": \[15, /"seeds": [15, "x", /' "$T/base.json" > "$T/bad.json"
expect_rc 65 "$BIN" check "$S" $common --baseline "$T/bad.json"
grep -q 'per_replication.seeds\[1\]: found a string, expected a seed' "$T/last.err" || { cat "$T/last.err"; fail "the bad seed is named"; }
echo ok
