"""Chinese calendar: dates against the published State Council schedules, and the calendar
twins of the forecast models beating the plain ones on a series with planted festival effects."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from ecomdash import calendar_cn as C
from ecomdash import forecast as F
from ecomdash.errors import ParameterError
from ecomdash.forecast_calendar import fit_effects


def _days(col: str, start: date, end: date) -> list[str]:
    d = C.calendar_days(start, end)
    return d.loc[d[col], "date"].dt.strftime("%Y-%m-%d").tolist()


def test_spring_festival_2025_and_its_makeup_days():
    # 国务院办公厅 2024-11-12: 春节 1月28日(除夕)至2月4日放假调休，共8天。1月26日(周日)、2月8日(周六)上班。
    assert C.festival_day("spring_festival", 2025) == date(2025, 1, 29)
    assert _days("spring_festival", date(2025, 1, 20), date(2025, 2, 10)) == [
        f"2025-{d}"
        for d in ("01-28", "01-29", "01-30", "01-31", "02-01", "02-02", "02-03", "02-04")
    ]
    mk = C.calendar_days(date(2025, 1, 1), date(2025, 12, 31))
    mk = mk[mk[C.MAKEUP]]
    # every 2025 调休 working day, as published: 1/26 Sun, 2/8 Sat, 4/27 Sun, 9/28 Sun, 10/11 Sat
    assert mk["date"].dt.strftime("%m-%d %a").tolist() == [
        "01-26 Sun",
        "02-08 Sat",
        "04-27 Sun",
        "09-28 Sun",
        "10-11 Sat",
    ]


def test_2025_and_2026_breaks_match_the_published_schedules():
    t = C.holiday_table(2025, 2026).set_index(["year", "holiday"])
    # 2025: 劳动节 5月1日至5日; 端午节 5月31日至6月2日; 国庆节、中秋节 10月1日至8日
    assert (
        t.loc[(2025, "labour_day"), "break_start"],
        t.loc[(2025, "labour_day"), "break_end"],
    ) == (
        date(2025, 5, 1),
        date(2025, 5, 5),
    )
    assert t.loc[(2025, "dragon_boat"), "break_end"] == date(2025, 6, 2)
    assert t.loc[(2025, "national_day"), "break_end"] == date(2025, 10, 8)
    # 2026: 春节 2月15日至23日 (9 days), 2月14日(周六)、2月28日(周六)上班; 中秋节 9月25日至27日
    assert t.loc[(2026, "spring_festival"), "days_off"] == 9
    assert t.loc[(2026, "spring_festival"), "makeup_workdays"] == (
        date(2026, 2, 14),
        date(2026, 2, 28),
    )
    assert t.loc[(2026, "mid_autumn"), "day"] == date(2026, 9, 25)
    assert t["official"].all()


def test_lunar_dates_and_unpublished_years_are_flagged_estimates():
    # lunar new year / 端午 / 中秋 from almanacs: 2024-02-10, 2024-06-10, 2024-09-17; 2027-02-06
    assert C.festival_day("spring_festival", 2024) == date(2024, 2, 10)
    assert C.festival_day("dragon_boat", 2024) == date(2024, 6, 10)
    assert C.festival_day("mid_autumn", 2024) == date(2024, 9, 17)
    assert C.festival_day("spring_festival", 2027) == date(2027, 2, 6)
    last = C.published_years()[1]
    d = C.calendar_days(date(last, 12, 30), date(last + 1, 2, 28))
    assert d.loc[d["date"].dt.year == last, "official"].all()
    assert not d.loc[d["date"].dt.year == last + 1, "official"].any()
    est = C.holiday_table(last + 1, last + 1)
    assert not est["official"].any() and (est["makeup_workdays"].map(len) == 0).all()
    sf = est.set_index("holiday").loc["spring_festival"]
    assert sf["break_start"] <= sf["day"] <= sf["break_end"]


def test_shopping_festivals_and_regressor_shares():
    d = C.calendar_days(date(2024, 12, 25), date(2025, 12, 31))
    assert _days("double_11_peak", date(2025, 1, 1), date(2025, 12, 31)) == ["2025-11-11"]
    assert _days("618_peak", date(2025, 1, 1), date(2025, 12, 31)) == ["2025-06-18"]
    # 年货节 moves with Spring Festival (2025-01-29): 25 to 10 days before
    nh = d.loc[d["nianhuo"], "date"]
    assert (nh.min().date(), nh.max().date()) == (date(2025, 1, 4), date(2025, 1, 19))
    w = C.regressors(pd.DatetimeIndex(["2025-11-10"]), freq="W", features=["double_11"])
    # week Mon 10 - Sun 16 Nov: run-up 10 Nov (1 day of 7), peak 11 Nov (1 of 7)
    assert w.to_numpy().tolist() == [[pytest.approx(1 / 7), pytest.approx(1 / 7)]]
    with pytest.raises(ParameterError, match="Unknown Chinese calendar feature"):
        C.regressors(pd.DatetimeIndex(["2025-01-01"]), features=["easter"])


def test_fit_effects_recovers_a_planted_multiplier():
    rng = np.random.default_rng(3)
    n = 400
    y = 100 * rng.lognormal(0, 0.02, n)
    R = np.zeros((n, 2))
    R[50::60, 0] = 1  # 7 occurrences ×4
    R[80::90, 1] = 1  # 5 occurrences ×0.5
    y[R[:, 0] == 1] *= 4
    y[R[:, 1] == 1] *= 0.5
    eff = np.exp(fit_effects(y, np.ones(n, bool), R, freq="W", ridge=0.0))
    assert eff == pytest.approx([4.0, 0.5], rel=0.05)


def _planted(seed: int = 7) -> tuple[pd.DatetimeIndex, np.ndarray]:
    days = pd.date_range("2023-01-01", "2025-12-31")
    cal = C.calendar_days(days[0].date(), days[-1].date())
    wk = np.array([1.0, 1.05, 1.1, 1.0, 0.95, 0.8, 0.85])[days.day_of_week]
    eff = np.ones(len(days))
    eff[cal["double_11_peak"]] *= 5
    eff[cal["double_11"] & ~cal["double_11_peak"]] *= 1.6
    eff[cal["618_peak"]] *= 3
    eff[cal["double_12_peak"]] *= 2.5
    eff[cal["nianhuo"]] *= 1.5
    eff[cal["spring_festival"]] *= 0.3
    eff[cal["national_day"]] *= 0.6
    rng = np.random.default_rng(seed)
    return days, 1000 * wk * eff * rng.lognormal(0, 0.1, len(days))


def test_calendar_models_beat_the_same_models_without_the_calendar():
    days, y = _planted()
    ser = F.series_from_values(days, y, freq="D", future_periods=14)
    res = F.forecast(ser, horizon=14, folds=8, calendar=C.FEATURES)
    bt = res.backtest.set_index("model")["mae"]
    # the backtest (Sep-Dec 2025) holds National Day, Double 11 and Double 12
    for plain, cal in (("ets", "ets_cal"), ("seasonal_mean", "seasonal_mean_cal")):
        assert bt[cal] < 0.75 * bt[plain], (plain, bt[plain], bt[cal])
    assert res.model.endswith("_cal")
    assert bt["auto"] < 0.75 * bt[["ets", "sarimax", "combo"]].min()
    assert res.params["calendar"] == C.FEATURES
    # without the calendar nothing changes: the same rows as a plain run
    plain = F.forecast(ser, horizon=14, folds=8)
    assert not any(m.endswith("_cal") for m in plain.backtest["model"])
    assert plain.backtest.set_index("model")["mae"]["ets"] == pytest.approx(bt["ets"])


def test_calendar_models_find_the_next_double_11_peak():
    days, y = _planted()
    keep = days <= pd.Timestamp("2025-11-04")
    ser = F.series_from_values(days[keep], y[keep], freq="D", future_periods=14)
    res = F.forecast(
        ser, horizon=14, folds=4, calendar=["double_11"], models=["seasonal_naive", "ets"]
    )
    fc = res.candidates[res.candidates["model"] == "ets_cal"].set_index("period")["mean"]
    # 5x planted on the peak, 1.6x on the run-up: the peak day is the highest forecast
    assert fc.idxmax() == pd.Timestamp("2025-11-11")
    assert fc[pd.Timestamp("2025-11-11")] > 3 * fc[pd.Timestamp("2025-11-13")]


def test_forecast_chart_marks_the_festivals():
    from ecomdash.charts import forecast as charts

    days, y = _planted()
    ser = F.series_from_values(days, y, freq="D", future_periods=14)
    res = F.forecast(ser, horizon=14, folds=2, models=["seasonal_naive"], calendar=C.FEATURES)
    fig = charts.forecast_figure(res, history_periods=120)  # 2025-09-03 .. 2026-01-14
    rects = {
        (pd.Timestamp(s.x0) + pd.Timedelta(hours=12)).date()
        for s in fig.layout.shapes
        if s.type == "rect"
    }
    # breaks and festivals in view, by their first day (published: 国庆 10-01..10-08)
    assert {date(2025, 10, 1), date(2025, 10, 31), date(2025, 12, 10), date(2026, 1, 1)} <= rects
    marks = next(t for t in fig.data if t.name.startswith("Chinese calendar"))
    found = {(pd.Timestamp(x).date(), t) for x, t in zip(marks.x, marks.text, strict=True)}
    assert (date(2025, 11, 11), "Double 11 (Singles' Day) 双十一 peak") in found
    assert (date(2025, 10, 11), "Make-up working days 调休") in found
    plain = F.forecast(ser, horizon=14, folds=2, models=["seasonal_naive"])
    assert not any(
        t.name.startswith("Chinese calendar") for t in charts.forecast_figure(plain).data
    )
