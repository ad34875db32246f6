#!/bin/bash -eu
# OSS-Fuzz / ClusterFuzzLite build script. Honours the contract's variables:
#   $CC $CFLAGS            compiler and flags (sanitizer and -fsanitize=fuzzer-no-link included)
#   $LIB_FUZZING_ENGINE    the engine to link (-fsanitize=fuzzer, or an archive)
#   $OUT                   where each target, <target>_seed_corpus.zip, .dict, .options go
#   $WORK                  scratch space for objects (default: build/oss-fuzz/work)
# Run locally, for example:
#   CC=clang CFLAGS="-O1 -g -fsanitize=address,fuzzer-no-link" \
#   LIB_FUZZING_ENGINE=-fsanitize=fuzzer OUT=/tmp/out fuzz/build.sh
cd "$(dirname "$0")/.."
: "${CC:=clang}"
: "${CFLAGS:=-O1 -g -fsanitize=address,fuzzer-no-link}"
: "${LIB_FUZZING_ENGINE:=-fsanitize=fuzzer}"
: "${OUT:=$PWD/build/oss-fuzz/out}"
: "${WORK:=$PWD/build/oss-fuzz/work}"
targets="fuzz_loop fuzz_cancel_all fuzz_open_data_file fuzz_kernel"
obj=$WORK/ringer-obj
rm -rf "$obj"
mkdir -p "$OUT" "$obj/lib" "$obj/sim" "$obj/fuzz"

# The library exactly as a sim build compiles it: sim/include first, the POSIX seam mapped
# to the sim by a forced include (see the top Makefile's SIM_CPPFLAGS).
for f in src/*.c; do
    $CC $CFLAGS -std=gnu11 -D_GNU_SOURCE -U_FORTIFY_SOURCE -Isim/include -Isrc \
        -include sim/include/ringer_sim_posix.h -c "$f" -o "$obj/lib/$(basename "$f" .c).o"
done
for f in sim/*.c; do
    $CC $CFLAGS -std=gnu11 -D_GNU_SOURCE -w -Isim/include -Isim -c "$f" \
        -o "$obj/sim/$(basename "$f" .c).o"
done
for f in fuzz/*.c; do
    $CC $CFLAGS -std=gnu11 -D_GNU_SOURCE -Isim/include -Isim -Isrc -c "$f" \
        -o "$obj/fuzz/$(basename "$f" .c).o"
done
common=("$obj"/lib/*.o "$obj"/sim/*.o "$obj"/fuzz/input.o "$obj"/fuzz/check.o \
        "$obj"/fuzz/world.o "$obj"/fuzz/driver.o)

zip_dir() { # zip_dir OUTPUT.zip DIR... (flat: one entry per input file)
    python3 - "$@" <<'PY'
import os, sys, zipfile
out, dirs = sys.argv[1], sys.argv[2:]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for d in dirs:
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            path = os.path.join(d, name)
            if os.path.isfile(path):
                z.write(path, os.path.basename(d) + "-" + name)
PY
}

for target in $targets; do
    # $LIB_FUZZING_ENGINE last: it may be an archive that needs the objects before it.
    $CC $CFLAGS "$obj/fuzz/$target.o" "${common[@]}" $LIB_FUZZING_ENGINE -o "$OUT/$target"
    zip_dir "$OUT/${target}_seed_corpus.zip" "corpus/$target" "corpus/regressions/$target"
    [ -f "fuzz/$target.dict" ] && cp "fuzz/$target.dict" "$OUT/"
    [ -f "fuzz/$target.options" ] && cp "fuzz/$target.options" "$OUT/"
done
echo "fuzz/build.sh: $(echo $targets | wc -w) targets in $OUT"
