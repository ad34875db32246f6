#!/usr/bin/env bash
# Packaging tests (issues 2 and 12): `make -j2 install` from a clean build directory into a
# temporary prefix, then, from outside the tree: the files, one <ringer_sim.h>, the soname,
# a program built with `pkg-config ringer` (through LD_LIBRARY_PATH and through an rpath, as
# the README says), a program built with `pkg-config --static ringer-sim`, the man pages
# (tests/install/check_pages.py); a DESTDIR staging install; and `make uninstall`, which must
# leave both prefixes empty. Runs in the gcc variant only (the installed library is a plain
# build); prints nothing for other variants.
# Protocol: one line per check, `ok|FAIL|skip <name>[: reason]` (see tests/run_all.sh).
set -u
variant=${1:-gcc}
[ "$variant" = gcc ] || exit 0
cd "$(dirname "$0")/../.."

build_name=install-test
prefix=$(mktemp -d)
stage=$(mktemp -d)
work=$(mktemp -d)
trap 'rm -rf "$prefix" "$stage" "$work" "build/$build_name"' EXIT
run_make() { # LOG ARGS...: make with the test's build directory, quietly
    local log=$1
    shift
    nice -n 10 make -s V="$build_name" CC=gcc "$@" >"$log" 2>&1
}
first_error() { grep -m1 -iE 'error|No rule|cannot' "$1" || tail -n1 "$1"; }

# ---- make -j2 install on a clean build directory ----
rm -rf "build/$build_name"
if ! run_make "$work/make.log" -j2 install PREFIX="$prefix"; then
    echo "FAIL install_make_install: make -j2 install failed: $(first_error "$work/make.log")"
    exit 0
fi
missing=""
for file in include/ringer.h include/ringer_sim.h include/ringer-sim/liburing.h \
    include/ringer-sim/ringer_sim_posix.h lib/libringer.a lib/libringer.so lib/libringer_sim.a \
    lib/pkgconfig/ringer.pc lib/pkgconfig/ringer-sim.pc bin/ringer-sim \
    share/man/man7/ringer.7 share/man/man1/ringer-sim.1 share/man/man3/ringer_sim.3; do
    [ -e "$prefix/$file" ] || missing="$missing $file"
done
if [ -n "$missing" ]; then
    echo "FAIL install_make_install: not installed:$missing"
    exit 0
fi
echo "ok install_make_install"

copies=$(find "$prefix" -name ringer_sim.h | sed "s|^$prefix/||" | sort | tr '\n' ' ')
if [ "$copies" = "include/ringer_sim.h " ]; then
    echo "ok install_ringer_sim_h_once"
else
    echo "FAIL install_ringer_sim_h_once: installed as: $copies"
fi

soname=$(readelf -d "$prefix/lib/libringer.so" 2>/dev/null | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
if [ -n "$soname" ] && [ -e "$prefix/lib/$soname" ]; then
    echo "ok install_shared_library_soname"
else
    echo "FAIL install_shared_library_soname: soname '${soname}' missing or not installed"
fi

# ---- programs built from the prefix ----
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
build_outside() { # NAME SOURCE OUTPUT PKG-CONFIG-ARGS [EXTRA-FLAGS]: 0 if it built
    local flags
    if ! flags=$(pkg-config $4 2>"$work/pc.log"); then
        echo "FAIL $1: pkg-config $4: $(head -n1 "$work/pc.log")"
        return 1
    fi
    # shellcheck disable=SC2086
    if ! gcc -std=gnu11 -Wall -Wextra -Werror "$2" -o "$3" $flags ${5:-} >"$work/cc.log" 2>&1; then
        echo "FAIL $1: build with '$flags' failed: $(grep -m1 error "$work/cc.log")"
        return 1
    fi
}
report_run() { # NAME STATUS LOG
    case $2 in
        0) echo "ok $1" ;;
        77) echo "skip $1: io_uring unavailable" ;;
        *) echo "FAIL $1: exit $2: $(head -n1 "$3")" ;;
    esac
}
if build_outside install_pkg_config_round_trip tests/install/round_trip.c "$work/round_trip" \
    "--cflags --libs ringer"; then
    LD_LIBRARY_PATH="$prefix/lib" "$work/round_trip" >"$work/run.log" 2>&1
    report_run install_pkg_config_round_trip $? "$work/run.log"
    # The shared library must be the one that ran (not a copy in the tree).
    if LD_LIBRARY_PATH="$prefix/lib" ldd "$work/round_trip" | grep -q "$prefix/lib/libringer.so"; then
        echo "ok install_links_installed_shared_library"
    else
        echo "FAIL install_links_installed_shared_library: $(ldd "$work/round_trip" | grep libringer)"
    fi
fi
# The README's way for a prefix outside the loader path: an rpath, no LD_LIBRARY_PATH.
if build_outside install_rpath_round_trip tests/install/round_trip.c "$work/round_trip_rpath" \
    "--cflags --libs ringer" "-Wl,-rpath,$(pkg-config --variable=libdir ringer)"; then
    env -u LD_LIBRARY_PATH "$work/round_trip_rpath" >"$work/run.log" 2>&1
    report_run install_rpath_round_trip $? "$work/run.log"
fi
if build_outside install_sim_pkg_config_round_trip tests/install/sim_round_trip.c \
    "$work/sim_round_trip" "--cflags --libs --static ringer-sim"; then
    "$work/sim_round_trip" >"$work/run.log" 2>&1
    report_run install_sim_pkg_config_round_trip $? "$work/run.log"
fi

# ---- man pages ----
python3 tests/install/check_pages.py "$prefix" "$prefix/bin/ringer-sim"

# ---- DESTDIR: staged under DESTDIR, paths inside the files name PREFIX alone ----
if ! run_make "$work/stage.log" install DESTDIR="$stage" PREFIX=/usr; then
    echo "FAIL install_destdir: make install DESTDIR=... failed: $(first_error "$work/stage.log")"
else
    outside=$(find "$stage" -mindepth 1 -maxdepth 1 ! -name usr)
    libdir=$(sed -n 's/^libdir=//p' "$stage/usr/lib/pkgconfig/ringer.pc" 2>/dev/null)
    if [ -n "$outside" ]; then
        echo "FAIL install_destdir: installed outside DESTDIR/PREFIX: $outside"
    elif [ "$libdir" != /usr/lib ] || grep -rqF "$stage" "$stage/usr/lib/pkgconfig"; then
        echo "FAIL install_destdir: ringer.pc says libdir=$libdir (DESTDIR must not leak into it)"
    elif ! cmp -s "$stage/usr/lib/libringer.a" "$prefix/lib/libringer.a"; then
        echo "FAIL install_destdir: the staged libringer.a differs from the installed one"
    else
        echo "ok install_destdir"
    fi
fi

# ---- make uninstall leaves each prefix empty ----
check_uninstall() { # NAME ROOT MAKE-ARGS...
    local name=$1 root=$2
    shift 2
    if ! run_make "$work/uninstall.log" uninstall "$@"; then
        echo "FAIL $name: make uninstall failed: $(first_error "$work/uninstall.log")"
        return
    fi
    local left
    left=$(cd "$root" && find . -mindepth 1 | head -n 5 | tr '\n' ' ')
    if [ -z "$left" ]; then
        echo "ok $name"
    else
        echo "FAIL $name: left behind: $left"
    fi
}
check_uninstall install_uninstall_empties_prefix "$prefix" PREFIX="$prefix"
[ -d "$stage/usr" ] && check_uninstall install_uninstall_destdir "$stage/usr" DESTDIR="$stage" PREFIX=/usr
exit 0
