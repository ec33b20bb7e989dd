#!/usr/bin/env bash
# Instruction counts (user space only, deterministic) of bare-uring, the
# io-uring and rustix-uring crates and C liburing 2.15 doing the same fixed work: the
# `--callgrind <config>` mode of benches/vs_io_uring.rs runs every row's
# `cg_*` function a fixed number of times per library (see callgrind_mode
# there), and callgrind counts each function inclusive of what it calls
# (syscalls excluded: the kernel's work is invisible to valgrind). Prints,
# per configuration and row, instructions per SQE, call, CQE or operation.
#
# Usage: scripts/bench/callgrind.sh            (from anywhere in the repo)
# Output lines: config<TAB>row<TAB>unit<TAB>bare-uring<TAB>io-uring<TAB>rustix-uring<TAB>liburing
# Needs: valgrind (callgrind_annotate comes with it).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"

bin=$(cargo bench --bench vs_io_uring --no-run --message-format=json 2>/dev/null |
    grep -o '"executable":"[^"]*vs_io_uring[^"]*"' | tail -n1 | cut -d'"' -f4)
[ -x "$bin" ] || { echo "could not build the vs_io_uring bench" >&2; exit 1; }

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for config in default best; do
    # Count only inside the cg_* functions (Rust paths and C symbols); a
    # cg_* function never calls another one.
    valgrind --tool=callgrind --callgrind-out-file="$out/$config.cg" \
        --collect-atstart=no --toggle-collect='*::cg_*' --toggle-collect='cg_*' \
        "$bin" --callgrind "$config" >"$out/$config.ops" 2>"$out/$config.log" || {
        cat "$out/$config.log" >&2
        exit 1
    }
    callgrind_annotate --inclusive=yes --threshold=100 "$out/$config.cg" >"$out/$config.txt"
    # function units unit "row name"  ->  per-unit instructions, 3 per row.
    while read -r name units unit row; do
        ir=$(grep -E "(::|[^_a-z])${name}( |\$|\[)" "$out/$config.txt" | head -n1 |
            awk '{gsub(",", "", $1); print $1}')
        [ -n "$ir" ] || ir=0
        awk -v ir="$ir" -v n="$units" 'BEGIN { printf "%.2f\n", ir / n }' >>"$out/$config.vals"
        printf '%s\t%s\n' "$row" "$unit" >>"$out/$config.rows"
    done <"$out/$config.ops"
    paste - - - - <"$out/$config.vals" >"$out/$config.v3"
    awk 'NR % 4 == 1' "$out/$config.rows" | paste - "$out/$config.v3" |
        sed "s/^/$config\t/; s/\"//g"
done
