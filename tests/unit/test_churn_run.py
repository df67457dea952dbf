"""The churn analysis run end to end on shops small enough to work out by hand: which windows
it trains and evaluates on, the notices it writes, its curves, importances and the refitted
scores. About a second a run (a hundred customers): mutation testing of ecomdash/churn.py runs
these for every mutant of ``churn()`` / ``_churn()``.

The shop: ``a`` customers buy every ten days from 1 Jan 2024 (customer i starts on day i mod 10)
to 30 Jun 2024, so they buy in every 30-day window; ``p`` customers buy once in the 20 days up
to 1 May (the training cut-off) and ``q`` customers once in the 20 days up to 31 May (the
evaluation cut-off), and neither comes back. With a 30-day window on data ending 30 Jun the
evaluation cut-off is 31 May, the training cut-off 1 May.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.calibration import calibration_curve
from sklearn.metrics import roc_auc_score, roc_curve

from ecomdash import churn
from ecomdash.features import customer_history

START = pd.Timestamp("2024-01-01")
C1, C2, END = pd.Timestamp("2024-05-01"), pd.Timestamp("2024-05-31"), pd.Timestamp("2024-06-30")


def _shop(n_a: int = 40, n_p: int = 30, n_q: int = 30) -> pd.DataFrame:
    rows = []
    for i in range(n_a):
        # day 181 is 30 Jun (2024 is a leap year): a01 buys on the last day of the data
        for k, d in enumerate(range(i % 10, 182, 10)):
            rows.append(
                (f"a{i}-{k}", START + pd.Timedelta(days=d, hours=12), f"a{i:02d}", 10.0 + i)
            )
    for j in range(n_p):
        rows.append((f"p{j}", C1 - pd.Timedelta(days=j % 20, hours=-9), f"p{j:02d}", 50.0))
    for j in range(n_q):
        rows.append((f"q{j}", C2 - pd.Timedelta(days=j % 20, hours=-9), f"q{j:02d}", 50.0))
    df = pd.DataFrame(rows, columns=["order_id", "order_date", "customer_id", "revenue"])
    df["order_date"] = df["order_date"].astype("datetime64[us]")
    return df


def _reference(lines: pd.DataFrame, models=churn.MODELS, train_sample=None):
    """The run rebuilt from its parts at the cut-offs worked out by hand."""
    h = customer_history(lines)
    train = churn.churn_window(h, cutoff=C1, window_days=30, bgnbd=False)
    test = churn.churn_window(h, cutoff=C2, window_days=30)
    ev = churn.evaluate(train, test, models=models, train_sample=train_sample)
    return h, train, test, ev


def test_windows_counts_metrics_and_notices_by_hand():
    lines = _shop()
    res = churn.churn(lines, window_days=30)
    assert (res.train_cutoff, res.test_cutoff, res.score_date) == (C1, C2, END)
    assert res.window_days == 30
    # trained on a + p (70: q first buys after 1 May), evaluated on a + p + q; only a buy again
    assert (res.n_train, res.n_test, res.n_fit, res.n_importance) == (70, 100, 70, 100)
    assert res.test_positive_rate == 0.4
    # recency at 31 May: a 0..9 days (four each), q 0..19 (0..9 twice), p 30..49. A buyer with
    # recency r beats all 30 p, the 2 (9 - r) + 10 q further back, and ties 2 q (half each):
    # 4 x sum over r of (59 - 2 r) = 2,000 of the 40 x 60 pairs
    assert res.metrics.loc["recency", "auc"] == pytest.approx(2000 / 2400)
    recency = res.scores.set_index("customer_id")  # as of 30 Jun: a01 bought that day
    assert recency.loc["a01", "recency_days"] == 0.0 and recency.loc["p00", "recency_days"] == 60.0
    # every model separates on frequency (a: 13+ orders, p and q: one): AUC 1, ties go to the
    # first model; P(alive) is 1 for every one-time buyer, below 1 for a: AUC 0
    m = res.metrics
    assert list(m.index) == ["logistic", "tree", "gbm", "recency", "p_alive", "bgnbd"]
    assert m.loc[list(churn.MODELS), "auc"].tolist() == [1.0, 1.0, 1.0]
    assert m.loc["p_alive", "auc"] == 0.0
    assert res.best_model == "logistic"
    assert m["label"].tolist() == [
        "Logistic regression",
        "Decision tree",
        "Gradient boosting",
        "Baseline: recency only",
        "Baseline: chance still active (BG/NBD)",
        "Baseline: chance to buy (BG/NBD)",
    ]
    assert res.notices == (
        "The lifetime-value model's chance still active ranks customers worse than guessing "
        "here: it gives every customer who bought once a 100\u00a0% chance, yet most of them never "
        "come back. Its chance to buy in the window does not have this problem.",
    )
    # the metrics are the evaluation's at those cut-offs, nothing else
    _h, _train, test, ev = _reference(lines)
    assert list(test.y) == [1] * 40 + [0] * 60
    pd.testing.assert_frame_equal(res.metrics.drop(columns="label"), ev.metrics)


def test_curves_importance_and_scores_are_those_of_the_evaluation_window():
    lines = _shop()
    # 4 shuffles per feature: neither churn()'s default (2) nor permutation_auc_drop's (3)
    res = churn.churn(lines, window_days=30, models=("tree", "logistic"), importance_repeats=4)
    h, _train, test, ev = _reference(lines, models=("tree", "logistic"))
    assert res.best_model == "tree"  # both rank perfectly: the first one given wins
    names = ["tree", "logistic", "recency", "p_alive", "bgnbd"]
    assert res.roc["model"].unique().tolist() == names
    assert res.roc.index.equals(pd.RangeIndex(len(res.roc)))  # one table, not five stacked
    for name in names:
        fpr, tpr, _t = roc_curve(test.y, ev.scores[name])
        got = res.roc[res.roc["model"] == name]
        np.testing.assert_array_equal(got["fpr"], fpr)
        np.testing.assert_array_equal(got["tpr"], tpr)
    assert res.calibration["model"].unique().tolist() == ["tree", "logistic"]
    for name in ("tree", "logistic"):
        obs, pred = calibration_curve(test.y, ev.scores[name], n_bins=10, strategy="quantile")
        got = res.calibration[res.calibration["model"] == name]
        np.testing.assert_allclose(got["predicted"], pred)
        np.testing.assert_allclose(got["observed"], obs)
    assert res.calibration.index.equals(pd.RangeIndex(len(res.calibration)))  # one table
    assert list(res.importance.columns) == ["model", "feature", "importance"]
    assert res.importance["feature"].tolist() == list(churn.FEATURES) * 2
    assert res.importance.index.equals(pd.RangeIndex(len(res.importance)))  # one table
    X = test.X.to_numpy()
    for name in ("tree", "logistic"):
        want = churn.permutation_auc_drop(ev.fitted[name], X, test.y, n_repeats=4)
        got = res.importance.loc[res.importance["model"] == name, "importance"]
        np.testing.assert_allclose(got, want)
    # the tree ranks perfectly on one split: shuffling that one feature costs AUC, the others 0
    tree_imp = res.importance[res.importance["model"] == "tree"].set_index("feature")
    assert (tree_imp["importance"] > 0).sum() == 1
    # scores: the best model refitted on the evaluation window, everyone as of 30 Jun
    now = churn.churn_window(h, cutoff=END, window_days=30, labelled=False, bgnbd=False)
    est = churn.make_model("tree", n_train=100).fit(X, test.y)
    prop = est.predict_proba(now.X.to_numpy())[:, 1]
    s = res.scores
    assert s["customer_id"].tolist() == [str(c) for c in now.X.index] and len(s) == 100
    assert list(s.columns) == ["customer_id", *churn.FEATURES, "propensity", "churn_probability"]
    np.testing.assert_allclose(s["propensity"], prop)
    np.testing.assert_allclose(s["churn_probability"], 1.0 - prop)
    # every a customer keeps buying, every p / q customer is gone
    assert (s["churn_probability"][s["customer_id"].str[0] == "a"] < 0.5).all()
    assert (s["churn_probability"][s["customer_id"].str[0] != "a"] > 0.5).all()


def test_sampled_fit_and_importance_say_so(monkeypatch):
    lines = _shop()
    monkeypatch.setattr(churn, "IMPORTANCE_SAMPLE", 60)
    res = churn.churn(lines, window_days=30, models=("logistic",), train_sample=50)
    assert (res.n_train, res.n_fit, res.n_test, res.n_importance) == (70, 50, 100, 60)
    assert res.notices == (
        "The models were fitted on a random sample of 50 of the 70 customers (seeded, so the "
        "result repeats); every one of the 100 evaluation customers and every current customer "
        "is scored. The holdout figures below are those of the sampled fit, so they show what "
        "sampling costs.",
        "The lifetime-value model's chance still active ranks customers worse than guessing "
        "here: it gives every customer who bought once a 100\u00a0% chance, yet most of them never "
        "come back. Its chance to buy in the window does not have this problem.",
        "Feature importance was measured on a random sample of 60 of the 100 evaluation customers.",
    )
    h, _train, test, ev = _reference(lines, models=("logistic",), train_sample=50)
    # the holdout figures are the sampled fit's (a fit on all 70 has another Brier score)
    pd.testing.assert_frame_equal(res.metrics.drop(columns="label"), ev.metrics)
    full = _reference(lines, models=("logistic",))[3].metrics.loc["logistic", "brier"]
    assert abs(full - res.metrics.loc["logistic", "brier"]) > 1e-6
    X = test.X.to_numpy()
    imp = churn.sample_rows(100, 60)
    want = churn.permutation_auc_drop(ev.fitted["logistic"], X[imp], test.y[imp], n_repeats=2)
    np.testing.assert_allclose(res.importance["importance"], want)
    # the refit for the scores takes the same seeded sample (50 of the 100) of the evaluation
    # window (a logistic fit on all 100 gives other probabilities)
    keep = churn.sample_rows(100, 50)
    est = churn.make_model("logistic", n_train=50).fit(X[keep], test.y[keep])
    now = churn.churn_window(h, cutoff=END, window_days=30, labelled=False, bgnbd=False)
    np.testing.assert_allclose(res.scores["propensity"], est.predict_proba(now.X.to_numpy())[:, 1])


def test_recency_as_good_as_any_model_and_too_few_repeat_buyers_are_said():
    # without q, recency at 31 May separates a (0..9 days) from p (30..49): AUC 1, and no model
    # can beat 1; 25 repeat buyers are fewer than BG/NBD's 30, so no BG/NBD baselines
    lines = _shop(n_a=25, n_q=0)
    res = churn.churn(lines, window_days=30, models=("gbm", "tree"))
    assert (res.n_train, res.n_test, res.test_positive_rate) == (55, 55, 25 / 55)
    assert list(res.metrics.index) == ["gbm", "tree", "recency"]
    assert res.metrics["auc"].tolist() == [1.0, 1.0, 1.0]
    h = customer_history(lines)
    test = churn.churn_window(h, cutoff=C2, window_days=30, bgnbd=False)
    assert roc_auc_score(test.y, -test.X["recency_days"]) == 1.0
    assert res.best_model == "gbm"
    assert res.notices == (
        "No model ranks customers better than days since the last order alone on the later "
        "period it was checked on (the best, Gradient boosting, ranks who left above who stayed "
        "100.0\u00a0% of the time; days since the last order, 100.0\u00a0%): use that here.",
        "BG/NBD baselines skipped: too few repeat buyers before the cut-off.",
    )
    assert res.roc["model"].unique().tolist() == ["gbm", "tree", "recency"]


def test_an_explicit_cut_off_and_a_given_history():
    lines = _shop()
    h = customer_history(lines)
    # evaluation cut-off 21 May: training cut-off 21 Apr; q customers who bought by 21 May count
    res = churn.churn(
        lines.iloc[:0],
        window_days=30,
        cutoff="2024-05-21",
        history=h,
        models=("tree",),
        train_sample=None,
    )
    assert (res.train_cutoff, res.test_cutoff, res.score_date) == (
        pd.Timestamp("2024-04-21"),
        pd.Timestamp("2024-05-21"),
        END,
    )
    # p buy 12 Apr .. 1 May: by 21 Apr those on 12..21 Apr (j % 20 >= 10: j = 10..19)
    assert res.n_train == 40 + 10
    assert res.n_fit == 50  # no sample: every training customer
    # q buy 12 .. 31 May: by 21 May those on 12..21 May (again 10 of 30); and every p
    assert res.n_test == 40 + 30 + 10


def test_long_roc_curves_are_thinned_to_300_points_keeping_both_ends():
    # 1,500 customers, each buying up to six times at their own gap (1..59 days): the BG/NBD
    # and logistic curves have more than 300 corners, recency (whole days) fewer
    rng = np.random.default_rng(3)
    n = 1500
    cust = np.repeat(np.arange(n), 6)
    day = (
        rng.integers(0, 60, size=n)[cust] + np.tile(np.arange(6), n) * rng.integers(1, 60, n)[cust]
    )
    keep = day < 150
    lines = pd.DataFrame(
        {
            "order_id": np.arange(int(keep.sum())).astype(str),
            "order_date": (START + pd.to_timedelta(day[keep], unit="D")).astype("datetime64[us]"),
            "customer_id": [f"c{c:04d}" for c in cust[keep]],
            "revenue": 10.0 + cust[keep] % 7,
        }
    )
    res = churn.churn(lines, window_days=30, models=("logistic",))
    h = customer_history(lines)
    test = churn.churn_window(h, cutoff=res.test_cutoff, window_days=30)
    fpr, tpr, _t = roc_curve(test.y, test.p_buy)
    assert len(fpr) > 300
    pick = np.unique(np.linspace(0, len(fpr) - 1, 300).astype(int))
    got = res.roc[res.roc["model"] == "bgnbd"]
    assert len(got) == 300 and got[["fpr", "tpr"]].iloc[[0, -1]].to_numpy().tolist() == [
        [0.0, 0.0],
        [1.0, 1.0],
    ]
    np.testing.assert_array_equal(got["fpr"], fpr[pick])
    np.testing.assert_array_equal(got["tpr"], tpr[pick])
    assert (res.roc["model"] == "logistic").sum() == 300
    # a short curve is kept whole
    fpr, tpr, _t = roc_curve(test.y, -test.X["recency_days"].to_numpy())
    assert len(fpr) < 300
    np.testing.assert_array_equal(res.roc.loc[res.roc["model"] == "recency", "fpr"], fpr)


def test_no_p_alive_notice_when_it_ranks_better_than_chance():
    # 40 a customers as in _shop, and 30 s customers who bought every ten days from 1 Jan to
    # 1 Mar and then stopped: repeat buyers silent for three months, so BG/NBD gives them a low
    # P(alive) and the a customers (bought in the last ten days) a high one: AUC 1 on the
    # evaluation window (a buy again, s do not); recency separates them as well (AUC 1)
    rows = [r for r in _shop(n_p=0, n_q=0).itertuples(index=False)]
    for j in range(30):
        for k, d in enumerate(range(0, 61, 10)):
            rows.append((f"s{j}-{k}", START + pd.Timedelta(days=d, hours=8), f"s{j:02d}", 20.0))
    lines = pd.DataFrame(rows, columns=["order_id", "order_date", "customer_id", "revenue"])
    lines["order_date"] = lines["order_date"].astype("datetime64[us]")
    res = churn.churn(lines, window_days=30, models=("tree",))
    assert (res.n_train, res.n_test, res.test_positive_rate) == (70, 70, 40 / 70)
    assert res.metrics.loc["p_alive", "auc"] == 1.0
    assert res.notices == (
        "No model ranks customers better than days since the last order alone on the later "
        "period it was checked on (the best, Decision tree, ranks who left above who stayed "
        "100.0\u00a0% of the time; days since the last order, 100.0\u00a0%): use that here.",
    )
