"""Series building: order lines -> a regular series (closed weekdays, closures, holidays,
merchant events) and its measured seasonality."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ecomdash import schema as S
from ecomdash.errors import InsufficientDataError, ParameterError
from ecomdash.forecast.base import (
    FREQS,
    METRICS,
    SEASON,
    _calendar,
    _next_periods,
    _period_end,
    _period_start,
)
from ecomdash.forecast.events import Event, holiday_code, holidays_between
from ecomdash.i18n import N_
from ecomdash.i18n.note import Date, Weekdays, note


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
            note(
                N_(
                    "Forecasting revenue needs a revenue column (or quantity and unit price). "
                    "Found columns: {columns}. Choose metric 'orders' or 'units', or map the "
                    "revenue column on the Data page."
                ),
                columns=tuple(map(str, lines.columns)),
            )
        )
    if metric == "units":
        if S.QUANTITY not in lines:
            raise ParameterError(
                note(
                    N_(
                        "Forecasting units needs a quantity column; this dataset has none. "
                        "Choose metric 'revenue' or 'orders', or map the quantity column."
                    )
                )
            )
        return lines[S.QUANTITY].astype(float)
    raise AssertionError(metric)


def closure_runs(
    active: pd.Series, closed_weekday: pd.Series | None = None, *, min_days: int = 3
) -> tuple[pd.Series, list[tuple[pd.Timestamp, pd.Timestamp]]]:
    """Closures: runs of ``min_days`` or more open days in a row without a single order.

    ``active``: day -> the shop had orders that day (a regular daily index).
    ``closed_weekday``: day -> the weekday is structurally closed (skipped: a run of open days
    goes on over a closed Sunday). Returns day -> inside a closure (False on closed weekdays)
    and the runs as (first, last) open day.

    >>> days = pd.date_range("2025-01-01", periods=8)
    >>> flags, runs = closure_runs(pd.Series([1, 0, 0, 0, 1, 0, 0, 1], index=days).astype(bool))
    >>> int(flags.sum()), [(a.day, b.day) for a, b in runs]
    (3, [(2, 4)])
    """
    cwd = (
        closed_weekday.reindex(active.index, fill_value=False).to_numpy(bool)
        if closed_weekday is not None
        else np.zeros(len(active), bool)
    )
    open_days = active.index[~cwd]
    inactive_open = ~active.to_numpy(bool)[~cwd]
    closure_day = pd.Series(False, index=active.index)
    runs: list[tuple[pd.Timestamp, pd.Timestamp]] = []
    i = 0
    while i < len(open_days):
        if inactive_open[i]:
            j = i
            while j + 1 < len(open_days) and inactive_open[j + 1]:
                j += 1
            if j - i + 1 >= min_days:
                runs.append((open_days[i], open_days[j]))
                closure_day.loc[open_days[i] : open_days[j]] = True
            i = j + 1
        else:
            i += 1
    return closure_day & ~cwd, runs


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
            note(
                N_("The 'metric' parameter must be one of {choices}. Got {value} instead."),
                choices=METRICS,
                value=repr(metric),
            )
        )
    if freq not in FREQS:
        raise ParameterError(
            note(
                N_(
                    "The 'freq' parameter must be one of D (daily), W (weekly), M (monthly). "
                    "Got {value} instead."
                ),
                value=repr(freq),
            )
        )
    if returns not in ("net", "exclude"):
        raise ParameterError(
            note(
                N_("The 'returns' parameter must be 'net' or 'exclude'. Got {value} instead."),
                value=repr(returns),
            )
        )
    if S.ORDER_DATE not in lines:
        raise ParameterError(
            note(
                N_(
                    "Forecasting needs an order date column; this dataset has none. "
                    "Map the order date on the Data page."
                )
            )
        )
    if metric == "orders" and S.ORDER_ID not in lines:
        raise ParameterError(
            note(
                N_(
                    "Forecasting orders needs an order id column; this dataset has none. "
                    "Choose metric 'revenue' or 'units', or map the order id column."
                )
            )
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
            note(
                N_(
                    "Forecasting needs sales lines; found none among {n} lines. Check the date "
                    "range and filters, and that quantities/prices are positive."
                ),
                n=f"{len(lines):,}",
            )
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
    closure_day, runs = closure_runs(active, is_cwd)
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
                note(
                    N_(
                        "Filtering the forecast by {column} needs a {column} column; this "
                        "dataset has none."
                    ),
                    column=col,
                )
            )
        sel = sel[sel[col] == val]
        scope.append((col, str(val)))
    ssel = S.sales_lines(sel) if scope else sales
    if len(ssel) == 0:
        what = ", ".join(f"{k}={v}" for k, v in scope)
        raise InsufficientDataError(
            note(
                N_("No sales lines for {scope}. Check the spelling, or pick another scope."),
                scope=what,
            )
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
                    date=Date(last_day),
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
                warn.append(note(msg, start=Date(last_p), end=Date(last_day)))
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
                warn.append(note(msg, start=Date(first_p), first=Date(first_day)))
        frame = frame.reset_index(drop=True)
    if len(frame) == 0:
        msg = {
            "D": N_(
                "No complete day in the data ({start} to {end}). Choose a finer grain (daily) "
                "or upload a longer history."
            ),
            "W": N_(
                "No complete week in the data ({start} to {end}). Choose a finer grain (daily) "
                "or upload a longer history."
            ),
            "M": N_(
                "No complete month in the data ({start} to {end}). Choose a finer grain "
                "(daily) or upload a longer history."
            ),
        }[freq]
        raise InsufficientDataError(note(msg, start=Date(first_day), end=Date(last_day)))
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
        raise ParameterError(
            note(
                N_("The 'freq' parameter must be one of D, W, M. Got {value} instead."),
                value=repr(freq),
            )
        )
    idx = pd.DatetimeIndex(periods)
    vals = np.asarray(values, dtype=float)
    if len(idx) != len(vals) or len(idx) == 0:
        raise ParameterError(
            note(
                N_(
                    "periods and values must have the same non-zero length; got {n_periods} "
                    "and {n_values}."
                ),
                n_periods=len(idx),
                n_values=len(vals),
            )
        )
    expected = _calendar(idx[0], idx[-1], freq)
    if len(expected) != len(idx) or not (expected == idx).all():
        # one sentence per grain ("dayly" was the old English for D)
        msg = {
            "D": N_(
                "The periods are not a regular daily calendar (gaps or wrong anchors). Fill "
                "missing periods with 0 before forecasting."
            ),
            "W": N_(
                "The periods are not a regular weekly calendar (gaps or wrong anchors). Fill "
                "missing periods with 0 before forecasting."
            ),
            "M": N_(
                "The periods are not a regular monthly calendar (gaps or wrong anchors). Fill "
                "missing periods with 0 before forecasting."
            ),
        }[freq]
        raise ParameterError(note(msg))
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
