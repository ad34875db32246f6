#!/usr/bin/env python3
"""Checks that every design citation in the code resolves (docs/design/README.md, "Citations").

Usage: design_refs.py [DIR...]   (default: src sim tests fuzz simulator selftest bench examples)

Reads every file git tracks under the folders (and untracked ones it does not ignore), and
checks each citation:
  - `name.md` names docs/design/name.md, or a file of that name elsewhere in the tree;
  - `§N` (also `§3-§5`, `§9–§10`) names a `## N.` heading of the document the same file
    cited last before it;
  - `In` (also `I1-I6`) names an invariant of docs/design/invariants.md;
  - `An`, `Bn` name a scenario of docs/design/acceptance.md.
Prints `ok design_references: N citations in M files`, or one `FAIL design_references: ...`
line naming the first few citations that do not resolve (file:line and why).
"""
import os
import re
import subprocess
import sys

DESIGN = "docs/design"
DEFAULT_DIRS = ["src", "sim", "tests", "fuzz", "simulator", "selftest", "bench", "examples"]
DOC = re.compile(r"[A-Za-z0-9_./-]*[A-Za-z0-9_-]\.md\b")
SECTION = re.compile(r"§\s*(\d+)(?:\s*[-–]\s*§?\s*(\d+))?")
INVARIANT = re.compile(r"(?<![\w-])I(\d{1,2})(?:\s*[-–]\s*I(\d{1,2}))?\b")
SCENARIO = re.compile(r"(?<![\w-])([AB])(\d)\b")
TOKENS = re.compile("|".join(f"(?P<{name}>{rx.pattern})" for name, rx in
                             [("doc", DOC), ("section", SECTION), ("invariant", INVARIANT),
                              ("scenario", SCENARIO)]))


def tracked_files(dirs):
    out = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "--"]
                         + dirs, capture_output=True, text=True, check=True).stdout
    return [path for path in out.splitlines() if os.path.isfile(path)]


def headings(path, cache={}):
    if path not in cache:
        text = open(path, encoding="utf-8", errors="replace").read()
        cache[path] = {int(n) for n in re.findall(r"^## (\d+)\.", text, re.M)}
    return cache[path]


def resolve_doc(name, source, by_basename):
    """The repository path a `name.md` citation in `source` means, or None."""
    if "/" in name:
        for candidate in (name, os.path.normpath(os.path.join(os.path.dirname(source), name))):
            if os.path.isfile(candidate):
                return candidate
        return None
    design = os.path.join(DESIGN, name)
    if os.path.isfile(design):
        return design
    matches = by_basename.get(name, [])
    return matches[0] if len(matches) == 1 else None


def span(first, last):
    first, last = int(first), int(last or first)
    return range(first, last + 1) if first <= last else [first, last]


def check_file(path, by_basename, invariants, scenarios, problems):
    try:
        lines = open(path, encoding="utf-8").read().splitlines()
    except UnicodeDecodeError:
        return 0
    current = None  # the document this file cited last
    count = 0
    for number, line in enumerate(lines, 1):
        where = f"{path}:{number}"
        for match in TOKENS.finditer(line):
            count += 1
            kind = match.lastgroup
            text = match.group(kind)
            if kind == "doc":
                current = resolve_doc(text, path, by_basename)
                if current is None:
                    problems.append(f"{where}: {text} is not a file in the repository")
                    current = ""
            elif kind == "section":
                first, last = SECTION.match(text).groups()
                if current is None:
                    problems.append(f"{where}: {text} cites no document (none named before it)")
                elif current:
                    missing = [n for n in span(first, last) if n not in headings(current)]
                    if missing:
                        problems.append(f"{where}: {current} has no section {missing[0]}")
            elif kind == "invariant":
                first, last = INVARIANT.match(text).groups()
                missing = [n for n in span(first, last) if n not in invariants]
                if missing:
                    problems.append(f"{where}: no invariant I{missing[0]} in invariants.md")
            elif kind == "scenario":
                if text not in scenarios:
                    problems.append(f"{where}: no scenario {text} in acceptance.md")
    return count


def main():
    dirs = sys.argv[1:] or DEFAULT_DIRS
    itself = os.path.relpath(os.path.abspath(__file__))
    files = [path for path in tracked_files(dirs) if path != itself]  # its examples cite nothing
    by_basename = {}
    for path in tracked_files(["."]):
        if path.endswith(".md"):
            by_basename.setdefault(os.path.basename(path), []).append(path)
    invariant_text = open(os.path.join(DESIGN, "invariants.md")).read()
    invariants = {int(n) for n in re.findall(r"^\| I(\d+)\b", invariant_text, re.M)}
    acceptance_text = open(os.path.join(DESIGN, "acceptance.md")).read()
    scenarios = set(re.findall(r"^\*\*([AB]\d) ", acceptance_text, re.M))
    problems = []
    count = sum(check_file(p, by_basename, invariants, scenarios, problems) for p in files)
    if len(invariants) < 26 or len(scenarios) < 17:
        problems.append(f"found only {len(invariants)} invariants and {len(scenarios)} scenarios")
    if problems:
        more = f" (+{len(problems) - 8} more)" if len(problems) > 8 else ""
        print(f"FAIL design_references: {'; '.join(problems[:8])}{more}")
    else:
        print(f"ok design_references: {count} citations in {len(files)} files")


if __name__ == "__main__":
    main()
