"""ecomdash.findings: the segments, pricing, promotion, recommendations and alerts findings and
the forecast gap's driver — on hand-built Results (numbers by hand) and on the demo merchant's
planted truths (elasticities, promotions, alert incidents, a planted gap)."""

from __future__ import annotations

import dataclasses
import math
from datetime import date
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from ecomdash import findings as FD
from ecomdash import schema
from ecomdash.alerts import AlertsResult
from ecomdash.filters import Filters
from ecomdash.i18n import _, use_lang
from ecomdash.pricing.analysis import PricingResult
from ecomdash.recommend import EvaluationResult
from ecomdash.store import Store

# --- pricing: hand-built -----------------------------------------------------------------------


def _pricing(rows: list[dict], *, ratio: float = 0.8, promos: pd.DataFrame | None = None):
    base = {
        "category": "C",
        "status": "estimated",
        "min_price": 10.0,
        "max_price": 50.0,
        "n_price_levels": 3,
        "weeks": 60,
    }
    products = pd.DataFrame([{**base, **r} for r in rows])
    return PricingResult(
        products=products,
        categories=pd.DataFrame(),
        validation=pd.DataFrame(),
        validation_summary={"ratio": ratio, "n_products": 3, "cutoff": "2026-01-01"},
        promotions=promos if promos is not None else pd.DataFrame(),
        panel=pd.DataFrame(),
        params={"level": 0.9},
    )


#: inelastic (raise): 10 units/week at 20 → a year 10,400; +5 %: × 1.05 ** 0.5
INELASTIC = {
    "product_id": "in",
    "product_name": "Teapot",
    "elasticity": -0.5,
    "ci_low": -0.8,
    "ci_high": -0.2,
    "current_price": 20.0,
    "units_per_week": 10.0,
}
#: elastic (lower): 5 units/week at 40 → a year 10,400; -5 %: × 0.95 ** -1
ELASTIC = {
    "product_id": "el",
    "product_name": "Tea Tin",
    "elasticity": -2.0,
    "ci_low": -2.5,
    "ci_high": -1.5,
    "current_price": 40.0,
    "units_per_week": 5.0,
}


def test_price_change_sized_by_hand():
    cand = FD.price_change_candidates(_pricing([INELASTIC, ELASTIC]))
    got = cand.set_index("product_id")
    # by hand: 10,400 × (sqrt(1.05) - 1) = 256.83; 10,400 × (1/0.95 - 1) = 547.37
    assert got.loc["in", "gain"] == pytest.approx(10_400 * (math.sqrt(1.05) - 1))
    assert got.loc["in", "gain"] == pytest.approx(256.83, abs=0.01)
    assert got.loc["el", "gain"] == pytest.approx(547.37, abs=0.01)
    assert got.loc["in", "change"] == 0.05 and got.loc["el", "change"] == -0.05
    # interval ends: e = -0.8 → 1.05 ** 0.2; e = -1.5 → 0.95 ** -0.5
    assert got.loc["in", "gain_low"] == pytest.approx(10_400 * (1.05**0.2 - 1))
    assert got.loc["el", "gain_low"] == pytest.approx(10_400 * (0.95**-0.5 - 1))
    assert list(cand["product_id"]) == ["el", "in"]  # largest gain first

    with use_lang("en"), FD.use_currency("£"):
        f = FD.pricing_finding(_pricing([INELASTIC, ELASTIC]))
    assert f.kind == "pricing" and f.value == pytest.approx(547.37, abs=0.01)
    # an estimate, to two significant figures (fmt.money_about): 547.37 -> ~£550
    assert f.headline == "Lowering one product's price 5\u00a0% would add ~£550 of revenue a year"
    assert f.subjects == ("Tea Tin",)  # merchant text only in subjects
    assert "Tea Tin" not in f.headline + f.detail + f.confidence_note
    # the less favourable end (270.17) is under half the estimate (273.68): medium, not high
    assert f.confidence == "medium"
    # the figures are the confidence label's tooltip (the hyphen-minus the Pricing page's
    # table and what-if write: "-2.00"), the note says them in plain words (it was the figures)
    assert (
        f.confidence_detail
        == "elasticity -2.00 (90\u00a0%: -2.50 to -1.50), held-out error 0.80× naive"
    )
    assert f.confidence_note == (
        "a 1\u00a0% higher price sells about 2.0\u00a0% fewer units (between 1.5\u00a0% and 2.5\u00a0%, 90\u00a0% "
        "sure); checked on later weeks it had not seen, the price model missed by 20\u00a0% less "
        "than the median of the weeks just before"
    )
    # the inelastic product alone: its low end 99.4 is under half of 256.8 too; a narrower
    # interval (-0.6 .. -0.4: low end 10,400 × (1.05 ** 0.4 - 1) = 204.4) with a model that
    # beats the naive forecast is high
    narrow = {**INELASTIC, "ci_low": -0.6, "ci_high": -0.4}
    f = FD.pricing_finding(_pricing([narrow]))
    assert f.confidence == "high" and f.headline.startswith("Raising one product's price 5\u00a0%")
    assert FD.pricing_finding(_pricing([narrow], ratio=1.2)).confidence == "medium"


def test_pricing_confidence_in_plain_words_in_both_languages():
    """The price finding's confidence in plain words, as the Pricing page's what-if says an
    elasticity ("a 1 % higher price sells about 2.0 % fewer units"), the interval as a range,
    the held-out check as a share missed less or more than the naive forecast; the figures
    (elasticity, interval, held-out ratio) in the label's tooltip, the same in Chinese. It
    read "elasticity -2.00 (90 %: -2.50 to -1.50), held-out error 0.80× naive" (kept short for
    the narrow column; the plain sentence now sits under the finding's body)."""
    res = _pricing([INELASTIC, ELASTIC])
    unchecked = dataclasses.replace(res, validation_summary={})
    worse = dataclasses.replace(res, validation_summary={"ratio": 1.25, "n_products": 3})
    with use_lang("en"):
        found = [FD.pricing_finding(r) for r in (res, unchecked, worse)]
    with use_lang("zh"):
        zh = [FD.pricing_finding(r) for r in (res, unchecked)]
    assert [f.confidence_detail for f in found[:2]] == [
        "elasticity -2.00 (90\u00a0%: -2.50 to -1.50), held-out error 0.80× naive",
        "elasticity -2.00 (90\u00a0%: -2.50 to -1.50), not checked on held-out weeks",
    ]
    assert found[1].confidence_note == (
        "a 1\u00a0% higher price sells about 2.0\u00a0% fewer units (between 1.5\u00a0% and 2.5\u00a0%, 90\u00a0% "
        "sure); not checked on later weeks yet"
    )
    assert found[2].confidence_note.endswith(
        "the price model missed by 25\u00a0% more than the median of the weeks just before"
    )
    for f in found:
        assert not {"elasticity", "naive", "×", "held-out"} & set(
            f.confidence_note.replace(",", " ").split()
        ), f.confidence_note
    assert [f.confidence_detail for f in zh] == [
        "价格弹性\u00a0-2.00（90%：-2.50 至\u00a0-1.50），验证期误差为朴素预测的\u00a00.80\u00a0倍",
        "价格弹性\u00a0-2.00（90%：-2.50 至\u00a0-1.50），未在验证期检验",
    ]
    assert [f.confidence_note for f in zh] == [
        "价格每提高\u00a01%，件数约减少\u00a02.0%（有\u00a090% 的把握在\u00a01.5% 至\u00a02.5% 之间）；在模型未见过的之后"
        "几周上检验，价格模型的误差比此前几周的中位数少\u00a020%",
        "价格每提高\u00a01%，件数约减少\u00a02.0%（有\u00a090% 的把握在\u00a01.5% 至\u00a02.5% 之间）；尚未在之后的几周上"
        "检验",
    ]


@pytest.mark.parametrize(
    "change",
    [
        {"ci_low": -1.3, "ci_high": -0.7},  # the interval straddles -1: direction unknown
        {"ci_low": -0.9, "ci_high": 0.1},  # the interval includes 0: not measured
        {"status": "category"},  # the category's estimate, not its own
        {"max_price": 20.0, "min_price": 18.0},  # +5 % = 21 is inside 18..22 …
    ],
)
def test_price_change_needs_a_measured_elasticity(change):
    res = _pricing([{**INELASTIC, **change}])
    if "max_price" in change:  # … so it stays; 10 % slack: 21 > 20 × 1.1 = 22? no
        assert FD.pricing_finding(res) is not None
        out = _pricing([{**INELASTIC, "max_price": 19.0, "min_price": 15.0}])
        assert FD.pricing_finding(out) is None  # 21 > 19 × 1.1 = 20.9: never extrapolated
    else:
        assert FD.pricing_finding(res) is None


def test_losing_promotion_by_hand():
    promos = pd.DataFrame(
        {
            "product_id": ["a", "b", "c"],
            "product_name": ["Mug", "Jug", "Cup"],
            "discount": [0.25, 0.2, 0.3],
            "weeks": [2, 2, 2],
            "lift": [1.2, 1.5, 2.0],
            "dip": [-0.3, -0.1, -0.05],
            "dip_high": [-0.1, 0.05, 0.02],
            "net_revenue": [-500.0, -100.0, 300.0],
        }
    )
    f = FD.promotion_finding(_pricing([INELASTIC], promos=promos))
    assert f.value == 500.0 and f.subjects == ("Mug",)
    assert f.confidence == "medium"  # the dip's interval is below 0
    assert (
        f.headline == "A 25\u00a0% promotion lost ~500 of revenue: the dip after it undid the lift"
    )
    assert FD.promotion_finding(_pricing([INELASTIC], promos=promos.iloc[2:])) is None
    assert FD.promotion_finding(_pricing([INELASTIC])) is None


def test_losing_promotion_with_an_unmeasured_dip_says_may_have():
    """A loss resting on a dip whose interval includes zero (-10 % .. +5 %) is not stated as
    a fact: the headline says "may have lost"; without weeks after it there is no dip to
    blame and the headline says the promotion's own extra sales did not pay for it."""
    promos = pd.DataFrame(
        {
            "product_id": ["a", "b"],
            "product_name": ["Mug", "Jug"],
            "discount": [0.25, 0.2],
            "weeks": [2, 3],
            "lift": [1.2, 1.5],
            "dip": [-0.1, np.nan],
            "dip_high": [0.05, np.nan],
            "net_revenue": [-500.0, -100.0],
        }
    )
    f = FD.promotion_finding(_pricing([INELASTIC], promos=promos))
    assert f.confidence == "low" and f.value == 500.0
    assert f.headline == (
        "A 25\u00a0% promotion may have lost ~500 of revenue, if the dip after it is real"
    )
    assert f.detail == (
        "Sales rose 1.2× during its 2 weeks, then fell 10\u00a0% below usual, a dip that may be "
        "chance: look again before repeating it as it was."
    )
    g = FD.promotion_finding(_pricing([INELASTIC], promos=promos.iloc[1:]))
    assert g.confidence == "low"
    assert g.headline == (
        "A 20\u00a0% promotion lost ~100 of revenue: its extra sales did not pay for the discount"
    )
    assert g.detail == (
        "Sales rose 1.5× during its 3 weeks; no weeks after it yet to measure a dip."
    )
    assert "nan" not in (g.detail + g.confidence_note).lower()


@pytest.mark.parametrize("dip", [0.12, 0.0, -0.004])
def test_a_promotion_with_no_dip_after_it_does_not_blame_one(dip):
    """An unmeasured dip whose estimate is positive (sales 12 % above usual after it; its
    interval includes zero) or rounds to 0 %: the detail said "then fell 12 % below usual"
    and the headline "may have lost ..., if the dip after it is real". There is no dip: the
    loss is the promotion's own, said as for a promotion without weeks after it."""
    promos = pd.DataFrame(
        {
            "product_id": ["a", "b"],
            "product_name": ["Mug", "Jug"],
            "discount": [0.25, 0.2],
            "weeks": [2, 2],
            "lift": [1.2, 0.9],
            "dip": [dip, dip],
            "dip_high": [0.3, 0.3],
            "net_revenue": [-500.0, -100.0],
        }
    )

    def one(i, lang="en"):
        with use_lang(lang):
            return FD.promotion_finding(_pricing([INELASTIC], promos=promos.iloc[i:]))

    f = one(0)
    assert f.value == 500.0 and f.confidence == "low"
    assert f.headline == (
        "A 25\u00a0% promotion lost ~500 of revenue: its extra sales did not pay for the discount"
    )
    assert f.detail == (
        "Sales rose 1.2× during its 2 weeks; sales after it did not fall below usual: the "
        "loss is the discount's own."
    )
    assert f.confidence_note == (
        "no dip after it: the loss is measured against the weeks before it alone"
    )
    g = one(1)
    assert g.headline == "A 20\u00a0% promotion lost ~100 of revenue: sales did not rise during it"
    assert g.detail.startswith(
        "Sales fell 10\u00a0% during its 2 weeks; sales after it did not fall"
    )
    for x in (f, g):
        assert "fell 12\u00a0%" not in x.detail and "below usual, a dip" not in x.detail
        assert "may have" not in x.headline and "dip after it is real" not in x.headline
    zf = one(0, "zh")
    assert zf.headline == "一次\u00a025% 的促销约损失了\u00a0500 销售额：多卖的部分抵不上折扣"
    assert (
        zf.detail
        == "促销的\u00a02\u00a0周内销量升至\u00a01.2\u00a0倍；促销后销量没有低于平时：损失来自折扣本身。"
    )
    assert "回落" in zf.confidence_note and "比平时低" not in zf.detail


def test_a_promotion_whose_sales_fell_does_not_say_they_rose():
    """A lift of 0.9 is sales that fell 10 % during the promotion: the detail said "Sales rose
    0.9×" and the headline blamed the dip for undoing a lift there was not. A lift within 5 %
    of 1 "hardly changed"; one week is "1 week"; Chinese alike."""
    promos = pd.DataFrame(
        {
            "product_id": ["a", "b", "c"],
            "product_name": ["Mug", "Jug", "Cup"],
            "discount": [0.25, 0.2, 0.1],
            "weeks": [2, 1, 3],
            "lift": [0.9, 1.03, 0.8],
            "dip": [-0.3, np.nan, -0.1],
            "dip_high": [-0.1, np.nan, 0.05],
            "net_revenue": [-500.0, -100.0, -50.0],
        }
    )

    def one(i, lang="en"):
        with use_lang(lang):
            return FD.promotion_finding(_pricing([INELASTIC], promos=promos.iloc[i:]))

    f = one(0)
    assert f.headline == (
        "A 25\u00a0% promotion lost ~500 of revenue: sales did not rise during it and dipped after it"
    )
    assert f.detail == (
        "Sales fell 10\u00a0% during its 2 weeks, then fell 30\u00a0% below usual: do not repeat it as "
        "it was."
    )
    g = one(1)
    assert g.headline == "A 20\u00a0% promotion lost ~100 of revenue: sales did not rise during it"
    assert (
        g.detail
        == "Sales hardly changed during its 1 week; no weeks after it yet to measure a dip."
    )
    h = one(2)
    assert h.detail.startswith(
        "Sales fell 20\u00a0% during its 3 weeks, then fell 10\u00a0% below usual,"
    )
    assert "rose" not in f.detail + g.detail + h.detail
    zf = one(0, "zh")
    assert (
        zf.headline
        == "一次\u00a025% 的促销约损失了\u00a0500 销售额：促销期间销量没有上升，之后还出现回落"
    )
    assert (
        zf.detail
        == "促销的\u00a02\u00a0周内销量反而下降了\u00a010%，之后比平时低\u00a030%：不要原样再做一次。"
    )


# --- pricing: the demo's planted elasticities and promotions -----------------------------------


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory, demo):
    home = tmp_path_factory.mktemp("findings_more")
    store = Store.open(home)
    info = store.ensure_demo(demo.lines)
    yield store, info
    store.close()


@pytest.fixture(scope="module")
def demo_pricing(demo_store):
    from ecomdash import pricing as P

    store, info = demo_store
    return P.analyze(store.product_week_prices(info.id, Filters()))


def test_pricing_finding_on_the_demo_follows_the_planted_elasticity(demo, demo_pricing):
    f = FD.pricing_finding(demo_pricing)
    assert f is not None
    best = FD.price_change_candidates(demo_pricing).iloc[0]
    planted = demo.truth.planted_elasticity[best["product_id"]]
    # the planted elasticity is inside the measured interval, on the side of -1 the advice uses
    assert best["ci_low"] <= planted <= best["ci_high"]
    assert (planted < -1) == (best["change"] < 0)
    # and the gain at the planted elasticity has the finding's sign and size order
    true_gain = best["yearly_revenue"] * ((1 + best["change"]) ** (1 + planted) - 1)
    assert true_gain > 0 and f.value == pytest.approx(true_gain, rel=0.5)
    # every candidate's planted elasticity agrees with its direction
    for r in FD.price_change_candidates(demo_pricing).itertuples():
        e = demo.truth.planted_elasticity.get(r.product_id)
        if e is not None:
            assert (e < -1) == (r.change < 0), r
    # the link opens the Pricing page's What-if on this product at this change (in %)
    q = dict(f.query)
    assert q == {
        "tab": "what-if",
        "product": best["product_id"],
        "change": str(round(best["change"] * 100)),
    }
    assert q["change"] in ("5", "-5")


def test_promotion_finding_on_the_demo_is_the_planted_worst(demo, demo_pricing):
    f = FD.promotion_finding(demo_pricing)
    assert f is not None and f.value > 0
    pr = demo.truth.promotions
    # planted: extra units ∝ (lift - 1) × 2 weeks + dip × 2 weeks; the worst is the lowest
    worst = pr.loc[((pr["lift"] - 1) * 2 + pr["dip"] * 2).idxmin(), "product_id"]
    products = demo.truth.products
    names = dict(zip(products["product_id"], products["product_name"], strict=True))
    assert f.subjects == (names[worst],)
    assert dict(f.query) == {"tab": "promotions"}


# --- segments ------------------------------------------------------------------------------------


def _seg_and_churn():
    ids = ["a", "b", "c", "d", "e"]
    customers = pd.DataFrame(
        {
            "segment": ["At risk", "Can't lose them", "At risk", "Champions", "Lost"],
            "recency_days": [200.0, 300.0, 400.0, 5.0, 600.0],
        },
        index=pd.Index(ids, name="customer_id"),
    )
    seg = SimpleNamespace(rfm=SimpleNamespace(customers=customers))
    scores = pd.DataFrame(
        {
            schema.CUSTOMER_ID: ids,
            "revenue_365d": [120.0, 80.0, 40.0, 999.0, 999.0],
            "churn_probability": [0.9, 0.6, 0.4, 0.1, 0.99],
        }
    )
    return seg, SimpleNamespace(scores=scores)


def test_segments_finding_by_hand_leaves_out_the_winback_list():
    seg, churn = _seg_and_churn()
    with use_lang("en"):
        f = FD.segments_finding(seg, churn=churn, winback_ids=["a"])
    # b and c (a is on the win-back list; d and e are other segments): 80 + 40
    assert f.customers == 2 and f.value == 120.0
    # the segments named as the Segments page names them ("in At risk / Can't lose them"
    # read as one path-like name)
    assert f.headline.startswith(
        "2 customers in the segments “At risk” and “Can't lose them” spent 120 in the last"
    )
    with use_lang("zh"):
        zf = FD.segments_finding(seg, churn=churn, winback_ids=["a"])
    assert zf.headline.startswith(
        "「流失预警客户」和「不能流失的客户」分群中的\u00a02\u00a0位客户过去一年消费"
    )
    assert "/" not in f.headline + zf.headline
    assert "median 350 days" in f.headline  # median of 300 and 400
    # median churn probability of b and c: 0.5 → medium
    assert f.confidence == "medium" and "50\u00a0%" in f.confidence_note
    assert "1 more of these segments" in f.detail
    # without the churn model: unsized, low confidence
    f = FD.segments_finding(seg, winback_ids=["a"])
    assert f.value == 0 and f.confidence == "low" and "there is no churn model" in f.detail
    # and no win-back list to point to (a short history: no churn model, no win-back
    # finding): the detail no longer says "0 more of these segments are on the win-back list
    # above"
    f = FD.segments_finding(seg, winback_ids=())
    assert f.customers == 3
    assert f.detail == (
        "Customers who used to buy often and well (RFM) but not lately. Not sized: there is "
        "no churn model to give their spend in the last year."
    )
    # with the churn model but no spend in the last year (the 10 M home's lapsed customers):
    # unsized, and the reason is the spend, not a missing model
    seg2, churn2 = _seg_and_churn()
    churn2.scores["revenue_365d"] = 0.0
    with use_lang("en"):
        f = FD.segments_finding(seg2, churn=churn2, winback_ids=["a"])
    assert f.value == 0 and "they spent nothing in the last year" in f.detail
    assert "no churn model" not in f.detail and "50\u00a0%" in f.confidence_note
    # every lapsing customer already on the list: nothing new to act on
    assert FD.segments_finding(seg, churn=churn, winback_ids=["a", "b", "c"]) is None


@pytest.mark.parametrize(("lang", "sign"), [("en", "£"), ("zh", "¥")])
def test_segments_finding_writes_their_spend_exactly(lang, sign):
    """What the lapsing customers spent in the last year is a sum of their orders: "spent
    £2,140", not the estimate's "£2,100"; the tile writes it as a KPI tile does."""
    seg, churn = _seg_and_churn()
    churn.scores["revenue_365d"] = [120.0, 2000.0, 140.0, 999.0, 999.0]  # b + c = 2,140
    with use_lang(lang), FD.use_currency(sign):
        f = FD.segments_finding(seg, churn=churn, winback_ids=["a"])
        assert f.value == 2140.0 and f.exact
        assert f"{sign}2,140" in f.headline and "2,100" not in f.headline, f.headline
        assert f.value_text == f"{sign}2,140"


def test_segments_finding_on_the_demo(demo_store):
    from ecomdash import churn as CH
    from ecomdash import clv
    from ecomdash.segment import segment_history

    store, info = demo_store
    seg = segment_history(store.customer_history(info.id, Filters()))
    lines = store.load_lines(info.id)
    ch = CH.churn(lines, window_days=90)
    cv = clv.customer_value(schema.sales_lines(lines), horizon_months=12)
    risk = CH.at_risk(ch, expected_value=cv.customers.set_index("customer_id")["expected_value"])
    listed = set(FD.winback_customers(risk)["customer_id"])
    f = FD.segments_finding(seg, churn=ch, winback_ids=listed)
    lapsing = set(FD.lapsing_ids(seg))
    assert f.customers == len(lapsing - listed) > 0
    # independently: their sales in the 365 days before the score date, from the lines
    sales = schema.sales_lines(lines)
    rev = sales["revenue"] if "revenue" in sales else sales["quantity"] * sales["unit_price"]
    end = ch.score_date
    year = (sales["order_date"] >= end - pd.Timedelta(days=365)) & (sales["order_date"] < end)
    who = sales["customer_id"].astype(str).isin(lapsing - listed)
    assert f.value == pytest.approx(float(rev[year & who].sum()), rel=0.02)


# --- recommendations ------------------------------------------------------------------------------


def _evaluation(hits: dict[str, float], n: int, best: str | None = None) -> EvaluationResult:
    table = pd.DataFrame({"model": list(hits), "hit_rate_at_k": list(hits.values())})
    return EvaluationResult(
        table=table,
        k=10,
        cutoff=pd.Timestamp("2026-10-01"),
        end=pd.Timestamp("2026-11-01"),
        n_test_customers=n,
        n_train_customers=n,
        n_products=100,
        best_model=best or max(hits, key=hits.get),
        verdict="",
    )


@pytest.mark.parametrize(
    ("lang", "same"),
    [
        ("en", "1.5 times as many"),
        ("zh", "达到只推热销商品时的\u00a01.5\u00a0倍"),
    ],
)
def test_recommend_finding_says_what_the_recommendations_page_says(lang, same):
    """The Home's recommendations finding names the figure the Recommendations page's verdict
    measures, in its words: returning customers who went on to buy one of their top k for the
    first time, "1.5 times as many as with best sellers" (it read "hit 1.5× more often than
    best-sellers", a rate and a word the page does not use)."""
    from ecomdash.recommend.evaluation import _verdict

    ev = _evaluation({"ease": 0.30, "popularity": 0.20}, 1000)
    with use_lang(lang):
        f = FD.recommend_finding(ev)
        verdict = _verdict(ev.table, ev.k, ev.n_test_customers)
    assert same in verdict and same in f.headline, (verdict, f.headline)
    # the test's figures as the page writes them: 30 % of 1,000 returning customers, 20 %
    note = f.confidence_note
    if lang == "en":
        assert "as with best sellers" in verdict and "as with best sellers" in f.headline
        assert "best-sellers" not in f.headline + note
        assert "went on to buy for the first time, against 20\u00a0% with best sellers" in note
        assert note.startswith(
            "tested on 1,000 returning customers after 1 October 2026: for 30\u00a0%"
        )
    else:
        assert (
            "只推热销商品时这一比例是\u00a020%" in verdict
            and "只推热销商品时这一比例是\u00a020%" in note
        )
        assert "1,000\u00a0位回头客" in note and "2026年10月1日" in note


def test_recommend_finding_by_hand():
    # 0.30 vs 0.20 on 1,000: ratio 1.5; z = 0.1 / sqrt(0.25 × 0.75 × 2 / 1000) = 5.16
    f = FD.recommend_finding(_evaluation({"ease": 0.30, "popularity": 0.20}, 1000))
    assert f.headline == (
        "With personal recommendations, 1.5 times as many returning customers as with best "
        "sellers went on to buy one: send them to your returning customers"
    )
    assert f.value == 0 and f.confidence == "high" and f.customers == 1000
    assert "Not sized in money" in f.detail
    assert FD.rank([f, FD.Finding("x", "y", 1.0, "low", "p")])[-1] is f  # unsized: last
    # z on 200 customers: 0.1 / sqrt(0.25 × 0.75 × 2 / 200) = 2.31: medium
    assert FD.recommend_finding(_evaluation({"ease": 0.3, "popularity": 0.2}, 200)).confidence == (
        "medium"
    )
    # 100 customers: z = 1.63, chance: nothing to act on
    assert FD.recommend_finding(_evaluation({"ease": 0.3, "popularity": 0.2}, 100)) is None
    # trending (the recent best sellers) on top is no personal recommendation: the page's
    # verdict says "no better than showing best sellers", so the Home says nothing either
    trending = _evaluation({"trending": 0.30, "ease": 0.25, "popularity": 0.20}, 1000)
    with use_lang("en"):
        from ecomdash.recommend.evaluation import _verdict

        assert "do no better than showing best sellers" in _verdict(trending.table, 10, 1000)
    assert FD.recommend_finding(trending) is None
    # best-sellers best, or only 1.1× better
    assert FD.recommend_finding(_evaluation({"ease": 0.1, "popularity": 0.2}, 1000)) is None
    assert FD.recommend_finding(_evaluation({"ease": 0.22, "popularity": 0.2}, 5000)) is None


# --- alerts -------------------------------------------------------------------------------------


def _alerts(rows: list[tuple], end: date) -> AlertsResult:
    a = pd.DataFrame(rows, columns=["date", "severity", "kind", "kinds", "impact"])
    a["date"] = pd.to_datetime(a["date"])
    return AlertsResult(
        alerts=a,
        lines=pd.DataFrame(),
        drivers=pd.DataFrame(),
        series=pd.DataFrame(),
        rules=pd.DataFrame(),
        params={"period": (date(2026, 1, 1), end)},
    )


def test_alerts_finding_by_hand():
    end = date(2026, 10, 31)
    res = _alerts(
        [
            ("2026-10-31 10:00", "high", "quick_cancel", "quick_cancel, huge_quantity", 2000.0),
            ("2026-10-25 00:00", "high", "unusual_day", "unusual_day", 140.0),  # 7th day back
            ("2026-10-24 23:00", "high", "price_off", "price_off", 999.0),  # 8 days: out
            ("2026-10-30 00:00", "medium", "order_burst", "order_burst", 500.0),  # medium: out
        ],
        end,
    )
    with use_lang("en"), FD.use_currency("£"):
        f = FD.alerts_finding(res)
    # the tile is the orders' worth the headline says, not it plus the unusual day's 140
    # from what was expected (it read "At stake £2,100": 2,000 + 140, an estimate)
    assert f.value == 2000.0 and f.confidence == "high"
    assert f.headline == (
        # the order's 2,000 exactly; the unusual day's 140 from what was expected is no
        # order's worth: said by itself
        "2 high alerts in the last 7 days on orders worth £2,000, and 1 unusual day £140 from "
        "what was expected: check them before shipping"
    )
    with use_lang("en"), FD.use_currency("£"):
        assert f.exact and f.value_text == "£2,000" and f.value_label == "Orders worth"
    assert "Huge quantity" in f.confidence_note and "Unusual day" in f.confidence_note
    assert f.page == FD.PAGE_ALERTS
    days_only = _alerts([("2026-10-30", "high", "unusual_day", "unusual_day", 300.0)], end)
    with use_lang("en"):
        f = FD.alerts_finding(days_only)
        assert f.headline.startswith("1 unusual day in the last 7")
        assert f.value == 300.0 and not f.exact and f.value_label == "From expected"
    assert FD.alerts_finding(_alerts(res.alerts.iloc[2:].values.tolist(), end)) is None


@pytest.mark.parametrize(
    ("lang", "mixed", "weeks", "both"),
    [
        (
            "en",
            "4 high alerts in the last 7 days on orders worth £2,000, and £1,000 away from the "
            "usual prices, 2 unusual days £1,500 from what was expected: check them before "
            "shipping",
            "1 unusual week in the last 7 days (£4,200 from what was expected): find out why",
            "3 high alerts in the last 7 days (2 unusual days £1,500 from what was expected, "
            "1 unusual week £4,200 from what was expected): find out why",
        ),
        (
            "zh",
            "近\u00a07\u00a0天有\u00a04\u00a0条高严重程度提醒，涉及订单金额\u00a0£2,000，另有按常价计相差\u00a0£1,000、"
            "2\u00a0个异常日与预期相差\u00a0£1,500：发货前请核查",
            "近\u00a07\u00a0天有\u00a01\u00a0个异常周（与预期相差\u00a0£4,200）：查明原因",
            "近\u00a07\u00a0天有\u00a03\u00a0条高严重程度提醒（2\u00a0个异常日与预期相差\u00a0£1,500、1\u00a0个异常周与预期相差\u00a0"
            "£4,200）：查明原因",
        ),
    ],
    ids=["en", "zh"],
)
def test_alerts_finding_says_each_kind_of_alert_with_its_money(lang, mixed, weeks, both):
    """A week mixing order alerts and unusual days says the days with their distance from
    what was expected, by itself (it counted them in "4 high alerts" without their money);
    a week of unusual weeks says "unusual week", with the week's distance (it read "1
    unusual day … (£0 from what was expected)"); days and weeks each by themselves, never
    added (a week's distance holds its days'). The tile: the largest kind, labelled."""
    end = date(2026, 10, 31)
    days = [
        ("2026-10-30 00:00", "high", "unusual_day", "unusual_day", 1000.0),
        ("2026-10-28 00:00", "high", "unusual_day", "unusual_day, order_burst", 500.0),
    ]
    week = [("2026-10-26 00:00", "high", "unusual_week", "unusual_week", 4200.0)]
    orders = [
        ("2026-10-31 10:00", "high", "quick_cancel", "quick_cancel", 2000.0),
        ("2026-10-29 09:00", "high", "price_off", "price_off", 999.0),
    ]
    with use_lang(lang), FD.use_currency("£"):
        f = FD.alerts_finding(_alerts(orders + days, end))
        assert f.headline == mixed
        assert (f.value, f.exact, _(f.value_label)) == (2000.0, True, _("Orders worth"))
        f = FD.alerts_finding(_alerts(week, end))
        assert f.headline == weeks
        assert (f.value, f.exact, _(f.value_label)) == (4200.0, False, _("From expected"))
        f = FD.alerts_finding(_alerts(days + week, end))
        assert f.headline == both
        # the week's 4,200, not 4,200 + 1,500 of the days inside it
        assert f.value == 4200.0
        # an unusual count of orders has no money: no "£0 from what was expected"
        counts = _alerts([("2026-10-30 00:00", "high", "unusual_week", "unusual_week", 0.0)], end)
        assert FD.alerts_finding(counts).headline == (
            "1 unusual week in the last 7 days: find out why"
            if lang == "en"
            else "近\u00a07\u00a0天有\u00a01\u00a0个异常周：查明原因"
        )


@pytest.mark.parametrize(
    ("lang", "sign", "words"),
    [("en", "£", "on orders worth £2,140"), ("zh", "¥", "¥2,140")],
)
def test_alerts_finding_writes_the_orders_worth_exactly(lang, sign, words):
    """Orders flagged this week are worth what their lines add up to, counted, not estimated:
    2,000 + 140 reads "£2,140" in the headline and on the tile, not the estimate's "£2,100"
    (money_text: two significant figures, what the other findings' estimates keep)."""
    end = date(2026, 10, 31)
    res = _alerts(
        [
            ("2026-10-31 10:00", "high", "quick_cancel", "quick_cancel", 2000.0),
            ("2026-10-29 09:00", "high", "huge_quantity", "huge_quantity", 140.0),
        ],
        end,
    )
    with use_lang(lang), FD.use_currency(sign):
        f = FD.alerts_finding(res)
        assert f.exact and f.value == 2140.0
        assert words in f.headline and "2,100" not in f.headline, f.headline
        assert f.value_text == f"{sign}2,140"
        # an estimate keeps its two significant figures
        assert FD.money_text(2140.0) == f"{sign}2,100"
        assert FD.money_exact(2140.0) == f"{sign}2,140"
        # from ten thousand the tile writes a KPI tile's three figures, the sentence every one
        big = dataclasses.replace(f, value=40_712.4)
        assert big.value_text == (f"{sign}40.7k" if lang == "en" else f"{sign}4.07万")
        assert FD.money_exact(40_712.4) == f"{sign}40,712"


@pytest.mark.parametrize(
    ("lang", "sign", "mixed", "alone"),
    [
        (
            "en",
            "£",
            "3 high alerts in the last 7 days on orders worth £2,000, and £1,000 away from the "
            "usual prices, £600 lost selling below cost: check them before shipping",
            "2 high alerts in the last 7 days (£1,000 away from the usual prices, returns worth "
            "£317): find out why",
        ),
        (
            "zh",
            "¥",
            "近\u00a07\u00a0天有\u00a03\u00a0条高严重程度提醒，涉及订单金额\u00a0¥2,000，另有按常价计相差\u00a0¥1,000、"
            "低于成本销售亏损\u00a0¥600：发货前请核查",
            "近\u00a07\u00a0天有\u00a02\u00a0条高严重程度提醒（按常价计相差\u00a0¥1,000、退货金额\u00a0¥317）：查明原因",
        ),
    ],
    ids=["en", "zh"],
)
def test_alerts_finding_says_money_lost_in_its_own_words(lang, sign, mixed, alone):
    """A price far from usual and a sale below cost carry the money lost as their impact, a
    returns spike the value returned: none is what an order is worth. The headline's "orders
    worth" adds up the order rules' alerts alone (it read "orders worth £3,599", the 999 lost
    to a wrong price and the 600 below cost added to the £2,000 order) and says the others in
    their own words; a week with no order alert says no order's worth at all (it read "1
    high alert … on orders worth £999: check it before shipping" for a wrong price)."""
    end = date(2026, 10, 31)
    res = _alerts(
        [
            ("2026-10-31 10:00", "high", "quick_cancel", "quick_cancel", 2000.0),
            ("2026-10-30 09:00", "high", "price_off", "price_off", 999.0),
            ("2026-10-29 09:00", "high", "negative_margin", "negative_margin", 600.0),
        ],
        end,
    )
    with use_lang(lang), FD.use_currency(sign):
        f = FD.alerts_finding(res)
        assert f.headline == mixed
        # the tile: the orders' worth, the largest kind of money said, labelled as such (it
        # read "At stake £3,600": 2,000 + 999 + 600, three kinds of money added)
        assert f.value == 2000.0 and f.exact and f.value_label == "Orders worth"
        no_orders = _alerts(
            [
                ("2026-10-30 09:00", "high", "price_off", "price_off", 999.0),
                ("2026-10-28 09:00", "high", "returns_spike", "returns_spike", 317.0),
            ],
            end,
        )
        assert FD.alerts_finding(no_orders).headline == alone


@pytest.mark.parametrize(
    ("lang", "tiles"),
    [
        ("en", ["Lost below cost", "Away from usual prices", "Orders worth", "Returns worth"]),
        ("zh", ["低于成本亏损", "按常价计相差", "涉及订单金额", "退货金额"]),
    ],
)
def test_alerts_finding_ranks_by_one_kind_of_money_and_says_which(lang, tiles):
    """The Home's alerts tile and its rank are the largest kind of money the headline says —
    the orders' worth, a price's distance from usual, a loss below cost, a returns spike's
    returned value — labelled with that kind, never their sum as "At stake" (it added all
    four: 100 + 900 + 5,000 + 50 = 6,050 "At stake", and ranked the finding by it)."""
    end = date(2026, 10, 31)
    rows = [
        ("2026-10-31 10:00", "high", "quick_cancel", "quick_cancel", 100.0),
        ("2026-10-30 09:00", "high", "price_off", "price_off", 900.0),
        ("2026-10-29 09:00", "high", "negative_margin", "negative_margin", 5000.0),
        ("2026-10-28 09:00", "high", "returns_spike", "returns_spike", 50.0),
    ]
    # drop the largest kind each time: the tile is the next one's money, labelled as it
    expected = [(5000.0, True), (900.0, False), (100.0, True), (50.0, True)]
    with use_lang(lang), FD.use_currency("£"):
        for i, (label, (value, exact)) in enumerate(zip(tiles, expected, strict=True)):
            dropped = ("negative_margin", "price_off", "quick_cancel")[:i]
            f = FD.alerts_finding(_alerts([r for r in rows if r[2] not in dropped], end))
            assert (f.value, f.exact, _(f.value_label)) == (value, exact, label)
        # ranked by that one kind: below a £5,500 finding, not above it as £6,050 at stake
        f = FD.alerts_finding(_alerts(rows, end))
        other = FD.Finding("restock", "x", 5500.0, "high", "p")
        assert FD.rank([f, other])[0] is other


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_alerts_finding_never_sizes_orders_worth_nothing(lang):
    """Flagged orders whose lines add up to nothing (a huge quantity of a free line) read "on
    orders worth £0" in the headline while the tile, labelled "Orders worth", said "not
    sized": an amount beside "not sized". Now the headline says no amount, and a tile with
    nothing to size reads as every unsized finding's ("At stake: not sized"); beside money
    of another kind the tile shows that money, labelled with its kind."""
    from ecomdash.findings.words import TEXT
    from ecomdash.report.render import _finding_html

    end = date(2026, 10, 31)
    free = [("2026-10-31 10:00", "high", "huge_quantity", "huge_quantity", 0.0)]
    price = [("2026-10-30 09:00", "high", "price_off", "price_off", 999.0)]
    counts = [("2026-10-29 00:00", "high", "unusual_day", "unusual_day", 0.0)]  # orders' count
    with use_lang(lang), FD.use_currency("£"):
        alone = FD.alerts_finding(_alerts(free, end))
        assert "£0" not in alone.headline and alone.value == 0
        assert alone.headline == _(
            "{n} high alert in the last {days} days on orders: check it before shipping",
            n="1",
            days=7,
        )
        assert _(alone.value_label) == _("At stake")
        # the report's digest (as the Home's tile): "At stake: not sized", never "Orders
        # worth: not sized"
        html = _finding_html(alone, has_money=True)
        assert _(TEXT["not_sized"]) in html and _("Orders worth") not in html
        mixed = FD.alerts_finding(_alerts(free + price, end))
        assert "£0" not in mixed.headline and "£1,000" in mixed.headline, mixed.headline
        assert (mixed.value, _(mixed.value_label)) == (999.0, _("Away from usual prices"))
        assert _(TEXT["not_sized"]) not in _finding_html(mixed, has_money=True)
        days = FD.alerts_finding(_alerts(counts, end))
        assert days.value == 0 and _(days.value_label) == _("At stake")


def test_alerts_finding_on_the_demo_finds_the_planted_huge_order(demo, demo_store):
    from ecomdash.alerts import find_alerts

    store, info = demo_store
    # the demo's last week has no high alert
    assert FD.alerts_finding(find_alerts(store, info.id, Filters())) is None
    inc = demo.truth.incidents.set_index("incident").loc["huge order cancelled"]
    day = pd.Timestamp(inc["date"]).date()
    f = FD.alerts_finding(find_alerts(store, info.id, Filters(end=day)))
    assert f is not None
    # independently: the planted order's sales value, from the lines
    lines = demo.lines
    order = lines[(lines["order_id"] == inc["order_id"]) & ~lines["is_return"]]
    assert f.value == pytest.approx(float(order["revenue"].sum()), rel=1e-6)


# --- the forecast gap's driver ----------------------------------------------------------------


def _groups(before: dict[str, float], inside: dict[str, float], start: str) -> pd.DataFrame:
    """One day of each group's revenue 3 days before ``start`` and on ``start``."""
    s = pd.Timestamp(start)
    rows = [(s - pd.Timedelta(days=3), g, v) for g, v in before.items()]
    rows += [(s, g, v) for g, v in inside.items()]
    return pd.DataFrame(rows, columns=["day", "grp", "revenue"])


def test_gap_driver_by_hand():
    # before: DE 50 %, FR 30 %, UK 20 %; forecast 200 → expected 100, 60, 40
    # actual: DE 40 (-60), FR 58 (-2), UK 42 (+2): gap 140 - 200 = -60; DE's part 60/60 = 100 %
    g = _groups({"DE": 50, "FR": 30, "UK": 20}, {"DE": 40, "FR": 58, "UK": 42}, "2026-10-10")
    d = FD.gap_driver(g, start="2026-10-10", end="2026-10-10", forecast_total=200.0)
    assert (d.name, d.expected, d.actual) == ("DE", 100.0, 40.0)
    assert d.share == pytest.approx(1.0)
    # spread shortfall: DE -20, FR -20, UK -20 → each a third: nobody drives it
    g = _groups({"DE": 50, "FR": 30, "UK": 20}, {"DE": 80, "FR": 40, "UK": 20}, "2026-10-10")
    assert FD.gap_driver(g, start="2026-10-10", end="2026-10-10", forecast_total=200.0) is None
    # over forecast: UK +50 of a +60 gap (83 %)
    g = _groups({"DE": 50, "FR": 30, "UK": 20}, {"DE": 105, "FR": 65, "UK": 90}, "2026-10-10")
    d = FD.gap_driver(g, start="2026-10-10", end="2026-10-10", forecast_total=200.0)
    assert d.name == "UK" and d.share == pytest.approx(50 / 60)
    # days outside the weeks before are not in the shares
    far = pd.DataFrame([(pd.Timestamp("2026-01-01"), "FR", 1e6)], columns=g.columns)
    g2 = pd.concat([g, far])
    assert (
        FD.gap_driver(g2, start="2026-10-10", end="2026-10-10", forecast_total=200.0).name == "UK"
    )


def test_store_daily_revenue_by_matches_pandas(demo, demo_store):
    store, info = demo_store
    got = store.daily_revenue_by(
        info.id, Filters(), "country", start=date(2026, 10, 1), end=date(2026, 10, 31)
    )
    sales = schema.sales_lines(demo.lines)
    sales = sales[(sales["order_date"] >= "2026-10-01") & sales["country"].notna()]
    want = sales.groupby([sales["order_date"].dt.normalize(), "country"])["revenue"].sum()
    got = got.set_index(["day", "grp"])["revenue"]
    assert len(got) == len(want)
    np.testing.assert_allclose(got.to_numpy(), want.to_numpy(), rtol=1e-9)
    assert got.index.get_level_values(0).min() >= pd.Timestamp("2026-10-01")


def test_forecast_finding_names_a_planted_gap_driver(demo, tmp_path):
    """Remove most of Germany's sales in the demo's last 7 days: the forecast finding says
    revenue is under forecast, driven by one country, and names Germany (plain text)."""
    from ecomdash import forecast as F

    lines = demo.lines
    last = lines["order_date"].max().normalize()
    cut = (
        (lines["country"] == "Germany")
        & (lines["order_date"] >= last - pd.Timedelta(days=6))
        & (lines.index % 10 != 0)  # keep a tenth: 90 % of the week's German lines gone
    )
    store = Store.open(tmp_path / "gap")
    try:
        info = store.save_dataset("gap", lines[~cut].reset_index(drop=True))
        series = F.build_series(
            store.shop_day_groups(info.id, Filters()), metric="revenue", freq="D", future_periods=7
        )
        fc = F.forecast(series, horizon=7, folds=2, models=("seasonal_naive", "ets"))
        window, n = FD.forecast_window(fc)
        groups = store.daily_revenue_by(
            info.id,
            Filters(),
            "country",
            start=window["period"].min() - pd.Timedelta(weeks=FD.DRIVER_WEEKS),
        )
    finally:
        store.close()
    with use_lang("en"):
        f = FD.forecast_finding(fc, groups=groups, by="country")
        plain = FD.forecast_finding(fc)
    assert f is not None and "under forecast" in f.headline
    assert f.headline.endswith(", driven by one country")
    assert "Germany" not in f.headline and f.subjects[0].startswith("Germany: ")
    assert not plain.headline.endswith("one country") and plain.subjects == ()
    # Germany's share of the gap, by hand from the store's own numbers
    d = FD.gap_driver(
        groups,
        start=window["period"].min(),
        end=window["period"].max(),
        forecast_total=float(window["mean"].sum()),
    )
    assert d.name == "Germany" and d.share >= FD.DRIVER_SHARE
    # its actual and expected written alike (a counted 2,140 beside an estimated 4.1k read
    # as two kinds of number)
    with use_lang("en"):
        both = f"{FD.money_text(d.actual)} against {FD.money_text(d.expected)} expected"
    assert f.subjects[0].startswith(f"Germany: {both} from its share"), f.subjects[0]
    # a shortfall larger than the whole gap (other countries sold above their share) says so,
    # not "372 % of the gap"
    assert d.share > 1
    assert f.subjects[0].endswith(
        "weeks before (more than the whole gap: the rest sold above their share)"
    ), f.subjects[0]


def test_confidence_line_reads_as_chinese():
    """The home's confidence label in Chinese: "可信度：中" (was "可信度中：", which reads as
    "confidence in:"), and the promotion's note under the finding's body without a second
    colon ("其区间低于零")."""
    from ecomdash.i18n import _
    from ecomdash.ui.home import TEXT

    promos = pd.DataFrame(
        {
            "product_id": ["a"],
            "product_name": ["Mug"],
            "discount": [0.25],
            "weeks": [2],
            "lift": [1.2],
            "dip": [-0.3],
            "dip_high": [-0.1],
            "net_revenue": [-500.0],
        }
    )
    with use_lang("zh"):
        f = FD.promotion_finding(_pricing([INELASTIC], promos=promos))
        label = _(FD.CONFIDENCE_LABELS[f.confidence])
        line = _(TEXT["confidence"], label=label)
        why = _(TEXT["confidence_why"], note=f.confidence_note)
    assert line == "可信度：中"
    assert why == "依据：促销后的回落已测出（区间整体低于零）。"


def test_segments_finding_leaves_out_customers_who_bought_lately():
    """Five days of a Taobao shop: its "At risk" and "Can't lose them" customers (R scores
    are ranks) had bought 2 to 4 days before, and the Home said to send them the win-back
    offer ("have not bought for a median 3 days"). Only customers whose last order is at
    least rfm.LONG_AGO_DAYS (90) days old are lapsing."""
    customers = pd.DataFrame(
        {
            "segment": ["At risk", "Can't lose them", "At risk", "Champions"],
            "recency_days": [2.0, 3.0, 4.0, 0.0],
        },
        index=pd.Index(["a", "b", "c", "d"], name="customer_id"),
    )
    seg = SimpleNamespace(rfm=SimpleNamespace(customers=customers))
    assert FD.segments_finding(seg, winback_ids=()) is None
    customers.loc["c", "recency_days"] = 120.0  # one of them has not bought for 4 months
    f = FD.segments_finding(seg, winback_ids=())
    assert f.customers == 1 and "for 120 days" in f.headline
