#!/usr/bin/env bash
# liburing 2.3's ABI: tests/sim/abi_layout.c compiled against the system's <liburing.h> and
# against the sim's must print the same sizes and offsets for every field of struct
# io_uring, io_uring_sq and io_uring_cq (and the kernel structures beside them).
set -u
cd "$(dirname "$0")/../.."
if [ ! -f /usr/include/liburing.h ]; then
    echo "skip sim_abi_matches_liburing_2_3: the system liburing is not installed"
    exit 0
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
if ! gcc -std=gnu11 -Wall -Wextra -Werror -o "$dir/real" tests/sim/abi_layout.c 2>"$dir/log" ||
   ! gcc -std=gnu11 -Wall -Wextra -Werror -Isim/include -include sim/include/ringer_sim_posix.h \
        -o "$dir/sim" tests/sim/abi_layout.c 2>>"$dir/log"; then
    echo "FAIL sim_abi_matches_liburing_2_3: does not build: $(head -n 1 "$dir/log")"
    exit 1
fi
real=$("$dir/real")
sim=$("$dir/sim")
if [ "$real" != "$sim" ] || [ -z "$real" ]; then
    echo "FAIL sim_abi_matches_liburing_2_3: layouts differ (real < > sim)"
    diff <(echo "$real") <(echo "$sim") | head -n 10
    exit 1
fi
echo "ok sim_abi_matches_liburing_2_3 ($(grep -c . <<<"$real") sizes and offsets)"
