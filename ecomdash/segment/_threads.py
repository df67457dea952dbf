"""Run the segment fits with BLAS/OpenMP limited to one thread."""

from __future__ import annotations

import functools


def _single_threaded(func):
    """Run ``func`` with BLAS/OpenMP limited to one thread.

    These problems are small (thousands of rows); on a busy 2-core machine OpenMP threads
    in k-means spin against each other and a 0.1 s fit took 10+ s.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1):
            return func(*args, **kwargs)

    return wrapper
