#!/usr/bin/env bash
# Test hook (tests/run_all.sh): the fuzzers, in the asan variant only.
#   1. build every target (libFuzzer + ASan + UBSan, build/fuzz/);
#   2. replay every input of corpus/<target>/ and corpus/regressions/<target>/;
#   3. replay corpus/pending/ (inputs of known open bugs: skip while they still fail);
#   4. fuzz each target for FUZZ_SECONDS (default 45) from its corpus; a finding is a FAIL,
#      or a skip when its report matches a known open bug of corpus/pending/KNOWN;
#   5. build the AFL++ variants and fuzz fuzz_loop for FUZZ_AFL_SECONDS (default 30).
# FUZZ_SECONDS=0 skips steps 4 and 5. Prints `ok|FAIL|skip <name>` lines only.
set -u
cd "$(dirname "$0")/../.."

[ "${1:-}" = asan ] || exit 0

targets="fuzz_loop fuzz_cancel_all fuzz_open_data_file fuzz_kernel"
seconds=${FUZZ_SECONDS:-45}
afl_seconds=${FUZZ_AFL_SECONDS:-30}
log=build/fuzz/hook.log
mkdir -p build/fuzz

skip_all() {
    local t
    for t in build $targets; do echo "skip fuzz/$t: $1"; done
    exit 0
}

command -v clang >/dev/null || skip_all "clang is not installed"
[ -f sim/sim.mk ] || skip_all "the simulated kernel is not ready yet (no sim/sim.mk)"
echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }' \
    > build/fuzz/probe.c
clang -fsanitize=fuzzer build/fuzz/probe.c -o build/fuzz/probe 2>/dev/null ||
    skip_all "no libFuzzer runtime (install libclang-rt-14-dev)"

if ! make -s -j"$(nproc)" fuzz >"$log" 2>&1; then
    echo "FAIL fuzz/build: make fuzz failed:"
    grep -E 'error' "$log" | head -n 10
    exit 0
fi
echo "ok fuzz/build"

for target in $targets; do
    if out=$(fuzz/run.sh replay "$target" 2>&1); then
        echo "ok fuzz/replay/$target"
    else
        echo "FAIL fuzz/replay/$target: an input of the corpus or the regressions fails"
        echo "$out" | tail -n 20
    fi
done

# Known open bugs (corpus/pending/KNOWN): a report containing one of these is reported as skip.
known_bug() {
    local report=$1 line
    while IFS= read -r line; do
        case "$line" in ''|'#'*) continue ;; esac
        if grep -qF -- "${line%%|*}" <<<"$report"; then
            echo "${line#*|}"
            return 0
        fi
    done < corpus/pending/KNOWN
    return 1
}

for input in corpus/pending/*/*; do
    [ -f "$input" ] || continue
    target=$(basename "$(dirname "$input")")
    if report=$(build/fuzz/bin/"$target" "$input" 2>&1); then
        echo "ok fuzz/pending/$target/$(basename "$input") (passes now: move it to corpus/regressions/$target)"
    elif what=$(known_bug "$report"); then
        echo "skip fuzz/pending/$target/$(basename "$input"): known open bug: $what"
    else
        echo "FAIL fuzz/pending/$target/$(basename "$input"): fails differently from its known bug"
        grep -m1 -E 'invariant failed|ORACLE|STOP|ERROR: |assertion failed' <<<"$report"
    fi
done

[ "$seconds" -gt 0 ] || exit 0
for target in $targets; do
    findings=build/fuzz/findings/$target
    rm -rf "$findings"
    fuzz/run.sh libfuzzer "$target" "$seconds" >"build/fuzz/run-$target.log" 2>&1
    found=$(ls "$findings" 2>/dev/null | head -n 1)
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "build/fuzz/run-$target.log" |
            grep -o '[0-9]*$')
    if [ -n "$found" ]; then
        report=$(grep -E 'invariant failed|ORACLE|STOP|ERROR: |assertion failed' \
                 "build/fuzz/run-$target.log" | head -n 3)
        if what=$(known_bug "$report"); then
            echo "skip fuzz/run/$target: hit a known open bug ($what): $findings/$found"
        else
            echo "FAIL fuzz/run/$target: finding $findings/$found (build/fuzz/run-$target.log)"
            echo "$report"
        fi
    else
        echo "ok fuzz/run/$target ($seconds s, ${execs:-?} execs)"
    fi
done

if ! command -v afl-fuzz >/dev/null; then
    echo "skip fuzz/afl: afl-fuzz is not installed"
    exit 0
fi
if ! make -s -j"$(nproc)" fuzz-afl >>"$log" 2>&1; then
    echo "FAIL fuzz/afl-build: make fuzz-afl failed (see $log)"
    exit 0
fi
afl_out=$(fuzz/run.sh afl fuzz_loop "$afl_seconds" 2>&1)
execs=$(echo "$afl_out" | awk '/^execs_done/ {print $3}')
crashes=$(echo "$afl_out" | awk '/^saved_crashes/ {print $3}')
if [ "${execs:-0}" -gt 0 ] && [ "${crashes:-0}" -eq 0 ]; then
    echo "ok fuzz/afl/fuzz_loop ($afl_seconds s, $execs execs)"
else
    echo "FAIL fuzz/afl/fuzz_loop: execs ${execs:-0}, crashes ${crashes:-?} (build/fuzz-afl/out)"
fi
