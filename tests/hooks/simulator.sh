#!/usr/bin/env bash
# ringer-sim for users, in `make test` (tests/run_all.sh calls it with the variant):
#   simulator/cli/<check>    the command line: exit codes, SIGINT, conflicting flags, jobs,
#                            progress, --minimize, --junit, --trace (gcc only: it does not
#                            depend on the compiler)
#   simulator/exec/<check>   users' programs under --exec: readable reports, the world from
#                            the environment, profiles a correct app survives, planted bugs
#                            shrunk to a replay, O_DIRECT under hostile (every variant)
# RINGER_SIM_PROGRAM_SEEDS=N overrides the seeds per survival check (300; 60 under ASan).
set -u
cd "$(dirname "$0")/../.."
variant=${1:-gcc}
. scripts/variant.sh
if ! variant_flags "$variant"; then
    echo "FAIL simulator/variant: unknown variant $variant"
    exit 1
fi
if [ ! -f sim/sim.mk ]; then
    echo "skip simulator/exec: the simulated kernel is not in this tree"
    exit 0
fi
dir=build/$variant
if ! variant_make "$variant" "$dir/bin/ringer-sim" ringer-sim-programs "$dir/examples/ringer-kvlog-sim"; then
    echo "FAIL simulator/build: make ringer-sim ringer-sim-programs failed"
    exit 0
fi
seeds=300
[ "$variant" = asan ] && seeds=60
seeds=${RINGER_SIM_PROGRAM_SEEDS:-$seeds}
if [ "$variant" = gcc ]; then
    tests/simulator/cli.sh "$dir/bin/ringer-sim" "$dir/simulator/programs" "$dir/examples/ringer-kvlog-sim"
fi
tests/simulator/programs.sh "$dir/bin/ringer-sim" "$dir/simulator/programs" \
    "$dir/examples/ringer-kvlog-sim" "$seeds"
exit 0
