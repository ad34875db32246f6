#!/usr/bin/env python3
"""make mutate: build every (sampled) mutant of src/ and run the kill stages on it.

Each worker owns a scratch copy of the tree (no build/ and no .git) where only the mutated
file changes, so make rebuilds one object and relinks. Stages, cheapest first; the first
failing stage kills the mutant. With --all-stages K, the first K sampled mutants run every
stage, so the report can credit what each stage kills that the others miss.
Per-stage timeouts are three times the stage's clean run plus 10 s.
"""
import argparse
import os
import random
import shutil
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen  # noqa: E402

MAKE = ["make", "-s", "V=mut", "CC=gcc"]
FUZZ_TARGETS = ("fuzz_loop", "fuzz_cancel_all", "fuzz_open_data_file")
# (name, build goals, commands run from the worker's root)
STAGES = [
    ("sim", ["tests-sim"], [["build/mut/tests/ringer-tests-sim"]]),
    ("real", ["tests-real"], [["build/mut/tests/ringer-tests"]]),
    ("ringer-sim", ["ringer-sim"],
     [["build/mut/bin/ringer-sim", "--jobs", "1", "--seeds", "60", "--profile", p]
      for p in ("faithful", "hostile")]),
    ("fuzz", ["build/fuzz/bin/" + t for t in FUZZ_TARGETS],
     [["build/fuzz/bin/" + t, "-runs=3000", "-seed=1", "corpus/" + t] for t in FUZZ_TARGETS]),
]


def load_equivalents(path):
    """{(file, op, mutated line): reason} from lines `file | op | mutated line | reason`."""
    result = {}
    if not os.path.exists(path):
        return result
    for line in open(path):
        line = line.rstrip("\n")
        if not line.strip() or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split(" | ")]
        assert len(parts) == 4, "bad equivalents line: " + line
        result[tuple(parts[:3])] = parts[3]
    return result


def run_quiet(cmd, cwd, timeout):
    """(status, seconds); status is 'ok', 'fail' or 'timeout'."""
    start = time.monotonic()
    try:
        proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              timeout=timeout, env=dict(os.environ, RINGER_TEST_VARIANTS="gcc"))
        status = "ok" if proc.returncode == 0 else "fail"
    except subprocess.TimeoutExpired:
        status = "timeout"
    return status, time.monotonic() - start


class Worker:
    def __init__(self, root, scratch, index, stages):
        self.dir = os.path.join(scratch, "w%d" % index)
        self.stages = stages
        if os.path.exists(self.dir):
            shutil.rmtree(self.dir)
        shutil.copytree(root, self.dir, ignore=shutil.ignore_patterns("build", ".git"))
        self.timeouts = {}

    def build(self, goals, timeout=1800):
        return run_quiet(MAKE + ["-j1"] + goals, self.dir, timeout)[0] == "ok"

    def calibrate(self):
        """Builds everything clean and times each stage: the tree must pass every stage."""
        for name, goals, commands in self.stages:
            assert self.build(goals), "clean build of stage %s failed in %s" % (name, self.dir)
            total = 0.0
            for cmd in commands:
                status, seconds = run_quiet(cmd, self.dir, 1800)
                assert status == "ok", "clean tree fails stage %s: %s" % (name, " ".join(cmd))
                total += seconds
            self.timeouts[name] = 3 * total + 10
        return self.timeouts

    def try_mutant(self, mutant, source, every_stage):
        """{'compiled': bool, 'killed_by': [stage...], 'seconds': to first kill}."""
        path = os.path.join(self.dir, mutant.file)
        with open(path, "w") as f:
            f.write(mutant.apply(source))
        result = {"compiled": True, "killed_by": [], "seconds": None}
        start = time.monotonic()
        try:
            for name, goals, commands in self.stages:
                if not self.build(goals, 600):
                    if name == self.stages[0][0]:
                        result["compiled"] = False
                        return result
                    continue  # this stage's build rejects what the first one accepted
                if self.stage_kills(name, commands):
                    result["killed_by"].append(name)
                    if result["seconds"] is None:
                        result["seconds"] = time.monotonic() - start
                    if not every_stage:
                        break
        finally:
            with open(path, "w") as f:
                f.write(source)
        return result

    def stage_kills(self, name, commands):
        deadline = time.monotonic() + self.timeouts[name]
        for cmd in commands:
            left = max(1.0, deadline - time.monotonic())
            if run_quiet(cmd, self.dir, left)[0] != "ok":
                return True
        return False


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--root", default=".")
    p.add_argument("--sample", type=int, default=0, help="mutants to try (0: all)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--all-stages", type=int, default=0, help="mutants that run every stage")
    p.add_argument("--stages", default="sim,real,ringer-sim,fuzz")
    p.add_argument("--ids", default="", help="comma-separated ids: try exactly these")
    p.add_argument("--scratch", default="build/mutate")
    p.add_argument("--list", action="store_true", help="print every mutant, build nothing")
    p.add_argument("--equivalents", default="mutate/equivalents.txt")
    return p.parse_args()


def choose(args, mutants):
    if args.ids:
        wanted = args.ids.split(",")
        by_id = {m.id: m for m in mutants}
        missing = [i for i in wanted if i not in by_id]
        assert not missing, "unknown mutant ids: " + ",".join(missing)
        return [by_id[i] for i in wanted]
    if args.sample and args.sample < len(mutants):
        return random.Random(args.seed).sample(mutants, args.sample)
    return list(mutants)


def main():
    args = parse_args()
    root = os.path.abspath(args.root)
    mutants = gen.all_mutants(root)
    if args.list:
        for m in mutants:
            print("%s %s %s: %s" % (m.id, m.file, m.op, m.line_text))
        return 0
    equivalents = load_equivalents(os.path.join(root, args.equivalents))
    live = {key_of(m) for m in mutants}
    for key in sorted(set(equivalents) - live):
        print("mutate: stale equivalent entry (no such mutant now): %s | %s | %s" % key)
    chosen = choose(args, mutants)
    print("mutate: %d mutants of src/, trying %d (seed %d)" % (len(mutants), len(chosen), args.seed))
    stages = [s for s in STAGES if s[0] in args.stages.split(",")]
    return run_all(args, root, chosen, stages, equivalents)


def key_of(m):
    """The equivalents file's key: file, operator and the mutated line, whitespace collapsed."""
    return (m.file, m.op, " ".join(m.diff_line(open(m.path).read()).split("\n+ ")[1].split()))


def run_all(args, root, chosen, stages, equivalents):
    scratch = os.path.join(root, args.scratch)
    os.makedirs(scratch, exist_ok=True)
    workers = [Worker(root, scratch, i, stages) for i in range(args.jobs)]
    for w in workers:
        print("mutate: stage timeouts (s): " + ", ".join(
            "%s %.0f" % kv for kv in w.calibrate().items()), flush=True)
    results, lock, queue = [], threading.Lock(), list(enumerate(chosen))
    sources = {}
    for m in chosen:
        sources.setdefault(m.file, open(os.path.join(root, m.file)).read())

    def loop(worker):
        while True:
            with lock:
                if not queue:
                    return
                index, m = queue.pop(0)
            eq = equivalents.get(key_of(m))
            r = {"compiled": True, "killed_by": [], "seconds": None} if eq else \
                worker.try_mutant(m, sources[m.file], index < args.all_stages)
            r["equivalent"] = eq
            r["every_stage"] = index < args.all_stages
            with lock:
                results.append((m, r))
                print_result(m, r, sources[m.file])

    threads = [threading.Thread(target=loop, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return summarise(results, sources, args.all_stages, [s[0] for s in stages])


def print_result(m, r, source):
    if r["equivalent"]:
        verdict = "equivalent (%s)" % r["equivalent"]
    elif not r["compiled"]:
        verdict = "does not compile"
    elif r["killed_by"]:
        verdict = "killed by %s in %.1fs" % ("+".join(r["killed_by"]), r["seconds"])
    else:
        verdict = "SURVIVED"
    print("%s %s %s: %s" % (m.id, m.file, m.op, verdict), flush=True)
    if verdict == "SURVIVED":
        print("    " + m.diff_line(source).replace("\n", "\n    "), flush=True)


def summarise(results, sources, all_stages, stage_names):
    counted = [(m, r) for m, r in results if r["compiled"] and not r["equivalent"]]
    equivalent = sum(1 for _, r in results if r["equivalent"])
    uncompiled = sum(1 for _, r in results if not r["compiled"])
    killed = [(m, r) for m, r in counted if r["killed_by"]]
    survivors = [(m, r) for m, r in counted if not r["killed_by"]]
    print("mutate: %d did not compile (not counted)" % uncompiled)
    first = {s: sum(1 for _, r in killed if r["killed_by"][0] == s) for s in stage_names}
    print("mutate: first kill by stage: " + ", ".join("%s %d" % kv for kv in first.items()))
    if killed:
        times = sorted(r["seconds"] for _, r in killed)
        print("mutate: time to kill: median %.1fs, max %.1fs" % (times[len(times) // 2], times[-1]))
    print_credit(results, all_stages, stage_names)
    for m, _ in survivors:
        print("mutate: survivor %s %s %s\n    %s" % (
            m.id, m.file, m.op, m.diff_line(sources[m.file]).replace("\n", "\n    ")))
    print("mutate: %d/%d non-equivalent mutants killed (%d equivalent, %d survived)" % (
        len(killed), len(counted), equivalent, len(survivors)))
    return 0


def print_credit(results, all_stages, stage_names):
    """For mutants that ran every stage: what each stage kills, and kills alone."""
    if not all_stages:
        return
    every = [r for _, r in results if r["compiled"] and not r["equivalent"] and r["every_stage"]]
    for stage in stage_names:
        kills = sum(1 for r in every if stage in r["killed_by"])
        alone = sum(1 for r in every if r["killed_by"] == [stage])
        print("mutate: every-stage sample of %d: %s kills %d, %d of them no other stage kills"
              % (len(every), stage, kills, alone))


if __name__ == "__main__":
    sys.exit(main())
