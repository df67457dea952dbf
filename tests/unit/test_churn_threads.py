"""Churn's steps on two threads (churn9, issue 12): the same result as one after another, bit for
bit; each step on one OpenMP thread and in the caller's language; a step's error raised where
the sequential run raised it."""

from __future__ import annotations

import dataclasses
import os

import numpy as np
import pandas as pd
import pytest
from sklearn.utils._openmp_helpers import _openmp_effective_n_threads

from ecomdash import churn
from ecomdash.errors import InsufficientDataError
from ecomdash.features import customer_history
from ecomdash.i18n import get_lang, use_lang


def _shop(n: int = 1200, days: int = 400, seed: int = 5) -> pd.DataFrame:
    """Customers with their own buying rates and lifetimes (signal to learn), cents, returns."""
    rng = np.random.default_rng(seed)
    join = rng.integers(0, days - 30, n)
    life = rng.exponential(200.0, n)
    k = rng.poisson(np.clip(life, 1, None) * rng.gamma(0.8, 1 / 40.0, n)) + 1
    cust = np.repeat(np.arange(n), k)
    day = np.minimum(
        days - 1, np.repeat(join, k) + (rng.random(len(cust)) * np.repeat(life, k)).astype(int)
    )
    rev = np.round(rng.gamma(3.0, 15.0, len(cust)), 2)
    ret = rng.random(len(cust)) < 0.03
    rev[ret] = -rev[ret]
    order = rng.permutation(len(cust))
    return pd.DataFrame(
        {
            "order_id": [f"o{i}" for i in range(len(cust))],
            "order_date": (pd.Timestamp("2024-01-01") + pd.to_timedelta(day[order], "D")).astype(
                "datetime64[us]"
            ),
            "customer_id": [f"c{c:05d}" for c in cust[order]],
            "category": [f"k{c}" for c in rng.integers(0, 6, len(cust))],
            "revenue": rev[order],
            "is_return": ret[order],
        }
    )


@pytest.fixture(scope="module")
def hist():
    return customer_history(_shop())


def _same(a: churn.ChurnResult, b: churn.ChurnResult) -> None:
    """Every field equal; every float column the same bits (NaN in the same places)."""
    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, pd.DataFrame):
            pd.testing.assert_frame_equal(x, y, check_exact=True)
            for col in x.columns:
                if x[col].dtype.kind == "f":
                    bits = [v[col].to_numpy().view(np.int64) for v in (x, y)]
                    np.testing.assert_array_equal(*bits, err_msg=f"{f.name}.{col}")
        else:
            assert x == y, f.name


def _run(monkeypatch, hist, workers: int, **kw) -> churn.ChurnResult:
    monkeypatch.setattr(churn, "WORKERS", workers)
    return churn.churn(pd.DataFrame(), history=hist, window_days=60, **kw)


@pytest.mark.parametrize("kw", [{}, {"train_sample": 300, "models": ("gbm", "logistic")}])
def test_two_threads_give_the_one_thread_result_bit_for_bit(monkeypatch, hist, kw):
    monkeypatch.setattr(churn, "IMPORTANCE_SAMPLE", 400)  # the sampled importance too
    one = _run(monkeypatch, hist, 1, **kw)
    assert one.n_fit < one.n_train or not kw  # the sampled fit is exercised
    assert one.n_importance == 400 < one.n_test
    # the steps run in another order and interleaved; a result built in the order the
    # steps finish (the metrics' rows, the curves) or from the wrong step would differ
    for _ in range(3):
        _same(one, _run(monkeypatch, hist, 2, **kw))


def test_each_step_runs_on_one_openmp_thread():
    # threadpoolctl's OpenMP limit is the calling thread's: a new thread has the machine's
    # default (two or more threads here), and boosting's sums over threads differ in the bits
    if (os.cpu_count() or 1) < 2:
        pytest.skip("one core: every thread has one OpenMP thread anyway")
    with churn._Tasks(2) as tasks:
        got = [tasks.submit(_openmp_effective_n_threads) for _ in range(4)]
        assert [f.result() for f in got] == [1] * 4


def test_each_step_runs_in_the_callers_language(monkeypatch, hist):
    with use_lang("zh"), churn._Tasks(2) as tasks:
        assert tasks.submit(get_lang).result() == "zh"
    with use_lang("zh"):
        zh_one = _run(monkeypatch, hist, 1)
        zh_two = _run(monkeypatch, hist, 2)
    assert zh_one.notices and zh_one.notices == zh_two.notices
    assert zh_one.notices != _run(monkeypatch, hist, 1).notices  # translated, not English


def test_one_worker_runs_each_step_at_once_and_keeps_its_error_for_result():
    ran = []
    with churn._Tasks(1) as tasks:
        bad = tasks.submit(lambda: 1 / 0)
        ok = tasks.submit(ran.append, "after")
        assert ran == ["after"] and ok.result() is None  # ran at submit, in order
        with pytest.raises(ZeroDivisionError):
            bad.result()


def test_a_too_small_evaluation_window_is_the_same_error_on_two_threads(monkeypatch):
    # a shop whose later window has too few buyers: the same message from both routes
    lines = _shop(n=120, days=200, seed=2)
    errors = []
    for workers in (1, 2):
        monkeypatch.setattr(churn, "WORKERS", workers)
        with pytest.raises(InsufficientDataError) as e:
            churn.churn(lines, window_days=60)
        errors.append(str(e.value))
    assert errors[0] == errors[1]
    assert "window (cut-off" in errors[0]
