"""A heavy step that really stops when its page run is over budget: a killable worker process.

``run_with_budget`` (ecomdash.ui.common) stops *waiting* after its budget, but Python cannot
stop a thread, so the abandoned work kept a core busy until it finished. ``run_in_worker`` runs
the heavy step in a separate process started by the ``spawn`` method (a clean interpreter, so
no DuckDB or BLAS threads are forked) and kills it when the time is up: the CPU is free again as
soon as the merchant is told the run was refused.

Inside ``run_with_budget`` the worker inherits what is left of that budget, so the refusal and
the kill happen together. The function and its arguments must be picklable (core functions and
plain frames are).
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from contextlib import contextmanager

from ecomdash.errors import TimeBudgetError
from ecomdash.i18n import _

#: Budget of a worker run outside any ``run_with_budget`` (seconds).
DEFAULT_WORKER_BUDGET_S = 60.0

_local = threading.local()


def budget_left() -> float | None:
    """Seconds left of the enclosing ``budget_scope`` on this thread, or None outside one."""
    at = getattr(_local, "deadline", None)
    return None if at is None else at - time.monotonic()


@contextmanager
def budget_scope(seconds: float) -> Iterator[None]:
    """Run the body with a deadline ``seconds`` from now that ``run_in_worker`` obeys."""
    previous = getattr(_local, "deadline", None)
    _local.deadline = time.monotonic() + seconds
    try:
        yield
    finally:
        _local.deadline = previous


def refused(what: str, seconds: float) -> TimeBudgetError:
    return TimeBudgetError(
        _(
            "{what} took longer than its time budget of {seconds} s, so it was stopped. "
            "Narrow the period or filters in the sidebar, or choose stricter settings, and run "
            "it again.",
            what=what,
            seconds=f"{seconds:.0f}",
        )
    )


def run_in_worker(fn, /, *args, seconds: float | None = None, what: str | None = None, **kw):
    """``fn(*args, **kw)`` in a fresh worker process, killed if it runs past its budget.

    The budget is ``seconds``, else what is left of the enclosing ``budget_scope``, else
    ``DEFAULT_WORKER_BUDGET_S``. Exceptions of ``fn`` reach the caller unchanged.
    """
    what = what or _("This analysis")
    left = budget_left()
    budget = seconds if seconds is not None else DEFAULT_WORKER_BUDGET_S
    if seconds is None and left is not None:
        budget = left
    if budget <= 0:
        raise refused(what, seconds if seconds is not None else 0)
    ex = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    killed = False
    try:
        fut = ex.submit(fn, *args, **kw)
        try:
            return fut.result(timeout=budget)
        except FuturesTimeout:
            killed = True
            _kill_workers(ex)
            raise refused(what, budget) from None
    finally:
        # a finished worker exits at once: wait for it, so no process outlives the call
        ex.shutdown(wait=not killed, cancel_futures=True)


def _kill_workers(ex: ProcessPoolExecutor) -> None:
    procs = list((getattr(ex, "_processes", None) or {}).values())
    for p in procs:
        p.kill()
    for p in procs:
        p.join(timeout=5)
