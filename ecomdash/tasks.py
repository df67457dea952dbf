"""Independent steps of one analysis on a few threads, each step as if it ran alone (one OpenMP
thread, in a copy of the caller's context, so its language and results are the same bits).
Churn runs its windows, fits, scores and importances through it (churn9); segments run their
k-means sweep and the movement's earlier RFM through it (tidy10)."""

from __future__ import annotations

import contextvars
from concurrent.futures import Future, ThreadPoolExecutor

from threadpoolctl import threadpool_limits


def _one_thread(fn, args, kwargs, user_api):
    # threadpoolctl's OpenMP limit holds for the thread that set it only: set it in each
    # worker (HistGradientBoosting's sums over threads would differ in the last bits)
    with threadpool_limits(1, user_api=user_api):
        return fn(*args, **kwargs)


class Tasks:
    """Steps on ``workers`` threads (a context manager); ``submit`` returns a future.

    With one worker each step runs at once in the caller, as a plain call (its exception kept
    in the future, raised by ``result()``, as from a thread). The steps share no mutable state;
    each runs in a copy of the caller's context (its language) under one OpenMP thread, and
    under one BLAS thread too with ``blas=True`` (k-means: its distances are BLAS products).
    ``name``: the threads' name prefix.

    OpenBLAS's thread count (pthreads) is the process's, not a thread's: with ``blas=True`` it
    is set to one here, in the caller, until the steps end, and each step sets it again (for a
    BLAS whose count is per thread). Set only in the steps, one step's exit restored the count
    while another still ran, and could leave it at one for the caller (tests/unit/test_tasks.py).
    """

    def __init__(self, workers: int, *, blas: bool = False, name: str = "ecomdash-task"):
        self._user_api = None if blas else "openmp"  # None: every library threadpoolctl sees
        self._blas = threadpool_limits(1, user_api="blas") if blas else None
        self._pool = (
            ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)
            if workers > 1
            else None
        )

    def submit(self, fn, *args, **kwargs) -> Future:
        if self._pool is not None:
            ctx = contextvars.copy_context()
            return self._pool.submit(ctx.run, _one_thread, fn, args, kwargs, self._user_api)
        fut: Future = Future()
        try:
            fut.set_result(_one_thread(fn, args, kwargs, self._user_api))
        except Exception as e:  # noqa: BLE001 - raised again by result(), as from a thread
            fut.set_exception(e)
        return fut

    def __enter__(self) -> Tasks:
        return self

    def __exit__(self, *exc) -> None:
        try:
            if self._pool is not None:  # on an error, the steps not started are dropped
                self._pool.shutdown(wait=True, cancel_futures=exc[0] is not None)
        finally:
            if self._blas is not None:
                self._blas.restore_original_limits()
