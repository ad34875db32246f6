#!/usr/bin/env bash
# Runs the fuzz targets (called by fuzz/fuzz.mk and tests/hooks/fuzz.sh).
#
#   fuzz/run.sh libfuzzer TARGET SECONDS   fuzz with libFuzzer from corpus/TARGET + dictionary
#   fuzz/run.sh afl TARGET SECONDS         fuzz with afl-fuzz (CMPLOG companion, dictionary)
#   fuzz/run.sh replay TARGET...           run every corpus and regression input once
#   fuzz/run.sh merge TARGET               minimise corpus/TARGET together with what runs found
#
# New inputs go to build/fuzz/work/TARGET (never into corpus/ by themselves); findings to
# build/fuzz/findings/TARGET/. A finding worth keeping becomes corpus/regressions/TARGET/NAME.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:?mode}
shift

dict_flag() {
    [ -f "fuzz/$1.dict" ] && echo "-dict=fuzz/$1.dict" || true
}

run_libfuzzer() {
    local target=$1 seconds=$2
    local work=build/fuzz/work/$target findings=build/fuzz/findings/$target
    mkdir -p "$work" "$findings" "corpus/$target"
    # -timeout: one input that runs for seconds is a hang; -rss_limit_mb: the sim's pools.
    build/fuzz/bin/"$target" $(dict_flag "$target") -max_total_time="$seconds" \
        -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
        -artifact_prefix="$findings/" "$work" "corpus/$target"
}

run_afl() {
    local target=$1 seconds=$2
    local out=build/fuzz-afl/out/$target seeds=build/fuzz-afl/seeds/$target
    rm -rf "$out" "$seeds"
    mkdir -p "$out" "$seeds"
    # afl-fuzz wants a non-empty input directory of small files.
    find "corpus/$target" -type f -size -8k -exec cp {} "$seeds/" \; 2>/dev/null || true
    [ -n "$(ls -A "$seeds")" ] || printf '\0\0' > "$seeds/empty"
    local dict=()
    [ -f "fuzz/$target.dict" ] && dict=(-x "fuzz/$target.dict")
    # afl-fuzz refuses sanitizer options that do not abort (the test driver exports such
    # options for the other tools), so it gets its own.
    ASAN_OPTIONS=abort_on_error=1:symbolize=0:detect_leaks=0 \
    UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:symbolize=0 \
    AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 \
    AFL_NO_AFFINITY=1 AFL_SKIP_CRASHES=1 \
        afl-fuzz -V "$seconds" -i "$seeds" -o "$out" "${dict[@]}" \
        -c build/fuzz-afl-cmplog/bin/"$target" -- build/fuzz-afl/bin/"$target"
    local stats=$out/default/fuzzer_stats
    if [ -f "$stats" ]; then
        grep -E '^(execs_done|execs_per_sec|corpus_count|saved_crashes|saved_hangs) ' "$stats"
    fi
}

# Every input of corpus/TARGET and corpus/regressions/TARGET, once each.
replay() {
    local target rc=0 files
    for target in "$@"; do
        files=$(find "corpus/$target" "corpus/regressions/$target" -type f 2>/dev/null | sort || true)
        if [ -z "$files" ]; then
            echo "replay $target: no inputs"
            continue
        fi
        # shellcheck disable=SC2086
        if build/fuzz/bin/"$target" $files >"build/fuzz/replay-$target.log" 2>&1; then
            echo "replay $target: $(echo "$files" | wc -l) inputs ok"
        else
            echo "replay $target: FAILED (build/fuzz/replay-$target.log)"
            tail -n 30 "build/fuzz/replay-$target.log"
            rc=1
        fi
    done
    return $rc
}

merge() {
    local target=$1 fresh=build/fuzz/merge/$1
    rm -rf "$fresh"
    mkdir -p "$fresh" "build/fuzz/work/$target" "corpus/$target"
    build/fuzz/bin/"$target" -merge=1 -rss_limit_mb=4096 "$fresh" "corpus/$target" \
        "build/fuzz/work/$target"
    rm -rf "corpus/$target"
    mv "$fresh" "corpus/$target"
    echo "corpus/$target: $(ls "corpus/$target" | wc -l) inputs"
}

case "$mode" in
    libfuzzer) run_libfuzzer "$1" "$2" ;;
    afl) run_afl "$1" "$2" ;;
    replay) replay "$@" ;;
    merge) merge "$1" ;;
    *) echo "unknown mode $mode" >&2; exit 2 ;;
esac
