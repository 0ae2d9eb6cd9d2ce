# Command-line conventions: -h and help COMMAND, - reads the scenario from standard input,
# colour only on a terminal and never with NO_COLOR, --json on every command that prints
# results (each parses as JSON), make install with the man page and bash completion.
. tests/cli/lib.sh
S="$ROOT/scenarios/steady_state.json"
small="--set customers.max_customers=2000"
# -h and help COMMAND print the same help as --help
for c in run compare sweep check validate fsm history report merge fit; do
  "$BIN" "$c" --help > "$T/a" && "$BIN" "$c" -h > "$T/b" && "$BIN" help "$c" > "$T/c" || fail "help for $c"
  cmp -s "$T/a" "$T/b" && cmp -s "$T/a" "$T/c" || fail "-h / help $c differ from --help"
done
"$BIN" -h | grep -q '^usage: ordersim COMMAND' || fail "ordersim -h"
"$BIN" fit -h -o "$T/never.json" | grep -q "^usage: ordersim fit" && [ ! -e "$T/never.json" ] || fail "fit -h with -o (the short options coexist)"
expect_rc 2 "$BIN" help no-such-command
# - reads the scenario from standard input, with the same results as the file
"$BIN" run "$S" $small --json --no-report --db "$T/r.db" | strip_engine /dev/stdin > "$T/file.json"
"$BIN" run - $small --json --no-report --db "$T/r.db" < "$S" | strip_engine /dev/stdin > "$T/stdin.json"
cmp -s "$T/file.json" "$T/stdin.json" || fail "run - differs from run FILE"
echo '{"name": 3}' | expect_rc 65 "$BIN" validate -
grep -q '^<stdin>:1:10: name: found a number' "$T/last.err" || fail "stdin errors name <stdin> with line:col"
# --jobs defaults to the number of cores and never changes results
"$BIN" run "$S" $small --replications 3 --json --no-report --db "$T/r.db" | strip_engine /dev/stdin > "$T/j0.json"
"$BIN" run "$S" $small --replications 3 --jobs 1 --json --no-report --db "$T/r.db" | strip_engine /dev/stdin > "$T/j1.json"
cmp -s "$T/j0.json" "$T/j1.json" || fail "results depend on --jobs"
"$BIN" run --help | grep -q 'default: the number of cores' || fail "--jobs default not documented"
# colour: never when not a terminal, never with NO_COLOR, on a terminal otherwise
"$BIN" check "$S" $small --no-report --db "$T/r.db" > "$T/pipe.out"
! grep -q "$(printf '\033')" "$T/pipe.out" || fail "colour in piped output"
if script -qc true /dev/null > /dev/null 2>&1; then
  TERM=xterm script -qc "'$BIN' check '$S' $small --no-report --db '$T/r.db'" /dev/null > "$T/tty.out"
  grep -q "$(printf '\033')\[32mcheck passed" "$T/tty.out" || fail "no colour on a terminal"
  NO_COLOR=1 TERM=xterm script -qc "'$BIN' check '$S' $small --no-report --db '$T/r.db'" /dev/null > "$T/nocolor.out"
  ! grep -q "$(printf '\033')\[" "$T/nocolor.out" || fail "colour despite NO_COLOR"
  grep -q "check passed" "$T/nocolor.out" || fail "NO_COLOR run printed nothing"
fi
# --json on every command that prints results parses as JSON
if command -v jq > /dev/null; then
  "$BIN" check "$S" $small --no-report --db "$T/r.db" --json | jq -e '.passed == true and (.rules | type) == "array"' > /dev/null || fail "check --json"
  "$BIN" history 3 --db "$T/r.db" --json | jq -e 'length == 3 and .[0].id > 0' > /dev/null || fail "history --json"
  "$BIN" validate "$S" "$ROOT/scenarios/processes/b2c_cancel_after_pay.json" --json | jq -e '.[0].valid and .[1].kind == "process"' > /dev/null ||
    fail "validate --json"
  "$BIN" fsm b2c --json | jq -e '.transitions | length > 0' > /dev/null || fail "fsm --json"
  "$BIN" sweep "$ROOT/scenarios/capacity.json" --param customers.arrivals.rate=40,60 --set horizon=2m --set warmup=20s --no-report \
    --db "$T/r.db" --json | jq -e '.kind == "load" and (.points | length) == 2 and .points[0].summary.metrics.orders_paid > 0' > /dev/null ||
    fail "sweep --json"
fi
# make install: binary, man page (valid roff), bash completion that completes commands and strategies
make -s -C "$ROOT" install DESTDIR="$T/inst" PREFIX=/usr/local BIN="$BIN" > /dev/null
[ -x "$T/inst/usr/local/bin/ordersim" ] || fail "binary not installed"
[ -s "$T/inst/usr/local/share/man/man1/ordersim.1" ] || fail "man page not installed"
if command -v groff > /dev/null; then
  groff -man -Tutf8 -ww -z "$T/inst/usr/local/share/man/man1/ordersim.1" 2> "$T/groff.err"; [ ! -s "$T/groff.err" ] || fail "man page warnings"
fi
comp="$T/inst/usr/local/share/bash-completion/completions/ordersim"
[ -s "$comp" ] || fail "bash completion not installed"
if command -v bash > /dev/null; then
  out=$(bash -c ". '$comp'; COMP_WORDS=(ordersim com); COMP_CWORD=1; _ordersim; echo \${COMPREPLY[*]}")
  [ "$out" = compare ] || fail "completion of commands: '$out'"
  out=$(bash -c ". '$comp'; COMP_WORDS=(ordersim run x.json --strategy reduce_on_p); COMP_CWORD=4; _ordersim; echo \${COMPREPLY[*]}")
  [ "$out" = reduce_on_payment ] || fail "completion of strategies: '$out'"
  # the completion's fixed word lists are the binary's: commands from --help, strategies from
  # `ordersim strategies --json` (both printed from the program's own tables)
  want=$( { echo help; "$BIN" --help | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { exit }'; } | sort | tr '\n' ' ')
  have=$(sed -n 's/^ *local commands="\(.*\)"$/\1/p' "$comp" | tr ' ' '\n' | sort | tr '\n' ' ')
  [ -n "$want" ] && [ "$want" = "$have" ] || fail "completion's commands '$have' differ from --help's '$want'"
  want=$("$BIN" strategies --json | sed -n 's/^  {"name": "\([^"]*\)".*/\1/p' | sort | tr '\n' ' ')
  have=$(sed -n 's/^ *--strategy) COMPREPLY=($(compgen -W "\([^"]*\)".*/\1/p' "$comp" | tr ' ' '\n' | sort | tr '\n' ' ')
  [ -n "$want" ] && [ "$want" = "$have" ] || fail "completion's strategies '$have' differ from the program's '$want'"
  # a command's options come from its help: validate takes --strict, not --jobs
  out=$(PATH="$(dirname "$BIN"):$PATH" bash -c ". '$comp'; COMP_WORDS=(ordersim validate x.json --st); COMP_CWORD=3; _ordersim; echo \${COMPREPLY[*]}")
  [ "$out" = "--strategy --strict" ] || fail "completion of validate's options: '$out'"
  out=$(PATH="$(dirname "$BIN"):$PATH" bash -c ". '$comp'; COMP_WORDS=(ordersim validate x.json --j); COMP_CWORD=3; _ordersim; echo \${COMPREPLY[*]}")
  [ "$out" = "--json" ] || fail "completion offers an option validate refuses: '$out'"
fi
exit 0
