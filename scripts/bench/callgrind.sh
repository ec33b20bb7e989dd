#!/usr/bin/env bash
# Instruction counts (user space only, deterministic) of bare-uring, the
# io-uring and rustix-uring crates and C liburing 2.15 doing the same fixed
# work: the `--callgrind <config>` mode of benches/vs_io_uring.rs runs every
# row's `cg_*` function a fixed number of times per library (see
# callgrind_mode there), that of benches/udp_echo serves a fixed number of
# echoes with each library's `cg_*` event loop (its client process is not
# traced), and callgrind counts each function inclusive of
# what it calls (syscalls excluded: the kernel's work is invisible to
# valgrind). Prints, per configuration and row, instructions per SQE, call,
# CQE or operation.
#
# The bench is built twice: as `cargo bench` builds it, and with LLVM's
# inline threshold raised to 1000 (RUSTFLAGS="-C
# llvm-args=-inline-threshold=1000", its own target directory), where the
# crates' out-of-line functions (io-uring's `Submitter::submit_and_wait`)
# are inlined into the `cg_*` functions. The Rust peers' columns are the
# lower of the two counts (each crate in the build that suits it best);
# bare-uring's column is the plain build's (what users get); C liburing is
# built the same way in both.
#
# Usage: scripts/bench/callgrind.sh            (from anywhere in the repo)
# Output lines: config<TAB>row<TAB>unit<TAB>bare-uring<TAB>io-uring<TAB>rustix-uring<TAB>liburing
# Needs: valgrind (callgrind_annotate comes with it).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# count LABEL: one build's table into $out/LABEL.tsv: per configuration,
# the rows of benches/vs_io_uring.rs, then the UDP echo row of
# benches/udp_echo (its client is a child process that valgrind does not
# trace, --trace-children=no: only the server's loop is counted).
count() {
    local label=$1 json bench bin config name units unit row ir
    json=$(cargo bench --bench vs_io_uring --bench udp_echo --no-run --message-format=json 2>/dev/null)
    for config in default best; do
        for bench in vs_io_uring udp_echo; do
            bin=$(grep -o "\"executable\":\"[^\"]*/${bench}-[^\"]*\"" <<<"$json" | tail -n1 | cut -d'"' -f4)
            [ -x "$bin" ] || { echo "could not build the $bench bench" >&2; exit 1; }
            local base="$out/$label.$bench.$config"
            # Count only inside the cg_* functions (Rust paths and C symbols); a
            # cg_* function never calls another one.
            valgrind --tool=callgrind --callgrind-out-file="$base.cg" --trace-children=no \
                --collect-atstart=no --toggle-collect='*::cg_*' --toggle-collect='cg_*' \
                "$bin" --callgrind "$config" >"$base.ops" 2>"$base.log" || {
                cat "$base.log" >&2
                exit 1
            }
            callgrind_annotate --inclusive=yes --threshold=100 "$base.cg" >"$base.txt"
            # function units unit "row name"  ->  per-unit instructions, 4 per row.
            while read -r name units unit row; do
                ir=$(grep -E "(::|[^_a-z])${name}( |\$|\[)" "$base.txt" | head -n1 |
                    awk '{gsub(",", "", $1); print $1}')
                [ -n "$ir" ] || ir=0
                awk -v ir="$ir" -v n="$units" 'BEGIN { printf "%.2f\n", ir / n }' >>"$base.vals"
                printf '%s\t%s\n' "$row" "$unit" >>"$base.rows"
            done <"$base.ops"
            paste - - - - <"$base.vals" >"$base.v4"
            awk 'NR % 4 == 1' "$base.rows" | paste - "$base.v4" |
                sed "s/^/$config\t/; s/\"//g" >>"$out/$label.tsv"
        done
    done
}

count plain
RUSTFLAGS="${RUSTFLAGS:+$RUSTFLAGS }-C llvm-args=-inline-threshold=1000" \
    CARGO_TARGET_DIR="$CARGO_TARGET_DIR/inlined" count inlined
paste "$out/plain.tsv" "$out/inlined.tsv" | awk -F'\t' -v OFS='\t' '
    function min(a, b) { return (a + 0 < b + 0) ? a : b }
    { print $1, $2, $3, $4, min($5, $12), min($6, $13), $7 }'
