"""A worker's start message carries its frames out of band (pickle protocol 5, mem10): the
server writes their numpy and Arrow memory to the worker from where it lies instead of first
pickling a copy (at 10 M lines, the restock's top-product lines and their pickled copy were
the home's 4.5 GB peak in the server)."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pandas as pd

from ecomdash.ui.worker import run_in_worker
from tests.unit.busy_worker import add_one_sum, same


def _frame(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    return pd.DataFrame(
        {
            "order_id": pd.array(
                [f"O{i // 3}" if i % 50 else None for i in range(n)], "string[pyarrow]"
            ),
            "order_date": pd.to_datetime(rng.integers(0, 10**6, n), unit="s").astype(
                "datetime64[us]"
            ),
            "quantity": rng.normal(size=n),
            "units": rng.integers(0, 9, n),
            "is_return": rng.random(n) < 0.1,
            "country": pd.Categorical(rng.choice(["UK", "DE", "FR"], n)),
        }
    ).assign(order_date=lambda d: d["order_date"].mask(d["units"] == 0))


def test_a_frame_reaches_the_worker_whole():
    frame = _frame(20_000)
    back = run_in_worker(same, frame, seconds=300)
    pd.testing.assert_frame_equal(back, frame)
    # arguments by keyword and several of them come too
    a, b = run_in_worker(same, (frame, [1, "x"]), seconds=300)
    pd.testing.assert_frame_equal(a, frame)
    assert b == [1, "x"]


def test_the_arrays_a_worker_gets_are_writable():
    assert run_in_worker(add_one_sum, np.arange(10.0), seconds=300) == 55.0
    assert run_in_worker(add_one_sum, a=np.arange(1_000_000.0), seconds=300) == float(
        np.arange(1_000_000.0).sum() + 1_000_000
    )


def test_the_server_holds_no_pickled_copy_of_a_frame_it_sends():
    frame = pd.DataFrame(np.ones((1_000_000, 6)), columns=list("abcdef"))  # 48 MB
    strings = pd.DataFrame(
        {"s": pd.array([f"product {i}" for i in range(500_000)], "string[pyarrow]")}
    )
    tracemalloc.start()
    try:
        for f in (frame, strings):
            tracemalloc.reset_peak()
            base = tracemalloc.get_traced_memory()[0]
            assert run_in_worker(len, f, seconds=300) == len(f)
            peak = tracemalloc.get_traced_memory()[1] - base
            # a pickled copy is the frame's size (48 MB, 8+ MB); out of band: the header only
            assert peak < 2_000_000, peak
    finally:
        tracemalloc.stop()
