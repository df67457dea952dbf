"""Alerts' series arithmetic by hand (``ecomdash.alerts.series``): the metrics taken from a
day's components, their log scale and back, the severity thresholds at their edges. Small
frames whose every value is worked out in the test's docstring; written to kill the
mutants the end-to-end alert tests let live (docs/MUTATION.md, "alerts/series")."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from ecomdash.alerts.series import (
    METRICS,
    _from_log,
    _to_log,
    _week_level,
    fmt_value,
    known_days,
    level_of,
    metric_values,
    robust_expectation,
    score_series,
)
from ecomdash.i18n import use_lang


def test_severity_thresholds_are_reached_at_their_edges():
    """DAY_LEVELS: high from |score| 8 and |change| 50 %, medium from 5.5 and 30 %, low
    from 4 and 20 %; both must be reached, the signs do not matter, the first level met
    wins. 7.99 with +50 % misses high (score) and is medium; 8 with 49 % misses high
    (change) and is medium; 3.99 or a change of 19 % is no alert at all."""
    assert level_of(8.0, 0.5) == "high"
    assert level_of(-8.0, -0.5) == "high"
    assert level_of(7.99, 0.5) == "medium"
    assert level_of(8.0, 0.49) == "medium"
    assert level_of(5.5, 0.3) == "medium"
    assert level_of(-5.5, -0.3) == "medium"
    assert level_of(5.49, 0.3) == "low"
    assert level_of(5.5, 0.29) == "low"
    assert level_of(4.0, 0.2) == "low"
    assert level_of(-4.0, -0.2) == "low"
    assert level_of(3.99, 0.9) is None
    assert level_of(9.0, 0.19) is None


def test_metrics_from_a_days_components_by_hand():
    """Six days: gross 100 / 50 / 0 / 30 / 0 / 1, returns 10 / 0 / 0 / 0 / 10 / 0.25,
    orders 2 / 0 / 0 / 1 / 0 / 1. Net revenue 90, 50, 0, 30, -10, 0.75; orders as floats;
    AOV 90 / 2 = 45, 30 from a single order, 0.75, and no value on the days without orders
    (not a division by zero); return rate 10 / 100 = 0.1, 0 / 50 = 0, 0, 0.25 / 1 = 0.25,
    and no value on the days without sales, also the one with returns only (not infinite);
    an unknown metric is refused by name."""
    d = pd.DataFrame(
        {
            "gross": [100.0, 50.0, 0.0, 30.0, 0.0, 1.0],
            "returns": [10.0, 0.0, 0.0, 0.0, 10.0, 0.25],
            "orders": [2, 0, 0, 1, 0, 1],
            "new_customers": [1, 0, 2, 0, 0, 1],
        }
    )
    assert metric_values(d, "revenue").tolist() == [90.0, 50.0, 0.0, 30.0, -10.0, 0.75]
    orders = metric_values(d, "orders")
    assert orders.dtype == float and orders.tolist() == [2.0, 0.0, 0.0, 1.0, 0.0, 1.0]
    aov = metric_values(d, "aov")
    assert aov[[0, 3, 5]].tolist() == [45.0, 30.0, 0.75] and aov[[1, 2, 4]].isna().all()
    rate = metric_values(d, "return_rate")
    assert rate[[0, 1, 3, 5]].tolist() == [0.1, 0.0, 0.0, 0.25] and rate[[2, 4]].isna().all()
    new = metric_values(d, "new_customers")
    assert new.dtype == float and new.tolist() == [1.0, 0.0, 2.0, 0.0, 0.0, 1.0]
    with pytest.raises(ValueError, match="margin"):
        metric_values(d, "margin")


def test_log_scale_and_back_by_hand():
    """Counts and money: log1p of the value, a negative one (a day of net returns) as 0;
    back by expm1. AOV: plain log (log 0.5 = -0.6931), no value for 0. Return rate: log((v g + c) / (g + c)),
    c = 1 % of the median day's sales but at least 0.01; back by the inverse, no value on a
    day without sales.

    Return rate on sales 100, 100, 300 (median 100, c = 1): a rate 0.1 of 100 is
    log(11 / 101) = -2.2172; 0 of 300 is log(1 / 301) = -5.7071. On sales of 0.5 a day
    (median 0.5, so c = 0.01 x 1 = 0.01): 0.2 of 0.5 is log(0.11 / 0.51) = -1.5339. Back
    on sales 0 and 100 (median 50, c = 0.5): nothing on the first (not infinite), and -1 on the second is
    (e^-1 x 100.5 - 0.5) / 100 = 0.3647."""
    v = pd.Series([-5.0, 0.0, math.e - 1])
    assert _to_log("orders", v, v).tolist() == pytest.approx([0.0, 0.0, 1.0])
    assert _to_log("revenue", v, v).tolist() == pytest.approx([0.0, 0.0, 1.0])
    assert _from_log("revenue", np.array([0.0, 1.0]), np.array([1.0, 1.0])) == pytest.approx(
        [0.0, math.e - 1]
    )
    aov = _to_log("aov", pd.Series([0.0, 0.5, math.e]), pd.Series([1.0, 1.0, 1.0]))
    assert math.isnan(aov[0]) and aov[1:].tolist() == pytest.approx([math.log(0.5), 1.0])
    assert _from_log("aov", np.array([1.0]), np.array([1.0])) == pytest.approx([math.e])

    gross = pd.Series([100.0, 100.0, 300.0])
    x = _to_log("return_rate", pd.Series([0.1, 0.1, 0.0]), gross)
    assert x.tolist() == pytest.approx([math.log(11 / 101)] * 2 + [math.log(1 / 301)])
    back = _from_log("return_rate", x.to_numpy(), gross.to_numpy())
    assert back == pytest.approx([0.1, 0.1, 0.0], abs=1e-12)
    small = pd.Series([0.5, 0.5, 0.5])
    x = _to_log("return_rate", pd.Series([0.2, 0.2, 0.2]), small)
    assert x.tolist() == pytest.approx([math.log(0.11 / 0.51)] * 3)
    assert _from_log("return_rate", x.to_numpy(), small.to_numpy()) == pytest.approx([0.2] * 3)
    none = _from_log("return_rate", np.array([1.0, -1.0]), np.array([0.0, 100.0]))
    assert math.isnan(none[0]) and none[1] == pytest.approx((math.exp(-1) * 100.5 - 0.5) / 100)


def _flat_days(n: int) -> tuple[pd.DatetimeIndex, pd.DataFrame]:
    """``n`` days from Monday 1 January 2024, each with sales of 100 in 4 orders, no
    returns and 2 new customers."""
    cal = pd.date_range("2024-01-01", periods=n, freq="D")
    days = pd.DataFrame(
        {"gross": 100.0, "returns": 0.0, "orders": 4.0, "new_customers": 2.0}, index=cal
    )
    return cal, days


def test_score_series_on_a_flat_shop_by_hand():
    """29 flat days (sales 100 in 4 orders, 2 new customers a day); Thursday 11 January is
    a known sale day with 500 in 20 orders, Sunday 21 January a known closure missing from
    the days (no orders: its orders, sales and new customers count 0). Known days are
    interpolated over, so every expectation is the flat day's (STL of a constant is the
    constant), and the spread of the other days' residuals (all 0) is 0: counts fall back on
    Poisson noise, 1 / sqrt(expected + 1), money on the floor 1e-6.

    Orders on the sale day: residual log(21 / 5) = 1.4351, sd 1 / sqrt(5) = 0.4472, score
    3.2089, change 21 / 5 - 1 = 3.2; range 5 e^(-+3 x 0.4472) - 1 = 0.3071 to 18.127. On the
    closure: log(1 / 5) x sqrt(5) = -3.5988, change -0.8. New customers on the closure:
    log(1 / 3) x sqrt(3) = -1.9029, change -2 / 3. Net revenue on the sale day: change
    501 / 101 - 1 = 3.9604, score log(501 / 101) / 1e-6 = 1,601,486. AOV 500 / 20 = 25 as
    expected (100 / 4): score 0. Return rate: the sales' median day is 100, so c = 1, and
    the expected rate on sales of 500 is (e^log(1/101) x 501 - 1) / 500 = 0.0079208, the
    actual 0: change 101 / 501 - 1 = -0.7984. The ranges of AOV and return rate are their
    expectation -+ 3 x 1e-6 on the log scale, i.e. the expectation itself to 1e-5."""
    cal, days = _flat_days(29)
    days.loc[cal[10], ["gross", "orders"]] = [500.0, 20.0]
    days = days.drop(index=cal[20])
    known = pd.Series("", index=cal)
    known[cal[10]], known[cal[20]] = "Sale", "Closed"
    out = score_series(days, calendar=cal, known=known)
    assert out["metric"].unique().tolist() == list(METRICS)
    by = out.set_index(["metric", "day"])
    sale, shut = cal[10], cal[20]
    o = by.loc[("orders", sale)]
    assert (o["actual"], o["known"]) == (20.0, "Sale")
    assert o["expected"] == pytest.approx(4.0)
    assert o["lo"] == pytest.approx(5 * math.exp(-3 / math.sqrt(5)) - 1)  # 0.3071
    assert o["hi"] == pytest.approx(5 * math.exp(3 / math.sqrt(5)) - 1)  # 18.127
    assert o["score"] == pytest.approx(math.log(21 / 5) * math.sqrt(5))  # 3.2089
    assert o["rel"] == pytest.approx(3.2)
    c = by.loc[("orders", shut)]
    assert (c["actual"], c["known"]) == (0.0, "Closed")
    assert c["score"] == pytest.approx(math.log(1 / 5) * math.sqrt(5))  # -3.5988
    assert c["rel"] == pytest.approx(-0.8)
    n = by.loc[("new_customers", shut)]
    assert n["actual"] == 0.0 and n["expected"] == pytest.approx(2.0)
    assert n["score"] == pytest.approx(math.log(1 / 3) * math.sqrt(3))  # -1.9029
    assert n["rel"] == pytest.approx(-2 / 3)
    r = by.loc[("revenue", sale)]
    assert r["expected"] == pytest.approx(100.0) and r["rel"] == pytest.approx(400 / 101)
    assert r["score"] == pytest.approx(math.log(501 / 101) / 1e-6)  # 1,601,486
    a = by.loc[("aov", sale)]
    assert (a["actual"], a["expected"], a["score"]) == pytest.approx((25.0, 25.0, 0.0), abs=1e-9)
    assert (a["lo"], a["hi"]) == pytest.approx((25.0, 25.0), rel=1e-5)  # 25 e^(-+3e-6)
    rr = by.loc[("return_rate", sale)]
    assert rr["actual"] == 0.0 and rr["expected"] == pytest.approx((501 / 101 - 1) / 500)
    assert (rr["lo"], rr["hi"]) == pytest.approx((rr["expected"],) * 2, abs=1e-6)
    assert rr["rel"] == pytest.approx(101 / 501 - 1)  # -0.7984
    # every ordinary day is exactly as expected
    ordinary = out[out["known"] == ""]
    assert ordinary["score"].abs().max() == pytest.approx(0.0, abs=1e-6)


def test_a_count_expected_at_nothing_is_scored_on_the_noise_of_one():
    """A shop with no new customers on 28 days but a known day (Wednesday 10 January) with
    3: the expectation is 0 every day, and Poisson noise of an expected count below one is
    taken as one's, 1 / sqrt(0 + 1) = 1 (never narrower): the known day scores
    log(1 + 3) / 1 = 1.3863, its range reaches e^3 - 1 = 19.09."""
    cal, days = _flat_days(28)
    days["new_customers"] = 0.0
    days.loc[cal[9], "new_customers"] = 3.0
    known = pd.Series("", index=cal)
    known[cal[9]] = "Event"
    out = score_series(days, calendar=cal, known=known, metrics=["new_customers"])
    day = out.set_index("day").loc[cal[9]]
    assert day["expected"] == pytest.approx(0.0, abs=1e-9)
    assert day["score"] == pytest.approx(math.log(4))  # 1.3863
    assert day["hi"] == pytest.approx(math.exp(3) - 1)  # 19.09


def test_a_metric_needs_28_days_with_a_value():
    """28 days: every metric scored (new customers only when the data has them). One of the
    28 without orders: AOV and the return rate have 27 values, so they are left out, net
    revenue and orders (0 that day) stay. 27 days: nothing; the empty result keeps its
    columns."""
    cal, days = _flat_days(28)
    known = pd.Series("", index=cal)
    full = score_series(days, calendar=cal, known=known)
    assert full["metric"].unique().tolist() == list(METRICS)
    no_new = score_series(days.assign(new_customers=np.nan), calendar=cal, known=known)
    assert no_new["metric"].unique().tolist() == ["revenue", "orders", "aov", "return_rate"]
    gap = score_series(days.drop(index=cal[5]), calendar=cal, known=known)
    assert gap["metric"].unique().tolist() == ["revenue", "orders", "new_customers"]
    cal27, days27 = _flat_days(27)
    none = score_series(days27, calendar=cal27, known=pd.Series("", index=cal27))
    assert none.empty and list(none.columns) == [
        *("metric", "day", "actual", "expected", "lo", "hi", "score", "rel", "known"),
    ]


def test_robust_expectation_of_a_short_series_is_its_median():
    """Fewer than 15 days (two weekly periods and one): the expectation is the median of the
    days that are not known days, the residual the distance from it. 14 days 1 ... 14, the
    last a known day at 100: median of 1 ... 13 is 7; residuals -6 ... 6 and 93. 15 days
    take the STL path: a straight line 1 ... 15 is its own trend, residuals about 0."""
    x = pd.Series(np.arange(1.0, 15.0))
    x[13] = 100.0
    known = np.zeros(14, dtype=bool)
    known[13] = True
    exp, resid = robust_expectation(x, known)
    assert exp.tolist() == [7.0] * 14
    assert resid.tolist() == [*np.arange(-6.0, 7.0), 93.0]
    line = pd.Series(np.arange(1.0, 16.0))
    exp, resid = robust_expectation(line, np.zeros(15, dtype=bool))
    assert np.abs(resid).max() < 1e-6 and exp == pytest.approx(np.arange(1.0, 16.0), abs=1e-6)
    nothing, _ = robust_expectation(pd.Series([np.nan] * 14), np.zeros(14, dtype=bool))
    assert np.isnan(nothing).all()


def test_robust_expectation_keeps_the_week_and_weighs_out_a_bulk_day():
    """STL's expectation is trend plus weekly pattern: four weeks repeating 1, 2, ... 7 are
    expected exactly (residuals about 0). Robust iterations: 4 orders a day for four weeks
    with one bulk day of 40 that is not a known day: the bulk day gets weight 0 and every
    day's expectation stays log(5) (4 orders), the bulk day's residual log(41 / 5) = 2.1041;
    a plain STL would lift the days around it (to 4.9 and the day itself to 10.9). A known
    first day (New Year's Day, data starting on 1 January) is filled from the day after:
    the same flat expectation, its residual log(41 / 5)."""
    week = pd.Series(np.tile(np.arange(1.0, 8.0), 4))
    exp, resid = robust_expectation(week, np.zeros(28, dtype=bool))
    assert exp == pytest.approx(week.to_numpy(), abs=1e-9) and np.abs(resid).max() < 1e-9
    flat = pd.Series(np.log1p(np.full(28, 4.0)))
    bulk = flat.copy()
    bulk[12] = np.log1p(40.0)
    exp, resid = robust_expectation(bulk, np.zeros(28, dtype=bool))
    assert exp == pytest.approx(np.full(28, math.log(5)), abs=1e-9)
    assert resid[12] == pytest.approx(math.log(41 / 5))
    first = flat.copy()
    first[0] = np.log1p(40.0)
    known = np.zeros(28, dtype=bool)
    known[0] = True
    exp, resid = robust_expectation(first, known)
    assert exp == pytest.approx(np.full(28, math.log(5)), abs=1e-9)
    assert resid[0] == pytest.approx(math.log(41 / 5))


def test_values_in_a_reason_by_hand():
    """A missing value reads "n/a"; a return rate is a percentage (12.34 % -> "12.3 %", a
    no-break space before %); an expected count keeps one decimal from 0.05 up to below
    9.95 (0.5 -> "0.5", 0.05 -> "0.1", 9.95 -> "10", 10.4 -> "10")."""
    assert fmt_value("orders", float("nan")) == "n/a"
    assert fmt_value("revenue", None) == "n/a"
    assert fmt_value("return_rate", 0.1234) == "12.3\u00a0%"
    assert fmt_value("orders", 0.5, estimate=True) == "0.5"
    assert fmt_value("orders", 0.05, estimate=True) == "0.1"
    assert fmt_value("orders", 9.95, estimate=True) == "10"
    assert fmt_value("new_customers", 10.4, estimate=True) == "10"


def _weeks(totals) -> pd.DataFrame:
    """Whole weeks from Monday 1 January 2024, their totals."""
    totals = np.asarray(totals, dtype=float)
    return pd.DataFrame(
        {"actual": totals}, index=pd.date_range("2024-01-01", periods=len(totals), freq="7D")
    )


def test_week_level_by_hand():
    """The level is a local line through log(1 + total) over the nearest 9 weeks.

    Totals growing 10 % a week on the log scale (e^(5 + 0.1 k) - 1, k = 0 ... 11): a straight
    line, the level is each week's own total. Ten weeks of 1000 then ten of 2000: the 9
    weeks nearest week k <= 4 are all 1000 (weeks 0 ... 8), so its level is 1000, and 2000
    from week 15 on; a wider span would reach across the step. 8 ordinary weeks of 1000
    with 3 run-up weeks of 1500 in the middle (weeks 4 ... 6, ``unspread``): the run-ups are
    left out of the line, so every week's level, theirs too, is 1000. A season of half a
    year (1000 x (1 + 0.5 sin(2 pi k / 26)), 52 weeks) moves the level with it: a local line
    over 9 weeks misses only the curvature at the peaks, about (1 - 0.82) x 500 / 1500 = 6 %
    (0.82: the mean of cos(2 pi j / 26) over j = -4 ... 4), within 10 % everywhere, where a
    line over two thirds of the year (35 weeks) is 69 % off."""
    k = np.arange(12)
    line = np.expm1(5 + 0.1 * k)
    assert _week_level(_weeks(line), pd.DatetimeIndex([])) == pytest.approx(line, rel=1e-9)
    step = _week_level(_weeks([1000.0] * 10 + [2000.0] * 10), pd.DatetimeIndex([]))
    assert step[:5] == pytest.approx([1000.0] * 5) and step[15:] == pytest.approx([2000.0] * 5)
    runup = _weeks([1000.0] * 4 + [1500.0] * 3 + [1000.0] * 4)
    level = _week_level(runup, runup.index[4:7])
    assert level == pytest.approx([1000.0] * 11)
    season = 1000 * (1 + 0.5 * np.sin(2 * np.pi * np.arange(52) / 26))
    level = _week_level(_weeks(season), pd.DatetimeIndex([]))
    assert np.abs(level / season - 1).max() < 0.1  # 7.5 %


def test_weeks_at_a_step_between_exactly_flat_runs_have_a_level():
    """Ten weeks of exactly 700 then ten of exactly 1400: the line's residuals are 0 but at the
    step, so their median is 0 and the robustness passes weigh out every week off the line;
    the two weeks at the step (9 and 10) had no level (NaN) and no score. Neither side of a
    lasting step is unusual: each is its own level, 700 and 1400, change 0, and no week of
    the twenty is scored as unusual."""
    from ecomdash.alerts.series import score_weeks

    level = _week_level(_weeks([700.0] * 10 + [1400.0] * 10), pd.DatetimeIndex([]))
    assert level == pytest.approx([700.0] * 10 + [1400.0] * 10)
    days = pd.date_range("2024-01-01", periods=7 * 20, freq="D")
    actual = np.r_[np.full(70, 100.0), np.full(70, 200.0)]
    scored = pd.DataFrame(
        {"metric": "revenue", "day": days, "actual": actual, "expected": actual, "known": ""}
    )
    w = score_weeks(scored, metrics=["revenue"])
    assert len(w) == 20 and w["expected"].notna().all()
    assert w["rel"].abs().max() < 1e-9 and w["score"].abs().max() < 1e-3


def test_a_weeks_change_is_its_total_over_its_level():
    """``rel`` (the severity's change and the reason's "-50 %"): 12 weeks of 700 and one of
    350 (week 6) among them: the robust level stays 700 (the low week weighed out), so the
    week's change is 350 / 700 - 1 = -50 %, the others' 0."""
    from ecomdash.alerts.series import score_weeks

    days = pd.date_range("2024-01-01", periods=7 * 13, freq="D")
    actual = np.full(len(days), 100.0)
    actual[42:49] = 50.0
    scored = pd.DataFrame(
        {"metric": "revenue", "day": days, "actual": actual, "expected": 100.0, "known": ""}
    )
    w = score_weeks(scored, metrics=["revenue"]).set_index("week")
    assert w["expected"].tolist() == pytest.approx([700.0] * 13)
    assert w.loc[days[42], "rel"] == pytest.approx(-0.5)
    assert w.drop(index=days[42])["rel"].abs().max() == pytest.approx(0.0, abs=1e-9)


def test_known_days_merchant_events_and_the_year_end():
    """A British shop, December 2024 to January 2025, with two events of the merchant's: a
    sale from 6 to 8 January (each of the three days) and a launch on 20 January (no end:
    that day only). Christmas Eve to New Year's Eve are known (the public holidays by their
    names), the next year is not (2 January is an ordinary day)."""
    k = known_days(
        date(2024, 12, 1),
        date(2025, 1, 31),
        country="United Kingdom",
        events=[("Sale", date(2025, 1, 6), date(2025, 1, 8)), ("Launch", date(2025, 1, 20), None)],
    )
    assert [k[f"2025-01-0{d}"] for d in (5, 6, 7, 8, 9)] == ["", "Sale", "Sale", "Sale", ""]
    assert (k["2025-01-19"], k["2025-01-20"], k["2025-01-21"]) == ("", "Launch", "")
    assert (k["2024-12-24"], k["2024-12-25"]) == ("Christmas to New Year", "Christmas Day")
    assert (k["2025-01-01"], k["2025-01-02"]) == ("New Year's Day", "")


def test_chinese_names_of_holidays_on_the_first_and_last_day():
    """In Chinese, a Hong Kong shop's public holidays carry the package's Chinese names, the
    data's first and last days included: 1 January 2025 一月一日, 25 December 圣诞节 (the
    24th, no public holiday, is Christmas to New Year, 圣诞至新年)."""
    with use_lang("zh"):
        k = known_days(date(2025, 1, 1), date(2025, 12, 25), country="Hong Kong")
    assert (k["2025-01-01"], k["2025-12-25"]) == ("一月一日", "圣诞节")
    assert k["2025-12-24"] == "圣诞至新年"
