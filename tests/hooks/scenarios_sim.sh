#!/usr/bin/env bash
# The scenario suite (tests/scenario_*.c) on the simulated kernel: first the faithful
# kernel, then several seeds of "transparent" faults, which a correct library hides
# completely (see tests/world_sim.c). Prints the harness's ok/FAIL/skip lines, each name
# prefixed with the mode.
set -u
cd "$(dirname "$0")/../.."
. scripts/variant.sh
variant=${1:-gcc}
if [ ! -f sim/sim.mk ]; then
    echo "skip sim/scenarios: the simulated kernel is not in this tree"
    exit 0
fi
if ! variant_make "$variant" tests-sim; then
    echo "FAIL sim/scenarios_build: make tests-sim failed"
    exit 0
fi
binary=build/$variant/tests/ringer-tests-sim
status=0
"$binary" | sed -e 's/^\(ok\|FAIL\|skip\) /\1 sim-faithful\//'
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
# Transparent faults, one protocol line per seed: the whole suite must pass under each.
# Under ASan one seed: the sanitizers, not the seeds, are the point there, and one pass
# of the suite costs about 350 s under ASan on a 2-core machine (about 1 s under gcc):
# LeakSanitizer scans the sim's ~86 MB of static tables at the exit of every test's child.
seeds=$(seq 1 40)
[ "$variant" = asan ] && seeds=1
for seed in $seeds; do
    output=$(RINGER_SIM_SEED=$seed RINGER_SIM_FAULTS=transparent "$binary" 2>&1)
    failures=$(grep '^FAIL ' <<<"$output")
    if [ -z "$failures" ]; then
        echo "ok sim-transparent/seed-$seed ($(grep -c '^ok ' <<<"$output") tests)"
    else
        echo "FAIL sim-transparent/seed-$seed: $(wc -l <<<"$failures") failed;" \
             "replay with RINGER_SIM_SEED=$seed RINGER_SIM_FAULTS=transparent $binary"
        sed -e 's/^FAIL /    /' <<<"$failures"
    fi
done
exit $status
