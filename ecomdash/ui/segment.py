"""Segments page renderer: RFM segments, clusters with their explanation, movement, downloads.

Segment and cluster names are ours (generated from fixed words); customer ids are merchant
text and appear only in ``st.dataframe``, plotly hovers and formula-safe downloads.
"""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from ecomdash import labels as L
from ecomdash.charts import segment as charts
from ecomdash.errors import EcomdashError
from ecomdash.features import CustomerHistory
from ecomdash.segment import SEGMENT_NAMES, SegmentationResult, segment_history
from ecomdash.ui.common import (
    PageContext,
    cached_date_span,
    cached_history,
    download_table,
    fmt_int,
    fmt_money,
    run_with_budget,
    show_error,
    timed_status,
)
from ecomdash.ui.figcache import cached_figure
from ecomdash.ui.tables import fmt_date, long_dataframe, show_table

AUTO = "Automatic (best silhouette)"
K_PARAMS = "segment_params"


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def _date_range(key: tuple) -> tuple[date, date] | None:
    lo, hi = cached_date_span(key)
    if lo is None:
        return None
    return lo.date(), hi.date()


def _history(key: tuple) -> CustomerHistory:
    """Per-order history, aggregated in SQL (features at any date come from it in ms)."""
    return cached_history(key)


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def _result(key: tuple, params: tuple) -> SegmentationResult:
    """The whole page result, keyed by (ctx.key, (as_of, compare_to, k))."""
    as_of, compare_to, k = params
    return segment_history(_history(key), as_of=as_of, compare_to=compare_to, k=k)


def _params_form(ctx: PageContext, first: date, last: date) -> tuple[str, str, int | None]:
    default_cmp = max(first, last - timedelta(days=90))
    stored = st.session_state.get(K_PARAMS)
    if not (isinstance(stored, tuple) and stored[0] == ctx.key):
        stored = (ctx.key, last.isoformat(), default_cmp.isoformat(), None)
    # Stable keys and constant defaults: the widgets keep their identity across runs, so a
    # second change of k (or of a date) is never dropped.
    suffix = f"{ctx.dataset_id}_{ctx.version}"
    with st.form("segment_form"):
        c1, c2, c3 = st.columns(3)
        as_of_in = c1.date_input(
            "As of",
            value=last,
            min_value=first,
            max_value=last,
            key=f"seg_as_of_{suffix}",
            help="Recency, frequency and spend count the orders on or before this day.",
        )
        cmp_in = c2.date_input(
            "Compare with",
            value=default_cmp,
            min_value=first,
            max_value=last,
            key=f"seg_cmp_{suffix}",
            help="An earlier cut-off: the Movement tab shows who moved between segments since.",
        )
        k_options = [AUTO, *range(2, 11)]
        k_in = c3.selectbox(
            "Number of clusters",
            k_options,
            index=0,
            key=f"seg_k_{suffix}",
            help="Automatic picks the k with the best silhouette over 2..10.",
        )
        submitted = st.form_submit_button("Run", type="primary")
    if submitted:
        k_new = None if k_in == AUTO else int(k_in)
        stored = (ctx.key, as_of_in.isoformat(), cmp_in.isoformat(), k_new)
        st.session_state[K_PARAMS] = stored
    return stored[1], stored[2], stored[3]


def render(ctx: PageContext) -> None:
    rng = _date_range(ctx.key)
    if rng is None:
        st.info("No dated order lines in this dataset and period: nothing to segment.")
        return
    params = _params_form(ctx, *rng)
    try:
        with timed_status("Segmenting customers") as status:
            status.write("Customer features, RFM scores and segments")
            status.write("k-means over k = 2..10 with silhouette; decision-tree explanation")
            status.write("Segments at the comparison date, movement")
            res = run_with_budget(_result, ctx.key, params, what="Segmenting customers")
    except EcomdashError as exc:
        show_error(exc)
        return

    c = st.columns(4)
    c[0].metric("Customers", fmt_int(res.n_customers))
    c[1].metric("Guest orders left out", fmt_int(res.n_guest_orders))
    c[2].metric("Clusters (k)", "n/a" if res.clusters is None else str(res.clusters.k))
    c[3].metric(
        "Tree fidelity",
        "n/a" if res.explanation is None else f"{res.explanation.fidelity:.0%}",
    )
    st.caption(
        f"As of {res.params['as_of']}; guest orders (no customer id) are not segmented. "
        + " ".join(res.features.warnings)
    )
    tabs = st.tabs(["RFM segments", "Clusters", "Why this cluster?", "Movement", "Download"])
    fk = (ctx.key, params)  # every figure of the page depends only on these
    with tabs[0]:
        _rfm_tab(res, fk)
    with tabs[1]:
        _cluster_tab(res, fk)
    with tabs[2]:
        _explain_tab(res)
    with tabs[3]:
        _movement_tab(res, fk)
    with tabs[4]:
        _download_tab(res)


def _rfm_tab(res: SegmentationResult, fk: tuple) -> None:
    r = res.rfm
    st.plotly_chart(cached_figure(charts.segment_treemap, r, key=fk), width="stretch")
    show_table(r.segments, area="segments", hide_index=True, width="stretch")
    download_table(
        r.segments, "rfm-segments", label="Download segment table", key="dl_seg", area="segments"
    )
    st.plotly_chart(cached_figure(charts.rfm_grid, r, key=fk), width="stretch")
    st.caption(
        "Scores 1–5 are quintiles among this period's customers (ties broken by the other "
        "measures, then by customer id). FM is the rounded mean of the F and M scores."
    )


def _cluster_tab(res: SegmentationResult, fk: tuple) -> None:
    if res.clusters is None:
        st.info(res.cluster_error or "Clustering is not available for this data.")
        return
    cl = res.clusters
    sil = cl.silhouette
    quality = (
        "clearly separated"
        if sil >= 0.5
        else "reasonably separated"
        if sil >= 0.25
        else "weakly separated (overlapping groups)"
    )
    st.caption(
        f"k = {cl.k} ({'best silhouette over 2..10' if cl.k_chosen_by == 'silhouette' else 'your choice'}); "
        f"silhouette {sil:.2f}: the clusters are {quality}. Silhouette measured on "
        f"{cl.silhouette_sample:,} customers sampled with a fixed seed."
    )
    for w in cl.warnings:
        st.warning(w)
    left, right = st.columns([3, 2])
    left.plotly_chart(cached_figure(charts.silhouette_curve, cl, key=fk), width="stretch")
    with right:
        show_table(cl.curve, area="segments", hide_index=True, width="stretch")
    st.plotly_chart(cached_figure(charts.profile_heatmap, cl, key=fk), width="stretch")
    show_table(cl.profile, area="segments", hide_index=True, width="stretch")
    download_table(
        cl.profile, "cluster-profiles", label="Download profiles", key="dl_prof", area="segments"
    )
    st.plotly_chart(cached_figure(charts.pca_scatter, cl, key=fk), width="stretch")


def _explain_tab(res: SegmentationResult) -> None:
    if res.explanation is None:
        st.info(res.cluster_error or "No clusters to explain.")
        return
    e = res.explanation
    if e.good_enough:
        st.success(
            f"These rules put {e.fidelity:.0%} of customers in the same cluster as k-means "
            f"(target {e.target:.0%}), with a tree of depth {e.max_depth}."
        )
    else:
        st.warning(
            f"These rules put only {e.fidelity:.0%} of customers in the same cluster as k-means "
            f"(target {e.target:.0%}): read them as a rough guide, not an exact description. "
            "Fewer clusters usually give simpler, more faithful rules."
        )
    # Rules and cluster names are built from our own words and numbers (no merchant text).
    for cluster, part in e.rules.groupby("cluster", sort=True):
        st.markdown(f"**{cluster} · {part['name'].iloc[0]}**")
        st.markdown(
            "\n".join(
                f"- {r.rule} — {r.customers:,} customers, {r.agreement:.0%} of them in this cluster"
                for r in part.itertuples()
            )
        )
    show_table(
        e.rules,
        area="segments",
        hide_index=True,
        width="stretch",
        column_config={
            "rule": st.column_config.TextColumn(L.label("rule", "segments"), width="large")
        },
    )
    download_table(
        e.rules, "cluster-rules", label="Download rules", key="dl_rules", area="segments"
    )


def _movement_tab(res: SegmentationResult, fk: tuple) -> None:
    if res.movement is None:
        st.info(res.movement_error or "No comparison date.")
        return
    m = res.movement
    mat = m.matrix
    slipped = int(mat.loc["Loyal", "At risk"] + mat.loc["Champions", "At risk"])
    st.caption(
        f"From {fmt_date(m.start)} to {fmt_date(m.end)}: {m.stayed_share:.0%} of the customers who "
        f"had bought by {fmt_date(m.start)} stayed in their segment; {slipped:,} slipped from "
        "Champions or Loyal to At risk."
    )
    st.plotly_chart(cached_figure(charts.movement_sankey, m, key=fk), width="stretch")
    show_table(mat, area="segments", width="stretch")
    download_table(
        mat.reset_index(),
        "segment-movement",
        label="Download matrix",
        key="dl_mov",
        area="segments",
    )


def _download_tab(res: SegmentationResult) -> None:
    table = res.customers
    options = ["All customers"] + [s for s in SEGMENT_NAMES if (table["segment"] == s).any()]
    if "cluster_name" in table:
        names = res.clusters.names
        options += [f"Cluster {i}: {n}" for i, n in enumerate(names)]
    choice = st.selectbox("Customers of", options, key="seg_dl_choice")
    if choice == "All customers":
        part = table
    elif choice.startswith("Cluster "):
        part = table.loc[table["cluster"] == int(choice.split(":")[0].split()[1])]
    else:
        part = table.loc[table["segment"] == choice]
    st.caption(
        f"{len(part):,} customers, spend {fmt_money(part['monetary'].sum())}. "
        "The file is formula-safe; the customer ids are what an email or ads tool imports."
    )
    long_dataframe(part, area="segments", hide_index=True, width="stretch", height=300)
    stem = "customers-" + choice.split(":")[0].lower().replace(" ", "-")
    download_table(part, stem, label="Download customer list", key="dl_customers", area="segments")
