# Golden outputs: every shipped scenario x every strategy at seed 1 must give exactly the
# summary kept in tests/golden/ (engine figures aside). After an intended change of results,
# `make golden` regenerates the files and prints each metric that moved.
. tests/cli/lib.sh
GOLDEN_DIR="$ROOT/tests/golden" sh "$ROOT/tools/golden.sh" check "$BIN" || fail "results moved (see above); run 'make golden' if intended"
# The checker must see a change: a copy of the goldens with one metric altered fails.
mkdir -p "$T/golden"
cp "$ROOT"/tests/golden/capacity.*.json "$T/golden/"
f=$(ls "$T"/golden/*.json | head -1)
sed 's/"orders_created": \([0-9]*\)/"orders_created": 1\1/' "$f" > "$T/x" && mv "$T/x" "$f"
set +e; GOLDEN_DIR="$T/golden" GOLDEN_SCENARIOS=scenarios/capacity.json sh "$ROOT/tools/golden.sh" check "$BIN" > "$T/out" 2>&1; rc=$?; set -e
[ "$rc" = 1 ] || fail "an altered golden file was not noticed (exit $rc)"
grep -q 'metrics.orders_created: 1[0-9]* -> [0-9]*$' "$T/out" || { cat "$T/out"; fail "the moved metric is not named"; }
echo ok
