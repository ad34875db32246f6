#!/usr/bin/env bash
# The simulated kernel's own tests for one build variant (gcc, clang or asan; default:
# default). Builds through make, runs each program, and prints one protocol line per test:
# `ok <name>`, `FAIL <name>: <reason>` or `skip <name>: <reason>`.
#   tests/sim/run.sh [variant]
set -u
cd "$(dirname "$0")/../.."
variant=${1:-default}
. scripts/variant.sh
if variant_flags "$variant"; then
    cc=$variant_cc san=$variant_san opt=$variant_opt
else
    cc=${CC:-cc} san=${SAN:-} opt=${OPT:--O2 -g}
fi
jobs=$(nproc 2>/dev/null || echo 2)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! make -s -j"$jobs" V="$variant" CC="$cc" SAN="$san" OPT="$opt" sim-test-progs >"$log" 2>&1; then
    echo "FAIL sim_build: make sim-test-progs failed"
    grep -E 'error|Error' "$log" | head -n 20
    exit 1
fi
status=0
for prog in kernel_tests faults determinism ringer_round_trip nodes; do
    bin="build/$variant/simtests/$prog"
    [ -x "$bin" ] || continue
    "$bin" || status=1
done
# Cross-build determinism and the plain liburing program against the real kernel: once,
# in the gcc variant (they build their own variants).
if [ "$variant" = gcc ] || [ "$variant" = default ]; then
    tests/sim/determinism.sh || status=1
    tests/sim/abi.sh || status=1
    tests/sim/plain_liburing.sh || status=1
    tests/sim/diff.sh 300 || status=1
fi
exit $status
