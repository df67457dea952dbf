"""A refused heavy step really stops: its worker process is killed and the CPU is free again."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from ecomdash.errors import TimeBudgetError
from ecomdash.ui.common import run_with_budget
from ecomdash.ui.worker import budget_left, run_in_worker, worker_load
from tests.unit.busy_worker import busy, fail, sum_of_squares, use_store


def _state(beat: Path) -> tuple[int, int]:
    pid, n = beat.read_text().split()
    return int(pid), int(n)


def _wait_for(beat: Path) -> None:
    end = time.monotonic() + 60
    while time.monotonic() < end:
        if beat.exists() and beat.read_text().strip():
            return
        time.sleep(0.05)
    raise AssertionError(f"the worker never started (workers running, waiting: {worker_load()})")


def _assert_stopped(beat: Path) -> None:
    pid, _ = _state(beat)
    assert not Path(f"/proc/{pid}").exists(), "the worker process is still there"
    _, n1 = _state(beat)
    time.sleep(1.0)
    _, n2 = _state(beat)
    assert n2 == n1, "the refused work is still counting"


def test_refused_worker_is_killed_and_the_cpu_is_free(tmp_path):
    # the worker's start-up (a spawned interpreter, imports) counts against the budget too: on a
    # machine so busy that it is refused before its first beat, try again with a longer budget
    for attempt, budget in enumerate((45.0, 150.0)):
        beat = tmp_path / f"beat{attempt}"
        t0 = time.monotonic()
        with pytest.raises(TimeBudgetError, match="time budget"):
            run_in_worker(busy, str(beat), 600.0, seconds=budget, what="The busy model")
        assert time.monotonic() - t0 < budget + 15  # refused long before the work would end
        if beat.exists() and beat.read_text().strip():
            break
    _wait_for(beat)
    _assert_stopped(beat)
    # a worker that finishes in time gives its result, and its errors reach the caller
    assert run_in_worker(sum_of_squares, 1000, seconds=60) == 332_833_500  # n(n-1)(2n-1)/6
    with pytest.raises(ValueError, match="said plainly"):
        run_in_worker(fail, seconds=60)


def test_run_with_budget_hands_its_budget_to_workers_inside_it():
    assert budget_left() is None  # outside any budget: a worker uses its own default
    left = run_with_budget(budget_left, seconds=30.0)
    assert left is not None and 0 < left <= 30.0
    assert budget_left() is None  # the scope ends with the run


def test_page_budgets_are_longer_on_spark(monkeypatch):
    """Cluster jobs start slowly: a page's budget on Spark is SPARK_BUDGET_FACTOR times longer."""
    from ecomdash.ui import common

    monkeypatch.delenv("ECOMDASH_ENGINE", raising=False)
    assert common._engine_budget(60) == 60
    monkeypatch.setenv("ECOMDASH_ENGINE", "spark")
    assert common._engine_budget(60) == 60 * common.SPARK_BUDGET_FACTOR
    monkeypatch.setenv("ECOMDASH_ENGINE", "nonsense")
    assert common._engine_budget(60) == 60


class _Store:
    """Lives in the test process only (its lock cannot be pickled): a worker reaches it
    through the proxy, and the calls are made here."""

    engine = "duckdb"

    def __init__(self) -> None:
        import threading

        self.lock = threading.Lock()  # unpicklable: the store itself never goes to the worker
        self.calls: list[tuple[int, int]] = []

    def add(self, x: int) -> int:
        self.calls.append((os.getpid(), x))
        return x + 40


def test_a_store_served_to_a_worker_runs_its_calls_here():
    store = _Store()
    engine, total, missing, child = run_in_worker(use_store, store, 2, serve=store, seconds=300)
    assert (engine, total, missing) == ("duckdb", 42, "absent")
    assert child != os.getpid()  # the function ran in a worker ...
    assert store.calls == [(os.getpid(), 2)]  # ... and the store's method in this process


def _together(n: int, fn) -> list:
    """``fn(i)`` for i < n in n threads started together; their results (or exceptions)."""
    import threading

    out: list = [None] * n
    gate = threading.Barrier(n)

    def go(i: int) -> None:
        gate.wait()
        try:
            out[i] = fn(i)
        except Exception as exc:  # noqa: BLE001 - returned to the test
            out[i] = exc

    threads = [threading.Thread(target=go, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(600)
    return out


def test_worker_processes_are_capped_and_a_run_waits_its_turn(monkeypatch):
    """With ECOMDASH_MAX_WORKERS=1 two runs started together never overlap, the second is
    told it waits (0 runs ahead of it, then its slot); with 2 they do overlap (so the first
    check is the cap's doing, not the fork server's)."""
    from ecomdash.ui.worker import budget_scope, max_workers, warm, worker_load
    from tests.unit.busy_worker import hold

    warm()
    run_in_worker(sum_of_squares, 10, seconds=300)  # the fork server up: starts are quick
    monkeypatch.setenv("ECOMDASH_MAX_WORKERS", "1")
    assert max_workers() == 1
    told: list[list] = [[], []]

    def run(i: int):
        with budget_scope(300, on_wait=told[i].append):
            return run_in_worker(hold, 1.5, seconds=None)

    a, b = sorted(_together(2, run))
    assert a[1] <= b[0], f"two workers ran at once under a cap of 1: {a} and {b}"
    waited = [t for t in told if t]
    assert len(waited) == 1 and waited[0][0] == 0 and waited[0][-1] is None, told
    assert worker_load() == (0, 0)  # every slot given back, nobody left in the queue

    monkeypatch.setenv("ECOMDASH_MAX_WORKERS", "2")
    a, b = sorted(_together(2, lambda i: run_in_worker(hold, 3.0, seconds=300)))
    assert b[0] < a[1], f"a cap of 2 ran them one after the other: {a} and {b}"


def test_the_wait_for_a_worker_counts_against_the_budget(monkeypatch, tmp_path):
    """A run queued behind a busy worker is refused when its budget runs out while it waits,
    and its step never starts."""
    from tests.unit.busy_worker import hold

    run_in_worker(sum_of_squares, 10, seconds=300)
    monkeypatch.setenv("ECOMDASH_MAX_WORKERS", "1")
    mark = tmp_path / "second-started"

    def run(i: int):
        if i == 0:
            return run_in_worker(hold, 8.0, seconds=None)
        time.sleep(2.0)  # the first holds the only worker by now
        return run_in_worker(hold, 0.1, str(mark), seconds=2.0, what="The queued model")

    first, second = _together(2, run)
    assert isinstance(first, tuple), first
    assert isinstance(second, TimeBudgetError), second
    assert "The queued model took longer than its time budget of 2.0\u00a0s" in str(second)
    assert not mark.exists(), "the refused run's step started anyway"
