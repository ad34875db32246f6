# Sourced by tests/run_all.sh and the test hooks: maps a variant name to its compiler,
# sanitizer and optimisation flags, and builds make targets for it.
#   variant_flags NAME   sets variant_cc, variant_san, variant_opt (returns 1 if unknown)
#   variant_make NAME TARGET...   make -s with those flags, output on failure only
variant_asan_flags="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"

variant_flags() {
    case "$1" in
        gcc) variant_cc=gcc variant_san="" variant_opt="-O2 -g" ;;
        clang) variant_cc=clang variant_san="" variant_opt="-O2 -g" ;;
        asan) variant_cc=clang variant_san="$variant_asan_flags" variant_opt="-O1 -g" ;;
        *) return 1 ;;
    esac
}

variant_make() {
    local name=$1 log status
    shift
    variant_flags "$name" || { echo "unknown variant $name" >&2; return 1; }
    log=$(mktemp)
    make -s -j"$(nproc 2>/dev/null || echo 2)" V="$name" CC="$variant_cc" SAN="$variant_san" \
        OPT="$variant_opt" "$@" >"$log" 2>&1
    status=$?
    [ $status -eq 0 ] || tail -n 30 "$log" >&2
    rm -f "$log"
    return $status
}
