"""A page run over its time budget really stops its work (issue 17): the model step runs in a
worker process that is killed with the refusal, so no process is left and the CPU is idle.

The step is made slow by replacing the Segments page's core call (``segment_history``) with a
function that spins the CPU and writes a heartbeat. With the old path (the step in a thread that
the page only stops waiting for) the heartbeat keeps growing and these tests fail.
"""

from __future__ import annotations

import functools
import multiprocessing.forkserver as mp_forkserver
import multiprocessing.resource_tracker as mp_tracker
import os
import time
from pathlib import Path

import pytest

from ecomdash.i18n import fmt
from ecomdash.ui import common, worker
from ecomdash.ui import segment as segment_ui
from tests.pages.conftest import run_page
from tests.pages.spin_step import spin
from tests.unit.busy_worker import sum_of_squares

BUDGETS_S = (8.0, 40.0)


def _beat(path: Path) -> tuple[int, int] | None:
    try:
        pid, n = path.read_text().split()
    except (FileNotFoundError, ValueError):
        return None
    return int(pid), int(n)


def _children(before: frozenset[int] = frozenset()) -> list[int]:
    """Pids of this process's descendants (workers are the fork server's children), but the
    fork server and multiprocessing's resource tracker themselves (idle helpers started once
    per server process, not work), and ``before``: the processes this test process already had
    when the test began (in the whole suite, the browser tests' servers of the same pytest
    worker)."""
    helpers = {
        mp_forkserver._forkserver._forkserver_pid,
        getattr(mp_tracker._resource_tracker, "_pid", None),
    }
    kids: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue
        if stat.rsplit(")", 1)[1].split()[0] == "Z":
            continue  # exited, not yet reaped: no longer running
        kids.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(d.name))
    out, todo = [], list(kids.get(os.getpid(), []))
    while todo:
        pid = todo.pop()
        todo += kids.get(pid, [])
        if pid not in helpers and pid not in before:
            out.append(pid)
    return out


def _cpu_seconds() -> float:
    """CPU time of this process (all its threads) and of its reaped children."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


@pytest.fixture
def warm_worker():
    """The fork server started and answering, so a tiny budget is spent on the step itself."""
    worker.warm()
    assert worker.run_in_worker(sum_of_squares, 1000, seconds=300) == 332_833_500
    return frozenset(_children())  # what was there before the test: not its work


def test_refused_segments_run_is_killed_and_the_cpu_is_free(
    demo_dataset, warm_worker, monkeypatch, tmp_path
):
    # the budget also covers the store's SQL and the worker's start: on a machine so busy that
    # the step is refused before its first beat, try again with a longer budget
    for budget in BUDGETS_S:
        beat = tmp_path / f"beat{budget:.0f}"
        monkeypatch.setattr(segment_ui, "segment_history", functools.partial(spin, beat=str(beat)))
        monkeypatch.setattr(common, "_engine_budget", lambda seconds, b=budget: b)
        t0 = time.monotonic()
        at = run_page("segments.py", dataset_id=demo_dataset.id, timeout=180)
        assert not at.exception, at.exception
        assert time.monotonic() - t0 < budget + 60  # refused, long before the spinning ends
        errors = [e.value.replace("\\", "") for e in at.error]
        said = f"Segmenting customers took longer than its time budget of {fmt.duration(budget)}"
        assert any(f"{said}, so it was stopped" in e for e in errors), errors
        if _beat(beat) is not None:
            break
    got = _beat(beat)
    assert got is not None, "the slow step never started: the test proves nothing"
    pid, n1 = got
    assert pid != os.getpid(), "the step ran in the server process, not in a worker"
    assert not Path(f"/proc/{pid}").exists(), "the worker process is still there"
    assert _children(warm_worker) == [], "a worker process outlived the refused run"
    cpu0 = _cpu_seconds()
    time.sleep(1.0)
    assert _beat(beat)[1] == n1, "the refused work is still running"
    assert _cpu_seconds() - cpu0 < 0.5, "the server process is still busy after the refusal"

    # nothing was cached for the refused run: with the real step and a page budget, a retry
    # computes and shows the segments
    monkeypatch.undo()
    at = run_page("segments.py", dataset_id=demo_dataset.id, timeout=120)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert any(m.label == "Customers" for m in at.metric)
    assert _children(warm_worker) == []


def test_home_analysis_past_the_page_budget_is_killed(
    demo_dataset, warm_worker, monkeypatch, tmp_path
):
    """The Home stops waiting for a slow analysis (shown as still computing), and its worker is
    killed at the page budget: no process left, the CPU idle again."""
    from ecomdash.ui import home as home_ui
    from tests.pages.conftest import run_app

    budget = 15.0
    beat = tmp_path / "beat"
    monkeypatch.setattr(segment_ui, "segment_history", functools.partial(spin, beat=str(beat)))
    monkeypatch.setattr(home_ui, "STEP_BUDGET_S", 1.0)  # the home's own wait
    monkeypatch.setattr(home_ui, "_engine_budget", lambda seconds: seconds)
    monkeypatch.setattr(home_ui, "DEFAULT_BUDGET_S", budget)  # the analyses' budget
    t0 = time.monotonic()
    at = run_app(dataset_id=demo_dataset.id, timeout=240)
    assert not at.exception, at.exception
    assert any("still computing" in i.value for i in at.info), [i.value for i in at.info]
    # the home's threads outlive its run: wait for the segments step's budget to run out
    end = t0 + budget + 120
    while time.monotonic() < end and (
        _beat(beat) is None or Path(f"/proc/{_beat(beat)[0]}").exists() or _children(warm_worker)
    ):
        time.sleep(0.5)
    got = _beat(beat)
    assert got is not None, "the slow step never started: the test proves nothing"
    pid, n1 = got
    assert pid != os.getpid(), "the step ran in the server process, not in a worker"
    assert not Path(f"/proc/{pid}").exists(), "the worker process is still there"
    assert _children(warm_worker) == [], "a worker process outlived the budget"
    time.sleep(1.0)
    assert _beat(beat)[1] == n1, "the refused work is still running"


def test_refused_alerts_page_run_is_killed(demo_dataset, warm_worker, monkeypatch, tmp_path):
    """The Alerts page's own check (outside any page budget before) now has one: over it, its
    worker is killed and the page says so."""
    from ecomdash.ui import alerts as alerts_ui

    for budget in BUDGETS_S:
        beat = tmp_path / f"beat{budget:.0f}"
        monkeypatch.setattr(alerts_ui, "find_alerts", functools.partial(spin, beat=str(beat)))
        monkeypatch.setattr(common, "_engine_budget", lambda seconds, b=budget: b)
        t0 = time.monotonic()
        at = run_page("alerts.py", dataset_id=demo_dataset.id, timeout=180)
        assert not at.exception, at.exception
        assert time.monotonic() - t0 < budget + 60  # refused, long before the spinning ends
        errors = [e.value.replace("\\", "") for e in at.error]
        said = f"Checking for alerts took longer than its time budget of {fmt.duration(budget)}"
        assert any(f"{said}, so it was stopped" in e for e in errors), errors
        if _beat(beat) is not None:
            break
    got = _beat(beat)
    assert got is not None, "the slow step never started: the test proves nothing"
    pid, n1 = got
    assert pid != os.getpid(), "the step ran in the server process, not in a worker"
    assert not Path(f"/proc/{pid}").exists(), "the worker process is still there"
    assert _children(warm_worker) == [], "a worker process outlived the refused run"
    time.sleep(1.0)
    assert _beat(beat)[1] == n1, "the refused work is still running"
