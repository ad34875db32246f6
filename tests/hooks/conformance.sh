#!/usr/bin/env bash
# liburing's own test suite on the real kernel and on the faithful sim, side by side
# (tests/conformance/run.sh: the table, then `ok conformance/table` or a FAIL line per
# program whose difference sim/DIVERGENCES.md does not account for). It runs once, in the
# gcc variant: the table is about the kernels, not about the compiler.
set -u
cd "$(dirname "$0")/../.."
variant=${1:-gcc}
[ "$variant" = gcc ] || exit 0
exec tests/conformance/run.sh gcc
