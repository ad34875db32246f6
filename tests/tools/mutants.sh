#!/usr/bin/env bash
# Does the real-ring suite catch planted bugs? For each selftest/bugs/*.patch: copy src/
# into build/mutants/<bug>/, apply the patch there (never to src/), build libringer.a and
# ringer-tests against it, run the suite, and print `caught <bug>: <first failing test>` or
# `missed <bug>`. A test that also fails with the unpatched library is never credited.
# Manual tool, not part of `make test` (about 20 s per bug).
# usage: tests/tools/mutants.sh [substring of bug names]
set -u
cd "$(dirname "$0")/../.."
cc=${CC:-gcc}
flags="-std=gnu11 -O1 -g -fPIC -D_GNU_SOURCE -w"
filter=${1:-}
caught=0 missed=0

# Builds src/ patched with $1 (or unpatched when $1 is "clean") and the suite against it;
# prints the binary's path.
build_suite() {
    local bug=$1 dir=build/mutants/$1 f o
    rm -rf "$dir" && mkdir -p "$dir/obj" && cp -r src "$dir/src"
    if [ "$bug" != clean ] && ! patch -s -p1 -d "$dir" <"selftest/bugs/$bug.patch" >"$dir/build.log" 2>&1; then
        return 1
    fi
    local objs=() tobjs=()
    for f in "$dir"/src/*.c; do
        o=$dir/obj/$(basename "$f" .c).o
        $cc $flags -I"$dir/src" -c "$f" -o "$o" >>"$dir/build.log" 2>&1 || return 1
        objs+=("$o")
    done
    ar rcs "$dir/libringer.a" "${objs[@]}"
    for f in tests/harness.c tests/harness_main.c tests/scenario.c tests/alloc_count.c tests/death.c \
             tests/data_file_util.c tests/world_real.c tests/world_posix.c tests/alloc_count_interpose.c \
             tests/scenario_*.c tests/real_*.c; do
        [ -f "$f" ] || continue
        o=$dir/obj/t_$(basename "$f" .c).o
        $cc $flags -I"$dir/src" -Itests -c "$f" -o "$o" >>"$dir/build.log" 2>&1 || continue
        tobjs+=("$o")
    done
    $cc -o "$dir/ringer-tests" "${tobjs[@]}" "$dir/libringer.a" -luring -lpthread >>"$dir/build.log" 2>&1 || return 1
    echo "$dir/ringer-tests"
}

clean=$(build_suite clean) || { echo "error: the unpatched suite does not build"; exit 1; }
clean_failures=$("$clean" 2>/dev/null | sed -n 's/^FAIL \([^:]*\):.*/\1/p')

for patch in selftest/bugs/*.patch; do
    bug=$(basename "$patch" .patch)
    [[ -z $filter || $bug == *"$filter"* ]] || continue
    binary=$(build_suite "$bug") || { echo "error $bug: the patched suite does not build"; continue; }
    first=""
    while IFS= read -r line; do
        name=${line#FAIL }
        name=${name%%:*}
        grep -qxF "$name" <<<"$clean_failures" && continue
        first=${line#FAIL }
        break
    done < <("$binary" 2>/dev/null | grep '^FAIL ')
    if [ -n "$first" ]; then
        echo "caught $bug: $first" | cut -c1-200; caught=$((caught + 1))
    else
        echo "missed $bug"; missed=$((missed + 1))
    fi
done
echo "$caught caught, $missed missed"
