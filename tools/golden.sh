#!/bin/sh
# Golden outputs: the `run --json` summary (engine figures removed) of every shipped scenario
# (scenarios/*.json) under every inventory strategy at seed 1, kept in tests/golden/ as
# SCENARIO.STRATEGY.json.
#
#   sh tools/golden.sh check  BIN   compare; print each metric that moved; exit 1 on any change
#   sh tools/golden.sh update BIN   regenerate the files; print each metric that moved
#
# A metric that moved is printed as "FILE: PATH: OLD -> NEW", PATH being the dotted key
# (metrics.orders_paid, stations.payment.utilization, ...). Any other difference (a key
# added or removed, the layout) prints the unified diff instead.
# GOLDEN_DIR (default tests/golden) and GOLDEN_SCENARIOS (default scenarios/*.json) narrow it
# down, for tests of this script.
set -eu
mode=${1:-}
BIN=${2:-build/ordersim}
GOLDEN=${GOLDEN_DIR:-tests/golden}
SEED=1
case $mode in check|update) ;; *) echo "usage: sh tools/golden.sh check|update BIN" >&2; exit 2;; esac
[ -x "$BIN" ] || { echo "golden: $BIN is not an executable" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The strategy list comes from the binary itself (`ordersim strategies --json`, one object a
# line), so a new strategy is picked up without editing this script.
strategies=$("$BIN" strategies --json | sed -n 's/^  {"name": "\([^"]*\)".*/\1/p')
[ -n "$strategies" ] || { echo "golden: cannot list the strategies of $BIN" >&2; exit 2; }

# flatten FILE: one "PATH VALUE" line per scalar of the summary, in file order. Knows the
# summary's layout: one key per line, station objects on one line each.
flatten() {
  awk '
    function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); sub(/,$/, "", s); return s }
    function path(k,   i, p) { p = ""; for (i = 1; i <= depth; i++) p = p stack[i] "."; return p k }
    {
      line = trim($0)
      if (line ~ /^}/) { if (depth > 0) depth--; next }
      if (line !~ /^"/) next
      k = line; sub(/^"/, "", k); sub(/".*/, "", k)
      v = line; sub(/^"[^"]*":[ ]*/, "", v)
      if (v == "{") { stack[++depth] = k; next }
      if (v ~ /^{.*}$/) {               # an inline object: "payment": {"utilization": 0.1, ...}
        body = substr(v, 2, length(v) - 2)
        n = split(body, parts, /, "/)
        for (i = 1; i <= n; i++) {
          p = parts[i]; sub(/^"/, "", p)
          kk = p; sub(/".*/, "", kk)
          vv = p; sub(/^[^"]*":[ ]*/, "", vv)
          print path(k "." kk), vv
        }
        next
      }
      print path(k), v
    }' "$1"
}

# moved OLD NEW LABEL: prints the metrics whose values differ; returns 0 if the flattened
# files have the same keys (so the per-metric lines tell the whole story).
moved() {
  flatten "$1" > "$tmp/old.flat"
  flatten "$2" > "$tmp/new.flat"
  awk -v label="$3" '
    NR == FNR { old[$1] = $2; order[++n] = $1; next }
    { new[$1] = $2; if (!($1 in old)) { added++; print label ": " $1 ": (absent) -> " $2 } }
    END {
      for (i = 1; i <= n; i++) {
        k = order[i]
        if (!(k in new)) { removed++; print label ": " k ": " old[k] " -> (absent)" }
        else if (old[k] != new[k]) print label ": " k ": " old[k] " -> " new[k]
      }
    }' "$tmp/old.flat" "$tmp/new.flat"
}

changed=0; count=0
mkdir -p "$GOLDEN"
for scn in ${GOLDEN_SCENARIOS:-scenarios/*.json}; do
  name=$(basename "$scn" .json)
  for st in $strategies; do
    count=$((count + 1))
    out="$tmp/$name.$st.json"
    if ! "$BIN" run "$scn" --seed "$SEED" --strategy "$st" --json --no-report --db "$tmp/r.db" > "$tmp/raw" 2> "$tmp/err"; then
      echo "golden: $BIN run $scn --strategy $st failed:" >&2; cat "$tmp/err" >&2; exit 1
    fi
    sed '/"engine"/d; s/^\(  "invariants".*\),$/\1/' "$tmp/raw" > "$out"
    gold="$GOLDEN/$name.$st.json"
    label="$name.$st"
    if [ ! -f "$gold" ]; then
      echo "$label: new golden file"
      changed=1
      [ "$mode" = update ] && cp "$out" "$gold"
      continue
    fi
    if ! cmp -s "$gold" "$out"; then
      changed=1
      moved "$gold" "$out" "$label" > "$tmp/moved"
      if [ -s "$tmp/moved" ]; then cat "$tmp/moved"
      else echo "$label: layout changed:"; diff -u "$gold" "$out" | head -40 || true; fi
      [ "$mode" = update ] && cp "$out" "$gold"
    fi
  done
done
# Golden files whose scenario or strategy is gone (only when checking every scenario).
[ -n "${GOLDEN_SCENARIOS:-}" ] ||
for gold in "$GOLDEN"/*.json; do
  [ -e "$gold" ] || continue
  [ -e "$tmp/$(basename "$gold")" ] && continue
  echo "$(basename "$gold" .json): golden file with no scenario x strategy (removed)"
  changed=1
  [ "$mode" = update ] && rm -f "$gold"
done

if [ "$mode" = update ]; then
  if [ "$changed" = 0 ]; then echo "golden: $count outputs, none changed"
  else echo "golden: $count outputs regenerated in $GOLDEN/ (review the changes above, then commit)"; fi
  exit 0
fi
if [ "$changed" = 0 ]; then echo "golden: $count outputs match $GOLDEN/"; exit 0; fi
echo "golden: results differ from $GOLDEN/ (seed $SEED). If the change is intended, run 'make golden' and commit." >&2
exit 1
