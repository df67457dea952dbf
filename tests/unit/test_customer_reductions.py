"""The customer features' and churn's numpy reductions equal the pandas routes they replaced
(issue 12: at 10 M lines those groupbys were seconds of CPU per cut-off), bit for bit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ecomdash import churn, churn_metrics, clv
from ecomdash.features import CustomerHistory, customer_history, group_sums


def _shop(n: int = 1500, seed: int = 3) -> pd.DataFrame:
    """Customers with 1-40 orders over 500 days; revenues with cents and some huge values,
    so naive, pairwise and compensated sums differ in the last bits for some customers."""
    rng = np.random.default_rng(seed)
    k = rng.integers(1, 40, n)
    cust = np.repeat([f"c{i:04d}" for i in range(n)], k)
    days = rng.integers(0, 500, len(cust))
    rev = np.round(rng.gamma(2.0, 30.0, len(cust)), 2)
    rev[rng.random(len(cust)) < 0.02] *= 1e9
    order = rng.permutation(len(cust))  # lines in time-ish random order, customers interleaved
    return pd.DataFrame(
        {
            "order_id": [f"o{i}" for i in range(len(cust))],
            "order_date": (pd.Timestamp("2024-01-01") + pd.to_timedelta(days, "D"))
            .astype("datetime64[us]")
            .to_numpy()[order],
            "customer_id": cust[order],
            "revenue": rev[order],
        }
    )


@pytest.fixture(scope="module")
def hist() -> CustomerHistory:
    return customer_history(_shop())


def test_group_sums_equal_pandas_groupby_sum_bit_for_bit():
    rng = np.random.default_rng(0)
    for trial in range(60):
        n = int(rng.integers(2, 2000))
        c = np.sort(rng.integers(0, int(rng.integers(2, 300)), n))
        if trial % 3 == 0:
            v = rng.choice([1e16, -1e16, 1.0, 0.1, 0.2, 0.3, 123.45, np.nan, np.inf, -0.0], n)
        else:
            v = rng.normal(0, 10.0 ** rng.integers(0, 10), n)
        # the groups interleaved, each in its own order: pandas hashes the keys and runs its
        # compensated group_sum (what features did before, orders coming in line order)
        when = np.empty(n)
        for g in np.unique(c):
            when[c == g] = np.sort(rng.random(int((c == g).sum())))
        mixed = np.argsort(when, kind="stable")
        expected = pd.Series(v[mixed]).groupby(c[mixed], sort=True).sum().to_numpy()
        starts = np.flatnonzero(np.r_[True, c[1:] != c[:-1]])
        got = group_sums(v, starts, np.diff(np.r_[starts, n]))
        np.testing.assert_array_equal(got, expected)
    # compensated, not naive: 1e16 + 1 + 1 - 1e16 is 2 (a plain running sum says 0)
    assert group_sums(np.array([1e16, 1.0, 1.0, -1e16]), np.array([0]), np.array([4]))[0] == 2.0


def _features_by_groupby(h: CustomerHistory, as_of: pd.Timestamp) -> pd.DataFrame:
    """The pandas route features used before (orders in line order, groupby per customer)."""
    end = np.datetime64((as_of + pd.Timedelta(days=1)).to_datetime64(), "us")
    o = h.orders.loc[h.orders["d"].to_numpy() < end]
    # every customer's first order, then every second one, ...: each customer's orders in
    # their own order, the customers interleaved (so pandas hashes the keys, as it did)
    c = o["c"].to_numpy()
    nth = np.arange(len(c)) - np.searchsorted(c, c)
    o = o.take(np.lexsort((c, nth)))
    assert not o["c"].is_monotonic_increasing
    g = o.groupby("c", sort=True).agg(
        frequency=("d", "size"), first=("d", "min"), last=("d", "max"), monetary=("r", "sum")
    )
    g.index = pd.Index(h.customers[g.index.to_numpy()], name="customer_id")
    return g


@pytest.mark.parametrize("as_of", ["2024-06-30", "2025-05-14"])
def test_features_equal_the_groupby_route(hist, as_of):
    as_of = pd.Timestamp(as_of)
    f = hist.features(as_of=as_of)
    exp = _features_by_groupby(hist, as_of)
    t = f.table
    assert list(t.index) == list(exp.index)
    np.testing.assert_array_equal(t["frequency"], exp["frequency"].to_numpy(float))
    np.testing.assert_array_equal(t["monetary"], exp["monetary"].to_numpy())
    np.testing.assert_array_equal(t["first_order"].to_numpy(), exp["first"].to_numpy())
    np.testing.assert_array_equal(t["last_order"].to_numpy(), exp["last"].to_numpy())
    # the codes point at the same customers
    assert list(hist.customers[f.codes]) == list(t.index)
    # and plain running sums would differ: the test tells compensated sums from naive ones
    end = np.datetime64((as_of + pd.Timedelta(days=1)).to_datetime64(), "us")
    o = hist.orders.loc[hist.orders["d"].to_numpy() < end]
    naive = np.bincount(o["c"], weights=o["r"], minlength=len(hist.customers))[f.codes]
    assert (naive != t["monetary"].to_numpy()).sum() > 0


def test_features_same_whatever_order_the_orders_come_in(hist):
    o = hist.orders
    # customers in reverse code order, each customer's orders in their own order: unsorted,
    # so features sorts them itself
    shuffled = o.take(np.argsort(-o["c"].to_numpy(), kind="stable")).reset_index(drop=True)
    other = CustomerHistory(**{**hist.__dict__, "orders": shuffled})
    for as_of in ("2024-06-30", None):
        pd.testing.assert_frame_equal(
            other.features(as_of=as_of).table, hist.features(as_of=as_of).table, check_exact=True
        )


def _bgnbd_by_rfm_summary(h: CustomerHistory, cutoff: pd.Timestamp, index, window_days: int):
    """The route churn used before: customer-days grouped in pandas, clv.rfm_summary, ids."""
    end = np.datetime64((cutoff + pd.Timedelta(days=1)).to_datetime64(), "us")
    o = h.orders
    d = o["d"].to_numpy(dtype="datetime64[us]")
    m = d < end
    days = pd.DataFrame(
        {
            "customer_id": o["c"].to_numpy()[m],
            "date": pd.to_datetime(d[m]).normalize(),
            "value": o["r"].to_numpy(dtype=float)[m],
        }
    )
    days = days.groupby(["customer_id", "date"], as_index=False, sort=True)["value"].sum()
    s = clv.rfm_summary(days, cutoff=cutoff, time_unit="W")
    params = clv.fit_bgnbd(s["frequency"], s["recency"], s["T"])
    f, r, T = s["frequency"], s["recency"], s["T"]
    pa = pd.Series(clv.bgnbd_p_alive(params, f, r, T), index=s["customer_id"])
    pb = pd.Series(
        clv.bgnbd_p_purchase_within(params, window_days / 7.0, f, r, T), index=s["customer_id"]
    )
    codes = pd.Index(h.customers.get_indexer(index)).astype(str)
    return pa.reindex(codes).to_numpy(dtype=float), pb.reindex(codes).to_numpy(dtype=float)


@pytest.mark.parametrize("cutoff", ["2024-09-30", "2025-02-01"])
def test_bgnbd_scores_equal_the_rfm_summary_route(hist, cutoff):
    cutoff = pd.Timestamp(cutoff)
    f = hist.features(as_of=cutoff)
    pa, pb = churn._bgnbd_scores(hist, cutoff, f.codes, 60)
    ea, eb = _bgnbd_by_rfm_summary(hist, cutoff, f.table.index, 60)
    assert np.isfinite(pa).all() and np.isfinite(pb).all()
    np.testing.assert_array_equal(pa, ea)
    np.testing.assert_array_equal(pb, eb)


def test_ranked_metrics_equal_auc_and_top_deciles_with_ties():
    rng = np.random.default_rng(7)
    for trial in range(120):
        n = int(rng.integers(1, 2500))
        y = rng.integers(0, 2, n)
        p = rng.random(n)
        if trial % 2:
            p = np.round(p, int(rng.integers(0, 3)))  # many ties, some across the 10 % cut
        if trial % 9 == 0:
            p = np.full(n, 0.25)
        auc, low, high = churn_metrics._ranked_metrics(y, p)
        np.testing.assert_array_equal(
            [auc, *low, *high],
            [churn.auc_score(y, p), *churn.top_decile(1 - y, -p), *churn.top_decile(y, p)],
        )
    # by hand: scores 0.1 0.4 0.35 0.8 for y 0 0 1 1 -> AUC 3/4; ten rows: top one each side
    assert (
        churn_metrics._ranked_metrics(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8]))[0]
        == 0.75
    )
    y10 = np.array([1, 0, 0, 0, 0, 0, 0, 0, 0, 1])
    _auc, low, high = churn_metrics._ranked_metrics(y10, np.arange(10.0))
    assert high == (1.0, 0.5) and low == (0.0, 0.0)


def _importance_by_full_predictions(est, X, y, n_repeats, seed=0):
    """What permutation_auc_drop did before: predict every row with every tree each time."""
    rng = np.random.default_rng(seed)
    base = churn.auc_score(y, est.predict_proba(X)[:, 1])
    out = np.zeros(X.shape[1])
    for j in range(X.shape[1]):
        Xp = X.copy()
        drops = []
        for _ in range(n_repeats):
            Xp[:, j] = X[rng.permutation(len(X)), j]
            drops.append(base - churn.auc_score(y, est.predict_proba(Xp)[:, 1]))
        out[j] = float(np.mean(drops))
    return out


def test_boosting_importance_equals_full_predictions(hist):
    w = churn.churn_window(hist, cutoff="2024-12-31", window_days=60, bgnbd=False)
    X, y = w.X.to_numpy(), w.y
    est = churn.make_model("gbm", n_train=len(y)).fit(X, y)
    sums = churn_metrics._TreeSums.of(est, X)
    assert sums is not None  # the tree-by-tree route is the one taken
    unused = [j for j in range(X.shape[1]) if not sums.uses(j)]
    assert 0 < len(unused) < X.shape[1]  # some columns are skipped, some re-predicted
    got = churn.permutation_auc_drop(est, X, y, n_repeats=2)
    np.testing.assert_array_equal(got, _importance_by_full_predictions(est, X, y, 2))
    assert (got[unused] == 0).all() and (got != 0).any()


def _reindexed_movement(before, after):
    """Movement as before hist8: the earlier segments reindexed by the later ids."""
    from dataclasses import replace

    from ecomdash.segment.rfm import movement_between

    return movement_between(replace(before, codes=None), after)


def _assert_same_movement(got, exp):
    pd.testing.assert_frame_equal(got.matrix, exp.matrix)
    pd.testing.assert_frame_equal(got.flows, exp.flows)
    assert got.stayed_share == exp.stayed_share


def test_movement_by_codes_equals_reindex(hist):
    """Segments' movement finds each customer's earlier segment by history code (hist8), not
    by reindexing ~1 M id strings: the same matrix, flows and stayed share, with customers
    new since the earlier date (the 'not yet' row) and customers who changed segment."""
    from ecomdash.segment.rfm import NOT_YET, _earlier_segments, movement_between, rfm_from_features

    after = rfm_from_features(hist.features())
    before = rfm_from_features(hist.features(as_of="2024-03-01"))
    assert before.codes is not None and len(before.customers) < len(after.customers)
    src = _earlier_segments(before, after)
    assert src is not None  # the codes route is the one taken
    exp = _reindexed_movement(before, after)
    got = movement_between(before, after)
    _assert_same_movement(got, exp)
    assert got.matrix.loc[NOT_YET].sum() == len(after.customers) - len(before.customers) > 0
    assert 0.0 < got.stayed_share < 1.0
    # by hand for a few customers: the earlier segment of the same id, else "not yet"
    earlier = before.customers["segment"].astype(str)
    for cid in after.customers.index[::97]:
        assert src[cid] == (earlier[cid] if cid in earlier.index else NOT_YET)


def test_movement_from_another_history_falls_back_to_ids(hist):
    """Codes of two different histories mean different customers: the ids decide then."""
    from ecomdash.segment.rfm import _earlier_segments, movement_between, rfm_from_features

    shop = _shop()
    other = customer_history(shop[shop["customer_id"] >= "c0100"])  # codes shifted by 100
    after = rfm_from_features(hist.features())
    before = rfm_from_features(other.features(as_of="2024-06-01"))
    assert _earlier_segments(before, after) is None
    _assert_same_movement(movement_between(before, after), _reindexed_movement(before, after))


def test_inertia_in_place_equals_the_three_temporaries_formula():
    """k-means' inertia over every customer (hist8: one temporary instead of three) is the
    old ``((z - centres[labels]) ** 2).sum()`` to the bit."""
    from ecomdash.segment.clusters import _inertia

    rng = np.random.default_rng(5)
    for n, f, k in ((7, 2, 2), (1000, 7, 5), (100_003, 6, 10)):
        z = np.clip(rng.normal(size=(n, f)) * rng.uniform(0.1, 3, f), -3, 3)
        centres = rng.normal(size=(k, f))
        labels = rng.integers(0, k, n)
        assert _inertia(z, centres, labels) == float(((z - centres[labels]) ** 2).sum())
    # by hand: two points at distance 1 and 2 from their centres
    z = np.array([[1.0, 0.0], [0.0, 2.0]])
    assert _inertia(z, np.zeros((1, 2)), np.array([0, 0])) == 5.0


def test_column_propensity_equals_predict_proba_bit_for_bit(hist):
    w = churn.churn_window(hist, cutoff="2024-12-31", window_days=60, bgnbd=False)
    X, y = w.X.to_numpy(), w.y
    est = churn.make_model("gbm", n_train=len(y)).fit(X, y)
    # rows on the split thresholds themselves, beyond every threshold, NaN and infinities
    rng = np.random.default_rng(5)
    thr = est._bin_mapper.bin_thresholds_
    edge = X[rng.integers(0, len(X), 3000)].copy()
    for j in range(X.shape[1]):
        if len(thr[j]):
            edge[:, j] = rng.choice(np.r_[thr[j], thr[j][0] - 1.0, thr[j][-1] + 1.0], len(edge))
    edge[rng.random(edge.shape) < 0.02] = np.nan
    edge[rng.random(edge.shape) < 0.01] = np.inf
    edge[rng.random(edge.shape) < 0.01] = -np.inf
    Xall = np.vstack([X, edge, X[::-1]])
    assert len(Xall) > churn_metrics.CHECK_ROWS
    got = churn_metrics.propensity(est, Xall)
    expected = est.predict_proba(Xall)[:, 1]
    np.testing.assert_array_equal(got, expected)
    # the column route is the one taken (not the fallback): it gives the same by itself
    np.testing.assert_array_equal(
        est._loss.predict_proba(churn_metrics._raw_by_columns(est, np.asfortranarray(Xall)))[:, 1],
        expected,
    )
    # and tree by tree, on C-ordered rows too
    for (tree,) in est._predictors[:5]:
        expected_tree = tree.predict(Xall, *est._bin_mapper.make_known_categories_bitsets(), 1)
        np.testing.assert_array_equal(churn_metrics.tree_values(tree.nodes, Xall), expected_tree)
    # other models: predict_proba's column itself
    tree = churn.make_model("tree", n_train=len(y)).fit(X, y)
    np.testing.assert_array_equal(churn_metrics.propensity(tree, X), tree.predict_proba(X)[:, 1])


def test_roc_points_equal_roc_curve_with_ties():
    from sklearn.metrics import roc_curve

    rng = np.random.default_rng(11)
    for trial in range(150):
        n = int(rng.integers(2, 3000))
        y = rng.integers(0, 2, n)
        y[:2] = (0, 1)  # both classes
        p = rng.random(n)
        if trial % 2:
            p = np.round(p, int(rng.integers(0, 3)))  # long runs of ties
        if trial % 11 == 0:
            p = np.full(n, 0.5)
        if trial % 7 == 0:
            p = -np.round(rng.integers(0, 400, n).astype(float))  # recency: whole days
        fpr, tpr, _thr = roc_curve(y, p)
        got = churn_metrics.roc_points(y, p)
        np.testing.assert_array_equal(got[0], fpr)
        np.testing.assert_array_equal(got[1], tpr)
        # the same from the metrics' order
        order = np.argsort(p, kind="stable")
        np.testing.assert_array_equal(churn_metrics.roc_points(y, p, order)[1], tpr)
    # by hand (roc_curve's own example): fpr 0 0 .5 .5 1, tpr 0 .5 .5 1 1
    fpr, tpr = churn_metrics.roc_points(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8]))
    assert fpr.tolist() == [0.0, 0.0, 0.5, 0.5, 1.0] and tpr.tolist() == [0.0, 0.5, 0.5, 1.0, 1.0]


def test_windowed_counts_equal_one_mask_per_window(hist):
    cutoff = pd.Timestamp("2024-12-31")
    f = hist.features(as_of=cutoff)
    got = churn._windowed(hist, cutoff, f.codes)
    end = np.datetime64((cutoff + pd.Timedelta(days=1)).to_datetime64(), "us")
    o = hist.orders
    d, c, r = o["d"].to_numpy(), o["c"].to_numpy(), o["r"].to_numpy()
    n = len(hist.customers)
    for days in (30, 90, 180, 365):
        m = (d < end) & (d >= end - np.timedelta64(days, "D"))
        if days != 365:
            expected = np.bincount(c[m], minlength=n)[f.codes].astype(float)
            np.testing.assert_array_equal(got[f"orders_{days}d"].to_numpy(), expected)
        if days in (90, 365):
            expected = np.bincount(c[m], weights=r[m], minlength=n)[f.codes]
            np.testing.assert_array_equal(got[f"revenue_{days}d"].to_numpy(), expected)
    assert (got["orders_30d"] <= got["orders_90d"]).all()
    assert (got["orders_90d"] < got["orders_180d"]).any()


def test_logistic_importance_transforms_once_and_equals_full_predictions(hist):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    w = churn.churn_window(hist, cutoff="2024-12-31", window_days=60, bgnbd=False)
    X, y = w.X.to_numpy(), w.y
    est = churn.make_model("logistic", n_train=len(y)).fit(X, y)
    assert churn_metrics._valuewise_head(est) is not None  # the transform-once route
    got = churn.permutation_auc_drop(est, X, y, n_repeats=2)
    np.testing.assert_array_equal(got, _importance_by_full_predictions(est, X, y, 2))
    assert (got != 0).sum() >= 5
    # a step that mixes values across a row (each row scaled by its sum) is not value by value
    rows = make_pipeline(
        FunctionTransformer(lambda a: a / (1.0 + np.abs(a).sum(axis=1, keepdims=True))),
        LogisticRegression(max_iter=500),
    ).fit(X, y)
    assert churn_metrics._valuewise_head(rows) is None
    np.testing.assert_array_equal(
        churn.permutation_auc_drop(rows, X, y, n_repeats=1),
        _importance_by_full_predictions(rows, X, y, 1),
    )
