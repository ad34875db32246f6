#!/usr/bin/env bash
# `make coverage`: source coverage of src/ and sim/ reached by the corpus (and the
# regression inputs), from the build/fuzz-cov binaries.
#   HTML:    build/coverage/html/index.html
#   summary: build/coverage/summary.txt, and one line on stdout:
#            "coverage src/: lines L% (l/L), branches B% (b/B), regions R%"
set -euo pipefail
cd "$(dirname "$0")/.."
llvm=${LLVM_VERSION:-14}
profdata=llvm-profdata-$llvm
cov=llvm-cov-$llvm
out=build/coverage
rm -rf "$out"
mkdir -p "$out/profraw"

objects=()
for target in "$@"; do
    bin=build/fuzz-cov/bin/$target
    objects+=("$bin")
    inputs=$(find "corpus/$target" "corpus/regressions/$target" -type f 2>/dev/null | sort || true)
    [ -n "$inputs" ] || continue
    # shellcheck disable=SC2086
    LLVM_PROFILE_FILE="$out/profraw/$target-%p.profraw" "$bin" $inputs >"$out/$target.log" 2>&1 ||
        echo "coverage: $target failed on an input; see $out/$target.log" >&2
done
"$profdata" merge -sparse "$out"/profraw/*.profraw -o "$out/fuzz.profdata"
# The four binaries share the library and the sim but each has its own
# LLVMFuzzerTestOneInput: llvm-cov warns about those "mismatched" functions; the warning
# (on stderr) is noise here.

object_flags=("${objects[0]}")
for bin in "${objects[@]:1}"; do object_flags+=(-object "$bin"); done
sources=(src/*.c sim/*.c)
"$cov" show "${object_flags[@]}" -instr-profile="$out/fuzz.profdata" -format=html \
    -show-branches=count -output-dir="$out/html" "${sources[@]}" >/dev/null 2>&1
"$cov" report "${object_flags[@]}" -instr-profile="$out/fuzz.profdata" "${sources[@]}" \
    >"$out/report.txt" 2>/dev/null
"$cov" report "${object_flags[@]}" -instr-profile="$out/fuzz.profdata" src/*.c >"$out/src.txt" 2>/dev/null
"$cov" export "${object_flags[@]}" -instr-profile="$out/fuzz.profdata" src/*.c 2>/dev/null |
    fuzz/branch_summary.py >"$out/branches.txt"

# TOTAL columns: regions missed cover functions missed executed lines missed cover
#                branches missed cover
awk '/^TOTAL/ {
    printf "coverage src/: lines %s (%d/%d), branches %s (%d/%d), regions %s\n",
           $10, $8 - $9, $8, $13, $11 - $12, $11, $4
}' "$out/src.txt" | tee "$out/summary.txt"
echo "coverage src/ $(cat "$out/branches.txt")" | tee -a "$out/summary.txt"
awk '/^TOTAL/ { printf "coverage src/+sim/: lines %s, branches %s\n", $10, $13 }' \
    "$out/report.txt" | tee -a "$out/summary.txt"
echo "coverage: HTML in $out/html/index.html"
