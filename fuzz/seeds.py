#!/usr/bin/env python3
"""Hand-written seed inputs for fuzz_loop and fuzz_cancel_all (fuzz/driver.c's layout).

    fuzz/seeds.py OUTDIR     writes OUTDIR/fuzz_loop/seed-* and OUTDIR/fuzz_cancel_all/seed-*

An input is [program length: 2 bytes LE][program][entropy]; the program is
[reactions length][configuration][cancel_all step (fuzz_cancel_all only)][steps][reactions].
Each seed reaches one interesting path (every op, unqueued ops on a tiny ring, a cancel whose
CQE comes before its target's, timeouts, sockets, events, faults); libFuzzer mutates from
there, and `make fuzz-merge` keeps what adds coverage.
"""
import os
import sys

OP = dict(read=0, write=1, fsync=2, openat=3, close=4, statx=5, timeout=6, accept=7,
          connect=8, send=9, recv=10, listen=11, cancel=12)


def start(slot, kind, target=0, params=()):
    return [0, slot, OP[kind], target] + list(params)


TICK, TRIGGER, TICK_RUN0 = [2], [4], [7]


def run(index):  # 0: 0 ns, 1: 1 ms, 2: 1 ns, 3: 50 us, 4: 10 ms, 5: 100 ms
    return [3, index]


def script(cancel=0, target=0, target_first=0, separate=1):
    return [6, cancel, target, target_first, separate]


def config(shape=0, mask=0, level=0, entries=0, flags=0):
    """entries: 0 -> 2, 1 -> 1, 2 -> 4, 3 -> 8; flags: 0, NO_CANCEL_SWEEP, SUBMIT_ALL."""
    # then: no bad-init probe, the ring, and the two spare sockets' option bytes
    return [shape] + list(mask.to_bytes(4, "little")) + [level, 0, entries, flags, 1, 0x3f]


def encode(conf, steps, reactions=(), entropy=b"", cancel_at=None):
    program = [len(reactions)] + conf + ([] if cancel_at is None else [cancel_at])
    program += steps + list(reactions)
    return len(program).to_bytes(2, "little") + bytes(program) + entropy


EVERY_OP = (start(0, "read", params=[0, 0, 0]) + start(1, "write", params=[0, 1, 1]) +
            start(2, "fsync", params=[0, 1, 0]) + start(3, "openat", params=[1, 1]) +
            start(4, "statx", params=[0]) + start(5, "timeout", params=[3]) +
            start(6, "accept") + start(7, "connect", params=[0, 0]) +
            start(8, "send", params=[0, 0, 0, 1]) + start(9, "recv", params=[0, 0, 0, 1]) +
            start(10, "listen") + start(11, "timeout", params=[0]) + TICK + TRIGGER +
            run(4) + start(0, "close", params=[0, 0]) + run(1) + run(5))

CANCEL_BEFORE_TARGET = (start(0, "recv", params=[0, 0, 0, 1]) + TICK + script(0, 0, 0, 1) +
                        start(1, "cancel", target=0) + TICK + TICK + run(4))

CANCEL_EACH_STATE = (start(0, "timeout", params=[6]) + start(1, "timeout", params=[6]) +
                     start(2, "timeout", params=[6]) + start(3, "cancel", target=2) +
                     start(4, "timeout", params=[0]) + start(5, "cancel", target=4) + TICK +
                     start(6, "cancel", target=0) + run(3) + start(7, "cancel", target=9) +
                     run(1))

SOCKETS = (start(0, "accept") + start(1, "connect", params=[0, 0]) +
           start(2, "connect", params=[1, 1]) + run(1) + start(3, "send", params=[4, 0, 0, 1]) +
           start(4, "recv", params=[0, 0, 0, 1]) + start(5, "send", params=[4, 0, 0, 1]) +
           start(6, "send", params=[4, 0, 0, 1]) + run(1) + start(7, "recv", params=[4, 0, 0, 1]) +
           run(4))

EVENTS_AND_TIMERS = (start(0, "listen") + TICK + TRIGGER + TRIGGER + run(3) +
                     start(1, "timeout", params=[1]) + start(2, "timeout", params=[5]) +
                     start(3, "timeout", params=[2]) + run(0) + run(2) + run(4) + TICK_RUN0)

FILES = (start(0, "openat", params=[1, 1]) + start(1, "openat", params=[2, 3]) +
         start(2, "openat", params=[3, 0]) + start(3, "statx", params=[5]) + run(4) +
         start(4, "close", params=[0, 0]) + start(5, "close", params=[0, 1]) +
         start(6, "write", params=[4, 1, 5]) + start(7, "read", params=[4, 1, 3]) +
         start(8, "fsync", params=[0, 0, 1]) + run(4))

BURST = [5, 11] + [OP["read"], 0, 0, 0, 0] * 12 + TICK + TICK + run(1)

# Callbacks that start more work (reactions): restart the same slot with a yield, twice.
CHAIN = (start(0, "timeout", params=[0]) + TICK + TICK + TICK)
CHAIN_REACTIONS = [1, 1, OP["timeout"], 0, 0, 1, 1, OP["timeout"], 0, 0, 0]

SEEDS = {
    "every-op": (config(entries=1), EVERY_OP, (), b""),
    "cancel-before-target": (config(), CANCEL_BEFORE_TARGET, (), b""),
    "cancel-each-state": (config(entries=1), CANCEL_EACH_STATE, (), b""),
    "sockets": (config(entries=2), SOCKETS, (), b""),
    "events-timers": (config(entries=0), EVENTS_AND_TIMERS, (), b""),
    "files": (config(entries=3, flags=2), FILES, (), b""),
    "burst": (config(entries=1), BURST, (), b""),
    "chain": (config(), CHAIN, CHAIN_REACTIONS, b""),
    "reorder-faults": (config(shape=2, mask=0xFFFFFFFF, level=0), EVERY_OP, (),
                       bytes(range(256)) * 2),
    "hostile-faults": (config(shape=1 | 2 | 4 | 8 | 16, mask=0x00FFFFFF, level=1),
                       SOCKETS + CANCEL_BEFORE_TARGET, (), bytes(range(255, 0, -1)) * 2),
    "old-kernel": (config(shape=0x10, entries=1), CANCEL_EACH_STATE, (), b""),
}


def main():
    out = sys.argv[1]
    for target in ("fuzz_loop", "fuzz_cancel_all"):
        os.makedirs(os.path.join(out, target), exist_ok=True)
        for name, (conf, steps, reactions, entropy) in SEEDS.items():
            points = [None] if target == "fuzz_loop" else [3, 8, 255]
            for at in points:
                suffix = "" if at is None else "-at%d" % at
                path = os.path.join(out, target, "seed-" + name + suffix)
                with open(path, "wb") as f:
                    f.write(encode(conf, steps, reactions, entropy, at))


if __name__ == "__main__":
    main()
