"""Alerts: unusual days and weeks. The daily series (the shop's, its top countries' and
categories') scored by :mod:`ecomdash.alerts.series`, turned into signals with their severity
and a reason in the run's language: known days and closures named, a group's small day rated
low, a week with known days lowered one level."""

from __future__ import annotations

import functools
import re

import numpy as np
import pandas as pd

from ecomdash import labels as L
from ecomdash import schema as S
from ecomdash.alerts.orders import Signal
from ecomdash.alerts.series import (
    RUN_UPS,
    fmt_value,
    known_days,
    level_of,
    score_series,
    score_weeks,
)
from ecomdash.i18n import _, _n, fmt
from ecomdash.i18n.fmt import pct

#: Days of history the unusual-day scores need (five weeks: a weekly pattern seen 5 times).
MIN_SERIES_DAYS = 35


def series_signals(store, ds_id, filters, start, end, *, top_groups, events, cols, provinces=False):
    """The unusual days and weeks of the shop's and its top groups' daily series.
    ``provinces``: the dataset's country field holds provinces
    (``labels.places_are_provinces``), so a reason names a province as the pages do."""
    notes: list[str] = []
    daily = store.alert_daily_series(ds_id, filters, top_n=top_groups)
    if daily.empty or (end - start).days + 1 < MIN_SERIES_DAYS:
        notes.append(
            _(
                "Unusual days need at least {needed} days of orders to learn what a normal day "
                "brings; this period has {n}, so only the order-level rules ran.",
                needed=MIN_SERIES_DAYS,
                n=(end - start).days + 1,
            )
        )
        return pd.DataFrame(), [], [], notes
    if S.REVENUE not in cols:
        notes.append(
            _(
                "No amounts (revenue or prices) in this dataset: unusual days are judged on "
                "orders and new customers only."
            )
        )
    if S.CUSTOMER_ID not in cols:
        notes.append(_("No customer ids in this dataset: new customers are not watched."))
    country = None
    if S.COUNTRY in cols:
        c = daily[daily["dim"] == "country"]
        if len(c):
            country = str(c.groupby("grp")["gross"].sum().idxmax())
    known = known_days(start, end, country=country, events=events)
    cal = pd.date_range(start, end, freq="D")
    closed = _closures(daily, cal, known, notes)
    metrics = [
        m
        for m in ("revenue", "orders", "aov", "return_rate", "new_customers")
        if (S.REVENUE in cols or m in ("orders", "new_customers"))
        and (S.CUSTOMER_ID in cols or m != "new_customers")
    ]
    # a festival's run-up explains a rise, not a drop (a stock-out in 618's run-up stays high)
    rise_only = {_(n) for n in RUN_UPS.values()}
    scored = []
    shop_gross = None
    for (dim, grp), g in daily.groupby(["dim", "grp"], sort=False):
        # groups: revenue and orders only (their AOV and return rate swing with one order)
        ms = metrics if dim == "shop" else [m for m in metrics if m in ("revenue", "orders")]
        s = score_series(g.set_index("day"), calendar=cal, known=known, metrics=ms)
        if dim == "shop":
            # to a millionth: the median of an even count is the mean of two daily sums,
            # whose last bits depend on the order each engine added the lines in (DuckDB
            # wrote "£4,934.88", Spark "£4,934.89" in a reason: 4934.885 ± 1e-12)
            shop_gross = round(float(g["gross"].median()), 6)
        scored.append(s.assign(dim=dim, grp=grp))
    series = pd.concat(scored, ignore_index=True) if scored else pd.DataFrame()
    day_signals, week_signals = [], []
    if series.empty:
        return series, [], [], notes
    s = series.dropna(subset=["score"])
    for (dim, grp, metric), g in s.groupby(["dim", "grp", "metric"], sort=False):
        for r in g.itertuples():
            if closed[r.day]:
                continue
            sev = level_of(r.score, r.rel)
            if sev is None:
                continue
            if r.known and not (r.score < 0 and r.known in rise_only):
                sev = "low"
            # why a group's day was rated low, for its reason to say (a merchant read
            # "-100 %, 10.4 times the usual day-to-day swing" marked low, and no why)
            group_low = None
            if dim != "shop" and sev != "low" and metric in ("revenue",) and shop_gross:
                # a group's day matters when it moves the shop's usual day by 20 % or more
                if abs(r.actual - r.expected) < 0.20 * shop_gross:
                    sev, group_low = "low", "small"
            if dim != "shop" and metric in ("aov", "return_rate", "orders") and sev != "low":
                if abs(r.score) < 8:
                    sev, group_low = "low", "score"
            day = pd.Timestamp(r.day)
            said = {
                "metric": L.label(metric),
                "where": _where(dim, grp, provinces=provinces),
                "day": fmt.long_date(day, weekday=True),
                "actual": fmt_value(metric, r.actual),
                "expected": fmt_value(metric, r.expected, estimate=True),
                "rel": pct(shown_change(r.actual, r.expected, r.rel), 0, signed=True),
                # the score in words: how many times the series' usual spread around its
                # expectation (robust sd, see alerts.series) this day's departure is; the
                # signed score stays in the table's and the JSON's "score"
                "times": f"{abs(r.score):,.1f}",
            }
            reason = (
                _(
                    "{metric} of {where} on {day}: {actual} against {expected} expected ({rel}, "
                    "{times} times the usual day-to-day swing); a known day ({known})",
                    known=r.known,
                    **said,
                )
                if r.known
                else _(
                    "{metric} of {where} on {day}: {actual} against {expected} expected ({rel}, "
                    "{times} times the usual day-to-day swing); rated low: the change, {change}, "
                    "is under 20\u00a0% of the shop's usual day's sales ({usual})",
                    change=fmt.money(abs(r.actual - r.expected)),
                    usual=fmt.money(shop_gross),
                    **said,
                )
                if group_low == "small"
                else _(
                    "{metric} of {where} on {day}: {actual} against {expected} expected ({rel}, "
                    "{times} times the usual day-to-day swing); rated low: the orders of one "
                    "category or province are rated higher only from 8 times the swing",
                    **said,
                )
                if group_low == "score" and provinces
                else _(
                    "{metric} of {where} on {day}: {actual} against {expected} expected ({rel}, "
                    "{times} times the usual day-to-day swing); rated low: the orders of one "
                    "category or country are rated higher only from 8 times the swing",
                    **said,
                )
                if group_low == "score"
                else _(
                    "{metric} of {where} on {day}: {actual} against {expected} expected ({rel}, "
                    "{times} times the usual day-to-day swing)",
                    **said,
                )
            )
            day_signals.append(
                Signal(
                    key=f"day:{day.date()}",
                    date=day,
                    severity=sev,
                    kind="unusual_day",
                    reason=reason,
                    score=float(r.score),
                    impact=float(abs(r.actual - r.expected)) if metric == "revenue" else 0.0,
                    product_id=None,
                    metric=metric,
                    dim=str(dim),
                    grp=str(grp),
                )
            )
    # a week with a closure is not comparable with its expectation (made for open days)
    shut = closed[closed].index.to_period("W-SUN").start_time.unique()
    # a week with run-up days: up by what the run-up brings; scored for a drop only, and not
    # part of the spread of the other weeks (40-60 % up, it would hide their changes)
    run_up = known.index[[any(n in k for n in rise_only) for k in known]]
    run_up_weeks = run_up.to_period("W-SUN").start_time.unique()
    weeks = score_weeks(series[series["dim"] == "shop"], skip=shut, unspread=run_up_weeks)
    for r in weeks.itertuples():
        if r.score > 0 and r.week in run_up_weeks:
            continue
        sev = level_of(
            r.score, r.rel, levels=(("high", 8, 0.4), ("medium", 5.5, 0.25), ("low", 4, 0.15))
        )
        if sev is None:
            continue
        scored_as = sev
        if r.known and not (r.score < 0 and r.known in rise_only):
            sev = "low" if sev != "high" else "medium"
        wk = pd.Timestamp(r.week)
        week_signals.append(
            Signal(
                key=f"week:{wk.date()}",
                date=wk,
                severity=sev,
                kind="unusual_week",
                reason=_week_reason(r, wk, lowered=sev != scored_as),
                score=float(r.score),
                # the week's distance from its expected revenue, as a day's (the Home's
                # headline says it: "1 unusual week £900 from what was expected")
                impact=float(abs(r.actual - r.expected)) if r.metric == "revenue" else 0.0,
                metric=str(r.metric),
            )
        )
    return series, day_signals, week_signals, notes


def shown_change(actual: float, expected: float, rel: float) -> float:
    """The change a reason writes beside "{actual} against {expected} expected": the plain
    ``actual / expected - 1`` a merchant checks it with ("3 against 14" is -79 %, where the
    score's log scale, ``rel``, says -74 %; "-£504.42 against £316.25" is -260 %, not the
    -100 % the log scale stops at). ``rel`` (what the severity rules use) when nothing was
    expected."""
    if expected > 0 and np.isfinite(actual) and np.isfinite(expected):
        return float(actual / expected - 1)
    return float(rel)


def _week_reason(r, wk: pd.Timestamp, *, lowered: bool) -> str:
    """An unusual week in words. A week holding known days names them as a day's reason does
    (the likely cause, for the merchant to judge) and, when the known-day rule lowered its
    severity, says so: the rule lowers it one level for any known day in the week, whatever
    the change, so the reason claims no more (never "explained by")."""
    said = {
        "metric": L.label(r.metric),
        "week": fmt.long_date(wk),
        "actual": fmt_value(r.metric, r.actual),
        "expected": fmt_value(r.metric, r.expected, estimate=True),
        "rel": pct(r.rel, 0, signed=True),
        "times": f"{abs(r.score):,.1f}",
    }
    if not r.known:
        return _(
            "{metric} of the week of {week}: {actual} against {expected} expected "
            "({rel}, {times} times the usual week-to-week swing)",
            **said,
        )
    if lowered:
        return _n(
            "{metric} of the week of {week}: {actual} against {expected} expected "
            "({rel}, {times} times the usual week-to-week swing); the week held {n} known day "
            "({known}), so its severity was lowered one level",
            "{metric} of the week of {week}: {actual} against {expected} expected "
            "({rel}, {times} times the usual week-to-week swing); the week held {n} known days "
            "({known}), so its severity was lowered one level",
            int(r.known_days),
            known=r.known,
            **said,
        )
    return _n(
        "{metric} of the week of {week}: {actual} against {expected} expected "
        "({rel}, {times} times the usual week-to-week swing); the week held {n} known day "
        "({known})",
        "{metric} of the week of {week}: {actual} against {expected} expected "
        "({rel}, {times} times the usual week-to-week swing); the week held {n} known days "
        "({known})",
        int(r.known_days),
        known=r.known,
        **said,
    )


def _closures(
    daily: pd.DataFrame, cal: pd.DatetimeIndex, known: pd.Series, notes: list
) -> pd.Series:
    """Days inside a closure: 3 or more days in a row without a single sale (as the forecast
    counts them). They are named as known days (so they never shape what a normal day brings,
    nor its spread), raise no alert, and one note says which runs were left out."""
    from ecomdash.forecast.series import closure_runs

    shop = daily[daily["dim"] == "shop"].set_index("day")
    sold = (shop["orders"] > 0) | (shop["gross"] > 0)
    active = sold.reindex(cal, fill_value=False)
    closed, runs = closure_runs(active)
    if runs:
        name = _("closed: no orders")
        known[closed] = [fmt.join([k, name]) if k else name for k in known[closed]]
        shown = fmt.join(fmt.date_range(a, b) for a, b in runs[:5])
        notes.append(
            _n(
                "{days} day without a single order ({runs}) was left out of the unusual days "
                "and weeks: a closure, not a bad day.",
                "{days} days without a single order ({runs}) were left out of the unusual days "
                "and weeks: closures, not bad days.",
                int(closed.sum()),
                days=int(closed.sum()),
                runs=shown + (", …" if len(runs) > 5 else ""),
            )
        )
    return closed


def _where(dim: str, grp, *, provinces: bool = False) -> str:
    """The shop or the group a day's series belongs to, as a reason names it: a place of a
    dataset whose country field holds provinces is a province, as the sidebar calls it
    (``labels.places_are_provinces``); else a Chinese province among countries is a region
    (:func:`is_region`, by its value)."""
    if dim == "shop":
        return _("the shop")
    if dim == "category":
        return _("category {name}", name=grp)
    if dim == "country":
        if provinces:
            return _("province {name}", name=grp)
        if is_region(grp):
            return _("region {name}", name=grp)
        return _("country {name}", name=grp)
    return f"{dim} {grp}"


#: the mainland provinces' names in pinyin / English, as an export in English writes them
#: in a region column ("Zhejiang", "Guangdong Province", "Inner Mongolia"); not Hong Kong,
#: Macau or Taiwan: in an English list of countries they are entries of their own (ISO
#: 3166; the UCI shop's "Hong Kong")
_PINYIN = frozenset(
    {
        "beijing",
        "tianjin",
        "shanghai",
        "chongqing",
        "hebei",
        "shanxi",
        "liaoning",
        "jilin",
        "heilongjiang",
        "jiangsu",
        "zhejiang",
        "anhui",
        "fujian",
        "jiangxi",
        "shandong",
        "henan",
        "hubei",
        "hunan",
        "guangdong",
        "hainan",
        "sichuan",
        "guizhou",
        "yunnan",
        "shaanxi",
        "gansu",
        "qinghai",
        "inner mongolia",
        "nei mongol",
        "neimenggu",
        "guangxi",
        "guangxi zhuang",
        "tibet",
        "xizang",
        "ningxia",
        "ningxia hui",
        "xinjiang",
        "xinjiang uyghur",
        "xinjiang uygur",
    }
)
_PINYIN_SUFFIX = re.compile(r"\s+(province|sheng|shi|city|municipality|autonomous region|zizhiqu)$")
_CHINA_PREFIX = re.compile(r"^(people's republic of china|pr china|china)[\s,]+")
_ZH_CHINA_PREFIX = re.compile(r"^(中华人民共和国|中国大陆|中国)[\s,，]*")


def is_region(name) -> bool:
    """Whether a value of the country column is a region of a country rather than a country:
    a Chinese province, which Chinese platform exports and the Chinese demo keep there (浙江,
    广西壮族自治区); a reason calls it a region ("region 浙江" / 地区“浙江”, quoted as a
    category or a country is: "Guangdong Province地区" read wrong), never a country.

    Decided per value, so a column that mixes countries and provinces labels each row
    rightly (the drivers' "By" column: "Country" France, "Region" 浙江): a province by its
    short or full Chinese name (浙江, 浙江省), after the country ("中国浙江", "中国 浙江省")
    and with full-width or surrounding spaces, or by its pinyin / English name in any case,
    with or without "Province", "Shi", "Autonomous Region" ("Zhejiang", "GUANGDONG
    PROVINCE", "China, Zhejiang"). Countries stay countries (中国, China, France), and so do
    Hong Kong, Macau and Taiwan written in English (see :data:`_PINYIN`).

    >>> [is_region(x) for x in ("浙江", " 中国 浙江省 ", "Zhejiang", "Inner Mongolia")]
    [True, True, True, True]
    >>> [is_region(x) for x in ("中国", "China", "France", "Hong Kong", None)]
    [False, False, False, False, False]
    """
    return _is_region(str(name)) if name is not None else False


@functools.lru_cache(maxsize=4096)
def _is_region(name: str) -> bool:
    from ecomdash.ingest.platforms_cn import PROVINCES, halfwidth_text

    t = _ZH_CHINA_PREFIX.sub("", halfwidth_text(name).strip()).strip()
    if t and any(t in pair for pair in PROVINCES):
        return True
    e = " ".join(t.casefold().replace(",", " ").split())
    e = _CHINA_PREFIX.sub("", e)
    return _PINYIN_SUFFIX.sub("", e) in _PINYIN
