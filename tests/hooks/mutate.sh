#!/usr/bin/env bash
# The mutation tool in `make test` (gcc only): a fixed mutant through the sim stage.
#   mutate/killable     a negated condition in src/cancel_all.c is killed
# The ids are looked up by their source text, so edits elsewhere in src/ do not break this.
set -u
cd "$(dirname "$0")/../.."
[ "${1:-gcc}" = gcc ] || exit 0
find_id() { python3 mutate/run.py --list | grep -F "$1" | head -n1 | cut -d' ' -f1; }
killable=$(find_id 'src/cancel_all.c negate: if (io->cancel_sweep_enabled && io->awaiting.count > 0) {')
if [ -z "$killable" ]; then echo "FAIL mutate/killable: its source line is gone from src/"; exit 0; fi
out=$(nice -n 10 python3 mutate/run.py --jobs 1 --stages sim --scratch build/mutate-hook \
      --ids "$killable" 2>&1)
if printf '%s\n' "$out" | grep -q "^$killable .*killed by sim" &&
   printf '%s\n' "$out" | tail -n1 | grep -qx 'mutate: 1/1 non-equivalent mutants killed (0 equivalent, 0 survived)'; then
    echo "ok mutate/killable"
else
    echo "FAIL mutate/killable: $(printf '%s\n' "$out" | tail -n1)"
fi
