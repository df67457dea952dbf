"""ecomdash.findings: each finding sized and ranked against hand-computed Results."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from ecomdash import findings as FD
from ecomdash.basket import BasketResult, BundleWhatIf
from ecomdash.churn import ChurnResult
from ecomdash.forecast import ForecastResult, ManyForecastResult, SeriesResult
from ecomdash.i18n import _, use_lang
from ecomdash.inventory import RestockResult, plan_restock

T0 = pd.Timestamp("2026-10-31")


# --- hand-built Results --------------------------------------------------------------------------


def _restock(
    *,
    on_hand=None,
    cover=None,
    order_qty=None,
    auto_mase=(0.6, 0.8, 2.5),
    baseline_mase=(0.8, 1.0, 1.4),
) -> RestockResult:
    """Three products; prices = revenue / units over the history: 10, 3 and 10. The plan's
    ``mase`` is the final model's in-sample score; the forecasts' ``auto_mase`` the honest
    backtest one (``baseline_mase``: the seasonal naive's)."""
    ids = ["p1", "p2", "p3"]
    n = len(ids)
    plan = pd.DataFrame(
        {
            "product_id": ids,
            "product_name": ["Teapot", "Tea Tin", "Mug"],
            "revenue": [100.0, 60.0, 50.0],
            "abc": ["A", "A", "B"],
            "mase": [0.5, 0.9, 2.0],
            "daily_demand": [2.0, 1.0, 5.0],
            "on_hand": on_hand if on_hand is not None else [np.nan] * n,
            "days_of_cover": cover if cover is not None else [np.nan] * n,
            "order_qty": order_qty if order_qty is not None else [np.nan] * n,
        }
    )
    weeks = pd.date_range("2026-10-05", periods=2, freq="W-MON")
    history = pd.DataFrame([[4.0, 6.0], [10.0, 10.0], [5.0, 0.0]], index=ids, columns=weeks)
    many = ManyForecastResult(
        table=pd.DataFrame(
            {
                "product_id": ids,
                "mase": [0.5, 0.9, 2.0],
                "auto_mase": list(auto_mase),
                "baseline_mase": list(baseline_mase),
            }
        ),
        forecasts=pd.DataFrame(),
        history=history,
        metric="units",
        freq="W",
        horizon=8,
        n_folds=4,
        seconds=0.0,
    )
    return RestockResult(
        plan=plan,
        classes=pd.DataFrame(),
        matrix=pd.DataFrame(),
        matrix_revenue=pd.DataFrame(),
        forecasts=many,
        as_of=T0,
        params={"lead_time_days": 14},
    )


def _churn(auc: float) -> ChurnResult:
    metrics = pd.DataFrame({"auc": [0.55, auc]}, index=pd.Index(["recency", "tree"], name="model"))
    return ChurnResult(
        metrics=metrics,
        best_model="tree",
        roc=pd.DataFrame(),
        calibration=pd.DataFrame(),
        importance=pd.DataFrame(),
        scores=pd.DataFrame(),
        train_cutoff=T0,
        test_cutoff=T0,
        score_date=T0,
        window_days=90,
        n_train=0,
        n_test=0,
        test_positive_rate=0.0,
    )


AT_RISK = pd.DataFrame(
    {
        "customer_id": ["c1", "c2", "c3", "c4"],
        "value_at_risk": [800.0, 900.0, 400.0, 100.0],
        "churn_probability": [0.8, 0.9, 0.4, 0.5],
        "revenue_365d": [1000.0, 1000.0, 1000.0, 200.0],
        "recency_days": [100, 300, 50, 200],
        "frequency": [3, 1, 2, 5],
        "monetary": [300.0, 1000.0, 500.0, 40.0],
    }
)


def _basket(rules: list[tuple]) -> BasketResult:
    """rules: (antecedents, consequents, count, confidence, lift)."""
    r = pd.DataFrame(rules, columns=["antecedents", "consequents", "count", "confidence", "lift"])
    r["names"] = "x"
    items = pd.DataFrame(
        {"item": list("abcde"), "name": ["A-name", "B-name", "Teapot", "Tea Tin", "E-name"]}
    )
    return BasketResult(
        itemsets=pd.DataFrame(),
        rules=r,
        items=items,
        n_baskets=1000,
        n_multi_item_baskets=500,
        min_count=10,
        params={"level": "product"},
        warnings=(),
        elapsed=0.0,
    )


RULES = [
    (("a",), ("b",), 20, 0.9, 9.0),  # strongest, but on 20 baskets only: an idea, not a finding
    (("c",), ("d",), 150, 0.4, 5.0),  # the finding (same lift as its reverse, higher confidence)
    (("c", "e"), ("d",), 200, 0.8, 12.0),  # not one-to-one
    (("d",), ("c",), 150, 0.3, 5.0),
    (("e",), ("a",), 60, 0.2, 0.8),  # below chance
]


def _forecast(actual: list[float], mean: list[float], lo: list[float], hi: list[float]):
    """Two backtest folds of the chosen model ("ets"); the last holds ``actual``/``mean``."""
    n = len(actual)
    days = pd.date_range("2026-10-01", periods=2 * n, freq="D")
    rows = []
    for fold, chunk in ((1, days[:n]), (2, days[n:])):
        for i, d in enumerate(chunk):
            a, m = (actual[i], mean[i]) if fold == 2 else (1.0, 1.0)
            lo_, hi_ = (lo[i], hi[i]) if fold == 2 else (0.0, 2.0)
            rows.append((fold, "ets", d, a, m, lo_, hi_))
            rows.append((fold, "naive", d, a, 999.0, 0.0, 2000.0))  # another model: ignored
    folds = pd.DataFrame(
        rows, columns=["fold", "model", "period", "actual", "mean", "lo80", "hi80"]
    )
    series = SeriesResult(
        frame=pd.DataFrame(),
        future=pd.DataFrame(),
        metric="revenue",
        freq="D",
        season_length=7,
        closed_weekdays=(),
        closures=(),
        holiday_country=None,
        closed_on_holidays=False,
        scope=(),
        returns="net",
    )
    return ForecastResult(
        series=series,
        model="ets",
        backtest=pd.DataFrame(),
        folds=folds,
        forecast=pd.DataFrame(),
        candidates=pd.DataFrame(),
        auto_choices=(),
        horizon=n,
        n_folds=2,
        seasonal=True,
        verdict="",
        seconds=0.0,
    )


# --- restock -------------------------------------------------------------------------------------


def test_restock_without_stock_sizes_best_sellers_sales_over_the_lead_time():
    f = FD.restock_finding(_restock())
    # A products p1, p2: 2/day x 14 days x price 10 + 1/day x 14 x price 3 = 280 + 42
    assert f.value == pytest.approx(322.0)
    assert f.headline.startswith("Keep your 2 best sellers in stock: 320 of sales")  # 2 sig. fig.
    assert f.subjects == ("Teapot", "Tea Tin")
    assert f.confidence == "high"  # median MASE of p1, p2 = 0.7
    assert f.page == FD.PAGE_FORECAST and dict(f.query) == {"tab": "restock"}
    # the honest backtest MASE (auto_mase) of p1, p2: median (0.6 + 0.8) / 2 = 0.70; the
    # seasonal naive's: (0.8 + 1.0) / 2 = 0.90: the figures are the label's tooltip ...
    assert f.confidence_detail == "median backtest MASE 0.70, naive forecast 0.90"
    # ... the note says them in plain words: 0.70 / 0.90 = 0.78, 22 % less (it read "median
    # backtest MASE 0.70, naive forecast 0.90" on the Home)
    assert f.confidence_note == (
        "checked on past weeks, the forecasts of these products missed by 22\u00a0% less than "
        "repeating last year's weeks"
    )
    with use_lang("zh"):
        z = FD.restock_finding(_restock())
    assert z.confidence_note == "在过去几周上检验，这些商品预测的误差比照搬去年同期各周少\u00a022%"
    assert z.confidence_detail == "回测 MASE 中位数\u00a00.70，朴素预测\u00a00.90"
    assert "MASE" not in f.confidence_note + z.confidence_note


def test_restock_confidence_follows_the_backtest_not_the_in_sample_score():
    """The plan's mase (0.5, 0.9: median 0.70, "high") is the final model scored on the folds
    it was chosen on; the honest backtest (auto_mase 0.9, 1.3: median 1.10) says "low"."""
    f = FD.restock_finding(_restock(auto_mase=(0.9, 1.3, 2.5)))
    assert f.confidence == "low"
    assert f.confidence_detail == "median backtest MASE 1.10, naive forecast 0.90"
    # 1.10 / 0.90 = 1.22: worse than repeating last year's weeks, said so
    assert f.confidence_note == (
        "checked on past weeks, the forecasts of these products missed by 22\u00a0% more than "
        "repeating last year's weeks"
    )
    lost = FD.restock_finding(
        _restock(
            on_hand=[8.0, 20.0, np.nan],
            cover=[4.0, 20.0, np.nan],
            order_qty=[30.0, 5.0, np.nan],
            auto_mase=(0.85, 0.95, 0.1),  # p1, p2 due: median 0.90 (p3 not due) ...
        )
    )
    # ... no better than the seasonal naive's 0.90 on the same folds: low (0.8 / 1.0 fixed
    # thresholds rated it medium)
    assert lost.confidence == "low"
    assert lost.confidence_detail.startswith("median backtest MASE 0.90,")
    assert lost.confidence_note == (
        "checked on past weeks, the forecasts of these products missed about as much as "
        "repeating last year's weeks"
    )
    # without the forecasts' table: no backtest score, low
    bare = _restock()
    bare = dataclasses.replace(
        bare, forecasts=dataclasses.replace(bare.forecasts, table=pd.DataFrame())
    )
    f = FD.restock_finding(bare)
    assert (f.confidence, f.confidence_note, f.confidence_detail) == (
        "low",
        "the forecasts of these products could not be checked on past weeks",
        "",
    )


@pytest.mark.parametrize(
    ("auto", "naive", "label"),
    [
        # the model's median backtest MASE against the seasonal naive's on the same folds
        ((0.6, 0.8), (0.5, 0.7), "low"),  # 0.70 against 0.60: worse than the naive (was high)
        ((1.0, 1.2), (1.4, 1.6), "high"),  # 1.10 against 1.50: 0.73× the naive's (was low)
        ((0.8, 1.0), (0.9, 1.1), "medium"),  # 0.90 against 1.00: better, not by a fifth
        ((0.7, 0.9), (0.9, 1.1), "medium"),  # 0.80 against 1.00: exactly 0.8×, not under it
    ],
)
def test_restock_confidence_rates_the_model_against_the_naive_on_the_same_folds(auto, naive, label):
    """The note compares the model's backtest MASE with the seasonal naive's on the same folds;
    the label does too: high under 0.8 × the naive's, medium under it, low otherwise (it was
    fixed thresholds 0.8 / 1.0, so a model worse than the naive could read "high")."""
    f = FD.restock_finding(_restock(auto_mase=(*auto, 9.0), baseline_mase=(*naive, 9.0)))
    assert f.confidence == label, f.confidence_note


def test_restock_with_stock_sizes_the_sales_lost_after_the_stock_out():
    f = FD.restock_finding(
        _restock(
            on_hand=[8.0, 20.0, np.nan],
            cover=[4.0, 20.0, np.nan],  # p1 runs out after 4 of the 14 days
            order_qty=[30.0, 5.0, np.nan],  # p2 is below its reorder point + review demand
        )
    )
    # p1: 10 days short x 2/day x price 10 = 200; p2 covers the lead time (nothing lost)
    assert f.value == pytest.approx(200.0)
    assert f.headline == "Restock 2 products this week, or lose an estimated 200 of sales"
    assert f.subjects == ("Teapot", "Tea Tin")
    assert f.confidence == "high"


def test_restock_with_stock_and_nothing_due_is_no_finding():
    f = FD.restock_finding(
        _restock(on_hand=[80.0, 90.0, 99.0], cover=[40.0, 90.0, 20.0], order_qty=[0, 0, 0])
    )
    assert f is None


# --- win-back ------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_winback_without_order_ids_says_purchase_days(lang):
    """CDNOW has no order id, so its customers' purchases are counted in purchase days: its
    Home read "Repeat buyers (2+ orders)" and "since their last order". With ``days`` the
    finding says purchase days and the last purchase; with order ids as before."""
    from ecomdash.i18n import use_lang

    with use_lang(lang):
        by_days = FD.winback_finding(AT_RISK, _churn(0.75), days=True)
        by_orders = FD.winback_finding(AT_RISK, _churn(0.75))
    said = {
        "en": ("Repeat buyers (2+ purchase days)", "since their last purchase", "2+ orders"),
        # the checklist's words for them, "复购客户（≥ 2 个购买日）" (it read "2 个及以上购买日")
        "zh": ("复购客户（≥\u00a02\u00a0个购买日）", "距上次购买", "单及以上"),
    }[lang]
    assert by_days.detail.startswith(said[0]) and said[1] in by_days.headline
    with use_lang(lang):  # as the Customer value checklist names them
        assert by_days.detail.startswith(_("Repeat buyers (2+ purchase days)"))
    assert said[2] not in by_days.detail
    assert said[2] in by_orders.detail and said[1] not in by_orders.headline
    assert (by_days.customers, by_days.value) == (by_orders.customers, by_orders.value)
    # the "Why": checked on later purchases, words that fit both (it said "later orders")
    later = {"en": "checked on later purchases", "zh": "后续购买上检验"}[lang]
    assert later in by_days.confidence_note and later in by_orders.confidence_note
    assert "orders" not in by_days.confidence_note and "订单" not in by_days.confidence_note


def test_winback_counts_repeat_buyers_likely_to_lapse_and_their_value_at_risk():
    f = FD.winback_finding(AT_RISK, _churn(0.75))
    # c1 (3 orders, p 0.8) and c4 (5 orders, p 0.5); c2 bought once, c3 is below 0.5
    assert f.customers == 2
    assert f.value == pytest.approx(900.0)
    assert "2 loyal customers" in f.headline and "median 150\u00a0days" in f.headline
    assert f.confidence == "medium"  # AUC 0.75 of the best model, not the baseline's 0.55
    # in the churn tab's plain words, not "AUC 0.75; 0.5 is guessing"
    assert (
        "ranks customers who left above those who stayed 75\u00a0% of the time" in f.confidence_note
    )
    assert "AUC" not in f.confidence_note and "0.75" not in f.confidence_note
    with use_lang("zh"):
        zh = FD.winback_finding(AT_RISK, _churn(0.75)).confidence_note
    assert "把流失客户排在留存客户之前的比例为\u00a075%" in zh and "AUC" not in zh
    assert f.page == FD.PAGE_VALUE


@pytest.mark.parametrize(
    ("lang", "detail"),
    [
        ("en", "{model}: holdout ROC AUC 0.75; days since the last order alone 0.55"),
        ("zh", "{model}：验证期 ROC AUC 0.75；只看距上次下单天数为\u00a00.55"),
    ],
)
def test_winback_confidence_tooltip_gives_the_models_held_out_figures(lang, detail):
    """The win-back's confidence label had no tooltip (the restock's gives its backtest MASE,
    the price's its elasticity): it gives the churn model's figures now, by the churn tab's
    names — the model, its holdout ROC AUC and that of days since the last order alone —
    while the note under the finding keeps them in plain words."""
    from ecomdash.labels import model_label

    with use_lang(lang):
        f = FD.winback_finding(AT_RISK, _churn(0.75))
        assert f.confidence_detail == detail.format(model=model_label("tree"))
        no_base = _churn(0.75)
        no_base = dataclasses.replace(no_base, metrics=no_base.metrics.drop(index="recency"))
        assert FD.winback_finding(AT_RISK, no_base).confidence_detail == (
            detail.split("; ")[0].split("；")[0].format(model=model_label("tree"))
        )
    assert "AUC" not in f.confidence_note  # the note stays plain
    nan = _churn(float("nan"))
    assert FD.winback_finding(AT_RISK, nan).confidence_detail == ""


@pytest.mark.parametrize("auc,label", [(0.93, "high"), (0.8, "high"), (0.69, "low")])
def test_winback_confidence_follows_the_models_auc(auc, label):
    assert FD.winback_finding(AT_RISK, _churn(auc)).confidence == label


def test_winback_without_repeat_buyers_at_risk_is_no_finding():
    assert FD.winback_finding(AT_RISK[AT_RISK["frequency"] == 1], _churn(0.9)) is None
    assert FD.winback_finding(AT_RISK.iloc[0:0], _churn(0.9)) is None


# --- bundles -------------------------------------------------------------------------------------


def test_bundle_direction_is_decided_by_confidence_not_float_noise_in_lift():
    """A rule and its reverse share one lift; computed two ways it can differ in the last bit
    (2e-15 on the demo) and that picked the direction. Confidence decides now."""
    noisy = [
        (("c",), ("d",), 150, 0.3, 5.000000000000002),  # lower confidence, noise-higher lift
        (("d",), ("c",), 150, 0.4, 5.0),
    ]
    rule = FD.best_bundle_rule(_basket(noisy))
    assert (rule["antecedents"], rule["consequents"]) == (("d",), ("c",))
    assert rule["lift"] == 5.0  # the rule itself, unrounded
    # a real difference in lift still wins over confidence
    real = [(("c",), ("d",), 150, 0.3, 5.01), (("d",), ("c",), 150, 0.4, 5.0)]
    assert FD.best_bundle_rule(_basket(real))["antecedents"] == ("c",)


def test_bundle_is_the_strongest_one_to_one_rule_on_enough_baskets():
    res = _basket(RULES)
    rule = FD.best_bundle_rule(res)
    assert (rule["antecedents"], rule["consequents"]) == (("c",), ("d",))
    whatif = BundleWhatIf(
        antecedent=("c",),
        consequent=("d",),
        share=0.1,
        n_baskets=1000,
        n_with_antecedent=375,
        n_with_both=150,
        n_antecedent_only=225,
        prices=pd.DataFrame(),
        extra_orders=22.5,
        extra_revenue=123.4,
    )
    f = FD.bundle_finding(res, whatif)
    assert f.value == pytest.approx(123.4)
    assert f.headline == "Bundle two products bought together 5.0× more than chance"
    assert f.subjects == ("Teapot + Tea Tin",)  # merchant text only here, never in headline
    assert "Teapot" not in f.headline + f.detail
    assert dict(f.query) == {"item": "c"}
    assert f.confidence == "high"  # 150 baskets
    # the what-if as the Basket page writes it (basket.whatif_figures): 10 % of 225 orders is
    # 22.5 sales, about 23 (half up, orders come whole), 123.4 about 120 (two
    # significant figures: an estimate, fmt.money_about)
    assert f.detail == (
        "Together in 150 baskets; 40\u00a0% of the first product's baskets hold the second. If 10\u00a0% "
        "of the 225 orders with the first but not the second had also taken the second: about "
        "23 more sales of it, about 120 more revenue."
    )


def test_bundle_without_whatif_is_unsized_and_thin_evidence_is_medium():
    f = FD.bundle_finding(_basket([(("c",), ("d",), 40, 0.4, 3.0)]))
    assert f.value == 0.0
    assert f.confidence == "medium"


def _priced_basket(rules: list[tuple]) -> BasketResult:
    """rules: (antecedent, consequent, count, A's baskets, lift), of 1000 baskets."""
    res = _basket([((a,), (c,), n, n / n_a, lift) for a, c, n, n_a, lift in rules])
    res.rules["antecedent_support"] = [r[3] / 1000 for r in rules]
    return res


def test_bundle_is_the_strong_pair_worth_the_most_not_the_rarest():
    """UCI Online Retail II named a pair of garden trowels (63× chance) worth about £4; with
    prices the Home names the pair whose what-if adds the most revenue (orders with A but not
    B × B's price), among pairs at least MIN_BUNDLE_LIFT × chance."""
    res = _priced_basket(
        [
            ("a", "b", 40, 50, 60.0),  # the highest lift: 10 orders with A only x 1.0 = 10
            ("c", "d", 100, 400, 3.0),  # 300 x 20.0 = 6,000: the finding
            ("e", "d", 300, 900, 1.2),  # 600 x 20.0 = 12,000, but 1.2x chance: a best seller
            ("d", "c", 100, 200, 3.0),  # the reverse: 100 x 5.0 = 500
        ]
    )
    prices = {"b": 1.0, "c": 5.0, "d": 20.0}
    rule = FD.best_bundle_rule(res, prices)
    assert (rule["antecedents"], rule["consequents"]) == (("c",), ("d",))
    # without prices (no price column): the highest lift, as before
    assert FD.best_bundle_rule(res)["antecedents"] == ("a",)
    # the detail says why this pair: three pairs reach 2x (c-d and d-c are one pair)
    f = FD.bundle_finding(res, None, prices)
    assert f.detail.endswith(
        "Of the 2 pairs bought together at least 2× as often as chance, it is the one worth "
        "the most."
    )
    assert "worth the most" not in FD.bundle_finding(res).detail  # ranked by lift: not said
    # an unknown price ranks after a known one, whatever its orders
    rule = FD.best_bundle_rule(res, {"b": 1.0, "c": 5.0, "d": math.nan})
    assert (rule["antecedents"], rule["consequents"]) == (("d",), ("c",))
    # no pair reaches MIN_BUNDLE_LIFT: the one worth the most of those above chance
    weak = _priced_basket([("a", "b", 40, 50, 1.5), ("e", "d", 300, 900, 1.2)])
    assert FD.best_bundle_rule(weak, prices)["antecedents"] == ("e",)
    assert "worth the most" not in FD.bundle_finding(weak, None, prices).detail
    assert FD.bundle_products(res) == ("b", "c", "d")


def test_bundle_stake_is_the_whatif_of_the_rule(demo_id):
    """The orders with A but not B the ranking counts from the rule, and B's price from the
    store's SQL sums, are the bundle what-if's: the ranking sizes each rule as the what-if
    the Home then shows would (DuckDB; the demo's planted bundles and the rest)."""
    from ecomdash import basket
    from ecomdash.findings.core import _antecedent_only, bundle_candidates
    from ecomdash.store import Store

    store = Store.open()
    try:
        pairs = store.basket_pairs(demo_id)
        res = basket.mine(pairs, min_support=0.01)
        ok = bundle_candidates(res)
        assert len(ok) >= 4
        sums = store.product_prices(demo_id, None, FD.bundle_products(res))
        cols = ["revenue", "units", "mean_unit_price", "mean_revenue"]
        prices = {
            p: basket.avg_price(*v)
            for p, *v in zip(sums["product_id"], *(sums[c] for c in cols), strict=True)
        }
        only = _antecedent_only(ok, res.n_baskets)
        for i in ok.index[:6]:
            a, c = ok.at[i, "antecedents"], ok.at[i, "consequents"]
            lines = store.product_lines(demo_id, None, basket.line_columns(), products=c)
            w = basket.bundle_whatif(pairs, a, c, share=0.1, item_lines=lines)
            assert only[i] == w.n_antecedent_only
            assert prices[c[0]] == pytest.approx(w.prices["avg_price"].iloc[0], rel=1e-12)
    finally:
        store.close()


def test_no_bundle_when_every_rule_is_thin_or_below_chance():
    assert FD.bundle_finding(_basket([RULES[0], RULES[2], RULES[4]])) is None


# --- forecast ------------------------------------------------------------------------------------


def test_forecast_gap_over_the_last_seven_days():
    # 8-day folds: the last 7 days of the last fold count; the first day (1000 vs 1) does not
    actual = [1000.0] + [100.0] * 7
    mean = [1.0] + [130.0] * 6 + [220.0]  # 1000 forecast over the 7 days, 700 happened
    lo = [0.0] + [120.0] * 7  # summed: 840 > 700, so outside the 80 % band
    hi = [9e9] * 8
    f = FD.forecast_finding(_forecast(actual, mean, lo, hi))
    assert f.headline == "Revenue is 30\u00a0% under forecast over the last 7\u00a0days"
    assert f.value == pytest.approx(300.0)
    assert f.confidence == "high"


def test_forecast_gap_writes_actual_and_forecast_alike():
    """UCI's Home read "Actual 297,926 against 333k forecast": a counted figure beside an
    estimate, each written its own way, so the merchant compared 297,926 with 333k. Both are
    written as the tile writes money (three significant figures), and their gap is the tile's."""
    f = FD.forecast_finding(_forecast([42_560.9] * 7, [47_630.3] * 7, [0.0] * 7, [9e9] * 7))
    assert f.detail == "Actual 298k against 333k forecast before those days happened."
    assert FD.money_text(f.value) == "35.5k"


def _groups(before: dict[str, float], window: dict[str, float]) -> pd.DataFrame:
    """Daily revenue per country: ``before`` each day of the 8 weeks before the last fold of
    :func:`_forecast` (7 days from 2026-10-08), ``window`` each day of it."""
    start = pd.Timestamp("2026-10-08")
    rows = [
        (d, g, v)
        for d in pd.date_range(start - pd.Timedelta(weeks=8), start - pd.Timedelta(days=1))
        for g, v in before.items()
    ]
    rows += [(d, g, v) for d in pd.date_range(start, periods=7) for g, v in window.items()]
    return pd.DataFrame(rows, columns=["day", "grp", "revenue"])


@pytest.mark.parametrize(
    ("before", "window", "end"),
    [
        # DE expected 700 of the 1,400 forecast, sold 100: 600 of the 700 short (86 %)
        ({"DE": 1.0, "FR": 1.0}, {"DE": 100 / 7, "FR": 600 / 7}, "(86\u00a0% of the gap)"),
        # DE expected 1,000, sold nothing: 1,000 short of a 700 gap, FR 300 above its share
        (
            {"DE": 5.0, "FR": 2.0},
            {"DE": 0.0, "FR": 100.0},
            "(more than the whole gap: the rest sold above their share)",
        ),
    ],
)
def test_forecast_driver_larger_than_the_gap_says_why(before, window, end):
    """A country short by more than the whole gap read "(143 % of the gap)"; it now says the
    rest sold above their share."""
    fc = _forecast([100.0] * 7, [200.0] * 7, [150.0] * 7, [9e9] * 7)
    f = FD.forecast_finding(fc, groups=_groups(before, window), by="country")
    assert f.headline.endswith(", driven by one country")
    assert f.subjects[0].startswith("DE: ") and f.subjects[0].endswith(end), f.subjects[0]


def test_a_province_drives_a_gap_as_a_province(monkeypatch):
    """A Chinese marketplace export's places are provinces (收货省份): the Home said the gap
    was "driven by one country" / 某一个国家/地区. Its forecast finding names the province
    as one (the Home passes ``province`` for such a dataset), en + zh."""
    from ecomdash import labels as L
    from ecomdash.filters import Filters
    from ecomdash.ui import home
    from ecomdash.ui.common import PageContext

    fc = _forecast([100.0] * 7, [200.0] * 7, [150.0] * 7, [9e9] * 7)
    groups = _groups({"浙江": 1.0, "广东": 1.0}, {"浙江": 100 / 7, "广东": 600 / 7})
    for lang, end in (("en", ", driven by one province"), ("zh", "某一个省份")):
        with use_lang(lang):
            f = FD.forecast_finding(fc, groups=groups, by="province")
        assert end in f.headline, f.headline
    # the Home's wiring: the country field of a province dataset is named a province
    seen = []
    monkeypatch.setattr(home, "_gap_groups", lambda ctx, fc: (groups, "country"))
    monkeypatch.setattr(FD, "forecast_finding", lambda fc, **kw: seen.append(kw["by"]))
    from ecomdash.ui import forecast as fc_ui

    monkeypatch.setattr(fc_ui, "default_params", lambda ctx: (("revenue", "D"), None))
    monkeypatch.setattr(fc_ui, "default_forecast", lambda ctx: fc)
    for provinces in (True, False):
        ctx = PageContext("w", "d", "n", 1, Filters(), display=L.Display(provinces=provinces))
        home._forecast(ctx)
    assert seen == ["province", "country"]


def test_forecast_gap_inside_the_band_is_low_confidence_and_small_gaps_are_dropped():
    f = FD.forecast_finding(_forecast([110.0] * 7, [100.0] * 7, [50.0] * 7, [150.0] * 7))
    assert f.headline == "Revenue is 10\u00a0% over forecast over the last 7\u00a0days"
    assert f.value == pytest.approx(70.0)
    assert f.confidence == "low"
    assert FD.forecast_finding(_forecast([103.0] * 7, [100.0] * 7, [0.0] * 7, [200.0] * 7)) is None


# --- ranking -------------------------------------------------------------------------------------


def test_rank_by_money_then_confidence_dropping_nothing_found():
    a = FD.Finding("a", "A", 100.0, "low", FD.PAGE_BASKET)
    b = FD.Finding("b", "B", 300.0, "medium", FD.PAGE_BASKET)
    c = FD.Finding("c", "C", 100.0, "high", FD.PAGE_BASKET)
    assert [f.kind for f in FD.rank([a, None, b, c])] == ["b", "c", "a"]
    assert [f.kind for f in FD.rank([a, b, c], top=2)] == ["b", "c"]
    assert FD.rank([None, None]) == ()


def test_rank_of_the_real_builders():
    found = [
        FD.restock_finding(_restock()),  # 322
        FD.winback_finding(AT_RISK, _churn(0.75)),  # 900
        FD.bundle_finding(_basket(RULES)),  # 0 (not sized)
        FD.forecast_finding(_forecast([110.0] * 7, [100.0] * 7, [50.0] * 7, [150.0] * 7)),  # 70
    ]
    # the forecast gap (70, within the band: "watch, do not act yet") ranks after the unsized
    # bundle, which asks for action
    assert [f.kind for f in FD.rank(found)] == ["winback", "restock", "bundle", "forecast"]


def test_a_forecast_gap_to_watch_never_outranks_an_action_and_is_not_at_stake():
    """A small shop: the forecast gap (revenue 10 % over forecast, within the band: "watch, do
    not act yet") is the largest figure, 700 against a 322 restock and a 300 shortfall outside
    the band; it ranks after both, and its tile says what it is ("Above forecast"), not
    "At stake". A shortfall outside the band asks for action: ranked by its size."""
    over = FD.forecast_finding(_forecast([1100.0] * 7, [1000.0] * 7, [500.0] * 7, [1500.0] * 7))
    assert over.value == pytest.approx(700.0) and over.confidence == "low"
    assert over.watch and over.value_label == "Above forecast"
    under = FD.forecast_finding(
        _forecast([100.0] * 7, [1000.0 / 7] * 7, [120.0] * 7, [9e9] * 7)
    )  # 700 against 1000: 300 below, outside the band (840)
    assert under.value == pytest.approx(300.0) and under.confidence == "high"
    assert not under.watch and under.value_label == "Below forecast"
    restock = FD.restock_finding(_restock())  # 322, "At stake"
    assert restock.value_label == "At stake" and not restock.watch
    assert [f.kind for f in FD.rank([over, restock])] == ["restock", "forecast"]
    assert [f.value for f in FD.rank([over, restock, under])] == pytest.approx(
        [restock.value, 300.0, 700.0]
    )
    # a low-confidence shortfall says "watch" too; an above-forecast gap outside the band is
    # no money at stake either
    low_under = FD.forecast_finding(_forecast([900.0] * 7, [1000.0] * 7, [500.0] * 7, [1500.0] * 7))
    assert low_under.watch and low_under.value_label == "Below forecast"
    high_over = FD.forecast_finding(
        _forecast([1600.0] * 7, [1000.0] * 7, [500.0] * 7, [1500.0] * 7)
    )
    assert high_over.watch and high_over.confidence == "high"


@pytest.mark.parametrize(
    ("lang", "note"),
    [
        ("en", "outside the model's 80\u00a0% band, above forecast: nothing at risk, watch it"),
        ("zh", "超出模型的\u00a080% 区间，但高于预测：没有金额风险，观察即可"),
    ],
)
def test_an_above_forecast_gap_outside_the_band_says_why_it_is_listed_last(lang, note):
    """Revenue 60 % over forecast, outside the band: the model is sure (high), yet no money is
    at risk, so it ranks after the actions, with the watches. Its note said only "outside the
    model's 80 % band": a high-confidence finding listed last with no reason. It now says
    why; a shortfall outside the band keeps the plain note (it asks for action)."""
    with use_lang(lang):
        over = FD.forecast_finding(_forecast([1600.0] * 7, [1000.0] * 7, [500.0] * 7, [1500.0] * 7))
        under = FD.forecast_finding(
            _forecast([100.0] * 7, [1000.0 / 7] * 7, [120.0] * 7, [9e9] * 7)
        )
    assert over.watch and over.confidence == "high" and over.confidence_note == note
    assert not under.watch and under.confidence_note != note
    restock = FD.restock_finding(_restock())
    assert [f.kind for f in FD.rank([over, restock, under])] == ["restock", "forecast", "forecast"]
    assert FD.rank([over, restock, under])[-1] is over


def test_confidence_label_is_checked():
    with pytest.raises(ValueError, match="confidence"):
        FD.Finding("a", "A", 1.0, "certain", FD.PAGE_BASKET)


@pytest.mark.parametrize(
    "x,text",
    [(4200.0, "4,200"), (18_340.0, "18.3k"), (1_254_000.0, "1.25M"), (float("nan"), "n/a")],
)
def test_money_text(x, text):
    assert FD.money_text(x) == text


def test_restock_without_amounts_is_sized_in_units_and_ranked_after_money():
    f = FD.restock_finding(_restock(), money=False)
    # A products: 2/day x 14 + 1/day x 14 = 42 units
    assert f.value == pytest.approx(42.0)
    assert f.unit == "units" and f.value_text == "42 units"
    assert f.headline.startswith("Keep your 2 best sellers in stock: 42 units expected")
    lost = FD.restock_finding(
        _restock(on_hand=[8.0, 20.0, np.nan], cover=[4.0, 20.0, np.nan], order_qty=[30, 5, 0]),
        money=False,
    )
    assert lost.value == pytest.approx(20.0)  # 10 days short x 2/day
    assert lost.headline.endswith("lose an estimated 20 units of sales")
    small = FD.Finding("a", "A", 1.0, "low", FD.PAGE_BASKET)  # money, however small
    unsized = FD.bundle_finding(_basket(RULES))  # value 0: not sized at all
    assert [x.kind for x in FD.rank([unsized, f, small])] == ["a", "restock", "bundle"]


def test_restock_prices_the_forecast_at_revenue_over_units_of_the_same_sales():
    """A shop selling one tea tin at 5.00 a unit: 10 units every Wednesday for 30 weeks, 2 of
    them returned the next day, and one more sale on Sat 31 Oct. Its price is 50 / 10 = 5.00
    exactly; the finding used the plan's revenue (every sale: 31 x 50 = 1,550) over the weekly
    history's units, net of returns (310 - 60 = 250): 6.20, so it sized the sales 24 % too
    high (the demo's top 100 products: 5 % at the median, up to 18 %)."""
    weeks = pd.date_range("2026-04-01", periods=30, freq="7D")  # Wednesdays
    days = [*weeks, pd.Timestamp("2026-10-31")]
    sale = pd.DataFrame(
        {
            "order_date": days,
            "order_id": [f"o{i}" for i in range(len(days))],
            "customer_id": [f"c{i % 7}" for i in range(len(days))],
            "product_id": "tin",
            "product_name": "Tea Tin",
            "quantity": 10.0,
            "unit_price": 5.0,
            "revenue": 50.0,
            "is_return": False,
        }
    )
    ret = sale.iloc[:30].assign(
        order_id=[f"r{i}" for i in range(30)],
        order_date=weeks + pd.Timedelta(days=1),
        quantity=-2.0,
        revenue=-10.0,
        is_return=True,
    )
    lines = pd.concat([sale, ret], ignore_index=True).assign(
        is_non_product=False, is_cancelled=False
    )
    lines["line_no"] = range(len(lines))
    res = plan_restock(lines, lead_time_days=14, top=5)
    assert res.unit_prices["tin"] == pytest.approx(5.0)
    f = FD.restock_finding(res)
    demand = float(res.plan["daily_demand"].iloc[0])
    # the best seller's sales over the 14-day lead time at 5.00 a unit
    assert f.value == pytest.approx(demand * 14 * 5.0)


def test_restock_says_how_many_of_its_products_it_names():
    """Five names under "Keep your 7 best sellers in stock" read as if those five were all:
    the detail says the five are the largest by revenue and the planner lists all 7; with
    three products (all named) it says nothing more."""
    base = _restock()
    ids = [f"p{i}" for i in range(1, 8)]
    plan = pd.DataFrame(
        {
            "product_id": ids,
            "product_name": [f"Item {i}" for i in range(1, 8)],
            "revenue": [70.0, 60.0, 50.0, 40.0, 30.0, 20.0, 10.0],
            "abc": ["A"] * 7,
            "mase": [0.5] * 7,
            "daily_demand": [1.0] * 7,
            "on_hand": [np.nan] * 7,
            "days_of_cover": [np.nan] * 7,
            "order_qty": [np.nan] * 7,
        }
    )
    history = pd.DataFrame(1.0, index=ids, columns=base.forecasts.history.columns)
    many = dataclasses.replace(base.forecasts, history=history, table=pd.DataFrame())
    f = FD.restock_finding(dataclasses.replace(base, plan=plan, forecasts=many))
    assert f.headline.startswith("Keep your 7 best sellers in stock")
    assert f.subjects == ("Item 1", "Item 2", "Item 3", "Item 4", "Item 5")
    assert f.detail.endswith(
        " The 5 named are the largest by revenue; the restock planner lists all 7."
    )
    small = FD.restock_finding(_restock())
    assert small.detail == (
        "Reorder points are ready; add your stock levels in the restock planner to see which "
        "to order now."
    )
