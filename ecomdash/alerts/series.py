"""Unusual days and weeks: each daily series against a robust seasonal expectation.

For every series (the shop, its top categories and countries) and metric (net revenue,
orders, AOV, return rate, new customers) the daily values are put on a log scale and
decomposed by robust STL (statsmodels, weekly period, outlier-resistant iterations), with the
known days (sale days, public holidays, the merchant's events) interpolated over so they
never shape the expectation. The score is the residual divided by a robust scale (1.4826 ×
the median absolute residual; for counts never below Poisson noise): ``score = -6`` means
six robust standard deviations below what such a day brings. A reason says it in words,
"6.0 times the usual day-to-day swing" (``alerts.days``): the robust sd is the series' usual
spread around its expectation; the signed score stays in the table and the JSON.

Weeks: the week's total against the level of the weeks around it (a robust local line through
the weekly totals), scored on the spread of the weekly ratios.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date
from statistics import NormalDist

import numpy as np
import pandas as pd

from ecomdash.i18n import N_, _, get_lang, tr
from ecomdash.i18n.fmt import join, money, pct

METRICS = ("revenue", "orders", "aov", "return_rate", "new_customers")
#: metric -> its English name; shown names come from ``ecomdash.labels.label(metric)`` (the
#: same words, translated with the rest of the column catalogue)
METRIC_LABELS = {
    "revenue": "Net revenue",
    "orders": "Orders",
    "aov": "Average order value",
    "return_rate": "Return rate",
    "new_customers": "New customers",
}
COUNT_METRICS = {"orders", "new_customers"}
#: how many weeks the level an unusual week is measured against spans (:func:`_week_level`)
WEEK_SPAN = 9

#: A shop in China: its shopping festivals' run-up days (``ecomdash.calendar_cn``: 618 1-17
#: June, Double 11 31 October-10 November, Double 12 10-11 December) and the New-Year goods
#: festival 年货节 (the 16 days from 25 to 10 days before the Spring Festival) are known days
#: too; they explain a rise only (``alerts.days``: a drop on them, or in their weeks, is not
#: capped).
RUN_UPS = {
    "618": N_("618 run-up"),
    "double_11": N_("Double 11 run-up"),
    "double_12": N_("Double 12 run-up"),
    "nianhuo": N_("New-Year goods festival"),
}

#: Their peak days, as an alert names them (the forecast's labels carry both languages:
#: "618 (mid-year sale) 618"); 11.11 is a sale day of every shop.
PEAKS = {"618": N_("618 (mid-year sale)"), "double_12": N_("Double 12")}

#: |score| and |relative change| a day must reach for each severity.
DAY_LEVELS = (("high", 8.0, 0.5), ("medium", 5.5, 0.3), ("low", 4.0, 0.2))


def metric_values(df: pd.DataFrame, metric: str) -> pd.Series:
    """One metric from the daily components (gross, returns, orders, new_customers)."""
    if metric == "revenue":
        return df["gross"] - df["returns"]
    if metric == "orders":
        return df["orders"].astype(float)
    if metric == "aov":
        return (df["gross"] - df["returns"]) / df["orders"].where(df["orders"] > 0)
    if metric == "return_rate":
        return df["returns"] / df["gross"].where(df["gross"] > 0)
    if metric == "new_customers":
        return df["new_customers"].astype(float)
    raise ValueError(metric)


def _to_log(metric: str, v: pd.Series, gross: pd.Series) -> pd.Series:
    if metric == "return_rate":
        # returns relative to sales, smoothed by 1 % of a usual day's sales
        c = 0.01 * max(float(gross.median()), 1.0)
        return np.log((v * gross + c) / (gross + c)).where(gross.notna())
    if metric == "aov":
        return np.log(v.where(v > 0))
    return np.log1p(v.clip(lower=0))


def _from_log(metric: str, x: np.ndarray, gross: np.ndarray) -> np.ndarray:
    if metric == "return_rate":
        c = 0.01 * max(float(np.nanmedian(gross)), 1.0)
        return (np.exp(x) * (gross + c) - c) / np.where(gross > 0, gross, np.nan)
    if metric == "aov":
        return np.exp(x)
    return np.expm1(x)


def robust_expectation(
    x: pd.Series, known: np.ndarray, *, period: int = 7
) -> tuple[np.ndarray, np.ndarray]:
    """Expected log values and residuals of a daily log series by robust STL.

    ``known`` marks days whose value must not shape the expectation (interpolated over).
    Missing values (no orders, no sales for a ratio) are interpolated too; their residual
    is NaN.
    """
    from statsmodels.tsa.seasonal import STL

    y = x.copy()
    y[known] = np.nan
    filled = y.interpolate(limit_direction="both")
    if filled.isna().all() or len(filled) < 2 * period + 1:
        exp = np.full(len(x), np.nanmedian(y) if y.notna().any() else np.nan)
    else:
        fit = STL(filled.to_numpy(), period=period, robust=True).fit()
        exp = fit.trend + fit.seasonal
    return exp, x.to_numpy() - exp


def robust_scale(resid: np.ndarray, *, tail: float = 0.99) -> float:
    """Robust spread of the residuals (ignores NaN); 0 when nothing to measure.

    The larger of 1.4826 × the median absolute deviation (the normal-theory robust sd) and
    the ``tail`` quantile of absolute deviations over its normal value (2.576 for 0.99): on
    heavy-tailed series (a few bulk orders) the MAD alone calls every bulk order unusual,
    the tail term does not. The tail quantile must leave out the outliers to be found: 0.99
    of two years of days leaves out the 7 largest; weeks (a hundred or fewer) use 0.9, as
    0.99 of 104 weeks is the largest week itself, which then could never score above 2.7.
    """
    r = resid[np.isfinite(resid)]
    if len(r) < 5:
        return 0.0
    dev = np.abs(r - np.median(r))
    z = NormalDist().inv_cdf((1 + tail) / 2)
    return float(max(1.4826 * np.median(dev), np.quantile(dev, tail) / z))


def level_of(score: float, rel: float, levels=DAY_LEVELS) -> str | None:
    for name, z, change in levels:
        if abs(score) >= z and abs(rel) >= change:
            return name
    return None


def score_series(
    days: pd.DataFrame,
    *,
    calendar: pd.DatetimeIndex,
    known: pd.Series,
    metrics: Iterable[str] = METRICS,
) -> pd.DataFrame:
    """Expected value, score and relative change per day and metric of one series.

    ``days``: daily components indexed by day (missing days are days without orders).
    ``known``: day -> name of a known day ("" for ordinary days), on ``calendar``.
    Returns ``metric, day, actual, expected, lo, hi, score, rel, known``.
    """
    d = days.reindex(calendar)
    for c in ("gross", "returns", "orders"):
        d[c] = d[c].fillna(0.0)
    known_mask = (known.reindex(calendar).fillna("") != "").to_numpy()
    out = []
    for metric in metrics:
        if metric == "new_customers" and d["new_customers"].isna().all():
            continue
        if metric == "new_customers":
            d["new_customers"] = d["new_customers"].fillna(0.0)
        v = metric_values(d, metric)
        if v.notna().sum() < 28:
            continue
        x = _to_log(metric, v, d["gross"])
        exp_log, resid = robust_expectation(x, known_mask)
        scale = robust_scale(np.where(known_mask, np.nan, resid))
        if metric in COUNT_METRICS:
            # never tighter than Poisson noise of the expected count
            pois = 1.0 / np.sqrt(np.maximum(np.expm1(exp_log), 0) + 1.0)
            sd = np.maximum(scale, pois)
        else:
            sd = np.full(len(resid), max(scale, 1e-6))
        expected = _from_log(metric, exp_log, d["gross"].to_numpy())
        lo = _from_log(metric, exp_log - 3 * sd, d["gross"].to_numpy())
        hi = _from_log(metric, exp_log + 3 * sd, d["gross"].to_numpy())
        score = resid / sd
        actual = v.to_numpy(dtype=float)
        # relative change on the scale the score is measured on (stable near zero)
        rel = np.expm1(resid)
        out.append(
            pd.DataFrame(
                {
                    "metric": metric,
                    "day": calendar,
                    "actual": actual,
                    "expected": expected,
                    "lo": lo,
                    "hi": hi,
                    "score": score,
                    "rel": rel,
                    "known": known.reindex(calendar).fillna("").to_numpy(),
                }
            )
        )
    if not out:
        return pd.DataFrame(
            columns=["metric", "day", "actual", "expected", "lo", "hi", "score", "rel", "known"]
        )
    return pd.concat(out, ignore_index=True)


def score_weeks(
    scored: pd.DataFrame,
    *,
    metrics: Iterable[str] = ("revenue", "orders"),
    skip: Iterable[pd.Timestamp] = (),
    unspread: Iterable[pd.Timestamp] = (),
) -> pd.DataFrame:
    """Whole weeks (Monday start): each week's total against the level of the weeks around
    it (:func:`_week_level`).

    ``known``: the names of the week's known days, each once in day order, listed as the run's
    language lists them; ``known_days``: how many of its days are known days.

    Weeks starting on a day in ``skip`` (weeks with a closure) are neither scored nor part
    of the spread the other weeks are scored on; weeks in ``unspread`` (a festival's run-up:
    its days' expectation is an ordinary day's, so such a week is 40-60 % up) are scored but
    not part of the spread (unless fewer than 8 other weeks are left)."""
    skip = pd.DatetimeIndex(list(skip))
    unspread = pd.DatetimeIndex(list(unspread))
    rows = []
    for metric in metrics:
        s = scored[scored["metric"] == metric]
        if s.empty:
            continue
        wk = s["day"].dt.to_period("W-SUN").dt.start_time
        g = s.groupby(wk).agg(
            actual=("actual", "sum"),
            n=("day", "size"),
            known=("known", _week_known),
            known_days=("known", lambda k: int((k != "").sum())),
        )
        g = g[(g["n"] == 7) & ~g.index.isin(skip)]
        if len(g) < 8:
            continue
        g["expected"] = _week_level(g, unspread)
        r = np.log((g["actual"].clip(lower=0) + 1) / (g["expected"].clip(lower=0) + 1))
        usual = r[~g.index.isin(unspread)]
        scale = robust_scale((usual if len(usual) >= 8 else r).to_numpy(), tail=0.9)
        if metric == "orders":
            scale = np.maximum(scale, 1 / np.sqrt(g["expected"].clip(lower=0) + 1))
        scale = np.maximum(scale, 1e-6)
        rows.append(
            pd.DataFrame(
                {
                    "metric": metric,
                    "week": g.index,
                    "actual": g["actual"].to_numpy(),
                    "expected": g["expected"].to_numpy(),
                    "score": (r / scale).to_numpy(),
                    "rel": (g["actual"] / g["expected"] - 1).to_numpy(),
                    "known": g["known"].to_numpy(),
                    "known_days": g["known_days"].to_numpy(),
                }
            )
        )
    if not rows:
        return pd.DataFrame(
            columns=["metric", "week", "actual", "expected", "score", "rel", "known", "known_days"]
        )
    return pd.concat(rows, ignore_index=True)


def _week_level(g: pd.DataFrame, unspread: pd.DatetimeIndex) -> np.ndarray:
    """Each whole week's expected total: the level of the weeks around it.

    A robust local line (LOWESS over about :data:`WEEK_SPAN` weeks, three robustness passes)
    through the weeks' log totals, the run-up weeks left out (up by what the run-up brings).
    At the weekly scale a week raised or lowered as a whole stands far out and is weighed out
    of its own level, where the sum of the days' expectations (a trend of about two weeks)
    carried two thirds of it along: a week at +60 % read +20 % and raised no alert. A season
    of a month or more moves the level with it. A week holding known days is measured
    against the weeks around it, as its days are measured against ordinary days."""
    from statsmodels.nonparametric.smoothers_lowess import lowess

    x = np.asarray((g.index - g.index[0]).days // 7, dtype=float)
    y = np.log(g["actual"].clip(lower=0).to_numpy(dtype=float) + 1)
    fit = ~g.index.isin(unspread)
    if fit.sum() < 8:  # a short history mostly in run-ups: every week
        fit = np.ones(len(g), dtype=bool)
    level = lowess(y[fit], x[fit], frac=min(1.0, WEEK_SPAN / fit.sum()), it=3, xvals=x)
    # Weeks that are exactly flat leave no spread: the robustness passes then weigh out every
    # week off the line, and the weeks at a step between two flat runs have no level (NaN).
    # Neither side of a lasting step is unusual: such a week is its own level.
    return np.expm1(np.where(np.isnan(level), y, level))


def _week_known(k: pd.Series) -> str:
    """A week's known days' names, each once, in the order of its days (``a, b`` / ``a、b``)."""
    return join(dict.fromkeys(x for x in k if x))


def known_days(
    start: date,
    end: date,
    *,
    country: str | None,
    events: Iterable[tuple[str, date, date | None]] = (),
) -> pd.Series:
    """Day -> name of the known days: sale days (Black Friday, Cyber Monday, 11.11), the main
    country's public holidays, Christmas Eve to New Year, and the merchant's events; the names
    in the language of the run (the public holidays' own Chinese names when it is Chinese).

    A shop in China has China's own instead of Black Friday, Cyber Monday and Christmas (no
    shopping events there: a stock-out on 27 December is a real unusual day): 11.11, the
    run-up and peak days of 618, Double 11 and Double 12, 年货节, and every day off of a public
    holiday's break, its weekend days too (:mod:`ecomdash.calendar_cn`; the ``holidays``
    package lists the weekdays only). Make-up working days (调休: a Saturday or Sunday worked
    for the break) are ordinary days: the Chinese demo's are (scores within ±1), and a known
    day would cap a stock-out on one at low.

    >>> k = known_days(date(2025, 6, 9), date(2025, 12, 27), country="China")
    >>> k["2025-06-10"], k["2025-06-18"], k["2025-11-28"], k["2025-12-27"]
    ('618 run-up', '618 (mid-year sale)', '', '')
    >>> k["2025-10-03"], k["2025-10-04"], k["2025-09-28"]
    ('National Day', 'National Day', '')
    """
    from ecomdash.forecast import PRESET_EVENTS, holiday_code, holidays_between, preset_events

    cal = pd.date_range(start, end, freq="D")
    names = pd.Series("", index=cal, dtype=object)

    def mark(day: pd.Timestamp, name: str) -> None:
        if day in names.index:
            names[day] = join([names[day], name]) if names[day] else name

    code = holiday_code(country)
    china = code == "CN"
    sale_days = [n for n in PRESET_EVENTS if not china or n == "Singles' Day (11.11)"]
    for e in preset_events(sale_days, start=start, end=end):
        mark(pd.Timestamp(e.start), tr(e.name))
    if china:
        # China's shopping festivals: run-ups and peak days (11.11 is a sale day above)
        from ecomdash.calendar_cn import calendar_days

        cal_cn = calendar_days(start, end)
        for key, run_up in RUN_UPS.items():
            peak = cal_cn[f"{key}_peak"]
            for d in cal_cn.loc[cal_cn[key] & ~peak, "date"]:
                mark(pd.Timestamp(d), _(run_up))
            if key in PEAKS:
                for d in cal_cn.loc[peak, "date"]:
                    mark(pd.Timestamp(d), _(PEAKS[key]))
    public = _holidays_zh(code, start, end) if get_lang() == "zh" else None
    if public is None:
        public = holidays_between(code, pd.Timestamp(start), pd.Timestamp(end))
    for day, name in public.items():
        mark(day, str(name))
    if china:
        for day, name in _break_days(cal_cn, public, zh=get_lang() == "zh").items():
            mark(day, name)
    if not china:
        for y in range(start.year, end.year + 1):
            for dd in pd.date_range(f"{y}-12-24", f"{y + 1}-01-01"):
                if not names.get(dd, ""):
                    mark(dd, _("Christmas to New Year"))
    for name, s, e in events:
        for dd in pd.date_range(pd.Timestamp(s), pd.Timestamp(e or s)):
            mark(dd, str(name))
    return names


def _break_days(cal_cn: pd.DataFrame, public: dict, *, zh: bool) -> dict:
    """The days off of China's public holiday breaks that the ``holidays`` package does not
    list (``public``: the weekend days inside a break, e.g. 4-5 October 2025), each named as
    the package names its holiday's own day ("National Day" / "国庆节")."""
    import holidays as hol

    from ecomdash.calendar_cn import festival_day

    off = cal_cn[(cal_cn["holiday"] != "") & ~cal_cn["date"].isin(list(public))]
    if off.empty:
        return {}
    years = sorted({int(y) for y in off["date"].dt.year})
    h = hol.country_holidays("CN", years=years, language="zh_CN" if zh else "en_US")
    out = {}
    for day, key in zip(off["date"], off["holiday"], strict=True):
        out[day] = str(h.get(festival_day(key, day.year), ""))
    return {d: n for d, n in out.items() if n}


def _holidays_zh(code: str | None, start: date, end: date) -> dict | None:
    """The public holidays of ``code`` named in Simplified Chinese ({Timestamp: name}), or
    None when the ``holidays`` package has no Chinese names for that country."""
    if not code:
        return None
    import holidays as hol

    try:
        cls = hol.country_holidays(code, years=[start.year])
        if "zh_CN" not in (getattr(cls, "supported_languages", ()) or ()):
            return None
        h = hol.country_holidays(
            code, years=list(range(start.year, end.year + 1)), language="zh_CN"
        )
    except NotImplementedError:
        return None
    from ecomdash.forecast.events import zh_long_dates

    lo, hi = pd.Timestamp(start), pd.Timestamp(end)
    return {pd.Timestamp(d): zh_long_dates(n) for d, n in h.items() if lo <= pd.Timestamp(d) <= hi}


def fmt_value(metric: str, v: float, *, estimate: bool = False) -> str:
    """A series' value in a reason. ``estimate``: an expected count below 10 keeps one
    decimal ("70 against 4.1 expected (+1628 %)": written "4", the change a merchant works
    out from the two figures, +1650 %, was not the one beside them)."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return _("n/a")  # "暂无" in Chinese, as the tiles write a missing figure
    if metric == "return_rate":
        return pct(v)
    # an expectation of about nothing is 0, never "-0" ("65 against -0 expected"): what
    # rounds to zero is zero
    if metric in COUNT_METRICS:
        if estimate and 0.05 <= abs(v) < 9.95:
            return f"{v:,.1f}"
        return f"{0.0 if abs(v) <= 0.5 else v:,.0f}"
    return money(v)  # net revenue, AOV: the dataset's currency (fmt.money: never "-£0.00")
