#!/usr/bin/env bash
# Shows that fuzz_loop finds a planted bug: a callback run a second time after a reordered
# CQE. The bug goes into a COPY of src/ (src/ itself is never touched): when a ringer_cancel
# completes with 0 while its target's own CQE has not been reaped yet (the cancel's CQE came
# first), the patched library also calls the target's callback with -ECANCELED at once; the
# target's real CQE then calls it again.
#
#   fuzz/planted_bug.sh [SECONDS] [blind]   (default 60 s)
# Prints the time to the first finding and the invariant that caught it. The fuzzer starts
# from corpus/fuzz_loop; with "blind" it starts without the seeds that cancel an op (so
# the fuzzer has to invent the cancel, the separate-batch order and the timing itself);
# with "empty" it starts from nothing at all.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
blind=${2:-}
work=build/fuzz-planted
rm -rf "$work"
mkdir -p "$work/src" "$work/obj" "$work/findings" "$work/corpus"
cp src/*.c src/*.h "$work/src/"

python3 - "$work/src" <<'PY'
import os, sys
src = sys.argv[1]
planted = """
    if (completion->operation_kind == RINGER_OP_CANCEL && completion->result == 0 &&
        completion->operation.cancel.target->state == RINGER_SUBMITTED) {
        /* PLANTED BUG: report the target cancelled before its own CQE is reaped. */
        struct ringer_completion *target = completion->operation.cancel.target;
        target->callback(target->context, target, -ECANCELED);
    }
"""
# Where a successful completion reaches its callback; the library moves it now and then.
anchors = [
    ("flush.c", "    else call_back(io, completion, completion->result);\n",
     "    else {" + planted + "        call_back(io, completion, completion->result);\n    }\n"),
    ("complete.c", "    call_back(io, completion, result);\n}",
     planted + "    call_back(io, completion, result);\n}"),
]
for name, anchor, replacement in anchors:
    path = os.path.join(src, name)
    text = open(path).read()
    if text.count(anchor) == 1:
        open(path, "w").write(text.replace(anchor, replacement))
        break
else:
    sys.exit("the success path moved in src/: update the planted bug's anchors")
PY

flags="-std=gnu11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link"
flags="$flags -fsanitize=address,undefined -fno-sanitize-recover=undefined"
for f in "$work"/src/*.c; do
    clang $flags -U_FORTIFY_SOURCE -Isim/include -I"$work/src" \
        -include sim/include/ringer_sim_posix.h -c "$f" -o "$work/obj/$(basename "$f" .c).o" &
done
wait
make -s fuzz >/dev/null
clang -fsanitize=fuzzer,address,undefined -o "$work/fuzz_loop" build/fuzz/obj/fuzz_loop.o \
    build/fuzz/obj/driver.o build/fuzz/obj/world.o build/fuzz/obj/input.o \
    build/fuzz/obj/check.o "$work"/obj/*.o build/fuzz/sim/*.o

mkdir -p "$work/seeds"
cp corpus/fuzz_loop/* "$work/seeds/"
[ "$blind" = blind ] && rm -f "$work"/seeds/seed-cancel-* "$work"/seeds/seed-hostile-faults
[ "$blind" = empty ] && rm -f "$work"/seeds/*
start=$(date +%s.%N)
"$work/fuzz_loop" -max_total_time="$seconds" -timeout=10 -artifact_prefix="$work/findings/" \
    -dict=fuzz/fuzz_loop.dict "$work/corpus" "$work/seeds" >"$work/run.log" 2>&1 || true
end=$(date +%s.%N)
finding=$(ls "$work/findings" | head -n 1)
if [ -z "$finding" ]; then
    echo "planted bug NOT found in $seconds s (see $work/run.log)"
    exit 1
fi
printf 'planted bug found in %.1f s: %s\n' "$(echo "$end - $start" | bc)" "$work/findings/$finding"
grep -m1 -E 'invariant failed|assertion failed|ERROR: ' "$work/run.log"
