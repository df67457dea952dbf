"""Churn's pieces on cases small enough to work out by hand: window features at their day
boundaries, labels, metrics, the evaluation's thresholds, parameter checks, the at-risk list and
the sufficiency checklist. Fast (no model fit on thousands of customers): mutation testing runs
these first for every mutant of ecomdash/churn.py."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import brier_score_loss, roc_auc_score

from ecomdash import churn, clv
from ecomdash.errors import InsufficientDataError, ParameterError
from ecomdash.features import customer_history


def _lines(rows) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["order_id", "order_date", "customer_id", "revenue"])
    df["order_date"] = pd.to_datetime(df["order_date"]).astype("datetime64[us]")
    return df


CUT = pd.Timestamp("2024-12-31")


def _at(days_before: int, hour: int = 12) -> pd.Timestamp:
    return CUT - pd.Timedelta(days=days_before) + pd.Timedelta(hours=hour)


def _window_shop() -> pd.DataFrame:
    """Customer a buys at each edge of the 30/90/180/365-day windows (revenue: powers of two,
    so every sum names the orders in it); b bought once, 10 days before the cut-off."""
    edges = [0, 29, 30, 89, 90, 179, 180, 364, 365]  # days before the cut-off day
    rows = [(f"a{i}", _at(d, 0), "a", float(2**i)) for i, d in enumerate(edges)]
    rows.append(("b0", _at(10), "b", 7.0))
    rows.append(("later", CUT + pd.Timedelta(days=40), "z", 1.0))  # data run to 9 Feb 2025
    return _lines(rows)


def test_window_counts_and_sums_at_their_day_boundaries():
    w = churn.churn_window(customer_history(_window_shop()), cutoff=CUT, window_days=30)
    a = w.X.loc["a"]
    # the window "last N days" is the N days ending with the cut-off day: days 0..N-1 before it
    assert a["orders_30d"] == 2  # days 0, 29
    assert a["orders_90d"] == 4  # + 30, 89
    assert a["orders_180d"] == 6  # + 90, 179
    assert a["revenue_90d"] == 1 + 2 + 4 + 8
    assert a["revenue_365d"] == sum(2.0**i for i in range(8))  # all but day 365
    assert list(w.X.columns) == list(churn.FEATURES)
    assert set(w.X.dtypes.astype(str)) == {"float64"}
    assert list(w.X.index) == ["a", "b"]  # z first buys after the cut-off


def test_a_one_time_buyer_gets_tenure_plus_one_as_the_usual_gap():
    w = churn.churn_window(customer_history(_window_shop()), cutoff=CUT, window_days=30)
    b = w.X.loc["b"]
    assert (b["recency_days"], b["tenure_days"], b["frequency"]) == (10.0, 10.0, 1.0)
    assert b["interpurchase_days"] == 11.0
    assert b["recency_over_interpurchase"] == pytest.approx(10 / 11)
    a = w.X.loc["a"]
    assert a["interpurchase_days"] == 365 / 8
    assert a["recency_over_interpurchase"] == 0.0  # bought on the cut-off day
    # a gap under one day is counted as one day: never a division by a fraction
    same_day = _lines(
        [("1", "2024-12-30 01:00", "c", 1.0), ("2", "2024-12-30 02:00", "c", 1.0)]
        + [("z", "2025-03-01 00:00", "z", 1.0)]
    )
    c = churn.churn_window(customer_history(same_day), cutoff=CUT, window_days=30).X.loc["c"]
    assert c["interpurchase_days"] == pytest.approx(1 / 24)  # one hour
    assert c["recency_days"] == 1.0 and c["recency_over_interpurchase"] == 1.0  # 1 / max(gap, 1)


def test_window_labels_and_its_end():
    h = customer_history(_window_shop())
    w = churn.churn_window(h, cutoff=CUT - pd.Timedelta(days=5), window_days=5)
    # cut-off 26 Dec, labels in (26 Dec, 31 Dec]: a buys on 31 Dec, b last bought on 21 Dec
    assert list(w.X.index) == ["a", "b"]
    assert w.y.tolist() == [1, 0] and w.window_days == 5
    assert w.label_end == pd.Timestamp("2024-12-31")
    # the window may end on the last day of data (9 Feb 2025), not after it
    ok = churn.churn_window(h, cutoff="2025-01-10", window_days=30, bgnbd=False)
    assert ok.label_end == pd.Timestamp("2025-02-09")
    # without BG/NBD the baseline scores are NaN (not fitted), one per customer
    assert ok.p_alive.dtype == float and np.isnan(ok.p_alive).all() and len(ok.p_buy) == 2
    assert np.isnan(ok.p_buy).all()
    # the default window is 90 days: 1 Nov + 90 days = 30 Jan
    default = churn.churn_window(h, cutoff="2024-11-01", bgnbd=False)
    assert (default.window_days, default.label_end) == (90, pd.Timestamp("2025-01-30"))
    with pytest.raises(ParameterError) as e:
        churn.churn_window(h, cutoff="31 Febtember")
    assert str(e.value) == (
        "The 'cutoff' date could not be read: got '31 Febtember'. Use a date like 2010-12-09."
    )
    with pytest.raises(
        ParameterError,
        match=r"^The label window \(11 January 2025 \+ 30 days = 10 February 2025\) runs past the end of the "
        r"data \(9 February 2025\)\. Choose a cut-off on or before 10 January 2025 or a shorter window\.$",
    ):
        churn.churn_window(h, cutoff="2025-01-11", window_days=30)
    scoring = churn.churn_window(h, cutoff="2025-02-09", window_days=30, labelled=False)
    assert scoring.y is None and scoring.label_end is None
    assert np.isnan(scoring.p_alive).all() and np.isnan(scoring.p_buy).all()  # < 30 repeaters


def test_the_midnight_after_the_cut_off_is_a_label_not_a_feature():
    # a buys at noon on the cut-off day and at the midnight that ends it (00:00 on 1 Jan): the
    # first order is a feature, the second the first instant of the label window; b's second
    # order is at the instant the 10-day label window ends (00:00 on 11 Jan): outside it; c
    # last bought more than a year before the cut-off (in no feature window, and the last
    # customer code among those with features)
    lines = _lines(
        [
            ("a1", "2024-12-31 12:00", "a", 1.0),
            ("a2", "2025-01-01 00:00", "a", 2.0),
            ("b1", "2024-12-26 12:00", "b", 4.0),
            ("b2", "2025-01-11 00:00", "b", 8.0),
            ("c1", "2023-06-01 12:00", "c", 16.0),
            ("z", "2025-02-01 12:00", "z", 32.0),
        ]
    )
    w = churn.churn_window(customer_history(lines), cutoff=CUT, window_days=10, bgnbd=False)
    assert list(w.X.index) == ["a", "b", "c"]
    assert w.y.tolist() == [1, 0, 0]
    assert w.X["orders_30d"].tolist() == [1.0, 1.0, 0.0]
    assert w.X["revenue_90d"].tolist() == [1.0, 4.0, 0.0]
    assert w.X["revenue_365d"].tolist() == [1.0, 4.0, 0.0]
    assert w.X["frequency"].tolist() == [1.0, 1.0, 1.0] and w.X.loc["c", "monetary"] == 16.0


def _repeaters(n: int = 40) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    rows = []
    start = pd.Timestamp("2024-01-01")
    for i in range(n):
        # customer i buys within its first 20 + 7 i days, then stops: lives differ
        days = np.sort(rng.choice(20 + 7 * i, size=1 + (i % 4) + (i % 3), replace=False))
        rows += [(f"o{i}-{d}", start + pd.Timedelta(days=int(d)), f"c{i:02d}", 5.0) for d in days]
    rows.append(("end", start + pd.Timedelta(days=400), "zz", 1.0))
    return _lines(rows)


def test_bgnbd_baseline_scores_are_the_fit_on_orders_up_to_the_cut_off():
    lines = _repeaters()
    cut = pd.Timestamp("2024-09-30")
    w = churn.churn_window(customer_history(lines), cutoff=cut, window_days=60)
    # the same model by the CLV route: customer-days of the lines up to the cut-off
    days = clv.customer_days(lines[lines["order_date"] <= cut])
    s = clv.rfm_summary(days, cutoff=cut).set_index("customer_id").loc[w.X.index]
    assert int((s["frequency"] > 0).sum()) >= clv.MIN_REPEAT_BUYERS
    p = clv.fit_bgnbd(s["frequency"], s["recency"], s["T"])
    want_alive = clv.bgnbd_p_alive(p, s["frequency"], s["recency"], s["T"])
    want_buy = clv.bgnbd_p_purchase_within(p, 60 / 7, s["frequency"], s["recency"], s["T"])
    np.testing.assert_allclose(w.p_alive, want_alive, rtol=1e-6)
    np.testing.assert_allclose(w.p_buy, want_buy, rtol=1e-6)
    assert not np.allclose(w.p_alive, w.p_alive[0])  # customers really differ


def test_bgnbd_baseline_with_exactly_the_minimum_of_repeat_buyers():
    # 33 customers of whom 30 (all but c00, c12, c24) bought on 2+ days: BG/NBD's minimum, so
    # the baselines are fitted; c01's order at the midnight after the cut-off is not in the fit
    base = _repeaters(33)
    extra = _lines([("x", "2024-10-01 00:00", "c01", 5.0)])
    lines = pd.concat([base, extra], ignore_index=True)
    cut = pd.Timestamp("2024-09-30")
    w = churn.churn_window(customer_history(lines), cutoff=cut, window_days=60)
    days = clv.customer_days(base[base["order_date"] <= cut])
    s = clv.rfm_summary(days, cutoff=cut).set_index("customer_id").loc[w.X.index]
    assert len(s) == 33 and int((s["frequency"] > 0).sum()) == clv.MIN_REPEAT_BUYERS == 30
    p = clv.fit_bgnbd(s["frequency"], s["recency"], s["T"])
    want_alive = clv.bgnbd_p_alive(p, s["frequency"], s["recency"], s["T"])
    want_buy = clv.bgnbd_p_purchase_within(p, 60 / 7, s["frequency"], s["recency"], s["T"])
    np.testing.assert_allclose(w.p_alive, want_alive, rtol=1e-6)
    np.testing.assert_allclose(w.p_buy, want_buy, rtol=1e-6)


# --- metrics ---------------------------------------------------------------------------


def test_top_decile_takes_the_ceiling_and_reports_nan_recall_without_positives():
    y = np.array([1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0])  # 11 rows: the top 10% is 2 rows
    assert churn.top_decile(y, np.arange(11.0)[::-1]) == (0.5, 0.5)
    assert churn.top_decile(y, np.arange(11.0)[::-1], frac=0.3) == (pytest.approx(2 / 4), 1.0)
    prec, rec = churn.top_decile(np.zeros(5), np.arange(5.0))
    assert prec == 0.0 and math.isnan(rec)
    # ties keep the first rows; at least one row is taken
    assert churn.top_decile(np.array([0, 1, 1]), np.zeros(3), frac=0.01) == (0.0, 0.0)
    # one positive: recall is 0 or 1, not undefined
    assert churn.top_decile(np.array([1, 0, 0, 0]), np.array([0.9, 0.1, 0.2, 0.3])) == (1.0, 1.0)
    assert churn.top_decile(np.array([0, 1, 0, 0]), np.array([0.9, 0.1, 0.2, 0.3])) == (0.0, 0.0)
    # ties among 20 rows (past numpy's insertion-sort size): the top 2 are the first two 2s,
    # rows 0 and 9, whichever order an unstable sort would leave them in
    score = np.array([2, 1, 1, 0, 0, 0, 0, 0, 0, 2, 1, 2, 1, 1, 2, 2, 1, 1, 1, 2], dtype=float)
    y = np.zeros(20, dtype=int)
    y[9] = 1
    assert churn.top_decile(y, score) == (0.5, 1.0)


def test_auc_by_hand_and_undefined_with_one_class():
    assert churn.auc_score([1, 0, 1, 0], [0.9, 0.1, 0.2, 0.3]) == 0.75
    assert churn.auc_score([0, 1], [0.5, 0.5]) == 0.5
    assert math.isnan(churn.auc_score([1, 1], [0.2, 0.3]))
    assert math.isnan(churn.auc_score([0, 0], [0.2, 0.3]))


class _FirstColumn:
    """A fitted 'model' whose propensity is its first input column."""

    calls = 0

    def predict_proba(self, X):
        self.calls += 1
        return np.column_stack([1 - X[:, 0], X[:, 0]])


def test_permutation_drop_is_zero_for_an_unused_column_and_large_for_the_used_one():
    rng = np.random.default_rng(2)
    X = rng.uniform(size=(400, 3))
    X0 = X.copy()
    y = (X[:, 0] > 0.5).astype(int)
    est = _FirstColumn()
    drop = churn.permutation_auc_drop(est, X, y, n_repeats=4, seed=1)
    assert est.calls == 1 + 3 * 4
    assert drop[1] == 0.0 and drop[2] == 0.0
    assert 0.4 < drop[0] <= 0.6  # from AUC 1 to about chance
    np.testing.assert_array_equal(
        drop, churn.permutation_auc_drop(_FirstColumn(), X, y, n_repeats=4, seed=1)
    )
    assert churn.permutation_auc_drop(_FirstColumn(), X, y, seed=9)[0] != drop[0]
    np.testing.assert_array_equal(X, X0)  # the caller's X is left as it was


def test_sample_rows_is_a_seeded_sorted_subset():
    assert churn.sample_rows(10, None) is None and churn.sample_rows(10, 10) is None
    s = churn.sample_rows(1000, 100)
    assert len(s) == len(np.unique(s)) == 100 and (np.diff(s) > 0).all() and s.max() < 1000
    np.testing.assert_array_equal(s, churn.sample_rows(1000, 100))
    assert not np.array_equal(s, churn.sample_rows(1000, 100, seed=1))


def test_metrics_by_hand():
    y = np.array([1, 1, 0, 0, 0, 1, 0, 1, 0, 0])
    p = np.array([0.9, 0.8, 0.1, 0.7, 0.2, 0.6, 0.3, 0.4, 0.05, 1.2])
    m = churn._metrics(y, p, probabilistic=True)
    assert m["auc"] == pytest.approx(roc_auc_score(y, p))
    # churners among the lowest propensity (0.05): a churner; buyers among the highest (1.2): no
    assert (m["precision_at_10pct"], m["recall_at_10pct"]) == (1.0, pytest.approx(1 / 6))
    assert (m["buyer_precision_at_10pct"], m["buyer_recall_at_10pct"]) == (0.0, 0.0)
    assert m["brier"] == pytest.approx(brier_score_loss(y, np.clip(p, 0, 1)))
    assert m["brier"] == pytest.approx(
        (0.01 + 0.04 + 0.01 + 0.49 + 0.04 + 0.16 + 0.09 + 0.36 + 0.0025 + 1.0) / 10
    )
    ranks_only = churn._metrics(y, -p, probabilistic=False)
    assert math.isnan(ranks_only["brier"])
    assert ranks_only["auc"] == pytest.approx(1 - m["auc"])
    assert math.isnan(churn._metrics(y, np.where(y == 1, np.nan, p), probabilistic=False)["auc"])
    # the lowest propensity (row 0) is a churner, the highest (row 1) a buyer: churners are
    # counted among the lowest propensities, buyers among the highest
    y = np.array([0, 1, 0, 0, 0, 0, 0, 0, 0, 0])
    p = np.array([0.05, 0.9, 0.5, 0.4, 0.3, 0.6, 0.2, 0.35, 0.45, 0.55])
    m = churn._metrics(y, p, probabilistic=True)
    assert (m["precision_at_10pct"], m["recall_at_10pct"]) == (1.0, pytest.approx(1 / 9))
    assert (m["buyer_precision_at_10pct"], m["buyer_recall_at_10pct"]) == (1.0, 1.0)


def test_make_model_settings():
    assert churn.make_model("tree", n_train=100).get_params()["min_samples_leaf"] == 20
    assert churn.make_model("gbm", n_train=100).get_params()["min_samples_leaf"] == 20
    # the leaf size is a whole count (a float would be read as a share, or refused): 5,000
    # training customers give 50 per leaf, and the models fit on any data with it
    X = np.arange(40.0).reshape(20, 2)
    y = np.arange(20) % 2
    for name in ("tree", "gbm"):
        leaf = churn.make_model(name, n_train=5_000).get_params()["min_samples_leaf"]
        assert type(leaf) is int and leaf == 50
        churn.make_model(name, n_train=5_000).fit(X, y)
    with pytest.raises(ParameterError) as e:
        churn.make_model("svm", n_train=10)
    assert (
        str(e.value) == "The model must be one of ['logistic', 'tree', 'gbm']. Got 'svm' instead."
    )
    tree = churn.make_model("tree", n_train=5_000).get_params()
    assert (tree["min_samples_leaf"], tree["max_depth"], tree["random_state"]) == (50, 5, 0)
    gbm = churn.make_model("gbm", n_train=10_000).get_params()
    assert (gbm["max_iter"], gbm["learning_rate"], gbm["max_depth"]) == (50, 0.1, 3)
    assert (gbm["min_samples_leaf"], gbm["early_stopping"], gbm["random_state"]) == (100, False, 0)
    lr = churn.make_model("logistic", n_train=10).get_params()
    assert (lr["logisticregression__C"], lr["logisticregression__max_iter"]) == (1.0, 2000)
    # signed log: large spends and negative (returns) values are compressed symmetrically
    f = lr["functiontransformer"].func
    np.testing.assert_allclose(f(np.array([-9.0, 0.0, 9.0])), [-np.log(10), 0, np.log(10)])
    with pytest.raises(ParameterError, match=r"one of \['logistic', 'tree', 'gbm'\]. Got 'svm'"):
        churn.make_model("svm", n_train=10)


# --- evaluation thresholds --------------------------------------------------------------


def _window(n: int, pos: int, *, seed: int = 0, p_alive: float | None = 0.5) -> churn.ChurnWindow:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.uniform(size=(n, len(churn.FEATURES))), columns=list(churn.FEATURES))
    X["recency_days"] = np.arange(n, dtype=float)
    y = np.zeros(n, dtype=int)
    y[:pos] = 1
    pa = np.full(n, np.nan) if p_alive is None else rng.uniform(size=n)
    return churn.ChurnWindow(
        cutoff=pd.Timestamp("2024-06-30"),
        window_days=90,
        X=X,
        y=y,
        p_alive=pa,
        p_buy=pa / 2,
        label_end=None,
    )


def test_evaluate_needs_fifty_customers_and_ten_of_each_outcome():
    ok = _window(50, 10)
    ev = churn.evaluate(ok, _window(50, 40, seed=1), models=("tree",))
    assert list(ev.metrics.index) == ["tree", "recency", "p_alive", "bgnbd"]
    assert ev.metrics.index.name == "model"
    assert ev.metrics["kind"].tolist() == ["model", "baseline", "baseline", "baseline"]
    test = _window(50, 40, seed=1)
    np.testing.assert_array_equal(ev.scores["recency"], -test.X["recency_days"].to_numpy())
    np.testing.assert_array_equal(ev.scores["p_alive"], test.p_alive)
    np.testing.assert_array_equal(ev.scores["bgnbd"], test.p_buy)
    assert ev.metrics.loc["recency", "auc"] == 1.0  # the buyers are the most recent here
    assert math.isnan(ev.metrics.loc["p_alive", "brier"])
    # Brier scores for the probabilities (models, P(buy)), not for rankings (recency)
    assert math.isnan(ev.metrics.loc["recency", "brier"])
    tree_brier = brier_score_loss(test.y, ev.scores["tree"])
    assert ev.metrics.loc["tree", "brier"] == pytest.approx(tree_brier)
    assert ev.metrics.loc["bgnbd", "brier"] == pytest.approx(brier_score_loss(test.y, test.p_buy))
    for bad, words in [
        (_window(49, 10), "has 49 customers, of whom 10 bought again within 90 days"),
        (_window(50, 9), "has 50 customers, of whom 9 bought"),
        (_window(50, 41), "of whom 41 bought"),
    ]:
        with pytest.raises(InsufficientDataError, match=words):
            churn.evaluate(bad, ok, models=("tree",))
        with pytest.raises(
            InsufficientDataError, match="^The evaluation window .cut-off 30 June 2024"
        ):
            churn.evaluate(ok, bad, models=("tree",))
    with pytest.raises(InsufficientDataError, match="at least 50 customers and 10 of each outcome"):
        churn.evaluate(_window(49, 10), ok, models=("tree",))
    with pytest.raises(ParameterError) as e:
        churn.evaluate(ok, churn.ChurnWindow(**{**ok.__dict__, "y": None}), models=("tree",))
    assert str(e.value) == "evaluate() needs labelled windows (labelled=True)."


def test_evaluate_without_bgnbd_scores_has_no_bgnbd_baselines_and_samples_the_training():
    train, test = _window(400, 200), _window(60, 30, seed=1, p_alive=None)
    ev = churn.evaluate(train, test, models=("tree",))
    assert list(ev.metrics.index) == ["tree", "recency"]
    full = churn.evaluate(train, test, models=("tree",), train_sample=None)
    half = churn.evaluate(train, test, models=("tree",), train_sample=200)
    assert full.fitted["tree"].tree_.n_node_samples[0] == 400
    assert half.fitted["tree"].tree_.n_node_samples[0] == 200
    assert ev.fitted["tree"].tree_.n_node_samples[0] == 400  # default: 200,000


# --- the analysis' parameter checks -----------------------------------------------------


def test_churn_parameter_checks_say_what_was_given():
    lines = _window_shop()
    for bad in (6, 366):
        with pytest.raises(ParameterError, match=rf"range \[7, 365\]. Got {bad} instead"):
            churn.churn(lines, window_days=bad)
    # accepted: the next checks speak (2 customers cannot train; 365 days need 760 of history)
    with pytest.raises(InsufficientDataError, match="^The training window"):
        churn.churn(lines, window_days=7)
    with pytest.raises(InsufficientDataError, match="365-day window needs at least 760 days"):
        churn.churn(lines, window_days=365)
    with pytest.raises(ParameterError, match=r"subset of \['logistic', 'tree', 'gbm'\]. Got \(\)"):
        churn.churn(lines, models=())
    with pytest.raises(ParameterError, match=r"Got \('tree', 'svm'\)"):
        churn.churn(lines, models=("tree", "svm"))
    blank = lines.assign(customer_id=["  "] * len(lines))
    with pytest.raises(InsufficientDataError, match="none of the 11 lines has one"):
        churn.churn(blank)
    with pytest.raises(InsufficientDataError, match="none of the 11 lines"):
        churn.churn(lines.drop(columns=["customer_id"]))
    # the messages in full
    with pytest.raises(ParameterError) as e:
        churn.churn(lines, models=())
    assert str(e.value) == (
        "The 'models' parameter must be a non-empty subset of ['logistic', 'tree', 'gbm']. Got ()."
    )
    with pytest.raises(InsufficientDataError) as e:
        churn.churn(blank)
    assert str(e.value) == (
        "Churn models need customers with ids; none of the 11 lines has one. Map the customer "
        "id column on the Data page (guest orders cannot be followed)."
    )
    with pytest.raises(ParameterError) as e:
        churn.churn(lines, cutoff="31 Febtember")
    assert str(e.value) == (
        "The 'cutoff' date could not be read: got '31 Febtember'. Use a date like 2010-12-09."
    )
    # the default window is 90 days: without z the data ends on 31 Dec 2024, so the training
    # cut-off is 31 Dec - 180 days = 4 Jul, when only a had bought (and a buys on 5 Jul again)
    with pytest.raises(InsufficientDataError) as e:
        churn.churn(lines.iloc[:-1])
    assert str(e.value) == (
        "The training window (cut-off 4 July 2024) has 1 customers, of whom 1 bought again within "
        "90 days; churn models need at least 50 customers and 10 of each outcome. Use a longer "
        "history or a shorter window."
    )


def test_short_history_message_counts_the_days():
    lines = _window_shop()  # 2024-01-01 to 2025-02-09: 405 days
    with pytest.raises(InsufficientDataError) as e:
        churn.churn(lines, window_days=90, cutoff="2024-03-20")
    assert str(e.value) == (
        "Out-of-time churn validation with a 90-day window needs at least 210 days of history "
        "(30 days of features + a training window + an evaluation window); the data covers 405 "
        "days (1 January 2024 to 9 February 2025). Use a shorter window."
    )
    # the training cut-off (cut-off - window) must leave 30 days of features after the first
    # day: 31 Jan is enough (the evaluation then refuses the two customers), 30 Jan is not
    with pytest.raises(InsufficientDataError, match="needs at least 90 days of history"):
        churn.churn(lines, window_days=30, cutoff="2024-02-29")
    with pytest.raises(
        InsufficientDataError, match="^The training window .cut-off 31 January 2024"
    ):
        churn.churn(lines, window_days=30, cutoff="2024-03-01")


# --- acting on it -----------------------------------------------------------------------


def test_at_risk_ranks_by_value_at_risk_by_hand():
    scores = pd.DataFrame(
        {
            "customer_id": [3, 1, 2, 4, 5],
            "revenue_365d": [100.0, 50.0, 200.0, -20.0, 0.0],
            "churn_probability": [0.5, 0.9, 0.25, 0.9, 0.9],
            "recency_days": [1.0, 2.0, 3.0, 4.0, 5.0],
            # the models' feature: a one-order customer's gap is filled (with the tenure)
            "interpurchase_days": [366.0, 45.0, 60.0, 10.0, 12.0],
            "frequency": [1.0, 2.0, 3.0, 4.0, 5.0],
            "monetary": [10.0, 20.0, 30.0, 40.0, 50.0],
        }
    )
    res = SimpleNamespace(scores=scores)
    out = churn.at_risk(res, expected_value=pd.Series({1: 7.0, 3: 9.0}))
    # 50 x 0.9 = 45 and 200 x 0.25 = 50 and 100 x 0.5 = 50: ties by id; 4 and 5 risk nothing
    assert out["customer_id"].tolist() == ["2", "3", "1"]
    assert out["value_at_risk"].tolist() == [50.0, 50.0, 45.0]
    assert out["expected_value"].iloc[1:].tolist() == [9.0, 7.0]
    assert math.isnan(out["expected_value"].iloc[0])
    assert list(out.columns) == [
        "customer_id",
        "value_at_risk",
        "churn_probability",
        "revenue_365d",
        "recency_days",
        "interpurchase_days",
        "frequency",
        "monetary",
        "expected_value",
    ]
    # the mean gap between orders beside the days since the last one; blank with one order
    # (customer 3), not the tenure the models were given
    assert out["interpurchase_days"].iloc[[0, 2]].tolist() == [60.0, 45.0]
    assert math.isnan(out["interpurchase_days"].iloc[1])
    assert out.index.tolist() == [0, 1, 2]
    assert churn.at_risk(res, top=1)["customer_id"].tolist() == ["2"]
    # any value at risk above 0 is listed, however small: 1 x 0.9 = 0.9
    small = SimpleNamespace(scores=scores.assign(revenue_365d=[100.0, 50.0, 200.0, -20.0, 1.0]))
    assert churn.at_risk(small)["customer_id"].tolist() == ["2", "3", "1", "5"]
    assert churn.at_risk(small)["value_at_risk"].iloc[-1] == 0.9
    assert "expected_value" not in churn.at_risk(res, top=None)


def _days(n_customers: int, n_repeat: int, span: int) -> pd.DataFrame:
    start = pd.Timestamp("2024-01-01")
    rows = [(f"c{i}", start) for i in range(n_customers)]
    rows += [(f"c{i}", start + pd.Timedelta(days=span)) for i in range(n_repeat)]
    return pd.DataFrame(rows, columns=["customer_id", "date"]).assign(value=1.0)


def test_sufficiency_thresholds_by_hand():
    s = churn.sufficiency_from_days(_days(50, 30, 210), n_lines=200, n_with_id=80)
    c = s.checks.set_index("check")
    assert c["found"].tolist() == ["80 of 200 (40\u00a0%)", "50", "30", "7", "210"]
    assert c["ok"].tolist() == [True] * 5 and (s.can_cohorts, s.can_clv, s.can_churn) == (True,) * 3
    assert (c["reason"] == "").all()
    assert c.index[-1] == "Days of history for a 90-day churn window"
    assert c["needed"].tolist()[1:] == [
        "≥\u00a050",
        "≥\u00a030",
        "≥\u00a02 (cohorts); ≥\u00a03 (calibration check)",
        "≥\u00a0210 (2 × window +\u00a030)",
    ]
    low = churn.sufficiency_from_days(_days(49, 29, 209), n_lines=10, n_with_id=10)
    assert low.checks["ok"].tolist() == [True, False, False, True, False]
    assert (low.can_clv, low.can_churn, low.can_cohorts) == (False, False, True)
    assert low.checks["reason"].iloc[1] == "Too few identified customers for any model."
    assert low.checks["reason"].iloc[2].startswith("Too few repeat buyers")
    assert low.checks["reason"].iloc[4].startswith("Not enough history")
    # two months of history is the cohorts' line; one month still allows cohorts
    short = churn.sufficiency_from_days(_days(60, 1, 40), n_lines=60, n_with_id=60)
    assert not short.checks["ok"].iloc[3]  # 40 days = 1.3 months
    assert short.can_cohorts and short.can_clv and not short.can_churn
    assert short.checks["reason"].iloc[3].startswith("Less than two months")
    tiny = churn.sufficiency_from_days(_days(60, 1, 20), n_lines=60, n_with_id=60)
    assert not tiny.can_cohorts
    none = churn.sufficiency_from_days(None, n_lines=0, n_with_id=0)
    assert none.checks["found"].tolist()[:3] == ["0 of 0 (0\u00a0%)", "0", "0"]
    assert none.checks["reason"].iloc[0].startswith("No customer ids")
    assert not (none.can_cohorts or none.can_clv or none.can_churn)
    w = churn.sufficiency_from_days(_days(60, 40, 100), n_lines=60, n_with_id=60, window_days=30)
    assert w.checks["needed"].iloc[4] == "≥\u00a090 (2 × window +\u00a030)" and w.can_churn


def test_months_of_history_whole_well_above_the_lines_one_decimal_rounded_down_near_them():
    # by hand, a month being 365.25 / 12 = 30.4375 days: 729 days = 23.95 months (the demo's
    # two years) reads "24", not "24.0"; 60 days = 1.97 months misses the two-month line and
    # must not read "2.0" next to "NO"; 61 days = 2.004 passes it; under a month (30 days =
    # 0.986) in days: a three-day export read "0.0"
    found = {}
    for span in (0, 1, 30, 31, 40, 60, 61, 121, 122, 210, 729):
        s = churn.sufficiency_from_days(_days(60, 1, span), n_lines=60, n_with_id=60)
        found[span] = (s.checks["found"].iloc[3], bool(s.checks["ok"].iloc[3]))
    assert found == {
        0: ("0 days", False),
        1: ("1 day", False),
        30: ("30 days", False),
        31: ("1.0", False),  # 1.018
        40: ("1.3", False),
        60: ("1.9", False),
        61: ("2.0", True),
        121: ("3.9", True),  # 3.975: still one decimal, rounded down
        122: ("4", True),  # 4.008: whole months from 4
        210: ("7", True),  # 6.90
        729: ("24", True),  # 23.95
    }


def test_sufficiency_from_lines_counts_ids_and_days():
    lines = _lines(
        [
            ("1", "2024-01-01", "a", 5.0),
            ("2", "2024-01-01", "a", 5.0),  # same day: one purchase day
            ("3", "2024-03-01", "a", 5.0),
            ("4", "2024-02-01", " ", 5.0),  # blank id
            ("5", "2024-02-02", None, 5.0),
        ]
    )
    s = churn.sufficiency(lines)
    assert s.checks["found"].tolist()[:3] == ["3 of 5 (60\u00a0%)", "1", "1"]
    assert s.checks["found"].iloc[4] == "60"
    assert s.checks["needed"].iloc[4] == "≥\u00a0210 (2 × window +\u00a030)"  # the 90-day default
    # an id without a date (or a date without an id) cannot be followed: nothing counted
    for col in ("order_date", "customer_id"):
        s = churn.sufficiency(lines.drop(columns=[col]))
        assert s.checks["found"].tolist()[1:3] == ["0", "0"] and not s.can_clv


def test_sufficiency_when_every_id_is_blank():
    # the columns are there, but customer-days come out empty: nothing found, not one customer
    lines = _lines([("1", "2024-01-01", " ", 5.0), ("2", "2024-03-01", "", 5.0)])
    s = churn.sufficiency(lines)
    assert s.checks["found"].tolist() == ["0 of 2 (0\u00a0%)", "0", "0", "0 days", "0"]
    assert not (s.can_cohorts or s.can_clv or s.can_churn)


def test_sufficiency_labels_and_the_two_month_line():
    s = churn.sufficiency_from_days(_days(50, 30, 75), n_lines=1, n_with_id=1)
    assert s.checks["check"].tolist() == [
        "Sale lines with a customer id",
        "Customers with ids",
        "Repeat buyers (2+ purchase days)",
        "Months of history",
        "Days of history for a 90-day churn window",
    ]
    assert s.checks["affects"].tolist() == [
        "everything on this page",
        "lifetime value, churn",
        "lifetime-value models",
        "cohorts, calibration",
        "churn models",
    ]
    assert s.checks["needed"].iloc[0] == "some"
    # one line with an id is some; 75 days = 2.46 months: past the two-month line
    assert s.checks["ok"].tolist() == [True, True, True, True, False]
    assert s.checks["reason"].tolist()[:4] == ["", "", "", ""]
    assert s.checks["reason"].iloc[4] == (
        "Not enough history to train on one window and test on a later one; shorten the window."
    )
    # the window is passed on to the checklist
    thirty = churn.sufficiency(_lines([("1", "2024-01-01", "a", 5.0)]), window_days=30)
    assert thirty.checks["needed"].iloc[4] == "≥\u00a090 (2 × window +\u00a030)"


def test_checklist_shows_the_reason_column_only_when_a_check_failed():
    from ecomdash.ui.value import checklist_table

    passed = checklist_table(
        churn.sufficiency_from_days(_days(50, 30, 210), n_lines=200, n_with_id=80)
    )
    assert list(passed.columns) == ["check", "ok", "found", "needed", "affects"]
    assert passed["ok"].tolist() == ["yes"] * 5
    low = checklist_table(churn.sufficiency_from_days(_days(49, 29, 209), n_lines=10, n_with_id=10))
    assert list(low.columns) == ["check", "ok", "found", "needed", "reason", "affects"]
    assert low["ok"].tolist() == ["yes", "NO", "NO", "yes", "NO"]
    assert low["reason"].iloc[1] == "Too few identified customers for any model."


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("failing", [False, True])
def test_checklist_columns_fit_the_page_and_wrap_rather_than_cut_off(lang, failing):
    """Left to Streamlit each checklist column took its one-line width and the table ran off
    the page: "lifetime-value models (BG/NBD, Gam" was cut off under "Affects". The columns
    now share the width budget by what their text needs, and no cell needs more lines than a
    row shows (English and Chinese, with and without the reason column of a failed check)."""
    from ecomdash import labels as L
    from ecomdash.i18n import use_lang
    from ecomdash.ui import tables as T
    from ecomdash.ui import value as V

    with use_lang(lang):
        suff = (
            churn.sufficiency_from_days(_days(49, 29, 209), n_lines=10, n_with_id=10)
            if failing
            else churn.sufficiency_from_days(_days(50, 30, 729), n_lines=126_319, n_with_id=113_766)
        )
        table = V.checklist_table(suff)
        headers = {c: L.label(c, "value") for c in table.columns}
        widths, row_height = T.fitted_columns(table, area="value")
    assert set(widths) == set(table.columns)
    assert sum(widths.values()) <= T.PAGE_PX
    lines = 1 if row_height is None else T.WRAP_LINES
    if row_height is not None:
        assert row_height > 64  # Streamlit wraps a cell only in rows taller than 4 rem
    for col in table.columns:
        for text in [headers[col], *map(str, table[col])]:
            assert T.cell_lines(text, widths[col]) <= lines, (col, text, widths[col])
        # headers on one line: Streamlit draws no second
        assert T.drawn_px(headers[col]) <= widths[col], (col, headers[col], widths[col])
    # "Affects" says what it affects in plain words, without the models' names
    assert not table["affects"].str.contains("BG/NBD").any()
