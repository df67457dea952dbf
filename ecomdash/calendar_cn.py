"""The Chinese calendar for forecasting: public holidays, make-up working days, shopping festivals.

Sources
-------
* **Public holidays and make-up working days (调休)**: the State Council's yearly schedule, as
  kept by the ``chinesecalendar`` package (every day off of each break, weekends inside the
  break included, and the Saturdays/Sundays that become working days). It covers 2004 up to
  the last published year (2026 in version 1.11.0).
* **Years not yet published**: an estimate from the ``holidays`` package, which computes the
  lunar dates (Spring Festival, Dragon Boat, Mid-Autumn) and the Qingming solar term; each
  break is that package's days off plus the weekend days touching them. Make-up working days
  cannot be guessed and are left out. Such days carry ``official=False``.
* **Shopping festivals** (this module's own table, rule-based): 618 (run-up 1-17 June, peak
  18 June), Double 11 (run-up 31 Oct-10 Nov, peak 11 Nov), Double 12 (run-up 10-11 Dec, peak
  12 Dec), and the New-Year goods festival 年货节 (the 16 days from 25 to 10 days before
  Spring Festival, before the couriers' Spring Festival pause; it moves with the lunar date).

Every feature becomes regressor columns (``regressors``): for daily data a 0/1 indicator per
day; for weekly or monthly data the share of the period's days it covers.

>>> d = calendar_days(date(2025, 1, 25), date(2025, 2, 9))
>>> d.loc[d["spring_festival"], "date"].dt.strftime("%m-%d").tolist()
['01-28', '01-29', '01-30', '01-31', '02-01', '02-02', '02-03', '02-04']
>>> d.loc[d["makeup_workday"], "date"].dt.strftime("%m-%d %a").tolist()
['01-26 Sun', '02-08 Sat']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from ecomdash.errors import ParameterError
from ecomdash.i18n import N_
from ecomdash.i18n.note import Date, note, note_n

#: Public holidays: key -> (English label, Chinese name, lunar / solar-term date); the date is
#: a message id (the Chinese UI shows it in Chinese).
PUBLIC_HOLIDAYS = {
    "new_year": ("New Year's Day", "元旦", N_("1 January (solar)")),
    "spring_festival": ("Spring Festival", "春节", N_("正月初一 (1st day of the 1st lunar month)")),
    "qingming": ("Qingming", "清明节", N_("清明 solar term (4 or 5 April)")),
    "labour_day": ("Labour Day", "劳动节", N_("1 May (solar)")),
    "dragon_boat": (
        "Dragon Boat Festival",
        "端午节",
        N_("五月初五 (5th day of the 5th lunar month)"),
    ),
    "mid_autumn": (
        "Mid-Autumn Festival",
        "中秋节",
        N_("八月十五 (15th day of the 8th lunar month)"),
    ),
    "national_day": ("National Day", "国庆节", N_("1 October (solar)")),
}
#: Shopping festivals: key -> (English label, Chinese name).
SHOPPING_FESTIVALS = {
    "618": ("618 (mid-year sale)", "618"),
    "double_11": ("Double 11 (Singles' Day)", "双十一"),
    "double_12": ("Double 12", "双十二"),
    "nianhuo": ("New-Year goods festival", "年货节"),
}
MAKEUP = "makeup_workday"
#: Every switchable feature, in display order.
FEATURES = (*PUBLIC_HOLIDAYS, MAKEUP, *SHOPPING_FESTIVALS)
#: Each feature's label (English label + Chinese name), a message id: the Chinese UI shows
#: the Chinese name alone (``_(LABELS[key])``; see ecomdash/i18n/locales/zh/forecast.po).
LABELS = {
    "new_year": N_("New Year's Day 元旦"),
    "spring_festival": N_("Spring Festival 春节"),
    "qingming": N_("Qingming 清明节"),
    "labour_day": N_("Labour Day 劳动节"),
    "dragon_boat": N_("Dragon Boat Festival 端午节"),
    "mid_autumn": N_("Mid-Autumn Festival 中秋节"),
    "national_day": N_("National Day 国庆节"),
    MAKEUP: N_("Make-up working days 调休"),
    "618": N_("618 (mid-year sale) 618"),
    "double_11": N_("Double 11 (Singles' Day) 双十一"),
    "double_12": N_("Double 12 双十二"),
    "nianhuo": N_("New-Year goods festival 年货节"),
}
assert LABELS == {
    **{k: f"{v[0]} {v[1]}" for k, v in PUBLIC_HOLIDAYS.items()},
    MAKEUP: "Make-up working days 调休",
    **{k: f"{v[0]} {v[1]}" for k, v in SHOPPING_FESTIVALS.items()},
}

#: ``chinesecalendar`` holiday names -> our keys.
_CC_NAMES = {
    "New Year's Day": "new_year",
    "Spring Festival": "spring_festival",
    "Tomb-sweeping Day": "qingming",
    "Labour Day": "labour_day",
    "Dragon Boat Festival": "dragon_boat",
    "Mid-autumn Festival": "mid_autumn",
    "National Day": "national_day",
}
#: ``holidays`` (en_US) names -> our keys (for the estimated years).
_HOL_NAMES = (
    ("Chinese New Year", "spring_festival"),
    ("Tomb-Sweeping", "qingming"),
    ("Labor Day", "labour_day"),
    ("Dragon Boat", "dragon_boat"),
    ("Mid-Autumn", "mid_autumn"),
    ("National Day", "national_day"),
    ("New Year's Day", "new_year"),
)


def _cc():
    import chinese_calendar

    return chinese_calendar


def published_years() -> tuple[int, int]:
    """First and last year of the published State Council schedules that are known."""
    cc = _cc()
    years = {d.year for d in cc.holidays}
    return min(years), max(years)


def _key_of(name: str) -> str | None:
    for frag, key in _HOL_NAMES:
        if frag.lower() in name.lower():
            return key
    return None


def festival_day(key: str, year: int) -> date:
    """The festival's own day (lunar dates converted): e.g. Spring Festival 2025 → 2025-01-29.

    >>> festival_day("mid_autumn", 2025), festival_day("dragon_boat", 2026)
    (datetime.date(2025, 10, 6), datetime.date(2026, 6, 19))
    """
    import holidays as hol

    if key not in PUBLIC_HOLIDAYS:
        raise ParameterError(
            note(
                N_("Unknown Chinese public holiday {key}. Choose from {choices}."),
                key=repr(key),
                choices=tuple(PUBLIC_HOLIDAYS),
            )
        )
    h = hol.country_holidays("CN", years=year, language="en_US")
    days = sorted(
        d for d, n in h.items() if _key_of(n) == key and "observed" not in n and "Eve" not in n
    )
    return days[0]


def _estimated_breaks(year: int) -> dict[date, str]:
    """Days off of an unpublished year: the ``holidays`` days off plus touching weekends."""
    import holidays as hol

    h = hol.country_holidays("CN", years=year, language="en_US")
    off: dict[date, str] = {}
    for d, n in h.items():
        key = _key_of(n)
        if key is not None:
            off[d] = key
    for d, key in sorted(off.items()):
        for step in (-1, 1):
            e = d + timedelta(days=step)
            while e.weekday() >= 5 and e not in off:
                off[e] = key
                e += timedelta(days=step)
    return off


@dataclass(frozen=True)
class _Year:
    off: dict  # date -> holiday key
    makeup: dict  # date -> holiday key
    official: bool


def _year(year: int) -> _Year:
    cc = _cc()
    lo, hi = published_years()
    if lo <= year <= hi:
        off = {d: _CC_NAMES[n] for d, n in cc.holidays.items() if d.year == year and n in _CC_NAMES}
        makeup = {d: _CC_NAMES.get(n, "") for d, n in cc.workdays.items() if d.year == year and n}
        return _Year(off, makeup, True)
    return _Year(_estimated_breaks(year), {}, False)


def _shopping(year: int) -> dict[str, tuple[list[date], list[date]]]:
    """Shopping festival key -> (run-up days, peak days) for one year."""
    sf = festival_day("spring_festival", year)

    def span(a: date, b: date) -> list[date]:
        return [a + timedelta(days=i) for i in range((b - a).days + 1)]

    return {
        "618": (span(date(year, 6, 1), date(year, 6, 17)), [date(year, 6, 18)]),
        "double_11": (
            span(date(year, 10, 31), date(year, 11, 10)),
            [date(year, 11, 11)],
        ),
        "double_12": (span(date(year, 12, 10), date(year, 12, 11)), [date(year, 12, 12)]),
        "nianhuo": (span(sf - timedelta(days=25), sf - timedelta(days=10)), []),
    }


def calendar_days(start: date, end: date) -> pd.DataFrame:
    """One row per day from ``start`` to ``end``: ``date``, a bool column per feature (public
    holiday breaks, ``makeup_workday``, shopping festivals' run-up and peak days),
    ``<festival>_peak`` for the shopping festivals, ``holiday`` (the break's key or ""),
    ``official`` (False for a year whose schedule is not yet published: an estimate)."""
    if end < start:
        raise ParameterError(
            note(
                N_("The calendar ends ({end}) before it starts ({start})."),
                end=Date(end),
                start=Date(start),
            )
        )
    days = pd.date_range(pd.Timestamp(start), pd.Timestamp(end), freq="D")
    out = pd.DataFrame({"date": days})
    hol = np.array([""] * len(days), dtype=object)
    makeup = np.zeros(len(days), bool)
    official = np.ones(len(days), bool)
    shop = {k: np.zeros(len(days), bool) for k in SHOPPING_FESTIVALS}
    peak = {k: np.zeros(len(days), bool) for k in SHOPPING_FESTIVALS}
    pos = {d.date(): i for i, d in enumerate(days)}
    # the 年货节 of a year can sit in late December of the year before
    for y in range(start.year, end.year + 2):
        yr = _year(y) if y <= end.year else None
        if yr is not None:
            for d, key in yr.off.items():
                if d in pos:
                    hol[pos[d]] = key
            for d in yr.makeup:
                if d in pos:
                    makeup[pos[d]] = True
            if not yr.official:
                for d, i in pos.items():
                    if d.year == y:
                        official[i] = False
        for key, (run, pk) in _shopping(y).items():
            for d in run + pk:
                if d in pos:
                    shop[key][pos[d]] = True
            for d in pk:
                if d in pos:
                    peak[key][pos[d]] = True
    for key in PUBLIC_HOLIDAYS:
        out[key] = hol == key
    out[MAKEUP] = makeup
    for key in SHOPPING_FESTIVALS:
        out[key] = shop[key]
        out[f"{key}_peak"] = peak[key]
    out["holiday"] = hol.astype(str)
    out["official"] = official
    return out


def holiday_table(first_year: int, last_year: int) -> pd.DataFrame:
    """The public holidays per year: ``year, holiday, name, name_zh, lunar_date, day,
    break_start, break_end, days_off, makeup_workdays, official`` (official: the State
    Council schedule; else an estimate without make-up days). ``makeup_workdays`` is a tuple
    of dates, in order (empty for an estimate); the page writes them as its tables do."""
    rows = []
    for y in range(first_year, last_year + 1):
        yr = _year(y)
        for key, (label, zh, lunar) in PUBLIC_HOLIDAYS.items():
            off = sorted(d for d, k in yr.off.items() if k == key)
            mk = sorted(d for d, k in yr.makeup.items() if k == key)
            rows.append(
                {
                    "year": y,
                    "holiday": key,
                    "name": label,
                    "name_zh": zh,
                    "lunar_date": lunar,
                    "day": festival_day(key, y),
                    "break_start": off[0] if off else None,
                    "break_end": off[-1] if off else None,
                    "days_off": len(off),
                    "makeup_workdays": tuple(mk),
                    "official": yr.official,
                }
            )
    return pd.DataFrame(rows)


def check_features(features: Sequence[str]) -> tuple[str, ...]:
    """Validate feature keys (order kept, duplicates dropped)."""
    bad = [f for f in features if f not in FEATURES]
    if bad:
        raise ParameterError(
            note_n(
                "Unknown Chinese calendar feature {features}. Choose from {choices}.",
                "Unknown Chinese calendar features {features}. Choose from {choices}.",
                len(bad),
                features=str(bad),
                choices=FEATURES,
            )
        )
    return tuple(dict.fromkeys(features))


def regressors(
    periods: pd.DatetimeIndex | Sequence, *, freq: str = "D", features: Sequence[str] = FEATURES
) -> pd.DataFrame:
    """Regressor columns for ``periods`` (period starts of grain ``freq``): for each public
    holiday and ``makeup_workday`` one column; for each shopping festival two, its run-up
    (``<key>``) and its peak (``<key>_peak``, except 年货节 which has none). Daily: 0/1;
    weekly/monthly: the share of the period's days covered.

    >>> r = regressors(pd.date_range("2025-11-10", periods=3), features=["double_11"])
    >>> r.to_numpy().tolist()
    [[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]
    """
    feats = check_features(features)
    periods = pd.DatetimeIndex(periods)
    if len(periods) == 0:
        return pd.DataFrame(index=periods)
    first = periods.min()
    if freq == "D":
        last = periods.max()
    elif freq == "W":
        last = periods.max() + pd.Timedelta(days=6)
    elif freq == "M":
        last = periods.max() + pd.offsets.MonthEnd(0)
    else:
        raise ParameterError(note(N_("Unknown grain {freq}: use D, W or M."), freq=repr(freq)))
    days = calendar_days(first.date(), last.date())
    cols = []
    for f in feats:
        if f in SHOPPING_FESTIVALS:
            peak = days[f"{f}_peak"]
            cols.append((f, days[f] & ~peak))
            if peak.any() or f != "nianhuo":
                cols.append((f"{f}_peak", peak))
        else:
            cols.append((f, days[f]))
    daily = pd.DataFrame({n: c.to_numpy(float) for n, c in cols}, index=days["date"])
    if freq == "D":
        return daily.reindex(periods).fillna(0.0).set_axis(periods)
    key = (
        daily.index.to_period("W-SUN").start_time
        if freq == "W"
        else daily.index.to_period("M").start_time
    )
    return daily.groupby(key).mean().reindex(periods).fillna(0.0)
