#!/usr/bin/env bash
# The conformance runner (make conformance; tests/hooks/conformance.sh in make test).
#
# Builds every program of liburing's test suite against the system liburing and against
# the simulated kernel (tests/conformance/build.mk: build flags only), runs each program
# the way liburing's runtests.sh does (from the directory of the binaries, under a timeout;
# exit 0 pass, 77 skip, anything else fail), two at a time, and prints one table row per
# program: test, real result, sim result, reason. Then it checks the table against the
# "Conformance programs" table of sim/DIVERGENCES.md:
#   - a program that passes on the real kernel and not on the sim must be listed there
#     with the sim result it gets (otherwise: FAIL conformance/<test>);
#   - a listed program that passes on both, or whose sim result is not the listed one,
#     is a stale row (FAIL as well), so that the listing stays true.
# Where the real kernel does not pass a program on this machine (a skip for lack of a
# device or privilege, a failure of the host) no row can fail: the table only shows it.
# The last line is exactly
#   conformance: S/R pass on the sim of the R that pass on the real kernel (D divergences listed)
#
#   tests/conformance/run.sh [gcc|clang]
# Environment: LIBURING_TEST_DIR (default ../shared/conformance/liburing-2.3/test, relative
# to the repository root), CONFORMANCE_TIMEOUT (seconds per program on the real kernel,
# default 30: liburing's slowest passing program takes about 22 s here),
# CONFORMANCE_SIM_TIMEOUT (default 10: a sim program runs in virtual time, so one still
# running after 10 s of wall time is stuck), CONFORMANCE_FILTER (a substring: only matching
# programs; the listing is not checked).
set -u
cd "$(dirname "$0")/../.."
variant=${1:-gcc}
suite=${LIBURING_TEST_DIR:-../shared/conformance/liburing-2.3/test}
limit=${CONFORMANCE_TIMEOUT:-30}
sim_limit=${CONFORMANCE_SIM_TIMEOUT:-10}
filter=${CONFORMANCE_FILTER:-}
listing=sim/DIVERGENCES.md
jobs=2
. scripts/variant.sh

if [ ! -f "$suite/helpers.c" ] || [ ! -f "$suite/runtests.sh" ]; then
    echo "skip conformance: no liburing test suite at $suite (set LIBURING_TEST_DIR)"
    exit 0
fi
if [ ! -f /usr/include/liburing.h ]; then
    echo "skip conformance: the system liburing (liburing-dev) is not installed"
    exit 0
fi
if ! variant_flags "$variant" || [ -n "$variant_san" ]; then
    echo "FAIL conformance/variant: unsupported variant $variant (gcc or clang)"
    exit 1
fi
case "$variant_cc" in gcc) cxx=g++ ;; *) cxx=clang++ ;; esac
out=build/$variant/conformance
start=$SECONDS

# ---- build ----
simlib=build/$variant/lib/libringer_simkernel.a
if ! variant_make "$variant" "$simlib"; then
    echo "FAIL conformance/build: the simulated kernel does not build"
    exit 1
fi
make -k -s -j"$jobs" -f tests/conformance/build.mk SUITE="$suite" OUT="$out" \
    SIM_KERNEL_A="$simlib" CC="$variant_cc" CXX="$cxx" >/dev/null 2>&1
build_seconds=$((SECONDS - start))

programs=()
for source in "$suite"/*.c "$suite"/*.cc; do
    name=$(basename "${source%.*}")
    [ "$name" = helpers ] && continue
    [ -n "$filter" ] && [[ $name != *"$filter"* ]] && continue
    programs+=("$name")
done

# ---- run: each program from its kernel's binary directory, as runtests.sh does ----
run_one() { # DIR NAME LIMIT: writes DIR/NAME.rc ("status milliseconds") and DIR/NAME.out
    local dir=$1 name=$2 t0
    rm -f "$dir/$name.rc"
    [ -x "$dir/$name.t" ] || return 0
    t0=$(date +%s%N)
    (cd "$dir" && timeout -s INT -k 5 "$3" "./$name.t" >"$name.out" 2>&1 </dev/null
     echo "$? $((($(date +%s%N) - t0) / 1000000))" >"$name.rc") 2>/dev/null
}
export -f run_one
for name in "${programs[@]}"; do printf '%s %s %s\n' "$out/real" "$name" "$limit" \
    "$out/sim" "$name" "$sim_limit"; done |
    xargs -P "$jobs" -L 1 bash -c 'run_one "$@"' run_one
run_seconds=$((SECONDS - start - build_seconds))

# ---- results ----
result_of() { # DIR NAME: pass, skip, timeout, nobuild, fail(N) or fail(SIGNAME)
    local rc
    if [ ! -f "$1/$2.rc" ]; then echo nobuild; return; fi
    read -r rc _ <"$1/$2.rc"
    case "$rc" in
        0) echo pass ;;
        77) echo skip ;;
        124 | 137) echo timeout ;;
        *) if [ "$rc" -gt 128 ] && [ "$rc" -lt 160 ]; then
               echo "fail(SIG$(kill -l $((rc - 128)) 2>/dev/null || echo $((rc - 128))))"
           else echo "fail($rc)"; fi ;;
    esac
}
class_of() { echo "${1%%(*}"; }
why() { # DIR NAME: the first telling line of a build log or of the program's output
    local file=$1/$2.out line
    [ -f "$1/$2.rc" ] || file=$1/$2.log
    [ -f "$file" ] || { echo "no output"; return; }
    line=$(grep -m1 -E 'error:|undefined reference|ringer_sim|sim:|deadlock|oracle|Assertion' \
        "$file" | sed -e 's/^.*\/test\///' -e 's/^.*: error: /error: /')
    [ -n "$line" ] || line=$(grep -v '^[[:space:]]*$' "$file" | tail -n 1)
    printf '%.90s\n' "${line:-no output}"
}

# The listing: rows "| `test` | sim result | cause |" of the table headed "| program |".
declare -A listed_sim listed_cause
while IFS='|' read -r _ test sim cause _; do
    test=$(echo "$test" | tr -d ' `')
    [ -n "$test" ] || continue
    listed_sim[$test]=$(echo "$sim" | tr -d ' `')
    listed_cause[$test]=$(echo "$cause" | sed 's/^ *//; s/ *$//')
done < <(awk '/^\| program \| sim \| cause \|/ {on = 1; getline; next}
              on && /^\|/ {print; next} on {exit}' "$listing")

matches_listed() { # LISTED CLASS: a listed result "a/b" accepts either, "any" every one
    local want
    [ "$1" = any ] && return 0
    IFS=/ read -ra want <<<"$1"
    for w in "${want[@]}"; do [ "$w" = "$2" ] && return 0; done
    return 1
}

R=0 S=0 D=0 bad=0
problems=()
printf '%-28s %-14s %-14s %s\n' test real sim reason
for name in "${programs[@]}"; do
    real=$(result_of "$out/real" "$name")
    sim=$(result_of "$out/sim" "$name")
    rclass=$(class_of "$real") sclass=$(class_of "$sim")
    reason=""
    is_listed=${listed_sim[$name]+yes}
    if [ "$rclass" = pass ]; then
        R=$((R + 1))
        if [ "$sclass" = pass ]; then
            S=$((S + 1))
            if [ -n "$is_listed" ] && [ -z "$filter" ] && [ "${listed_sim[$name]}" != any ]; then
                reason="STALE: listed in $listing, now passes"
                problems+=("FAIL conformance/$name: passes on the sim but is listed in $listing")
            fi
        elif [ -n "$is_listed" ]; then
            if matches_listed "${listed_sim[$name]}" "$sclass"; then
                D=$((D + 1))
                reason=${listed_cause[$name]}
            else
                reason="STALE: listed as ${listed_sim[$name]}; $(why "$out/sim" "$name")"
                problems+=("FAIL conformance/$name: sim $sim, listed as ${listed_sim[$name]}")
            fi
        else
            reason="UNLISTED: $(why "$out/sim" "$name")"
            problems+=("FAIL conformance/$name: sim $sim, real pass, not in $listing")
        fi
    elif [ "$sclass" != "$rclass" ] || [ -n "$is_listed" ]; then
        reason="real $real on this machine: $(why "$out/real" "$name")"
        [ -n "$is_listed" ] && reason="${listed_cause[$name]} (real $real here)"
    fi
    printf '%-28s %-14s %-14s %s\n' "$name" "$real" "$sim" "$reason"
done
if [ ${#problems[@]} -eq 0 ]; then
    echo "ok conformance/table"
else
    printf '%s\n' "${problems[@]}"
fi
echo "(conformance: built in ${build_seconds} s, ran in ${run_seconds} s; binaries and" \
    "outputs in $out/{real,sim})"
echo "conformance: $S/$R pass on the sim of the $R that pass on the real kernel ($D divergences listed)"
[ ${#problems[@]} -eq 0 ]
