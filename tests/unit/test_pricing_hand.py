"""Pricing by hand on frames small enough to follow with a pencil: the what-if (units, revenue,
profit and their band, the best price, the allowed range, which products it takes, its
refusals), the markdowns, a promotion's lift and dip with their intervals and money, and the
models' eligibility rules and pooled fit. Written for the survivors of the pricing modules'
mutation runs (docs/MUTATION.md, "pricing"); every expected value is worked out in the test's
comments from the formulas in the modules' docstrings, never copied from the code's output."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from ecomdash.errors import InsufficientDataError, ParameterError
from ecomdash.pricing import models as M
from ecomdash.pricing.analysis import PRODUCT_COLUMNS, PricingResult
from ecomdash.pricing.promotions import PROMO_COLUMNS, promotion_effects
from ecomdash.pricing.whatif import markdown_candidates, what_if

#: the standard normal's 95th percentile (a 90 % two-sided interval), from the tables
Z90 = 1.6448536269514722


def _product(pid, *, e, p0=10.0, u0=100.0, lo=8.0, hi=12.0, cat="Toys", ci=None, **kw):
    ci_low, ci_high = ci if ci is not None else (e - 0.5, e + 0.5)
    row = {
        "product_id": pid,
        "product_name": f"Name {pid}",
        "category": cat,
        "elasticity": e,
        "ci_low": ci_low,
        "ci_high": ci_high,
        "n_price_levels": 3,
        "weeks": 20,
        "status": "estimated",
        "reason": "",
        "source": "own",
        "own_elasticity": e,
        "own_ci_low": ci_low,
        "own_ci_high": ci_high,
        "min_price": lo,
        "max_price": hi,
        "current_price": p0,
        "units_per_week": u0,
        "revenue": p0 * u0,
    }
    row.update(kw)
    return row


def _none(pid, reason="one price in all 20 weeks", **kw):
    return _product(pid, e=np.nan, ci=(np.nan, np.nan), status="no estimate", reason=reason, **kw)


def _result(rows, panel=None, last_week=None) -> PricingResult:
    products = pd.DataFrame(rows, columns=PRODUCT_COLUMNS)
    if panel is None:
        panel = pd.DataFrame({"product_id": [], "week": pd.to_datetime([]), "units": []})
    return PricingResult(
        products=products,
        categories=pd.DataFrame(),
        validation=pd.DataFrame(),
        validation_summary={},
        promotions=pd.DataFrame(columns=PROMO_COLUMNS),
        panel=panel,
        params={},
        last_week=last_week,
    )


# ----------------------------------------------------------------------------- what-if


def test_what_if_units_revenue_profit_and_their_band_by_hand():
    """A: price 10, 100 units a week, elasticity -2 (90 % interval -2.5 to -1.5), prices 8–12
    had, margin 50 % (unit cost 5). At -10 %, price 9:
    units 100 · 0.9⁻² = 100 / 0.81 = 123.4568; the band's ends 100 · 0.9^-1.5 = 100 / 0.853815
    = 117.1214 and 100 · 0.9^-2.5 = 100 / 0.768433 = 130.1348 (lower units at the milder
    elasticity); revenue now 1,000, then 9 · 123.4568 = 1,111.111 (band 1,054.093 – 1,171.213);
    profit now 100 · (10 − 5) = 500, then 123.4568 · (9 − 5) = 493.827 (band 468.486 – 520.539).
    Allowed 8 · 0.9 = 7.2 to 12 · 1.1 = 13.2; on a grid of 61 prices (steps of 0.1) profit
    (p − 5) · p⁻² peaks at p = 5 · e / (1 + e) = 10."""
    res = _result([_product("A", e=-2.0, ci=(-2.5, -1.5))])
    w = what_if(res, products=["A"], change_pct=-10, margin=0.5, grid=61)
    r = w.table.iloc[0]
    assert r["new_price"] == pytest.approx(9.0)
    assert r["units_now"] == pytest.approx(100.0)
    assert r["units"] == pytest.approx(123.4568, rel=1e-5)
    assert (r["units_low"], r["units_high"]) == pytest.approx((117.1214, 130.1348), rel=1e-5)
    assert r["revenue_now"] == pytest.approx(1000.0)
    assert r["revenue"] == pytest.approx(1111.111, rel=1e-5)
    assert (r["revenue_low"], r["revenue_high"]) == pytest.approx((1054.093, 1171.213), rel=1e-5)
    assert r["profit_now"] == pytest.approx(500.0)
    assert r["profit"] == pytest.approx(493.827, rel=1e-5)
    assert (r["profit_low"], r["profit_high"]) == pytest.approx((468.486, 520.539), rel=1e-5)
    assert (r["allowed_low"], r["allowed_high"]) == pytest.approx((7.2, 13.2))
    assert r["best_price"] == pytest.approx(10.0)
    assert r["best_for"] == "profit" and r["note"] == ""
    assert (r["elasticity"], r["source"], r["category"]) == (-2.0, "own", "Toys")
    assert w.change_pct == -10.0 and w.warnings == ()
    assert w.params == {"products": ["A"], "category": None, "margin": 0.5}
    # the curve: 61 prices from 7.2 to 13.2; at 10 the units are 100, the band 100 to 100
    c = w.curve.set_index("price")
    assert len(c) == 61 and c.index[0] == pytest.approx(7.2) and c.index[-1] == pytest.approx(13.2)
    at10 = w.curve.iloc[28]
    assert at10["price"] == pytest.approx(10.0) and at10["units"] == pytest.approx(100.0)
    assert at10["revenue"] == pytest.approx(1000.0) and at10["profit"] == pytest.approx(500.0)
    # at 7.2 the band: 100 · 0.72^-1.5 = 163.69 (low), 100 · 0.72^-2.5 = 227.35 (high)
    first = w.curve.iloc[0]
    assert (first["units_low"], first["units_high"]) == pytest.approx((163.69, 227.35), rel=1e-4)


def test_what_if_without_a_margin_puts_the_best_revenue_at_an_end_of_the_range():
    """Without a margin the best price maximises revenue u0 · p0^-e · p^(1+e): falling in p at
    e = -2 (best at the low end, 7.2), rising at e = -0.5 (best at the high end, 13.2). Profit
    stays empty and the what-if warns that profit needs a cost."""
    res = _result([_product("A", e=-2.0), _product("B", e=-0.5)])
    w = what_if(res, products=["A", "B"], change_pct=5)
    t = w.table.set_index("product_id")
    assert t.loc["A", "best_price"] == pytest.approx(7.2)
    assert t.loc["B", "best_price"] == pytest.approx(13.2)
    assert t["best_for"].eq("revenue (no margin given)").all()
    assert t[["profit_now", "profit", "profit_low", "profit_high"]].isna().all().all()
    assert w.curve["profit"].isna().all()
    assert [getattr(x, "msgid", x) for x in w.warnings] == [
        "Profit needs a cost: give a margin\u00a0% of the current price. Until then the best "
        "price shown maximises revenue."
    ]


def test_what_if_takes_the_range_ends_and_refuses_beyond_them():
    """Prices had 8–12: allowed 7.2 to 13.2. -28 % (7.2) and +32 % (13.2) are on the ends,
    so estimated; -29 % (7.1) and +33 % (13.3) are outside: no units, a note, and one
    warning counting the products outside."""
    res = _result([_product("A", e=-2.0)])
    for change, price in ((-28, 7.2), (32, 13.2)):
        r = what_if(res, products=["A"], change_pct=change, margin=0.5).table.iloc[0]
        # 100 · (price / 10)⁻²
        assert r["units"] == pytest.approx(100 * (10 / price) ** 2), change
        assert r["note"] == "", change
    for change in (-29, 33):
        w = what_if(res, products=["A"], change_pct=change, margin=0.5)
        r = w.table.iloc[0]
        assert np.isnan(r["units"]) and np.isnan(r["revenue"]) and np.isnan(r["profit"])
        assert np.isnan(r["units_low"]) and np.isnan(r["units_high"])
        assert "never extrapolate" in r["note"]
        assert w.warnings == (
            "1 product would leave the range of prices it has had (±10\u00a0%): it gets no "
            "estimate rather than an extrapolation.",
        )


def test_what_if_change_limits_are_minus_90_and_plus_200_percent():
    res = _result([_product("A", e=-2.0, lo=0.5, hi=40.0)])
    # -90 % is price 1, +200 % price 30: both inside 0.45–44
    for change, price in ((-90, 1.0), (200, 30.0)):
        new = what_if(res, products=["A"], change_pct=change).table["new_price"].iloc[0]
        assert new == pytest.approx(price)
    for bad in (-90.5, 200.5):
        with pytest.raises(ParameterError, match="between -90"):
            what_if(res, products=["A"], change_pct=bad)


def test_what_if_picks_the_ten_biggest_products_with_an_elasticity():
    """Twelve products with elasticities and revenue 1 to 12 (units 1 to 12 at price 1) and a
    bigger one without: by default the ten with the most revenue, biggest first (P12 … P3)."""
    rows = [_product(f"P{i}", e=-1.5, p0=1.0, u0=float(i), lo=1.0, hi=1.0) for i in range(1, 13)]
    rows.append(_none("BIG", u0=1000.0))
    w = what_if(_result(rows), change_pct=0)
    assert w.params["products"] == [f"P{i}" for i in range(12, 2, -1)]
    assert w.table["product_id"].tolist() == w.params["products"]


def test_what_if_by_category_and_by_product_skips_those_without_an_elasticity():
    rows = [
        _product("A", e=-2.0),
        _product("B", e=-1.0, cat="Garden"),
        _none("C"),
        _none("D", cat="Garden", reason="only 3 weeks of sales (needs 12)"),
    ]
    res = _result(rows)
    assert what_if(res, category="Garden").params["products"] == ["B"]
    assert what_if(res, products=["A", "C"]).params["products"] == ["A"]
    with pytest.raises(InsufficientDataError, match="No product of category 'Books'"):
        what_if(res, category="Books")
    with pytest.raises(
        InsufficientDataError, match=r"Product D has no elasticity: only 3 weeks of sales"
    ):
        what_if(res, products=["D"])
    with pytest.raises(ParameterError, match="Products X, Y have no sales"):
        what_if(res, products=["A", "X", "Y"])
    with pytest.raises(InsufficientDataError, match="No product has an elasticity yet"):
        what_if(_result([_none("C")]))


def test_what_if_margin_per_category_with_a_default():
    """Margins {"Toys": 0.5, "*": 0.2}: A (Toys) costs 10 · 0.5 = 5, B (Garden) 10 · 0.8 = 8.
    At +0 % profit now is 100 · 5 = 500 and 100 · 2 = 200."""
    res = _result([_product("A", e=-2.0), _product("B", e=-2.0, cat="Garden")])
    t = what_if(res, change_pct=0, margin={"Toys": 0.5, "*": 0.2}).table.set_index("product_id")
    assert t.loc["A", "profit_now"] == pytest.approx(500.0)
    assert t.loc["B", "profit_now"] == pytest.approx(200.0)


# ----------------------------------------------------------------------------- markdowns


def _weeks_panel(units_by_product: dict[str, list[float | None]]) -> pd.DataFrame:
    """16 weeks from Monday 1 January 2024; None is a week without a row (no sales)."""
    weeks = pd.date_range("2024-01-01", periods=16, freq="7D")
    rows = [
        {"product_id": pid, "week": w, "units": float(u)}
        for pid, units in units_by_product.items()
        for w, u in zip(weeks, units, strict=True)
        if u is not None
    ]
    return pd.DataFrame(rows)


LAST = pd.Timestamp("2024-04-15")  # the 16th week


def test_markdowns_by_hand():
    """Eight weeks before, eight recent (window 8, clear in 8 weeks), no stock:

    * A: 20 → 10 a week (trend 0.5 ≤ 0.75), e = -3: back to 20 needs (1 − d)⁻³ = 2,
      d = 1 − 2^(-1/3) = 1 − 0.793701 = 0.206299, price 7.93701 (above the floor 7.2).
    * C: 20 → 10, e = -1.5, prices had from 9: d = 1 − 2^(-2/3) = 0.370 would go to 6.30, under
      the floor 9 · 0.9 = 8.1: capped at 8.1, d = 0.19, with the note.
    * E: 20 → 15, trend exactly 0.75 (slow), e = -2: d = 1 − (4/3)^(-1/2) = 1 − 0.866025.
    * H: 20 for 8 weeks, then 10 for 4 weeks and no rows after (0 units): recent 5, trend
      0.25; e = -2: d = 1 − 4^(-1/2) = 0.5, price 5 (prices had from 4: floor 3.6).
    * D: 10 → 8 (trend 0.8) is not slow; F is slow but its elasticity -0.05 too flat;
      G had no sales in the eight weeks before (no trend): neither listed.
    Sorted by markdown, deepest first: H (0.5), A (0.206), C (0.19), E (0.134)."""
    panel = _weeks_panel(
        {
            "A": [20] * 8 + [10] * 8,
            "C": [20] * 8 + [10] * 8,
            "E": [20] * 8 + [15] * 8,
            "H": [20] * 8 + [10] * 4 + [None] * 4,
            "D": [10] * 8 + [8] * 8,
            "F": [20] * 8 + [10] * 8,
            "G": [None] * 8 + [10] * 8,
        }
    )
    rows = [
        _product("A", e=-3.0),
        _product("C", e=-1.5, lo=9.0),
        _product("E", e=-2.0),
        _product("H", e=-2.0, lo=4.0),
        _product("D", e=-2.0),
        _product("F", e=-0.05),
        _product("G", e=-2.0),
        _none("N"),
    ]
    md = markdown_candidates(_result(rows, panel, LAST))
    assert md["product_id"].tolist() == ["H", "A", "C", "E"]
    m = md.set_index("product_id")
    assert m.loc["A", "markdown"] == pytest.approx(0.206299, rel=1e-5)
    assert m.loc["A", "new_price"] == pytest.approx(7.93701, rel=1e-5)
    assert (m.loc["A", "units_before"], m.loc["A", "units_recent"]) == (20.0, 10.0)
    assert (m.loc["A", "trend"], m.loc["A", "target_units"]) == (0.5, 20.0)
    assert m.loc["A", "note"] == "" and np.isnan(m.loc["A", "clears_in_weeks"])
    assert np.isnan(m.loc["A", "on_hand"]) and np.isnan(m.loc["A", "weeks_of_cover"])
    assert m.loc["C", "new_price"] == pytest.approx(8.1)
    assert m.loc["C", "markdown"] == pytest.approx(0.19)
    assert m.loc["C", "note"] == (
        "deepest markdown inside the prices this product has had; sales get only part of "
        "the way back to the earlier rate"
    )
    assert m.loc["E", "trend"] == 0.75
    assert m.loc["E", "markdown"] == pytest.approx(1 - 0.866025, rel=1e-5)
    assert m.loc["H", "units_recent"] == 5.0 and m.loc["H", "trend"] == 0.25
    assert m.loc["H", "markdown"] == pytest.approx(0.5) and m.loc["H", "new_price"] == 5.0


def test_markdowns_with_stock_clear_it_in_the_chosen_weeks():
    """With stock (8 weeks to clear):

    * A (20 → 10, e = -3) with 200 on hand: cover 20 weeks; target 200 / 8 = 25 a week,
      (1 − d)⁻³ = 2.5, d = 1 − 2.5^(-1/3) = 1 − 0.736806 = 0.263194; sells 25 a week, so
      clears in 8 weeks.
    * D (10 → 8, not slow by trend, e = -2) with 100 on hand: cover 12.5 > 8; target 12.5,
      (1 − d)⁻² = 12.5 / 8 = 1.5625, d = 1 − 1 / 1.25 = 0.2, price 8; clears in 100 / 12.5 = 8.
    * E2 (10 → 8 too) with 64: cover exactly 8, not more than 8 weeks: not listed.
    * C (20 → 10, e = -1.5, floor 8.1) with 1,000: target 125 a week, far below the floor's
      10 · 0.81^-1.5 = 10 / 0.729 = 13.717 a week: capped at 8.1, clears in 1000 / 13.717 =
      72.9 weeks, with the note saying the stock takes longer."""
    panel = _weeks_panel(
        {
            "A": [20] * 8 + [10] * 8,
            "D": [10] * 8 + [8] * 8,
            "E2": [10] * 8 + [8] * 8,
            "C": [20] * 8 + [10] * 8,
        }
    )
    rows = [
        _product("A", e=-3.0),
        _product("D", e=-2.0, lo=6.0),
        _product("E2", e=-2.0, lo=6.0),
        _product("C", e=-1.5, lo=9.0),
    ]
    stock = pd.Series({"A": 200.0, "D": 100.0, "E2": 64.0, "C": 1000.0, "ZZ": 5.0})
    m = markdown_candidates(_result(rows, panel, LAST), stock=stock).set_index("product_id")
    assert sorted(m.index) == ["A", "C", "D"]
    assert m.loc["A", "on_hand"] == 200.0 and m.loc["A", "weeks_of_cover"] == 20.0
    assert m.loc["A", "target_units"] == 25.0
    assert m.loc["A", "markdown"] == pytest.approx(0.263194, rel=1e-5)
    assert m.loc["A", "clears_in_weeks"] == pytest.approx(8.0)
    assert m.loc["D", "markdown"] == pytest.approx(0.2)
    assert m.loc["D", "new_price"] == pytest.approx(8.0)
    assert m.loc["D", "clears_in_weeks"] == pytest.approx(8.0)
    assert m.loc["C", "new_price"] == pytest.approx(8.1)
    assert m.loc["C", "clears_in_weeks"] == pytest.approx(72.9, rel=1e-4)
    assert m.loc["C", "note"] == (
        "deepest markdown inside the prices this product has had; the stock takes longer "
        "than the chosen weeks to clear"
    )


def test_markdown_weeks_to_clear_are_1_to_52():
    panel = _weeks_panel({"A": [20] * 8 + [10] * 8})
    res = _result([_product("A", e=-3.0)], panel, LAST)
    for ok in (1, 52):
        assert len(markdown_candidates(res, weeks_to_clear=ok)) == 1
    for bad in (0, 53):
        with pytest.raises(ParameterError, match="1–52 weeks"):
            markdown_candidates(res, weeks_to_clear=bad)


# ----------------------------------------------------------------------------- promotions


def _promo_weeks(units, prices, orders, promo_weeks=(8, 9), post_weeks=(10, 11)):
    """One product's weeks from Monday 1 January 2024 with the flags a promotion run gets
    (promo_id 1 on its weeks), the regular price 5, and the store's orders per week."""
    n = len(units)
    weeks = pd.date_range("2024-01-01", periods=n, freq="7D")
    flagged = pd.DataFrame(
        {
            "product_id": "P",
            "product_name": "Name P",
            "category": "Toys",
            "week": weeks,
            "units": np.asarray(units, dtype=float),
            "median_price": np.asarray(prices, dtype=float),
            "revenue": np.asarray(units, dtype=float) * np.asarray(prices, dtype=float),
            "promo": [i in promo_weeks for i in range(n)],
            "post": [i in post_weeks for i in range(n)],
            "promo_id": [1 if i in promo_weeks else 0 for i in range(n)],
            "ref_price": 5.0,
        }
    )
    return flagged, pd.Series(np.asarray(orders, dtype=float), index=weeks)


#: eight regular weeks alternating 5 and 15 units at 5 (store orders 100), two promotion weeks
#: of 30 units at 4 (store orders 200), two weeks after of 6 units at 5 (orders 100)
_UNITS = [5, 15] * 4 + [30, 30] + [6, 6]
_PRICES = [5.0] * 8 + [4.0, 4.0] + [5.0, 5.0]
_ORDERS = [100] * 8 + [200, 200] + [100, 100]


def test_a_promotion_s_lift_dip_intervals_and_money_by_hand():
    """Baseline: 80 units over 800 store orders, r_b = 0.1 a store order. During: 60 units over
    400 orders, 0.15: lift 1.5, 40 units expected, 20 extra; revenue 60 · 4 = 240 against
    40 · 5 = 200 expected: +40. After: 12 units over 200 orders, 0.06: dip 0.06 / 0.1 − 1 =
    -0.4; revenue 60 against 0.1 · 200 · 5 = 100: -40. Net revenue 0.

    Over-dispersion of the eight regular weeks (one price, 10 expected each week): Pearson
    chi² = 8 · 5² / 10 = 20 over 8 − 1 = 7 degrees of freedom, phi = 20 / 7. Lift interval:
    se = sqrt(phi · (1/60 + 1/80)) = sqrt(20/7 · 7/240) = sqrt(1/12); 1.5 · exp(∓z · se).
    Dip interval on log(1 + dip) = log 0.6: se = sqrt(20/7 · (1/12 + 1/80)) = sqrt(23/84).

    Margin 40 %: unit cost 3. Profit during (240 − 60 · 3) − 40 · (5 − 3) = -20; after
    (60 − 12 · 3) − 20 · 2 = -16; net -36. Discount 1 − 4/5 = 0.2; from Monday 26 February
    (week 8) to Sunday 10 March."""
    flagged, orders = _promo_weeks(_UNITS, _PRICES, _ORDERS)
    out = promotion_effects(flagged, orders, margin=0.4)
    assert list(out.columns) == PROMO_COLUMNS and len(out) == 1
    r = out.iloc[0]
    assert (r["product_id"], r["product_name"], r["category"]) == ("P", "Name P", "Toys")
    assert r["start"] == pd.Timestamp("2024-02-26") and r["end"] == pd.Timestamp("2024-03-10")
    assert r["weeks"] == 2 and r["baseline_weeks"] == 8
    assert (r["regular_price"], r["promo_price"]) == (5.0, 4.0)
    assert r["discount"] == pytest.approx(0.2)
    assert r["lift"] == pytest.approx(1.5)
    se_l = math.sqrt(1 / 12)
    assert r["lift_low"] == pytest.approx(1.5 * math.exp(-Z90 * se_l))
    assert r["lift_high"] == pytest.approx(1.5 * math.exp(Z90 * se_l))
    assert r["dip"] == pytest.approx(-0.4)
    se_d = math.sqrt(23 / 84)
    assert r["dip_low"] == pytest.approx(0.6 * math.exp(-Z90 * se_d) - 1)
    assert r["dip_high"] == pytest.approx(0.6 * math.exp(Z90 * se_d) - 1)
    assert r["extra_units"] == pytest.approx(20.0)
    assert r["extra_revenue"] == pytest.approx(40.0)
    assert r["dip_revenue"] == pytest.approx(-40.0)
    assert r["net_revenue"] == pytest.approx(0.0)
    assert r["net_profit"] == pytest.approx(-36.0)
    # without a margin, no profit
    assert np.isnan(promotion_effects(flagged, orders)["net_profit"].iloc[0])
    # a margin per category: Toys 0.4 as above; another category's margin does not apply
    by_cat = promotion_effects(flagged, orders, margin={"Toys": 0.4, "Garden": 0.9})
    assert by_cat["net_profit"].iloc[0] == pytest.approx(-36.0)


def test_a_promotion_s_baseline_and_dip_windows_by_hand():
    """Baseline of 3 weeks: weeks 5–7 (15, 5, 15 units over 300 orders), r_b = 35/300; lift
    0.15 / (35/300) = 45/35 = 9/7. Fewer than 3 regular weeks before it: no row. No dip
    weeks: dip unknown, net revenue the promotion's own +40, net profit its own -20.
    A 1-week dip window: week 10 alone, 6 units over 100 orders: -0.4, revenue 30 − 50."""
    flagged, orders = _promo_weeks(_UNITS, _PRICES, _ORDERS)
    three = promotion_effects(flagged, orders, baseline_weeks=3).iloc[0]
    assert three["baseline_weeks"] == 3
    assert three["lift"] == pytest.approx(9 / 7)
    none_measured = promotion_effects(flagged, orders, baseline_weeks=2)
    assert none_measured.empty and list(none_measured.columns) == PROMO_COLUMNS
    none = promotion_effects(flagged, orders, dip_weeks=0, margin=0.4).iloc[0]
    assert np.isnan(none["dip"]) and np.isnan(none["dip_low"]) and np.isnan(none["dip_revenue"])
    assert none["net_revenue"] == pytest.approx(40.0)
    assert none["net_profit"] == pytest.approx(-20.0)
    one = promotion_effects(flagged, orders, dip_weeks=1).iloc[0]
    assert one["dip"] == pytest.approx(-0.4)
    assert one["dip_revenue"] == pytest.approx(30.0 - 50.0)


def test_a_promotion_after_a_week_without_sales_counts_it_as_zero_units():
    """Week 3 has no row (no sales): it counts as 0 units over its 100 store orders, so the
    baseline is 65 units (80 less week 3's 15) over 800 orders and the lift 0.15 / (65/800) =
    120/65 = 24/13. A product with no promotion gets no row."""
    flagged, orders = _promo_weeks(_UNITS, _PRICES, _ORDERS)
    other = flagged.assign(product_id="Q", promo=False, post=False, promo_id=0)
    gap = pd.concat([flagged.drop(index=3), other], ignore_index=True)
    out = promotion_effects(gap, orders)
    assert out["product_id"].tolist() == ["P"]
    assert out["lift"].iloc[0] == pytest.approx(24 / 13)


# ----------------------------------------------------------------------------- models


def _elig(prices, promo=None):
    weeks = pd.DataFrame({"median_price": np.asarray(prices, dtype=float)})
    if promo is not None:
        weeks["promo"] = promo
    return weeks


def test_eligibility_at_each_rule_s_edge():
    """12 weeks needed, 2 price levels (each held 2+ regular weeks), prices 10 % apart
    (log 1.1). 12 weeks at 10 and 11: eligible, exactly 10 % apart; 11 weeks: too few. A price
    that moves only in promotion weeks: one price. 10 ×10, then 9 and 8 once each: three
    prices, one level; 10 ×11 and 11 once: the price differed in one week only. 10 and 10.5
    (5 % apart): too narrow."""
    kw = {"min_weeks": 12, "min_levels": 2, "min_spread": float(np.log(1.1))}
    assert M.eligibility(_elig([10.0, 11.0] * 6), **kw) == (12, 2, "")
    assert M.eligibility(_elig([10.0, 11.0] * 5 + [10.0]), **kw) == (
        11,
        2,
        "only 11 weeks of sales (needs 12)",
    )
    promo_only = _elig([10.0] * 10 + [8.0, 8.0], promo=[False] * 10 + [True, True])
    assert M.eligibility(promo_only, **kw) == (12, 1, "one price in all 12 weeks")
    assert M.eligibility(_elig([10.0] * 11 + [11.0]), **kw) == (
        12,
        1,
        "the price differed in only one week",
    )
    assert M.eligibility(_elig([10.0] * 10 + [9.0, 8.0]), **kw) == (
        12,
        1,
        "no price held for 2+ weeks except one (needs 2 levels)",
    )
    assert M.eligibility(_elig([10.0, 10.5] * 6), **kw)[2] == (
        "prices vary by only 5.0\u00a0% (needs 10\u00a0%)"
    )


def _fit_weeks(prices, units, orders=None):
    n = len(prices)
    return pd.DataFrame(
        {
            "week": pd.date_range("2024-01-01", periods=n, freq="7D"),
            "median_price": np.asarray(prices, dtype=float),
            "units": np.asarray(units, dtype=float),
            "store_orders": np.asarray(orders if orders is not None else [100] * n, dtype=int),
            "promo": False,
            "post": False,
        }
    )


def test_product_fit_needs_more_weeks_than_its_terms_and_two_prices():
    """log(units / orders) = a + e · log(price): 2 terms, so a fit needs more than 4 weeks.
    On 5 weeks the elasticity is the least-squares slope cov(x, y) / var(x) of x = log price,
    y = log(units / orders), and the smearing factor the mean of exp(residual)."""
    prices = [10.0, 12.0, 10.0, 8.0, 12.0]
    units = [20.0, 15.0, 22.0, 30.0, 13.0]
    wk = _fit_weeks(prices, units)
    t0 = wk["week"].min()
    assert M.fit_product(wk.head(4), t0=t0) is None
    fit = M.fit_product(wk, t0=t0)
    x, y = np.log(prices), np.log(np.array(units) / 100)
    slope = np.sum((x - x.mean()) * (y - y.mean())) / np.sum((x - x.mean()) ** 2)
    assert fit["elasticity"] == pytest.approx(slope, rel=1e-9)
    resid = y - (y.mean() - slope * x.mean()) - slope * x
    assert fit["smear"] == pytest.approx(np.mean(np.exp(resid)), rel=1e-9)
    assert fit["df_resid"] == 3.0 and fit["seasonal"] is False
    assert fit["ci_low"] < fit["elasticity"] < fit["ci_high"]
    # one price in every week: the price is the intercept again, no fit
    assert M.fit_product(_fit_weeks([10.0] * 6, units + [20.0]), t0=t0) is None


def test_category_fit_pools_products_with_an_intercept_each():
    """Two products, noise-free, units = k · orders · price^-1.5 with k = 0.2 for A and 0.05
    for B: one intercept each and the shared slope -1.5; its interval has no width. 8 weeks
    (A 4, B 4) fit 3 terms; 7 weeks are too few for the pooled fit (fewer than 8)."""
    pa = np.array([10.0, 12.0, 8.0, 10.0])
    pb = np.array([5.0, 6.0, 5.0, 4.0])
    a = _fit_weeks(pa, 0.2 * 100 * pa**-1.5).assign(product_id="A")
    b = _fit_weeks(pb, 0.05 * 100 * pb**-1.5).assign(product_id="B")
    panel = pd.concat([a, b], ignore_index=True)
    t0 = panel["week"].min()
    fit = M.fit_category(panel, t0=t0)
    assert fit["elasticity"] == pytest.approx(-1.5, abs=1e-9)
    assert (fit["ci_low"], fit["ci_high"]) == pytest.approx((-1.5, -1.5), abs=1e-6)
    assert (fit["n_products"], fit["weeks"]) == (2, 8)
    assert M.fit_category(panel.head(7), t0=t0) is None


def test_between_product_variance_by_hand():
    """DerSimonian-Laird: estimates -1, -2, -3 with se 0.5 (weights 4): mean -2, Q = 4 · (1 + 0
    + 1) = 8, denominator 12 − 48 / 12 = 8, tau² = (8 − 2) / 8 = 0.75. With se 1: Q = 2 = k − 1,
    tau² 0, floored at 0.25² = 0.0625; one estimate: the floor."""
    assert M.tau_squared(np.array([-1.0, -2.0, -3.0]), np.full(3, 0.5)) == pytest.approx(0.75)
    assert M.tau_squared(np.array([-1.0, -2.0, -3.0]), np.ones(3)) == pytest.approx(0.0625)
    assert M.tau_squared(np.array([-1.0]), np.array([0.5])) == pytest.approx(0.0625)


# ----------------------------------------------------------------------------- survivors


def test_what_if_table_curve_and_defaults():
    """Without a change or a grid: the price stays 10 (units 100, revenue 1,000) and the curve
    has 60 prices per product. The table names each product and its price; the curve has one
    row per product and price, numbered 0 … 119, profit a float (empty without a margin). Of
    A (prices had 8–12: 7.2–13.2 allowed) and B (prices had 20–24: 18–26.4), +25 % (12.5) is
    outside B's range only: one product outside, counted once (money without a currency: the
    page sets the shop's); +200 % (30) leaves both ranges: two."""
    res = _result([_product("A", e=-2.0), _product("B", e=-2.0, lo=20.0, hi=24.0)])
    w = what_if(res, products=["A", "B"])
    t = w.table.set_index("product_id")
    assert t.loc["A", "new_price"] == 10.0 and t.loc["A", "units"] == pytest.approx(100.0)
    assert list(w.table.columns[:3]) == ["product_id", "product_name", "category"]
    assert t.loc["A", "product_name"] == "Name A" and t.loc["B", "current_price"] == 10.0
    assert list(w.curve.columns[:2]) == ["product_id", "price"]
    assert w.curve["product_id"].tolist() == ["A"] * 60 + ["B"] * 60
    assert w.curve.index.equals(pd.RangeIndex(120))
    assert w.curve["profit"].dtype == np.float64
    out = what_if(res, products=["A", "B"], change_pct=25)
    assert out.table["note"].ne("").tolist() == [False, True]
    assert out.table["note"].iloc[1] == (
        "12.50 is outside the prices this product has had (20.00–24.00, ±10\u00a0% "
        "allowed): no estimate, we never extrapolate"
    )
    assert out.warnings[0] == (
        "1 product would leave the range of prices it has had (±10\u00a0%): it gets no "
        "estimate rather than an extrapolation."
    )
    two = what_if(res, products=["A", "B"], change_pct=200)
    assert two.warnings[0] == (
        "2 products would leave the range of prices they have had (±10\u00a0%): they get no "
        "estimate rather than an extrapolation."
    )


def test_what_if_refusals_word_for_word():
    """What a merchant reads when the what-if cannot run, each message whole."""
    res = _result([_product("A", e=-2.0), _none("C"), _none("D", cat="Garden")])
    cases = [
        (
            {"change_pct": 250},
            "The price change must be between -90\u00a0% and +200\u00a0%; got 250\u00a0%.",
        ),
        (
            {"products": ["X"]},
            "Product X has no sales in this dataset. Pick products from the elasticity table.",
        ),
        (
            {"products": ["A", "Q1", "Q2", "Q3", "Q4", "Q5", "Q6"]},
            "Products Q1, Q2, Q3, Q4, Q5 have no sales in this dataset. Pick products from the "
            "elasticity table.",
        ),
        (
            {"products": ["C"]},
            "Product C has no elasticity: one price in all 20 weeks. A what-if needs a product "
            "whose price has changed (or a category estimate).",
        ),
        (
            {"category": "Garden"},
            "No product of category 'Garden' has an elasticity. Pick another category or "
            "single products.",
        ),
    ]
    for kwargs, message in cases:
        with pytest.raises((ParameterError, InsufficientDataError)) as e:
            what_if(res, **kwargs)
        assert str(e.value) == message, kwargs
    with pytest.raises(InsufficientDataError) as e:
        what_if(_result([_none("C")]))
    assert str(e.value) == (
        "No product has an elasticity yet, so there is nothing to simulate. Products need "
        "sales at 2+ prices (see the reasons in the elasticity table)."
    )
    with pytest.raises(ParameterError) as e:
        markdown_candidates(res, weeks_to_clear=60)
    assert str(e.value) == "weeks_to_clear must be 1–52 weeks; got 60."


def test_markdowns_edge_cases_by_hand():
    """* S sells 0.5 a week throughout (no trend) with 100 on hand: 200 weeks of cover; the
      target 12.5 a week would need d = 1 − 25^(-1/2) = 0.8, under the floor: 7.2, selling
      0.5 · 0.72⁻² = 0.964506 a week, clearing in 100 / 0.964506 = 103.68 weeks.
    * T: 0.8 → 0.4 a week (trend 0.5, under one unit a week), e = -2, floor 3.6:
      d = 1 − 2^(-1/2) = 0.292893.
    * U: 20 → 10, e = -1 (between -1.05 and -0.05), floor 3.6: d = 1 − 2⁻¹ = 0.5.
    * Z: 10 → nothing for eight weeks, 50 on hand: no recent sales, no markdown to compute.
    Product names, categories and elasticities are those of the products table."""
    panel = _weeks_panel(
        {
            "S": [0.5] * 16,
            "T": [0.8] * 8 + [0.4] * 8,
            "U": [20] * 8 + [10] * 8,
            "Z": [10] * 8 + [None] * 8,
        }
    )
    rows = [
        _product("S", e=-2.0),
        _product("T", e=-2.0, lo=4.0),
        _product("U", e=-1.0, lo=4.0, cat="Garden"),
        _product("Z", e=-2.0),
    ]
    stock = pd.Series({"S": 100.0, "Z": 50.0})
    md = markdown_candidates(_result(rows, panel, LAST), stock=stock)
    assert list(md.columns) == [
        "product_id",
        "product_name",
        "category",
        "elasticity",
        "units_recent",
        "units_before",
        "trend",
        "on_hand",
        "weeks_of_cover",
        "target_units",
        "markdown",
        "new_price",
        "clears_in_weeks",
        "note",
    ]
    assert md.index.equals(pd.RangeIndex(3))
    m = md.set_index("product_id")
    assert sorted(m.index) == ["S", "T", "U"]
    assert m.loc["S", "weeks_of_cover"] == 200.0 and m.loc["S", "new_price"] == pytest.approx(7.2)
    assert m.loc["S", "clears_in_weeks"] == pytest.approx(103.68, rel=1e-4)
    assert m.loc["T", "markdown"] == pytest.approx(0.292893, rel=1e-5)
    assert m.loc["U", "markdown"] == pytest.approx(0.5)
    assert (m.loc["U", "product_name"], m.loc["U", "category"]) == ("Name U", "Garden")
    assert m.loc["U", "elasticity"] == -1.0
    # nothing slow: an empty table with the same columns
    calm = markdown_candidates(_result([_product("S", e=-2.0)], panel, LAST))
    assert calm.empty and list(calm.columns) == list(md.columns)


def test_markdowns_read_the_weeks_up_to_the_data_s_last_week():
    """A sells 20 a week for 8 weeks, then 10 for 8 (weeks 1–16). Read to week 16 (the panel's
    last, also when the result names no last week): before 20, recent 10. Read to week 20 (the
    data's last week is 4 weeks after A's last sale): before = weeks 5–12 = (4 · 20 + 4 · 10)
    / 8 = 15, recent = weeks 13–20 = (4 · 10 + 4 · 0) / 8 = 5, trend 1/3."""
    panel = _weeks_panel({"A": [20] * 8 + [10] * 8})
    rows = [_product("A", e=-3.0)]
    for last in (None, LAST):
        r = markdown_candidates(_result(rows, panel, last)).iloc[0]
        assert (r["units_before"], r["units_recent"]) == (20.0, 10.0), last
    r = markdown_candidates(_result(rows, panel, LAST + pd.Timedelta(weeks=4))).iloc[0]
    assert (r["units_before"], r["units_recent"]) == (15.0, 5.0)
    assert r["trend"] == pytest.approx(1 / 3)


def test_partial_pooling_by_hand():
    """Own -2.0 (se 0.4), category -0.5 (variance 0.5): precision weights 1 / 0.16 = 6.25 and
    1 / 0.5 = 2; mean (6.25 · -2 + 2 · -0.5) / 8.25 = -13.5 / 8.25 = -1.636364, se
    sqrt(1 / 8.25) = 0.348155; at the default 90 %: ± 1.644854 · 0.348155 = ± 0.572664."""
    m, se, lo, hi = M.shrink(-2.0, 0.4, -0.5, 0.5)
    assert m == pytest.approx(-1.636364, rel=1e-6)
    assert se == pytest.approx(0.348155, rel=1e-5)
    assert (lo, hi) == pytest.approx((-1.636364 - 0.572664, -1.636364 + 0.572664), rel=1e-5)


def test_between_product_variance_of_imprecise_estimates():
    """Estimates -1 and -9 with se 2 (weights 0.25): mean -5, Q = 0.25 · (16 + 16) = 8,
    denominator 0.5 − 0.125 / 0.5 = 0.25, tau² = (8 − 1) / 0.25 = 28."""
    assert M.tau_squared(np.array([-1.0, -9.0]), np.array([2.0, 2.0])) == pytest.approx(28.0)


def test_a_week_s_expected_units_are_the_median_times_the_smearing_factor():
    """predict_units: exp(a + e · log price) · store orders is the median week; the expected
    (mean) week multiplies it by the smearing factor, the mean of exp(residual)."""
    prices = [10.0, 12.0, 10.0, 8.0, 12.0]
    units = [20.0, 15.0, 22.0, 30.0, 13.0]
    wk = _fit_weeks(prices, units)
    t0 = wk["week"].min()
    fit = M.fit_product(wk, t0=t0)
    x, y = np.log(prices), np.log(np.array(units) / 100)
    slope = np.sum((x - x.mean()) * (y - y.mean())) / np.sum((x - x.mean()) ** 2)
    fitted = y.mean() + slope * (x - x.mean())
    smear = np.mean(np.exp(y - fitted))
    assert M.predict_units(fit, wk, t0=t0, median=True) == pytest.approx(np.exp(fitted) * 100)
    assert M.predict_units(fit, wk, t0=t0) == pytest.approx(np.exp(fitted) * 100 * smear)
    assert smear != pytest.approx(1.0)


def test_a_category_fit_equals_a_direct_statsmodels_ols():
    """Two products with noise and store orders that vary: the same design written out (one
    intercept per product, log price; log(units / store orders)), HC1 errors, a Student-t 90 %
    interval."""
    import statsmodels.api as sm

    rng = np.random.default_rng(7)
    pa = np.array([10.0, 12.0, 8.0, 10.0, 11.0, 9.0])
    pb = np.array([5.0, 6.0, 5.0, 4.0, 4.5, 5.5])
    orders = rng.integers(200, 400, 6)
    a = _fit_weeks(pa, rng.poisson(0.2 * orders * (pa / 10) ** -1.5) + 1.0, orders)
    b = _fit_weeks(pb, rng.poisson(0.1 * orders * (pb / 5) ** -1.5) + 1.0, orders)
    panel = pd.concat([a.assign(product_id="A"), b.assign(product_id="B")], ignore_index=True)
    fit = M.fit_category(panel, t0=panel["week"].min())
    X = np.column_stack(
        [np.r_[np.ones(6), np.zeros(6)], np.r_[np.zeros(6), np.ones(6)], np.log(np.r_[pa, pb])]
    )
    y = np.log(panel["units"].to_numpy() / panel["store_orders"].to_numpy())
    ref = sm.OLS(y, X).fit(cov_type="HC1", use_t=True)
    assert fit["elasticity"] == pytest.approx(ref.params[2], rel=1e-9)
    assert fit["se"] == pytest.approx(ref.bse[2], rel=1e-9)
    assert (fit["ci_low"], fit["ci_high"]) == pytest.approx(tuple(ref.conf_int(0.10)[2]), rel=1e-9)


# ------------------------------------------------------ survivors a merchant's result rests on


def test_a_category_with_one_priced_product_keeps_its_row():
    """A category whose price changed for one product only still gets its pooled row (its
    one-price products borrow it): one intercept and the slope, which for one product is the
    least-squares slope cov(x, y) / var(x) of x = log price, y = log(units / orders). Eight
    weeks, the fewest a category fit takes."""
    prices = [10.0, 12.0, 10.0, 8.0, 12.0, 8.0, 10.0, 12.0]
    units = [20.0, 15.0, 22.0, 30.0, 13.0, 27.0, 19.0, 16.0]
    panel = _fit_weeks(prices, units).assign(product_id="A")
    fit = M.fit_category(panel, t0=panel["week"].min())
    x, y = np.log(prices), np.log(np.array(units) / 100)
    slope = np.sum((x - x.mean()) * (y - y.mean())) / np.sum((x - x.mean()) ** 2)
    assert fit is not None
    assert fit["elasticity"] == pytest.approx(slope, rel=1e-9)
    assert (fit["n_products"], fit["weeks"]) == (1, 8)


#: a fitted product model written by hand: units = 0.2 · store orders · price^-1.5, twice that
#: in a promotion week, 0.4 times it in a week after one; smearing factor 1.1
_PROMO_FIT = {
    "seasonal": False,
    "smear": 1.1,
    "params": {"const": math.log(0.2), "log_price": -1.5, "promo": math.log(2.0)}
    | {"post": math.log(0.4)},
}


def test_a_forecast_counts_a_promotion_only_in_its_weeks():
    """predict_units at price 4 and 100 store orders: 0.2 · 100 · 4^-1.5 = 20 / 8 = 2.5 units
    (the median week; 2.75 with the smearing factor 1.1) in a regular week, 5 in a promotion
    week, 1 in a week after one. Weeks without promotions (no flag columns, or flags all
    false, which the design leaves out) get no promotion term (filling the terms with 1.0
    gave 2.5 · 2 · 0.4 = 2, NaN no forecast). Weeks that are all promotion weeks — a
    held-out check's last week in a sale — get it: the design leaves out a flag every week
    has (beside the intercept it cannot be fitted), and the forecast filled it with 0: 2.5
    instead of 5."""
    weeks = _fit_weeks([4.0, 4.0, 4.0], [1.0, 1.0, 1.0])  # the units are not read
    t0 = weeks["week"].min()

    def units(**flags):
        wk = weeks.assign(**flags) if flags else weeks.drop(columns=["promo", "post"])
        return M.predict_units(_PROMO_FIT, wk, t0=t0, median=True).tolist()

    assert units() == pytest.approx([2.5, 2.5, 2.5])
    assert units(promo=False, post=False) == pytest.approx([2.5, 2.5, 2.5])
    assert M.predict_units(_PROMO_FIT, weeks, t0=t0) == pytest.approx([2.75] * 3)
    assert units(promo=[True, False, False], post=[False, False, True]) == pytest.approx(
        [5.0, 2.5, 1.0]
    )
    assert units(promo=True, post=False) == pytest.approx([5.0, 5.0, 5.0])
    assert units(promo=False, post=True) == pytest.approx([1.0, 1.0, 1.0])


def test_a_one_week_promotion_by_hand():
    """A promotion of one week (week 8, 30 units at 4 over 200 store orders) after the eight
    regular weeks of 80 units over 800 orders: r_b = 0.1, lift 0.15 / 0.1 = 1.5, 20 units
    expected, 10 extra; revenue 30 · 4 = 120 against 20 · 5 = 100: +20. The two weeks after:
    12 units over 200 orders, dip 0.06 / 0.1 − 1 = -0.4, revenue 60 against 100: -40; net
    -20. Margin 40 % for Toys (unit cost 3): (120 − 30 · 3) − 20 · 2 = -10 during, (60 −
    12 · 3) − 20 · 2 = -16 after, -26. From Monday 26 February to Sunday 3 March. Its name,
    category and regular price are read off its one week."""
    units = [5, 15] * 4 + [30, 6, 6, 10]
    prices = [5.0] * 8 + [4.0] + [5.0] * 3
    orders = [100] * 8 + [200] + [100] * 3
    flagged, store = _promo_weeks(units, prices, orders, promo_weeks=(8,), post_weeks=(9, 10))
    r = promotion_effects(flagged, store, margin={"Toys": 0.4}).iloc[0]
    assert (r["product_name"], r["category"], r["regular_price"]) == ("Name P", "Toys", 5.0)
    assert r["start"] == pd.Timestamp("2024-02-26") and r["end"] == pd.Timestamp("2024-03-03")
    assert (r["weeks"], r["promo_price"]) == (1, 4.0)
    assert r["lift"] == pytest.approx(1.5) and r["extra_units"] == pytest.approx(10.0)
    assert r["extra_revenue"] == pytest.approx(20.0) and r["dip"] == pytest.approx(-0.4)
    assert r["net_revenue"] == pytest.approx(-20.0) and r["net_profit"] == pytest.approx(-26.0)


def test_a_promotion_s_baseline_is_the_eight_weeks_before_and_a_week_without_sales_is_0():
    """Two older regular weeks of 100 units come before the eight of the usual example: the
    baseline is the eight weeks just before (80 units over 800 orders, lift 1.5 as there), not
    nine (180 / 900). A dip week without sales (week 12 here, the first after) counts 0
    units and 0 revenue: 6 units over 200 orders, dip 0.03 / 0.1 − 1 = -0.7, dip revenue
    30 − 0.1 · 200 · 5 = -70."""
    units = [100, 100] + _UNITS
    flagged, store = _promo_weeks(
        units, [5.0] * 2 + _PRICES, [100] * 2 + _ORDERS, promo_weeks=(10, 11), post_weeks=(12, 13)
    )
    r = promotion_effects(flagged, store).iloc[0]
    assert r["baseline_weeks"] == 8 and r["lift"] == pytest.approx(1.5)
    gap = promotion_effects(flagged.drop(index=12), store).iloc[0]
    assert gap["dip"] == pytest.approx(-0.7)
    assert gap["dip_revenue"] == pytest.approx(-70.0)


def test_a_promotion_without_a_baseline_does_not_stop_the_next_one():
    """Promotion 1 (week 1) has one regular week before it: no row. Promotion 2 (week 12,
    after eight regular weeks 4–11 of 5 and 15 units over 100 orders each: r_b 0.1) is
    measured: 30 units over 200 orders, lift 1.5."""
    units = [5, 30, 6, 6] + [5, 15] * 4 + [30, 6, 6]
    prices = [5.0, 4.0, 5.0, 5.0] + [5.0] * 8 + [4.0, 5.0, 5.0]
    orders = [100, 200, 100, 100] + [100] * 8 + [200, 100, 100]
    flagged, store = _promo_weeks(units, prices, orders, promo_weeks=(1, 12), post_weeks=())
    flagged["promo_id"] = [0, 1] + [0] * 10 + [2, 0, 0]
    flagged["post"] = [i in (2, 3, 13, 14) for i in range(15)]
    out = promotion_effects(flagged, store)
    assert out["start"].tolist() == [pd.Timestamp("2024-03-25")]  # week 12
    assert out["lift"].tolist() == pytest.approx([1.5])


def _regular(prices, units, orders=None):
    n = len(prices)
    weeks = pd.date_range("2024-01-01", periods=n, freq="7D")
    prod = pd.DataFrame(
        {
            "median_price": np.asarray(prices, dtype=float),
            "units": np.asarray(units, dtype=float),
            "promo": False,
            "post": False,
        },
        index=weeks,
    )
    return prod, pd.Series(np.asarray(orders or [100] * n, dtype=float), index=weeks)


def test_over_dispersion_by_hand():
    """Pearson chi² / df of the regular weeks around each price level's rate (floored at 1):
    at 5, units 5, 15, 5, 15 (10 expected each): chi² 4 · 25 / 10 = 10; at 4, units 20, 30,
    20, 30 (25 expected): 4 · 25 / 25 = 4; df 8 − 2 levels: 14 / 6 = 7/3. Four weeks at one
    price: 10 / 3. Four weeks at three prices (5, 5, 4, 3; units 5, 15, 7, 7): chi² 5 over
    one df: 5. Units 9, 11, 9, 11: 0.4 / 3, floored at 1. Three regular weeks: 1."""
    from ecomdash.pricing.promotions import _dispersion

    two = _regular([5.0] * 4 + [4.0] * 4, [5, 15, 5, 15, 20, 30, 20, 30])
    assert _dispersion(*two) == pytest.approx(7 / 3)
    assert _dispersion(*_regular([5.0] * 4, [5, 15, 5, 15])) == pytest.approx(10 / 3)
    assert _dispersion(*_regular([5.0, 5.0, 4.0, 3.0], [5, 15, 7, 7])) == pytest.approx(5.0)
    assert _dispersion(*_regular([5.0] * 4, [9, 11, 9, 11])) == 1.0
    assert _dispersion(*_regular([5.0] * 3, [5, 15, 5])) == 1.0


def test_a_margin_for_a_category_is_that_category_s_else_the_default():
    """A dict of margins: the product's category's, else "*"'s, else none (no profit); a
    missing category reads "*"; a NaN margin is none."""
    from ecomdash.pricing.promotions import margin_for

    assert margin_for({"Toys": 0.4, "*": 0.2}, "Toys") == 0.4
    assert margin_for({"Toys": 0.4, "*": 0.2}, "Garden") == 0.2
    assert margin_for({"Toys": 0.4, "*": 0.2}, None) == 0.2
    assert margin_for({"Toys": 0.4, "*": 0.2}, float("nan")) == 0.2
    assert margin_for({"Toys": 0.4}, "Garden") is None
    assert margin_for({"Toys": float("nan")}, "Toys") is None
    assert margin_for(0.3, "Toys") == 0.3 and margin_for(None, "Toys") is None
    flagged, store = _promo_weeks(_UNITS, _PRICES, _ORDERS)
    assert np.isnan(promotion_effects(flagged, store, margin={"Garden": 0.4})["net_profit"][0])


def test_a_promotion_after_weeks_without_sales_has_no_baseline_and_the_next_one_is_measured():
    """The product starts selling in promotion 1 (week 0), sells nothing in weeks 1–4 (no
    rows: 0 units), then promotion 2 (week 5): its baseline weeks 1–4 hold 0 units, so no
    rate to compare with, no row (not an infinite lift). Promotion 3 (week 14) after eight
    regular weeks 6–13 of 5 and 15 units over 100 orders each (r_b 0.1), 30 units over 200
    orders: lift 1.5."""
    units = [30] + [0] * 4 + [30] + [5, 15] * 4 + [30]
    prices = [4.0] + [5.0] * 4 + [4.0] + [5.0] * 8 + [4.0]
    orders = [200] + [100] * 4 + [200] + [100] * 8 + [200]
    flagged, store = _promo_weeks(units, prices, orders, promo_weeks=(0, 5, 14), post_weeks=())
    flagged["promo_id"] = [1] + [0] * 4 + [2] + [0] * 8 + [3]
    out = promotion_effects(flagged.drop(index=[1, 2, 3, 4]), store)
    assert out["start"].tolist() == [pd.Timestamp("2024-04-08")]  # week 14
    assert out["lift"].tolist() == pytest.approx([1.5])
