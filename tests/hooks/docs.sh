#!/usr/bin/env bash
# Runs the guides in docs/ as written: in each guide, every ```c title="PATH"``` block is
# written to PATH and every ```sh title="run"``` block is run, in order, by one bash with
# -e from the repository root. /tmp/ringer-guide in a guide is replaced by a fresh
# directory. One `ok docs/<guide>` or `FAIL docs/<guide>: reason` per guide with runnable
# blocks. The guides do not depend on the compiler variant: they run in the gcc variant
# only (or the first one given) and are skipped in the others.
set -u
cd "$(dirname "$0")/../.."
variant=${1:-gcc}
first_variant=${RINGER_TEST_VARIANTS:-gcc clang asan}
first_variant=${first_variant%% *}
# The guides build with the default compiler whatever the variant: run them once only.
[ "$variant" = "$first_variant" ] || exit 0

# Prints a bash script for the guide: files first written where its blocks say, then the
# commands, in document order.
extract() { # GUIDE SCRATCH
    awk -v scratch="$2" '
        function fix(line) { gsub("/tmp/ringer-guide", scratch, line); return line }
        /^```c title="/ { path = $0; sub(/^```c title="/, "", path); sub(/".*/, "", path)
                          print "mkdir -p \"$(dirname " fix(path) ")\""
                          print "cat > " fix(path) " <<'\''RINGER_GUIDE_EOF'\''"; mode = "c"; next }
        /^```sh title="run"/ { mode = "sh"; next }
        /^```/ && mode == "c" { print "RINGER_GUIDE_EOF"; mode = ""; next }
        /^```/ && mode == "sh" { mode = ""; next }
        mode == "c" { print; next }
        mode == "sh" { print fix($0) }
    ' "$1"
}

for guide in docs/*.md; do
    name=docs/$(basename "$guide" .md)
    grep -q '^```sh title="run"' "$guide" || continue
    scratch=$(mktemp -d /tmp/ringer-guide-test.XXXXXX)
    script=$scratch/guide.sh
    { echo "set -euo pipefail"; extract "$guide" "$scratch/guide"; } >"$script"
    if timeout 600 bash "$script" >"$scratch/log" 2>&1; then
        echo "ok $name"
    else
        echo "FAIL $name: $(tail -n 3 "$scratch/log" | tr '\n' ' ' | cut -c1-300)"
    fi
    rm -rf "$scratch"
done
exit 0
