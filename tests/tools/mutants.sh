#!/usr/bin/env bash
# Does the real-ring suite catch planted bugs? For each selftest/bugs/*.patch: copy src/
# into build/mutants/<bug>/, apply the patch there (never to src/), build libringer.a and
# ringer-tests against it, run the suite, and print `caught <bug>: <first failing test>` or
# `missed <bug>`. Manual tool, not part of `make test` (about 20 s per bug).
# usage: tests/tools/mutants.sh [substring of bug names]
set -u
cd "$(dirname "$0")/../.."
cc=${CC:-gcc}
flags="-std=gnu11 -O1 -g -fPIC -D_GNU_SOURCE -w"
filter=${1:-}
caught=0 missed=0
for patch in selftest/bugs/*.patch; do
    bug=$(basename "$patch" .patch)
    [[ -z $filter || $bug == *"$filter"* ]] || continue
    dir=build/mutants/$bug
    rm -rf "$dir" && mkdir -p "$dir/obj" && cp -r src "$dir/src"
    if ! patch -s -p1 -d "$dir" <"$patch" >"$dir/build.log" 2>&1; then
        echo "error $bug: the patch does not apply"; continue
    fi
    objs=()
    for f in "$dir"/src/*.c; do
        o=$dir/obj/$(basename "$f" .c).o
        $cc $flags -I"$dir/src" -c "$f" -o "$o" >>"$dir/build.log" 2>&1 || { objs=(); break; }
        objs+=("$o")
    done
    if [ ${#objs[@]} -eq 0 ]; then echo "error $bug: the patched library does not build"; continue; fi
    ar rcs "$dir/libringer.a" "${objs[@]}"
    tobjs=()
    for f in tests/harness.c tests/harness_main.c tests/scenario.c tests/alloc_count.c tests/death.c \
             tests/data_file_util.c tests/world_real.c tests/world_posix.c tests/alloc_count_interpose.c \
             tests/scenario_*.c tests/real_*.c; do
        [ -f "$f" ] || continue
        o=$dir/obj/t_$(basename "$f" .c).o
        $cc $flags -I"$dir/src" -Itests -c "$f" -o "$o" >>"$dir/build.log" 2>&1 || continue
        tobjs+=("$o")
    done
    $cc -o "$dir/ringer-tests" "${tobjs[@]}" "$dir/libringer.a" -luring -lpthread >>"$dir/build.log" 2>&1 \
        || { echo "error $bug: the tests do not link"; continue; }
    first=$("$dir/ringer-tests" 2>/dev/null | grep -m1 '^FAIL ')
    if [ -n "$first" ]; then
        echo "caught $bug: ${first#FAIL }" | cut -c1-200; caught=$((caught + 1))
    else
        echo "missed $bug"; missed=$((missed + 1))
    fi
done
echo "$caught caught, $missed missed"
