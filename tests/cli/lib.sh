# Helpers for the CLI tests. Each test runs in its own temporary directory.
set -eu
ROOT=$(pwd)
BIN="$ROOT/${ORDERSIM:-build/ordersim}"
T=$(mktemp -d)
trap 'umount "$T/full" 2>/dev/null || true; rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
# expect_rc WANT CMD...: runs CMD, fails the test unless it exits with WANT.
expect_rc() {
  want=$1; shift
  set +e; "$@" > "$T/last.out" 2> "$T/last.err"; got=$?; set -e
  [ "$got" = "$want" ] || { cat "$T/last.out" "$T/last.err" >&2; fail "expected exit $want, got $got: $*"; }
}
# strip_engine: the --json output without the engine figures (wall time, RSS vary).
strip_engine() { sed '/"engine"/d; s/\]},$/]}/' "$1"; }
