"""Pricing's fast routes against the old per-product answer (issue 12, price8).

``analyze`` now groups on integer product codes, flags the modelled products' promotions in
one pass, computes the rows of the products outside the modelled top in one vectorised pass,
pools without a row-by-row ``.loc``, checks on held-out weeks only the products whose own
weeks pass ``eligibility``, and keeps in ``panel`` only the weeks the page reads. Each is
checked here against the old route written out product by product with the public functions
(``flag_promotions``, ``eligibility``, ``tail(4).median()`` ...), on the demo merchant with a
small modelled top so every route runs.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from ecomdash import pricing as P
from ecomdash.filters import Filters
from ecomdash.pricing import models as M
from ecomdash.pricing.analysis import PANEL_KEEP
from ecomdash.pricing.features import flag_promotions, price_levels
from ecomdash.pricing.promotions import promotion_effects
from ecomdash.store import Store
from ecomdash.store_queries import PW_COLUMNS

TOP = 20


@pytest.fixture(scope="module")
def demo_pw(demo, tmp_path_factory):
    store = Store.open(tmp_path_factory.mktemp("pricing_routes"))
    info = store.ensure_demo(demo.lines)
    pw = store.product_week_prices(info.id)
    store.close()
    return pw


@pytest.fixture(scope="module")
def res(demo_pw):
    return P.analyze(demo_pw, max_products=TOP)


def _top(pw: pd.DataFrame, n: int) -> list[str]:
    rev = pw.groupby("product_id")["revenue"].sum().sort_values(ascending=False)
    return sorted(rev.index[:n])


def _random_panel(seed: int = 5) -> pd.DataFrame:
    """60 products with prices that move every week (to the cent), 3 to 40 weeks each with
    gaps, store orders per week: the demo's products outside its top mostly hold one price."""
    rng = np.random.default_rng(seed)
    weeks = pd.date_range("2024-01-01", periods=60, freq="7D")
    orders = pd.Series(rng.integers(50, 90, size=len(weeks)), index=weeks)
    rows = []
    for k in range(60):
        n = int(rng.integers(3, 41))
        wk = np.sort(rng.choice(len(weeks), size=n, replace=False))
        price = np.round(
            rng.choice([4.99, 5.49, 5.99, 6.5], size=n) + rng.integers(0, 3, n) * 0.01, 2
        )
        for w, pr in zip(wk, price, strict=True):
            units = float(rng.integers(1, 30))
            rows.append(
                (f"P{k:02d}", f"Name {k}", f"C{k % 3}", weeks[w], units, pr, orders.iloc[w])
            )
    df = pd.DataFrame(
        rows,
        columns=[
            "product_id",
            "product_name",
            "category",
            "week",
            "units",
            "median_price",
            "store_orders",
        ],
    )
    df["revenue"] = df["units"] * df["median_price"]
    return df


@pytest.mark.parametrize("which", ["demo", "random"])
def test_products_outside_the_top_equal_the_per_product_formulas(demo_pw, res, which):
    if which == "random":
        demo_pw = _random_panel()
        res = P.analyze(demo_pw, max_products=TOP)
    top = set(_top(demo_pw, TOP))
    p = res.products.set_index("product_id")
    rest = [pid for pid in demo_pw["product_id"].unique() if pid not in top]
    assert len(rest) == demo_pw["product_id"].nunique() - TOP
    for pid in rest:
        g = demo_pw[demo_pw["product_id"] == pid].sort_values("week")
        r = p.loc[pid]
        n = len(g)
        assert r["weeks"] == n
        assert r["n_price_levels"] == price_levels(g["median_price"])
        assert r["min_price"] == g["median_price"].min()
        assert r["max_price"] == g["median_price"].max()
        assert r["current_price"] == pytest.approx(g["median_price"].tail(4).median(), rel=1e-12)
        assert r["units_per_week"] == pytest.approx(g["units"].tail(8).mean(), rel=1e-12)
        assert r["revenue"] == pytest.approx(g["revenue"].sum(), rel=1e-12)
        assert r["product_name"] == g["product_name"].iloc[-1]
        assert r["category"] == g["category"].iloc[-1]
        if n < 12:
            why = M.too_few_weeks(n, 12)
        elif g["median_price"].round(2).nunique() <= 1:
            why = f"one price in all {n} weeks"
        else:
            why = f"not among the {TOP} products with the most revenue"
        assert r["reason"].startswith(why), (pid, r["reason"], why)
        assert np.isnan(r["own_elasticity"])


def _old_modelled(pw: pd.DataFrame, top: list[str]) -> tuple[pd.DataFrame, dict, list]:
    """The modelled products the old way: flag_promotions, eligibility and fit_product per
    product (and the held-out check on every one of them)."""
    pw = pw.sort_values(["product_id", "week"], kind="stable")
    t0 = pw["week"].min()
    flagged = pd.concat(
        [flag_promotions(pw[pw["product_id"] == pid]) for pid in top], ignore_index=True
    )
    fits = {}
    for pid, g in flagged.groupby("product_id"):
        if not M.eligibility(g, min_weeks=12, min_levels=2, min_spread=0.05)[2]:
            fit = M.fit_product(g, t0=t0)
            if fit is not None:
                fits[pid] = fit
    weeks = np.sort(pw["week"].unique())
    cut = pd.Timestamp(weeks[int(len(weeks) * 0.75)])
    checked = []
    for pid, g in flagged.groupby("product_id"):
        train = g[g["week"] < cut]
        if (
            g["week"].max() >= cut
            and not M.eligibility(train, min_weeks=12, min_levels=2, min_spread=0.05)[2]
        ):
            if M.fit_product(train, t0=pd.Timestamp(weeks[0])) is not None:
                checked.append(pid)
    return flagged, fits, checked


def test_modelled_products_flags_fits_and_checks_equal_the_old_route(demo_pw, res):
    top = _top(demo_pw, TOP)
    flagged, fits, checked = _old_modelled(demo_pw, top)
    panel = res.panel[res.panel["product_id"].isin(top)].reset_index(drop=True)
    for c in ("ref_price", "promo", "post", "promo_id", "units", "median_price", "week"):
        got, want = panel[c].to_numpy(), flagged[c].to_numpy()
        assert np.array_equal(got, want, equal_nan=c == "ref_price"), c
    own = res.products.dropna(subset=["own_elasticity"]).set_index("product_id")
    assert sorted(own.index) == sorted(fits)
    for pid, fit in fits.items():
        assert own.loc[pid, "own_elasticity"] == pytest.approx(fit["elasticity"], rel=1e-12)
        assert own.loc[pid, "own_ci_low"] == pytest.approx(fit["ci_low"], rel=1e-12)
    assert sorted(res.validation["product_id"]) == sorted(checked)
    assert len(res.promotions) >= 1  # the demo's planted promotions run through this route


def test_pooling_equals_the_row_by_row_rule(demo_pw, res):
    _flagged, fits, _checked = _old_modelled(demo_pw, _top(demo_pw, TOP))
    cats = res.categories.set_index("category")
    for r in res.products.itertuples():
        c = cats.loc[r.category] if r.category in cats.index else None
        if not np.isnan(r.own_elasticity):
            if c is not None and c["n_products"] >= 2:
                m, _se, lo, hi = M.shrink(
                    r.own_elasticity,
                    fits[r.product_id]["se"],
                    c["elasticity"],
                    c["tau"] ** 2 + c["se"] ** 2,
                )
                assert (r.elasticity, r.ci_low, r.ci_high) == pytest.approx((m, lo, hi))
            else:
                assert r.elasticity == r.own_elasticity
            assert r.status == "estimated"
        elif c is not None and c["trustworthy"]:
            assert (r.status, r.elasticity) == ("category", c["elasticity"])
        else:
            assert r.status == "no estimate" and np.isnan(r.elasticity)
            if c is not None:
                assert r.reason.endswith(f"; its category's estimate is {c['note']}")
    assert set(res.products["status"]) == {"estimated", "category", "no estimate"}


def test_panel_keeps_every_week_the_page_reads(demo_pw, res):
    top = set(_top(demo_pw, TOP))
    shown = set(res.products.loc[res.products["status"] != "no estimate", "product_id"])
    assert set(res.panel["product_id"]) == top | shown
    assert len(set(demo_pw["product_id"]) - (top | shown)) > 0  # some products are left out
    kept = demo_pw[demo_pw["product_id"].isin(top | shown)]
    kept = kept.sort_values(["product_id", "week"], kind="stable").reset_index(drop=True)
    for c in ("product_id", "week", "units", "median_price", "revenue", "store_orders"):
        assert kept[c].astype(object).tolist() == res.panel[c].astype(object).tolist(), c
    others = res.panel[~res.panel["product_id"].isin(top)]
    assert not others["promo"].any() and not others["post"].any()
    assert (others["ref_price"] == others["median_price"]).all()
    # the store's weeks and the last week come from every product, not only the kept ones
    weeks = demo_pw.groupby("week")["store_orders"].first()
    assert res.store_weeks.equals(weeks)
    assert res.last_week == demo_pw["week"].max()


def test_markdowns_and_promotions_with_a_margin_equal_the_full_panel_route(demo_pw, res):
    """The old result kept every product's weeks and found the last week and the store's
    orders in them: the page's markdowns and margin promotions are the same from the cut
    panel."""
    full = demo_pw.sort_values(["product_id", "week"], kind="stable")
    flagged = []
    top = set(_top(demo_pw, TOP))
    for pid, g in full.groupby("product_id"):
        if pid in top:
            flagged.append(flag_promotions(g))
        else:
            flagged.append(
                g.assign(ref_price=g["median_price"], promo=False, post=False, promo_id=0)
            )
    old = dataclasses.replace(
        res, panel=pd.concat(flagged, ignore_index=True), store_weeks=None, last_week=None
    )
    for weeks in (2, 8):
        assert_frame_equal(
            P.markdown_candidates(res, weeks_to_clear=weeks),
            P.markdown_candidates(old, weeks_to_clear=weeks),
        )
    a = promotion_effects(res.panel, res.store_weeks, margin=0.3)
    b = promotion_effects(old.panel, old.panel.groupby("week")["store_orders"].first(), margin=0.3)
    assert len(a) >= 1
    assert_frame_equal(a, b)


def test_a_product_failing_eligibility_on_all_weeks_fails_on_its_training_weeks():
    """Why the held-out check may skip the products whose whole history fails: every test of
    ``eligibility`` (weeks, price levels, held levels, spread) can only get worse on fewer
    weeks. Random histories, every cut-off."""
    rng = np.random.default_rng(3)
    skipped = 0
    for _ in range(300):
        n = int(rng.integers(8, 40))
        prices = rng.choice([9.99, 9.99, 9.5, 8.99, 10.2], size=n, p=[0.5, 0.2, 0.1, 0.1, 0.1])
        g = pd.DataFrame(
            {
                "week": pd.date_range("2024-01-01", periods=n, freq="7D"),
                "median_price": prices,
                "units": rng.integers(1, 20, size=n).astype(float),
                "product_id": "P",
            }
        )
        g = flag_promotions(g)
        if not M.eligibility(g, min_weeks=12, min_levels=2, min_spread=0.05)[2]:
            continue
        for k in range(1, n):
            skipped += 1
            assert M.eligibility(g.iloc[:k], min_weeks=12, min_levels=2, min_spread=0.05)[2]
    assert skipped > 1000


def test_the_lean_product_week_query_is_the_full_one_without_the_unread_columns(demo, tmp_path):
    """The page asks for ``lean=True`` (no per-week distinct order count); the same rows and
    values as the full query's columns, and the same pricing result."""
    store = Store.open(tmp_path)
    try:
        info = store.ensure_demo(demo.lines)
        lo, hi = store.date_range(info.id)
        half = Filters(start=(lo + (hi - lo) / 2).date(), end=hi.date())
        for f, min_weeks in ((None, 1), (half, 5)):
            full = store.product_week_prices(info.id, f, min_weeks=min_weeks)
            lean = store.product_week_prices(info.id, f, min_weeks=min_weeks, lean=True)
            assert list(full.columns) == PW_COLUMNS
            assert list(lean.columns) == list(PANEL_KEEP)
            assert len(lean) > 1000
            assert_frame_equal(lean, full[list(lean.columns)])
    finally:
        store.close()
    a = P.analyze(full, max_products=TOP)
    b = P.analyze(lean, max_products=TOP)
    for name in ("products", "categories", "validation", "promotions", "panel"):
        assert_frame_equal(getattr(a, name), getattr(b, name))


def test_an_unsorted_panel_gives_the_same_result(demo_pw, res):
    """The store's frame comes sorted by product and week (analyze then skips its sort);
    shuffled rows are sorted first, to the same answer."""
    shuffled = demo_pw.sample(frac=1.0, random_state=2).reset_index(drop=True)
    other = P.analyze(shuffled, max_products=TOP)
    for name in ("products", "categories", "validation", "promotions", "panel"):
        assert_frame_equal(getattr(other, name), getattr(res, name))


def test_too_little_spread_says_its_shares_as_the_app_does():
    """10.00 and 10.20 held ten weeks each: 2.0 % apart, below the 5 % needed. The reason
    writes both as fmt.pct does ("2.0 %" in English, "2.0%" in Chinese)."""
    from ecomdash.i18n import use_lang

    weeks = pd.DataFrame({"median_price": [10.0] * 10 + [10.2] * 10, "promo": [False] * 20})
    got = M.eligibility(weeks, min_weeks=12, min_levels=2, min_spread=0.05)
    assert got == (20, 2, "prices vary by only 2.0\u00a0% (needs 5\u00a0%)")
    with use_lang("zh"):
        zh = M.eligibility(weeks, min_weeks=12, min_levels=2, min_spread=0.05)[2]
    assert zh == "价格只相差\u00a02.0%（需要\u00a05%）"
