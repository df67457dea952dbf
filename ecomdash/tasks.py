"""Independent steps of one analysis on a few threads, each step as if it ran alone (one OpenMP
thread, in a copy of the caller's context, so its language and results are the same bits).
Churn runs its windows, fits, scores and importances through it (churn9)."""

from __future__ import annotations

import contextvars
from concurrent.futures import Future, ThreadPoolExecutor

from threadpoolctl import threadpool_limits


def _one_thread(fn, args, kwargs):
    # threadpoolctl's OpenMP limit holds for the thread that set it only: set it in each
    # worker (HistGradientBoosting's sums over threads would differ in the last bits)
    with threadpool_limits(1, user_api="openmp"):
        return fn(*args, **kwargs)


class Tasks:
    """Steps on ``workers`` threads (a context manager); ``submit`` returns a future.

    With one worker each step runs at once in the caller, as a plain call (its exception kept
    in the future, raised by ``result()``, as from a thread). The steps share no mutable state;
    each runs in a copy of the caller's context (its language) under one OpenMP thread.
    """

    def __init__(self, workers: int):
        self._pool = (
            ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ecomdash-task")
            if workers > 1
            else None
        )

    def submit(self, fn, *args, **kwargs) -> Future:
        if self._pool is not None:
            ctx = contextvars.copy_context()
            return self._pool.submit(ctx.run, _one_thread, fn, args, kwargs)
        fut: Future = Future()
        try:
            fut.set_result(_one_thread(fn, args, kwargs))
        except Exception as e:  # noqa: BLE001 - raised again by result(), as from a thread
            fut.set_exception(e)
        return fut

    def __enter__(self) -> Tasks:
        return self

    def __exit__(self, *exc) -> None:
        if self._pool is not None:  # on an error, the steps not started are dropped
            self._pool.shutdown(wait=True, cancel_futures=exc[0] is not None)
