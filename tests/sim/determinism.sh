#!/usr/bin/env bash
# One seed, four builds (gcc and clang, -O0 and -O2): every build must print the same trace
# hashes (faithful, hostile swarm, reorder swarm) for each seed.
set -u
cd "$(dirname "$0")/../.."
jobs=$(nproc 2>/dev/null || echo 2)
ref=""
refname=""
for cc in gcc clang; do
    for opt in -O0 -O2; do
        v="det-$cc$opt"
        if ! make -s -j"$jobs" V="$v" CC="$cc" OPT="$opt -g" SAN="" build/$v/simtests/determinism >/dev/null 2>&1; then
            echo "FAIL sim_determinism_cross_build: build $v failed"
            exit 1
        fi
        out=$(for seed in 1 2 3 42 1000; do "build/$v/simtests/determinism" hash "$seed"; done)
        if [ -z "$ref" ]; then
            ref=$out
            refname=$v
        elif [ "$out" != "$ref" ]; then
            echo "FAIL sim_determinism_cross_build: $v differs from $refname"
            diff <(echo "$ref") <(echo "$out") | head -n 6
            exit 1
        fi
    done
done
echo "ok sim_determinism_cross_build"
