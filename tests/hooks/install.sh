#!/usr/bin/env bash
# Install test (issue 2, "Done when"): `make install PREFIX=<tmp>`, then a program outside
# the tree includes <ringer.h>, builds with `pkg-config --cflags --libs ringer`, and runs a
# read/write/timeout/cancel_all round trip. Runs in the gcc variant only (the installed
# library is a plain build); prints nothing for other variants.
# Protocol: one line per check, `ok|FAIL|skip <name>[: reason]` (see tests/run_all.sh).
set -u
variant=${1:-gcc}
[ "$variant" = gcc ] || exit 0
cd "$(dirname "$0")/../.."

prefix=$(mktemp -d)
work=$(mktemp -d)
trap 'rm -rf "$prefix" "$work"' EXIT

if ! make -s V=install-test CC=gcc install PREFIX="$prefix" >"$work/make.log" 2>&1; then
    echo "FAIL install_make_install: make install failed: $(grep -m1 -iE 'error|No rule' "$work/make.log")"
    exit 0
fi
missing=""
for file in include/ringer.h lib/libringer.a lib/libringer.so lib/pkgconfig/ringer.pc; do
    [ -e "$prefix/$file" ] || missing="$missing $file"
done
if [ -n "$missing" ]; then
    echo "FAIL install_make_install: not installed:$missing"
    exit 0
fi
echo "ok install_make_install"

soname=$(readelf -d "$prefix/lib/libringer.so" 2>/dev/null | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
if [ -n "$soname" ] && [ -e "$prefix/lib/$soname" ]; then
    echo "ok install_shared_library_soname"
else
    echo "FAIL install_shared_library_soname: soname '${soname}' missing or not installed"
fi

export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
if ! flags=$(pkg-config --cflags --libs ringer 2>"$work/pc.log"); then
    echo "FAIL install_pkg_config_round_trip: pkg-config ringer: $(head -n1 "$work/pc.log")"
    exit 0
fi
# shellcheck disable=SC2086
if ! gcc -std=gnu11 -Wall -Wextra -Werror tests/install/round_trip.c -o "$work/round_trip" $flags \
        >"$work/cc.log" 2>&1; then
    echo "FAIL install_pkg_config_round_trip: build with '$flags' failed: $(grep -m1 error "$work/cc.log")"
    exit 0
fi
LD_LIBRARY_PATH="$prefix/lib" "$work/round_trip" >"$work/run.log" 2>&1
status=$?
case $status in
    0) echo "ok install_pkg_config_round_trip" ;;
    77) echo "skip install_pkg_config_round_trip: io_uring unavailable" ;;
    *) echo "FAIL install_pkg_config_round_trip: exit $status: $(head -n1 "$work/run.log")" ;;
esac
# The shared library must be the one that ran (not a copy in the tree).
if ldd "$work/round_trip" 2>/dev/null | grep -q "libringer.so"; then
    if LD_LIBRARY_PATH="$prefix/lib" ldd "$work/round_trip" | grep -q "$prefix/lib/libringer.so"; then
        echo "ok install_links_installed_shared_library"
    else
        echo "FAIL install_links_installed_shared_library: $(ldd "$work/round_trip" | grep libringer)"
    fi
fi
exit 0
