#!/usr/bin/env python3
"""Branch coverage of src/ from `llvm-cov export` JSON, with and without assertion branches.

    llvm-cov export ... src/*.c | fuzz/branch_summary.py

Every RINGER_ASSERT is a branch whose failing side must never run, so it can never be
covered; the second figure leaves out branches on lines that hold an assertion, which is
the coverage of the library's own decisions.
"""
import json
import sys


def branches_of(region_list, lines, out):
    for b in region_list:
        line = b[0]
        out.append((line, b[4] > 0, b[5] > 0, "ASSERT" in lines.get(line, "")))


def main():
    data = json.load(sys.stdin)
    total = covered = total_na = covered_na = 0
    for export in data["data"]:
        for f in export["files"]:
            with open(f["filename"]) as source:
                lines = {i + 1: text for i, text in enumerate(source)}
            found = []
            branches_of(f.get("branches", []), lines, found)
            for e in f.get("expansions", []):
                call_line = e["source_region"][0]
                for b in e.get("branches", []):
                    found.append((call_line, b[4] > 0, b[5] > 0,
                                  "ASSERT" in lines.get(call_line, "")))
            for _, taken, not_taken, is_assert in found:
                total += 2
                covered += taken + not_taken
                if not is_assert:
                    total_na += 2
                    covered_na += taken + not_taken
    pct = lambda a, b: 100.0 * a / b if b else 100.0
    print("branches %.2f%% (%d/%d); without assertion branches %.2f%% (%d/%d)"
          % (pct(covered, total), covered, total, pct(covered_na, total_na), covered_na, total_na))


if __name__ == "__main__":
    main()
