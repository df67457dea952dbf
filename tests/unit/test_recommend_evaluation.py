"""The offline test's verdict and its ratios against best sellers, on tables and a shop whose
figures are worked out by hand (kills mutants of ecomdash/recommend/evaluation.py)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import ecomdash.recommend.models as models_mod
from ecomdash import recommend as R
from ecomdash.errors import InsufficientDataError, ParameterError
from ecomdash.i18n import fmt, use_lang
from ecomdash.recommend import evaluation as E


def _table(rows: list[tuple[str, float]]) -> pd.DataFrame:
    """A comparison table as evaluate_models returns it: best first."""
    return pd.DataFrame({"model": [m for m, _ in rows], "hit_rate_at_k": [h for _, h in rows]})


def test_verdict_names_the_best_model_and_how_many_times_better():
    # 0.5 / 0.2 = 2.5 times the best sellers' hit rate
    v = E._verdict(_table([("item_knn", 0.5), ("ease", 0.3), ("popularity", 0.2)]), 10, 1234)
    assert v == (
        "Best: Similar products (same buyers). For 50\u00a0% of 1,234 returning customers, at "
        "least one of its top 10 products was something they went on to buy for the first "
        "time, against 20\u00a0% with best sellers: 2.5 times as many as with best sellers."
    )


def test_verdict_in_chinese_says_how_many_times_in_words():
    # 0.5 / 0.2 = 2.5 times: "2.5 倍", not the English "2.5×" left in a Chinese sentence
    with use_lang("zh"):
        v = E._verdict(_table([("item_knn", 0.5), ("ease", 0.3), ("popularity", 0.2)]), 10, 1234)
    assert v.endswith(
        "只推热销商品时这一比例是\u00a020%：达到只推热销商品时的\u00a02.5\u00a0倍。"
    ), v
    assert "×" not in v


def test_verdict_when_best_sellers_hit_nobody():
    v = E._verdict(_table([("ease", 0.25), ("popularity", 0.0)]), 5, 40)
    assert v == (
        "Best: Purchase patterns (EASE). For 25\u00a0% of 40 returning customers, at least one of "
        "its top 5 products was something they went on to buy for the first time, against 0\u00a0% "
        "with best sellers: far better than showing best sellers."
    )


def test_verdict_no_better_than_best_sellers_at_ten_percent_or_less():
    no_better = (
        "On your data the personalised models do no better than showing best sellers "
        "(best sellers: 50\u00a0% of 80 returning customers bought one of their top 3). "
        "Show best sellers, or collect more history first."
    )
    # exactly 1.1 times (0.55 = 0.5 * 1.1 in binary too): still no better
    assert E._verdict(_table([("als", 0.55), ("popularity", 0.5)]), 3, 80) == no_better
    # a baseline on top is never a personalised win, whatever its margin
    assert E._verdict(_table([("trending", 0.9), ("popularity", 0.5)]), 3, 80) == no_better
    assert E._verdict(_table([("popularity", 0.5), ("ease", 0.1)]), 3, 80) == no_better
    # just above 1.1 times: a win, 0.56 / 0.5 = 1.12 -> "1.1 times"
    win = E._verdict(_table([("als", 0.56), ("popularity", 0.5)]), 3, 80)
    assert win.startswith("Best: Taste profiles (ALS). For 56\u00a0% of 80 ")
    assert win.endswith(
        "against 50\u00a0% with best sellers: 1.1 times as many as with best sellers."
    )


def test_ratio_to_best_sellers_by_hand():
    values = pd.Series([0.6, 0.3, 0.0], index=[4, 5, 6])
    pd.testing.assert_series_equal(
        E._ratio(values, 0.3), pd.Series([2.0, 1.0, 0.0], index=[4, 5, 6])
    )
    # best sellers hit nobody: any hit is infinitely better, no hit is a tie (1)
    got = E._ratio(values, 0.0)
    assert list(got.index) == [4, 5, 6]
    assert got.tolist() == [math.inf, math.inf, 1.0]


def _shop() -> pd.DataFrame:
    """Buyers (last purchase date): A 1 (03-01), 2 (03-02), 3 (03-04); B 1 (03-01),
    2 (03-02), 4 (03-05); C 2 (03-03), 3 (03-04); D 5 (01-01). Last date: 2024-03-05."""
    rows = [
        ("O1", "2024-03-01", "1", "A"),
        ("O1", "2024-03-01", "1", "B"),
        ("O2", "2024-03-02", "2", "A"),
        ("O2", "2024-03-02", "2", "B"),
        ("O3", "2024-03-03", "2", "C"),
        ("O4", "2024-03-04", "3", "A"),
        ("O4", "2024-03-04", "3", "C"),
        ("O5", "2024-03-05", "4", "B"),
        ("O6", "2024-01-01", "5", "D"),
    ]
    df = pd.DataFrame(rows, columns=["order_id", "order_date", "customer_id", "product_id"])
    df["order_date"] = pd.to_datetime(df["order_date"])
    df["quantity"] = 1.0
    df["revenue"] = 5.0
    return df


def test_models_compared_on_new_purchases_by_hand():
    inter = R.build_interactions(_shop())
    # top 1, new purchases only. Best sellers (distinct buyers): A 3, B 3, C 2, D 1 -> 4 and 5
    # get A, 1 (owns A, B) gets C. Bought in the last 3 days (age = days before the last date
    # + 1, so 03-03 to 03-05):
    # C by 2 and 3, A by 3, B by 4 -> everybody gets C.
    truth = {"4": {"C"}, "5": {"C"}, "1": {"C", "D"}, "9": {"A"}}
    models = {
        "popularity": R.PopularityRecommender(),
        "recent": R.PopularityRecommender(window_days=3),
    }
    res = R.evaluate_split(
        inter,
        truth,
        cutoff=pd.Timestamp("2024-03-06"),
        end=pd.Timestamp("2024-04-01"),
        k=1,
        models=models,
        min_test_customers=3,
    )
    t = res.table
    assert list(t["model"]) == ["recent", "popularity"]  # best hit rate first
    pop, rec = t.iloc[1], t.iloc[0]
    # best sellers: only 1 hits (C, one of its 2 new products)
    assert pop["hit_rate_at_k"] == pytest.approx(1 / 3)
    assert pop["precision_at_k"] == pytest.approx(1 / 3)
    assert pop["recall_at_k"] == pytest.approx((0 + 0 + 1 / 2) / 3)
    assert pop["ndcg_at_k"] == pytest.approx(1 / 3)
    assert pop["coverage"] == pytest.approx(2 / 4)  # A and C shown
    # recent: C hits all three; recall 1, 1, 1/2
    assert rec["hit_rate_at_k"] == pytest.approx(1.0)
    assert rec["precision_at_k"] == pytest.approx(1.0)
    assert rec["recall_at_k"] == pytest.approx(2.5 / 3)
    assert rec["coverage"] == pytest.approx(1 / 4)
    assert rec["hit_rate_vs_popularity"] == pytest.approx(3.0)
    assert rec["precision_vs_popularity"] == pytest.approx(3.0)
    assert pop["hit_rate_vs_popularity"] == pytest.approx(1.0)
    assert rec["label"] == "recent" and pop["label"] == "Popularity (best sellers)"
    for col in ("fit_seconds", "score_seconds", "fit_cpu_seconds", "score_cpu_seconds"):
        assert (t[col] >= 0).all()
    # "9" (unknown before the cut-off) is not a test customer
    assert (res.n_test_customers, res.n_train_customers, res.n_products) == (3, 5, 4)
    assert res.k == 1 and res.best_model == "recent"
    assert res.cutoff == pd.Timestamp("2024-03-06") and res.end == pd.Timestamp("2024-04-01")
    assert res.warnings == (
        "Only 3 customers to test on: differences of a few points between models are noise.",
    )
    # "recent" is not a baseline: 100 % against 33 % is a win, 3.0 times; a model key outside
    # the catalogue is named by its key
    assert res.verdict == (
        "Best: recent. For 100\u00a0% of 3 returning customers, at least one of its top 1 products "
        "was something they went on to buy for the first time, against 33\u00a0% with best sellers: "
        "3.0 times as many as with best sellers."
    )
    # the table's columns, exactly (no stray index or re-typed copy)
    assert list(t.columns) == [
        "model",
        "label",
        *E.METRIC_COLUMNS,
        "fit_seconds",
        "score_seconds",
        "fit_cpu_seconds",
        "score_cpu_seconds",
        "hit_rate_vs_popularity",
        "precision_vs_popularity",
    ]
    assert list(t.index) == [0, 1]
    # evaluate_models scores only customers with something new: "2" (nothing) changes nothing
    again = E.evaluate_models(inter, {**truth, "2": set()}, models, k=1)
    pd.testing.assert_frame_equal(
        again[list(E.METRIC_COLUMNS)], t[list(E.METRIC_COLUMNS)], check_exact=False
    )


def test_equal_scores_are_listed_by_model_name_and_the_baseline_is_added():
    inter = R.build_interactions(_shop())
    truth = {"4": {"A"}, "5": {"C"}, "3": {"D"}}
    # two copies of best sellers: same figures, so the name decides ("best" < "popularity")
    res = R.evaluate_split(
        inter,
        truth,
        cutoff=pd.Timestamp("2024-03-06"),
        end=pd.Timestamp("2024-04-01"),
        k=1,
        models={"best": R.PopularityRecommender()},
        min_test_customers=3,
    )
    assert list(res.table["model"]) == ["best", "popularity"]
    # 4 gets A (hit), 5 gets A, 3 (owns A, C) gets B: one hit in three
    assert res.table["hit_rate_at_k"].tolist() == pytest.approx([1 / 3, 1 / 3])
    assert res.verdict.startswith("On your data the personalised models do no better")


def test_too_few_returning_customers_says_how_many():
    inter = R.build_interactions(_shop())
    with pytest.raises(InsufficientDataError) as err:
        R.evaluate_split(
            inter,
            {"4": {"C"}, "9": {"A"}},
            cutoff=pd.Timestamp("2024-03-06"),
            end=pd.Timestamp("2024-04-01"),
            min_test_customers=2,
        )
    assert "before 6 March 2024" in str(err.value)
    assert "found 1 (need 2)" in str(err.value)
    # a known customer with nothing new ("2": an empty set) did not come back for something
    # new: not a test customer either
    with pytest.raises(InsufficientDataError, match="found 1 \\(need 2\\)"):
        R.evaluate_split(
            inter,
            {"4": {"C"}, "2": set()},
            cutoff=pd.Timestamp("2024-03-06"),
            end=pd.Timestamp("2024-04-01"),
            min_test_customers=2,
        )


def test_sampled_customers_margin_of_error_by_hand():
    inter = R.build_interactions(_shop())
    # best sellers: 4 gets A (miss), 5 gets A (hit), 1 gets C (hit), 3 (owns A, C) gets B
    # (miss). Any 3 of the 4 have a hit rate of 1/3 or 2/3, so h(1 - h) = 2/9 whichever.
    truth = {"4": {"C"}, "5": {"A"}, "1": {"C"}, "3": {"D"}}
    res = R.evaluate_split(
        inter,
        truth,
        cutoff=pd.Timestamp("2024-03-06"),
        end=pd.Timestamp("2024-04-01"),
        k=1,
        models={},
        min_test_customers=2,
        max_test_customers=3,
    )
    assert res.n_test_customers == 3
    assert res.table["hit_rate_at_k"].iloc[0] in (pytest.approx(1 / 3), pytest.approx(2 / 3))
    moe = 1.96 * math.sqrt((2 / 9) / 3)  # 53.3 %
    assert res.warnings[0] == (
        "Measured on a random sample of 3 of the 4 returning customers (to keep the test "
        f"fast): hit rates are within about ±{fmt.pct(moe, 1, lang='en')} of what all of them would give, so "
        "models closer than that are a tie."
    )
    assert "±53.3\u00a0%" in res.warnings[0]
    # at the cap exactly: everybody, no sample
    whole = R.evaluate_split(
        inter,
        truth,
        cutoff=pd.Timestamp("2024-03-06"),
        end=pd.Timestamp("2024-04-01"),
        k=1,
        models={},
        min_test_customers=2,
        max_test_customers=4,
    )
    assert whole.n_test_customers == 4
    assert whole.table["hit_rate_at_k"].iloc[0] == pytest.approx(2 / 4)
    assert not any("sample" in w for w in whole.warnings)


def test_evaluate_defaults_top_10_and_five_returning_customers():
    later = pd.DataFrame(
        [("T1", "1", "C"), ("T2", "2", "D"), ("T3", "3", "B"), ("T4", "4", "A"), ("T5", "5", "A")],
        columns=["order_id", "customer_id", "product_id"],
    ).assign(order_date=pd.Timestamp("2024-03-10"), quantity=1.0, revenue=5.0)
    lines = pd.concat([_shop(), later], ignore_index=True)
    models = {"popularity": R.PopularityRecommender()}
    res = R.evaluate(lines, cutoff="2024-03-06", models=models)
    assert res.k == 10 and res.n_test_customers == 5
    assert res.cutoff == pd.Timestamp("2024-03-06")
    assert res.end == pd.Timestamp("2024-03-10") + pd.Timedelta(microseconds=1)
    # a test window ending before the later purchases leaves nobody to test on
    with pytest.raises(InsufficientDataError, match="cut-off 6 March 2024 leaves"):
        R.evaluate(lines, cutoff="2024-03-06", end="2024-03-09", models=models)
    # the end is exclusive: purchases at 2024-03-10 00:00 are not in a window ending then
    with pytest.raises(InsufficientDataError, match="cut-off 6 March 2024 leaves"):
        R.chronological_split(lines, cutoff="2024-03-06", end="2024-03-10")
    # ... one ending just after them keeps all five
    res = R.evaluate(lines, cutoff="2024-03-06", end="2024-03-11", models=models)
    assert res.end == pd.Timestamp("2024-03-11") and res.n_test_customers == 5
    # top 10 of 4 products: everybody is shown every product they have not bought: all hit
    assert res.table["hit_rate_at_k"].iloc[0] == 1.0
    assert res.table["precision_at_k"].iloc[0] == pytest.approx(1 / 10)
    with pytest.raises(InsufficientDataError, match=r"found 4 \(need 5\)"):
        R.evaluate(lines.loc[lines["order_id"] != "T5"], cutoff="2024-03-06", models=models)


def test_evaluate_counts_rebuys_of_consumables_in_the_truth():
    later = pd.DataFrame(
        [("T1", "4", "B"), ("T2", "4", "A"), ("T3", "1", "C")],
        columns=["order_id", "customer_id", "product_id"],
    ).assign(order_date=pd.Timestamp("2024-03-10"), quantity=1.0, revenue=5.0)
    lines = pd.concat([_shop(), later], ignore_index=True)
    rules = R.BusinessRules(rebuy_products=("B",))
    res = R.evaluate(
        lines,
        cutoff="2024-03-06",
        k=1,
        models={"popularity": R.PopularityRecommender(rules=rules)},
        rules=rules,
        min_test_customers=2,
    )
    # truth: 1 {C}; 4 {A, B} (B is a consumable: its re-buy counts). Best sellers A, B
    # (3 buyers each, A first), C: 1 (owns A; B may come back) gets B, 4 gets A.
    row = res.table.iloc[0]
    assert row["hit_rate_at_k"] == pytest.approx(1 / 2)
    assert row["recall_at_k"] == pytest.approx((0 + 1 / 2) / 2)


def test_evaluate_passes_its_cap_on_test_customers():
    later = pd.DataFrame(
        [("T1", "1", "C"), ("T2", "2", "D"), ("T3", "3", "B"), ("T4", "4", "A"), ("T5", "5", "A")],
        columns=["order_id", "customer_id", "product_id"],
    ).assign(order_date=pd.Timestamp("2024-03-10"), quantity=1.0, revenue=5.0)
    lines = pd.concat([_shop(), later], ignore_index=True)
    models = {"popularity": R.PopularityRecommender()}
    res = R.evaluate(lines, cutoff="2024-03-06", models=models, max_test_customers=3)
    assert res.n_test_customers == 3
    assert "random sample of 3 of the 5 returning customers" in res.warnings[0]


def test_split_errors_word_for_word():
    lines = _shop()
    with pytest.raises(InsufficientDataError) as err:
        R.chronological_split(lines.drop(columns="order_date"))
    assert str(err.value) == (
        "The offline evaluation needs order dates to split past from future purchases. Found "
        "no order_date column. Map the order date column on the Data page."
    )
    with pytest.raises(InsufficientDataError) as err:
        R.chronological_split(lines.assign(customer_id=None))
    assert str(err.value) == (
        "The offline evaluation needs dated sales lines with a customer id; found none. Check "
        "the customer id and order date mapping."
    )
    with pytest.raises(InsufficientDataError) as err:
        R.chronological_split(lines, cutoff="2024-01-01")
    # nothing sold before 2024-01-01; the 9 lines run from 2024-01-01 to 2024-03-05
    assert str(err.value) == (
        "The cut-off 1 January 2024 leaves 0 training and 9 test lines (data runs 1 January 2024 to "
        "5 March 2024). Pick a cut-off inside that range with purchases on both sides."
    )


def test_evaluate_models_needs_the_baseline_and_scores_top_10_by_default():
    inter = R.build_interactions(_shop())
    truth = {"4": {"C"}, "5": {"C"}, "1": {"C", "D"}}
    with pytest.raises(ParameterError) as err:
        E.evaluate_models(inter, truth, {"recent": R.PopularityRecommender(window_days=3)})
    assert str(err.value) == "evaluate_models needs a 'popularity' model as the baseline."
    table = E.evaluate_models(inter, truth, {"popularity": R.PopularityRecommender()})
    # top 10 of 4 products: 4 gets A, C, D; 5 gets A, B, C; 1 gets C, D: all hit. Precision
    # divides by k = 10: (1 + 1 + 2) / 10 / 3
    row = table.iloc[0]
    assert row["hit_rate_at_k"] == 1.0
    assert row["precision_at_k"] == pytest.approx(4 / 30)
    assert row["coverage"] == 1.0


class _Fixed(R.PopularityRecommender):
    """A model showing each customer a fixed list (product ids)."""

    def __init__(self, lists=None, *, window_days=None, rules=None):
        super().__init__(window_days=window_days, rules=rules)
        self.lists = lists

    def top_items(self, rows, k, *, exclude_bought=True):
        products = list(self.interactions_.products)
        out = np.full((len(rows), k), -1, dtype=np.int64)
        for r, c in enumerate(self.interactions_.customers[rows]):
            idx = [products.index(p) for p in self.lists[c]]
            out[r, : len(idx)] = idx
        return out


def test_equal_hit_rates_are_listed_by_the_higher_precision_first():
    inter = R.build_interactions(_shop())
    truth = {"1": {"C", "D"}, "4": {"C"}, "5": {"A"}}
    models = {
        "popularity": R.PopularityRecommender(),
        # 1 and 4 hit with both: hit rate 2/3 each; "more" has two right for 1
        "more": _Fixed({"1": ["C", "D"], "4": ["C", "A"], "5": ["B", "C"]}),
        "less": _Fixed({"1": ["C", "A"], "4": ["C", "B"], "5": ["C", "B"]}),
    }
    table = E.evaluate_models(inter, truth, models, k=2)
    # best sellers A, B (3 buyers each), C, D; top 2, bought skipped: 1 (owns A, B) gets C, D;
    # 4 (owns B) A, C; 5 (owns D) A, B: all three hit; precision (2/2 + 1/2 + 1/2) / 3
    assert list(table["model"]) == ["popularity", "more", "less"]
    assert table["hit_rate_at_k"].tolist() == pytest.approx([1.0, 2 / 3, 2 / 3])
    # precision (2/2 + 1/2 + 0) / 3 against (1/2 + 1/2 + 0) / 3: before "less" despite its name
    assert table["precision_at_k"].tolist() == pytest.approx([2 / 3, 1 / 2, 1 / 3])


def test_evaluate_passes_keep_on(monkeypatch):
    later = pd.DataFrame(
        [("T1", "1", "C"), ("T2", "2", "D"), ("T3", "3", "B"), ("T4", "4", "A"), ("T5", "5", "A")],
        columns=["order_id", "customer_id", "product_id"],
    ).assign(order_date=pd.Timestamp("2024-03-10"), quantity=1.0, revenue=5.0)
    lines = pd.concat([_shop(), later], ignore_index=True)
    # before the cut-off: 9 customer x product pairs (A 1, 2, 3; B 1, 2, 4; C 2, 3; D 5)
    monkeypatch.setattr(models_mod, "ALS_TEST_MAX_PURCHASES", 8)

    def models():
        return {"popularity": R.PopularityRecommender(), "als": R.make_model("als")}

    res = R.evaluate(lines, cutoff="2024-03-06", models=models())
    assert list(res.table["model"]) == ["popularity"]
    assert res.warnings[0] == (
        "Taste profiles (ALS) was left out of the test. ALS is the slowest "
        "model to fit (about 40 s of computing at 7 million purchases); the data has 9 "
        "purchases (customer × product pairs; the test includes ALS up to 8). Choose ALS "
        "under Model to test it anyway."
    )
    res = R.evaluate(lines, cutoff="2024-03-06", models=models(), keep=("als",))
    assert sorted(res.table["model"]) == ["als", "popularity"]
    assert not any("left out" in w for w in res.warnings)
