#!/usr/bin/env bash
# Instruction counts (user space only, deterministic) of uring-core and the
# io-uring crate doing the same fixed work: the `--callgrind` mode of
# benches/vs_io_uring.rs runs 200 rounds of {256 NOP, 256 mixed-prep,
# 32 read4k-fixed} batches per library (uring-core twice: filled through
# `Ring::get_sqe()`, then through one `Ring::sq_batch()` handle, the
# `*_batch` rows), and callgrind counts each `cg_*` function (inclusive of
# what it calls, syscalls excluded: the kernel's work is invisible to
# valgrind). Prints instructions per SQE, CQE or call.
#
# Usage: scripts/bench/callgrind.sh            (from anywhere in the repo)
# Needs: valgrind (callgrind_annotate comes with it).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"

bin=$(cargo bench --bench vs_io_uring --no-run --message-format=json 2>/dev/null |
    grep -o '"executable":"[^"]*vs_io_uring[^"]*"' | tail -n1 | cut -d'"' -f4)
[ -x "$bin" ] || { echo "could not build the vs_io_uring bench" >&2; exit 1; }

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# Count only inside the cg_* functions (they never nest).
valgrind --tool=callgrind --callgrind-out-file="$out/cg.out" \
    --collect-atstart=no --toggle-collect='*::cg_*' \
    "$bin" --callgrind >"$out/ops.txt" 2>"$out/valgrind.log" || {
    cat "$out/valgrind.log" >&2
    exit 1
}
callgrind_annotate --inclusive=yes --threshold=100 "$out/cg.out" >"$out/annotate.txt"

printf '%-26s %12s %8s %10s\n' function Ir count Ir/each
while read -r name ops unit; do
    ir=$(grep -E "::${name}( |\$|\[)" "$out/annotate.txt" | head -n1 | awk '{gsub(",", "", $1); print $1}')
    [ -n "$ir" ] || ir=0
    awk -v n="$name" -v ir="$ir" -v ops="$ops" -v u="$unit" \
        'BEGIN { printf "%-26s %12d %8d %10.2f per %s\n", n, ir, ops, ir / ops, u }'
done <"$out/ops.txt"
