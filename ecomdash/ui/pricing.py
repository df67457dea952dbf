"""Pricing & promotions page renderer: elasticities, what-if, promotions, markdowns, validation.

The models run on arrival with default settings (cached per dataset version and filters);
what-if, margins and markdown settings are cheap and recomputed from the cached result.
Product ids, names and categories are merchant text: they appear only in st.dataframe,
widgets' option lists, plotly and formula-safe downloads.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ecomdash import labels as L
from ecomdash import pricing as P
from ecomdash.charts import pricing as charts
from ecomdash.errors import EcomdashError
from ecomdash.filters import Filters
from ecomdash.pricing.promotions import promotion_effects
from ecomdash.ui.common import (
    PageContext,
    download_table,
    fmt_int,
    get_store,
    inert,
    run_with_budget,
    show_error,
    timed_status,
)
from ecomdash.ui.tables import show_table


def _show(df: pd.DataFrame, table: str) -> pd.DataFrame:
    """The columns of pricing table ``table`` (ecomdash.labels.TABLES) in order, floats rounded;
    raw ids stay as column names, show_table(area=table) gives the headers."""
    cols = [c for c in L.TABLES[table] if c in df.columns]
    out = df[cols].copy()
    num = out.select_dtypes("float").columns
    out[num] = out[num].round(3)
    return out


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def _result(key: tuple, params: tuple) -> P.PricingResult:
    """Pricing models of ``key`` = PageContext.key with ``params`` = (cutoff,)."""
    workspace, dataset_id, _version, fkey = key
    cutoff, events = params
    pw = get_store(workspace).product_week_prices(dataset_id, Filters.from_key(fkey))
    ev = pd.DataFrame(list(events), columns=["product_id", "start", "end"]) if events else None
    return P.analyze(pw, cutoff=cutoff, events=ev)


def _events_input() -> tuple:
    """Promotions the merchant ran (product id, from, to), as a small hashable tuple."""
    with st.expander("Promotions you ran (optional)", expanded=False):
        st.caption(
            "Promotions are found where a product sold below its usual price. Add ones the "
            "prices do not show (free delivery, bundles): product id, first and last day."
        )
        empty = pd.DataFrame(
            {
                "Product": pd.Series(dtype="string"),
                "From": pd.Series(dtype="datetime64[s]"),
                "To": pd.Series(dtype="datetime64[s]"),
            }
        )
        edited = st.data_editor(
            empty,
            key="pr_events",
            num_rows="dynamic",
            hide_index=True,
            column_config={
                "From": st.column_config.DateColumn(),
                "To": st.column_config.DateColumn(),
            },
        )
    rows = []
    for _, r in edited.iterrows():
        if pd.isna(r["Product"]) or pd.isna(r["From"]) or pd.isna(r["To"]):
            continue
        rows.append(
            (
                str(r["Product"]).strip(),
                str(pd.Timestamp(r["From"]).date()),
                str(pd.Timestamp(r["To"]).date()),
            )
        )
    return tuple(sorted(rows))


def render(ctx: PageContext) -> None:
    # the results come first on the page, the optional inputs below them; the inputs are
    # read first (they are part of the cached call's parameters)
    head, inputs = st.container(), st.container()
    with inputs:
        events = _events_input()
    with head:
        res = _head(ctx, (None, events))
    if res is None:
        return
    with inputs:
        margin = _margin_inputs(res)
    tabs = st.tabs(["Elasticities", "What-if", "Promotions", "Markdowns", "Validation"])
    with tabs[0]:
        _elasticity_tab(res)
    with tabs[1]:
        _whatif_tab(res, margin)
    with tabs[2]:
        _promotion_tab(res, margin)
    with tabs[3]:
        _markdown_tab(res)
    with tabs[4]:
        _validation_tab(res)


def _head(ctx: PageContext, params: tuple) -> P.PricingResult | None:
    try:
        with timed_status("Measuring how demand answers price") as status:
            status.write("Units and prices per product and week (in the database)")
            status.write("Promotion weeks; one log-log demand model per product")
            status.write("Category models and partial pooling; held-out check; promotions")
            res = run_with_budget(_result, ctx.key, params, what="The pricing models")
    except EcomdashError as exc:
        show_error(exc)
        return None

    p = res.products
    n_own = int((p["status"] == "estimated").sum())
    n_cat = int((p["status"] == "category").sum())
    v = res.validation_summary
    c = st.columns(4)
    c[0].metric("Own elasticity", fmt_int(n_own), help="Products whose own price changes tell")
    c[1].metric("From category", fmt_int(n_cat), help="One-price products served by category")
    c[2].metric("No estimate", fmt_int(len(p) - n_own - n_cat))
    c[3].metric(
        "Held-out error vs naive",
        "n/a" if not v["n_products"] else f"{v['ratio']:.2f}×",
        help="Mean absolute error of the price model over the naive forecast (below 1: better)",
    )
    _verdict(res)
    for w in res.warnings:
        st.warning(inert(w))
    if n_own + n_cat == 0:
        st.info(
            "No product in this dataset has sold at two or more prices (each held 2+ weeks), "
            "so demand's answer to price cannot be measured. The table lists why for each "
            "product. An export spanning price changes or promotions will do."
        )
    return res


def _verdict(res: P.PricingResult) -> None:
    v = res.validation_summary
    if not v["n_products"]:
        st.info(
            "Held-out check: no product had enough price history before the cut-off "
            f"({v['cutoff']}) to test the model on the weeks after it."
        )
        return
    text = (
        f"On {v['n_weeks']:,} held-out product-weeks from {v['cutoff']} ({v['n_products']} "
        f"products), the price model's error is {v['model_mae']:.2f} units a week against "
        f"{v['baseline_mae']:.2f} for the naive forecast (the median of the weeks just before). "
        "The model is given the prices charged and the store's order count in those weeks."
    )
    (st.success if v["ratio"] < 1 else st.warning)(text)


def _margin_inputs(res: P.PricingResult) -> float | dict[str, float] | None:
    cats = sorted(res.products["category"].dropna().unique().tolist())
    with st.expander("Margins (for profit)", expanded=False):
        st.caption(
            "Profit needs a cost. Enter the margin as % of the current price; leave 0 when "
            "unknown (profit views then say what they need)."
        )
        if not cats:
            m = st.number_input("Margin % for every product", 0.0, 95.0, 0.0, 5.0, key="pr_m")
            return m / 100 if m > 0 else None
        default = pd.DataFrame({"Category": cats, "Margin %": [0.0] * len(cats)})
        edited = st.data_editor(
            default,
            key="pr_margins",
            hide_index=True,
            disabled=["Category"],
            column_config={
                "Margin %": st.column_config.NumberColumn(min_value=0.0, max_value=95.0, step=5.0)
            },
        )
    got = {r["Category"]: r["Margin %"] / 100 for _, r in edited.iterrows() if r["Margin %"] > 0}
    return got or None


def _elasticity_tab(res: P.PricingResult) -> None:
    if (res.products["status"] == "estimated").any():
        st.plotly_chart(charts.elasticity_chart(res), width="stretch")
    st.caption(
        "Elasticity −1.5 means 10 % higher price → about 15 % fewer units. 'Own data, pooled "
        "with category' estimates lean towards the category's; 'category estimate' rows had "
        "one price and borrow the category's value."
    )
    if len(res.categories):
        st.subheader("Categories")
        show_table(
            _show(res.categories, "pricing.categories"), area="pricing.categories", hide_index=True
        )
    st.subheader("Products")
    show_table(_show(res.products, "pricing.products"), area="pricing.products", hide_index=True)
    download_table(
        res.products, "pricing-elasticities", key="dl_pr_products", area="pricing.products"
    )


def _whatif_tab(res: P.PricingResult, margin) -> None:
    has = res.products[res.products["status"] != "no estimate"]
    if has.empty:
        st.info(
            "No product has an elasticity, so there is nothing to simulate: products need "
            "price changes over time. Widen the period in the sidebar; the Elasticities tab says "
            "why each product has none."
        )
        return
    options = has.sort_values("revenue", ascending=False)["product_id"].tolist()
    c1, c2 = st.columns([2, 1])
    pid = c1.selectbox("Product", options, key="pr_whatif_product")
    change = c2.slider("Price change %", -30, 30, 10, 1, key="pr_whatif_change")
    cats = sorted(has["category"].dropna().unique().tolist())
    whole = None
    if cats:
        whole = st.selectbox(
            "…or the whole category (every product with an elasticity)",
            ["—", *cats],
            key="pr_whatif_category",
        )
        whole = None if whole == "—" else whole
    try:
        w = P.what_if(res, products=[pid], change_pct=float(change), margin=margin)
        wc = (
            P.what_if(res, category=whole, change_pct=float(change), margin=margin)
            if whole
            else None
        )
    except EcomdashError as exc:
        show_error(exc)
        return
    row = w.table.iloc[0]
    if row["note"]:
        st.warning(
            f"{row['new_price']:,.2f} is outside the prices this product has had "
            f"({row['allowed_low']:,.2f}–{row['allowed_high']:,.2f} with the ±10 % allowed): "
            "no estimate — we never extrapolate beyond them."
        )
    else:
        m = st.columns(3)
        m[0].metric(
            "Units a week",
            f"{row['units']:,.1f}",
            f"{row['units'] - row['units_now']:+,.1f}",
            help=f"90% band {row['units_low']:,.1f}–{row['units_high']:,.1f}",
        )
        m[1].metric(
            "Revenue a week",
            f"{row['revenue']:,.2f}",
            f"{row['revenue'] - row['revenue_now']:+,.2f}",
        )
        if pd.notna(row["profit"]):
            m[2].metric(
                "Profit a week",
                f"{row['profit']:,.2f}",
                f"{row['profit'] - row['profit_now']:+,.2f}",
            )
        else:
            m[2].metric("Profit a week", "needs a margin")
    st.caption(
        f"Best price inside the range this product has had: {row['best_price']:,.2f} "
        f"(maximises {row['best_for']}). Units come from the elasticity "
        f"{row['elasticity']:.2f} ({row['source']}) around the last 8 weeks' sales."
    )
    for warn in w.warnings:
        st.caption(inert(warn))
    st.plotly_chart(charts.demand_curve(w, pid), width="stretch")
    table = w.table if wc is None else wc.table
    if wc is not None:
        ok = wc.table["units"].notna()
        t = wc.table[ok]
        st.caption(
            f"Whole category at {change:+d} %: {len(t)} products, units a week "
            f"{t['units_now'].sum():,.1f} → {t['units'].sum():,.1f}, revenue a week "
            f"{t['revenue_now'].sum():,.2f} → {t['revenue'].sum():,.2f}"
            + (
                f"; {int((~ok).sum())} more would leave the prices they have had and are left out."
                if (~ok).any()
                else "."
            )
        )
    show_table(_show(table, "pricing.whatif"), area="pricing.whatif", hide_index=True)
    download_table(table, "pricing-whatif", key="dl_pr_whatif", area="pricing.whatif")


def _promotion_tab(res: P.PricingResult, margin) -> None:
    promos = res.promotions
    if margin is not None and len(promos):
        weeks = res.panel.groupby("week")["store_orders"].first()
        promos = promotion_effects(res.panel, weeks, margin=margin)
    if promos.empty:
        st.info(
            "No promotion found: no product sold for up to 6 weeks at 5 %+ below its usual "
            "price and then went back to it."
        )
        return
    st.plotly_chart(charts.promotion_chart(res), width="stretch")
    st.caption(
        "Lift: units per store order during the promotion over the 8 regular weeks before "
        "(1.5 = half as many again). Dip: the same in the 2 weeks after (negative: sales "
        "pulled forward). Net revenue adds both against the regular price."
        + ("" if margin is not None else " Net profit needs a margin (above).")
    )
    show_table(_show(promos, "pricing.promos"), area="pricing.promos", hide_index=True)
    download_table(promos, "pricing-promotions", key="dl_pr_promos", area="pricing.promos")
    pid = st.selectbox("Show weeks of", promos["product_id"].unique().tolist(), key="pr_pp")
    st.plotly_chart(charts.price_units_timeline(res, pid), width="stretch")


def _markdown_tab(res: P.PricingResult) -> None:
    c1, c2 = st.columns([1, 2])
    weeks = c1.slider("Clear within (weeks)", 2, 26, 8, key="pr_md_weeks")
    up = c2.file_uploader(
        "Stock on hand (optional CSV: product id, units)", type=["csv"], key="pr_md_stock"
    )
    stock = None
    if up is not None:
        from ecomdash.inventory import read_stock

        try:
            stock = read_stock(up.getvalue())
        except EcomdashError as exc:
            show_error(exc)
    md = P.markdown_candidates(res, weeks_to_clear=weeks, stock=stock)
    st.caption(
        "Slow movers: products with an elasticity whose units over the last 8 weeks fell to "
        "75 % or less of the 8 weeks before. The markdown is what the elasticity says brings "
        "them back to the earlier rate, never below 10 % under the lowest price they have had. "
        "With stock on hand (the restock planner's file) a product whose stock lasts longer "
        "than the chosen weeks is a candidate too, and the markdown is what clears it in time."
    )
    if md.empty:
        st.info(
            "No slow mover with an elasticity right now: nothing needs a markdown. Change the "
            "weeks above, or load stock on hand in the restock planner to count overstock too."
        )
        return
    show_table(_show(md, "pricing.markdowns"), area="pricing.markdowns", hide_index=True)
    download_table(md, "pricing-markdowns", key="dl_pr_md", area="pricing.markdowns")


def _validation_tab(res: P.PricingResult) -> None:
    if res.validation.empty:
        st.info(
            "No product could be checked on held-out weeks: a product needs price changes "
            "before and during the last weeks. Widen the period in the sidebar for more history."
        )
        return
    st.plotly_chart(charts.validation_chart(res), width="stretch")
    show_table(
        _show(res.validation, "pricing.validation"), area="pricing.validation", hide_index=True
    )
    download_table(res.validation, "pricing-validation", key="dl_pr_val", area="pricing.validation")
