#!/usr/bin/env bash
# ringer-sim's command line as a user meets it (issue 12 item 6): its own usage and I/O
# errors exit 2 with one line, distinct from a failed seed (exit 1); SIGINT stops the
# workers, prints the summary so far and the seeds not run, exits 130; conflicting flags
# are refused; --jobs defaults to the CPUs; a progress line on a terminal only;
# --minimize prints only its result; --junit writes a report CI systems read; --trace
# puts faults on the op they hit. One protocol line per check.
#   tests/simulator/cli.sh BIN PROGRAMS_DIR KVLOG
set -u
bin=$1 programs=$2 kvlog=$3
work=$(mktemp -d /tmp/ringer-sim-cli.XXXXXX)
trap 'rm -rf "$work"' EXIT

pass() { echo "ok simulator/cli/$1"; }
fail() { echo "FAIL simulator/cli/$1: $2"; }

# ARGS... must exit 2 with exactly one line on stderr and nothing on stdout.
usage_error() {
    local name=$1
    shift
    "$bin" "$@" >"$work/out" 2>"$work/err"
    local status=$? lines
    lines=$(wc -l <"$work/err")
    if [ "$status" -eq 2 ] && [ "$lines" -eq 1 ] && [ ! -s "$work/out" ] &&
        ! grep -q '^FAIL seed' "$work/err"; then
        pass "$name"
    else
        fail "$name" "exit $status, $lines stderr lines: $(head -c 200 "$work/err" "$work/out" | tr '\n' ' ')"
    fi
}

usage_error unknown_flag --bogus
usage_error seed_and_seeds --seed 5 --seeds 10
usage_error seeds_twice --seeds 5 --seeds 10
usage_error seed_range_and_seed --seed-range 1..4 --seed 2
usage_error empty_workload_item --workload storage,,
usage_error trailing_comma_faults --faults-off SHORT,
usage_error swarm_and_no_swarm --swarm --no-swarm
usage_error bad_jobs --jobs 0
usage_error bad_profile --profile gentle
usage_error exec_without_program --exec
usage_error workload_with_exec --workload storage --exec "$programs/leaky"
usage_error unwritable_trace --seed 1 --trace "$work/missing/run.json"
usage_error unwritable_junit --seeds 2 --junit "$work/missing/report.xml"
usage_error missing_program --seeds 3 --exec "$work/no-such-program"

# RINGER_SIM_SEED in ringer-sim's own environment means nothing to it.
if RINGER_SIM_SEED=abc "$bin" --seeds 3 >"$work/out" 2>&1; then pass env_seed_ignored_by_ringer_sim
else fail env_seed_ignored_by_ringer_sim "$(head -c 200 "$work/out")"; fi

# --jobs defaults to the CPUs this process may use.
cpus=$(nproc)
[ "$cpus" -gt 256 ] && cpus=256
"$bin" --seeds 40 >"$work/out" 2>&1
if grep -q "seeds/s, $cpus workers)" "$work/out"; then pass jobs_default_cpus
else fail jobs_default_cpus "expected $cpus workers: $(grep -m1 '^ringer-sim:' "$work/out")"; fi

# Off a terminal: no progress lines at all; on one (script(1) gives a pty): rate and ETA.
"$bin" --seeds 400 >"$work/out" 2>"$work/err"
if [ ! -s "$work/err" ]; then pass no_progress_off_terminal
else fail no_progress_off_terminal "$(head -c 200 "$work/err")"; fi
script -qec "$bin --seeds 3000 --jobs 1" /dev/null >"$work/tty" 2>&1
if grep -aq 'seeds/s .* left' "$work/tty"; then pass progress_on_terminal
else fail progress_on_terminal "no progress line with a rate and the time left"; fi

# SIGINT: the summary so far, the seeds not run, status 130, no worker left behind.
"$bin" --seed-range 7..1000007 --jobs 2 >"$work/out" 2>&1 &
pid=$!
sleep 1.5
kill -INT "$pid"
for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
if kill -0 "$pid" 2>/dev/null; then # it ignored SIGINT: end it and its workers
    kill -KILL $(pgrep -P "$pid") "$pid" 2>/dev/null
fi
wait "$pid"
status=$?
sleep 0.2
left=$(pgrep -f -- '--seed-range 7..1000007' | wc -l)
if [ "$status" -eq 130 ] && grep -q '^ringer-sim: [0-9]* seeds (0 failed)' "$work/out" &&
    grep -q 'stopped by SIGINT after [0-9]* of 1000001 seeds; not run: .*\.\.1000007' "$work/out" &&
    grep -q 'resume: --seed-range [0-9]*\.\.1000007' "$work/out" && [ "$left" -eq 0 ]; then
    pass sigint_summary
else
    fail sigint_summary "exit $status, $left processes left: $(tail -n 3 "$work/out" | tr '\n' ' ')"
fi

# A failed seed is exit 1 with the seed and its replay line.
"$bin" --seeds 50 --profile crash --exec "$kvlog" --bug ack-before-fsync >"$work/out" 2>&1
status=$?
if [ "$status" -eq 1 ] && grep -q '^FAIL seed [0-9]*' "$work/out" &&
    grep -q '^  reproduce: ringer-sim --seed [0-9]* --profile crash --swarm --exec ' "$work/out"; then
    pass failure_exit_1
else fail failure_exit_1 "exit $status: $(head -n 2 "$work/out" | tr '\n' ' ')"; fi

# --minimize: the result and the failure block only, nothing of the trials' output.
seed=$(sed -n 's/^FAIL seed \([0-9]*\).*/\1/p' "$work/out" | head -n 1)
"$bin" --seed "${seed:-0}" --profile crash --minimize --exec "$kvlog" --bug ack-before-fsync \
    >"$work/min" 2>"$work/min.err"
status=$?
stray=$(grep -vcE '^(minimized seed|FAIL seed|  )' "$work/min")
if [ "$status" -eq 1 ] && [ "$stray" -eq 0 ] && [ ! -s "$work/min.err" ] &&
    grep -q '^minimized seed' "$work/min" && grep -q '^  reproduce: ' "$work/min"; then
    pass minimize_result_only
else
    fail minimize_result_only "exit $status, $stray stray lines: $(head -c 300 "$work/min" "$work/min.err" | tr '\n' ' ')"
fi

# --junit: a case per seed, the failed ones as failures with their replay command.
"$bin" --seeds 60 --keep-going --profile crash --junit "$work/report.xml" --exec "$kvlog" \
    --bug ack-before-fsync >"$work/out" 2>&1
failed=$(grep -c '^FAIL seed' "$work/out")
if python3 - "$work/report.xml" "$failed" <<'EOF'; then pass junit_report; else fail junit_report "see above"; fi
import sys, xml.etree.ElementTree as ET
suite = ET.parse(sys.argv[1]).getroot().find("testsuite")
cases = suite.findall("testcase")
failures = [c for c in cases if c.find("failure") is not None]
ok = (suite.get("tests") == "60" and len(cases) == 60 and len(failures) == int(sys.argv[2]) > 0
      and suite.get("failures") == sys.argv[2]
      and all("reproduce: ringer-sim --seed " + c.get("name").split()[1] in c.find("failure").text
              for c in failures))
if not ok: print("    junit: tests=%s cases=%d failures=%d (expected %s)" % (suite.get("tests"), len(cases), len(failures), sys.argv[2]))
sys.exit(0 if ok else 1)
EOF

# --trace: valid JSON, the kernel's ops as slices, faults on the track of the op they hit.
"$bin" --seed 3 --trace "$work/run.json" >/dev/null 2>&1
if python3 - "$work/run.json" <<'EOF'; then pass trace_faults_on_ops; else fail trace_faults_on_ops "see above"; fi
import json, sys
events = json.load(open(sys.argv[1]))["traceEvents"]
kernel = [e["pid"] for e in events if e.get("ph") == "M" and e["args"]["name"] == "kernel"]
slices = [e for e in events if e.get("ph") == "X" and kernel and e["pid"] == kernel[0]]
faults = [e for e in events if e.get("ph") == "i" and e.get("s") == "t" and " on #" in e["args"]["detail"]]
lives = [e for e in events if e.get("ph") == "M" and e["args"]["name"].startswith("ringer_io (life")]
ok = kernel and slices and faults and lives
if not ok: print("    trace: %d kernel slices, %d faults on ops, %d lives" % (len(slices), len(faults), len(lives)))
sys.exit(0 if ok else 1)
EOF
exit 0
