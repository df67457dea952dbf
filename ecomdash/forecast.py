"""Forecasting: series building, models, honest rolling-origin backtests, automatic choice.

The flow is ``build_series(lines, ...) -> SeriesResult`` then ``forecast(series, ...) ->
ForecastResult`` (one series, all candidate models, nested backtest) or
``forecast_many(lines, ...) -> ManyForecastResult`` (top-N products at once, vectorised).

Design notes
------------
* **Calendar.** A regular calendar (day / Monday-week / month) with missing periods filled
  with 0. Weekdays on which the *shop* (all lines, whatever the scope) never trades are
  *closed weekdays*; runs of 3+ open days without a single order, and public holidays without
  orders, are *closures*. Models run on the "trading calendar": closed weekdays removed,
  closures treated as missing values (not as zero demand). Forecasts on closed weekdays are 0.
* **Models** (all vectorised over many series with numpy, except SARIMAX):
  ``seasonal_naive`` (baseline: repeat the last cycle), ``seasonal_mean`` (mean of the last
  three cycles), ``ets`` (additive damped-trend Holt-Winters = ETS(A,Ad,A), on the log scale
  when the series is positive, i.e. multiplicative; parameters chosen on a grid by in-sample
  one-step error; analytic prediction intervals), ``croston`` (SBA, for intermittent demand),
  ``sarimax`` (statsmodels, holidays/events as regressors; single series only) and ``combo``
  (the mean of the non-baseline candidates).
* **Backtest.** Rolling origin: ``folds`` origins, each forecasting ``horizon`` periods, over the
  last ``folds × horizon`` periods. ``auto`` is scored honestly: at each fold the model with the
  lowest MAE on the *earlier* origins (a few warm-up origins precede the scored folds) is used.
* **Metrics.** MAE; MASE (fold MAE / in-sample seasonal-naive MAE before that fold's origin,
  averaged over folds); MAPE on non-zero actuals; bias (mean forecast − actual); coverage of
  the 80 % / 95 % intervals over periods that are not closed weekdays.

>>> import numpy as np
>>> _seasonal_naive_path(np.array([[1.0, 2, 3, 4]]), 4, 2, 3)[0].round(1).tolist()
[3.0, 4.0, 3.0]
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd
from scipy.stats import norm
from threadpoolctl import threadpool_limits

from ecomdash import labels as L
from ecomdash import schema as S
from ecomdash.errors import InsufficientDataError, ParameterError
from ecomdash.i18n import N_
from ecomdash.i18n.note import Weekdays, note

METRICS = ("revenue", "orders", "units")
FREQS = ("D", "W", "M")
SEASON = {"D": 7, "W": 52, "M": 12}
FREQ_WORD = {"D": "day", "W": "week", "M": "month"}
#: The model names a merchant reads (one catalogue: ecomdash.labels).
MODEL_LABELS = {
    k: L.MODEL_LABELS[k]
    for k in (
        "seasonal_naive",
        "seasonal_mean",
        "ets",
        "croston",
        "sarimax",
        "combo",
        "seasonal_mean_cal",
        "ets_cal",
        "sarimax_cal",
        "auto",
    )
}
Z80 = float(norm.ppf(0.90))
Z95 = float(norm.ppf(0.975))
WARMUP = 4  # extra origins before the scored folds, used only for the nested choice

#: Country names (lower case) → ISO code for the ``holidays`` package.
_COUNTRY_CODES = {
    "united kingdom": "GB",
    "uk": "GB",
    "great britain": "GB",
    "england": "GB",
    "eire": "IE",
    "ireland": "IE",
    "united states": "US",
    "usa": "US",
    "us": "US",
    "united states of america": "US",
    "germany": "DE",
    "deutschland": "DE",
    "france": "FR",
    "netherlands": "NL",
    "belgium": "BE",
    "spain": "ES",
    "italy": "IT",
    "portugal": "PT",
    "switzerland": "CH",
    "austria": "AT",
    "sweden": "SE",
    "norway": "NO",
    "denmark": "DK",
    "finland": "FI",
    "poland": "PL",
    "australia": "AU",
    "canada": "CA",
    "japan": "JP",
    "china": "CN",
    "中国": "CN",
    "中华人民共和国": "CN",
    "prc": "CN",
    "hong kong": "HK",
    "singapore": "SG",
    "india": "IN",
    "brazil": "BR",
    "mexico": "MX",
}


# --------------------------------------------------------------------------------------
# Series building
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """A merchant-entered event (promotion, sale day) from ``start`` to ``end`` inclusive."""

    name: str
    start: date
    end: date | None = None

    def days(self) -> pd.DatetimeIndex:
        end = self.end or self.start
        if end < self.start:
            raise ParameterError(
                f"Event '{self.name}' ends ({end}) before it starts ({self.start}). "
                "Enter an end date on or after the start date."
            )
        return pd.date_range(pd.Timestamp(self.start), pd.Timestamp(end), freq="D")


@dataclass(frozen=True)
class SeriesResult:
    """A regular time series ready for the models.

    ``frame`` columns: ``period`` (start timestamp), ``value``, ``closed`` (shop closed: a
    closed weekday or a closure), ``closed_weekday`` (structurally closed, forecast is 0),
    ``holiday`` (name or ""), ``event`` (merchant event name or "").
    ``future`` has the same columns (without ``value``) for the next periods, so the
    forecast knows the holidays/events/closed weekdays ahead.
    """

    frame: pd.DataFrame
    future: pd.DataFrame
    metric: str
    freq: str
    season_length: int
    closed_weekdays: tuple[int, ...]
    closures: tuple[tuple[pd.Timestamp, pd.Timestamp], ...]
    holiday_country: str | None
    closed_on_holidays: bool
    scope: tuple[tuple[str, str], ...]
    returns: str
    warnings: tuple[str, ...] = ()

    @property
    def values(self) -> np.ndarray:
        return self.frame["value"].to_numpy(dtype=float)


def _period_start(ts: pd.Series, freq: str) -> pd.Series:
    if freq == "D":
        return ts.dt.floor("D")
    if freq == "W":
        return ts.dt.to_period("W-SUN").dt.start_time
    return ts.dt.to_period("M").dt.start_time


def _calendar(start: pd.Timestamp, end: pd.Timestamp, freq: str) -> pd.DatetimeIndex:
    return pd.date_range(start, end, freq={"D": "D", "W": "W-MON", "M": "MS"}[freq])


def _next_periods(last: pd.Timestamp, n: int, freq: str) -> pd.DatetimeIndex:
    off = {"D": pd.DateOffset(days=1), "W": pd.DateOffset(weeks=1), "M": pd.DateOffset(months=1)}
    return pd.date_range(
        last + off[freq], periods=n, freq={"D": "D", "W": "W-MON", "M": "MS"}[freq]
    )


def _period_end(start: pd.Timestamp, freq: str) -> pd.Timestamp:
    if freq == "D":
        return start
    if freq == "W":
        return start + pd.Timedelta(days=6)
    return start + pd.offsets.MonthEnd(0)


PRESET_EVENTS = ("Black Friday", "Cyber Monday", "Singles' Day (11.11)")


def _black_friday(year: int) -> date:
    nov1 = date(year, 11, 1)
    first_thu = 1 + (3 - nov1.weekday()) % 7
    return date(year, 11, first_thu + 21 + 1)


def preset_events(names: Sequence[str], *, start: date, end: date) -> tuple[Event, ...]:
    """The named sale days (``PRESET_EVENTS``) for every year from ``start`` to ``end``.

    >>> [e.start.isoformat() for e in preset_events(["Black Friday"], start=date(2024, 1, 1), end=date(2025, 12, 31))]
    ['2024-11-29', '2025-11-28']
    """
    out: list[Event] = []
    for name in names:
        if name not in PRESET_EVENTS:
            raise ParameterError(
                f"Unknown sale day {name!r}. Choose from {', '.join(PRESET_EVENTS)}, or enter "
                "your own event with its dates."
            )
        for y in range(start.year, end.year + 1):
            if name == "Black Friday":
                d = _black_friday(y)
            elif name == "Cyber Monday":
                d = _black_friday(y) + timedelta(days=3)
            else:
                d = date(y, 11, 11)
            if start <= d <= end:
                out.append(Event(name, d))
    return tuple(out)


def holiday_code(country: str | None) -> str | None:
    """ISO code for the ``holidays`` package from a country name or code (None if unknown).

    >>> holiday_code("United Kingdom"), holiday_code("EIRE"), holiday_code("Atlantis")
    ('GB', 'IE', None)
    >>> holiday_code("中国"), holiday_code("cn"), holiday_code("日本")
    ('CN', 'CN', None)

    A Chinese province is its country's region (Chinese platform exports and the Chinese demo
    keep the buyer's province as the region), so it takes its holidays:

    >>> holiday_code("广东"), holiday_code("广西壮族自治区"), holiday_code("香港")
    ('CN', 'CN', 'HK')
    """
    if not country:
        return None
    c = str(country).strip()
    if len(c) == 2 and c.isascii() and c.isalpha():  # "中国" is two letters too
        return c.upper()
    code = _COUNTRY_CODES.get(c.lower())
    if code is None and not c.isascii():
        from ecomdash.ingest.platforms_cn import PROVINCES

        short = next((s for full, s in PROVINCES if c in (full, s)), None)
        if short is not None:
            code = _OWN_HOLIDAYS.get(short, "CN")
    return code


#: provincial-level regions with public holidays of their own
_OWN_HOLIDAYS = {"香港": "HK", "澳门": "MO", "台湾": "TW"}


def holidays_between(code: str | None, start: pd.Timestamp, end: pd.Timestamp) -> dict:
    """Public holidays of ``code`` between two dates: {Timestamp: name} (empty if unknown)."""
    if not code:
        return {}
    import holidays as hol

    years = list(range(start.year, end.year + 1))
    try:
        kw = {"subdiv": "ENG"} if code == "GB" else {}
        h = hol.country_holidays(code, years=years, **kw)
    except NotImplementedError:
        return {}
    return {pd.Timestamp(d): n for d, n in h.items() if start <= pd.Timestamp(d) <= end}


#: The line columns forecasting (any scope), the many-products table and the restock planner
#: read besides the flags and quantity/price/revenue: pages and commands load only these.
LINE_COLUMNS = (S.ORDER_DATE, S.ORDER_ID, S.PRODUCT_ID, S.PRODUCT_NAME, S.CATEGORY, S.COUNTRY)


def main_country(lines: pd.DataFrame) -> str | None:
    """The country with most sales lines' revenue (or lines), None without a country column."""
    if S.COUNTRY not in lines or lines[S.COUNTRY].notna().sum() == 0:
        return None
    w = lines[S.REVENUE].abs() if S.REVENUE in lines else pd.Series(1.0, index=lines.index)
    return str(w.groupby(lines[S.COUNTRY]).sum().idxmax())


def _metric_values(lines: pd.DataFrame, metric: str) -> pd.Series:
    if metric == "revenue":
        if S.REVENUE in lines:
            return lines[S.REVENUE].astype(float)
        if S.QUANTITY in lines and S.UNIT_PRICE in lines:
            return (lines[S.QUANTITY] * lines[S.UNIT_PRICE]).astype(float)
        raise ParameterError(
            "Forecasting revenue needs a revenue column (or quantity and unit price). "
            f"Found columns: {', '.join(map(str, lines.columns))}. Choose metric 'orders' or "
            "'units', or map the revenue column on the Data page."
        )
    if metric == "units":
        if S.QUANTITY not in lines:
            raise ParameterError(
                "Forecasting units needs a quantity column; this dataset has none. "
                "Choose metric 'revenue' or 'orders', or map the quantity column."
            )
        return lines[S.QUANTITY].astype(float)
    raise AssertionError(metric)


def build_series(
    lines: pd.DataFrame,
    *,
    metric: str = "revenue",
    freq: str = "D",
    product: str | None = None,
    category: str | None = None,
    country: str | None = None,
    returns: str = "net",
    events: Sequence[Event] = (),
    holiday_country: str | None = "auto",
    future_periods: int = 0,
) -> SeriesResult:
    """Aggregate canonical order lines into a regular series of ``metric`` per ``freq``.

    ``lines`` is the canonical table (with ``is_return`` flags, before ``sales_lines``).
    ``returns="net"`` subtracts return lines from revenue/units; ``"exclude"`` ignores them.
    Orders are always the number of distinct sales orders. The shop-level calendar (all
    lines) decides closed weekdays and closures; the scope (product/category/country) only
    filters what is summed. A partial first/last week or month is left out (with a warning).

    ``holiday_country``: an ISO code, a country name, ``None`` (no holidays) or ``"auto"``
    (the scope's country, else the dataset's main country by revenue). ``future_periods``: how many future periods to describe in
    ``SeriesResult.future`` (holidays, events, closed weekdays).
    """
    if metric not in METRICS:
        raise ParameterError(
            f"The 'metric' parameter must be one of {', '.join(METRICS)}. Got {metric!r} instead."
        )
    if freq not in FREQS:
        raise ParameterError(
            f"The 'freq' parameter must be one of D (daily), W (weekly), M (monthly). "
            f"Got {freq!r} instead."
        )
    if returns not in ("net", "exclude"):
        raise ParameterError(
            f"The 'returns' parameter must be 'net' or 'exclude'. Got {returns!r} instead."
        )
    if S.ORDER_DATE not in lines:
        raise ParameterError(
            "Forecasting needs an order date column; this dataset has none. "
            "Map the order date on the Data page."
        )
    if metric == "orders" and S.ORDER_ID not in lines:
        raise ParameterError(
            "Forecasting orders needs an order id column; this dataset has none. "
            "Choose metric 'revenue' or 'units', or map the order id column."
        )
    warn: list[str] = []
    # Keep only the columns needed: filtering string columns of large tables is the slow part.
    need = [S.ORDER_DATE, S.QUANTITY, S.UNIT_PRICE, S.REVENUE, *S.FLAGS]
    if metric == "orders":
        need.append(S.ORDER_ID)
    need += [c for c, v in ((S.PRODUCT_ID, product), (S.CATEGORY, category)) if v is not None]
    if holiday_country == "auto" or country is not None:
        need.append(S.COUNTRY)
    lines = lines[[c for c in dict.fromkeys(need) if c in lines]]
    lines = lines[lines[S.ORDER_DATE].notna()]
    sales = S.sales_lines(lines)
    if len(sales) == 0:
        raise InsufficientDataError(
            f"Forecasting needs sales lines; found none among {len(lines):,} lines. "
            "Check the date range and filters, and that quantities/prices are positive."
        )
    # Shop-level activity calendar (independent of scope).
    shop_days = pd.DatetimeIndex(sales[S.ORDER_DATE].dt.floor("D").unique()).sort_values()
    first_day, last_day = shop_days[0], shop_days[-1]
    all_days = pd.date_range(first_day, last_day, freq="D")
    active = pd.Series(False, index=all_days)
    active.loc[shop_days] = True
    # Closed weekdays: the shop trades on at most 5 % of them (needs 4+ occurrences).
    closed_wd: list[int] = []
    for wd in range(7):
        a = active[all_days.day_of_week == wd]
        if len(a) >= 4 and a.mean() <= 0.05:
            closed_wd.append(wd)
    if len(closed_wd) >= 7:
        closed_wd = []
    is_cwd = pd.Series(all_days.day_of_week.isin(closed_wd), index=all_days)

    code = None
    if holiday_country == "auto":
        # the scope's country when forecasting one country, else the shop's main country
        mc = country if country is not None else main_country(sales)
        code = holiday_code(mc)
        if mc and not code:
            warn.append(
                note(
                    N_(
                        "Holidays: the main country '{country}' is not recognised, so no public "
                        "holidays are marked. Enter important days as events."
                    ),
                    country=str(mc),
                )
            )
    elif holiday_country:
        code = holiday_code(holiday_country)
    horizon_days = {"D": 1, "W": 7, "M": 31}[freq] * max(future_periods, 1) + 31
    hol = holidays_between(code, first_day, last_day + pd.Timedelta(days=horizon_days))

    # Closures: runs of 3+ open (non-closed-weekday) days without orders; holidays without orders.
    open_days = all_days[~is_cwd.to_numpy()]
    inactive_open = ~active.loc[open_days].to_numpy()
    closure_day = pd.Series(False, index=all_days)
    runs: list[tuple[pd.Timestamp, pd.Timestamp]] = []
    i = 0
    while i < len(open_days):
        if inactive_open[i]:
            j = i
            while j + 1 < len(open_days) and inactive_open[j + 1]:
                j += 1
            if j - i + 1 >= 3:
                runs.append((open_days[i], open_days[j]))
                closure_day.loc[open_days[i] : open_days[j]] = True
            i = j + 1
        else:
            i += 1
    past_hol = [d for d in hol if first_day <= d <= last_day and not is_cwd.get(d, False)]
    closed_hols = [d for d in past_hol if not active[d]]
    closed_on_holidays = bool(past_hol) and len(closed_hols) >= max(1, 0.6 * len(past_hol))
    for d in closed_hols:
        closure_day.loc[d] = True
    closure_day &= ~is_cwd

    # Scope filter (on sales and return lines alike).
    scope: list[tuple[str, str]] = []
    sel = lines
    for col, val in ((S.PRODUCT_ID, product), (S.CATEGORY, category), (S.COUNTRY, country)):
        if val is None:
            continue
        if col not in lines:
            raise ParameterError(
                f"Filtering the forecast by {col} needs a {col} column; this dataset has none."
            )
        sel = sel[sel[col] == val]
        scope.append((col, str(val)))
    ssel = S.sales_lines(sel) if scope else sales
    if len(ssel) == 0:
        what = ", ".join(f"{k}={v}" for k, v in scope)
        raise InsufficientDataError(
            f"No sales lines for {what}. Check the spelling, or pick another scope."
        )
    if metric == "orders":
        per = ssel.groupby(_period_start(ssel[S.ORDER_DATE], freq))[S.ORDER_ID].nunique()
    else:
        vals = _metric_values(ssel, metric)
        per = vals.groupby(_period_start(ssel[S.ORDER_DATE], freq)).sum()
        if returns == "net" and S.IS_RETURN in sel:
            ret = sel[sel[S.IS_RETURN].astype(bool)]
            if S.IS_NON_PRODUCT in ret:
                ret = ret[~ret[S.IS_NON_PRODUCT].astype(bool)]
            if len(ret):
                rv = -_metric_values(ret, metric).abs()
                rper = rv.groupby(_period_start(ret[S.ORDER_DATE], freq)).sum()
                per = per.add(rper, fill_value=0.0)
        if metric == "revenue":
            # money to the cent: sums added in another order (the store's SQL day groups vs
            # these lines) differ by ~1e-12 relative, which a fitted ETS model magnifies to
            # ~3e-5 of its forecast; rounded to cents both give the same series to the bit
            per = per.round(2)

    cal = _calendar(
        _period_start(pd.Series([first_day]), freq).iloc[0],
        _period_start(pd.Series([last_day]), freq).iloc[0],
        freq,
    )
    value = per.reindex(cal, fill_value=0.0).astype(float)

    # Per-period flags.
    if freq == "D":
        cwd = is_cwd.reindex(cal).to_numpy()
        closed = closure_day.reindex(cal).to_numpy() | cwd
    else:
        pstart = _period_start(pd.Series(all_days), freq).to_numpy()
        open_in = pd.Series(~(is_cwd | closure_day).to_numpy(), index=pstart).groupby(level=0).sum()
        act_in = pd.Series(active.to_numpy(), index=pstart).groupby(level=0).sum()
        closed = ((act_in == 0) | (open_in == 0)).reindex(cal, fill_value=True).to_numpy()
        cwd = np.zeros(len(cal), dtype=bool)

    def _names(periods: pd.DatetimeIndex, mapping: dict) -> list[str]:
        if not mapping:
            return [""] * len(periods)
        s = pd.Series(list(mapping.values()), index=pd.DatetimeIndex(list(mapping.keys())))
        key = _period_start(pd.Series(s.index), freq).to_numpy()
        g = pd.Series(s.to_numpy(), index=key).groupby(level=0).agg(lambda x: "; ".join(x))
        return [str(g.get(p, "")) for p in periods]

    ev: dict[pd.Timestamp, str] = {}
    for e in events:
        for d in e.days():
            ev[d] = (ev[d] + "; " + e.name) if d in ev else e.name
    frame = pd.DataFrame(
        {
            "period": cal,
            "value": value.to_numpy(),
            "closed": closed,
            "closed_weekday": cwd,
            "holiday": _names(cal, hol),
            "event": _names(cal, ev),
        }
    )
    # A partial last day: the export was taken during the day when its last order is earlier
    # than the last order of each of the 14 trading days before it.
    tod = sales[S.ORDER_DATE] - sales[S.ORDER_DATE].dt.floor("D")
    last_tod = tod.groupby(sales[S.ORDER_DATE].dt.floor("D")).max().sort_index()
    complete_to = last_day
    if len(last_tod) >= 8 and last_tod.iloc[-1] < last_tod.iloc[-15:-1].min():
        complete_to = last_day - pd.Timedelta(days=1)
        hhmm = (
            f"{last_tod.iloc[-1].components.hours:02d}:{last_tod.iloc[-1].components.minutes:02d}"
        )
        if freq == "D" and len(frame) > 1:
            frame = frame.iloc[:-1]
            warn.append(
                note(
                    N_(
                        "The last day ({date}) looks incomplete: its last order is at {time}, "
                        "earlier than on any of the 14 trading days before. It was left out."
                    ),
                    date=str(last_day.date()),
                    time=hhmm,
                )
            )
    # Partial first/last period (W, M): drop when the data does not cover its open days.
    if freq != "D":
        first_p, last_p = frame["period"].iloc[0], frame["period"].iloc[-1]
        if complete_to < _period_end(last_p, freq):
            after = pd.date_range(complete_to + pd.Timedelta(days=1), _period_end(last_p, freq))
            if (~pd.Index(after.day_of_week).isin(closed_wd)).any():
                frame = frame.iloc[:-1]
                msg = {
                    "W": N_(
                        "The last week (from {start}) is incomplete: the data ends on {end}. "
                        "It was left out so it does not look like a drop."
                    ),
                    "M": N_(
                        "The last month (from {start}) is incomplete: the data ends on {end}. "
                        "It was left out so it does not look like a drop."
                    ),
                }[freq]
                warn.append(note(msg, start=str(last_p.date()), end=str(last_day.date())))
        if first_day > first_p:
            before = pd.date_range(first_p, first_day - pd.Timedelta(days=1))
            if (~pd.Index(before.day_of_week).isin(closed_wd)).any() and len(frame) > 1:
                frame = frame.iloc[1:]
                msg = {
                    "W": N_(
                        "The first week (from {start}) is incomplete: the data starts on "
                        "{first}. It was left out."
                    ),
                    "M": N_(
                        "The first month (from {start}) is incomplete: the data starts on "
                        "{first}. It was left out."
                    ),
                }[freq]
                warn.append(note(msg, start=str(first_p.date()), first=str(first_day.date())))
        frame = frame.reset_index(drop=True)
    if len(frame) == 0:
        raise InsufficientDataError(
            f"No complete {FREQ_WORD[freq]} in the data ({first_day.date()} to {last_day.date()}). "
            "Choose a finer grain (daily) or upload a longer history."
        )
    nfut = max(future_periods, 0)
    fut_idx = _next_periods(frame["period"].iloc[-1], nfut, freq)
    fut_cwd = (
        np.asarray(fut_idx.day_of_week.isin(closed_wd)) if freq == "D" else np.zeros(nfut, bool)
    )
    fut_hol = _names(fut_idx, hol)
    fut_closed = fut_cwd.copy()
    if closed_on_holidays and freq == "D":
        fut_closed |= np.array([h != "" for h in fut_hol], dtype=bool)
    future = pd.DataFrame(
        {
            "period": fut_idx,
            "closed": fut_closed,
            "closed_weekday": fut_cwd,
            "holiday": fut_hol,
            "event": _names(fut_idx, ev),
        }
    )
    if closed_wd and freq == "D":
        warn.append(
            note(
                N_("The shop never trades on {days}: those days are forecast as 0."),
                days=Weekdays(int(d) for d in closed_wd),
            )
        )
    return SeriesResult(
        frame=frame,
        future=future,
        metric=metric,
        freq=freq,
        season_length=SEASON[freq],
        closed_weekdays=tuple(closed_wd),
        closures=tuple(runs),
        holiday_country=code,
        closed_on_holidays=closed_on_holidays,
        scope=tuple(scope),
        returns=returns,
        warnings=tuple(warn),
    )


def series_from_values(
    periods: Sequence | pd.DatetimeIndex,
    values: Sequence[float] | np.ndarray,
    *,
    freq: str,
    metric: str = "revenue",
    closed_weekdays: Sequence[int] = (),
    future_periods: int = 0,
) -> SeriesResult:
    """A :class:`SeriesResult` from an already regular series (e.g. a published monthly table).

    ``periods`` must be consecutive period starts of ``freq``; no holidays or closures are
    detected (``closed_weekdays`` marks weekdays forecast as 0 for daily series).

    >>> s = series_from_values(pd.date_range("2024-01-01", periods=3, freq="MS"), [1, 2, 3], freq="M")
    >>> s.frame["value"].tolist(), s.season_length
    ([1.0, 2.0, 3.0], 12)
    """
    if freq not in FREQS:
        raise ParameterError(f"The 'freq' parameter must be one of D, W, M. Got {freq!r} instead.")
    idx = pd.DatetimeIndex(periods)
    vals = np.asarray(values, dtype=float)
    if len(idx) != len(vals) or len(idx) == 0:
        raise ParameterError(
            f"periods and values must have the same non-zero length; got {len(idx)} and {len(vals)}."
        )
    expected = _calendar(idx[0], idx[-1], freq)
    if len(expected) != len(idx) or not (expected == idx).all():
        raise ParameterError(
            f"The periods are not a regular {FREQ_WORD[freq]}ly calendar (gaps or wrong "
            "anchors). Fill missing periods with 0 before forecasting."
        )
    cwd = (
        np.asarray(idx.day_of_week.isin(list(closed_weekdays)))
        if freq == "D"
        else np.zeros(len(idx), bool)
    )
    frame = pd.DataFrame(
        {
            "period": idx,
            "value": vals,
            "closed": cwd,
            "closed_weekday": cwd,
            "holiday": "",
            "event": "",
        }
    )
    fut_idx = _next_periods(idx[-1], max(future_periods, 0), freq)
    fcwd = (
        np.asarray(fut_idx.day_of_week.isin(list(closed_weekdays)))
        if freq == "D"
        else np.zeros(len(fut_idx), bool)
    )
    future = pd.DataFrame(
        {"period": fut_idx, "closed": fcwd, "closed_weekday": fcwd, "holiday": "", "event": ""}
    )
    return SeriesResult(
        frame=frame,
        future=future,
        metric=metric,
        freq=freq,
        season_length=SEASON[freq],
        closed_weekdays=tuple(closed_weekdays) if freq == "D" else (),
        closures=(),
        holiday_country=None,
        closed_on_holidays=False,
        scope=(),
        returns="net",
    )


@dataclass(frozen=True)
class SeasonalityResult:
    """Seasonal patterns measured on a daily series.

    * ``weekday_profile``: Monday..Sunday multipliers (mean 1): value / centred 7-day mean,
      median per weekday, renormalised.
    * ``yearly_amplitude`` ``A`` and ``yearly_peak_doy`` from a robust fit of weekly totals to
      ``exp(a + b·t) · (1 + A·cos(2π(doy − peak)/365.25))`` (None with less than a year).
    """

    weekday_profile: pd.Series
    yearly_amplitude: float | None
    yearly_peak_doy: float | None
    warnings: tuple[str, ...] = ()


def seasonality(series: SeriesResult) -> SeasonalityResult:
    """Weekly and yearly seasonality of a daily series (see :class:`SeasonalityResult`)."""
    from scipy.optimize import least_squares

    if series.freq != "D":
        raise ParameterError(
            f"Seasonality is measured on a daily series; got freq={series.freq!r}. "
            "Build the series with freq='D'."
        )
    fr = series.frame
    y = pd.Series(fr["value"].to_numpy(float), index=pd.DatetimeIndex(fr["period"]))
    ma = y.rolling(7, center=True).mean()
    ok = (ma > 0) & ~fr["closure" if "closure" in fr else "closed"].to_numpy(bool)
    ok = ok | fr["closed_weekday"].to_numpy(bool) & (ma > 0)
    ratio = (y / ma)[ok]
    prof = ratio.groupby(ratio.index.day_of_week).median().reindex(range(7), fill_value=0.0)
    prof = prof / prof.mean() if prof.mean() > 0 else prof
    prof.index = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    warn: list[str] = []
    amp = peak = None
    wk = y.resample("W-SUN").sum()
    if len(y) >= 7:
        first_full = y.index[0].day_of_week == 0
        last_full = y.index[-1].day_of_week == 6
        wk = wk.iloc[(0 if first_full else 1) : (len(wk) if last_full else len(wk) - 1)]
    if len(wk) >= 52 and (wk > 0).all():
        t = np.arange(len(wk)) / 52.18
        doy = (wk.index - pd.Timedelta(days=3)).day_of_year.to_numpy(float)

        def resid(p: np.ndarray) -> np.ndarray:
            a, b, c, d = p
            model = (
                a
                + b * t
                + np.log(
                    np.maximum(
                        1
                        + c * np.cos(2 * np.pi * doy / 365.25)
                        + d * np.sin(2 * np.pi * doy / 365.25),
                        1e-6,
                    )
                )
            )
            return np.log(wk.to_numpy()) - model

        fit = least_squares(
            resid, x0=[np.log(wk.mean()), 0.0, 0.0, 0.0], loss="soft_l1", f_scale=0.1
        )
        c, d = fit.x[2], fit.x[3]
        amp = float(np.hypot(c, d))
        peak = float((np.degrees(np.arctan2(d, c)) % 360) / 360 * 365.25)
    else:
        warn.append("Less than a year of complete weeks: yearly seasonality is not measured.")
    return SeasonalityResult(prof, amp, peak, tuple(warn))


# --------------------------------------------------------------------------------------
# Vectorised models. Y: [S, T] values in the trading calendar; obs: [S, T] bool observed.
# Each model returns arrays [S, O, h] for every origin in ``origins`` (index of the first
# forecast period): mean, lo80, hi80, lo95, hi95.
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Paths:
    mean: np.ndarray
    lo80: np.ndarray
    hi80: np.ndarray
    lo95: np.ndarray
    hi95: np.ndarray
    seconds: float = 0.0


def _bands(mean: np.ndarray, sd: np.ndarray, seconds: float = 0.0) -> _Paths:
    return _Paths(mean, mean - Z80 * sd, mean + Z80 * sd, mean - Z95 * sd, mean + Z95 * sd, seconds)


def _impute(Y: np.ndarray, obs: np.ndarray, m: int) -> np.ndarray:
    """Fill unobserved values from the mean of up to 3 earlier same-season observed values
    (or the nearest observed value); uses only the past where it can."""
    X = Y.astype(float).copy()
    if obs.all():
        return X
    miss_cols = np.flatnonzero(~obs.all(axis=0))
    for t in miss_cols:
        rows = ~obs[:, t]
        acc = np.zeros(rows.sum())
        cnt = np.zeros(rows.sum())
        for k in (1, 2, 3):
            j = t - k * m
            if j < 0:
                break
            acc += np.where(obs[rows, j] | (j < t), X[rows, j], 0.0)
            cnt += 1
        fill = np.where(cnt > 0, acc / np.maximum(cnt, 1), np.nan)
        if np.isnan(fill).any():  # no history: nearest observed value after/before
            for r_i, r in enumerate(np.flatnonzero(rows)):
                if np.isnan(fill[r_i]):
                    ok = np.flatnonzero(obs[r])
                    fill[r_i] = X[r, ok[np.argmin(np.abs(ok - t))]] if len(ok) else 0.0
        X[rows, t] = fill
    return X


def _seasonal_naive_path(X: np.ndarray, origin: int, m: int, h: int) -> np.ndarray:
    """Repeat the last cycle before ``origin``: X[:, origin - m + (i mod m)]."""
    idx = origin - m + (np.arange(h) % m)
    return X[:, idx]


def _seasonal_naive(X: np.ndarray, obs: np.ndarray, origins: list[int], h: int, m: int) -> _Paths:
    t0 = time.perf_counter()
    n_s = X.shape[0]
    out = np.empty((n_s, len(origins), h))
    sd = np.empty_like(out)
    d = np.abs(X[:, m:] - X[:, :-m]) if X.shape[1] > m else np.zeros((n_s, 1))
    d2 = (X[:, m:] - X[:, :-m]) ** 2 if X.shape[1] > m else np.zeros((n_s, 1))
    csum = np.concatenate([np.zeros((n_s, 1)), np.cumsum(d2, axis=1)], axis=1)
    del d
    steps = np.floor(np.arange(h) / m) + 1
    for k, o in enumerate(origins):
        out[:, k] = _seasonal_naive_path(X, o, m, h)
        n = max(o - m, 1)
        sigma = np.sqrt(csum[:, min(o - m, csum.shape[1] - 1)] / n)
        sd[:, k] = sigma[:, None] * np.sqrt(steps)[None, :]
    return _bands(out, sd, time.perf_counter() - t0)


def _seasonal_mean(
    X: np.ndarray, obs: np.ndarray, origins: list[int], h: int, m: int, k_cycles: int = 3
) -> _Paths:
    t0 = time.perf_counter()
    n_s, n_t = X.shape
    out = np.empty((n_s, len(origins), h))
    sd = np.empty_like(out)
    for k, o in enumerate(origins):
        kc = max(1, min(k_cycles, o // m))
        base = np.stack([_seasonal_naive_path(X, o - (j * m), m, h) for j in range(kc)])
        out[:, k] = base.mean(axis=0)
        # in-sample errors of the same rule over the last cycles before o
        lo = max(kc * m, o - 8 * m)
        errs = []
        for t in range(lo, o):
            pred = np.mean([X[:, t - j * m] for j in range(1, kc + 1)], axis=0)
            errs.append(X[:, t] - pred)
        sigma = np.sqrt(np.mean(np.square(errs), axis=0)) if errs else np.zeros(n_s)
        sd[:, k] = sigma[:, None] * np.ones(h)[None, :]
    return _bands(out, sd, time.perf_counter() - t0)


def _ets_grid(m: int) -> tuple[np.ndarray, ...]:
    alphas = [0.05, 0.1, 0.2, 0.3, 0.5, 0.8]
    betas = [0.0, 0.02, 0.1]
    gammas = [0.0, 0.05, 0.1, 0.2, 0.4] if m > 1 else [0.0]
    phis = [0.8, 0.9, 0.98]
    rows = []
    for a in alphas:
        for b in betas:
            if b > a:
                continue
            for g in gammas:
                if g > 1 - a:
                    continue
                for p in phis if b > 0 else [1.0]:
                    rows.append((a, b, g, p))
    arr = np.array(rows)
    return arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3]


def _ets(
    X: np.ndarray, obs: np.ndarray, origins: list[int], h: int, m: int, *, log: np.ndarray
) -> _Paths:
    """ETS(A,Ad,A) by error-correction recursions over a parameter grid, vectorised over
    series × grid. At each origin the grid point with the lowest one-step MSE so far is used,
    so a single pass over the data serves every origin without looking ahead. Series with
    ``log`` True are modelled on the log scale (multiplicative)."""
    t0 = time.perf_counter()
    n_s, n_t = X.shape
    Z = np.where(log[:, None], np.log(np.maximum(X, 1e-9)), X)
    al, be, ga, ph = _ets_grid(m)
    G = len(al)
    if m > 1:
        lvl = Z[:, :m].mean(axis=1)
        seas0 = Z[:, :m] - lvl[:, None]
        if n_t >= 2 * m:
            trend = (Z[:, m : 2 * m].mean(axis=1) - lvl) / m
        else:
            trend = np.zeros(n_s)
        start = m
    else:
        lvl = Z[:, 0].copy()
        seas0 = np.zeros((n_s, 1))
        trend = np.zeros(n_s)
        start = 1
    L = np.repeat(lvl[:, None], G, axis=1)
    B = np.repeat(trend[:, None], G, axis=1) * (be > 0)[None, :]
    SE = np.repeat(seas0[:, None, :], G, axis=1)  # [S, G, m], position t % m
    sse = np.zeros((n_s, G))
    cnt = np.zeros((n_s, 1))
    want = {o: k for k, o in enumerate(origins)}
    mean = np.zeros((n_s, len(origins), h))
    sd = np.zeros_like(mean)
    phi_pows = ph[None, :] ** np.arange(1, h + 1)[:, None]  # [h, G]
    phi_cum = np.cumsum(phi_pows, axis=0)  # [h, G]
    rows = np.arange(n_s)

    def record(t: int, k: int) -> None:
        best = np.argmin(np.where(cnt > 0, sse / np.maximum(cnt, 1), 0.0), axis=1)
        lb, bb = L[rows, best], B[rows, best]
        seas = SE[rows, best]  # [S, m]
        pos = (t + np.arange(h)) % m
        mu = lb[:, None] + phi_cum[:, best].T * bb[:, None] + seas[:, pos]
        sig2 = sse[rows, best] / np.maximum(cnt[:, 0], 1)
        a, b, g = al[best], be[best], ga[best]
        j = np.arange(1, h)
        c = (
            a[:, None]
            + b[:, None] * phi_cum[j - 1][:, best].T
            + g[:, None] * ((j % m) == 0)[None, :]
        )
        v = np.concatenate([np.zeros((n_s, 1)), np.cumsum(c**2, axis=1)], axis=1) + 1.0
        mean[:, k] = mu
        sd[:, k] = np.sqrt(sig2[:, None] * v)

    for t in range(start, n_t + 1):
        if t in want:
            record(t, want[t])
        if t == n_t:
            break
        pos = t % m
        s_old = SE[:, :, pos]
        yhat = L + ph[None, :] * B + s_old
        y = Z[:, t : t + 1]
        o = obs[:, t : t + 1]
        e = np.where(o, y - yhat, 0.0)
        sse += e * e
        cnt += o
        L = L + ph[None, :] * B + al[None, :] * e
        B = ph[None, :] * B + be[None, :] * e
        SE[:, :, pos] = s_old + ga[None, :] * e
    lg = log[:, None, None]
    if lg.any():
        lo80, hi80 = mean - Z80 * sd, mean + Z80 * sd
        lo95, hi95 = mean - Z95 * sd, mean + Z95 * sd
        with np.errstate(over="ignore"):
            res = [
                np.where(lg, np.exp(np.minimum(a, 700)), a) for a in (mean, lo80, hi80, lo95, hi95)
            ]
        return _Paths(*res, seconds=time.perf_counter() - t0)
    return _bands(mean, sd, time.perf_counter() - t0)


def _croston(
    X: np.ndarray, obs: np.ndarray, origins: list[int], h: int, m: int, alpha: float = 0.1
) -> _Paths:
    """Croston with the Syntetos-Boylan correction (SBA), vectorised over series."""
    t0 = time.perf_counter()
    n_s, n_t = X.shape
    Y = np.maximum(X, 0.0)
    z = np.full(n_s, np.nan)
    p = np.full(n_s, np.nan)
    q = np.ones(n_s)
    sse = np.zeros(n_s)
    cnt = np.zeros(n_s)
    want = {o: k for k, o in enumerate(origins)}
    mean = np.zeros((n_s, len(origins), h))
    sd = np.zeros_like(mean)
    steps = np.sqrt(1.0 + alpha**2 * np.arange(h))
    for t in range(n_t + 1):
        f = np.where(
            np.isnan(z), 0.0, (1 - alpha / 2) * np.nan_to_num(z) / np.where(np.isnan(p), 1, p)
        )
        if t in want:
            k = want[t]
            sig = np.sqrt(sse / np.maximum(cnt, 1))
            mean[:, k] = f[:, None]
            sd[:, k] = sig[:, None] * steps[None, :]
        if t == n_t:
            break
        y = Y[:, t]
        ob = obs[:, t]
        started = ~np.isnan(z)
        e = np.where(ob & started, y - f, 0.0)
        sse += e * e
        cnt += ob & started
        pos = ob & (y > 0)
        first = pos & ~started
        z = np.where(first, y, np.where(pos, z + alpha * (y - z), z))
        p = np.where(first, q, np.where(pos, p + alpha * (q - p), p))
        q = np.where(pos, 1.0, q + ob)
    return _bands(mean, sd, time.perf_counter() - t0)


def _sarimax(
    x: np.ndarray,
    obs: np.ndarray,
    origins: list[int],
    h: int,
    m: int,
    *,
    exog: np.ndarray | None,
    log: bool,
) -> _Paths:
    """SARIMAX(0,1,1)(0,1,1,m) — the airline model — (or ARIMA(1,1,1) without seasonality) for one series,
    parameters estimated once on the data before the first origin (and again for the final
    forecast), re-filtered at each later origin. Unobserved values are missing (NaN)."""
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    t0 = time.perf_counter()
    z = np.log(np.maximum(x, 1e-9)) if log else x.astype(float)
    z = np.where(obs, z, np.nan)
    order, sorder = ((0, 1, 1), (0, 1, 1, m)) if m > 1 else ((1, 1, 1), (0, 0, 0, 0))
    mean = np.zeros((1, len(origins), h))
    sd = np.zeros_like(mean)
    fitted = None
    # One BLAS thread: the state-space filter does many tiny matrix products, which extra
    # threads only slow down (2-3x here on a busy 2-core machine).
    with warnings.catch_warnings(), threadpool_limits(1, user_api="blas"):
        warnings.simplefilter("ignore")
        for k, o in enumerate(origins):
            ex_tr = exog[:o] if exog is not None else None
            ex_f = exog[o : o + h] if exog is not None else None
            mod = SARIMAX(
                z[:o],
                exog=ex_tr,
                order=order,
                seasonal_order=sorder,
                concentrate_scale=True,
                initialization="approximate_diffuse",  # exact diffuse init is 10-20x slower
            )
            if fitted is None or k == len(origins) - 1:
                start = fitted.params if fitted is not None else None
                res = mod.fit(disp=False, maxiter=50, start_params=start)
                if fitted is None:
                    fitted = res
            else:
                res = mod.filter(fitted.params)
            fc = res.get_forecast(h, exog=ex_f)
            mean[0, k] = fc.predicted_mean
            sd[0, k] = np.sqrt(np.maximum(fc.var_pred_mean, 0.0))
    p = _bands(mean, sd)
    if log:
        p = _Paths(*(np.exp(np.minimum(a, 700)) for a in (p.mean, p.lo80, p.hi80, p.lo95, p.hi95)))
    return _Paths(p.mean, p.lo80, p.hi80, p.lo95, p.hi95, time.perf_counter() - t0)


def intermittency(Y: np.ndarray) -> pd.DataFrame:
    """Syntetos-Boylan classes per row of ``Y`` (demand per period).

    ADI = periods / non-zero periods; CV² of the non-zero sizes. smooth (ADI ≤ 1.32,
    CV² < 0.49), erratic (ADI ≤ 1.32, CV² ≥ 0.49), intermittent (ADI > 1.32, CV² < 0.49),
    lumpy (ADI > 1.32, CV² ≥ 0.49); "no demand" when every period is zero.

    >>> intermittency(np.array([[0, 0, 3, 0, 0, 3.0]]))["class"].tolist()
    ['intermittent']
    """
    Y = np.asarray(Y, dtype=float)
    nz = Y > 0
    n_nz = nz.sum(axis=1)
    adi = np.where(n_nz > 0, Y.shape[1] / np.maximum(n_nz, 1), np.inf)
    sizes = np.where(nz, Y, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mu = np.nanmean(sizes, axis=1)
        sdv = np.nanstd(sizes, axis=1)
    cv2 = np.where(n_nz > 0, (sdv / np.where(mu > 0, mu, 1)) ** 2, np.nan)
    cls = np.where(
        n_nz == 0,
        "no demand",
        np.where(
            adi > 1.32,
            np.where(cv2 >= 0.49, "lumpy", "intermittent"),
            np.where(cv2 >= 0.49, "erratic", "smooth"),
        ),
    )
    return pd.DataFrame({"adi": adi, "cv2": cv2, "class": cls})


# --------------------------------------------------------------------------------------
# Backtest engine (shared by forecast and forecast_many)
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Engine:
    """Everything computed for a batch of series on the trading calendar."""

    names: tuple[str, ...]
    paths: dict  # name -> _Paths in calendar space [S, O, H]
    allowed: np.ndarray  # [S, M] bool: candidate allowed per series
    origins: tuple[int, ...]  # calendar origins (warm-up + folds + final)
    n_warm: int
    n_folds: int
    m_cal: int
    m_eff: int
    seasonal: bool
    actual: np.ndarray  # [S, O-1, H] (calendar, NaN beyond data)
    closed_wd_h: np.ndarray  # [O, H] bool: structurally closed in calendar
    scale: np.ndarray  # [S, O-1] in-sample seasonal-naive MAE before each origin
    warnings: tuple[str, ...]


def _run_engine(
    Yc: np.ndarray,
    closed_wd: np.ndarray,
    closed: np.ndarray,
    *,
    m_cal: int,
    m_model: int,
    horizon: int,
    folds: int,
    future_closed: np.ndarray,
    future_cwd: np.ndarray,
    models: Sequence[str],
    intermittent: np.ndarray,
    exog: np.ndarray | None = None,
    log_ok: bool = True,
) -> _Engine:
    """Run every model at every origin. ``Yc`` [S, T] in calendar space; ``closed_wd`` [T]
    structurally closed periods (removed); ``closed`` [T] closures (missing)."""
    n_s, n_t = Yc.shape
    warn: list[str] = []
    H = horizon
    keep = ~closed_wd
    Ym = Yc[:, keep]
    obs_m = np.repeat((~closed[keep])[None, :], n_s, axis=0)
    n_m = Ym.shape[1]
    # Calendar origins: last folds×H periods, plus warm-up origins before them.
    first_fold = n_t - folds * H
    # how many trading periods before a calendar origin
    before = np.concatenate([[0], np.cumsum(keep)])
    if first_fold < 1 or before[first_fold] < 4:
        raise InsufficientDataError(
            f"A backtest of {folds} folds × {H} periods needs more history: the series has "
            f"{n_t} periods. Use fewer folds, a shorter horizon, or a coarser grain."
        )
    seasonal = m_model > 1 and before[first_fold] >= 2 * m_model
    m_eff = m_model if seasonal else 1
    if m_model > 1 and not seasonal:
        warn.append(
            note(
                N_(
                    "Too little history for seasonal models: {n} periods before the backtest, "
                    "fewer than two seasonal cycles ({cycles}). Simpler non-seasonal models "
                    "were used instead (the baseline repeats the last value)."
                ),
                n=int(before[first_fold]),
                cycles=2 * m_model,
            )
        )
    n_warm = 0
    for w in range(WARMUP, 0, -1):
        o = first_fold - w * H
        if o > 0 and before[o] >= max(2 * m_eff + 1, 3):
            n_warm = w
            break
    cal_origins = [first_fold - (n_warm - k) * H for k in range(n_warm)]
    cal_origins += [first_fold + k * H for k in range(folds)] + [n_t]
    mod_origins = [int(before[o]) for o in cal_origins]
    # Horizon in model space: enough steps to cover H calendar periods (+ future).
    Hm = H
    Xi = _impute(Ym, obs_m, m_eff)
    # Extended calendar mask including future for expansion.
    keep_ext = np.concatenate([keep, ~future_cwd])
    closed_ext = np.concatenate([closed_wd | closed, future_closed])
    cwd_ext = np.concatenate([closed_wd, future_cwd])

    def expand(p: _Paths) -> _Paths:
        """Map model-space paths [S, O, Hm] to calendar [S, O, H] (0 on closed periods)."""
        outs = []
        for arr in (p.mean, p.lo80, p.hi80, p.lo95, p.hi95):
            out = np.zeros((n_s, len(cal_origins), H))
            for k, o in enumerate(cal_origins):
                span = np.arange(o, o + H)
                kk = keep_ext[span]
                steps = np.cumsum(kk) - 1
                vals = np.where(kk[None, :], arr[:, k, np.clip(steps, 0, Hm - 1)], 0.0)
                vals = np.where(closed_ext[span][None, :], 0.0, vals)
                out[:, k] = vals
            outs.append(np.maximum(out, 0.0))
        mean, lo80, hi80, lo95, hi95 = outs
        # nesting guards (numerical): lo95 ≤ lo80 ≤ mean ≤ hi80 ≤ hi95
        lo80 = np.minimum(lo80, mean)
        hi80 = np.maximum(hi80, mean)
        lo95 = np.minimum(lo95, lo80)
        hi95 = np.maximum(hi95, hi80)
        return _Paths(mean, lo80, hi80, lo95, hi95, p.seconds)

    log = np.zeros(n_s, dtype=bool)
    if log_ok:
        log = np.array([(Ym[s][obs_m[s]] > 0).all() for s in range(n_s)])
    raw: dict[str, _Paths] = {}
    raw["seasonal_naive"] = _seasonal_naive(Xi, obs_m, mod_origins, Hm, m_eff)
    if "seasonal_mean" in models:
        raw["seasonal_mean"] = _seasonal_mean(Xi, obs_m, mod_origins, Hm, m_eff)
    if "ets" in models:
        raw["ets"] = _ets(Xi, obs_m, mod_origins, Hm, m_eff, log=log)
    if "croston" in models and intermittent.any():
        raw["croston"] = _croston(Xi, obs_m, mod_origins, Hm, m_eff)
    if "sarimax" in models and n_s == 1:
        ex = exog[:, keep_ext] if exog is not None else None
        if ex is not None:
            # drop regressors never seen on an observed past period (their effect is unknowable)
            ex = ex[np.abs(ex[:, :n_m] * obs_m[0][None, :]).sum(axis=1) > 0]
            pad = n_m + Hm - ex.shape[1]
            if pad > 0:
                ex = np.concatenate([ex, np.zeros((ex.shape[0], pad))], axis=1)
            ex = ex.T if len(ex) else None
        try:
            raw["sarimax"] = _sarimax(
                Xi[0], obs_m[0], mod_origins, Hm, m_eff, exog=ex, log=bool(log[0])
            )
        except (ValueError, np.linalg.LinAlgError) as err:  # pragma: no cover - numerical
            warn.append(f"SARIMAX could not be fitted ({err}); it was left out.")
    names = list(raw)
    paths = {k: expand(v) for k, v in raw.items()}
    allowed = np.ones((n_s, len(names)), dtype=bool)
    for j, nm in enumerate(names):
        if nm == "croston":
            allowed[:, j] = intermittent
        if nm == "ets":
            allowed[:, j] = ~intermittent
    members = [j for j, nm in enumerate(names) if nm != "seasonal_naive"]
    if "combo" in models and len(members) >= 2:
        # per-series mean over the allowed non-baseline members
        w = allowed[:, members].astype(float)
        w = w / np.maximum(w.sum(axis=1, keepdims=True), 1)
        comb = []
        for f in ("mean", "lo80", "hi80", "lo95", "hi95"):
            stack = np.stack([getattr(paths[names[j]], f) for j in members], axis=-1)
            comb.append((stack * w[:, None, None, :]).sum(axis=-1))
        paths["combo"] = _Paths(*comb, seconds=sum(paths[names[j]].seconds for j in members))
        names.append("combo")
        allowed = np.concatenate([allowed, (allowed[:, members].sum(axis=1) >= 2)[:, None]], axis=1)
    # Actuals and scales per backtest origin (not the final one).
    n_o = len(cal_origins) - 1
    actual = np.full((n_s, n_o, H), np.nan)
    scale = np.zeros((n_s, n_o))
    for k, o in enumerate(cal_origins[:-1]):
        actual[:, k] = Yc[:, o : o + H]
        lag = m_cal if (seasonal and o > m_cal) else 1
        scale[:, k] = np.mean(np.abs(Yc[:, lag:o] - Yc[:, : o - lag]), axis=1)
    cwd_h = np.array([cwd_ext[o : o + H] for o in cal_origins])
    return _Engine(
        names=tuple(names),
        paths=paths,
        allowed=allowed,
        origins=tuple(cal_origins),
        n_warm=n_warm,
        n_folds=folds,
        m_cal=m_cal,
        m_eff=m_eff,
        seasonal=seasonal,
        actual=actual,
        closed_wd_h=cwd_h,
        scale=scale,
        warnings=tuple(warn),
    )


def _fold_mae(eng: _Engine) -> np.ndarray:
    """[S, M, O-1] MAE of each model at each backtest origin."""
    return np.stack(
        [np.abs(eng.paths[n].mean[:, :-1] - eng.actual).mean(axis=2) for n in eng.names], axis=1
    )


def _auto_choice(eng: _Engine, fold_mae: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nested choice: for scored fold k, the allowed model with the lowest mean MAE over all
    earlier origins (warm-up + earlier folds). Returns (choice per fold [S, F], final [S])."""
    n_s, n_m, _ = fold_mae.shape
    pref = np.array([_PREF.get(n, 9) for n in eng.names], dtype=float)
    big = np.where(eng.allowed, 0.0, np.inf)
    choices = np.zeros((n_s, eng.n_folds), dtype=int)
    for f in range(eng.n_folds):
        k = eng.n_warm + f
        if k == 0:
            score = big + pref[None, :]
        else:
            score = fold_mae[:, :, :k].mean(axis=2) + big + 1e-12 * pref[None, :]
        choices[:, f] = np.argmin(score, axis=1)
    final = np.argmin(fold_mae.mean(axis=2) + big + 1e-12 * pref[None, :], axis=1)
    return choices, final


_PREF = {"combo": 0, "ets": 1, "sarimax": 2, "croston": 3, "seasonal_mean": 4, "seasonal_naive": 5}


def _scores(
    eng: _Engine, s: int, mean: np.ndarray, paths: _Paths | None, sel: slice
) -> dict[str, float]:
    """Metrics for series ``s`` over scored folds ``sel`` (mean [F, H] given explicitly)."""
    act = eng.actual[s, sel]
    err = mean - act
    fold_mae = np.abs(err).mean(axis=1)
    mase = float(np.mean(fold_mae / np.where(eng.scale[s, sel] > 0, eng.scale[s, sel], np.nan)))
    nz = act != 0
    mape = float(np.mean(np.abs(err[nz]) / np.abs(act[nz])) * 100) if nz.any() else float("nan")
    out = {
        "mae": float(fold_mae.mean()),
        "mase": mase,
        "mape": mape,
        "bias": float(err.mean()),
    }
    if paths is not None:
        lo80, hi80, lo95, hi95 = paths
        live = ~eng.closed_wd_h[: len(eng.origins) - 1][sel]
        c80 = (act >= lo80) & (act <= hi80)
        c95 = (act >= lo95) & (act <= hi95)
        out["coverage80"] = float(c80[live].mean()) if live.any() else float("nan")
        out["coverage95"] = float(c95[live].mean()) if live.any() else float("nan")
    return out


# --------------------------------------------------------------------------------------
# Single series
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ForecastResult:
    """Forecast of one series with every candidate's backtest.

    * ``backtest``: one row per candidate plus ``auto``: ``model, label, mae, mase, mape,
      bias, coverage80, coverage95, seconds, vs_baseline`` (MAE ratio to seasonal naive).
    * ``folds``: long table of the scored backtest forecasts: ``fold, model, period, actual,
      mean, lo80, hi80, lo95, hi95`` (``auto`` included, with ``chosen`` naming the model
      used at that fold).
    * ``forecast``: ``period, mean, lo80, hi80, lo95, hi95, closed, holiday, event``.
    * ``candidates``: every candidate's final forecast (``model, period, mean, lo80, ...``).
    * ``model``: the model used for ``forecast`` (lowest MAE over all backtest origins).
    """

    series: SeriesResult
    model: str
    backtest: pd.DataFrame
    folds: pd.DataFrame
    forecast: pd.DataFrame
    candidates: pd.DataFrame
    auto_choices: tuple[str, ...]
    horizon: int
    n_folds: int
    seasonal: bool
    verdict: str
    seconds: float
    params: dict = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


def _fit_folds(n_periods: int, horizon: int, folds: int) -> tuple[int, str | None]:
    """Fewer folds when the requested backtest would leave under a third of the history (and
    at least 4 periods) to learn from. Returns (folds, warning or None).

    >>> _fit_folds(52, 8, 8)
    (4, 'Only 4 backtest folds of 8 periods fit in 52 periods of history (8 were asked for).')
    """
    min_train = max(4, -(-n_periods // 3))
    fit = (n_periods - min_train) // horizon
    if fit >= folds:
        return folds, None
    if fit < 1:
        raise InsufficientDataError(
            note(
                N_(
                    "A backtest needs more history: {n} periods, but one fold of {horizon} "
                    "periods plus at least {min_train} to learn from needs {needed}. Choose a "
                    "shorter horizon or a finer grain (e.g. daily), or upload a longer history."
                ),
                n=n_periods,
                horizon=horizon,
                min_train=min_train,
                needed=horizon + min_train,
            )
        )
    return fit, note(
        N_(
            "Only {fit} backtest folds of {horizon} periods fit in {n} periods of history "
            "({folds} were asked for)."
        ),
        fit=fit,
        horizon=horizon,
        n=n_periods,
        folds=folds,
    )


def default_horizon(freq: str) -> int:
    """Default horizon: two weekly cycles for daily data (14 days), 8 weeks (two months) for
    weekly data, and one yearly cycle (12 months) for monthly data.

    >>> default_horizon("D"), default_horizon("W"), default_horizon("M")
    (14, 8, 12)
    """
    return {"D": 14, "W": 8, "M": 12}[freq]


def _check_int(name: str, value: int, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not lo <= value <= hi:
        raise ParameterError(
            f"The '{name}' parameter must be an int in the range [{lo}, {hi}]. Got {value!r} instead."
        )
    return int(value)


def verdict(model: str, mae: float, base_mae: float, *, seasonal: bool = True) -> str:
    """Plain words: how much better (or worse) than the baseline (repeating the last cycle,
    or the last value when there was too little history for seasonality).

    >>> verdict("ets", 77.0, 100.0)
    'Exponential smoothing (ETS) is 23 % better than repeating the last cycle (seasonal naive) in the backtest.'
    >>> verdict("ets", 110.0, 100.0, seasonal=False)
    'Exponential smoothing (ETS) is 10 % worse than repeating the last value (naive) in the backtest.'
    """
    # the model's name is the catalogue's (ecomdash.labels, translated where shown)
    name = (
        note(L.MODEL_SHORT[model])
        if model in L.MODEL_SHORT
        else model.replace("_", " ").capitalize()
    )
    if base_mae <= 0 or not np.isfinite(base_mae) or not np.isfinite(mae):
        return note(
            N_("{name}: no baseline error to compare with (the backtest actuals are flat)."),
            name=name,
        )
    r = mae / base_mae
    pct = round(abs(1 - r) * 100)
    if model == "seasonal_naive":
        return note(
            N_(
                "No model beat repeating the last cycle (seasonal naive); that is the forecast shown."
            )
            if seasonal
            else N_("No model beat repeating the last value (naive); that is the forecast shown.")
        )
    if pct == 0:
        return note(
            N_("{name} is about as good as repeating the last cycle (seasonal naive).")
            if seasonal
            else N_("{name} is about as good as repeating the last value (naive)."),
            name=name,
        )
    msg = {
        (True, True): N_(
            "{name} is {pct} % better than repeating the last cycle (seasonal naive) in the "
            "backtest."
        ),
        (True, False): N_(
            "{name} is {pct} % worse than repeating the last cycle (seasonal naive) in the "
            "backtest."
        ),
        (False, True): N_(
            "{name} is {pct} % better than repeating the last value (naive) in the backtest."
        ),
        (False, False): N_(
            "{name} is {pct} % worse than repeating the last value (naive) in the backtest."
        ),
    }[(bool(seasonal), bool(r < 1))]
    return note(msg, name=name, pct=pct)


ALL_MODELS = ("seasonal_naive", "seasonal_mean", "ets", "croston", "sarimax", "combo")


def forecast(
    series: SeriesResult,
    *,
    horizon: int | None = None,
    folds: int = 8,
    models: Sequence[str] | None = None,
    calendar: Sequence[str] = (),
) -> ForecastResult:
    """Backtest every candidate on ``series`` and forecast ``horizon`` periods ahead.

    ``calendar``: Chinese calendar features (``ecomdash.calendar_cn.FEATURES``) added as
    regressors to twins of the plain models (``ets_cal`` ...; ``ecomdash.forecast_calendar``),
    which the backtest and ``auto`` choose with or without.

    The backtest uses ``folds`` rolling origins over the last ``folds × horizon`` periods.
    ``auto`` is the nested choice (each fold uses the model best on the earlier origins);
    the final model is the best over all backtest origins. ``models=None`` runs every model.
    """
    if models is None:
        models = ALL_MODELS
    t0 = time.perf_counter()
    freq = series.freq
    horizon = default_horizon(freq) if horizon is None else horizon
    horizon = _check_int("horizon", horizon, 1, 400)
    folds = _check_int("folds", folds, 1, 52)
    unknown = set(models) - set(ALL_MODELS)
    if unknown:
        raise ParameterError(
            f"Unknown model(s) {sorted(unknown)}. Choose from {', '.join(ALL_MODELS)}."
        )
    fr = series.frame
    y = fr["value"].to_numpy(dtype=float)
    cwd = fr["closed_weekday"].to_numpy(dtype=bool)
    closed = fr["closed"].to_numpy(dtype=bool) & ~cwd
    fut = series.future
    if len(fut) < horizon:
        raise ParameterError(
            f"The series describes {len(fut)} future periods but the horizon is {horizon}. "
            "Build the series with future_periods >= horizon."
        )
    fut = fut.iloc[:horizon]
    folds, fold_note = _fit_folds(len(fr), horizon, folds)
    m_cal = series.season_length
    m_model = (7 - len(series.closed_weekdays)) if freq == "D" else m_cal
    intermittent = intermittency(y[None, ~(cwd | closed)])["class"].isin(["intermittent", "lumpy"])
    intermittent = intermittent.to_numpy()
    # Regressors: holiday and merchant-event dummies (calendar, history + future).
    ex_rows = []
    for col in ("holiday", "event"):
        ex_rows.append(
            np.concatenate([(fr[col] != "").to_numpy(float), (fut[col] != "").to_numpy(float)])
        )
    exog = np.array(ex_rows)

    def run(Y: np.ndarray, mods: Sequence[str], ex: np.ndarray | None) -> _Engine:
        return _run_engine(
            Y[None, :],
            cwd,
            closed,
            m_cal=m_cal,
            m_model=m_model,
            horizon=horizon,
            folds=folds,
            future_closed=fut["closed"].to_numpy(bool),
            future_cwd=fut["closed_weekday"].to_numpy(bool),
            models=mods,
            intermittent=intermittent,
            exog=ex,
        )

    eng = run(y, models, exog)
    if calendar:
        from ecomdash.forecast_calendar import add_calendar_models

        eng = add_calendar_models(
            eng,
            run,
            y=y,
            usable=~(cwd | closed),
            periods=pd.DatetimeIndex(np.concatenate([fr["period"], fut["period"]])),
            freq=freq,
            features=calendar,
            models=models,
            exog=exog,
        )
    fm = _fold_mae(eng)
    choices, final = _auto_choice(eng, fm)
    sel = slice(eng.n_warm, eng.n_warm + eng.n_folds)
    rows = []
    for j, nm in enumerate(eng.names):
        p = eng.paths[nm]
        sc = _scores(
            eng,
            0,
            p.mean[0, sel],
            (p.lo80[0, sel], p.hi80[0, sel], p.lo95[0, sel], p.hi95[0, sel]),
            sel,
        )
        rows.append(
            {
                "model": nm,
                "label": MODEL_LABELS[nm],
                **sc,
                "seconds": p.seconds,
                "allowed": bool(eng.allowed[0, j]),
            }
        )
    # auto
    ch = choices[0]
    auto = {
        f: np.stack(
            [getattr(eng.paths[eng.names[ch[i]]], f)[0, eng.n_warm + i] for i in range(eng.n_folds)]
        )
        for f in ("mean", "lo80", "hi80", "lo95", "hi95")
    }
    sc = _scores(
        eng, 0, auto["mean"], (auto["lo80"], auto["hi80"], auto["lo95"], auto["hi95"]), sel
    )
    rows.append(
        {
            "model": "auto",
            "label": MODEL_LABELS["auto"],
            **sc,
            "seconds": sum(eng.paths[n].seconds for n in eng.names if n != "combo"),
            "allowed": True,
        }
    )
    bt = pd.DataFrame(rows)
    base = float(bt.loc[bt["model"] == "seasonal_naive", "mae"].iloc[0])
    bt["vs_baseline"] = bt["mae"] / base if base > 0 else np.nan
    model = eng.names[final[0]]
    # Long table of scored folds.
    periods = fr["period"].to_numpy()
    recs = []
    for i in range(eng.n_folds):
        o = eng.origins[eng.n_warm + i]
        per = periods[o : o + horizon]
        for nm in (*eng.names, "auto"):
            if nm == "auto":
                src = {f: auto[f][i] for f in auto}
                chosen = eng.names[ch[i]]
            else:
                p = eng.paths[nm]
                src = {
                    f: getattr(p, f)[0, eng.n_warm + i]
                    for f in ("mean", "lo80", "hi80", "lo95", "hi95")
                }
                chosen = nm
            recs.append(
                pd.DataFrame(
                    {
                        "fold": i + 1,
                        "model": nm,
                        "chosen": chosen,
                        "period": per,
                        "actual": eng.actual[0, eng.n_warm + i, : len(per)],
                        **{f: v[: len(per)] for f, v in src.items()},
                    }
                )
            )
    folds_df = pd.concat(recs, ignore_index=True)
    fp = eng.paths[model]
    fc = pd.DataFrame(
        {
            "period": fut["period"].to_numpy(),
            "mean": fp.mean[0, -1],
            "lo80": fp.lo80[0, -1],
            "hi80": fp.hi80[0, -1],
            "lo95": fp.lo95[0, -1],
            "hi95": fp.hi95[0, -1],
            "closed": fut["closed"].to_numpy(bool),
            "holiday": fut["holiday"].to_numpy(),
            "event": fut["event"].to_numpy(),
        }
    )
    cands = pd.concat(
        [
            pd.DataFrame(
                {
                    "model": nm,
                    "period": fut["period"].to_numpy(),
                    **{
                        f: getattr(eng.paths[nm], f)[0, -1]
                        for f in ("mean", "lo80", "hi80", "lo95", "hi95")
                    },
                }
            )
            for nm in eng.names
        ],
        ignore_index=True,
    )
    warn = list(series.warnings) + ([fold_note] if fold_note else []) + list(eng.warnings)
    if intermittent[0]:
        warn.append(
            note(
                N_(
                    "Most periods have no sales (intermittent demand): Croston/SBA is used "
                    "instead of ETS."
                )
            )
        )
    mrow = bt.loc[bt["model"] == model].iloc[0]
    vtext = verdict(model, float(mrow["mae"]), base, seasonal=eng.seasonal)
    if model != "seasonal_naive" and mrow["mae"] >= base:
        vtext = note(
            N_("{verdict} The baseline is as good: treat this forecast with care."),
            verdict=vtext,
        )
    return ForecastResult(
        series=series,
        model=model,
        backtest=bt,
        folds=folds_df,
        forecast=fc,
        candidates=cands,
        auto_choices=tuple(eng.names[c] for c in ch),
        horizon=horizon,
        n_folds=folds,
        seasonal=eng.seasonal,
        verdict=vtext,
        seconds=time.perf_counter() - t0,
        params={
            "horizon": horizon,
            "folds": folds,
            "models": tuple(models),
            "warmup": eng.n_warm,
            "calendar": tuple(calendar),
        },
        warnings=tuple(warn),
    )


# --------------------------------------------------------------------------------------
# Many products at once
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ManyForecastResult:
    """Weekly (or other grain) forecasts for the top-N products by revenue.

    * ``table``: one row per product: ``product_id, product_name, revenue, demand_class,
      model, mase, baseline_mase, auto_mase, auto_mae, baseline_mae, improvement_pct,
      forecast_total, forecast_per_period, error_sd`` (``error_sd``: RMSE of the chosen model's one-period-ahead backtest errors).
    * ``forecasts``: long table ``product_id, period, mean, lo80, hi80, lo95, hi95``.
    * ``history``: wide array-like DataFrame of the series (index product_id, columns periods).
    """

    table: pd.DataFrame
    forecasts: pd.DataFrame
    history: pd.DataFrame
    metric: str
    freq: str
    horizon: int
    n_folds: int
    seconds: float
    params: dict = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


def forecast_many(
    lines: pd.DataFrame,
    *,
    top: int = 100,
    metric: str = "units",
    freq: str = "W",
    horizon: int | None = None,
    folds: int = 4,
    returns: str = "net",
    shop: pd.DataFrame | None = None,
) -> ManyForecastResult:
    """Forecast the ``top`` products by revenue at once (vectorised models, no SARIMAX).

    Each product gets its own automatic choice by backtest; intermittent products (ADI > 1.32)
    use Croston/SBA instead of ETS.

    ``shop``: what the whole-shop calendar (periods, closed days) is built from when
    ``lines`` hold only some products (e.g. ``Store.shop_day_groups`` with
    ``Store.top_product_lines``); default ``lines``.
    """
    t0 = time.perf_counter()
    top = _check_int("top", top, 1, 500)
    folds = _check_int("folds", folds, 1, 52)
    horizon = default_horizon(freq) if horizon is None else _check_int("horizon", horizon, 1, 400)
    if S.PRODUCT_ID not in lines:
        raise ParameterError(
            "Forecasting products needs a product id column; this dataset has none. "
            "Map the product id on the Data page."
        )
    shop = build_series(
        lines if shop is None else shop,
        metric=metric,
        freq=freq,
        returns=returns,
        holiday_country=None,
        future_periods=horizon,
    )
    fr = shop.frame
    folds, fold_note = _fit_folds(len(fr), horizon, folds)
    cols = [S.ORDER_DATE, S.PRODUCT_ID, S.QUANTITY, S.UNIT_PRICE, S.REVENUE, *S.FLAGS]
    if metric == "orders":
        cols.append(S.ORDER_ID)
    sales = S.sales_lines(lines[[c for c in cols if c in lines]])
    sales = sales[sales[S.ORDER_DATE].notna()]
    rev = (
        _metric_values(sales, "revenue")
        if (S.REVENUE in sales or S.UNIT_PRICE in sales)
        else sales[S.QUANTITY]
    )
    by_prod = rev.groupby(sales[S.PRODUCT_ID]).sum().sort_values(ascending=False, kind="stable")
    prods = by_prod.index[:top]
    sub = lines.loc[lines[S.PRODUCT_ID].isin(prods), [c for c in cols if c in lines]]
    ssub = S.sales_lines(sub)
    pstart = _period_start(ssub[S.ORDER_DATE], freq)
    if metric == "orders":
        wide = (
            ssub.groupby([ssub[S.PRODUCT_ID], pstart])[S.ORDER_ID].nunique().unstack(fill_value=0)
        )
    else:
        v = _metric_values(ssub, metric)
        wide = v.groupby([ssub[S.PRODUCT_ID], pstart]).sum().unstack(fill_value=0.0)
        if returns == "net" and S.IS_RETURN in sub:
            ret = sub[sub[S.IS_RETURN].astype(bool)]
            if len(ret):
                rv = -_metric_values(ret, metric).abs()
                rw = rv.groupby([ret[S.PRODUCT_ID], _period_start(ret[S.ORDER_DATE], freq)]).sum()
                wide = wide.add(rw.unstack(fill_value=0.0), fill_value=0.0)
    wide = wide.reindex(index=prods, columns=pd.DatetimeIndex(fr["period"]), fill_value=0.0).fillna(
        0.0
    )
    Y = wide.to_numpy(dtype=float)
    cwd = fr["closed_weekday"].to_numpy(bool)
    closed = fr["closed"].to_numpy(bool) & ~cwd
    inter_df = intermittency(np.maximum(Y[:, ~(cwd | closed)], 0))
    intermittent = inter_df["class"].isin(["intermittent", "lumpy"]).to_numpy()
    m_cal = shop.season_length
    m_model = (7 - len(shop.closed_weekdays)) if freq == "D" else m_cal
    fut = shop.future.iloc[:horizon]
    eng = _run_engine(
        Y,
        cwd,
        closed,
        m_cal=m_cal,
        m_model=m_model,
        horizon=horizon,
        folds=folds,
        future_closed=fut["closed"].to_numpy(bool),
        future_cwd=fut["closed_weekday"].to_numpy(bool),
        models=("seasonal_naive", "seasonal_mean", "ets", "croston", "combo"),
        intermittent=intermittent,
        log_ok=False,
    )
    fm = _fold_mae(eng)
    choices, final = _auto_choice(eng, fm)
    sel = slice(eng.n_warm, eng.n_warm + eng.n_folds)
    n_s = Y.shape[0]
    names = eng.names
    scale = np.where(eng.scale[:, sel] > 0, eng.scale[:, sel], np.nan)
    mase_all = fm[:, :, sel] / scale[:, None, :]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mase_m = np.nanmean(mase_all, axis=2)  # [S, M]
    rows_i = np.arange(n_s)
    auto_mae = np.stack([fm[rows_i, choices[:, i], eng.n_warm + i] for i in range(eng.n_folds)], 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        auto_mase = np.nanmean(auto_mae / scale, axis=1)
    base_j = names.index("seasonal_naive")
    chosen_mean = np.stack([eng.paths[n].mean for n in names], axis=1)[rows_i, final]  # [S,O,H]
    err1 = chosen_mean[:, :-1, 0] - eng.actual[:, :, 0]
    error_sd = np.sqrt(np.nanmean(err1**2, axis=1))
    fc_mean = chosen_mean[:, -1]
    base_mae = fm[:, base_j, sel].mean(axis=1)
    ch_mae = fm[rows_i, final][:, sel].mean(axis=1)
    names_col = None
    if S.PRODUCT_NAME in lines:
        nm = lines.loc[lines[S.PRODUCT_ID].isin(prods), [S.PRODUCT_ID, S.PRODUCT_NAME]].dropna()
        names_col = nm.drop_duplicates(S.PRODUCT_ID).set_index(S.PRODUCT_ID)[S.PRODUCT_NAME]
    table = pd.DataFrame(
        {
            "product_id": np.asarray(prods, dtype=object),
            "product_name": [
                str(names_col.get(p, "")) if names_col is not None else "" for p in prods
            ],
            "revenue": by_prod.iloc[:top].to_numpy(),
            "demand_class": inter_df["class"].to_numpy(),
            "model": [names[j] for j in final],
            "mase": mase_m[rows_i, final],
            "baseline_mase": mase_m[:, base_j],
            "auto_mase": auto_mase,
            "auto_mae": auto_mae.mean(axis=1),
            "baseline_mae": base_mae,
            "improvement_pct": np.where(
                base_mae > 0, (1 - ch_mae / np.where(base_mae > 0, base_mae, 1)) * 100, np.nan
            ),
            "forecast_total": fc_mean.sum(axis=1),
            "forecast_per_period": fc_mean.mean(axis=1),
            "error_sd": error_sd,
        }
    )
    per = fut["period"].to_numpy()
    stacks = {
        f: np.stack([getattr(eng.paths[n], f) for n in names], axis=1)[rows_i, final][:, -1]
        for f in ("mean", "lo80", "hi80", "lo95", "hi95")
    }
    fcs = pd.DataFrame(
        {
            "product_id": np.repeat(np.asarray(prods, dtype=object), len(per)),
            "period": np.tile(per, n_s),
            **{f: stacks[f].ravel() for f in stacks},
        }
    )
    warn = list(shop.warnings) + ([fold_note] if fold_note else []) + list(eng.warnings)
    n_int = int(intermittent.sum())
    if n_int:
        warn.append(
            note(
                N_(
                    "{n} of {total} products have intermittent demand (mostly zero periods): "
                    "they use Croston/SBA instead of ETS."
                ),
                n=n_int,
                total=n_s,
            )
        )
    return ManyForecastResult(
        table=table,
        forecasts=fcs,
        history=wide,
        metric=metric,
        freq=freq,
        horizon=horizon,
        n_folds=folds,
        seconds=time.perf_counter() - t0,
        params={"top": top, "returns": returns, "warmup": eng.n_warm},
        warnings=tuple(warn),
    )
