#!/usr/bin/env bash
# The `make test` driver: build and run the suite in each variant, then print one total.
#
# Variants: gcc, clang, and asan (clang with ASan+UBSan). For each one it builds
# build/<variant>/tests/ringer-tests quietly (the compiler's output is shown only when the
# build fails, which counts as a FAIL) and runs it, prefixing every result line with the
# variant: `ok gcc/a1_file_round_trip`, `FAIL asan/b6_...: reason`, `skip clang/...: reason`.
# The gcc build runs twice: `gcc/` on ringer's default ring (DEFER_TASKRUN where the kernel
# has it) and `gcc-coop/` on rings with COOP_TASKRUN alone (RINGER_TEST_TASKRUN=coop).
#
# Hooks: other parts of the project add their tests without editing this file.
#   - tests/sim/run.sh <variant>, if executable (the simulated-kernel suite);
#   - every executable tests/hooks/*.sh, called as `tests/hooks/<name>.sh <variant>`.
# A hook runs from the repository root and prints the same protocol, one line per test:
# `ok <name>`, `FAIL <name>: <reason>` or `skip <name>: <reason>`; other lines pass through
# uncounted. A hook that exits non-zero without printing a FAIL line counts as one FAIL.
#
# Environment: RINGER_TEST_VARIANTS="gcc clang asan" (default) picks variants; "tsan"
# (clang with ThreadSanitizer, ringer-tests only, no hooks) is available on request;
# RINGER_TEST_FILTER=<substring> runs only the matching tests of ringer-tests.
#
# The last line is always `N passed, N failed` (plus `, N skipped` when N > 0); the exit
# status is non-zero when anything failed.
set -u
cd "$(dirname "$0")/.."

passed=0
failed=0
skipped=0
jobs=$(nproc 2>/dev/null || echo 2)

# Reads protocol lines on stdin, prints them prefixed with "$1/", and updates the counts.
# The producer ends with a line "__status N" (its exit status), kept in last_status.
last_status=0
saw_fail=0
count_results() {
    local variant=$1 line kind rest
    while IFS= read -r line; do
        kind=${line%% *}
        rest=${line#* }
        case "$kind" in
            __status) last_status=$rest ;;
            ok|FAIL|skip)
                [[ $rest == "$variant/"* ]] || rest="$variant/$rest"
                echo "$kind $rest"
                case "$kind" in
                    ok) passed=$((passed + 1)) ;;
                    FAIL) failed=$((failed + 1)); saw_fail=1 ;;
                    skip) skipped=$((skipped + 1)) ;;
                esac ;;
            *) echo "$line" ;;
        esac
    done
}

# Runs one hook or binary with the protocol, streaming its lines; a non-zero exit with no
# FAIL line is a FAIL.
run_counted() {
    local variant=$1 name=$2
    shift 2
    saw_fail=0
    count_results "$variant" < <("$@" 2>&1; echo "__status $?")
    if [ "$last_status" -ne 0 ] && [ $saw_fail -eq 0 ]; then
        echo "FAIL $variant/$name: exited with status $last_status"
        failed=$((failed + 1))
    fi
}

build_variant() {
    local variant=$1 cc=$2 san=$3 opt=$4 log
    log=$(mktemp)
    if ! make -s -j"$jobs" V="$variant" CC="$cc" SAN="$san" OPT="$opt" tests-real >"$log" 2>&1; then
        echo "FAIL $variant/build: make tests-real failed:"
        grep -E 'error|Error' "$log" | head -n 20
        tail -n 20 "$log"
        failed=$((failed + 1))
        rm -f "$log"
        return 1
    fi
    rm -f "$log"
}

run_variant() {
    local variant=$1 cc=$2 san=$3 opt=$4 start=$SECONDS
    if build_variant "$variant" "$cc" "$san" "$opt"; then
        run_counted "$variant" ringer-tests "build/$variant/tests/ringer-tests" ${RINGER_TEST_FILTER:+"$RINGER_TEST_FILTER"}
        # Once more on rings with COOP_TASKRUN alone, where io-wq workers post CQEs
        # themselves (ringer's default ring defers them to the next enter).
        if [ "$variant" = gcc ]; then
            run_counted gcc-coop ringer-tests env RINGER_TEST_TASKRUN=coop \
                "build/$variant/tests/ringer-tests" ${RINGER_TEST_FILTER:+"$RINGER_TEST_FILTER"}
        fi
    fi
    if [ "$variant" = tsan ]; then
        echo "($variant took $((SECONDS - start)) s)" >&2
        return
    fi
    if [ -x tests/sim/run.sh ]; then
        run_counted "$variant" sim tests/sim/run.sh "$variant"
    fi
    local hook
    for hook in tests/hooks/*.sh; do
        [ -x "$hook" ] || continue
        run_counted "$variant" "$(basename "$hook" .sh)" "$hook" "$variant"
    done
    echo "($variant took $((SECONDS - start)) s)" >&2
}

asan_flags="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

for variant in ${RINGER_TEST_VARIANTS:-gcc clang asan}; do
    case "$variant" in
        gcc) run_variant gcc gcc "" "-O2 -g" ;;
        clang) run_variant clang clang "" "-O2 -g" ;;
        asan) run_variant asan clang "$asan_flags" "-O1 -g" ;;
        tsan) run_variant tsan clang "-fsanitize=thread" "-O1 -g" ;;
        *) echo "FAIL $variant/variant: unknown variant"; failed=$((failed + 1)) ;;
    esac
done

summary="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && summary="$summary, $skipped skipped"
echo "$summary"
[ "$failed" -eq 0 ]
