"""Pricing: the store's product-week aggregate, the log-log fits, pooling, validation,
promotions, what-if and markdowns — against hand computations, a direct statsmodels fit, and
the truths planted in the demo merchant."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from ecomdash import pricing as P
from ecomdash.errors import InsufficientDataError, ParameterError
from ecomdash.pricing import models as M
from ecomdash.pricing.features import flag_promotions, price_levels
from ecomdash.pricing.whatif import NO_MARGIN
from ecomdash.store import Store


def _lines(rows) -> pd.DataFrame:
    df = pd.DataFrame(
        rows, columns=["order_id", "order_date", "product_id", "quantity", "unit_price"]
    )
    df["order_date"] = pd.to_datetime(df["order_date"])
    df["revenue"] = df["quantity"] * df["unit_price"]
    df["product_name"] = "Name " + df["product_id"]
    df["category"] = "Cat"
    df["is_return"] = df["quantity"] < 0
    df["is_non_product"] = df["product_id"] == "POST"
    df["is_cancelled"] = False
    return df


# ----------------------------------------------------------------------------- store


def test_product_week_prices_matches_hand_computation(tmp_path):
    lines = _lines(
        [
            ("1", "2024-01-01 10:00", "A", 2, 10.0),  # Monday
            ("1", "2024-01-01 10:00", "B", 1, 5.0),
            ("2", "2024-01-07 23:00", "A", 1, 8.0),  # Sunday, same week
            ("3", "2024-01-03 09:00", "A", 4, 9.0),
            ("3", "2024-01-03 09:00", "POST", 1, 3.0),  # non-product: ignored
            ("C3", "2024-01-04 09:00", "A", -4, 9.0),  # return: ignored
            ("4", "2024-01-08 12:00", "A", 3, 7.0),  # next Monday: next week
            ("5", "2024-01-14 18:00", "C", 1, 4.0),  # its Sunday: the data covers it whole
        ]
    )
    store = Store.open(tmp_path)
    info = store.save_dataset("t", lines)
    pw = store.product_week_prices(info.id)
    a = pw[pw["product_id"] == "A"].reset_index(drop=True)
    assert a["week"].tolist() == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-08")]
    assert a["units"].tolist() == [7.0, 3.0]
    assert a["revenue"].tolist() == [2 * 10 + 8 + 4 * 9.0, 21.0]
    assert a["median_price"].tolist() == [9.0, 7.0]  # median of 10, 8, 9
    assert a["mean_price"].iloc[0] == pytest.approx(64 / 7)
    assert a["orders"].tolist() == [3, 1]
    # orders 1, 2, 3 have products in week 1 (POST-only lines are not products); 4, 5 in week 2
    assert a["store_orders"].tolist() == [3, 2]
    assert pw["product_id"].tolist().count("B") == 1
    # min_weeks drops B (one week)
    assert set(store.product_week_prices(info.id, min_weeks=2)["product_id"]) == {"A"}


def test_product_week_prices_leave_out_cancelled_sales(tmp_path):
    """A sale later cancelled by its matched return (``is_cancelled``) is not demand at its
    price: not in the week's units, revenue or price, nor an order of the store that week
    (the demo's TEX-271 sold 81.5 units a week over its last 8 weeks with them, 79.9
    without)."""
    lines = _lines(
        [
            ("1", "2024-01-01 10:00", "A", 2, 10.0),
            ("2", "2024-01-02 10:00", "A", 5, 6.0),  # cancelled below
            ("2", "2024-01-02 10:00", "B", 1, 5.0),  # kept: order 2 still counts
            ("3", "2024-01-03 10:00", "A", 4, 4.0),  # cancelled: order 3 had nothing else
            ("C2", "2024-01-04 10:00", "A", -5, 6.0),
            ("C3", "2024-01-04 10:00", "A", -4, 4.0),
            ("4", "2024-01-07 10:00", "A", 1, 9.0),
        ]
    )
    lines.loc[[1, 3], "is_cancelled"] = True
    store = Store.open(tmp_path)
    info = store.save_dataset("t", lines)
    pw = store.product_week_prices(info.id)
    a = pw[pw["product_id"] == "A"].iloc[0]
    assert a["units"] == 3.0 and a["revenue"] == 2 * 10.0 + 9.0
    assert a["median_price"] == 9.5 and a["orders"] == 2 and a["lines"] == 2
    assert a["store_orders"] == 3  # orders 1, 2 and 4
    lean = store.product_week_prices(info.id, lean=True)
    assert lean["units"].tolist() == [3.0, 1.0] and lean["store_orders"].tolist() == [3, 3]


def _week_lines(first: str, last: str) -> pd.DataFrame:
    """One sale of A a day from ``first`` to ``last``, a country each: UK, then FR."""
    days = pd.date_range(first, last, freq="D")
    lines = _lines(
        [(str(i), f"{d.date()} 12:00", "A", 1, 10.0) for i, d in enumerate(days, start=1)]
    )
    lines["country"] = ["UK", "FR"] * (len(lines) // 2) + ["UK"] * (len(lines) % 2)
    return lines


@pytest.mark.parametrize(
    ("first", "last", "weeks"),
    [
        # Monday 1 January to Sunday 21 January 2024: three whole weeks, all kept
        ("2024-01-01", "2024-01-21", ["2024-01-01", "2024-01-08", "2024-01-15"]),
        # from the Tuesday: the first week has 6 days of data and is left out
        ("2024-01-02", "2024-01-21", ["2024-01-08", "2024-01-15"]),
        # to the Saturday: the last week has 6 days of data and is left out
        ("2024-01-01", "2024-01-20", ["2024-01-01", "2024-01-08"]),
        # a Friday to a Wednesday (the demo starts on a Friday): only the middle week
        ("2024-01-05", "2024-01-17", ["2024-01-08"]),
    ],
)
def test_product_week_prices_keep_only_the_weeks_the_data_covers_whole(
    tmp_path, first, last, weeks
):
    store = Store.open(tmp_path)
    info = store.save_dataset("t", _week_lines(first, last))
    for lean in (False, True):
        pw = store.product_week_prices(info.id, lean=lean)
        assert pw["week"].tolist() == [pd.Timestamp(w) for w in weeks]
        assert (pw["units"] == 7.0).all() and (pw["store_orders"] == 7).all()


def test_product_week_prices_whole_weeks_follow_the_sidebar_dates(tmp_path):
    """The days covered are the dataset's (any line, whatever the countries picked) within
    the sidebar's dates: a picked end on a Sunday keeps its week even with no sale that day;
    a country's lines that start on a Tuesday do not cut its first week."""
    from datetime import date

    from ecomdash.filters import Filters

    lines = _week_lines("2024-01-01", "2024-01-28")
    lines = lines[lines["order_date"] != pd.Timestamp("2024-01-21 12:00")]  # no sale that Sunday
    store = Store.open(tmp_path)
    info = store.save_dataset("t", lines)
    weeks = lambda f: store.product_week_prices(info.id, f)["week"].dt.strftime("%d").tolist()  # noqa: E731
    assert weeks(None) == ["01", "08", "15", "22"]
    assert weeks(Filters(start=date(2024, 1, 8), end=date(2024, 1, 21))) == ["08", "15"]
    assert weeks(Filters(start=date(2024, 1, 9), end=date(2024, 1, 21))) == ["15"]
    assert weeks(Filters(start=date(2024, 1, 8), end=date(2024, 1, 20))) == ["08"]
    # FR's lines run from Tuesday 2 January (UK's every other day): its first week is whole
    fr = store.product_week_prices(info.id, Filters(countries=("FR",)))
    assert fr["week"].dt.strftime("%d").tolist() == ["01", "08", "15", "22"]
    # a period shorter than a whole week: no week at all, and the analysis says why
    short = Filters(start=date(2024, 1, 9), end=date(2024, 1, 15))
    assert store.product_week_prices(info.id, short).empty
    with pytest.raises(InsufficientDataError, match="whole weeks"):
        P.analyze(store.product_week_prices(info.id, short))


def _closed_on(lines: pd.DataFrame, weekday: int) -> pd.DataFrame:
    """``lines`` without any line on ``weekday`` (0 = Monday): a shop closed that day."""
    return lines[lines["order_date"].dt.weekday != weekday].reset_index(drop=True)


@pytest.mark.parametrize(
    ("first", "last", "closed", "weeks"),
    [
        # closed on Sundays, data Monday 1 January to Saturday 3 February 2024: the last
        # week has every day the shop opens and is kept (it was left out: "6 days of data")
        ("2024-01-01", "2024-02-03", 6, ["01", "08", "15", "22", "29"]),
        # closed on Mondays, data from Tuesday 2 January: the first week is whole too
        ("2024-01-02", "2024-02-04", 0, ["01", "08", "15", "22", "29"]),
        # closed on Sundays, data to a Friday: the Saturday is missing, the week is not whole
        ("2024-01-01", "2024-02-02", 6, ["01", "08", "15", "22"]),
        # three Sundays are too few to say the shop closes on Sundays: the part week is out
        ("2024-01-01", "2024-01-20", 6, ["01", "08"]),
    ],
)
def test_product_week_prices_keep_a_closed_weekday_shops_edge_weeks(
    tmp_path, first, last, closed, weeks
):
    """A week counts as covered when its only days outside the data are a weekday on which
    the shop never has a line (a weekly closing day, seen at least 4 times in the data): a
    shop closed on Sundays whose data ends on a Saturday lost its whole last week."""
    store = Store.open(tmp_path)
    info = store.save_dataset("t", _closed_on(_week_lines(first, last), closed))
    for lean in (False, True):
        pw = store.product_week_prices(info.id, lean=lean)
        assert pw["week"].dt.strftime("%d").tolist() == weeks
        assert (pw["units"] == 6.0).all()  # six open days each
    # a shop open on Sundays with data ending on a Saturday still loses the part week
    open_info = store.save_dataset("open", _week_lines("2024-01-01", "2024-02-03"))
    pw = store.product_week_prices(open_info.id)
    assert pw["week"].dt.strftime("%d").tolist() == ["01", "08", "15", "22"]
    store.close()


def test_product_week_prices_types_names_and_missing_categories(tmp_path):
    """The frame's types whatever route fetches it (price9: Arrow, not DuckDB's .df()):
    ids, names and categories as pandas' "string" (missing: pd.NA), weeks as datetime64[us],
    counts as int64; a product's name and category are its latest line's."""
    lines = _lines(
        [
            ("1", "2024-01-01 10:00", "A", 2, 10.0),
            ("2", "2024-01-09 10:00", "A", 1, 9.0),
            ("2", "2024-01-09 10:00", "B", 1, 5.0),
            ("3", "2024-01-14 10:00", "A", 1, 9.0),  # a Sunday: the second week is whole
        ]
    )
    lines.loc[0, "product_name"] = "Old name"
    lines.loc[[1, 3], "product_name"] = "New name"
    lines.loc[2, "category"] = None
    store = Store.open(tmp_path)
    info = store.save_dataset("t", lines)
    for lean in (False, True):
        pw = store.product_week_prices(info.id, lean=lean)
        for c in ("product_id", "product_name", "category"):
            assert pw[c].dtype == pd.StringDtype(), (c, pw[c].dtype)
        assert pw["week"].dtype == "datetime64[us]"
        assert pw["store_orders"].dtype == "int64"
        assert pw["median_price"].dtype == "float64"
        assert pw["product_id"].tolist() == ["A", "A", "B"]
        assert pw["product_name"].tolist() == ["New name", "New name", "Name B"]
        assert pw["category"].iloc[:2].tolist() == ["Cat", "Cat"]
        assert pw["category"].iloc[2] is pd.NA
        assert pw["store_orders"].tolist() == [1, 2, 2]
        if not lean:
            assert pw["orders"].dtype == "int64" and pw["lines"].dtype == "int64"


# ----------------------------------------------------------------------------- fits


def _panel(prices, orders, units, *, pid="P", start="2024-01-01") -> pd.DataFrame:
    n = len(prices)
    return pd.DataFrame(
        {
            "product_id": pid,
            "product_name": pid,
            "category": "Cat",
            "week": pd.date_range(start, periods=n, freq="7D"),
            "units": np.asarray(units, dtype=float),
            "median_price": np.asarray(prices, dtype=float),
            "revenue": np.asarray(units, dtype=float) * np.asarray(prices, dtype=float),
            "store_orders": np.asarray(orders, dtype=int),
        }
    )


def test_noise_free_demand_gives_the_exact_elasticity():
    prices = np.repeat([10.0, 12.0, 9.0, 11.0], 6)
    orders = (400 + 30 * np.sin(np.arange(24))).round()
    units = 0.05 * orders * (prices / 10.0) ** -1.7
    df = flag_promotions(_panel(prices, orders, units))
    fit = M.fit_product(df, t0=df["week"].min())
    assert fit["elasticity"] == pytest.approx(-1.7, abs=1e-6)


def test_product_fit_equals_a_direct_statsmodels_ols():
    rng = np.random.default_rng(3)
    n = 40
    prices = np.repeat([10.0, 11.5, 9.5, 10.5], 10)
    orders = rng.integers(300, 500, n)
    units = rng.poisson(0.1 * orders * (prices / 10) ** -1.2) + 1.0
    df = flag_promotions(_panel(prices, orders, units))
    fit = M.fit_product(df, t0=df["week"].min())
    # the same design written out by hand: units per store order against price
    X = np.column_stack([np.ones(n), np.log(prices)])
    y = np.log(units / orders)
    ref = sm.OLS(y, X).fit(cov_type="HAC", cov_kwds={"maxlags": 2}, use_t=True)
    assert fit["elasticity"] == pytest.approx(ref.params[1], rel=1e-10)
    assert fit["se"] == pytest.approx(ref.bse[1], rel=1e-10)
    lo, hi = ref.conf_int(alpha=0.10)[1]
    assert (fit["ci_low"], fit["ci_high"]) == pytest.approx((lo, hi), rel=1e-10)
    # the 90 % interval is estimate ± t(0.95, df) · se
    t = stats.t.ppf(0.95, n - 2)
    assert fit["ci_high"] - fit["elasticity"] == pytest.approx(t * fit["se"], rel=1e-10)
    # held-out prediction: median exp(X·b) times the week's store orders
    pred = M.predict_units(fit, df.iloc[:3], t0=df["week"].min(), median=True)
    assert pred == pytest.approx(np.exp(X[:3] @ ref.params) * orders[:3], rel=1e-10)


def test_products_without_price_variation_get_a_reason_not_a_number():
    weeks = 20
    one_price = _panel([5.0] * weeks, [100] * weeks, [10.0] * weeks, pid="ONE")
    short = _panel([5.0, 6.0, 5.0], [100] * 3, [10.0, 8.0, 10.0], pid="SHORT")
    blip = _panel([5.0] * 19 + [5.5], [100] * weeks, [10.0] * weeks, pid="BLIP")
    res = P.analyze(pd.concat([one_price, short, blip], ignore_index=True))
    p = res.products.set_index("product_id")
    assert (p["status"] == "no estimate").all()
    assert p["elasticity"].isna().all()
    assert p.loc["ONE", "reason"] == "one price in all 20 weeks"
    assert p.loc["SHORT", "reason"] == "only 3 weeks of sales (needs 12)"
    assert p.loc["BLIP", "reason"] == "the price differed in only one week"
    with pytest.raises(InsufficientDataError, match="No product has enough price variation"):
        P.require_estimates(res)


def test_price_levels_and_promotion_flags():
    assert price_levels(pd.Series([9.99, 9.99, 8.49, 8.49, 7.0])) == 2
    # 10 regular weeks, a 2-week promotion at 7.5, back to 10, then a lasting cut to 8
    prices = [10.0] * 10 + [7.5, 7.5] + [10.0] * 8 + [8.0] * 10
    df = flag_promotions(_panel(prices, [100] * 30, [10.0] * 30))
    assert df["promo"].tolist() == [False] * 10 + [True, True] + [False] * 18
    assert df["post"].tolist() == [False] * 12 + [True, True] + [False] * 16
    # the usual price 10 through both promotion weeks (not only the first) and the week the cut
    # starts; from then on no price has been held 3 weeks yet, so each week is its own reference
    assert df["ref_price"].tolist() == [10.0] * 21 + [8.0] * 9


def test_merchant_events_mark_promotions_the_prices_do_not_show():
    # a free-delivery week at the usual price: units double in weeks 10-11, then dip
    units = [10.0] * 10 + [20.0, 20.0] + [7.0, 7.0] + [10.0] * 10
    df = _panel([5.0] * 24, [100] * 24, units)
    events = pd.DataFrame({"product": ["P"], "from": ["2024-03-11"], "to": ["2024-03-24"]})
    res = P.analyze(df, events=events)
    (promo,) = res.promotions.itertuples()
    assert promo.start == pd.Timestamp("2024-03-11") and promo.weeks == 2
    assert promo.lift == pytest.approx(2.0) and promo.dip == pytest.approx(-0.3)
    assert promo.extra_revenue == pytest.approx(2 * 10 * 5.0)
    assert promo.net_revenue == pytest.approx(100.0 - 2 * 3 * 5.0)
    with pytest.raises(ParameterError, match=r"P \(last day 1 March 2024 before the first, 11"):
        P.analyze(df, events=events.assign(to="2024-03-01"))
    # unknown products are named in a warning, not silently dropped
    res = P.analyze(df, events=events.assign(product="ZZZ"))
    assert res.promotions.empty and any("ZZZ" in w for w in res.warnings)


def test_shrink_and_tau_by_hand():
    # precision weights 1/0.25 and 1/1 → (4·-2 + 1·-1)/5
    m, se, lo, hi = M.shrink(-2.0, 0.5, -1.0, 1.0, level=0.90)
    assert m == pytest.approx(-1.8)
    assert se == pytest.approx(np.sqrt(1 / 5))
    assert hi - m == pytest.approx(1.6448536 * np.sqrt(1 / 5), rel=1e-6)
    # DL: est -1, -3 with se 0.5: w=4 each, mean -2, Q = 8, tau² = (8-1)/(8-4) = 1.75
    assert M.tau_squared(np.array([-1.0, -3.0]), np.array([0.5, 0.5])) == pytest.approx(1.75)


def test_bad_parameters_say_what_is_allowed():
    df = _panel([5.0] * 20, [100] * 20, [10.0] * 20)
    with pytest.raises(ParameterError, match="'level' parameter of pricing must be"):
        P.analyze(df, level=1.5)
    with pytest.raises(ParameterError, match="not a date"):
        P.analyze(df, cutoff="soon")


# ----------------------------------------------------------------------------- demo truths


@pytest.fixture(scope="module")
def demo_pw(demo, tmp_path_factory):
    store = Store.open(tmp_path_factory.mktemp("pricing"))
    info = store.ensure_demo(demo.lines)
    pw = store.product_week_prices(info.id)
    store.close()
    return pw


@pytest.fixture(scope="module")
def demo_res(demo_pw):
    return P.analyze(demo_pw)


def test_units_a_week_count_kept_sales_in_whole_weeks(demo, demo_res):
    """A product's units a week (last 8 weeks with sales) by hand from the demo's lines: the
    kept sales (not cancelled), in the weeks the data covers whole. The demo runs from Friday
    1 November 2024 to Saturday 31 October 2026, so its first and last weeks are part weeks.
    TEX-271 read 81.5 with its cancelled sales and the 6-day last week (56 units), 79.9
    without the cancelled sales: 80.0 with both rules."""
    lines = demo.lines
    first, last = lines["order_date"].min(), lines["order_date"].max()
    assert (first.day_name(), last.day_name()) == ("Friday", "Saturday")
    sale = lines[
        (lines["product_id"] == "TEX-271")
        & ~lines["is_return"]
        & ~lines["is_non_product"]
        & ~lines["is_cancelled"]
        & (lines["quantity"] > 0)
    ]
    week = sale["order_date"].dt.to_period("W-SUN").dt.start_time
    whole = (week >= first.normalize()) & (week + pd.Timedelta(days=6) <= last.normalize())
    units = sale[whole].groupby(week[whole])["quantity"].sum()
    assert units.index.min() == pd.Timestamp("2024-11-04")
    assert units.index.max() == pd.Timestamp("2026-10-19")
    row = demo_res.products.set_index("product_id").loc["TEX-271"]
    assert row["units_per_week"] == pytest.approx(units.tail(8).mean()) == pytest.approx(80.0)
    assert demo_res.panel["week"].min() == pd.Timestamp("2024-11-04")
    assert demo_res.last_week == pd.Timestamp("2026-10-19")


def test_planted_elasticities_are_recovered_within_intervals(demo, demo_res):
    t = demo.truth
    truth = pd.Series({**t.elasticity, **t.planted_elasticity})
    assert len(truth) == 25
    p = demo_res.products.set_index("product_id").loc[truth.index]
    assert (p["status"] == "estimated").all()
    inside = (p["own_ci_low"] <= truth) & (truth <= p["own_ci_high"])
    # 90 % intervals: at least 80 % of the 25 cover the truth ...
    assert inside.mean() >= 0.80, p.assign(truth=truth)[~inside]
    # ... and the five one-change products (clean per-order draws) all do
    assert inside.loc[list(t.elasticity)].all()
    # the estimates order the products like the truth
    assert stats.spearmanr(p["elasticity"], truth).statistic > 0.75


def test_planted_category_elasticities(demo, demo_res):
    truth = pd.Series(demo.truth.category_elasticity)
    assert truth.between(-2.5, -0.4).all() and truth.min() == -2.5 and truth.max() == -0.4
    c = demo_res.categories.set_index("category").loc[truth.index]
    inside = (c["ci_low"] <= truth) & (truth <= c["ci_high"])
    assert inside.sum() >= 7, c.assign(truth=truth)
    # categories lent to other products sit near the truth: most within two standard errors,
    # none beyond two and a half (Stationery, from two products, is 2.2 se too elastic)
    lent = c[c["trustworthy"]]
    assert len(lent) >= 5
    z = (lent["elasticity"] - truth[lent.index]).abs() / lent["se"]
    assert (z < 2).mean() >= 0.8 and (z < 2.5).all(), z
    # catalogue products with one price are served by their trustworthy category
    served = demo_res.products[demo_res.products["status"] == "category"]
    assert len(served) > 50
    assert set(served["category"]) <= set(lent.index)
    assert served["reason"].str.startswith("one price").mean() > 0.8


def test_planted_promotions_are_found_with_lift_and_dip(demo, demo_res):
    truth = demo.truth.promotions.set_index("product_id")
    found = demo_res.promotions.set_index("product_id")
    assert set(truth.index) <= set(found.index)
    f = found.loc[truth.index]
    assert (f["start"] == truth["start"]).all()
    assert (f["end"] == truth["end"]).all()
    assert f["discount"].between(0.2, 0.3).all()
    lift_in = (f["lift_low"] <= truth["lift"]) & (truth["lift"] <= f["lift_high"])
    dip_in = (f["dip_low"] <= truth["dip"]) & (truth["dip"] <= f["dip_high"])
    # two-week promotions of four products: their intervals are wide and the sample matters.
    # With the new customers (issue 19) seed 7 covers 2 of the 4 planted lifts (PAR-208 2.0
    # estimated 3.4), seeds 8 and 9 cover 4 of 4 (the old demo: seed 7 at least 3, seed 8 1, seed 9 4).
    assert lift_in.sum() >= 2, f[["lift", "lift_low", "lift_high"]].assign(t=truth["lift"])
    assert dip_in.all(), f[["dip", "dip_low", "dip_high"]].assign(t=truth["dip"])
    # on average the promotions lift units and are followed by a dip
    assert f["lift"].mean() > 1.3 and f["dip"].mean() < 0
    # no permanent price change of the demo is mistaken for a promotion
    assert len(found) == len(truth)


def test_validation_beats_the_naive_baseline_on_the_demo(demo_res):
    s = demo_res.validation_summary
    assert s["n_products"] == 25 and s["n_weeks"] > 500
    assert s["model_mae"] < s["baseline_mae"]
    assert s["ratio"] == pytest.approx(s["model_mae"] / s["baseline_mae"])


def _checked(statuses: list[str], n_checked: int) -> P.PricingResult:
    return P.PricingResult(
        products=pd.DataFrame({"status": statuses}),
        categories=pd.DataFrame(),
        validation=pd.DataFrame(),
        validation_summary={"ratio": 0.8, "n_products": n_checked},
        promotions=pd.DataFrame(),
        panel=pd.DataFrame(),
        params={},
    )


def test_the_check_is_counted_against_the_products_with_their_own_elasticity():
    """A product that borrows its category's elasticity sold at one price: the held-out check
    can never cover it, so the sentence counts the check's products against those with their
    own elasticity (the demo read "on the 25 of 218 products with an elasticity": 193 of the
    218 borrowed theirs), in both languages, and says "all" when it covers every one."""
    from ecomdash.i18n import use_lang

    some = _checked(["estimated"] * 3 + ["category"] * 5 + ["no estimate"], 2)
    every = _checked(["estimated"] * 3 + ["category"] * 5, 3)
    one = _checked(["estimated", "category"], 1)
    assert some.checked_of_own() == (2, 3) and every.checked_of_own() == (3, 3)
    with use_lang("en"):
        assert some.checked_products() == (
            "the 2 of 3 products with their own elasticity that had enough weeks to check"
        )
        assert every.checked_products() == "all 3 products with their own elasticity"
        assert one.checked_products() == "the 1 product with its own elasticity"
    with use_lang("zh"):
        assert (
            some.checked_products()
            == "有自身价格弹性的\u00a03\u00a0个商品中有足够周数可检验的\u00a02\u00a0个"
        )
        assert every.checked_products() == "全部\u00a03\u00a0个有自身价格弹性的商品"


def test_validation_names_each_product_as_the_products_table_does(demo_res):
    """The held-out table carries the product's name (the page's table and chart hover name
    it), the one the products table has, from the same weeks (no second look at the lines)."""
    v = demo_res.validation.set_index("product_id")["product_name"]
    names = demo_res.products.set_index("product_id")["product_name"]
    assert (v == names.loc[v.index]).all()
    # by hand, from the demo's catalogue (ecomdash/demo/catalogue.py)
    assert v["BAG-110"] == "Beanie Hat – Mustard"
    assert v["TOY-229"] == "Wooden Train Set – Starter"


def test_naive_baseline_is_the_median_of_the_weeks_before_the_cutoff(demo_res):
    v = demo_res.validation.set_index("product_id")
    pid = "TOY-278"
    cut = pd.Timestamp(demo_res.validation_summary["cutoff"])
    g = demo_res.panel[demo_res.panel["product_id"] == pid]
    last = pd.Timestamp(demo_res.panel["week"].max())
    horizon = min(13, (last - cut).days // 7 + 1)
    naive = g[(g["week"] < cut) & (g["week"] >= cut - pd.Timedelta(weeks=horizon))][
        "units"
    ].median()
    test = g[g["week"] >= cut]["units"]
    assert v.loc[pid, "baseline_mae"] == pytest.approx((test - naive).abs().mean())
    assert v.loc[pid, "weeks"] == len(test)


# ----------------------------------------------------------------------------- what-if


def test_what_if_by_hand_and_never_beyond_the_observed_prices(demo_res):
    row = demo_res.product("TOY-278")
    w = P.what_if(demo_res, products=["TOY-278"], change_pct=-5, margin=0.5)
    r = w.table.iloc[0]
    p0, u0, e = row["current_price"], row["units_per_week"], row["elasticity"]
    assert r["units"] == pytest.approx(u0 * 0.95**e)
    assert r["revenue"] == pytest.approx(u0 * 0.95**e * p0 * 0.95)
    cost = p0 * 0.5
    assert r["profit"] == pytest.approx(u0 * 0.95**e * (p0 * 0.95 - cost))
    assert r["units_low"] <= r["units"] <= r["units_high"]
    # profit-maximising price of constant elasticity: cost · e / (1 + e), inside the range
    lo, hi = r["allowed_low"], r["allowed_high"]
    assert lo == pytest.approx(row["min_price"] * 0.9) and hi == pytest.approx(
        row["max_price"] * 1.1
    )
    best = min(max(cost * e / (1 + e), lo), hi)
    assert r["best_price"] == pytest.approx(best, abs=(hi - lo) / 59)
    # +200 % is far outside the prices the product has had: no number, a note
    far = P.what_if(demo_res, products=["TOY-278"], change_pct=150).table.iloc[0]
    assert np.isnan(far["units"]) and "never extrapolate" in far["note"]
    # without a margin, profit stays empty and the best price is for revenue
    nom = P.what_if(demo_res, products=["TOY-278"], change_pct=5)
    assert np.isnan(nom.table["profit"].iloc[0]) and "revenue" in nom.table["best_for"].iloc[0]
    assert any("margin" in x for x in nom.warnings)
    # the core's sentence names no interface: the page and the CLI say where a margin goes
    [needs] = [x for x in nom.warnings if getattr(x, "msgid", None) == NO_MARGIN]
    assert "--margin" not in needs and "page" not in needs and "CLI" not in needs


def test_what_if_refuses_products_without_elasticity(demo_res):
    none = demo_res.products[demo_res.products["status"] == "no estimate"].iloc[0]
    with pytest.raises(InsufficientDataError, match="has no elasticity"):
        P.what_if(demo_res, products=[none["product_id"]], change_pct=5)
    with pytest.raises(ParameterError, match="no sales"):
        P.what_if(demo_res, products=["NOPE"], change_pct=5)


def test_markdown_clears_stock_in_the_chosen_weeks(demo_res):
    row = demo_res.product("TOY-278")
    g = demo_res.panel[demo_res.panel["product_id"] == "TOY-278"].set_index("week")["units"]
    weeks = pd.date_range(end=demo_res.panel["week"].max(), periods=8, freq="7D")
    recent = g.reindex(weeks, fill_value=0.0).mean()
    stock = pd.Series({"TOY-278": recent * 10})  # ten weeks of cover
    md = P.markdown_candidates(demo_res, weeks_to_clear=8, stock=stock).set_index("product_id")
    r = md.loc["TOY-278"]
    assert r["weeks_of_cover"] == pytest.approx(10.0)
    # (1 - d) ** e = (stock / 8) / recent = 10 / 8
    assert r["markdown"] == pytest.approx(1 - (10 / 8) ** (1 / row["elasticity"]))
    assert r["clears_in_weeks"] == pytest.approx(8.0)


def test_markdown_at_the_floor_says_what_it_falls_short_of(demo_res):
    """A markdown capped at the floor (10 % under the lowest price the product has had) says
    what it cannot do: without stock, bring sales back to the earlier rate (there is nothing
    to clear, so "it clears more slowly" said more than the table shows); with stock, clear
    it in the chosen weeks. Checked by hand on one row each."""
    back = "sales get only part of the way back to the earlier rate"
    slower = "the stock takes longer than the chosen weeks to clear"
    md = P.markdown_candidates(demo_res, weeks_to_clear=8).set_index("product_id")
    capped = md[md["note"] != ""]
    assert len(capped) and (capped["note"].str.endswith("; " + back)).all(), capped["note"]
    r = capped.iloc[0]
    p = demo_res.product(capped.index[0])
    # the floor: 10 % under the lowest price; at it the units stay below the earlier rate
    assert r["new_price"] == pytest.approx(p["min_price"] * 0.9)
    at_floor = r["units_recent"] * (r["new_price"] / p["current_price"]) ** r["elasticity"]
    assert at_floor < r["units_before"]
    # with 100 weeks of stock a 10 % floor cannot clear it in 8 weeks
    pid = "TOY-278"
    row = demo_res.product(pid)
    g = demo_res.panel[demo_res.panel["product_id"] == pid].set_index("week")["units"]
    weeks = pd.date_range(end=demo_res.panel["week"].max(), periods=8, freq="7D")
    recent = g.reindex(weeks, fill_value=0.0).mean()
    stock = pd.Series({pid: recent * 100})
    s = P.markdown_candidates(demo_res, weeks_to_clear=8, stock=stock).set_index("product_id")
    r = s.loc[pid]
    assert r["new_price"] == pytest.approx(row["min_price"] * 0.9)
    # units at the floor: recent · (floor / current) ** e; 100 weeks of stock at that rate
    units = recent * (row["min_price"] * 0.9 / row["current_price"]) ** row["elasticity"]
    assert r["clears_in_weeks"] == pytest.approx(recent * 100 / units) and r["clears_in_weeks"] > 8
    assert r["note"].endswith("; " + slower), r["note"]


# ----------------------------------------------------------------------------- UCI


@pytest.mark.slow
def test_uci_runs_and_reports_validation(uci_lines, tmp_path):
    store = Store.open(tmp_path)
    info = store.save_dataset("uci", uci_lines)
    pw = store.product_week_prices(info.id)
    res = P.analyze(pw, max_products=300)
    s = res.validation_summary
    assert s["n_products"] > 50
    assert s["model_mae"] > 0 and s["baseline_mae"] > 0
    est = res.products[res.products["status"] == "estimated"]
    assert len(est) > 50
    # most UCI products that get an elasticity have a negative one
    assert (est["elasticity"] < 0).mean() > 0.6
    assert (res.products.loc[res.products["status"] == "no estimate", "reason"] != "").all()


def test_charts_show_the_result_numbers(demo_res):
    from ecomdash.charts import pricing as charts

    fig = charts.promotion_chart(demo_res)
    np.testing.assert_allclose(fig.data[0].y, demo_res.promotions["lift"] - 1)
    # each bar's start date as a sentence writes it ("1 June 2025"), not ISO
    start = pd.Timestamp(demo_res.promotions["start"].iloc[0])
    assert str(fig.data[0].x[0]).endswith(f"<br>{start.day} {start:%B %Y}"), fig.data[0].x[0]
    np.testing.assert_allclose(fig.data[1].y, demo_res.promotions["dip"])
    fig = charts.elasticity_chart(demo_res, top=10)
    est = demo_res.products[demo_res.products["status"] == "estimated"]
    top = est.sort_values("revenue", ascending=False).head(10)
    assert sorted(fig.data[0].x) == pytest.approx(sorted(top["elasticity"]))
    w = P.what_if(demo_res, products=["TOY-278"], change_pct=-5)
    fig = charts.demand_curve(w, "TOY-278")
    np.testing.assert_allclose(fig.data[1].y, w.curve["units"])
    # the money is in the dataset's currency in the hovers too, its axis with thousands
    curved = charts.demand_curve(w, "TOY-278", symbol="£")
    # d3's currency after the sign (a loss: -£120; charts.money), the figure's currency £
    from ecomdash.charts.money import TICK_FORMAT, figure_currency

    assert "price %{x:$,.2f}" in curved.data[1].hovertemplate
    assert " %{y:$,.0f}" in curved.data[2].hovertemplate
    assert curved.layout.yaxis2.tickformat == TICK_FORMAT and figure_currency(curved) == "£"
    assert curved.layout.xaxis.tickformat == TICK_FORMAT and not curved.layout.yaxis2.tickprefix
    assert fig.data[-1].x[0] == pytest.approx(w.table["new_price"].iloc[0])
    fig = charts.validation_chart(demo_res)
    v = demo_res.validation
    # blue: the products where the model beats the naive forecast, orange: the others
    for trace, beats in zip(fig.data[:2], (True, False), strict=True):
        part = v[v["beats"] == beats]
        np.testing.assert_allclose(trace.y, part["model_mae"])
        np.testing.assert_allclose(trace.x, part["baseline_mae"])
        # each point's hover names its product as the other pages do: "name (id)"
        named = zip(part["product_name"], part["product_id"], strict=True)
        assert list(trace.text) == [f"{n} ({p})" for n, p in named]
    assert len(fig.data[0].y) + len(fig.data[1].y) == len(v)
    assert (np.asarray(fig.data[0].y) <= np.asarray(fig.data[0].x)).all()
