"""``ecomdash.tasks.Tasks`` with ``blas=True`` (tidy10: the segments' k-means sweep runs on it):
each step on one BLAS thread as well as one OpenMP thread, the caller's own limits untouched, and
the threads named as asked (the sweep's and the movement's tests tell their threads by name)."""

from __future__ import annotations

import os
import threading

import numpy as np  # noqa: F401  (loads numpy's BLAS, so threadpoolctl sees one)
import pytest
import sklearn.cluster  # noqa: F401  (loads OpenMP and SciPy's BLAS)
from threadpoolctl import threadpool_info

from ecomdash.tasks import Tasks


def _threads() -> tuple[str, dict[str, set[int]]]:
    seen: dict[str, set[int]] = {}
    for lib in threadpool_info():
        seen.setdefault(lib["user_api"], set()).add(lib["num_threads"])
    return threading.current_thread().name, seen


@pytest.fixture
def two_cores():
    if (os.cpu_count() or 1) < 2:
        pytest.skip("one core: every library runs one thread anyway")
    name, before = _threads()
    assert max(before["blas"]) > 1 and max(before["openmp"]) > 1  # the caller is not limited
    return before


def test_blas_steps_run_on_one_blas_and_one_openmp_thread(two_cores):
    with Tasks(2, blas=True, name="kmeans") as tasks:
        got = [f.result() for f in [tasks.submit(_threads) for _ in range(16)]]
    assert all(name.startswith("kmeans") for name, _seen in got), got
    assert all(seen["blas"] == {1} and seen["openmp"] == {1} for _name, seen in got), got
    assert _threads()[1] == two_cores  # each step's limit was its own: the caller's is back


def test_plain_steps_limit_openmp_only(two_cores):
    # churn limits BLAS itself around its steps; Tasks without blas leaves it as it is
    with Tasks(2) as tasks:
        name, seen = tasks.submit(_threads).result()
    assert name.startswith("ecomdash-task")
    assert seen["openmp"] == {1} and seen["blas"] == two_cores["blas"]


def test_one_worker_runs_a_blas_step_in_the_caller_under_the_same_limits(two_cores):
    with Tasks(1, blas=True, name="kmeans") as tasks:
        name, seen = tasks.submit(_threads).result()
    assert name == threading.current_thread().name
    assert seen["blas"] == {1} and seen["openmp"] == {1}
    assert _threads()[1] == two_cores
