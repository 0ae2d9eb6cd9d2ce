# bash completion for ordersim (installed by `make install` into
# PREFIX/share/bash-completion/completions/ordersim).
# A command's options are read from its own help (`ordersim help COMMAND`: the usage line
# and the lines that describe one option each), so they are the options the command takes.
_ordersim() {
    local cur prev cmd
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    cmd=${COMP_WORDS[1]}
    local commands="run compare sweep optimize check validate fsm history report merge fit strategies help"
    if [ "$COMP_CWORD" -eq 1 ]; then
        COMPREPLY=($(compgen -W "$commands --version --help -h" -- "$cur"))
        return
    fi
    case $prev in
        --strategy) COMPREPLY=($(compgen -W "reduce_on_order reduce_on_payment reserve_on_checkout" -- "$cur")); return ;;
        --check-invariants) COMPREPLY=($(compgen -W "end every-event" -- "$cur")); return ;;
        --view) COMPREPLY=($(compgen -W "buyer merchant system" -- "$cur")); return ;;
        --db|--baseline|--junit|--orders-csv|-o|--output) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        --out) COMPREPLY=($(compgen -d -- "$cur")); return ;;
        --seed|--replications|--jobs|--set|--param|--slo|--metric|--tolerance|--shard|--baseline-run|--sweep|--db-timeout) return ;;
    esac
    if [ "$cmd" = help ]; then
        COMPREPLY=($(compgen -W "$commands" -- "$cur"))
        return
    fi
    if [[ $cur == -* ]]; then
        local opts
        opts=$("${COMP_WORDS[0]}" help "$cmd" 2> /dev/null |
               awk '/^usage:/,/^$/ { print; next } /^ *-/ { print $1; if ($1 ~ /,$/) print $2 }' |
               grep -oE -- '(^|[[ |])--?[a-z][a-z-]*' | sed 's/^[[ |]//' | sort -u)
        COMPREPLY=($(compgen -W "--help $opts" -- "$cur"))
    else
        COMPREPLY=($(compgen -f -X '!*.json' -- "$cur") $(compgen -d -- "$cur"))
    fi
}
complete -F _ordersim ordersim
