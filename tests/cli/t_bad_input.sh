# The bad-input catalogue: every broken scenario and definition in tests/bad_input/ exits 65
# with its exact message, never crashes (sanitizer builds also check leaks), and never
# creates or writes the results database.
. tests/cli/lib.sh
n=0
tab=$(printf '\t')
while IFS="$tab" read -r file mode msg; do
  f="tests/bad_input/$file"
  [ -e "$f" ] || fail "missing $f"
  if [ "$mode" = run ]; then
    expect_rc 65 "$BIN" run "$f" --db "$T/never.db" --no-report --out "$T/never"
  else
    expect_rc 65 "$BIN" validate "$f"
  fi
  grep -qxF -- "$msg" "$T/last.err" || { cat "$T/last.err" >&2; fail "$file: expected the line: $msg"; }
  [ ! -e "$T/never.db" ] && [ ! -e "$T/never" ] || fail "$file: a bad input wrote output"
  n=$((n + 1))
done < tests/bad_input/expected.tsv
[ "$n" -ge 40 ] || fail "only $n cases"
# the size limit, with a file made here rather than committed
awk 'BEGIN { printf "{\"name\": \""; for (i = 0; i < 5000000; i++) printf "x"; print "\"}" }' > "$T/huge.json"
expect_rc 65 "$BIN" run "$T/huge.json" --db "$T/never.db"
grep -q "file too large: 5000013 bytes, the limit is 4194304 bytes" "$T/last.err" || fail "size limit message"
[ ! -e "$T/never.db" ] || fail "huge input wrote the DB"
echo "ok: $n catalogued bad inputs and the size limit"
