"""Forecast & restock page, the restock planner tab: reorder points from the top products'
weekly unit forecasts, the merchant's units on hand (a file or typed in), ABC × XYZ classes.

Merchant text (product ids and names) is shown only through ``st.dataframe``, the data editor
and formula-safe downloads; notes of ours go through ``inert``.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ecomdash import inventory as inv
from ecomdash import labels as L
from ecomdash import schema as S
from ecomdash.charts import forecast as charts
from ecomdash.errors import InputFileError
from ecomdash.filters import Filters
from ecomdash.forecast import from_store as FS
from ecomdash.i18n import _, _n, fmt
from ecomdash.i18n.note import tr_note, translated
from ecomdash.stock_file import MAX_SMALL_FILE_BYTES, match_stock, read_stock
from ecomdash.ui import forecast as F_UI
from ecomdash.ui.common import (
    PageContext,
    download_table,
    get_store,
    inert,
    refusable_step,
    run_with_budget,
    show_chart,
    show_error,
    timed_status,
)
from ecomdash.ui.stock import STOCK_FILE_EXPLAINED, STOCK_FILE_TYPES, show_stock_match
from ecomdash.ui.tables import percent_format, show_table, table_config
from ecomdash.ui.uploader import file_uploader

K_RESTOCK = "forecast_restock_params"
#: The plan's columns a merchant acts on, first in its table and CSV (the rest keep their order).
FIRST_COLUMNS = (
    "product_id",
    "product_name",
    "reorder_point",
    "on_hand",
    "order_qty",
    "stockout_date",
    "days_of_cover",
    "daily_demand",
    "safety_stock",
)
#: The plan's columns on screen: which product, the stock level to reorder at, the units on
#: hand, what to order now and when it runs out; the id, days of cover, demand, safety stock,
#: classes and the forecast behind it in the CSV. With all 18 the table ran past the page's
#: edge (2,187 px of content in a 938 px table in English, 2,018 in Chinese; Chromium, 1400 px).
PLAN_SCREEN = ("product_name", "reorder_point", "on_hand", "order_qty", "stockout_date")

# --- cached adapters (keyed by ctx.key + small tuples, never by a frame) ---------------------


@st.cache_data(max_entries=8, ttl=3600, show_spinner=False)
def _restock_inputs(key: tuple) -> dict:
    """Sales per product and week and the last order date, reduced in SQL (``from_store``)."""
    workspace, dataset_id, _version, fkey = key
    return FS.restock_inputs(get_store(workspace), dataset_id, Filters.from_key(fkey))


def _restock(key: tuple, **kwargs) -> inv.RestockResult:
    workspace, dataset_id, _version, fkey = key
    return FS.plan_restock(
        get_store(workspace),
        dataset_id,
        Filters.from_key(fkey),
        inputs=_restock_inputs(key),
        **kwargs,
    )


@st.cache_data(max_entries=8, ttl=3600, show_spinner=False)
def _plan(key: tuple, params: tuple) -> inv.RestockResult:
    """The restock plan without stock levels (the planner's base; the home's finding)."""
    service, lead, review, top = params
    return _restock(
        key,
        lead_time_days=lead,
        service_level=service,
        review_days=review,
        top=top,
        many=F_UI.many_forecasts(key, (top, "units", 8, 4))[0],
    )


#: Restock planner defaults: service level, lead time (days), days between orders, top products
#: (the core's, shared with the report).
RESTOCK_DEFAULTS = inv.RESTOCK_DEFAULTS


def default_plan(ctx: PageContext) -> inv.RestockResult:
    """The restock plan at :data:`RESTOCK_DEFAULTS`, without stock levels (cached)."""
    return _plan(ctx.key, RESTOCK_DEFAULTS)


def render(ctx: PageContext) -> None:
    """The restock planner tab."""
    if S.missing_for("restock", ctx.columns):
        st.info(
            _(
                "The restock planner needs product id, quantity and order date columns; this "
                "dataset lacks {missing}.",
                missing=fmt.join(L.label(c) for c in sorted(S.missing_for("restock", ctx.columns))),
            )
        )
        return
    with st.form("restock_form"):
        c1, c2, c3, c4 = st.columns(4)
        # a percentage, as the column help and the report say it ("95 %", was "0.95")
        service_pct = c1.slider(
            _("Service level"),
            80.0,
            99.5,
            95.0,
            0.5,
            format=percent_format(1),
            help=_("Chance of not running out during a lead time."),
            key="restock_service",
        )
        service = round(service_pct / 100, 4)
        lead = c2.number_input(
            _("Lead time (days)"),
            min_value=1,
            max_value=365,
            value=14,
            help=_("Days from placing an order with your supplier until its units can be sold."),
        )
        review = c3.number_input(
            _("Days between restock orders"),
            min_value=0,
            max_value=365,
            value=7,
            help=_(
                "How often you order (7: once a week; 0: any day). An order also covers these "
                "days, so it lasts until the next one."
            ),
        )
        # a count ("Top products" is 热销商品 in Chinese, best sellers, not how many)
        top = c4.number_input(
            _("Top products by revenue"), min_value=1, max_value=500, value=100, key="restock_top"
        )
        run = st.form_submit_button(_("Plan"), type="primary")
    if run:
        st.session_state[K_RESTOCK] = (
            ctx.key,
            (float(service), float(lead), float(review), int(top)),
        )
    params = F_UI.stored_params(K_RESTOCK, ctx) or RESTOCK_DEFAULTS
    service, lead, review, top = params
    with timed_status(_("Planning restock")) as status:
        with refusable_step(status, _("Weekly unit forecasts per product…")):
            # page budgets: over one, the forecasts' worker is killed and the page says so
            many, _cut = run_with_budget(
                F_UI.many_forecasts,
                ctx.key,
                (top, "units", 8, 4),
                what=_("Forecasting the top {n} products", n=top),
            )
        status.write(_("Safety stock, reorder points, ABC/XYZ classes…"))
        base = run_with_budget(_plan, ctx.key, params, what=_("Planning restock"))
    up = file_uploader(
        _("Current stock (CSV or Excel: product id and units on hand)"),
        types=STOCK_FILE_TYPES,
        explained_types=STOCK_FILE_EXPLAINED,
        key="stock_file",
        max_bytes=MAX_SMALL_FILE_BYTES,
    )
    stock = None
    if up is not None:
        try:
            stock = read_stock(up.getvalue())
        except InputFileError as err:
            show_error(translated(err))
        else:
            # the file's ids as the sales data writes them ("tex-271" is TEX-271's stock; it
            # was "not planned"), and those left out because which product is meant is not
            # known
            matched = match_stock(stock, base.classes.index)
            stock = matched.stock
            # ids the plan has no row for were ignored in silence: counted and named
            show_stock_match(matched, also=inv.stock_not_planned(stock, base))
    st.caption(_("Type or correct units on hand in the table (stock-out dates and orders update)."))
    editor = base.plan[["product_id", "product_name"]].copy()
    editor["on_hand"] = (
        stock.reindex(editor["product_id"]).to_numpy() if stock is not None else float("nan")
    )
    edited = st.data_editor(
        editor,
        disabled=["product_id", "product_name"],
        column_config={
            **table_config(editor[["product_id", "product_name"]], area="forecast"),
            "on_hand": st.column_config.NumberColumn(L.label("on_hand"), min_value=0, step=1),
        },
        hide_index=True,
        placeholder="",  # an empty cell to type in, not "None"
        key=f"stock_editor_{'file' if stock is not None else 'none'}",
        width="stretch",
    )
    stock_in = pd.Series(
        edited["on_hand"].to_numpy(dtype=float), index=edited["product_id"]
    ).dropna()
    res = _restock(
        ctx.key,
        lead_time_days=lead,
        service_level=service,
        review_days=review,
        top=top,
        many=many,
        stock=stock_in if len(stock_in) else None,
    )
    # what to act on here (units on hand) in view; the forecasts' notes (incomplete weeks,
    # models used), four or five boxes that pushed the plan below the fold, in one expander
    for w in res.stock_notes:
        st.info(inert(tr_note(w)), icon="ℹ️")
    fc_notes = res.forecasts.warnings
    if fc_notes:
        with st.expander(
            _n(
                "{n} note on the forecasts behind the plan",
                "{n} notes on the forecasts behind the plan",
                len(fc_notes),
                n=len(fc_notes),
            )
        ):
            for w in fc_notes:
                st.markdown(f"- {inert(tr_note(w))}")
    plan = res.plan
    known, n_order, n_soon = res.stock_counts()
    # without units on hand nothing is known about reordering: "—", not 0 (nothing to do)
    unknown = _("Needs units on hand: upload your stock or type it in the table above.")
    c1, c2, c3 = st.columns(3)
    c1.metric(_("Products planned"), f"{len(plan)}")
    c2.metric(_("To reorder now"), f"{n_order}" if known else "—", help=None if known else unknown)
    c3.metric(
        _("Run out within the lead time"),
        f"{n_soon}" if known else "—",
        help=None if known else unknown,
    )
    if 0 < known < len(plan):  # total ≥ 2 here, always plural
        st.caption(
            _(
                "Reorder and run-out counts cover only the {n} of {total} products with units "
                "on hand.",
                n=known,
                total=len(plan),
            )
        )
    # the plan at the page's full width: at 3/5 of it the columns a merchant acts on were cut
    # ("Order now (uni…") and the ABC × XYZ cells beside it were too small to read
    shown = L.shown_classes(plan)
    # what to do first (the point to reorder at, what is on hand, what to order), then why
    # (demand, classes, the forecast behind it)
    shown = shown[
        [
            *[c for c in FIRST_COLUMNS if c in shown],
            *shown.columns.difference(FIRST_COLUMNS, sort=False),
        ]
    ]
    show_table(shown, area="forecast", hide_index=True, width="stretch", on_screen=PLAN_SCREEN)
    # the CSV's figures as the table shows them: whole units of stock, not "211.186798"
    places = {
        c: L.column(c, "forecast").places
        for c in shown.columns
        if L.column(c, "forecast").kind in ("number", "money")
    }
    download_table(
        shown,
        "restock-plan",
        key="dl_restock",
        area="forecast",
        prepare=lambda df: df.round(places),
    )
    st.caption(
        _(
            "ABC × XYZ over all {n} products with sales: A = the products making the first "
            "80\u00a0% of revenue, B = the next 15\u00a0%, C = the last 5\u00a0%; X = steady weekly demand "
            "(CV ≤ 0.5), Y = CV ≤ 1, Z = erratic (CV > 1).",
            n=f"{len(res.classes):,}",
        )
    )
    left, right = st.columns([3, 2])
    with left:
        show_chart(charts.abc_xyz_figure(res), width="stretch")
    with right:
        show_table(res.matrix, area="forecast", width="stretch")
