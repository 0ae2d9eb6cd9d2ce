# Several writers on one results DB; unwritable and full report directories; planted symlinks.
. tests/cli/lib.sh
S="$ROOT/scenarios/flash_sale.json"
small="--set customers.max_customers=20000"
# four processes at once on one database: no lost or duplicated runs
for p in 1 2 3 4; do "$BIN" run "$S" $small --replications 3 --seed $p --db "$T/shared.db" --no-report --quiet & done
wait
[ "$(sqlite3 "$T/shared.db" "SELECT count(*) FROM runs WHERE status = 'complete'")" = 12 ] || fail "lost runs with concurrent writers"
[ "$(sqlite3 "$T/shared.db" "SELECT count(DISTINCT uuid) FROM runs")" = 12 ] || fail "duplicated runs"
[ "$(sqlite3 "$T/shared.db" "SELECT count(DISTINCT seed) FROM runs")" = 6 ] || fail "seeds 1..4 + r expected"
[ "$(sqlite3 "$T/shared.db" 'PRAGMA integrity_check')" = ok ] || fail "integrity"
# an unwritable report directory: exit 74, and the run itself is recorded complete
expect_rc 74 "$BIN" run "$S" $small --db "$T/o.db" --out /proc/ordersim-cannot-write-here
grep -q "cannot create the report directory" "$T/last.err" || fail "no clear message for an unwritable directory"
[ "$(sqlite3 "$T/o.db" "SELECT status FROM runs")" = complete ] || fail "the DB is not consistent after a report failure"
: > "$T/plain-file"
expect_rc 74 "$BIN" run "$S" $small --db "$T/o.db" --out "$T/plain-file/rep"
# a planted symlink is replaced, never followed
mkdir -p "$T/rep"
echo "precious" > "$T/victim"
ln -s "$T/victim" "$T/rep/report.md"
"$BIN" run "$S" $small --db "$T/o.db" --out "$T/rep" --quiet
[ "$(cat "$T/victim")" = precious ] || fail "the report followed a planted symlink"
[ -f "$T/rep/report.md" ] && [ ! -L "$T/rep/report.md" ] || fail "report.md is not a regular file"
# a full disk keeps the previous good report and leaves no work directory behind
mkdir -p "$T/full"
if mount -t tmpfs -o size=3m tmpfs "$T/full" 2>/dev/null; then
  "$BIN" run "$S" $small --db "$T/o.db" --out "$T/full/rep" --quiet
  cp "$T/full/rep/report.md" "$T/good.md"
  dd if=/dev/zero of="$T/full/filler" bs=64k 2>/dev/null || true
  set +e; "$BIN" run "$S" $small --seed 9 --db "$T/o.db" --out "$T/full/rep" > "$T/full.out" 2> "$T/full.err"; rc=$?; set -e
  ls -A "$T/full" "$T/full/rep" | grep -q 'work-' && { umount "$T/full"; fail "a work directory was left behind"; }
  cmp -s "$T/full/rep/report.md" "$T/good.md" || { umount "$T/full"; fail "the good report was replaced by a partial one"; }
  umount "$T/full"
  [ "$rc" = 74 ] || fail "a full disk should exit 74, got $rc"
  echo "full disk: exit 74, previous report kept"
else
  echo "full disk: skipped (cannot mount a tmpfs here)"
fi
echo ok
