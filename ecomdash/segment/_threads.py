"""Run the segment fits with BLAS/OpenMP limited to one thread."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def single_threaded() -> Iterator[None]:
    """BLAS/OpenMP limited to one thread inside the ``with`` block (the segment fits'
    bodies; a context manager, not a decorator, so mutation testing reaches them: mutmut 3
    leaves decorated functions unmutated, docs/MUTATION.md).

    These problems are small (thousands of rows); on a busy 2-core machine OpenMP threads
    in k-means spin against each other and a 0.1 s fit took 10+ s.

    threadpoolctl limits only the libraries loaded when the limit is set, and scikit-learn
    loads its OpenMP runtime and SciPy's BLAS when it is first imported: so it is imported
    here first. Before (hist9), a process that had not imported scikit-learn yet (a fresh
    command or benchmark; the app's workers preload it) ran every k-means fit on two OpenMP
    threads despite this limit: 0.3 s of CPU per fit on 50,000 rows instead of 0.13 s, and
    inertia a few units in the last place away from the one-thread fit the page gets.
    """

    import sklearn.cluster  # noqa: F401  (loads OpenMP and SciPy's BLAS: see above)
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        yield
