"""Forecast page section "Every series": forecast every series of a group (store ×
department, category, SKU) with a backtest per series and over the total; worst first."""

from __future__ import annotations

import functools

import streamlit as st

from ecomdash import labels as L
from ecomdash import schema as S
from ecomdash.charts.forecast_groups import series_figure, total_figure
from ecomdash.filters import Filters
from ecomdash.forecast_groups import (
    RECONCILIATIONS,
    GroupForecastResult,
    forecast_groups,
    series_name,
)
from ecomdash.i18n import N_, _, fmt
from ecomdash.i18n.note import tr_note
from ecomdash.ui.common import (
    PageContext,
    download_table,
    get_store,
    inert,
    run_with_budget,
    show_chart,
    timed_status,
)
from ecomdash.ui.forecast import in_metric_unit, metric_kinds
from ecomdash.ui.tables import current_display, show_table
from ecomdash.ui.worker import run_in_worker

K_PARAMS = "fg_params"
GROUP_LABELS = {
    S.LOCATION: N_("store / location"),
    S.CATEGORY: N_("department / category"),
    S.PRODUCT_ID: N_("product / SKU"),
    S.CHANNEL: N_("channel"),
    S.COUNTRY: N_("country"),
}
METRICS = {"revenue": N_("revenue"), "units": N_("units")}
GRAINS = {"W": N_("week"), "D": N_("day"), "M": N_("month")}
#: the help of the total's tile, per reconciliation (forecast_groups.RECONCILIATIONS)
TOTAL_HELP = {
    "mint_diag": N_(
        "The total forecast is the sum of the series forecasts after each is adjusted "
        "towards a direct forecast of the total, trusting a forecast more the better it "
        "fitted the past (MinT-diagonal reconciliation), so the parts always add up to the "
        "total."
    ),
    "bottom_up": N_(
        "The total forecast is the sum of the series forecasts as they are (bottom-up), so "
        "the parts always add up; the direct forecast of the total is shown beside it for "
        "comparison only."
    ),
}


def total_help(reconciliation: str) -> str:
    """The total tile's help in the UI language: what the reconciliation does, or, for one
    without a help of its own, its name as the chart's legend says it (never the raw text)."""
    return _(TOTAL_HELP.get(reconciliation, RECONCILIATIONS[reconciliation]))


#: The Every series table's columns on screen, in this order; the series' store and
#: department (its name says both), its history total and the seasonal naive error (the
#: error ratio is measured against it) are in the CSV download only: with all ten columns the
#: table ran past the page's right edge at 1280 px (Chromium, Chinese: 1,097 px of content in
#: 818; the English headers alone are 1,085 px drawn)
SERIES_SCREEN = ("series", "demand_class", "model", "mae", "ratio", "forecast_total")

_BY = {S.LOCATION: "location", S.CATEGORY: "category", S.PRODUCT_ID: "product"}
_BY.update({S.CHANNEL: "channel", S.COUNTRY: "country"})


@st.cache_data(max_entries=4, ttl=3600, show_spinner=False)
def _result(key: tuple, params: tuple) -> GroupForecastResult:
    workspace, dataset_id, _version, fkey = key
    by, metric, freq, horizon = params
    store = get_store(workspace)
    # the models run in a worker process (killed if the page's budget runs out); the series'
    # SQL is run here, on the store, when the worker asks for it
    return run_in_worker(
        forecast_groups,
        store,
        dataset_id,
        Filters.from_key(fkey),
        by=by,
        metric=metric,
        freq=freq,
        horizon=horizon,
        serve=store,
        what=_("Forecasting every series"),
    )


def group_options(columns: tuple[str, ...]) -> list[str]:
    """The groups a dataset can be forecast by: each group column, and store × department."""
    have = [c for c in S.GROUP_COLUMNS if c in columns]
    opts = [_BY[c] for c in have]
    if S.LOCATION in have and S.CATEGORY in have:
        opts.insert(0, "location,category")
    if S.LOCATION in have and S.PRODUCT_ID in have:
        opts.append("location,product")
    return opts


def _label(by: str) -> str:
    inv = {v: k for k, v in _BY.items()}
    return " × ".join(_(GROUP_LABELS[inv[p]]) for p in by.split(","))


def render(ctx: PageContext) -> None:
    opts = group_options(ctx.columns)
    if not opts:
        st.info(_("This dataset has no store, department, category or product column to group by."))
        return
    metrics = ["revenue"] + (["units"] if S.QUANTITY in ctx.columns else [])
    with st.form("fg_form"):
        c1, c2, c3, c4 = st.columns(4)
        by = c1.selectbox(_("Forecast every"), opts, format_func=_label, key="fg_by")
        metric = c2.selectbox(
            _("Measure"), metrics, format_func=lambda m: _(METRICS[m]), key="fg_metric"
        )
        freq = c3.selectbox(
            _("Grain"),
            list(GRAINS),
            format_func=lambda f: _(GRAINS[f]),
            key="fg_freq",
        )
        horizon = c4.number_input(L.label("horizon"), min_value=1, max_value=104, value=8)
        run = st.form_submit_button(_("Run"), type="primary", key="fg_run")
    if run:
        st.session_state[K_PARAMS] = (ctx.key, (by, metric, freq, int(horizon)))
    stored = st.session_state.get(K_PARAMS)
    if not (isinstance(stored, tuple) and stored[0] == ctx.key):
        st.info(_("Choose the group and press Run: every series gets its own backtest."))
        return
    params = stored[1]
    with timed_status(_("Forecasting every series")) as status:
        status.write(
            _("Summing each series in the store, then a backtest of every model per series…")
        )
        res = run_with_budget(
            _result, ctx.key, params, seconds=180, what=_("Forecasting every series")
        )
    for w in res.warnings:
        st.info(inert(tr_note(w)), icon="ℹ️")
    bt = res.backtest
    # errors in the metric's unit: money for revenue, plain numbers for units
    amount = functools.partial(in_metric_unit, metric=res.metric)
    kinds = metric_kinds(res.metric)
    a, b, c = st.columns(3)
    a.metric(L.label("series"), f"{bt['series']:,}", border=True)
    a.caption(_("Forecast with their backtests in {took}.", took=fmt.duration(res.seconds)))
    b.metric(
        _("Backtest error vs seasonal naive"),
        f"{bt['ratio']:.2f}×",
        help=_(
            "Mean absolute error of the chosen models, summed over every series, divided by "
            "that of the seasonal naive baseline (the same period last season). Below 1 is "
            "better."
        ),
        border=True,
    )
    b.caption(
        _(
            "Average miss (MAE), summed over every series: {auto} with the chosen models, "
            "{base} with the seasonal naive.",
            auto=amount(bt["auto"]),
            base=amount(bt["seasonal_naive"]),
        )
    )
    c.metric(
        _("Total: backtest error"),
        amount(bt["total_mae"]),
        help=total_help(res.reconciliation),
        border=True,
    )
    c.caption(
        _(
            "Sum of the series as forecast: {bottom_up}; direct forecast of the total "
            "({model}): {direct}; seasonal naive {naive}.",
            bottom_up=amount(bt["total_bottom_up_mae"]),
            model=L.model_label(res.direct_model, short=True),
            direct=amount(bt["total_direct_mae"]),
            naive=amount(bt["total_seasonal_naive_mae"]),
        )
    )
    show_chart(total_figure(res, symbol=current_display().symbol), width="stretch")
    st.subheader(_("Series, worst forecast first"))
    # demand patterns in the merchant's language, not ids; a group without a value too
    table = L.shown_classes(res.table)
    named = [c for c in ("series", *res.by) if c in table.columns]
    table = table.assign(**{c: table[c].map(series_name) for c in named})
    # the models by their short names ("Seasonal mean", not "… (average of the last 3
    # cycles)", 286 px drawn), whole within the page; the file keeps the ids
    show_table(
        table.assign(model=table["model"].map(lambda m: L.model_label(str(m), short=True))),
        area="forecast",
        kinds={**(kinds or {}), "model": "text"},
        hide_index=True,
        width="stretch",
        on_screen=SERIES_SCREEN,
    )
    d1, d2 = st.columns(2)
    with d1:
        download_table(
            table,
            "forecast-series-table",
            label=_("Download the table"),
            key="fg_dl_t",
            area="forecast",
            kinds=kinds,
        )
    with d2:
        download_table(
            res.forecasts,
            "forecast-series",
            label=_("Download forecasts"),
            key="fg_dl_f",
            area="forecast",
            kinds=kinds,
        )
    pick = st.selectbox(
        _("Show one series"), list(res.table["series"]), format_func=series_name, key="fg_pick"
    )
    if pick is not None:
        show_chart(series_figure(res, pick, symbol=current_display().symbol), width="stretch")
