#!/usr/bin/env bash
# Differential conformance: generated op scripts (tests/sim/diff_script.c) on the real ring
# (a fresh tmpfs directory per seed) and on the faithful sim must print the same results.
#   tests/sim/diff.sh [seeds]     default 300 seeds
set -u
cd "$(dirname "$0")/../.."
seeds=${1:-300}
if ! make -s V=gcc CC=gcc OPT="-O2 -g" SAN="" build/gcc/simtests/diff_script_sim \
        build/gcc/simtests/diff_script_real >/dev/null 2>&1; then
    echo "FAIL sim_differential: build failed"
    exit 1
fi
base=/dev/shm
[ -d "$base" ] || base=/tmp
bad=0
for seed in $(seq 1 "$seeds"); do
    dir=$(mktemp -d -p "$base")
    real=$(timeout 10 build/gcc/simtests/diff_script_real "$seed" "$dir" 2>&1)
    status=$?
    rm -rf "$dir"
    if [ $status -eq 77 ]; then
        echo "skip sim_differential: io_uring unavailable ($real)"
        exit 0
    fi
    sim=$(timeout 10 build/gcc/simtests/diff_script_sim "$seed" /tmp 2>&1)
    if [ "$real" != "$sim" ]; then
        echo "FAIL sim_differential: seed $seed differs (real < > sim)"
        diff <(echo "$real") <(echo "$sim") | head -n 8
        bad=1
        break
    fi
done
[ $bad -eq 0 ] && echo "ok sim_differential_${seeds}_scripts"
exit $bad
