"""Churn / propensity: windows without leakage, metrics by hand, out-of-time evaluation."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from ecomdash import churn
from ecomdash.errors import InsufficientDataError, ParameterError
from ecomdash.features import customer_history


def _lines(rows) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["order_id", "order_date", "customer_id", "revenue"])
    df["order_date"] = pd.to_datetime(df["order_date"]).astype("datetime64[us]")
    return df


def simulated_shop(n: int = 2500, days: int = 540, seed: int = 0) -> pd.DataFrame:
    """Customers with heterogeneous buying rates and lifetimes: there is signal to learn."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2023-01-01")
    join = rng.integers(0, days - 60, size=n)
    rate = rng.gamma(0.8, 1 / 40.0, size=n)  # orders per day
    life = rng.exponential(250.0, size=n)
    rows = []
    k = 0
    for i in range(n):
        t = float(join[i])
        end = min(days - 1, join[i] + life[i])
        spend = rng.gamma(3, 15)
        while t <= end:
            rows.append(
                (
                    f"o{k}",
                    start + pd.Timedelta(days=int(t)),
                    f"c{i:05d}",
                    spend * rng.uniform(0.5, 1.5),
                )
            )
            k += 1
            t += rng.exponential(1 / rate[i])
    return _lines(rows)


@pytest.fixture(scope="module")
def shop() -> pd.DataFrame:
    return simulated_shop()


# --- metrics -----------------------------------------------------------------------------


def test_auc_matches_sklearn_with_ties():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 500)
    s = np.round(rng.normal(size=500) + y, 1)  # many ties
    assert churn.auc_score(y, s) == pytest.approx(roc_auc_score(y, s), abs=1e-12)


def test_top_decile_by_hand():
    y = np.array([1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])
    score = np.arange(20.0)[::-1]  # the first rows score highest
    # top 10% = 2 rows (0, 1): both positives; 3 positives in all
    assert churn.top_decile(y, score) == (1.0, pytest.approx(2 / 3))


# --- windows: no leakage -----------------------------------------------------------------


def test_labels_and_features_split_at_the_end_of_the_cutoff_day():
    lines = _lines(
        [
            ("1", "2024-01-01 09:00", "a", 10.0),
            ("2", "2024-03-31 23:00", "a", 10.0),  # on the cut-off day: a feature
            ("3", "2024-01-02 09:00", "b", 10.0),
            ("4", "2024-04-01 00:00", "b", 10.0),  # first instant after: a label
            ("5", "2024-01-03 09:00", "c", 10.0),
            ("6", "2024-04-10 12:00", "c", 10.0),  # day 10 after: in a 10-day window
            ("7", "2024-01-04 09:00", "d", 10.0),
            ("8", "2024-04-11 00:00", "d", 10.0),  # day 11: outside
            ("9", "2024-06-01 00:00", "e", 10.0),  # joins after the cut-off: not scored
        ]
    )
    w = churn.churn_window(customer_history(lines), cutoff="2024-03-31", window_days=10)
    assert list(w.X.index) == ["a", "b", "c", "d"]
    assert w.y.tolist() == [0, 1, 1, 0]
    assert w.X.loc["a", "frequency"] == 2 and w.X.loc["a", "recency_days"] == 0
    assert w.X.loc["b", "frequency"] == 1 and w.X.loc["b", "recency_days"] == 89
    assert w.X.loc["a", "orders_90d"] == 1 and w.X.loc["a", "revenue_365d"] == 20.0


def test_features_do_not_see_anything_after_the_cutoff(shop):
    cutoff = pd.Timestamp("2024-02-01")
    full = churn.churn_window(customer_history(shop), cutoff=cutoff, window_days=90)
    before = shop[shop["order_date"] < cutoff + pd.Timedelta(days=1)]
    # change everything after the cut-off: drop half of it and double the rest's revenue
    after = shop[shop["order_date"] >= cutoff + pd.Timedelta(days=1)]
    altered = pd.concat([before, after.iloc[::2].assign(revenue=lambda d: d["revenue"] * 2)])
    alt = churn.churn_window(customer_history(altered), cutoff=cutoff, window_days=90)
    pd.testing.assert_frame_equal(full.X, alt.X)
    np.testing.assert_allclose(full.p_alive, alt.p_alive)


def test_label_window_past_the_data_end_is_refused(shop):
    with pytest.raises(ParameterError, match="runs past"):
        churn.churn_window(customer_history(shop), cutoff=shop["order_date"].max(), window_days=90)


# --- evaluation --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def windows(shop):
    h = customer_history(shop)
    end = h.last_date.normalize()
    c2 = end - pd.Timedelta(days=90)
    train = churn.churn_window(h, cutoff=c2 - pd.Timedelta(days=90), window_days=90)
    test = churn.churn_window(h, cutoff=c2, window_days=90)
    return train, test


def test_models_learn_real_signal_out_of_time(windows):
    train, test = windows
    ev = churn.evaluate(train, test)
    m = ev.metrics
    assert (m.loc[["logistic", "tree", "gbm"], "auc"] > 0.7).all()
    assert m.loc["recency", "auc"] > 0.6


def memoryless_shop(n: int = 2000, seed: int = 11) -> pd.DataFrame:
    """Each customer buys in each 90-day block independently (p = 0.5), days 5..84 of a block.

    Whether a customer buys in the block after a cut-off (the label) is independent of
    everything before it: the past holds no signal, the label window holds all of it. A model
    whose features see past the cut-off scores near AUC 1; an honest one near 0.5.
    """
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2023-01-01")
    rows = []
    for i in range(n):
        for block in range(6):  # days 0..539
            if block == 0 or rng.random() < 0.5:  # everyone is a customer from block 0
                day = 90 * block + int(rng.integers(5, 85))
                rows.append((f"o{i}-{block}", start + pd.Timedelta(days=day), f"c{i}", 20.0))
    rows.append(("end", start + pd.Timedelta(days=540), "sentinel", 20.0))  # data run to day 540
    return _lines(rows)


def test_features_that_see_past_the_cut_off_would_be_caught():
    """Leakage test: the signal planted after the cut-off must not reach the models."""
    h = customer_history(memoryless_shop())
    c2 = pd.Timestamp("2023-01-01") + pd.Timedelta(days=449)  # label window: block 5
    train = churn.churn_window(h, cutoff=c2 - pd.Timedelta(days=90), window_days=90)
    test = churn.churn_window(h, cutoff=c2, window_days=90)
    assert 0.4 < test.y.mean() < 0.6  # the label is the block-5 coin flip
    ev = churn.evaluate(train, test)
    for name in ("logistic", "tree", "gbm", "recency", "p_alive"):
        assert abs(ev.metrics.loc[name, "auc"] - 0.5) < 0.06, (name, ev.metrics.loc[name, "auc"])


def test_shuffled_labels_drop_auc_to_chance(windows):
    """With the labels shuffled, the evaluation reports chance (it scores on held-out labels)."""
    train, test = windows
    rng = np.random.default_rng(7)
    shuffled_train = dataclasses.replace(train, y=rng.permutation(train.y))
    shuffled_test = dataclasses.replace(test, y=rng.permutation(test.y))
    ev = churn.evaluate(shuffled_train, shuffled_test)
    for name in ("logistic", "tree", "gbm", "recency"):
        assert abs(ev.metrics.loc[name, "auc"] - 0.5) < 0.06, name


def test_churn_end_to_end_and_at_risk(shop):
    res = churn.churn(shop, window_days=90)
    assert res.test_cutoff == res.score_date - pd.Timedelta(days=90)
    assert res.train_cutoff == res.test_cutoff - pd.Timedelta(days=90)
    assert res.best_model in churn.MODELS
    assert set(res.metrics.index) >= {"logistic", "tree", "gbm", "recency", "p_alive"}
    assert res.metrics["auc"].between(0, 1).all()
    assert set(res.importance["feature"]) == set(churn.FEATURES)
    assert res.scores["churn_probability"].between(0, 1).all()
    risk = churn.at_risk(res, top=50)
    assert len(risk) == 50
    assert risk["value_at_risk"].is_monotonic_decreasing
    np.testing.assert_allclose(
        risk["value_at_risk"], risk["revenue_365d"] * risk["churn_probability"]
    )


def test_churn_refuses_short_history_and_bad_window(shop):
    short = shop[shop["order_date"] < shop["order_date"].min() + pd.Timedelta(days=150)]
    with pytest.raises(InsufficientDataError, match="history"):
        churn.churn(short, window_days=90)
    with pytest.raises(ParameterError, match="window_days"):
        churn.churn(shop, window_days=2)
    with pytest.raises(InsufficientDataError, match="customers with ids"):
        churn.churn(shop.assign(customer_id=None))


def test_sufficiency_checklist(shop):
    s = churn.sufficiency(shop, window_days=90)
    assert s.can_cohorts and s.can_clv and s.can_churn
    guest = churn.sufficiency(shop.assign(customer_id=None))
    assert not guest.can_clv and not guest.can_churn
    assert guest.checks.loc[0, "reason"].startswith("No customer ids")


def test_demo_churners_score_high_churn_risk(demo):
    res = churn.churn(demo.lines, window_days=90)
    truth = demo.truth.churners
    s = res.scores.set_index("customer_id")["churn_probability"]
    churned = s.index.isin(truth.index.astype(str))
    assert churned.sum() > 10
    assert s[churned].mean() > s[~churned].mean() + 0.2
    assert res.metrics.loc[res.best_model, "auc"] > 0.6


@pytest.mark.slow
def test_uci_best_model_beats_recency_out_of_time(uci_lines):
    res = churn.churn(uci_lines, window_days=90)
    assert res.test_cutoff == pd.Timestamp("2010-09-10")  # 2010-12-09 minus 90 days
    m = res.metrics
    assert m.loc[res.best_model, "auc"] > m.loc["recency", "auc"]
    assert 0.5 < m.loc["recency", "auc"] < m.loc[res.best_model, "auc"] < 0.9
