#!/usr/bin/env bash
# Runs the guides in docs/ as written: in each guide, every ```c title="PATH"``` block is
# written to PATH and every ```sh title="run"``` block is run, in order, by one bash with
# -e from the repository root. A guide keeps its files in a folder it makes itself with
# `G=$(mktemp -d)` (titles then read "$G/file.c"); a guide whose run blocks or titles name a
# fixed path under /tmp fails, since two runs (or two users) would share it. TMPDIR points
# into a scratch folder that is removed afterwards, so the guides' folders go with it.
# One `ok docs/<guide>` or `FAIL docs/<guide>: reason` per guide with runnable blocks. The
# guides do not depend on the compiler variant: they run in the gcc variant only (or the
# first one given) and are skipped in the others.
set -u
cd "$(dirname "$0")/../.."
variant=${1:-gcc}
first_variant=${RINGER_TEST_VARIANTS:-gcc clang asan}
first_variant=${first_variant%% *}
# The guides build with the default compiler whatever the variant: run them once only.
[ "$variant" = "$first_variant" ] || exit 0

# Prints a bash script for the guide: each file written where its block's title says, and
# each command, in document order.
extract() { # GUIDE
    awk '
        /^```c title="/ { path = $0; sub(/^```c title="/, "", path); sub(/".*/, "", path)
                          print "mkdir -p \"$(dirname \"" path "\")\""
                          print "cat > \"" path "\" <<'\''RINGER_GUIDE_EOF'\''"; mode = "c"; next }
        /^```sh title="run"/ { mode = "sh"; next }
        /^```/ && mode == "c" { print "RINGER_GUIDE_EOF"; mode = ""; next }
        /^```/ && mode == "sh" { mode = ""; next }
        mode != "" { print }
    ' "$1"
}

# The fixed /tmp paths a guide's run blocks or file titles name, one per line.
fixed_paths() { # GUIDE
    awk '/^```c title="/ { print; next } /^```sh title="run"/ { run = 1; next }
         /^```/ { run = 0 } run' "$1" | grep -oE '/tmp/[A-Za-z0-9._-]+' | sort -u
}

for guide in docs/*.md; do
    name=docs/$(basename "$guide" .md)
    grep -q '^```sh title="run"' "$guide" || continue
    fixed=$(fixed_paths "$guide" | tr '\n' ' ')
    if [ -n "$fixed" ]; then
        echo "FAIL $name: writes to a fixed shared path ($fixed); use G=\$(mktemp -d)"
        continue
    fi
    scratch=$(mktemp -d)
    script=$scratch/guide.sh
    { echo "set -euo pipefail"; extract "$guide"; } >"$script"
    if TMPDIR=$scratch timeout 600 bash "$script" >"$scratch/log" 2>&1; then
        echo "ok $name"
    else
        echo "FAIL $name: $(tail -n 3 "$scratch/log" | tr '\n' ' ' | cut -c1-300)"
    fi
    rm -rf "$scratch"
done
exit 0
