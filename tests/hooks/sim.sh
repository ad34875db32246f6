#!/usr/bin/env bash
# ringer-sim in `make test` (tests/run_all.sh calls it with the variant: gcc, clang, asan).
# Builds ringer-sim for the variant, then prints one protocol line per check:
#   sim/<workload>/<profile>   a few hundred seeds of each workload in both profiles
#   sim/all/<profile>          as many seeds of the mix under transparent, crash,
#                              storage-errors and network
#   sim/determinism            a sample of seeds run twice: equal trace hashes
#   sim/cross-compiler-hash    (clang) the same seeds give the same hash as the gcc build
#   sim/regression/<case>      every seed that ever found a bug (corpus/sim-regressions/)
#   selftest/<bug>             (gcc only) make sim-selftest: each planted bug is caught
# RINGER_SIM_SEEDS=N overrides the seeds per workload and profile.
set -u
cd "$(dirname "$0")/../.."
variant=${1:-gcc}
. scripts/variant.sh
if ! variant_flags "$variant"; then
    echo "FAIL sim/variant: unknown variant $variant"
    exit 1
fi
cc=$variant_cc san=$variant_san opt=$variant_opt
seeds=300
[ "$variant" = asan ] && seeds=150
seeds=${RINGER_SIM_SEEDS:-$seeds}
jobs=$(nproc 2>/dev/null || echo 2)
bin=build/$variant/bin/ringer-sim
make_variant() {
    make -s -j"$jobs" V="$variant" CC="$cc" SAN="$san" OPT="$opt" "$@"
}

log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! make_variant ringer-sim >"$log" 2>&1; then
    echo "FAIL sim/build: $(grep -m1 -E 'error|Error' "$log")"
    exit 1
fi
echo "ok sim/build"

# Runs ringer-sim with the given flags; prints ok or FAIL with the first failure's lines.
check() {
    local name=$1 output status
    shift
    output=$(timeout 900 "$bin" --jobs "$jobs" "$@" 2>&1)
    status=$?
    if [ "$status" -eq 0 ]; then
        echo "ok $name"
        return
    fi
    local first
    first=$(printf '%s\n' "$output" | grep -m1 '^FAIL seed' || true)
    echo "FAIL $name: ${first:-ringer-sim exited with status $status}"
    printf '%s\n' "$output" | grep -A2 -m1 '^FAIL seed' | tail -n 2
}

for workload in storage network cancel timers; do
    for profile in faithful hostile; do
        check "sim/$workload/$profile" --seeds "$seeds" --workload "$workload" --profile "$profile"
    done
done
# The profiles named by what a program survives: subsets of faithful, every workload.
for profile in transparent crash storage-errors network; do
    check "sim/all/$profile" --seeds "$seeds" --profile "$profile"
done
check sim/determinism --seeds $((seeds / 5 + 1)) --twice

# The trace hash must not depend on the compiler (fault-model.md §8).
if [ "$variant" = clang ] &&
   make -s -j"$jobs" V=gcc CC=gcc SAN= OPT="-O2 -g" ringer-sim >/dev/null 2>&1; then
    mismatch=""
    for seed in 1 2 3 4 5 6 7 8; do
        a=$(build/gcc/bin/ringer-sim --seed "$seed" 2>/dev/null | grep -o 'trace hash [0-9a-f]*')
        b=$("$bin" --seed "$seed" 2>/dev/null | grep -o 'trace hash [0-9a-f]*')
        [ "$a" = "$b" ] || mismatch="$mismatch $seed"
    done
    if [ -z "$mismatch" ]; then echo "ok sim/cross-compiler-hash"
    else echo "FAIL sim/cross-compiler-hash: gcc and clang builds differ for seeds$mismatch"; fi
fi

# A case whose file has a "# open: <reason>" line replays a bug not fixed yet: while it
# still fails it is reported as skip with that reason, and as ok once it passes.
for case_file in corpus/sim-regressions/*.args; do
    [ -e "$case_file" ] || continue
    name=$(basename "$case_file" .args)
    open_reason=$(sed -n 's/^# open: //p' "$case_file" | head -n 1)
    # shellcheck disable=SC2046
    result=$(check "sim/regression/$name" $(grep -v '^#' "$case_file"))
    if [ -n "$open_reason" ] && [ "${result%% *}" = FAIL ]; then
        echo "skip sim/regression/$name: open: $open_reason"
    else
        printf '%s\n' "$result"
    fi
done

# A fixed budget of 3000 seeds per planted bug keeps this under two minutes; every bug
# that is caught at all is caught far earlier (make sim-selftest alone uses the defaults).
if [ "$variant" = gcc ]; then
    SELFTEST_SEEDS="--seed-range 1..3000" make_variant sim-selftest 2>&1 |
        grep -E '^(ok|FAIL|skip) |^sim-selftest:|^    caught:'
fi
exit 0
