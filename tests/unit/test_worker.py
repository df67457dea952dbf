"""A refused heavy step really stops: its worker process is killed and the CPU is free again."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from ecomdash.errors import TimeBudgetError
from ecomdash.ui.common import run_with_budget
from ecomdash.ui.worker import budget_left, run_in_worker
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
    raise AssertionError("the worker never started")


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
