#!/usr/bin/env bash
# Builds the examples for one variant (gcc, clang or asan, as in tests/run_all.sh) and runs
# each of them with assertions. Prints `ok NAME`, `FAIL NAME: reason` or `skip NAME: reason`.
set -u
cd "$(dirname "$0")/../.."
variant=${1:-gcc}
. scripts/variant.sh
if ! variant_flags "$variant"; then
    echo "FAIL examples/variant: unknown variant $variant"
    exit 1
fi
cc=$variant_cc san=$variant_san opt=$variant_opt

bin=build/$variant/examples
# The real-kernel examples first, then the simulated one, so that a failure to build the
# simulated kernel never hides the results of the others.
build() { # TARGET...: prints the first error line on failure
    local log
    log=$(mktemp)
    if make -s -j2 V="$variant" CC="$cc" SAN="$san" OPT="$opt" "$@" >"$log" 2>&1; then
        rm -f "$log"
        return 0
    fi
    grep -m1 -E 'error|Error' "$log"
    rm -f "$log"
    return 1
}
if ! error=$(build "$bin/ringer-cat" "$bin/ringer-echo" "$bin/ringer-datafile"); then
    echo "FAIL examples/build: $error"
    exit 0
fi
sim_built=no
if grep -q '^LIBRINGER_SIM_A' sim/sim.mk 2>/dev/null; then
    if error=$(build "$bin/ringer-echo-sim"); then
        sim_built=yes
    else
        echo "FAIL examples/echo_sim_build: $error"
    fi
fi
work=$(mktemp -d /dev/shm/ringer-examples.XXXXXX)
trap 'rm -rf "$work"' EXIT

check() { # NAME CONDITION-DESCRIPTION: prints ok/FAIL from the status of the last command
    local status=$1 name=$2 reason=$3
    if [ "$status" -eq 0 ]; then echo "ok $name"; else echo "FAIL $name: $reason"; fi
}

# ---- ringer-cat ----
# 1 MiB + 12345 bytes: many chunks, and a last chunk that is not full.
head -c $((1024 * 1024 + 12345)) /dev/urandom >"$work/pattern"
timeout 20 "$bin/ringer-cat" "$work/pattern" >"$work/pattern.out" 2>"$work/cat.err"
rc=$?
[ $rc -eq 0 ] && cmp -s "$work/pattern" "$work/pattern.out"
check $? examples/cat_file "exit $rc or bytes differ ($(head -c 200 "$work/cat.err"))"
timeout 20 "$bin/ringer-cat" "$work/pattern" 2>/dev/null | cmp -s - "$work/pattern"
check $? examples/cat_to_pipe "bytes written to a pipe differ"
: >"$work/empty"
out=$(timeout 20 "$bin/ringer-cat" "$work/empty" | wc -c)
[ "$out" -eq 0 ]
check $? examples/cat_empty_file "printed $out bytes for an empty file"
timeout 20 "$bin/ringer-cat" "$work/missing" >/dev/null 2>&1
rc=$?
[ $rc -eq 1 ]
check $? examples/cat_missing_file "exit $rc, expected 1"
timeout 20 "$bin/ringer-cat" >/dev/null 2>&1
rc=$?
[ $rc -eq 2 ]
check $? examples/cat_bad_args "exit $rc, expected 2"

# ---- ringer-datafile ----
datafile() { timeout 20 "$bin/ringer-datafile" "$@" 2>&1; }
out=$(datafile format "$work" data.ringer 1M)
rc=$?
[ $rc -eq 0 ] && grep -q '^size: 1048576$' <<<"$out" && grep -q '^tmpfs: yes$' <<<"$out" \
    && grep -q '^lock: held$' <<<"$out" && [ "$(stat -c %a "$work/data.ringer")" = 600 ]
check $? examples/datafile_format "exit $rc: $(tr '\n' ' ' <<<"$out")"
out=$(datafile open "$work" data.ringer 1M)
rc=$?
[ $rc -eq 0 ] && grep -q '^direct_io: no$' <<<"$out"
check $? examples/datafile_open "exit $rc: $(tr '\n' ' ' <<<"$out")"
out=$(datafile inspect "$work" data.ringer 1M disabled)
rc=$?
[ $rc -eq 0 ] && grep -q '^ok$' <<<"$out"
check $? examples/datafile_inspect "exit $rc: $(tr '\n' ' ' <<<"$out")"
out=$(datafile format "$work" data.ringer 1M)
rc=$?
[ $rc -eq 1 ] && grep -q 'EEXIST' <<<"$out"
check $? examples/datafile_format_existing "exit $rc: $(tr '\n' ' ' <<<"$out")"
out=$(datafile open "$work" data.ringer 2M)
rc=$?
[ $rc -eq 1 ] && grep -q 'EFBIG' <<<"$out"
check $? examples/datafile_too_small "exit $rc: $(tr '\n' ' ' <<<"$out")"
datafile open "$work" data.ringer >/dev/null
rc=$?
[ $rc -eq 2 ]
check $? examples/datafile_bad_args "exit $rc, expected 2"
datafile format "$work" other.ringer 12Q >/dev/null
rc=$?
[ $rc -eq 2 ]
check $? examples/datafile_bad_size "exit $rc, expected 2"

# ---- ringer-echo ----
timeout 20 "$bin/ringer-echo" --bogus >/dev/null 2>&1
rc=$?
[ $rc -eq 2 ]
check $? examples/echo_bad_args "exit $rc, expected 2"

# Starts the server on a free port with room for 2 clients; sets echo_pid and echo_port.
start_echo() {
    timeout 60 "$bin/ringer-echo" --port 0 --max-connections 2 2>"$work/echo.err" &
    echo_pid=$!
    echo_port=""
    for _ in $(seq 50); do
        echo_port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$work/echo.err")
        [ -n "$echo_port" ] && return 0
        sleep 0.1
    done
    return 1
}

# Sends a line on fd $1 and checks that the same line comes back within $2 seconds.
echo_round_trip() {
    local fd=$1 wait=$2 line="ringer echo $RANDOM$RANDOM" reply=""
    printf '%s\n' "$line" >&"$fd" || return 1
    IFS= read -r -t "$wait" -u "$fd" reply || return 1
    [ "$reply" = "$line" ]
}

run_echo_tests() {
    if ! start_echo; then
        echo "FAIL examples/echo_start: no port printed: $(head -c 200 "$work/echo.err")"
        kill "$echo_pid" 2>/dev/null
        return
    fi
    exec 5<>"/dev/tcp/127.0.0.1/$echo_port" 6<>"/dev/tcp/127.0.0.1/$echo_port"
    echo_round_trip 5 5 && echo_round_trip 6 5
    check $? examples/echo_two_clients "a line did not come back"
    # A third client waits in the backlog while the server is full ...
    exec 7<>"/dev/tcp/127.0.0.1/$echo_port"
    ! echo_round_trip 7 0.5
    check $? examples/echo_connection_limit "a third client was served beyond the limit of 2"
    # ... and is served (its earlier line first) once another client leaves.
    exec 5>&-
    local reply=""
    IFS= read -r -t 5 -u 7 reply && [[ $reply == "ringer echo "* ]] && echo_round_trip 7 5
    check $? examples/echo_after_close "the waiting client was not served (got '$reply')"
    # SIGINT with clients still connected: cancel_all, then a clean exit 0.
    kill -INT "$echo_pid"
    wait "$echo_pid"
    local rc=$?
    exec 6>&- 7>&-
    [ $rc -eq 0 ] && grep -q '^ringer-echo: stopped' "$work/echo.err"
    check $? examples/echo_sigint "exit $rc: $(tail -n 2 "$work/echo.err" | tr '\n' ' ')"
}
run_echo_tests

# ---- ringer-echo-sim: the same server on the simulated kernel, with a simulated client ----
if [ "$sim_built" = yes ]; then
    out=$(RINGER_SIM_SEED=1 timeout 60 "$bin/ringer-echo-sim" 2>&1)
    rc=$?
    [ $rc -eq 0 ] && grep -q '^simulated: 60 of 60 lines echoed, 0 failures' <<<"$out" &&
        grep -q '^ringer-echo: stopped' <<<"$out"
    check $? examples/echo_sim "exit $rc: $(tail -n 3 <<<"$out" | tr '\n' ' ' | cut -c1-300)"
    hash1=$(sed -n 's/.*trace hash //p' <<<"$out")
    hash2=$(RINGER_SIM_SEED=1 timeout 60 "$bin/ringer-echo-sim" 2>&1 | sed -n 's/.*trace hash //p')
    [ -n "$hash1" ] && [ "$hash1" = "$hash2" ]
    check $? examples/echo_sim_same_seed_same_hash "seed 1 gave trace hashes '$hash1' and '$hash2'"
elif ! grep -q '^LIBRINGER_SIM_A' sim/sim.mk 2>/dev/null; then
    echo "skip examples/echo_sim: the simulated kernel is not part of the build (no sim/sim.mk)"
fi
