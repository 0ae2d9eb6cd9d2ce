# bash completion for ordersim (installed by `make install` into
# PREFIX/share/bash-completion/completions/ordersim).
_ordersim() {
    local cur prev cmd
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    cmd=${COMP_WORDS[1]}
    local commands="run compare sweep check validate fsm history report merge fit help"
    if [ "$COMP_CWORD" -eq 1 ]; then
        COMPREPLY=($(compgen -W "$commands --version --help -h" -- "$cur"))
        return
    fi
    case $prev in
        --strategy) COMPREPLY=($(compgen -W "reduce_on_order reduce_on_payment reserve_on_checkout" -- "$cur")); return ;;
        --check-invariants) COMPREPLY=($(compgen -W "end every-event" -- "$cur")); return ;;
        --db|--baseline|--junit|--orders-csv|-o|--output) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        --out) COMPREPLY=($(compgen -d -- "$cur")); return ;;
        --seed|--replications|--jobs|--set|--param|--slo|--metric|--tolerance|--shard|--baseline-run|--sweep) return ;;
    esac
    local common="--help --quiet --json --db"
    local opts
    case $cmd in
        help) COMPREPLY=($(compgen -W "$commands" -- "$cur")); return ;;
        run) opts="$common --seed --replications --jobs --set --strategy --out --no-report --ledger --orders-csv --check-invariants --force" ;;
        compare) opts="$common --seed --replications --jobs --set --out --no-report --force" ;;
        sweep) opts="$common --param --slo --metric --seed --replications --jobs --set --strategy --shard --out --no-report --force" ;;
        check) opts="$common --baseline --baseline-run --tolerance --junit --seed --replications --jobs --set --strategy --out --no-report" ;;
        validate) opts="--help --quiet --json --set" ;;
        fsm) opts="--help --dot --mermaid --json" ;;
        history) opts="--help --json --db" ;;
        report) opts="--help --db --out --sweep --slo --metric --quiet --json" ;;
        merge) opts="--help --quiet" ;;
        fit) opts="--help --quiet -o --output --out --no-report --map --time-format --max-bad --ks-max --period --horizon --segment-by" ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    else
        COMPREPLY=($(compgen -f -X '!*.json' -- "$cur") $(compgen -d -- "$cur"))
    fi
}
complete -F _ordersim ordersim
