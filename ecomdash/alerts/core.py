"""Alerts: series anomalies and order-level risk flags, rated, muted and grouped by cause.

:func:`find_alerts` runs the rules, mutes, groups the signals by cause and gathers each alert's
lines; the unusual days and weeks are found in :mod:`ecomdash.alerts.days`, what drove a day
in :mod:`ecomdash.alerts.drivers`, the result and how it is read in
:mod:`ecomdash.alerts.result`.

Reasons, drivers, notes and warnings are written in the language of the run
(``ecomdash.i18n``); ids (``kind``, ``kinds``, ``severity``, rule ``status``) stay English so
saved mutes and ``ecomdash alerts --json`` never change, and the UI translates them where shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date

import pandas as pd

from ecomdash import labels as L
from ecomdash.alerts.days import series_signals
from ecomdash.alerts.drivers import find_drivers
from ecomdash.alerts.orders import ORDER_RULES, RULES, Signal, signals_from
from ecomdash.alerts.result import (
    ALERT_COLUMNS,
    LINE_COLUMNS,
    RANK,
    SEVERITIES,
    AlertsResult,
)
from ecomdash.errors import ParameterError
from ecomdash.filters import Filters
from ecomdash.i18n import N_, _, _n
from ecomdash.i18n.fmt import use_currency
from ecomdash.i18n.note import Field, note, note_n
from ecomdash.store import DatasetInfo, Store


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
    store: Store,
    info: DatasetInfo,
    filters: Filters,
    *,
    since: date | None,
    min_severity: str,
    mute_rules: tuple[str, ...],
    mute_products: tuple[str, ...],
    events: Iterable[tuple[str, date, date | None]],
    unit_costs: pd.DataFrame | None,
    top_groups: int,
    rule_params: Mapping[str, Mapping[str, float]] | None,
) -> AlertsResult:
    """:func:`find_alerts` once its arguments are checked: ``mute_rules`` and
    ``mute_products`` sorted tuples, ``info`` the dataset's, the money in its currency. In
    a worker process ``store`` is the parent's store behind a proxy (``serve=store``): the
    same methods, run by the parent."""
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
    # the reasons and drivers name a place as the pages do: "province" / 省份 where the
    # dataset's country field holds provinces (a Chinese marketplace export's 收货省份)
    provinces = L.places_are_provinces(info.mapping, info.report)
    if "unusual_day" not in mute_rules or "unusual_week" not in mute_rules:
        series, day_signals, week_signals, notes = series_signals(
            store,
            info.id,
            filters,
            start,
            end,
            top_groups=top_groups,
            events=events,
            cols=cols,
            provinces=provinces,
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
    drivers = find_drivers(
        store, info.id, filters, alerts, members, drivers_src, cols, provinces=provinces
    )
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
    # kept as objects: a skipped rule's note is a Note (pandas' string dtype would keep only
    # its English text), shown in the page's language
    rules["note"] = pd.Series([r["note"] for r in rules_rows], dtype=object)
    rules["alerts"] = rules["rule"].map(counts).fillna(0).astype(int)

    keep = alerts["severity"].map(RANK) >= RANK[min_severity]
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
        status, why = "muted", _("muted by the merchant")
    elif missing:
        # the fields as the Data page's mapping names them ("Customer id", 客户 ID; the CLI's
        # English text keeps the id --map takes), and what to do: it read "needs customer_id:
        # this dataset has no such column"
        status = "skipped"
        why = note_n(
            "needs {columns}: no column of this dataset is mapped to it. Re-upload the export "
            "on the Data page and map a column to it",
            "needs {columns}: no column of this dataset is mapped to them. Re-upload the export "
            "on the Data page and map columns to them",
            len(missing),
            columns=tuple(Field(c) for c in missing),
        )
    else:
        status, why = "ran", ""
    return {"rule": rule, "label": label, "looks_for": what, "status": status, "note": why}


# --------------------------------------------------------------------------------------
# grouping, lines (the drivers: ecomdash.alerts.drivers)
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
        group = sorted(group, key=lambda s: (-RANK[s.severity], -abs(s.score)))
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
    df["rank"] = df["severity"].map(RANK)
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
