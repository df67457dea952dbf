"""Segments page renderer: RFM segments, clusters with their explanation, movement, downloads.

Segment and cluster names are ours (generated from fixed words); customer ids are merchant
text and appear only in ``st.dataframe``, plotly hovers and formula-safe downloads.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import streamlit as st

from ecomdash import schema as S
from ecomdash.charts import segment as charts
from ecomdash.errors import EcomdashError
from ecomdash.features import CustomerHistory
from ecomdash.i18n import N_, _, _n, fmt, get_lang
from ecomdash.i18n.fmt import NBSP, long_date, pct
from ecomdash.i18n.note import tr_note
from ecomdash.segment import (
    SEGMENT_NAMES,
    SegmentationResult,
    default_compare_to,
    segment_history,
    short_history_note,
)
from ecomdash.segment.clusters import ALL_ID, REPEAT_ID, k_choice
from ecomdash.ui.common import (
    PageContext,
    cached_date_span,
    cached_history,
    download_table,
    fmt_int,
    fmt_money,
    run_with_budget,
    show_chart,
    show_error,
    timed_status,
)
from ecomdash.ui.figcache import lazy_figure
from ecomdash.ui.tables import (
    current_display,
    head_for_screen,
    show_cached_table,
    show_count_matrix,
)
from ecomdash.ui.worker import run_in_worker

AUTO = "auto"  # the k selectbox's option for "pick k by silhouette" (a stable id)
AUTO_LABEL = N_("Automatic (by silhouette)")
K_PARAMS = "segment_params"
#: session key of the open tab (its label in the UI language; another language's label, or
#: none, opens the first tab)
TAB_KEY = "seg_tab"
#: session key of the Download tab's "Customers of" choice (kept across tab switches)
DL_KEY = "seg_dl_choice"
#: what the segment table shows in the UI language (ids stay English in the data)
_SEGMENT_TEXT = ("segment", "definition", "action")
#: The RFM segments' columns on screen: the segment, what to do, how many customers and their
#: share of customers and of revenue; the definition, the revenue and the medians in the CSV.
#: With all 10 the table ran past the page's right edge, "What to do" cut mid-sentence
#: (Chromium, both languages): now its text wraps in taller rows within the page.
RFM_SCREEN = ("segment", "action", "customers", "customer_share", "revenue_share")
#: The cluster profiles' columns on screen: the cluster, its name, how many customers and
#: their share of customers and of revenue; the medians the heatmap above shows are in the
#: CSV. With all 13 the table ran some 1,100 px past the page's right edge; the long names
#: ("Lapsed occasional low spenders buying narrowly (newer customers)") wrap within the page.
PROFILE_SCREEN = ("cluster", "name", "customers", "customer_share", "revenue_share")
#: The customer list's columns on screen: who, days since their last order, orders, spend,
#: segment and cluster; the R, F and M scores and the RFM score in the CSV. With all 11 the
#: table ran past the page's right edge.
CUSTOMER_SCREEN = (
    "customer_id",
    "recency_days",
    "frequency",
    "monetary",
    "segment",
    "cluster",
    "cluster_name",
)


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
def _result(key: tuple, params: tuple, lang: str) -> SegmentationResult:
    """The whole page result, keyed by (ctx.key, (as_of, compare_to, k), language): cluster
    names, rules and warnings are built in the language of the run that computes them."""
    as_of, compare_to, k = params
    # the k sweep runs in a worker process, killed if the page's budget runs out
    return run_in_worker(
        segment_history,
        _history(key),
        as_of=as_of,
        compare_to=compare_to,
        k=k,
        what=_("Segmenting customers"),
    )


@st.cache_resource(max_entries=16, ttl=3600, show_spinner=False)
def _page_result(key: tuple, params: tuple, lang: str) -> SegmentationResult:
    """:func:`_result` as the page reads it on every run: without the per-customer frames
    that only its charts use (features, RFM scores, cluster labels and PCA coordinates, the
    tree's predictions: left empty). Those were two thirds of the result's 3.7 MB on the
    demo; the charts are built from the full result (:func:`_chart`), once per key.

    A resource cache, not a data cache: ``st.cache_data`` unpickles its value on every read
    (the customer table alone is 1.2 MB pickled on the demo), ``st.cache_resource`` hands
    every run the same object. The page only reads it (frames are filtered or ``assign``-ed
    into new ones, never written in place), so sharing it between sessions is safe."""
    return _slim(_result(key, params, lang))


def _slim(res: SegmentationResult) -> SegmentationResult:
    cl, e = res.clusters, res.explanation
    return replace(
        res,
        features=replace(res.features, table=res.features.table.iloc[:0]),
        rfm=replace(res.rfm, customers=res.rfm.customers.iloc[:0]),
        clusters=None
        if cl is None
        else replace(cl, labels=cl.labels.iloc[:0], pca=cl.pca.iloc[:0]),
        explanation=None if e is None else replace(e, predicted=e.predicted.iloc[:0]),
    )


def _chart(build, part: str, fk: tuple, **kwargs) -> None:
    """A cached chart of ``part`` of the full result (``fk`` = (ctx.key, params, lang), the
    arguments of :func:`_result`, read only when the figure is not cached yet)."""
    show_chart(lazy_figure(build, lambda: (getattr(_result(*fk), part),), key=fk), **kwargs)


def _params_form(ctx: PageContext, first: date, last: date) -> tuple[str, str, int | None]:
    default_cmp = default_compare_to(first, last)
    stored = st.session_state.get(K_PARAMS)
    if not (isinstance(stored, tuple) and stored[0] == ctx.key):
        stored = (ctx.key, last.isoformat(), default_cmp.isoformat(), None)
    # Stable keys and constant defaults: the widgets keep their identity across runs, so a
    # second change of k (or of a date) is never dropped.
    suffix = f"{ctx.dataset_id}_{ctx.version}"
    with st.form("segment_form"):
        c1, c2, c3 = st.columns(3)
        as_of_in = c1.date_input(
            _("As of"),
            value=last,
            min_value=first,
            max_value=last,
            key=f"seg_as_of_{suffix}",
            format=current_display().picker_format,
            help=_("Recency, frequency and spend count the orders on or before this day."),
        )
        cmp_in = c2.date_input(
            _("Compare with"),
            value=default_cmp,
            min_value=first,
            max_value=last,
            key=f"seg_cmp_{suffix}",
            format=current_display().picker_format,
            help=_("An earlier cut-off: the Movement tab shows who moved between segments since."),
        )
        k_options = [AUTO, *range(2, 11)]
        k_labels = {AUTO: _(AUTO_LABEL), **{k: str(k) for k in range(2, 11)}}
        k_in = c3.selectbox(
            _("Number of clusters"),
            k_options,
            index=0,
            # labels made in this run (AppTest formats a chosen value again outside the run)
            format_func=k_labels.get,
            key=f"seg_k_{suffix}",
            help=_(
                "Automatic picks the fewest clusters whose silhouette is within sampling noise "
                "of the best for 2 to 10 clusters."
            ),
        )
        submitted = st.form_submit_button(_("Run"), type="primary")
    if submitted:
        k_new = None if k_in == AUTO else int(k_in)
        stored = (ctx.key, as_of_in.isoformat(), cmp_in.isoformat(), k_new)
        st.session_state[K_PARAMS] = stored
    return stored[1], stored[2], stored[3]


def render(ctx: PageContext) -> None:
    rng = _date_range(ctx.key)
    if rng is None:
        st.info(_("No dated order lines in this dataset and period: nothing to segment."))
        return
    params = _params_form(ctx, *rng)
    try:
        with timed_status(_("Segmenting customers")) as status:
            status.write(_("Customer features, RFM scores and segments"))
            status.write(
                _(
                    "Clusters: k-means for 2 to 10 clusters, the number by silhouette; rules "
                    "that explain them"
                )
            )
            status.write(_("Segments at the comparison date, movement"))
            res = run_with_budget(
                _page_result, ctx.key, params, get_lang(), what=_("Segmenting customers")
            )
    except EcomdashError as exc:
        show_error(exc)
        return

    c = st.columns(4)
    c[0].metric(
        _("Customers"), fmt_int(res.n_customers), help=_(S.customer_definition(ctx.columns))
    )
    c[1].metric(
        _("Guest orders left out"),
        fmt_int(res.n_guest_orders),
        help=_(
            "Orders without a customer id: nobody can be followed from one such order to the "
            "next, so they are in no segment or cluster."
        ),
    )
    c[2].metric(
        _("Clusters (k)"),
        _("n/a") if res.clusters is None else str(res.clusters.k),
        help=_(
            "Groups of customers who ordered at least twice, each buying alike (k-means on "
            "their recency, orders, spend and the like). One-time buyers are a group of their "
            "own, not counted here."
        ),
    )
    c[3].metric(
        _("Tree fidelity"),
        _("n/a") if res.explanation is None else pct(res.explanation.fidelity, 0),
        help=None if res.explanation is None else fidelity_help(res.explanation.target),
    )
    st.caption(
        fmt.sentences(
            [
                _(
                    "As of {date}; guest orders (no customer id) are not segmented.",
                    date=long_date(date.fromisoformat(res.params["as_of"])),
                ),
                *res.features.warnings,
            ]
        )
    )
    # Only the open tab runs (and is sent): Streamlit reruns the page when the merchant
    # switches tabs (``on_change="rerun"``), a cached run. Drawing all five on every run sent
    # every figure and table of the page on each click (266 KB a run on the demo, most of
    # it in tabs nobody had open) and cost most of a cached run's CPU.
    # A widget not drawn in a run loses its state: keep the Download tab's choice while
    # another tab is open (re-assigning the key makes it the session's, not the widget's).
    if DL_KEY in st.session_state:
        st.session_state[DL_KEY] = st.session_state[DL_KEY]
    tabs = st.tabs(
        [
            _("RFM segments"),
            _("Clusters by behaviour"),
            _("Why this cluster?"),
            _("Movement"),
            _("Download"),
        ],
        key=TAB_KEY,
        on_change="rerun",
    )
    # every figure of the page depends only on these (and on the language of its text)
    fk = (ctx.key, params, get_lang())
    for tab, draw in zip(
        tabs, (_rfm_tab, _cluster_tab, _explain_tab, _movement_tab, _download_tab), strict=True
    ):
        if tab.open:
            with tab:
                draw(res, fk)


def fidelity_help(target: float) -> str:
    """How to read the Tree fidelity tile: what the share counts, and from which share the
    rules of the "Why this cluster?" tab can be trusted."""
    return _(
        "The share of the customers who ordered at least twice whom the short rules on the "
        "Why this cluster? tab put in the same cluster as k-means did. From {target} the rules "
        "describe the clusters well; below it, read them as a rough guide.",
        target=pct(target, 0),
    )


def _rfm_tab(res: SegmentationResult, fk: tuple) -> None:
    r = res.rfm
    # on a short history, that "not for a long time" segments hold customers who bought
    # weeks ago (the report's segments section and `ecomdash segment` say it too)
    if (recent := short_history_note(r)) is not None:
        st.info(tr_note(recent))
    _chart(charts.segment_treemap, "rfm", fk, width="stretch")
    table = translated(r.segments)
    show_cached_table(
        lambda: table,
        key=fk,
        name="segments",
        area="segments",
        hide_index=True,
        width="stretch",
        # every segment in view: its rows wrap to three lines, and at Streamlit's own height
        # 5 of 11 showed before the table scrolled
        height="content",
        on_screen=RFM_SCREEN,
        fit=True,
    )
    download_table(
        table, "rfm-segments", label=_("Download segment table"), key="dl_seg", area="segments"
    )
    _chart(charts.rfm_grid, "rfm", fk, width="stretch")
    st.caption(
        _(
            "Scores 1–5 are quintiles among this period's customers (ties broken by the other "
            "measures, then by customer id). FM is the rounded mean of the F and M scores."
        )
    )


def translated(table, columns: tuple[str, ...] = _SEGMENT_TEXT):
    """``table`` with its segment names, meanings and actions in the UI language (a copy;
    the result keeps the English ids, so switching language keeps the same segments)."""
    cols = [c for c in columns if c in table.columns]
    if not cols:
        return table
    return table.assign(**{c: table[c].astype(str).map(_) for c in cols})


def _cluster_tab(res: SegmentationResult, fk: tuple) -> None:
    if res.clusters is None:
        st.info(res.cluster_error or _("Clustering is not available for this data."))
        return
    cl = res.clusters
    quality = {
        "clear": _("clearly separated"),
        "reasonable": _("reasonably separated"),
        "weak": _("weakly separated (overlapping groups)"),
    }[cl.separation]
    chosen = k_choice(cl)  # the words `ecomdash segment` prints too
    st.caption(
        _(
            "k = {k} ({chosen}); silhouette {sil}: the clusters are {quality}. Silhouette "
            "measured on {n} customers sampled with a fixed seed.",
            k=cl.k,
            chosen=chosen,
            sil=f"{cl.silhouette:.2f}",
            quality=quality,
            n=f"{cl.silhouette_sample:,}",
        )
        if cl.silhouette_samples < 2
        else _(
            "k = {k} ({chosen}); silhouette {sil}: the clusters are {quality}. Silhouette: "
            "the mean over {m} samples of {n} customers, drawn with fixed seeds.",
            k=cl.k,
            chosen=chosen,
            sil=f"{cl.silhouette:.2f}",
            quality=quality,
            m=cl.silhouette_samples,
            n=f"{cl.silhouette_sample:,}",
        )
    )
    st.caption(
        _n(
            "Clusters are of the {n} customers who ordered at least twice; the {one} one-time "
            "buyer is shown as a group of their own (in the profile and the customer list, "
            "not in the silhouette or the scatter).",
            "Clusters are of the {n} customers who ordered at least twice; the {one} one-time "
            "buyers are shown as a group of their own (in the profile and the customer list, "
            "not in the silhouette or the scatter).",
            cl.n_one_time,
            n=f"{repeat_count(cl):,}",
            one=f"{cl.n_one_time:,}",
        )
        if cl.n_one_time
        else _(
            "Clusters are of the {n} customers, all of whom ordered at least twice.",
            n=f"{repeat_count(cl):,}",
        )
    )
    for w in cl.warnings:
        st.warning(w)
    left, right = st.columns([3, 2])
    _chart(charts.silhouette_curve, "clusters", fk, width="stretch", where=left)
    with right:
        show_cached_table(
            lambda: cl.curve,
            key=fk,
            name="curve",
            area="segments",
            hide_index=True,
            width="stretch",
        )
    _chart(charts.profile_heatmap, "clusters", fk, width="stretch")
    # the summary rows' cluster ids ("all", "repeat") shown in the UI language
    profile = cl.profile.assign(
        cluster=cl.profile["cluster"].replace({ALL_ID: _("all"), REPEAT_ID: _("2+ orders")})
    )
    show_cached_table(
        lambda: profile,
        key=fk,
        name="profile",
        area="segments",
        hide_index=True,
        width="stretch",
        on_screen=PROFILE_SCREEN,
        fit=True,
    )
    download_table(
        profile,
        "cluster-profiles",
        label=_("Download profiles"),
        key="dl_prof",
        area="segments",
    )
    _chart(charts.pca_scatter, "clusters", fk, width="stretch")
    drawn, total = scatter_counts(cl)
    if drawn < total:
        st.caption(
            _(
                "The chart draws {shown} of {total} customers: a sample of each cluster in "
                "proportion to its size, the same customers on every run. The Download tab "
                "lists every customer.",
                shown=f"{drawn:,}",
                total=f"{total:,}",
            )
        )


def scatter_counts(cl) -> tuple[int, int]:
    """(customers the PCA scatter draws, customers clustered), from the cluster sizes in the
    profile (the page's result has no per-customer frames): the same sizes
    :func:`ecomdash.charts.segment.scatter_sample` draws. The one-time buyers (profile row
    ``k``) are not clustered and not drawn."""
    counts = _cluster_sizes(cl)
    return sum(charts.scatter_sizes(counts)), sum(counts)


def repeat_count(cl) -> int:
    """Customers clustered (those with at least two orders), from the profile."""
    return sum(_cluster_sizes(cl))


def _cluster_sizes(cl) -> list[int]:
    prof = cl.profile
    ids = prof["cluster"].astype(str)
    return [int(prof.loc[ids == str(c), "customers"].sum()) for c in range(cl.k)]


def _explain_tab(res: SegmentationResult, fk: tuple) -> None:
    if res.explanation is None:
        st.info(res.cluster_error or _("No clusters to explain."))
        return
    e = res.explanation
    if e.good_enough:
        st.success(
            _(
                "These rules put {share} of the customers who ordered at least twice in the "
                "same cluster as k-means (target {target}), with a tree of depth {depth}.",
                share=pct(e.fidelity, 0),
                target=pct(e.target, 0),
                depth=e.max_depth,
            )
        )
    else:
        st.warning(
            _(
                "These rules put only {share} of the customers who ordered at least twice in "
                "the same cluster as k-means (target {target}): read them as a rough guide, not "
                "an exact description. Fewer clusters usually give simpler, more faithful rules.",
                share=pct(e.fidelity, 0),
                target=pct(e.target, 0),
            )
        )
    st.caption(rule_terms(current_display().symbol.strip()))
    # Rules and cluster names are built from our own words and numbers (no merchant text).
    for cluster, part in e.rules.groupby("cluster", sort=True):
        st.markdown(f"**{cluster} · {part['name'].iloc[0]}**")
        st.markdown(
            "\n".join(
                "- "
                + _(
                    "{rule} — {n} customers, {share} of them in this cluster",
                    rule=r.rule,
                    n=f"{r.customers:,}",
                    share=pct(r.agreement, 0),
                )
                for r in part.itertuples()
            )
        )
    show_cached_table(
        lambda: e.rules,
        key=fk,
        name="rules",
        area="segments",
        hide_index=True,
        width="stretch",
        # the names and the rules wrap within the page's width (the rule column was "large":
        # the table ran past the page's right edge in English)
        fit=True,
    )
    download_table(
        e.rules, "cluster-rules", label=_("Download rules"), key="dl_rules", area="segments"
    )


def rule_terms(symbol: str) -> str:
    """What the rules' words measure, and the currency of their amounts ("spend > 620" said
    no unit): ``symbol`` is the dataset's currency sign ("£"), empty when it is unknown."""
    return fmt.sentences(
        [
            _("Spend and average order are in {currency}.", currency=symbol) if symbol else "",
            _(
                "Spend is all a customer bought up to the As of day, average order their spend "
                "per order; returns are the value they sent back as a share of what they bought."
            ),
        ]
    )


def _movement_tab(res: SegmentationResult, fk: tuple) -> None:
    if res.movement is None:
        st.info(res.movement_error or _("No comparison date."))
        return
    m = res.movement
    mat = m.matrix
    slipped = int(mat.loc["Loyal", "At risk"] + mat.loc["Champions", "At risk"])
    st.caption(
        _(
            "From {start} to {end}: {share} of the customers who had bought by {start} stayed "
            "in their segment; {n} slipped from Champions or Loyal to At risk.",
            start=long_date(m.start),
            end=long_date(m.end),
            share=pct(m.stayed_share, 0),
            n=f"{slipped:,}",
        )
    )
    _chart(charts.movement_sankey, "movement", fk, width="stretch")
    shown = mat.rename(index=_, columns=_)  # segment names in the UI language
    # both dates named in the table: the rows' (down) over the columns' (across), each kept
    # whole; its help and the file's first column say which is which in words
    sides = _(
        "Rows: {rows}; columns: {columns}",
        rows=_("segment on {date}", date=long_date(m.start)),
        columns=_("segment on {date}", date=long_date(m.end)),
    )
    corner = (f"{long_date(m.start)}{NBSP}↓", f"{long_date(m.end)}{NBSP}→")
    show_count_matrix(shown, corner=corner, corner_help=sides, width="stretch")
    download_table(
        shown.rename_axis(index=sides, columns=None).reset_index(),
        "segment-movement",
        label=_("Download matrix"),
        key="dl_mov",
        area="segments",
    )


def _download_tab(res: SegmentationResult, fk: tuple) -> None:
    table = res.customers
    # option values are language-independent ids ("all", "segment:<id>", "cluster:<i>"), so
    # switching language keeps the choice; only their display is translated
    present = set(table["segment"].unique())
    options = ["all"] + [f"segment:{s}" for s in SEGMENT_NAMES if s in present]
    names: tuple[str, ...] = ()
    if "cluster_name" in table:
        # the k clusters, then the one-time buyers (number k, when there are any)
        names = res.clusters.group_names
        options += [f"cluster:{i}" for i in range(len(names))]

    def shown(option: str) -> str:
        kind, _sep, value = option.partition(":")
        if kind == "segment":
            return _(value)
        if kind == "cluster" and int(value) == res.clusters.one_time_id:
            return names[int(value)]  # a group, not a k-means cluster: its name alone
        if kind == "cluster":
            return _("Cluster {i}: {name}", i=value, name=names[int(value)])
        return _("All customers")

    labels = {o: shown(o) for o in options}  # made in this run, in its language
    choice = st.selectbox(_("Customers of"), options, format_func=labels.get, key=DL_KEY)
    kind, _sep, value = choice.partition(":")
    if kind == "cluster":
        part = table.loc[table["cluster"] == int(value)]
        stem = f"customers-cluster-{value}"
    elif kind == "segment":
        part = table.loc[table["segment"] == value]
        stem = "customers-" + value.lower().replace(" ", "-")
    else:
        part = table
        stem = "customers-all-customers"
    st.caption(
        _(
            "{n} customers, spend {money}. The file opens safely in Excel; the customer ids are "
            "what an email or ads tool imports.",
            n=f"{len(part):,}",
            money=fmt_money(part["monetary"].sum()),
        )
    )
    # only the rows on screen are translated now; the file (every row) when it is built
    shown, note = head_for_screen(part)
    show_cached_table(
        lambda: translated(shown, ("segment",)),
        key=(*fk, choice),
        name="customers",
        area="segments",
        hide_index=True,
        width="stretch",
        height=300,
        on_screen=CUSTOMER_SCREEN,
    )
    if note:
        st.caption(note)
    download_table(
        part,
        stem,
        label=_("Download customer list"),
        key="dl_customers",
        area="segments",
        prepare=translate_later(part, ("segment",)),
    )


def translate_later(table, columns: tuple[str, ...]):
    """:func:`translated` to apply later, to ``table`` or a part of it: a download's file is
    built when its button is clicked, on Streamlit's own thread, where this run's language is
    unknown, so the texts are looked up now (one per distinct value, not one per customer)."""
    cols = [c for c in columns if c in table.columns]
    maps = {c: {v: _(v) for v in table[c].astype(str).unique()} for c in cols}
    return lambda df: df.assign(**{c: df[c].astype(str).map(m) for c, m in maps.items()})
