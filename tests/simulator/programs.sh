#!/usr/bin/env bash
# Users' programs under `ringer-sim --exec` (issue 13): a failure report a newcomer reads
# (compared with readable_failure.expected), the world from the environment (before main,
# or at a zero-seed ringer_sim_init) with its leak check, the log, the timeline and the
# replay of one seed, fault profiles a correct single-copy app survives
# (examples/ringer-kvlog-sim under transparent and crash), planted bugs found and shrunk
# to a command that replays them, and a correct O_DIRECT writer under hostile.
#   tests/simulator/programs.sh BIN PROGRAMS_DIR KVLOG SEEDS
set -u
bin=$1 programs=$2 kvlog=$3 seeds=$4
here=$(dirname "$0")
work=$(mktemp -d /tmp/ringer-sim-programs.XXXXXX)
trap 'rm -rf "$work"' EXIT

pass() { echo "ok simulator/exec/$1"; }
fail() { echo "FAIL simulator/exec/$1: $2"; }
# Runs ringer-sim with ARGS; its output in $work/out, its status in $status.
run() {
    "$bin" "$@" >"$work/out" 2>&1
    status=$?
}

# The report of a failing program, as a newcomer reads it: every event named.
run --seed-range 1..1 --profile transparent --no-swarm --faults-off all \
    --exec "$programs/readable_failure"
sed -n '/^FAIL seed/,/^  (add --log/p' "$work/out" | sed -f "$here/normalise.sed" >"$work/report"
if [ "$status" -eq 1 ] && diff -u "$here/readable_failure.expected" "$work/report" >"$work/diff"; then
    pass readable_report
else
    fail readable_report "exit $status; the report differs from readable_failure.expected:"
    head -n 20 "$work/diff" | sed 's/^/    /'
fi

# A program that never calls ringer_sim_init: the world before main, the leak check after.
run --seeds 3 --exec "$programs/leaky"
if [ "$status" -eq 1 ] && grep -q 'fd(s) leaked at the end of the world: fd [0-9]* (file /data/forgotten)' "$work/out"; then
    pass leak_after_main
else fail leak_after_main "exit $status: $(grep -m1 '^FAIL' "$work/out")"; fi
run --seeds 3 --exec "$programs/leaky" closes-it
if [ "$status" -eq 0 ]; then pass no_leak_passes; else fail no_leak_passes "$(head -n 3 "$work/out" | tr '\n' ' ')"; fi

# A zero seed takes the environment's seed and profile and keeps the program's options.
run --seed 77 --profile crash --no-swarm --exec "$programs/zero_seed"
if [ "$status" -eq 0 ] && grep -q '^seed 77: seed=77 profile=crash .*sockbuf=8192 .*LOST_UNSYNCED:' "$work/out"; then
    pass zero_seed_from_environment
else fail zero_seed_from_environment "exit $status: $(head -n 2 "$work/out" | tr '\n' ' ')"; fi
if RINGER_SIM_SEED=abc "$programs/leaky" 2>"$work/err"; then
    fail bad_environment_seed "RINGER_SIM_SEED=abc was taken"
else
    status=$?
    if [ "$status" -eq 2 ] && [ "$(wc -l <"$work/err")" -eq 1 ] && grep -q "RINGER_SIM_SEED='abc'" "$work/err"
    then pass bad_environment_seed
    else fail bad_environment_seed "exit $status: $(head -c 200 "$work/err")"; fi
fi

# One command gives a user's test the log, the timeline and a bit-for-bit replay.
run --seed 5 --profile crash --log --trace "$work/kv.json" --exec "$kvlog"
if [ "$status" -eq 0 ] && grep -q 'sqe    #[0-9]* WRITE fd [0-9]* (file /data/kv/log) 64 bytes at' "$work/out" &&
    grep -q 'log    put key' "$work/out" && grep -q 'crash  power loss' "$work/out" &&
    python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["traceEvents"]; sys.exit(0 if any(x.get("ph")=="X" for x in e) else 1)' "$work/kv.json"
then pass log_and_trace
else fail log_and_trace "exit $status: $(tail -n 2 "$work/out" | tr '\n' ' ')"; fi
run --seeds 20 --twice --profile crash --exec "$kvlog"
if [ "$status" -eq 0 ]; then pass replay_twice_same_hash
else fail replay_twice_same_hash "$(grep -m1 '^FAIL' "$work/out")"; fi

# A correct single-copy app survives what it must: transparent and crash faults.
for profile in transparent crash; do
    run --seeds "$seeds" --profile "$profile" --exec "$kvlog"
    if [ "$status" -eq 0 ]; then pass "kvlog_survives_$profile ($seeds seeds)"
    else fail "kvlog_survives_$profile" "$(grep -m1 -A1 '^FAIL' "$work/out" | tr '\n' ' ')"; fi
done

# Planted bugs are found, and the minimizer's command replays the failure.
for bug in ack-before-fsync no-dir-fsync; do
    run --seeds 300 --profile crash --exec "$kvlog" --bug "$bug"
    seed=$(sed -n 's/^FAIL seed \([0-9]*\).*/\1/p' "$work/out" | head -n 1)
    if [ -z "$seed" ]; then
        fail "planted_$bug" "not found in 300 seeds (exit $status)"
        continue
    fi
    "$bin" --seed "$seed" --profile crash --minimize --exec "$kvlog" --bug "$bug" >"$work/min" 2>&1
    replay=$(sed -n 's/^  reproduce: ringer-sim //p' "$work/min")
    hash=$(sed -n 's/.*trace hash \([0-9a-f]*\)$/\1/p' "$work/min")
    # shellcheck disable=SC2086
    "$bin" $replay >"$work/again" 2>&1
    again=$?
    if [ -n "$replay" ] && [ "$again" -eq 1 ] && grep -q "trace hash $hash" "$work/again"; then
        pass "planted_$bug (seed $seed)"
    else fail "planted_$bug" "the minimized command did not replay: $replay (exit $again)"; fi
done

# A correct O_DIRECT writer survives the hostile profile: short writes are whole blocks.
run --seeds "$seeds" --profile hostile --exec "$programs/odirect_writer"
shorts=$(sed -n 's/.*SHORT *\([0-9]*\).*/\1/p' "$work/out" | head -n 1)
if [ "$status" -eq 0 ] && [ "${shorts:-0}" -gt 0 ]; then pass "odirect_hostile ($shorts short writes)"
else fail odirect_hostile "exit $status, ${shorts:-0} SHORT faults: $(grep -m1 -A3 '^FAIL' "$work/out" | tr '\n' ' ')"; fi
exit 0
