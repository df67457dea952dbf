"""Alerts page and the Overview's alerts strip.

The alerts are computed in the language of the page (reasons, drivers and notes are
sentences: the language is part of the cache key); rule, severity and status ids stay as
they are and are translated where shown, so mutes and the CLI's JSON never change.
"""

from __future__ import annotations

import time

import numpy as np
import streamlit as st

from ecomdash import labels as L
from ecomdash.alerts import (
    RULES,
    SEVERITIES,
    STATUS_LABELS,
    AlertsResult,
    alert_products,
    driver_dimension,
    find_alerts,
    looks_for,
    rule_label,
    when_parts,
)
from ecomdash.alerts import severity_label as severity  # the page's short name
from ecomdash.charts.alerts import series_figure, severity_figure
from ecomdash.errors import EcomdashError, InsufficientDataError, TimeBudgetError
from ecomdash.filters import Filters
from ecomdash.i18n import _, _n, fmt, get_lang, use_lang
from ecomdash.i18n.note import tr_note
from ecomdash.ui.common import (
    DEFAULT_BUDGET_S,
    PageContext,
    download_table,
    get_store,
    run_with_budget,
    show_chart,
    show_error,
)
from ecomdash.ui.tables import EMPTY, EXPANDER_PX, current_display, show_table
from ecomdash.ui.worker import run_in_worker

K_MUTE_RULES = "alerts_mute_rules"
K_MUTE_PRODUCTS = "alerts_mute_products"

#: The alerts table's columns on screen: when, how bad, which rule, why and the money at
#: stake. "Also fired", the driver, the score, the lines' count and the product, customer,
#: order and alert ids go to the CSV download only (the reason names the product, customer
#: or order; the details below show the driver and the lines): with all 14 columns the
#: table ran past the page's right edge in both languages.
SCREEN_COLUMNS = ("date", "time", "severity", "kind", "reason", "impact")


def _alerts(key: tuple, mute_rules: tuple, mute_products: tuple, lang: str) -> AlertsResult:
    """The alerts of ``key``, their sentences in ``lang`` (part of the key: the run may be on
    another thread, which does not inherit the page's language). Raises the data's refusal
    (:class:`InsufficientDataError`) from the cache: see :func:`_alerts_or_refusal`."""
    res = _alerts_or_refusal(key, mute_rules, mute_products, lang)
    if isinstance(res, InsufficientDataError):
        raise res
    return res


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def _alerts_or_refusal(
    key: tuple, mute_rules: tuple, mute_products: tuple, lang: str
) -> AlertsResult | InsufficientDataError:
    """The check itself, cached with its refusal: ``st.cache_data`` keeps nothing for an
    exception, and a dataset the alerts refuse (too short, no dates) would start a worker
    process on every run of the Alerts page, the Overview's strip and the report. The data
    decides a refusal, so it is kept as long as a result; store errors and time-budget stops
    may pass, so they are raised and not kept."""
    workspace, dataset_id, _version, fkey = key
    store = get_store(workspace)
    with use_lang(lang):
        # the scores run in a worker process (killed if the page's budget runs out); its SQL
        # is run here, on the store, when the worker asks for it
        try:
            return run_in_worker(
                find_alerts,
                store,
                dataset_id,
                Filters.from_key(fkey),
                mute_rules=mute_rules,
                mute_products=mute_products,
                serve=store,
                what=_("Checking for alerts"),
            )
        except InsufficientDataError as refusal:
            return refusal


def _mutes(ctx: PageContext) -> tuple[tuple, tuple]:
    """The merchant's muted rules and products, kept in the store (not the session)."""
    m = get_store(ctx.workspace).alert_mutes(ctx.dataset_id)
    return m["rules"], m["products"]


def render(ctx: PageContext) -> None:
    t0 = time.perf_counter()
    mute_rules, mute_products = _mutes(ctx)
    try:
        with st.spinner(_("Checking every day and order ...")):
            # a page budget: over it the check's worker is killed and the page says so
            res = run_with_budget(
                _alerts,
                ctx.key,
                mute_rules,
                mute_products,
                get_lang(),
                what=_("Checking for alerts"),
            )
    except EcomdashError as exc:
        show_error(exc)
        return
    a = res.alerts
    # each alert's product as its reason names it, "Wall Print – Botanical (DEC-222)" (by
    # alert_id, in a's order): the search box matches it, the muting picker shows it
    named = alert_products(res)
    start, end = res.params["period"]
    st.caption(
        _n(
            "{start} to {end}: {n} alert — {high} high, {medium} medium, {low} low. "
            "Computed in {took}.",
            "{start} to {end}: {n} alerts — {high} high, {medium} medium, {low} low. "
            "Computed in {took}.",
            len(a),
            start=fmt.long_date(start),
            end=fmt.long_date(end),
            took=fmt.duration(time.perf_counter() - t0),
            **{s: int((a["severity"] == s).sum()) for s in SEVERITIES},
        )
    )
    for w in res.warnings:
        st.info(w)

    c1, c2, c3 = st.columns(3)
    sev = c1.multiselect(
        L.label("severity"),
        list(SEVERITIES),
        default=["high", "medium"],
        format_func=severity,
        key="al_sev",
        placeholder=_("All severities"),
    )
    kinds = c2.multiselect(
        L.label("kind"),
        list(RULES),
        format_func=rule_label,
        key="al_kind",
        placeholder=_("All rules"),
    )
    text = c3.text_input(_("Product, customer or order contains"), key="al_text")
    shown = a[a["severity"].isin(sev or list(SEVERITIES))]
    if kinds:
        shown = shown[shown["kinds"].apply(lambda k: any(x in k.split(", ") for x in kinds))]
    if text:
        t = text.strip().lower()
        # the product's name or id; never the whole reason (it names other orders,
        # customers and products)
        product = named.reindex(shown["alert_id"]).to_numpy()
        hay = shown[["customer_id", "order_id"]].assign(product=product).astype("string")
        # a mask built column by column: on no alerts (the Severity filter hid them all)
        # DataFrame.apply returned the empty text frame itself and .any(axis=1) raised
        # "Cannot perform reduction 'any' with string dtype" (a Pinduoduo export, typed search)
        found = np.zeros(len(shown), dtype=bool)
        for col in hay.columns:
            found |= hay[col].fillna("").str.lower().str.contains(t, regex=False).to_numpy(bool)
        shown = shown[found]

    table = shown.drop(columns=["key"]).copy()
    # a day or a week has a date, an order a date and a time (a day's "00:00" said nothing)
    day, time_of_day = when_parts(table)
    table.insert(table.columns.get_loc("date") + 1, "time", time_of_day)
    table["date"] = day
    # rules by their names, not their codes (the muting form uses the same names)
    # "also fired": the other rules that flagged the same cause (the main one is "Rule")
    table["kinds"] = [
        fmt.join(rule_label(k) for k in str(ks).split(", ") if k != main)
        for main, ks in zip(table["kind"], table["kinds"], strict=True)
    ]
    table["kind"] = table["kind"].map(rule_label)
    table["severity"] = table["severity"].map(severity)
    # what a merchant reads first: when, how bad, which rule and why; the reason was the
    # sixth column, cut off at the page's edge behind the alert id (now last, with the ids)
    front = ["date", "time", "severity", "kind", "reason"]
    table = table[front + [c for c in table.columns if c not in front and c != "alert_id"]]
    table["alert_id"] = shown["alert_id"].to_numpy()
    # on screen what a merchant acts on; the rest (also fired, driver, score, lines, ids) in
    # the CSV beside it and, for the first 30, in the details below
    show_table(
        table,
        area="alerts",
        hide_index=True,
        key="al_table",
        on_screen=SCREEN_COLUMNS,
        empty=_hidden_by_severity(a, sev) if shown.empty and not (kinds or text) else EMPTY,
    )
    # the filtered rows' positions are no column of the file (it had an "Index" column)
    download_table(table.reset_index(drop=True), "alerts", key="dl_alerts", area="alerts")

    st.subheader(_("Details"))
    for r in shown.head(30).itertuples():
        # one message, so each language orders it ("2025年9月8日 · 退货激增 · 高级别"); the date
        # as the reason under it writes it
        heading = _(
            "{when} · {severity} · {rule}",
            when=fmt.long_date(r.date),
            severity=severity(r.severity),
            rule=rule_label(r.kind),
        )
        with st.expander(heading):
            st.text(r.reason)
            if r.driver:
                st.text(_("Driver: {driver}", driver=r.driver))
            ln = res.lines[res.lines["alert_id"] == r.alert_id]
            dr = res.drivers[res.drivers["alert_id"] == r.alert_id]
            dr = dr[dr["by"] != "summary"]
            if len(ln):
                # each line's rule by its name, as the table above writes it ("quick_cancel"
                # read as a code, in English in the Chinese page too); the CSV keeps the ids
                shown_ln = ln.drop(columns=["alert_id"]).assign(rule=ln["rule"].map(rule_label))
                show_table(shown_ln, area="alerts", hide_index=True)
                download_table(
                    ln, f"alert-{r.alert_id}-lines", key=f"dl_{r.alert_id}", area="alerts"
                )
            elif len(dr):
                # what each driver row groups by, by the column's name (product, country ...;
                # "Province" where the dataset's places are provinces, as the sidebar says; a
                # Chinese province among countries is "Region", as the driver's sentence says)
                provinces = current_display().provinces
                dr = dr.assign(
                    by=[
                        driver_dimension(b, k, provinces=provinces)
                        for b, k in zip(dr["by"], dr["key"], strict=True)
                    ]
                )
                # net revenue and returns are money, in the dataset's currency ("£151.88",
                # not "151.8750"); orders stay a count
                is_money = dr["metric"].iloc[0] in ("net", "returns")
                kinds = dict.fromkeys(("actual", "usual", "change"), "money") if is_money else None
                show_table(
                    dr.drop(columns=["alert_id", "metric"]),
                    area="alerts",
                    kinds=kinds,
                    hide_index=True,
                )
    if len(shown) > 30:
        st.caption(
            _(
                "Details of the first 30 of {n} alerts; the table and CSV have all.",
                n=len(shown),
            )
        )

    left, right = st.columns([3, 2])
    with left:
        if res.series.empty:
            # said without a chart: its title over empty axes read as a broken chart, and
            # the series picker had nothing to pick
            st.caption(_("No daily series (too little history)"))
        else:
            metric = st.selectbox(
                L.label("series"),
                ["revenue", "orders", "aov", "return_rate", "new_customers"],
                format_func=L.label,
                key="al_metric",
            )
            symbol = current_display().symbol
            show_chart(series_figure(res, metric, symbol=symbol), width="stretch")
    with right:
        show_chart(severity_figure(res), width="stretch")

    with st.expander(_("Rules, muting and noise")):
        rules_table = res.rules.copy()
        rules_table["label"] = rules_table["rule"].map(rule_label)
        provinces = current_display().provinces
        rules_table["looks_for"] = rules_table["rule"].map(
            lambda r: _(looks_for(r, provinces=provinces)) if r in RULES else ""
        )
        rules_table["status"] = rules_table["status"].map(
            lambda s: _(STATUS_LABELS[s]) if s in STATUS_LABELS else s
        )
        # why a rule did not run: a Note naming the missing fields as the Data page does
        rules_table["note"] = rules_table["note"].map(tr_note)
        # within the expander's border, its long texts wrapped: one line a rule ran past it,
        # "Note" and "Alerts" cut at 1280 px
        show_table(
            rules_table.drop(columns=["rule"]),
            area="alerts",
            hide_index=True,
            fit=True,
            budget=EXPANDER_PX,
        )
        with st.form("al_mute_form"):
            rules = st.multiselect(
                _("Mute rules"),
                list(RULES),
                default=list(mute_rules),
                format_func=rule_label,
                key=K_MUTE_RULES,
                placeholder=_("No rule muted"),
            )
            products = sorted({p for p in a["product_id"].dropna()} | set(mute_products))
            # named as the reasons name them; the id is what is kept (a muted product with no
            # alert left keeps its bare id)
            names = dict(zip(a["product_id"], named.to_numpy(), strict=True))
            prods = st.multiselect(
                _("Mute products"),
                products,
                default=list(mute_products),
                format_func=lambda p: names.get(p) or p,
                key=K_MUTE_PRODUCTS,
                placeholder=_("No product muted"),
            )
            if st.form_submit_button(_("Save muting")):
                try:
                    get_store(ctx.workspace).set_alert_mutes(
                        ctx.dataset_id, rules=tuple(rules), products=tuple(prods)
                    )
                except EcomdashError as exc:
                    show_error(exc)
                else:
                    st.rerun()
        st.caption(
            _("Muting is saved with the dataset: the Overview strip and the CLI use it too.")
        )
        # a month as the cohort table writes it, 2024-11: its pandas Period went to the
        # browser as months since 1970 ("658", seen in Chromium on a Pinduoduo export)
        per_month = res.per_month()
        per_month["month"] = per_month["month"].astype(str)
        show_table(per_month, area="alerts", hide_index=True, kinds={"month": "text"})


#: How long the Overview waits for the alerts before drawing without them (seconds).
STRIP_BUDGET_S = 2.0


def _hidden_by_severity(alerts, chosen: list) -> str:
    """What an empty alerts table says: the period's alerts the Severity filter hides, by
    severity, and how to see them (the page opens on high and medium: a short history's
    alerts are often all low, and the table said to widen the sidebar's filters); the
    general sentence when the filter hides none."""
    hidden = alerts[~alerts["severity"].isin(chosen)] if chosen else alerts.iloc[:0]
    if hidden.empty:
        return EMPTY
    names = fmt.join(severity(s) for s in SEVERITIES if s in set(hidden["severity"]))
    return _n(
        "None of this period's alerts is of the severities chosen: {n} {severities} alert is "
        "hidden. Choose {severities} under Severity to see it.",
        "None of this period's alerts is of the severities chosen: {n} {severities} alerts "
        "are hidden. Choose {severities} under Severity to see them.",
        len(hidden),
        n=f"{len(hidden):,}",
        severities=names,
    )


@st.cache_data(max_entries=64, ttl=3600, show_spinner=False)
def _strip_rows(
    key: tuple, mute_rules: tuple, mute_products: tuple, lang: str, limit: int
) -> tuple[int, tuple[tuple, ...]]:
    """What the Overview's strip shows, small: the number of high alerts and the newest
    ``limit`` of them as (date, rule id, reason) (the reason in ``lang``). Every Overview run reads it, and
    reading the whole :func:`_alerts` entry instead (its daily series is ~2 MB to unpickle on
    the demo) and filtering it with pandas was half of a cached Overview run's CPU (py-spy
    under bench/bench_load.py)."""
    try:
        res = _alerts(key, mute_rules, mute_products, lang)
    except InsufficientDataError:
        # the data decides (too short, no dates): cached as nothing to show, so the Overview
        # does not start a worker process on every run; the Alerts page says why
        return 0, ()
    high = res.alerts[res.alerts["severity"] == "high"]
    rows = tuple((r.date, r.kind, r.reason) for r in high.head(limit).itertuples())
    return len(high), rows


def render_strip(ctx: PageContext, *, limit: int = 3) -> None:
    """The newest high alerts, at the top of the Overview (silent when there are none).

    The Overview never waits long for them: past ``STRIP_BUDGET_S`` the check goes on in the
    background (filling the cache the Alerts page uses too) and the strip says so.
    """
    try:
        n_high, rows = run_with_budget(
            _strip_rows,
            ctx.key,
            *_mutes(ctx),
            get_lang(),
            limit,
            seconds=STRIP_BUDGET_S,
            work_seconds=DEFAULT_BUDGET_S,  # the check goes on (killed at a page's budget)
            what=_("Checking for alerts"),
        )
    except TimeBudgetError:
        st.caption(_("Checking for alerts in the background: they show here on the next refresh."))
        return
    except EcomdashError:
        return
    if not rows:
        return
    with st.container(border=True, key="alerts_strip"):
        st.markdown(
            "**:red[" + _n("{n} high alert", "{n} high alerts", n_high, n=f"{n_high:,}") + "]**"
        )
        for when, kind, reason in rows:
            # merchant text (reasons name products): plain text only
            st.text(
                _(
                    "{when} · {rule}: {reason}",
                    when=fmt.long_date(when),
                    rule=rule_label(kind),
                    reason=reason,
                )
            )
        st.caption(_("Open the Alerts page for every alert, its lines and filters."))
