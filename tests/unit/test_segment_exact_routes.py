"""Segments' faster routes (hist9, issue 12) equal the expressions they replaced, exactly:
the RFM scores from packed ranks instead of three to five-key lexsorts, the segment and
"rfm" text from codes, movement counted on codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import numpy as np
import pandas as pd
import pytest

from ecomdash.features import customer_history
from ecomdash.segment.rfm import (
    RFM_GRID,
    SEGMENT_NAMES,
    _rfm_scores,
    rfm_from_features,
)
from tests.unit.test_customer_reductions import _shop


def _quintiles(keys: list[np.ndarray]) -> np.ndarray:
    """The scores as rfm_from_features defined them before hist9: one lexsort per score."""
    n = len(keys[0])
    order = np.lexsort(keys)
    ranks = np.empty(n, dtype=np.int64)
    ranks[order] = np.arange(n)
    return (ranks * 5 // n + 1).astype(np.int64)


def _old_scores(recency, last, freq, mon_key):
    idx = np.arange(len(freq))
    r = _quintiles([-idx, mon_key, freq, last, -recency])
    f = _quintiles([-idx, mon_key, freq])
    m = _quintiles([-idx, freq, mon_key])
    return r, f, m


def _tied_customers(n: int, seed: int):
    """Few distinct values, so nearly every key ties: orders 1-4, spend in 0-3 whole
    units, last orders on 20 days at 3 times of day (recency in whole days from them)."""
    rng = np.random.default_rng(seed)
    freq = rng.integers(1, 5, n).astype(float)
    mon_key = rng.integers(0, 4, n).astype(float) * 10.5
    day = rng.integers(0, 20, n)
    last = (day * 86_400 + rng.integers(0, 3, n) * 3_600) * 1_000_000
    recency = (19 - day).astype(float)
    return recency, last.astype(np.int64), freq, mon_key


def _same_scores(rec, last, freq, mon) -> None:
    got, exp = _rfm_scores(rec, last, freq, mon), _old_scores(rec, last, freq, mon)
    for name, g, e in zip("RFM", got, exp, strict=True):
        np.testing.assert_array_equal(g, e, err_msg=name)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_rfm_scores_equal_the_lexsorts_with_ties(seed):
    rec, last, freq, mon = _tied_customers(2_003, seed)
    _same_scores(rec, last, freq, mon)


def test_rfm_scores_equal_the_lexsorts_with_nan_and_negative_values():
    rec, last, freq, mon = _tied_customers(997, 5)
    mon[::7] = np.nan
    mon[::11] = -3.25
    mon[::13] = -0.0
    freq[::17] = np.nan
    _same_scores(rec, last, freq, mon)


def test_rfm_scores_fall_back_when_recency_is_not_from_the_last_order():
    rec, last, freq, mon = _tied_customers(1_001, 7)
    rec = np.random.default_rng(8).permutation(rec)  # recency unrelated to the last order
    _same_scores(rec, last, freq, mon)
    rec[3] = np.nan
    _same_scores(rec, last, freq, mon)


def _old_customers(feats) -> pd.DataFrame:
    """rfm_from_features' customer frame as built before hist9."""
    t = feats.table
    last = t["last_order"].to_numpy().astype("datetime64[us]").astype(np.int64)
    freq = t["frequency"].to_numpy()
    mon = t["monetary"].to_numpy()
    r, f, m = _old_scores(t["recency_days"].to_numpy(), last, freq, np.round(mon, 2))
    fm = np.floor((f + m) / 2 + 0.5).astype(np.int64)
    seg = np.array(RFM_GRID, dtype=object)[5 - r, fm - 1]
    return pd.DataFrame(
        {
            "recency_days": t["recency_days"].to_numpy(),
            "frequency": freq,
            "monetary": mon,
            "r_score": r,
            "f_score": f,
            "m_score": m,
            "fm_score": fm,
            "rfm": (r * 100 + f * 10 + m).astype(str).tolist(),
            "segment": pd.Categorical(seg, categories=SEGMENT_NAMES),
        },
        index=t.index,
    )


@pytest.mark.parametrize("as_of", [None, "2024-06-01"])
def test_rfm_customers_equal_the_old_frame(as_of):
    feats = customer_history(_shop()).features(as_of=as_of)
    got = rfm_from_features(feats).customers
    pd.testing.assert_frame_equal(got, _old_customers(feats), check_exact=True)
    assert got["rfm"].dtype == "str" and got["segment"].cat.categories.dtype == "str"


# ------------------------------------------------------------------ k-means sweep and threads


def test_single_threaded_limits_openmp_in_a_fresh_process():
    """The limit reaches scikit-learn's OpenMP and SciPy's BLAS even when nothing imported
    scikit-learn before (a fresh command): before hist9 they kept one thread per core."""
    if (os.cpu_count() or 1) < 2:
        pytest.skip("one core: every library already runs one thread")
    code = (
        "import json, sys\n"
        "from ecomdash.segment._threads import single_threaded\n"
        "assert 'sklearn' not in sys.modules\n"
        "def f():\n"
        "  with single_threaded():\n"
        "    from threadpoolctl import threadpool_info\n"
        "    from sklearn.utils._openmp_helpers import _openmp_effective_n_threads\n"
        "    return [[i['internal_api'], i['num_threads']] for i in threadpool_info()], "
        "_openmp_effective_n_threads()\n"
        "print(json.dumps(f()))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    libs, omp = json.loads(out)
    assert omp == 1
    assert "openmp" in {api for api, _n in libs}
    assert all(n == 1 for _api, n in libs), libs


@pytest.fixture(scope="module")
def feats():
    return customer_history(_shop(n=4_000, seed=11)).features()


def _same_clusters(a, b) -> None:
    pd.testing.assert_series_equal(a.labels, b.labels, check_exact=True)
    pd.testing.assert_frame_equal(a.curve, b.curve, check_exact=True)
    pd.testing.assert_frame_equal(a.profile, b.profile, check_exact=True)
    pd.testing.assert_frame_equal(a.pca, b.pca, check_exact=True)
    assert (a.k, a.names, a.silhouette, a.warnings) == (b.k, b.names, b.silhouette, b.warnings)


@pytest.mark.parametrize("fit_sample", [None, 1_500])
def test_threaded_sweep_equals_the_plain_loop(feats, monkeypatch, fit_sample):
    """Fits side by side in threads: the same labels, curve (inertia to the bit), profile."""
    from ecomdash.segment import clusters as C

    kw = {} if fit_sample is None else {"fit_sample": fit_sample}
    seen: list[tuple[str, int]] = []
    real = C._kmeans

    def spy(z, k, **kwargs):
        from sklearn.utils._openmp_helpers import _openmp_effective_n_threads

        seen.append((threading.current_thread().name, _openmp_effective_n_threads()))
        return real(z, k, **kwargs)

    monkeypatch.setattr(C, "_kmeans", spy)
    monkeypatch.setattr(C, "THREAD_SWEEP_ROWS", 10**9)
    plain = C.cluster_features(feats, **kw)
    assert all(not name.startswith("kmeans") for name, _n in seen)
    seen.clear()
    monkeypatch.setattr(C, "THREAD_SWEEP_ROWS", 0)
    threaded = C.cluster_features(feats, **kw)
    if (os.cpu_count() or 1) >= 2:
        assert seen and all(name.startswith("kmeans") for name, _n in seen)
    assert all(n == 1 for _name, n in seen), seen  # one OpenMP thread per fit, as the loop
    _same_clusters(threaded, plain)


# ------------------------------------------------------------------------------- movement


def _old_movement(before, after):
    """movement_between as written before hist9: the earlier segment's name per id, and a
    crosstab of the two name columns."""
    from ecomdash.segment.rfm import NOT_YET

    src = before.customers["segment"].astype("str").reindex(after.customers.index).fillna(NOT_YET)
    dst = after.customers["segment"].astype("str")
    rows_order = [*SEGMENT_NAMES, NOT_YET]
    matrix = (
        pd.crosstab(
            pd.Categorical(src, categories=rows_order),
            pd.Categorical(dst, categories=SEGMENT_NAMES),
            dropna=False,
        )
        .reindex(index=rows_order, columns=list(SEGMENT_NAMES), fill_value=0)
        .astype(np.int64)
    )
    existing = src != NOT_YET
    stayed = float(np.mean(src[existing].to_numpy() == dst[existing].to_numpy()))
    return matrix, stayed


def test_sweep_without_sched_getaffinity(feats, monkeypatch):
    """macOS and Windows have no os.sched_getaffinity: the sweep counts the CPUs instead and
    gives the plain loop's fits (it raised AttributeError there)."""
    from ecomdash.segment import clusters as C

    monkeypatch.setattr(C, "THREAD_SWEEP_ROWS", 10**9)
    plain = C.cluster_features(feats)
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    monkeypatch.setattr(C, "THREAD_SWEEP_ROWS", 0)
    _same_clusters(C.cluster_features(feats), plain)


@pytest.mark.parametrize("start", ["2024-02-01", "2024-06-01", "2024-12-01"])
def test_movement_on_codes_equals_the_crosstab_of_names(start):
    from ecomdash.segment.rfm import _earlier_codes, movement_between

    hist = customer_history(_shop(n=2_500, seed=4))
    after = rfm_from_features(hist.features())
    before = rfm_from_features(hist.features(as_of=start))
    assert _earlier_codes(before, after) is not None  # the codes route is taken
    got = movement_between(before, after)
    matrix, stayed = _old_movement(before, after)
    pd.testing.assert_frame_equal(got.matrix, matrix, check_names=False, check_exact=True)
    assert list(got.matrix.index) == list(matrix.index)
    assert got.matrix.index.dtype == matrix.index.dtype
    assert got.matrix.columns.dtype == matrix.columns.dtype
    assert got.stayed_share == stayed
    # the flows are the matrix's non-zero cells, row by row
    cells = got.matrix.to_numpy()
    assert got.flows["customers"].tolist() == cells[cells > 0].tolist()
    assert int(got.matrix.to_numpy().sum()) == len(after.customers)


# ------------------------------------------------------------- movement beside the clusters


def _same_result(a, b) -> None:
    """Two SegmentationResults field by field, every frame exactly."""
    import dataclasses

    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if dataclasses.is_dataclass(x):
            _same_result(x, y)
        elif isinstance(x, pd.DataFrame):
            pd.testing.assert_frame_equal(x, y, check_exact=True, obj=f.name)
        elif isinstance(x, pd.Series):
            pd.testing.assert_series_equal(x, y, check_exact=True, obj=f.name)
        elif isinstance(x, np.ndarray):
            np.testing.assert_array_equal(x, y, err_msg=f.name)
        elif isinstance(x, float) and np.isnan(x):
            assert np.isnan(y), f.name
        else:
            assert x == y, f.name


@pytest.mark.parametrize("compare_to", [None, "2024-05-01"])
def test_movement_in_a_thread_equals_in_line(monkeypatch, compare_to):
    from ecomdash.segment import api

    hist = customer_history(_shop(n=1_200, seed=9))
    monkeypatch.setattr(api, "MOVEMENT_THREAD_ORDERS", 10**9)
    plain = api.segment_history(hist, compare_to=compare_to)
    ran_in: list[str] = []
    real = api._earlier_rfm

    def spy(*args):
        ran_in.append(threading.current_thread().name)
        return real(*args)

    monkeypatch.setattr(api, "_earlier_rfm", spy)
    monkeypatch.setattr(api, "MOVEMENT_THREAD_ORDERS", 0)
    threaded = api.segment_history(hist, compare_to=compare_to)
    assert ran_in and ran_in[0].startswith("movement")
    assert plain.movement is not None
    _same_result(threaded, plain)


@pytest.mark.parametrize("days", [-5, 5])
def test_movement_error_with_a_thread_is_the_same_in_the_run_language(monkeypatch, days):
    """A comparison date before the first order (the thread's features raise) or after the
    as-of date (no thread): the same reason, in a Chinese run in Chinese."""
    from ecomdash.i18n import use_lang
    from ecomdash.i18n.fmt import long_date
    from ecomdash.segment import api

    hist = customer_history(_shop(n=300, seed=2))
    when = (hist.first_date if days < 0 else hist.features().as_of) + pd.Timedelta(days=days)
    kw = {"compare_to": when.date(), "k": 3, "silhouette_sample": 60}
    with use_lang("zh"):
        monkeypatch.setattr(api, "MOVEMENT_THREAD_ORDERS", 10**9)
        plain = api.segment_history(hist, **kw)
        monkeypatch.setattr(api, "MOVEMENT_THREAD_ORDERS", 0)
        threaded = api.segment_history(hist, **kw)
    assert plain.movement is None and plain.movement_error
    assert threaded.movement is None and threaded.movement_error == plain.movement_error
    assert "No movement view" not in threaded.movement_error  # translated, not English
    # the date as a Chinese sentence writes it (fmt.long_date: 2025年5月19日)
    assert long_date(when, lang="zh") in threaded.movement_error, threaded.movement_error
    assert threaded.clusters is not None and threaded.rfm.n_customers == plain.rfm.n_customers


# ------------------------------------------------------------------------ the export table


def _old_customer_table(rfm_result, clusters):
    """customer_table as written before hist9."""
    c = rfm_result.customers
    out = pd.DataFrame(
        {
            "customer_id": c.index.astype("string"),
            "recency_days": c["recency_days"].to_numpy(),
            "frequency": c["frequency"].to_numpy(),
            "monetary": c["monetary"].to_numpy(),
            "r_score": c["r_score"].to_numpy(),
            "f_score": c["f_score"].to_numpy(),
            "m_score": c["m_score"].to_numpy(),
            "rfm": c["rfm"].to_numpy(),
            "segment": c["segment"].astype("str").to_numpy(),
        }
    )
    if clusters is not None:
        lab = clusters.labels.reindex(c.index).to_numpy()
        out["cluster"] = lab
        # the one-time buyers' group is number k, named after the k clusters (group_names;
        # before one-time buyers were a group of their own, names alone)
        out["cluster_name"] = np.array(clusters.group_names, dtype=object)[lab]
    return out


def test_customer_table_equals_the_old_one(feats):
    from dataclasses import replace

    from ecomdash.segment.api import customer_table
    from ecomdash.segment.clusters import cluster_features

    rfm = rfm_from_features(feats)
    cl = cluster_features(feats, k=4)
    for clusters in (cl, None):
        got = customer_table(rfm, clusters)
        pd.testing.assert_frame_equal(got, _old_customer_table(rfm, clusters), check_exact=True)
    # labels in another order than the customers: found by id, as before
    shuffled = replace(cl, labels=cl.labels.iloc[::-1])
    pd.testing.assert_frame_equal(
        customer_table(rfm, shuffled), _old_customer_table(rfm, shuffled), check_exact=True
    )
    assert cl.n_one_time > 0  # the one-time buyers' group is in the table too
    assert customer_table(rfm, cl)["cluster_name"].tolist() == [
        cl.group_names[i] for i in cl.labels
    ]
