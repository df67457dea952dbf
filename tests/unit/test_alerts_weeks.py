"""Alerts: the days' and weeks' series — the robust spread, closures left out, the weekly level
a whole week is measured against (at the history's end too), known days named and the
severity they lower, a week's money."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from ecomdash.alerts import find_alerts
from ecomdash.alerts.series import robust_scale, score_series
from ecomdash.i18n import use_lang
from ecomdash.store import Store
from tests.unit.alerts_lines import _line, _numbered, _saved, black_friday_week_lines


def test_robust_scale_by_hand():
    """The larger of 1.4826 x the median absolute deviation and the tail quantile of the
    deviations over its normal value, NaN left out; 0 below five values.

    Five values 1, 3, 4, 8, 20 (and a NaN): median 4, deviations 3, 1, 0, 4, 16, their
    median 3 (MAD term 4.4478); their 99th percentile 4 + 0.96 x 12 = 15.52 (numpy's linear
    rule, position 0.99 x 4), over z = 2.5758 (99 % two-sided): 6.0253, the larger.
    Seven values 0 ... 6: median 3, deviations 3, 2, 1, 0, 1, 2, 3 with median 2 (MAD term
    2.9652); 99th percentile 3, over 2.5758: 1.1647, so the MAD term. At tail 0.9 the first
    case's 90th percentile is 4 + 0.6 x 12 = 11.2, over z = 1.6449: 6.8091."""
    z99, z90 = 2.5758293035489, 1.6448536269514715
    five = np.array([1.0, 3.0, 4.0, 8.0, 20.0, np.nan])
    assert robust_scale(five) == pytest.approx(15.52 / z99, rel=1e-9)  # 6.0253
    assert robust_scale(five, tail=0.9) == pytest.approx(11.2 / z90, rel=1e-9)  # 6.8091
    assert robust_scale(np.arange(7.0)) == pytest.approx(1.4826 * 2, rel=1e-9)  # 2.9652
    assert robust_scale(np.array([1.0, 2.0, 3.0, 4.0, np.nan])) == 0.0  # four values
    assert robust_scale(np.array([np.nan] * 6)) == 0.0


def _weeks_frame(metric: str, weekly: list[float], start: str = "2024-01-01") -> pd.DataFrame:
    """Days of whole weeks from a Monday, each week's total spread evenly over its days."""
    days = pd.date_range(start, periods=7 * len(weekly), freq="D")
    actual = np.repeat(np.asarray(weekly, dtype=float) / 7, 7)
    return pd.DataFrame(
        {"metric": metric, "day": days, "actual": actual, "expected": actual, "known": ""}
    )


def test_score_weeks_by_hand():
    """Each week's score is log((actual + 1) / (level + 1)) over the spread of the ordinary
    weeks' residuals (:func:`robust_scale`, tail 0.9); orders never below Poisson noise,
    1 / sqrt(level + 1); a week whose net revenue is negative (returns above sales) counts
    as 0; a metric with fewer than 8 whole weeks is left out and the others still scored;
    run-up weeks (``unspread``) are scored but not in the spread."""
    from ecomdash.alerts.series import score_weeks

    rng = np.random.default_rng(4)
    base = list(700 + rng.normal(0, 3, 12).round())  # 12 weeks of about 700
    weeks_rev = base.copy()
    weeks_rev[5] = -50.0  # returns above sales
    weeks_rev[9] = 1050.0  # a run-up week, +50 %
    frame = pd.concat(
        [
            _weeks_frame("revenue", weeks_rev),
            _weeks_frame("orders", base),
            _weeks_frame("aov", [50.0] * 7),  # 7 whole weeks: too few, left out
        ]
    )
    monday = pd.Timestamp("2024-01-01")
    run_up = [monday + pd.Timedelta(weeks=9)]
    w = score_weeks(frame, metrics=["aov", "revenue", "orders"], unspread=run_up)
    assert sorted(set(w["metric"])) == ["orders", "revenue"] and len(w) == 24
    for metric, g in w.groupby("metric"):
        g = g.set_index("week")
        r = np.log((g["actual"].clip(lower=0) + 1) / (g["expected"] + 1))
        spread = robust_scale(r.drop(index=run_up).to_numpy(), tail=0.9)
        if metric == "orders":  # 3 orders' noise on 700: the Poisson floor holds
            floor = 1 / np.sqrt(g["expected"] + 1)
            assert (floor > spread).all()
            spread = floor
        assert np.allclose(g["score"], r / spread), metric
    rev = w[w["metric"] == "revenue"].set_index("week")
    assert rev.loc[monday + pd.Timedelta(weeks=5), "score"] < -20  # counted as 0, not NaN
    assert rev.loc[run_up[0], "score"] > 5  # far out: the +50 % week is not in the spread
    assert (w["expected"] > 600).all()  # the level holds; neither extreme week drags it


def test_eight_whole_weeks_are_enough_to_score():
    from ecomdash.alerts.series import score_weeks

    eight = score_weeks(_weeks_frame("orders", [700, 690, 710, 705, 695, 700, 702, 698]))
    assert len(eight) == 8 and eight["score"].notna().all()
    seven = score_weeks(_weeks_frame("orders", [700, 690, 710, 705, 695, 700, 702]))
    # no week scored, but the columns the callers select on are there
    assert seven.empty and list(seven.columns) == list(eight.columns)
    # eight ordinary weeks beside a run-up week are enough for the spread: it leaves the
    # run-up out (with it in, the +50 % week widens the spread of the others)
    revenue = [7000, 6900, 7100, 7050, 6950, 7000, 10500, 7020, 6980]
    run_up = [pd.Timestamp("2024-02-12")]  # the seventh week
    w = score_weeks(_weeks_frame("revenue", revenue), unspread=run_up).set_index("week")
    r = np.log((w["actual"] + 1) / (w["expected"] + 1))
    spread = robust_scale(r.drop(index=run_up).to_numpy(), tail=0.9)
    assert np.allclose(w["score"], r / spread)
    assert spread < robust_scale(r.to_numpy(), tail=0.9) / 2


def test_outage_day_in_a_weekly_series_scores_far_below():
    rng = np.random.default_rng(0)
    cal = pd.date_range("2024-01-01", periods=140, freq="D")
    weekly = np.array([0.9, 0.85, 0.9, 0.95, 1.05, 1.25, 1.1])[cal.day_of_week]
    orders = rng.poisson(60 * weekly).astype(float)
    orders[100] = 6  # the outage
    days = pd.DataFrame(
        {"gross": orders * 40.0, "returns": 0.0, "orders": orders, "new_customers": np.nan},
        index=cal,
    )
    known = pd.Series("", index=cal)
    s = score_series(days, calendar=cal, known=known, metrics=["orders"])
    assert s.loc[100, "score"] < -8
    assert s["score"].drop(index=100).abs().max() < 4.5
    # expected that day is near the planted Poisson mean, not the outage value
    assert s.loc[100, "expected"] == pytest.approx(60 * weekly[100], rel=0.2)


def test_a_closure_is_left_out_and_does_not_blind_the_other_days(_isolated_home):
    """A shop closed 10 days (no order at all, as a Chinese shop over Spring Festival) gets
    no alert for them, one note naming the run, and its other days are still judged on
    their own spread: a day with 2 orders instead of about 30 is found. Before, the closed days'
    residuals made the spread so wide that no day could be unusual."""
    rng = np.random.default_rng(3)
    shut = pd.date_range("2024-02-05", "2024-02-14")
    drop = pd.Timestamp("2024-03-13")
    rows = []
    for day in pd.date_range("2024-01-01", "2024-03-31", freq="D"):
        if day in shut:
            continue
        n = 2 if day == drop else int(rng.poisson(30))
        for i in range(n):
            qty = int(rng.integers(1, 4))
            rows.append(
                _line(f"O{day:%m%d}{i}", day + pd.Timedelta(hours=10), f"C{i}", "P1", qty, 10.0)
            )
    lines = _numbered(rows)
    store = Store.open(_isolated_home)
    info = store.save_dataset("closed ten days", lines)
    res = find_alerts(store, info.id)
    store.close()
    days = res.alerts[res.alerts["kind"] == "unusual_day"]
    assert not days["date"].isin(shut).any()
    assert (days.loc[days["date"] == drop, "severity"] != "low").any()
    weeks = res.alerts[res.alerts["kind"] == "unusual_week"]
    assert not weeks["date"].isin(shut.to_period("W-SUN").start_time).any()
    assert any(
        "10 days without a single order (5 February 2024 – 14 February 2024)" in w
        for w in res.warnings
    )
    # the expected range stays near the open days' level (not a hundredfold wide)
    rev = res.series[(res.series["dim"] == "shop") & (res.series["metric"] == "revenue")]
    assert (rev["hi"] / rev["expected"]).median() < 4  # 41 before


def test_closed_weeks_do_not_widen_the_other_weeks_spread():
    """Two closed weeks (no orders) left out by ``skip``: a week at 60 % of its expectation
    scores far below; with them in, their huge ratios set the spread and it looks normal."""
    from ecomdash.alerts.series import score_weeks

    rng = np.random.default_rng(5)
    days = pd.date_range("2024-01-01", periods=84, freq="D")  # 12 weeks from a Monday
    week = (days - days[0]).days // 7
    actual = 100 * (1 + 0.05 * rng.standard_normal(len(days)))
    actual[np.isin(week, [3, 4])] = 0.0
    actual[week == 9] = 60.0
    scored = pd.DataFrame(
        {"metric": "orders", "day": days, "actual": actual, "expected": 100.0, "known": ""}
    )
    shut = [days[21], days[28]]
    w = score_weeks(scored, metrics=["orders"], skip=shut).set_index("week")
    assert not w.index.isin(shut).any() and len(w) == 10
    assert w.loc[days[63], "score"] < -6
    blind = score_weeks(scored, metrics=["orders"]).set_index("week")
    assert abs(blind.loc[days[63], "score"]) < 1


def test_one_bad_week_among_normal_weeks_scores_far_below():
    """The weekly spread is not set by the week being judged: a week at 60 % among 20
    ordinary weeks (5 % daily noise) is far below. With the days' 99th-percentile tail term
    the week itself was the tail and no single week could score beyond -2.7."""
    from ecomdash.alerts.series import robust_scale, score_weeks

    rng = np.random.default_rng(11)
    days = pd.date_range("2024-01-01", periods=140, freq="D")
    week = (days - days[0]).days // 7
    actual = 1000 * (1 + 0.05 * rng.standard_normal(len(days)))
    actual[week == 15] *= 0.6
    scored = pd.DataFrame(
        {"metric": "revenue", "day": days, "actual": actual, "expected": 1000.0, "known": ""}
    )
    w = score_weeks(scored, metrics=["revenue"]).set_index("week")
    bad = days[105]
    assert w.loc[bad, "score"] < -8 and w.drop(index=bad)["score"].abs().max() < 4
    # the tail term by hand: 0.9 quantile of |r - median(r)| over the normal 1.645
    r = np.log((w["actual"] + 1) / (w["expected"] + 1)).to_numpy()
    dev = np.abs(r - np.median(r))
    want = max(1.4826 * np.median(dev), np.quantile(dev, 0.9) / 1.6448536)
    assert robust_scale(r, tail=0.9) == pytest.approx(want, rel=1e-6)


def test_chinese_shops_know_their_shopping_festivals():
    """618 and Double 12 peaks are known days for a shop in China (a merchant expects them
    to be big), named in the run's language; not for a British shop."""
    from datetime import date

    from ecomdash.alerts.series import known_days
    from ecomdash.i18n import use_lang

    k = known_days(date(2025, 6, 1), date(2025, 12, 31), country="China")
    assert k[pd.Timestamp("2025-06-18")] == "618 (mid-year sale)"
    assert k[pd.Timestamp("2025-12-12")] == "Double 12"
    assert k[pd.Timestamp("2025-06-17")] == "618 run-up"  # tests/unit/test_alerts_cn.py
    with use_lang("zh"):
        k = known_days(date(2025, 6, 1), date(2025, 12, 31), country="China")
    assert k[pd.Timestamp("2025-06-18")] == "618（年中大促）"
    uk = known_days(date(2025, 6, 1), date(2025, 12, 31), country="United Kingdom")
    assert uk[pd.Timestamp("2025-06-18")] == "" and uk[pd.Timestamp("2025-12-12")] == ""


@pytest.fixture
def black_friday_week(_isolated_home):
    yield from _saved(_isolated_home, "black friday week", black_friday_week_lines())


def test_an_unusual_week_names_its_known_days(black_friday_week, capsys):
    """An unusual week holding a known day names it as an unusual day's reason does, and says
    the known-day rule lowered its severity (high to medium here); it was "Net revenue of the
    week of 24 November 2025: ... (+62 %, 8.2 times the usual week-to-week swing)", Black
    Friday unsaid, the medium unexplained. The rule lowers a week for any known day, so the
    reason claims no cause. The same words in Chinese, the CLI's text and JSON, and the
    report's alerts table (all show ``Signal.reason``)."""
    from ecomdash.cli import main
    from ecomdash.report import SECTIONS, build_report

    store, info = black_friday_week
    said = (
        "(+154\u00a0%, 13.4 times the usual week-to-week swing); the week held 1 known day "
        "(Black Friday), so its severity was lowered one level"
    )
    a = find_alerts(store, info.id).alerts
    (week,) = a[a["kind"] == "unusual_week"].itertuples()
    assert str(week.date.date()) == "2025-11-24" and week.severity == "medium"
    assert week.reason.startswith("Orders of the week of 24 November 2025: 526 against 207 ")
    assert "Net revenue of the week of 24 November 2025: 5,260.00 against 2,069.06 " in week.reason
    assert said in week.reason
    assert "explain" not in week.reason
    with use_lang("zh"):
        z = find_alerts(store, info.id).alerts
    (zweek,) = z[z["kind"] == "unusual_week"].itertuples()
    assert (
        "（+154%，是每周正常波动幅度的\u00a013.4\u00a0倍）；这一周有\u00a01\u00a0个已知的特殊日（黑色星期五），"
        in (zweek.reason)
    )
    assert "因此严重程度降低了一级" in zweek.reason and "Black Friday" not in zweek.reason
    alerts = ["alerts", "--dataset", info.id]
    assert main([*alerts, "--json"]) == 0
    (js,) = [
        r for r in json.loads(capsys.readouterr().out)["alerts"] if r["kind"] == "unusual_week"
    ]
    assert js["reason"] == week.reason
    assert main(alerts) == 0
    assert said in capsys.readouterr().out
    spec = tuple(s for s in SECTIONS if s.key == "alerts")
    for lang, want in (("en", week.reason), ("zh", zweek.reason)):
        (sec,) = build_report(store, info.id, sections=spec, lang=lang).sections
        assert want in list(sec.tables[0].frame.iloc[:, 3]), lang


def test_a_weeks_known_days_in_day_order_each_once():
    """``score_weeks`` lists a week's known days in the order of its days, each name once,
    as the run's language lists them, and counts its known days; the reason says how many
    (Christmas week in a UK shop: four days, three names)."""
    from types import SimpleNamespace

    from ecomdash.alerts.days import _week_reason
    from ecomdash.alerts.series import score_weeks

    days = pd.date_range("2025-10-06", periods=84, freq="D")  # 12 weeks from a Monday
    known = pd.Series("", index=days)
    known["2025-12-24"] = known["2025-12-27"] = "Christmas to New Year"
    known["2025-12-25"], known["2025-12-26"] = "Christmas Day", "Boxing Day"
    scored = pd.DataFrame(
        {"metric": "orders", "day": days, "actual": 100.0, "expected": 100.0, "known": known}
    )
    w = score_weeks(scored, metrics=["orders"]).set_index("week")
    xmas = w.loc[pd.Timestamp("2025-12-22")]
    assert xmas["known"] == "Christmas to New Year, Christmas Day, Boxing Day"
    assert xmas["known_days"] == 4
    assert (w.drop(index=xmas.name)["known"] == "").all()
    r = SimpleNamespace(
        metric="orders",
        actual=150.0,
        expected=100.0,
        rel=0.5,
        score=6.0,
        **xmas[["known", "known_days"]],
    )
    wk = pd.Timestamp("2025-12-22")
    assert _week_reason(r, wk, lowered=False).endswith(
        "; the week held 4 known days (Christmas to New Year, Christmas Day, Boxing Day)"
    )
    assert _week_reason(r, wk, lowered=True).endswith(
        "; the week held 4 known days (Christmas to New Year, Christmas Day, Boxing Day), so "
        "its severity was lowered one level"
    )
    with use_lang("zh"):
        zw = score_weeks(scored.assign(known=known.replace({"Boxing Day": "节礼日"})))
        assert zw.set_index("week").loc[wk, "known"].endswith("、节礼日")
        assert "；这一周有\u00a04\u00a0个已知的特殊日（" in _week_reason(r, wk, lowered=False)


def test_a_week_whose_severity_the_known_day_left_alone_does_not_say_it_was_lowered(
    _isolated_home,
):
    """At 1.4 times its orders the Black Friday week is low by itself (+39 %, 4.7 times the
    swing) and stays low: its reasons name Black Friday and claim no lowering. At 1.5 times
    (+52 %, 6.0 times) it is medium by itself, lowered to low, and says so."""
    said = "the usual week-to-week swing); the week held 1 known day (Black Friday)"
    for bump, change, lowered in (
        (1.4, "+39\u00a0%, 4.7 times", False),
        (1.5, "+52\u00a0%, 6.0 times", True),
    ):
        for store, info in _saved(_isolated_home, f"{bump}x", black_friday_week_lines(bump)):
            a = find_alerts(store, info.id).alerts
        (week,) = a.loc[a["key"] == "week:2025-11-24", "reason"]
        orders, revenue = week.split(". Also: ")
        assert orders.startswith("Orders") and revenue.startswith("Net revenue"), week
        tail = f"({change} {said}" + (", so its severity was lowered one level" if lowered else "")
        assert orders.endswith(tail) and revenue.endswith(tail), week


@pytest.mark.parametrize("monday", ["2025-10-06", "2026-01-19"])
@pytest.mark.parametrize("bump", [1.5, 0.5])
def test_a_week_raised_or_lowered_as_a_whole_is_found(_isolated_home, bump, monday):
    """A whole ordinary week (Mon 6 October 2025, no known day; or the history's last week,
    the one a scheduled run reports) at 1.5 or 0.5 times its usual 30 orders a day is an
    unusual week, measured against about the usual level. The days' own expectation follows a
    level that lasts a week: it carried two thirds of a +60 % week along (read +20 %, 2.7
    times the swing, no alert); the weeks' is a robust local line over about nine weeks, one-
    sided at the history's end, where the last week still weighs itself out."""
    for store, info in _saved(_isolated_home, "moved week", black_friday_week_lines(1.0)):
        calm = find_alerts(store, info.id).alerts
    assert not (calm["kind"] == "unusual_week").any()
    lines = black_friday_week_lines(bump, monday=monday)
    for store, info in _saved(_isolated_home, f"{bump}x", lines):
        a = find_alerts(store, info.id).alerts
    weeks = a[a["kind"] == "unusual_week"]
    assert weeks["date"].tolist() == [pd.Timestamp(monday)]
    (reason,) = weeks["reason"]
    got = re.search(
        r"Net revenue of the week [^:]*: [\d,.]+ against ([\d,.]+) expected \(([+-]\d+)", reason
    )
    assert got, reason
    expected, change = float(got.group(1).replace(",", "")), int(got.group(2))
    assert 1890 <= expected <= 2310, reason  # 7 days x 30 orders x 10.00, within 10 %
    assert abs(change - (bump - 1) * 100) <= 12, reason


def test_an_unusual_weeks_money_is_its_distance_from_expected(black_friday_week):
    """An unusual week of revenue carries its distance from the expected revenue as its
    money (``impact``), as an unusual day does: the Home's headline says "1 unusual week £1,900
    from what was expected" (a week's impact was 0: the headline said "£0")."""
    store, info = black_friday_week
    a = find_alerts(store, info.id).alerts
    (week,) = a[a["kind"] == "unusual_week"].itertuples()
    said = re.search(
        r"Net revenue of the week [^:]*: ([\d,.]+) against ([\d,.]+) expected", week.reason
    )
    actual, expected = (float(x.replace(",", "")) for x in said.groups())
    assert week.impact == pytest.approx(actual - expected, rel=0.01), week.reason
