#!/bin/sh
# Mutation testing: proves the test suite notices each change listed in tests/mutations.txt.
#
# Each line of the list is   FILE @ SEARCH @ REPLACEMENT @ DESCRIPTION   (fields separated by
# " @ "; "#" starts a comment line; "<NL>" in SEARCH or REPLACEMENT stands for a line break).
# SEARCH must occur exactly once in FILE. For each line the
# tree is copied to build/mutate/N (sources plus the current objects, so only the mutated
# file recompiles), SEARCH is replaced, the copy is built and the fast suite runs, stopping at
# the first stage that fails:
#   golden   tools/golden.sh check (every scenario x strategy against tests/golden/)
#   unit     the Criterion unit tests
#   cli      the quick CLI scripts ($MUTATE_CLI)
# A mutation is "killed" when a stage fails (or times out), "SURVIVED" when all pass. The
# script exits 1 when any mutation survived, no longer applies (SEARCH not found or found
# twice) or does not compile, so the list stays valid as the code changes. Mutants build
# without -Werror (a mutation may leave a variable unused).
#
# Environment: MUTATE_ONLY="3,7" runs only those mutation numbers; MUTATE_LIST picks another
# list; MUTATE_KEEP=1 keeps every copy (survivors' copies are always kept).
set -u
LIST=${MUTATE_LIST:-tests/mutations.txt}
ONLY=${MUTATE_ONLY:-}
CLI=${MUTATE_CLI:-"t_check.sh t_repro.sh t_exit_codes.sh t_bad_input.sh t_outputs.sh"}
ROOT=$(pwd)
WORK=build/mutate
[ -f "$LIST" ] || { echo "mutate: no list $LIST" >&2; exit 2; }
[ -x build/ordersim ] && [ -x build/unit_tests ] || { echo "mutate: build first (make build/ordersim build/unit_tests)" >&2; exit 2; }
mkdir -p "$WORK"

# apply FILE SEARCH REPLACEMENT: exact (not regex) replacement of the single occurrence.
# Strings go through the environment because awk -v would interpret backslashes.
apply() {
  MUT_S=$2 MUT_R=$3 awk '
    BEGIN { RS = "\001"; s = ENVIRON["MUT_S"]; r = ENVIRON["MUT_R"]; gsub(/<NL>/, "\n", s); gsub(/<NL>/, "\n", r) }
    {
      text = $0; n = 0; rest = text
      while ((i = index(rest, s)) > 0) { n++; rest = substr(rest, i + length(s)) }
      if (n != 1) { print n > "/dev/stderr"; exit 3 }
      i = index(text, s)
      printf "%s%s%s", substr(text, 1, i - 1), r, substr(text, i + length(s))
    }' "$1" > "$1.mut" 2> "$1.count"
  rc=$?
  if [ $rc -ne 0 ]; then n=$(cat "$1.count"); rm -f "$1.mut" "$1.count"; echo "${n:-?}"; return 1; fi
  rm -f "$1.count"
  mv "$1.mut" "$1"
  return 0
}

# Copies the tree (sources, tests, scenarios, fuzz/ whose generator the unit tests include,
# the objects of the current build) to $1.
copy_tree() {
  rm -rf "$1"
  mkdir -p "$1/build"
  cp -pR Makefile base core sim reports app tests tools scenarios fuzz "$1/" 2>/dev/null
  for d in base core sim reports app tests; do [ -d "build/$d" ] && cp -pR "build/$d" "$1/build/"; done
  [ -f build/.deps-ok ] && cp -p build/.deps-ok "$1/build/"
  cp -p build/ordersim build/unit_tests "$1/build/"
}

# Runs the suite in the copy $1; prints the stage that failed, or nothing if all passed.
run_suite() {
  (
    cd "$1" || exit 1
    if ! timeout 120 sh tools/golden.sh check build/ordersim > golden.log 2>&1; then echo golden; exit 0; fi
    if ! timeout 180 build/unit_tests --jobs 2 --fail-fast > unit.log 2>&1; then echo unit; exit 0; fi
    for t in $CLI; do
      if ! ORDERSIM=build/ordersim timeout 120 sh "tests/cli/$t" > "cli-$t.log" 2>&1; then echo "cli:$t"; exit 0; fi
    done
  )
}

total=0; killed=0; survived=""; broken=""
N=0
start=$(date +%s)
# Read the list on fd 3 so the commands inside the loop cannot swallow it.
exec 3< "$LIST"
while IFS= read -r line <&3; do
  case $line in ''|'#'*) continue;; esac
  N=$((N + 1))
  if [ -n "$ONLY" ]; then case ",$ONLY," in *",$N,"*) ;; *) continue;; esac; fi
  total=$((total + 1))
  case $line in
    *" @ "*" @ "*" @ "*) ;;
    *) broken="$broken $N"; printf '%3d BROKEN   malformed line (want FILE @ SEARCH @ REPLACEMENT @ WHY): %s\n' "$N" "$line"; continue;;
  esac
  file=${line%% @ *}; rest=${line#* @ }
  search=${rest%% @ *}; rest=${rest#* @ }
  repl=${rest%% @ *}; desc=${rest#* @ }
  dir="$WORK/$N"
  copy_tree "$dir"
  if [ ! -f "$dir/$file" ]; then
    broken="$broken $N"; printf '%3d BROKEN   %s: no such file\n' "$N" "$file"; rm -rf "$dir"; continue
  fi
  if ! count=$(apply "$dir/$file" "$search" "$repl"); then
    broken="$broken $N"; printf '%3d BROKEN   %s: search string found %s times (must be once): %s\n' "$N" "$file" "$count" "$search"
    rm -rf "$dir"; continue
  fi
  touch "$dir/$file"
  if ! (cd "$dir" && timeout 300 make -s WARN=-w build/ordersim build/unit_tests > build.log 2>&1); then
    broken="$broken $N"; printf '%3d BROKEN   %s: does not compile (see %s/build.log): %s\n' "$N" "$file" "$dir" "$desc"
    continue
  fi
  stage=$(run_suite "$dir")
  if [ -n "$stage" ]; then
    killed=$((killed + 1))
    printf '%3d killed   %-24s %s: %s\n' "$N" "($stage)" "$file" "$desc"
    [ -n "${MUTATE_KEEP:-}" ] || rm -rf "$dir"
  else
    survived="$survived $N"
    printf '%3d SURVIVED %-24s %s: %s (copy kept in %s)\n' "$N" "" "$file" "$desc" "$dir"
  fi
done
exec 3<&-

secs=$(( $(date +%s) - start ))
echo "mutate: $total mutations, $killed killed, $(echo $survived | wc -w) survived, $(echo $broken | wc -w) broken (${secs}s)"
[ -z "$survived" ] || echo "mutate: survived:$survived (add a test that fails on each, see docs/testing.md)"
[ -z "$broken" ] || echo "mutate: broken:$broken (update the line in $LIST to the current code)"
[ -z "$survived$broken" ]
