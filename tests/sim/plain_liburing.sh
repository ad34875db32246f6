#!/usr/bin/env bash
# The plain liburing program built unchanged against the real kernel and against the sim
# must print the same lines. Skips when io_uring is unavailable here.
set -u
cd "$(dirname "$0")/../.."
variant=${1:-gcc}
if ! make -s V="$variant" CC=gcc OPT="-O2 -g" SAN="" build/$variant/simtests/plain_liburing_sim \
        build/$variant/simtests/plain_liburing_real >/dev/null 2>&1; then
    echo "FAIL sim_plain_liburing: build failed"
    exit 1
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
real=$(timeout 20 "build/$variant/simtests/plain_liburing_real" "$dir" 2>&1)
status=$?
sim=$(timeout 20 "build/$variant/simtests/plain_liburing_sim" /tmp 2>&1)
if [ $status -eq 77 ]; then
    echo "skip sim_plain_liburing_matches_real: io_uring unavailable ($real)"
elif [ "$real" != "$sim" ]; then
    echo "FAIL sim_plain_liburing_matches_real: outputs differ"
    diff <(echo "$real") <(echo "$sim") | head -n 20
    exit 1
else
    echo "ok sim_plain_liburing_matches_real"
fi
case "$sim" in
    *done) echo "ok sim_plain_liburing_runs_on_sim" ;;
    *) echo "FAIL sim_plain_liburing_runs_on_sim: did not finish"; exit 1 ;;
esac
