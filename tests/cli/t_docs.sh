# Runs every command the documentation shows (README.md and docs/*.md) and checks its exit
# status, so a documented example can never crash or fail unnoticed.
#
# The convention (also in docs/reliability.md, "Documented commands are tested"):
# - Commands are the lines of fenced blocks opened with ```sh (or ```bash, ```shell). Inline
#   `code` and other blocks (output, JSON, unlabelled) are prose and never run.
# - Each document runs in order in one shell (variables and files carry over from one command
#   to the next), in a fresh directory holding a copy of scenarios/, with build/ordersim and
#   `ordersim` on PATH being the binary under test. A line ending in \ continues the command;
#   a here-document belongs to its command. Comment-only lines are skipped.
# - A command must exit 0, or N when its comment says `# exit N` (followed by ':' or the end
#   of the line), e.g. `build/ordersim fsm diff A B   # exit 1: the machines differ`.
# - Not run, and listed as such in the output: commands starting with `make` (building is
#   the harness's job), commands with a placeholder `<NAME>`, and commands whose comment says
#   `# not run: REASON` (a cluster, ssh hosts...).
# - tests/cli/docs_known_failures.txt lists FILE:LINE of commands known to fail and fixed
#   elsewhere: they still run, their failure is printed loudly and tolerated; a listed
#   command that passes fails this test until it is removed from the list.
. tests/cli/lib.sh
KNOWN="$ROOT/tests/cli/docs_known_failures.txt"
mkdir -p "$T/bin"
ln -s "$BIN" "$T/bin/ordersim"

# Turns one markdown document into a shell script of checked commands (see above).
gen() {
  awk -v doc="$1" '
    function q(s) { gsub(/\047/, "\047\\\047\047", s); return "\047" s "\047" }
    function emit(   want, m, why) {
      if (cmd == "") return
      want = 0
      if (match(cmd, /#[ ]*exit[ ]+[0-9]+([:;,]|[ ]*$|[ ]*\n)/)) {
        m = substr(cmd, RSTART, RLENGTH); gsub(/[^0-9]/, "", m); want = m + 0
      }
      why = ""
      if (cmd ~ /^[ \t]*make([ \t]|$)/) why = "make: the harness builds"
      else if (match(cmd, /# not run: [^\n]*/)) why = substr(cmd, RSTART + 11, RLENGTH - 11)
      else if (match(cmd, /<[A-Za-z_][A-Za-z0-9_]*>/)) why = "placeholder " substr(cmd, RSTART, RLENGTH)
      if (why != "") printf "doc_skip %s %s %s\n", q(doc ":" start), q(why), q(cmd)
      else printf "doc_begin %s %s\n{\n%s\n} > \"$OUT\" 2>&1 < /dev/null\ndoc_end $? %s %d\n", q(doc ":" start), q(cmd), cmd, q(doc ":" start), want
      cmd = ""
    }
    /^```/ {
      if (inb) { emit(); inb = 0; next }
      if ($0 ~ /^```(sh|bash|shell)[ ]*$/) inb = 1
      next
    }
    !inb { next }
    heredoc != "" { cmd = cmd "\n" $0; if ($0 == heredoc) { heredoc = ""; emit() } ; next }
    cont { cmd = cmd "\n" $0; cont = ($0 ~ /\\$/); if (!cont) emit(); next }
    /^[ \t]*(#|$)/ { next }
    {
      cmd = $0; start = NR; cont = ($0 ~ /\\$/)
      if (match($0, /<<-?[ ]*[\047"]?[A-Za-z_]+/)) { heredoc = substr($0, RSTART, RLENGTH); gsub(/[<\047" -]/, "", heredoc); next }
      if (!cont) emit()
    }
    END { emit() }
  ' "$ROOT/$1"
}

cat > "$T/lib_docs.sh" <<'EOF'
# Functions of the generated scripts: counters in files, output of each command in $OUT.
doc_begin() { printf '\n--- RUN %s\n%s\n' "$1" "$2"; START=$(date +%s); }
doc_skip() { printf '\n--- NOT RUN %s (%s)\n%s\n' "$1" "$2" "$3"; echo "$1 ($2)" >> "$STATE/skipped"; }
doc_end() {
  rc=$1 where=$2 want=$3
  secs=$(( $(date +%s) - START ))
  known=false
  grep -Eq "^$where([[:space:]]|\$)" "$KNOWN" 2>/dev/null && known=true
  if [ "$rc" = "$want" ]; then
    echo "    exit $rc as expected (${secs} s)"
    echo "$where" >> "$STATE/passed"
    $known && { echo "    !!! $where is listed in docs_known_failures.txt but passes: remove it"; echo "$where listed but passes" >> "$STATE/failed"; }
  elif $known; then
    echo "    !!! KNOWN FAILURE, tolerated (docs_known_failures.txt): exit $rc, expected $want; output:"
    tail -5 "$OUT" | sed 's/^/    | /'
    echo "$where (exit $rc)" >> "$STATE/known"
  else
    echo "    FAIL: exit $rc, expected $want; output:"
    tail -20 "$OUT" | sed 's/^/    | /'
    echo "$where (exit $rc, expected $want)" >> "$STATE/failed"
  fi
  return 0
}
EOF

STATE="$T/state"
mkdir -p "$STATE"
: > "$STATE/passed"; : > "$STATE/failed"; : > "$STATE/skipped"; : > "$STATE/known"
# Documents are independent: they run side by side (the commands within one run in order),
# each logging to its own file, printed in order at the end.
t_all=$(date +%s)
for f in README.md docs/*.md; do
  d="$T/run/$(echo "$f" | tr '/.' '__')"
  mkdir -p "$d/build"
  cp -R "$ROOT/scenarios" "$d/scenarios"
  ln -s "$BIN" "$d/build/ordersim"
  ln -s "$ROOT/tools" "$d/tools"
  gen "$f" > "$d.sh"
  (t0=$(date +%s)
   cd "$d" && PATH="$T/bin:$PATH" OUT="$d.out" STATE="$STATE" KNOWN="$KNOWN" sh -c ". '$T/lib_docs.sh'; . '$d.sh'"
   echo "=== $f: $(( $(date +%s) - t0 )) s") > "$d.log" 2>&1 &
done
wait
for f in README.md docs/*.md; do cat "$T/run/$(echo "$f" | tr '/.' '__').log"; done
echo "=== all documents: $(( $(date +%s) - t_all )) s wall"

echo
echo "documented commands: $(wc -l < "$STATE/passed") passed, $(wc -l < "$STATE/known") known failures, $(wc -l < "$STATE/skipped") not run, $(wc -l < "$STATE/failed") failed"
if [ -s "$STATE/known" ]; then echo "!!! KNOWN FAILURES (tolerated by tests/cli/docs_known_failures.txt):"; sed 's/^/!!!   /' "$STATE/known"; fi
if [ -s "$STATE/skipped" ]; then echo "not run (by the convention above):"; sed 's/^/      /' "$STATE/skipped"; fi
if [ -s "$STATE/failed" ]; then echo "FAILED:"; sed 's/^/      /' "$STATE/failed"; fail "documented commands failed"; fi
[ -s "$STATE/passed" ] || fail "no documented command found"
echo ok
