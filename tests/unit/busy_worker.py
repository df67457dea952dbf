"""Functions the worker-process tests run in a child: a light module, quick to import there."""

from __future__ import annotations

import os
import time
from pathlib import Path


def sum_of_squares(n: int) -> int:
    return sum(i * i for i in range(n))


def busy(beat: str, seconds: float) -> str:
    """Burn CPU for ``seconds``, writing its pid and a growing counter to ``beat``."""
    end = time.monotonic() + seconds
    n = 0
    while time.monotonic() < end:
        for _ in range(20_000):
            n += 1
        # written aside, then renamed (as ``tests.pages.spin_step`` does): written in place, the
        # file is empty between the truncate and the write, and here that was most of the time
        # (a reader saw it empty in about 2 of 3 looks), so a worker killed then left an empty
        # beat and the test said "the worker never started"
        tmp = Path(f"{beat}.tmp")
        tmp.write_text(f"{os.getpid()} {n}")
        os.replace(tmp, beat)
    return "finished"


def fail() -> None:
    raise ValueError("bad input, said plainly")


def use_store(store, x: int) -> tuple:
    """What a core function does with the store it is given, from inside a worker."""
    return store.engine, store.add(x), getattr(store, "missing", "absent"), os.getpid()


def hold(seconds: float, mark: str | None = None) -> tuple[float, float]:
    """Hold a worker for ``seconds`` (sleeping): its start and end on the wall clock. With
    ``mark``, the file is written first (the run started)."""
    start = time.time()
    if mark:
        Path(mark).write_text(str(os.getpid()))
    time.sleep(seconds)
    return start, time.time()


def same(x):
    """What the worker was given, sent back."""
    return x


def add_one_sum(a) -> float:
    """Change the array the worker got in place (it must be writable), then sum it."""
    a += 1
    return float(a.sum())
