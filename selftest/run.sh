#!/usr/bin/env bash
# make sim-selftest: proof that ringer-sim finds bugs. For each planted bug
# (selftest/bugs/*.patch, drawn from real io_uring event-loop bugs), copy src/ into the
# build directory, apply the patch there (never to src/ itself), build ringer-sim against
# the patched library, and run it over its default seeds. A bug counts as caught when a
# seed fails with the patched library and passes with the clean one (so a seed that fails
# for another reason is never credited).
#
# usage: selftest/run.sh BUILD_DIR CC "CFLAGS" "RINGER_SIM_OBJS" SIM_KERNEL_A CLEAN_RINGER_SIM
# Prints `ok selftest/<bug>` or `FAIL selftest/<bug>: <reason>` per bug, and a summary; a
# patch with an "Open: <reason>" header line that is not caught is a `skip` (blocked).
# SELFTEST_FILTER=<substring> runs only matching bugs; SELFTEST_SEEDS="--seeds N" changes
# the seed budget (default: ringer-sim's default seeds).
set -u
cd "$(dirname "$0")/.."
out=$1 cc=$2 cflags=$3 sim_objs=$4 kernel_a=$5 clean=$6
jobs=$(nproc 2>/dev/null || echo 2)
seeds=${SELFTEST_SEEDS:-}
caught=0 missed=0 blocked=0

# Builds ringer-sim against src/ patched with $1; prints the binary's path.
build_bug() {
    local name=$1 dir=$out/selftest/$1
    rm -rf "$dir" && mkdir -p "$dir/obj" && cp -r src "$dir/src" || return 1
    patch -s -p1 -d "$dir" < "selftest/bugs/$name.patch" >"$dir/build.log" 2>&1 || return 2
    local f objs=()
    for f in "$dir"/src/*.c; do
        local o=$dir/obj/$(basename "$f" .c).o
        # shellcheck disable=SC2086
        $cc $cflags -Isim/include -I"$dir/src" -include sim/include/ringer_sim_posix.h \
            -U_FORTIFY_SOURCE -c "$f" -o "$o" >>"$dir/build.log" 2>&1 || return 1
        objs+=("$o")
    done
    ar rcs "$dir/libringer_sim_planted.a" "${objs[@]}" >>"$dir/build.log" 2>&1 || return 1
    # shellcheck disable=SC2086
    $cc $cflags -o "$dir/ringer-sim" $sim_objs "$dir/libringer_sim_planted.a" "$kernel_a" \
        >>"$dir/build.log" 2>&1 || return 1
    echo "$dir/ringer-sim"
}

# Runs the planted build from seed range $2 on; prints "SEED<TAB>message" of the first
# failure that the clean build does not share, or nothing.
first_caught() {
    local bin=$1 range=$2 attempt output seed first last
    for attempt in 1 2 3 4 5; do
        # shellcheck disable=SC2086
        output=$(timeout 600 "$bin" --jobs "$jobs" $range 2>/dev/null)
        seed=$(printf '%s\n' "$output" | sed -n 's/^FAIL seed \([0-9]*\) .*/\1/p' | head -n 1)
        [ -n "$seed" ] || return 0
        if "$clean" --seed "$seed" >/dev/null 2>&1; then
            printf '%s\t%s\n' "$seed" "$(printf '%s\n' "$output" | grep -m1 '^FAIL seed')"
            return 0
        fi
        # The clean library fails there too: not this bug's doing; look further.
        first=$((seed + 1))
        last=$(printf '%s\n' "$range" | sed -n 's/.*\.\.\([0-9]*\).*/\1/p')
        range="--seed-range $first..${last:-16000}"
    done
}

for patch in selftest/bugs/*.patch; do
    name=$(basename "$patch" .patch)
    case "$name" in *"${SELFTEST_FILTER:-}"*) ;; *) continue ;; esac
    bin=$(build_bug "$name")
    status=$?
    if [ "$status" -eq 2 ]; then
        echo "FAIL selftest/$name: the patch no longer applies to src/ (remake the patches with python3 selftest/plant.py)"
        missed=$((missed + 1))
        continue
    elif [ "$status" -ne 0 ]; then
        echo "FAIL selftest/$name: the patched library does not build (see $out/selftest/$name/build.log)"
        missed=$((missed + 1))
        continue
    fi
    found=$(first_caught "$bin" "${seeds:---seed-range 1..16000}")
    if [ -n "$found" ]; then
        echo "ok selftest/$name"
        echo "    caught: $(printf '%s' "$found" | cut -f2 | cut -c1-200)"
        caught=$((caught + 1))
    elif open_reason=$(sed -n 's/^Open: //p' "$patch" | head -n 1) && [ -n "$open_reason" ]; then
        # Not catchable until a known bug elsewhere is fixed; the patch says which.
        echo "skip selftest/$name: open: $open_reason"
        blocked=$((blocked + 1))
    else
        echo "FAIL selftest/$name: not caught by ringer-sim ${seeds:-with its default seeds}"
        missed=$((missed + 1))
    fi
done
echo "sim-selftest: $caught planted bugs caught, $missed missed, $blocked blocked by an open bug"
[ "$missed" -eq 0 ]
