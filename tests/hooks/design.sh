#!/usr/bin/env bash
# Every design citation in the code resolves to docs/design/ (tests/tools/design_refs.py):
# the file exists, and so does the section, invariant or scenario it names. It does not
# depend on the compiler variant, so it runs in the first variant only.
# Protocol: one line, `ok|FAIL design_references[: ...]` (see tests/run_all.sh).
set -u
cd "$(dirname "$0")/../.."
variant=${1:-gcc}
first_variant=${RINGER_TEST_VARIANTS:-gcc clang asan}
[ "$variant" = "${first_variant%% *}" ] || exit 0
python3 tests/tools/design_refs.py
