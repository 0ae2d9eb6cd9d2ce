# `ordersim strategies`: the strategies from their descriptors, as text and as JSON that a
# JSON parser reads; every strategy a scenario accepts is listed, and only those.
. tests/cli/lib.sh
command -v python3 > /dev/null || fail "python3 is needed to parse strategies --json"
"$BIN" strategies --json > "$T/s.json" || fail "strategies --json failed"
python3 - "$T/s.json" <<'PY' || fail "strategies --json is not what docs/json.md says"
import json, sys
doc = json.load(open(sys.argv[1]))
assert isinstance(doc, list) and len(doc) >= 3, doc
moments = {"never", "order_creation", "payment_start", "payment"}
for s in doc:
    assert set(s) == {"name", "description", "locks_at", "deducts_at", "may_oversell"}, s
    assert s["name"] and s["description"], s
    assert s["locks_at"] in moments and s["deducts_at"] in moments, s
    assert isinstance(s["may_oversell"], bool), s
by = {s["name"]: s for s in doc}
assert by["reduce_on_order"]["locks_at"] == "order_creation" and not by["reduce_on_order"]["may_oversell"]
assert by["reserve_on_checkout"]["locks_at"] == "payment_start" and not by["reserve_on_checkout"]["may_oversell"]
assert by["reduce_on_payment"]["locks_at"] == "never" and by["reduce_on_payment"]["may_oversell"]
PY
python3 -c 'import json,sys; print("\n".join(s["name"] for s in json.load(open(sys.argv[1]))))' "$T/s.json" > "$T/names"
# every listed strategy runs, in the order compare runs them
"$BIN" compare "$ROOT/scenarios/capacity.json" --set horizon=2m --set warmup=0s --no-report --db "$T/r.db" --json > "$T/c.json" \
  || fail "compare failed"
python3 -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))["strategies"]))' "$T/c.json" > "$T/compared"
cmp -s "$T/names" "$T/compared" || { diff "$T/names" "$T/compared" >&2; fail "strategies lists other strategies than compare runs"; }
while read -r st; do
  "$BIN" validate "$ROOT/scenarios/capacity.json" --strategy "$st" --quiet > /dev/null 2>&1 || fail "validate refuses listed strategy $st"
done < "$T/names"
# the text table has a line per strategy, with the same facts
"$BIN" strategies > "$T/s.txt" || fail "strategies failed"
[ "$(wc -l < "$T/s.txt")" -eq $(( $(wc -l < "$T/names") + 1 )) ] || fail "strategies: a header and a line per strategy"
grep -q '^reduce_on_payment  *never  *payment  *yes ' "$T/s.txt" || fail "strategies: reduce_on_payment's line"
expect_rc 2 "$BIN" strategies extra
expect_rc 2 "$BIN" strategies --seed 1
exit 0
