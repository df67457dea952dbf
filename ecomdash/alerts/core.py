"""Alerts: series anomalies and order-level risk flags, rated, muted and grouped by cause.

Reasons, drivers, notes and warnings are written in the language of the run
(``ecomdash.i18n``); ids (``kind``, ``kinds``, ``severity``, rule ``status``) stay English so
saved mutes and ``ecomdash alerts --json`` never change, and the UI translates them where shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np
import pandas as pd

from ecomdash import labels as L
from ecomdash import schema as S
from ecomdash.alerts.orders import ORDER_RULES, RULES, Signal, signals_from
from ecomdash.alerts.series import (
    RUN_UPS,
    fmt_value,
    known_days,
    level_of,
    score_series,
    score_weeks,
)
from ecomdash.errors import ParameterError
from ecomdash.filters import Filters
from ecomdash.i18n import N_, _, _n, fmt
from ecomdash.i18n.fmt import money, pct, use_currency
from ecomdash.i18n.note import note, note_n
from ecomdash.store import Store

SEVERITIES = ("high", "medium", "low")
#: Days of history the unusual-day scores need (five weeks: a weekly pattern seen 5 times).
MIN_SERIES_DAYS = 35
_RANK = {"high": 3, "medium": 2, "low": 1}

ALERT_COLUMNS = [
    "alert_id",
    "date",
    "severity",
    "kind",
    "kinds",
    "reason",
    "driver",
    "score",
    "n_lines",
    "product_id",
    "customer_id",
    "order_id",
    "impact",
    "key",
]
LINE_COLUMNS = [
    "alert_id",
    "rule",
    "line_no",
    "order_id",
    "order_date",
    "customer_id",
    "product_id",
    "product_name",
    "quantity",
    "unit_price",
    "revenue",
]


@dataclass(frozen=True)
class AlertsResult:
    """Alerts of a dataset (newest first) and what is behind each.

    * ``alerts``: one row per cause (``ALERT_COLUMNS``): ``severity`` high/medium/low, ``kind``
      the strongest rule, ``kinds`` every rule that fired for that cause, ``reason``,
      ``driver`` (what moved a day most), ``score`` (how unusual), ``n_lines``.
    * ``lines``: the order lines behind each alert (``LINE_COLUMNS``).
    * ``drivers``: for day alerts, the products / countries / customers that moved it most.
    * ``series``: the scored daily series (for the chart): ``dim, grp, metric, day, actual,
      expected, lo, hi, score, rel, known``.
    * ``rules``: per rule, whether it ran and why not (``rule, label, status, note, alerts``).
    """

    alerts: pd.DataFrame
    lines: pd.DataFrame
    drivers: pd.DataFrame
    series: pd.DataFrame
    rules: pd.DataFrame
    params: dict
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def per_month(self, *, min_severity: str = "low") -> pd.DataFrame:
        """Alerts per calendar month by severity (months without alerts count 0)."""
        return alerts_per_month(self.alerts, self.params["period"], min_severity=min_severity)


def alerts_per_month(
    alerts: pd.DataFrame, period: tuple[date, date], *, min_severity: str = "low"
) -> pd.DataFrame:
    months = pd.period_range(period[0], period[1], freq="M")
    a = alerts[alerts["severity"].map(_RANK) >= _RANK[min_severity]]
    counts = (
        a.assign(month=pd.to_datetime(a["date"]).dt.to_period("M"))
        .groupby(["month", "severity"])
        .size()
        .unstack(fill_value=0)
        .reindex(index=months, columns=list(SEVERITIES), fill_value=0)
    )
    counts.index.name = "month"
    return counts.reset_index()


def _check(min_severity: str) -> None:
    if min_severity not in SEVERITIES:
        raise ParameterError(
            note(
                N_(
                    "The 'min_severity' parameter must be one of high, medium, low. Got {value} "
                    "instead."
                ),
                value=repr(min_severity),
            )
        )


def find_alerts(
    store: Store,
    dataset_id: str,
    filters: Filters | None = None,
    *,
    since: date | None = None,
    min_severity: str = "low",
    mute_rules: Iterable[str] = (),
    mute_products: Iterable[str] = (),
    events: Iterable[tuple[str, date, date | None]] = (),
    unit_costs: pd.DataFrame | None = None,
    top_groups: int = 5,
    rule_params: Mapping[str, Mapping[str, float]] | None = None,
) -> AlertsResult:
    """Every alert of a dataset in the filtered period (or from ``since`` on).

    The expectation of each day is built from the whole filtered period, so ``since`` only
    chooses which alerts are reported. Muted rules and products are left out before grouping.

    >>> res = find_alerts(store, ds, since=date(2026, 10, 1), min_severity="medium")  # doctest: +SKIP
    """
    _check(min_severity)
    mute_rules = tuple(sorted(set(mute_rules)))
    unknown = [r for r in mute_rules if r not in RULES]
    if unknown:
        raise ParameterError(
            note_n(
                "Unknown rule to mute: {unknown}. Rules are: {rules}.",
                "Unknown rules to mute: {unknown}. Rules are: {rules}.",
                len(unknown),
                unknown=tuple(unknown),
                rules=tuple(RULES),
            )
        )
    mute_products = tuple(sorted({str(p) for p in mute_products}))
    info = store.info(dataset_id)
    # reasons write money in the dataset's currency, as its tables do
    with use_currency(L.display_for(info.report, is_demo=info.is_demo).symbol):
        return _find(
            store,
            info,
            filters or Filters(),
            since=since,
            min_severity=min_severity,
            mute_rules=mute_rules,
            mute_products=mute_products,
            events=events,
            unit_costs=unit_costs,
            top_groups=top_groups,
            rule_params=rule_params,
        )


def _find(
    store,
    info,
    filters,
    *,
    since,
    min_severity,
    mute_rules,
    mute_products,
    events,
    unit_costs,
    top_groups,
    rule_params,
) -> AlertsResult:
    cols = set(info.columns)
    lo, hi = store.date_range(info.id)
    if lo is None:
        raise ParameterError(
            note(
                N_(
                    "Alerts need order dates; this dataset has none. Re-upload the export and map "
                    "its date column on the Data page."
                )
            )
        )
    start = max(filters.start or lo.date(), lo.date())
    end = min(filters.end or hi.date(), hi.date())
    warnings: list[str] = []
    rules_rows = []
    signals: list[Signal] = []
    lines_parts: list[pd.DataFrame] = []
    params = dict(rule_params or {})

    # --- series ------------------------------------------------------------------------
    series, drivers_src = pd.DataFrame(), []
    if "unusual_day" not in mute_rules or "unusual_week" not in mute_rules:
        series, day_signals, week_signals, notes = _series_signals(
            store, info.id, filters, start, end, top_groups=top_groups, events=events, cols=cols
        )
        warnings += notes
        if "unusual_day" not in mute_rules:
            signals += day_signals
            drivers_src = day_signals
        if "unusual_week" not in mute_rules:
            signals += week_signals
    for rule in ("unusual_day", "unusual_week"):
        rules_rows.append(_rule_row(rule, cols, muted=rule in mute_rules))

    # --- order rules ---------------------------------------------------------------------
    for rule in ORDER_RULES:
        row = _rule_row(rule, cols, muted=rule in mute_rules)
        if (
            rule == "negative_margin"
            and row["status"] == "ran"
            and (unit_costs is None or len(unit_costs) == 0)
        ):
            row.update(status="skipped", note=_("needs unit costs: none were given"))
        rules_rows.append(row)
        if row["status"] != "ran":
            continue
        df = store.alert_rule_lines(
            info.id, filters, rule, params=params.get(rule), unit_costs=unit_costs
        )
        found = signals_from(rule, df)
        signals += found
        if len(df):
            lines_parts.append(df.assign(rule=rule))

    # --- mute, group, filter ---------------------------------------------------------------
    if mute_products:
        signals = [s for s in signals if s.product_id not in mute_products]
    cr = [p for p in lines_parts if p["rule"].iloc[0] == "customer_returns"]
    if cr:
        signals = _same_cause(signals, dict(zip(cr[0]["line_no"], cr[0]["order_id"], strict=True)))
    alerts, members = _group(signals)
    lines = _lines_of(alerts, members, lines_parts)
    drivers = _drivers(store, info.id, filters, alerts, members, drivers_src, cols)
    if len(alerts):
        alerts = alerts.merge(
            drivers.groupby("alert_id")["text"].first().rename("driver_text"),
            left_on="alert_id",
            right_index=True,
            how="left",
        )
        alerts["driver"] = alerts["driver_text"].fillna(alerts["driver"])
        alerts = alerts.drop(columns="driver_text")
    counts = alerts.groupby("kind").size() if len(alerts) else pd.Series(dtype=int)
    rules = pd.DataFrame(rules_rows)
    rules["alerts"] = rules["rule"].map(counts).fillna(0).astype(int)

    keep = alerts["severity"].map(_RANK) >= _RANK[min_severity]
    if since is not None:
        keep &= alerts["date"] >= pd.Timestamp(since)
    alerts = alerts[keep].reset_index(drop=True)
    lines = lines[lines["alert_id"].isin(alerts["alert_id"])].reset_index(drop=True)
    drivers = drivers[drivers["alert_id"].isin(alerts["alert_id"])].reset_index(drop=True)
    return AlertsResult(
        alerts=alerts[ALERT_COLUMNS],
        lines=lines,
        drivers=drivers.drop(columns="text", errors="ignore"),
        series=series,
        rules=rules,
        params={
            "period": (start, end),
            "since": since,
            "min_severity": min_severity,
            "mute_rules": mute_rules,
            "mute_products": mute_products,
            "top_groups": top_groups,
            "rule_params": {k: dict(v) for k, v in params.items()},
        },
        warnings=tuple(warnings),
    )


def _rule_row(rule: str, cols: set[str], *, muted: bool) -> dict:
    label, needs, what = RULES[rule]
    missing = [c for c in needs if c not in cols]
    if muted:
        status, note = "muted", _("muted by the merchant")
    elif missing:
        status = "skipped"
        note = _("needs {columns}: this dataset has no such column", columns=", ".join(missing))
    else:
        status, note = "ran", ""
    return {"rule": rule, "label": label, "looks_for": what, "status": status, "note": note}


# --------------------------------------------------------------------------------------
# series
# --------------------------------------------------------------------------------------


def _series_signals(store, ds_id, filters, start, end, *, top_groups, events, cols):
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
            shop_gross = float(g["gross"].median())
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
                "where": _where(dim, grp),
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
                    "is under 20 % of the shop's usual day's sales ({usual})",
                    change=fmt.money(abs(r.actual - r.expected)),
                    usual=fmt.money(shop_gross),
                    **said,
                )
                if group_low == "small"
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


def _where(dim: str, grp) -> str:
    """The shop or the group a day's series belongs to, as a reason names it."""
    if dim == "shop":
        return _("the shop")
    if dim == "category":
        return _("category {name}", name=grp)
    if dim == "country":
        if is_region(grp):
            return _("region {name}", name=grp)
        return _("country {name}", name=grp)
    return f"{dim} {grp}"


def is_region(name) -> bool:
    """Whether a value of the country column is a region of a country rather than a country:
    a Chinese province, which Chinese platform exports and the Chinese demo keep there (浙江,
    广西壮族自治区); a reason calls it a region ("region 浙江" / "浙江地区"), never a country."""
    from ecomdash.ingest.platforms_cn import PROVINCES

    return any(str(name) in pair for pair in PROVINCES)


# --------------------------------------------------------------------------------------
# grouping, lines, drivers
# --------------------------------------------------------------------------------------


def _same_cause(signals: list[Signal], lines: dict[int, str]) -> list[Signal]:
    """Re-key a high-return customer whose flagged returns all undo one already flagged order
    (a huge order cancelled at once makes its buyer a "high-return customer" too)."""
    orders = {s.key for s in signals if s.key.startswith("order:")}
    out = []
    for s in signals:
        if s.kind == "customer_returns":
            undone = {f"order:{lines.get(n, '').removeprefix('C')}" for n in s.line_nos}
            if len(undone) == 1 and next(iter(undone)) in orders:
                s = replace(s, key=next(iter(undone)))
        out.append(s)
    return out


def _group(signals: list[Signal]) -> tuple[pd.DataFrame, dict[str, list[Signal]]]:
    by_key: dict[str, list[Signal]] = {}
    for s in signals:
        by_key.setdefault(s.key, []).append(s)
    rows, members = [], {}
    for key, group in by_key.items():
        group = sorted(group, key=lambda s: (-_RANK[s.severity], -abs(s.score)))
        top = group[0]
        aid = _alert_id(key)
        members[aid] = group
        kinds = list(dict.fromkeys(s.kind for s in group))
        others = [s.reason for s in group[1:]]
        reason = top.reason
        if len(others) > 1:
            reason = _n(
                "{reason}. Also: {other} (+{n} more signal)",
                "{reason}. Also: {other} (+{n} more signals)",
                len(others) - 1,
                reason=reason,
                other=others[0],
            )
        elif others:
            reason = _("{reason}. Also: {other}", reason=reason, other=others[0])
        line_nos = sorted({n for s in group for n in s.line_nos})
        rows.append(
            {
                "alert_id": aid,
                "date": min(s.date for s in group),
                "severity": top.severity,
                "kind": top.kind,
                "kinds": ", ".join(kinds),
                "reason": reason,
                "driver": "",
                "score": top.score,
                "n_lines": len(line_nos),
                "product_id": next((s.product_id for s in group if s.product_id), None),
                "customer_id": next((s.customer_id for s in group if s.customer_id), None),
                "order_id": next((s.order_id for s in group if s.order_id), None),
                "impact": max(s.impact for s in group),
                "key": key,
            }
        )
    if not rows:
        return pd.DataFrame(columns=ALERT_COLUMNS), members
    df = pd.DataFrame(rows)
    df["rank"] = df["severity"].map(_RANK)
    df = df.sort_values(["date", "rank", "alert_id"], ascending=[False, False, True])
    return df.drop(columns="rank").reset_index(drop=True), members


def _alert_id(key: str) -> str:
    """A stable id from the cause (same data, same id across runs and processes)."""
    import hashlib

    return "A" + hashlib.sha1(key.encode()).hexdigest()[:10]


def _lines_of(alerts, members, parts) -> pd.DataFrame:
    if not parts or alerts.empty:
        return pd.DataFrame(columns=LINE_COLUMNS)
    allv = pd.concat(parts, ignore_index=True)
    keys = pd.DataFrame(
        [(aid, s.kind, n) for aid, group in members.items() for s in group for n in s.line_nos],
        columns=["alert_id", "rule", "line_no"],
    )
    if keys.empty:
        return pd.DataFrame(columns=LINE_COLUMNS)
    out = keys.merge(allv, on=["rule", "line_no"], how="inner")
    out = out.drop_duplicates(["alert_id", "line_no"])
    return out[[c for c in LINE_COLUMNS if c in out.columns]].sort_values(
        ["alert_id", "line_no"], ignore_index=True
    )


#: what a driver is (the column it groups by) and the unit of its change, as sentences name them
_BY = {S.PRODUCT_ID: N_("product"), S.COUNTRY: N_("country"), S.CUSTOMER_ID: N_("customer")}
_UNITS = {"orders": N_("orders"), "net": N_("in net revenue"), "returns": N_("in returns")}


def _drivers(store, ds_id, filters, alerts, members, day_signals, cols) -> pd.DataFrame:
    """For each day alert: the products, countries and customers that moved it most, inside
    the series the alert is about (a country's day by what moved in that country) and in the
    direction of its change (a fall by what fell)."""
    empty = pd.DataFrame(
        columns=["alert_id", "by", "key", "actual", "usual", "change", "text", "metric"]
    )
    if alerts.empty or not day_signals:
        return empty
    rows = []
    day_alerts = alerts[alerts["kind"] == "unusual_day"]
    # drivers only for the alerts a merchant reads first: medium and high
    day_alerts = day_alerts[day_alerts["severity"] != "low"]
    for r in day_alerts.itertuples():
        top = members[r.alert_id][0]
        metric = {"orders": "orders", "new_customers": "orders", "return_rate": "returns"}.get(
            top.metric, "net"
        )
        if S.REVENUE not in cols:
            metric = "orders"
        inside = _inside(filters, top.dim, top.grp)
        direction = 1 if top.score > 0 else -1
        total_change = None
        texts = []
        for by in (S.PRODUCT_ID, S.COUNTRY, S.CUSTOMER_ID):
            if by not in cols or by == top.dim:
                continue
            d = store.alert_drivers(
                ds_id, inside, day=r.date, by=by, metric=metric, limit=3, direction=direction
            )
            if d.empty:
                continue
            if total_change is None:
                whole = store.alert_drivers(
                    ds_id, inside, day=r.date, by=by, metric=metric, limit=100000
                )
                total_change = float(whole["change"].sum())
            rows.append(d.assign(alert_id=r.alert_id, by=by, metric=metric))
            first = d.iloc[0]
            share = (
                first["change"] / total_change
                if total_change and np.sign(first["change"]) == np.sign(total_change)
                else 0.0
            )
            texts.append((share, by, first))
        if texts:
            share, by, first = max(texts, key=lambda t: t[0])
            # money with the currency sign, orders as a count
            signed = (
                (lambda x: f"{x:+,.0f}")
                if metric == "orders"
                else (lambda x: money(x, places=0, signed=True))
            )

            said = {
                "who": (
                    _("region")
                    if by == S.COUNTRY and is_region(first["key"])
                    else _(_BY[by])
                    if by in _BY
                    else by.replace("_id", "")
                ),
                "key": first["key"],
                "change": signed(first["change"]),
                "unit": _(_UNITS[metric]),
                "share": pct(share, 0),
            }
            if share >= 0.5:
                text = _(
                    "mostly {who} {key}: {change} {unit} against the same weekday of the 4 "
                    "weeks before ({share} of the day's change)",
                    **said,
                )
            elif share >= 0.3:  # the largest part, not most of it
                text = _(
                    "led by {who} {key}: {change} {unit} against the same weekday of the 4 "
                    "weeks before ({share} of the day's change)",
                    **said,
                )
            else:
                text = _(
                    "broad: no single product, country or customer explains much (largest "
                    "{who} {key} {change} {unit}, {share} of the day's change {total})",
                    total=signed(total_change),
                    **said,
                )
            rows.append(
                pd.DataFrame([{"alert_id": r.alert_id, "by": "summary", "key": "", "text": text}])
            )
    if not rows:
        return empty
    out = pd.concat(rows, ignore_index=True)
    # the summary row first, so the alert table's "driver" takes it
    out["_o"] = (out["by"] != "summary").astype(int)
    return out.sort_values(["alert_id", "_o"]).drop(columns="_o").reset_index(drop=True)


def _inside(filters: Filters, dim: str, grp: str) -> Filters:
    """The page's filters narrowed to the series of a day alert (a country, a category)."""
    if dim == S.COUNTRY:
        return replace(filters, countries=(grp,))
    if dim == S.CATEGORY:
        return replace(filters, categories=(grp,))
    return filters


#: each severity as a merchant reads it (a message id)
SEVERITY_LABELS = {"high": N_("high"), "medium": N_("medium"), "low": N_("low")}


def severity_label(s: str) -> str:
    """A severity as the merchant reads it, in the run's language."""
    return _(SEVERITY_LABELS[s]) if s in SEVERITY_LABELS else str(s)


def rule_label(r: str) -> str:
    """A rule's name in the run's language (its id when unknown)."""
    return _(RULES[r][0]) if r in RULES else str(r)


#: the rules whose alert is about a whole day or week: its date has no time of day
PERIOD_RULES = ("unusual_day", "unusual_week", "returns_spike")


def when_parts(alerts: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Each alert's day (midnight) and its time of day as ``HH:MM``, "" for an alert about a
    whole day or week (a day's 00:00 or a week's first return time would say nothing)."""
    when = pd.to_datetime(alerts["date"])
    whole = alerts["kind"].isin(PERIOD_RULES)
    return when.dt.normalize(), when.dt.strftime("%H:%M").where(~whole, "")


def alert_products(res: AlertsResult) -> pd.Series:
    """Each alert's product as its reason names it, by ``alert_id``: "Wall Print – Botanical
    (DEC-222)" (:func:`ecomdash.labels.product_label`, the name its flagged lines carry, as
    :func:`ecomdash.alerts.orders._product` takes it); the id alone for a product without a
    name, "" for an alert without a product (a day, a customer's burst). Read from the
    alert's own lines (``res.lines``), never the dataset's: a merchant's search for a
    product's name matches what the reasons name."""
    a = res.alerts[["alert_id", "product_id"]].dropna(subset=["product_id"])
    out = pd.Series("", index=pd.Index(res.alerts["alert_id"], name="alert_id"), dtype=object)
    if a.empty:
        return out
    a = a.astype({"product_id": str})
    names = pd.DataFrame(columns=["alert_id", "product_id", "product_name"])
    if len(res.lines) and "product_name" in res.lines.columns:
        ln = res.lines[["alert_id", "product_id", "product_name"]].dropna(subset=["product_id"])
        names = ln.astype({"product_id": str}).drop_duplicates(["alert_id", "product_id"])
    m = a.merge(names.astype({"product_id": str}), on=["alert_id", "product_id"], how="left")
    out.loc[m["alert_id"].to_numpy()] = [
        L.product_label(n, p) for n, p in zip(m["product_name"], m["product_id"], strict=True)
    ]
    return out


def to_records(res: AlertsResult) -> list[dict]:
    """Alerts as plain records (for JSON): date, severity, kind, reason, driver, lines."""
    out = []
    for r in res.alerts.itertuples():
        ln = res.lines[res.lines["alert_id"] == r.alert_id]
        out.append(
            {
                "id": r.alert_id,
                "date": pd.Timestamp(r.date).isoformat(),
                "severity": r.severity,
                "kind": r.kind,
                "kinds": r.kinds.split(", "),
                "reason": r.reason,
                "driver": r.driver or None,
                "score": float(r.score),
                "product_id": r.product_id,
                "customer_id": r.customer_id,
                "order_id": r.order_id,
                "lines": ln.drop(columns=["alert_id"]).to_dict("records"),
            }
        )
    return out
