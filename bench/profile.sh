#!/usr/bin/env bash
# bench/profile.sh ROW: runs one row's ringer side under callgrind next to its raw-liburing
# baseline and prints the top functions by instructions (Ir) and the instructions per
# operation of each side. callgrind counts are repeatable, unlike time on this machine, so
# they show hot-path regressions without hardware counters.
#
# ROW: nop (QD 128), read-tmpfs (QD 32), write-tmpfs (QD 32). BENCH_BIN names the binary;
# build it with -gdwarf-4 under clang 14 (valgrind 3.19 cannot read DWARF 5).
set -u
cd "$(dirname "$0")/.."
BIN=${BENCH_BIN:-build/default/bench/ringer-bench}
row=${1:-nop}
seconds=${PROFILE_SECONDS:-2}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
command -v valgrind >/dev/null || { echo "profile: valgrind is not installed" >&2; exit 1; }

case "$row" in
    nop) kind=nop path=- depth=128 ;;
    read-tmpfs | write-tmpfs)
        path=$work/tmpfs.bin
        [ -d /dev/shm ] && path=$(mktemp /dev/shm/ringer-profile.XXXXXX)
        head -c $((64 * 1024 * 1024)) /dev/zero >"$path"
        kind=${row%-tmpfs} depth=32 ;;
    *) echo "profile: ROW must be nop, read-tmpfs or write-tmpfs" >&2; exit 2 ;;
esac

for impl in ringer raw; do
    valgrind --tool=callgrind --callgrind-out-file="$work/$impl.out" \
        "$BIN" storage "$impl" "$kind" "$path" "$depth" "$seconds" >"$work/$impl.result" \
        2>"$work/$impl.err" || { cat "$work/$impl.err" >&2; exit 1; }
    ops=$(sed -n 's/^result ops=\([0-9]*\) .*/\1/p' "$work/$impl.result")
    total=$(callgrind_annotate "$work/$impl.out" | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
    echo "== $impl, $row: $ops operations, $total Ir in all, $((total / (ops > 0 ? ops : 1))) Ir per operation"
    callgrind_annotate --inclusive=no "$work/$impl.out" 2>/dev/null |
        awk '/file:function/ { on = 1; getline; next } on && NF == 0 { exit } on' | head -n 15 |
        awk -v ops="$ops" '{ ir = $1; gsub(",", "", ir)
            printf "%12s Ir %7.1f Ir/op  %s\n", $1, ir / (ops > 0 ? ops : 1), $0 ~ /\[/ ? $(NF-1) : $NF }'
done
[ "${path#/dev/shm/}" != "$path" ] && rm -f "$path"
exit 0
