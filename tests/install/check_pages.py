#!/usr/bin/env python3
"""Checks the man pages of an installed prefix against its headers and shared library.

Usage: check_pages.py PREFIX RINGER_SIM_BINARY

Prints one protocol line per check (`ok NAME` or `FAIL NAME: reason`, tests/run_all.sh):
  - every function that the installed ringer.h and ringer_sim.h declare has a page in
    section 3 (the symbol test of the library proves that libringer.so exports exactly the
    functions of ringer.h, so every exported function has one too);
  - every name a section 3 page gives in its NAME line is a declared function (no page
    outlives its function), and every `.so` link page points at an installed page;
  - every page renders with `groff -man -ww` without a warning, and `man` finds and renders
    each one by name from the prefix without a warning;
  - ringer-sim(1) names every option that `ringer-sim --help` lists.
"""
import os
import re
import shutil
import subprocess
import sys

OVERVIEW_PAGES = {"ringer_sim"}  # section 3 overview of <ringer_sim.h>, not a function


def declared_functions(header):
    text = open(header).read()
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    text = re.sub(r"^\s*#.*$", " ", text, flags=re.M)
    # A name followed by "(" and not preceded by a word character or by "(*" (a
    # function-pointer typedef): the declarations of the header's functions, those that
    # return a pointer ("const char *ringer_...(") included.
    return set(re.findall(r"(?<![\w(])(?<!\(\*)(ringer_\w+)\s*\(", text))


def page_names(path):
    """The names in a page's NAME section, or None for a `.so` link page."""
    text = open(path).read()
    if text.startswith(".so "):
        return None
    match = re.search(r"^\.SH NAME\n(.*?) \\-", text, re.M)
    if not match:
        return []
    return [name.strip().replace("\\-", "-") for name in match.group(1).split(",")]


def report(name, problems):
    if problems:
        shown = "; ".join(problems[:6])
        more = f" (+{len(problems) - 6} more)" if len(problems) > 6 else ""
        print(f"FAIL {name}: {shown}{more}")
    else:
        print(f"ok {name}")


def render_problems(mandir, pages):
    missing = [tool for tool in ("groff", "man") if not shutil.which(tool)]
    if missing:  # make deps installs both (groff-base, man-db)
        return [f"{' and '.join(missing)} not installed (make deps)"]
    problems = []
    env = dict(os.environ, MANPATH=mandir, MANWIDTH="80")
    env.pop("MAN_KEEP_FORMATTING", None)
    for page in pages:
        relative = os.path.relpath(page, mandir)
        # .so requests resolve from the top of the man hierarchy, as man does.
        groff = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", relative], cwd=mandir,
                               capture_output=True, text=True)
        if groff.returncode != 0 or groff.stderr.strip():
            problems.append(f"{relative}: {groff.stderr.strip().splitlines()[:1]}")
            continue
        section = os.path.basename(os.path.dirname(page))[3:]
        name = os.path.basename(page).rsplit(".", 1)[0]
        shown = subprocess.run(["man", "--warnings", section, name], env=env,
                               capture_output=True, text=True)
        text = re.sub(".\b", "", shown.stdout)  # overstrike bold, if any
        if shown.returncode != 0 or shown.stderr.strip() or "SYNOPSIS" not in text:
            problems.append(f"man {section} {name}: {shown.stderr.strip()[:120]}")
    return problems


def check_functions(prefix, man3):
    headers = [f"{prefix}/include/ringer.h", f"{prefix}/include/ringer_sim.h"]
    declared = set()
    for header in headers:
        declared |= declared_functions(header)
    missing = sorted(f for f in declared if not os.path.exists(f"{man3}/{f}.3"))
    report("install_man_page_per_function",
           [f"no page {name}(3)" for name in missing] +
           ([] if len(declared) > 40 else [f"only {len(declared)} functions found in the headers"]))
    return declared


def check_pages_match(man3, declared):
    problems = []
    for entry in sorted(os.listdir(man3)):
        path = f"{man3}/{entry}"
        names = page_names(path)
        if names is None:
            target = open(path).read().split()[1]
            if not os.path.exists(os.path.join(os.path.dirname(man3), target)):
                problems.append(f"{entry} links to missing {target}")
            continue
        if not names:
            problems.append(f"{entry} has no NAME line")
        for name in names:
            if name not in declared and name not in OVERVIEW_PAGES:
                problems.append(f"{entry} documents {name}, which no header declares")
            elif not os.path.exists(f"{man3}/{name}.3"):
                problems.append(f"{entry} names {name}, which has no page or link")
    report("install_man_pages_name_real_functions", problems)


def check_cli_options(mandir, binary):
    help_text = subprocess.run([binary, "--help"], capture_output=True, text=True).stdout
    options = sorted(set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", help_text)))
    page = open(f"{mandir}/man1/ringer-sim.1").read().replace("\\-", "-")
    missing = [option for option in options if option not in page]
    report("install_man_ringer_sim_options",
           [f"ringer-sim(1) lacks {option}" for option in missing] +
           ([] if len(options) > 10 else [f"only {len(options)} options in --help"]))


def main():
    prefix, binary = sys.argv[1], sys.argv[2]
    mandir = f"{prefix}/share/man"
    man3 = f"{mandir}/man3"
    declared = check_functions(prefix, man3)
    check_pages_match(man3, declared)
    pages = sorted(f"{mandir}/{section}/{entry}" for section in ("man1", "man3", "man7")
                   for entry in os.listdir(f"{mandir}/{section}"))
    overviews = [f"{mandir}/man7/ringer.7", f"{mandir}/man1/ringer-sim.1", f"{man3}/ringer_sim.3"]
    report("install_man_overview_pages", [f"missing {p}" for p in overviews if p not in pages])
    report("install_man_pages_render", render_problems(mandir, pages))
    check_cli_options(mandir, binary)


if __name__ == "__main__":
    main()
