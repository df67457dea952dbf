"""Pricing & promotions page renderer: elasticities, what-if, promotions, markdowns, validation.

The models run on arrival with default settings (cached per dataset version and filters);
what-if, margins and markdown settings are cheap and recomputed from the cached result.
Product ids, names and categories are merchant text: they appear only in st.dataframe,
widgets' option lists, plotly and formula-safe downloads.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from ecomdash import labels as L
from ecomdash import pricing as P
from ecomdash.charts import pricing as charts
from ecomdash.errors import EcomdashError
from ecomdash.filters import Filters
from ecomdash.findings.links import LinkTab
from ecomdash.i18n import N_, _, _n, fmt, get_lang, use_lang
from ecomdash.i18n.note import Note, tr_note
from ecomdash.pricing.promotions import promotion_effects, usable_events
from ecomdash.pricing.whatif import NO_MARGIN
from ecomdash.ui.common import (
    PageContext,
    download_table,
    fmt_int,
    fmt_money,
    get_store,
    inert,
    run_with_budget,
    show_chart,
    show_error,
    timed_status,
)
from ecomdash.ui.tables import current_display, show_table
from ecomdash.ui.uploader import file_uploader
from ecomdash.ui.worker import run_in_worker

#: a product's ``status`` (an id the code compares) -> what the merchant reads
STATUS = {
    "estimated": N_("estimated"),
    "category": N_("from its category"),
    "no estimate": N_("no estimate"),
}
#: The per-product table's columns on screen: which product, how price-sensitive, whether
#: that is its own estimate and why not (:func:`status_reasons`), and its price now; the rest
#: (id, category, the 90 % range, price levels, weeks, why no own estimate on its own,
#: own-data elasticity, lowest and highest price, units a week, revenue) in the CSV beside it.
#: With all 17 the table ran past the page's edge, "Why no own estimate" and "Estimate from"
#: cut in Chinese; with "Why no own estimate" a column of its own, UCI Online Retail II's
#: first 207 rows (the products with their own estimate, listed first) left it empty.
PRODUCT_SCREEN = ("product_name", "elasticity", "status", "current_price")
#: The per-category table's columns on screen: which category, its elasticity, whether it is
#: lent to the products sold at one price (the what-if and markdowns then use it for them)
#: and the note saying from how many products, or why not; the 90 % range, the products and
#: the product-weeks it comes from in the CSV beside it. With all 8 the table ran past the
#: page's edge (1,050 px of content in an 818 px table in English, 856 in Chinese).
CATEGORY_SCREEN = ("category", "elasticity", "trustworthy", "note")
#: The promotions' columns on screen: which product, when, how deep, its lift and the dip
#: after, and what it brought in all; the prices, the 90 % ranges and the parts of the net
#: (extra units, revenue during, revenue lost after) in the CSV. With all 18 the table ran
#: past the page's edge from "Lift 90 % high" on.
PROMO_SCREEN = (
    "product_name",
    "start",
    "end",
    "discount",
    "lift",
    "dip",
    "net_revenue",
    "net_profit",
)
#: The what-if's columns on screen: which product, the new price against today's, the units,
#: revenue and profit a week it would bring, and the best price within the prices it has had;
#: units now, the 90 % ranges, what the best price is best for, the id and the note in the CSV.
#: With all 16 the table ran past the page's edge (1,629 px of content in a 938 px table in
#: English, 1,425 in Chinese; Chromium at 1400 px).
WHATIF_SCREEN = (
    "product_name",
    "current_price",
    "new_price",
    "units",
    "revenue",
    "profit",
    "best_price",
)
#: The markdowns' columns on screen: which slow mover, how far its units fell, the markdown,
#: the price it gives and how soon it clears; the id, elasticity, units a week, stock on hand,
#: weeks of cover and the note in the CSV. With all 12 the table ran past the page's edge
#: (1,758 px in English, 1,575 in Chinese).
MARKDOWN_SCREEN = ("product_name", "trend", "markdown", "new_price", "clears_in_weeks")
TABS = (N_("Elasticities"), N_("What-if"), N_("Promotions"), N_("Markdowns"), N_("Validation"))
#: the tabs a link may open with ?tab=
LINK_TABS = {LinkTab.WHAT_IF: TABS[1], LinkTab.PROMOTIONS: TABS[2]}


def _statuses(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its ``status`` ids as the merchant reads them, in the run's language
    ("from its category", 按品类估计); the same frame when it has none."""
    if "status" not in frame:
        return frame
    words = {s: _(label) for s, label in STATUS.items()}
    return frame.assign(status=frame["status"].map(lambda s: words.get(s, s)))


def status_reasons(frame: pd.DataFrame) -> pd.DataFrame:
    """The per-product table's ``frame`` (its statuses in words, :func:`_statuses`) with
    each status that has a reason followed by it — "no estimate: only 3 weeks of sales (needs
    12)", "from its category: one price in all 30 weeks" — and the ``reason`` column left as
    it is (the CSV's own column). A product with its own estimate has none: its status stays
    "estimated"."""
    reasons = frame["reason"].where(frame["reason"].notna(), "").astype(str)
    joined = [
        _("{status}: {reason}", status=status, reason=reason) if reason else status
        for status, reason in zip(frame["status"], reasons, strict=True)
    ]
    return frame.assign(status=joined)


def _show(df: pd.DataFrame, table: str) -> pd.DataFrame:
    """The columns of pricing table ``table`` (ecomdash.labels.TABLES) in order, floats rounded;
    raw ids stay as column names, show_table(area=table) gives the headers; the status ids are
    shown in the page's language."""
    cols = [c for c in L.TABLES[table] if c in df.columns]
    out = df[cols].copy()
    num = out.select_dtypes("float").columns
    out[num] = out[num].round(3)
    return _statuses(out)


def _csv_words(lang: str):
    """A download's ``prepare``: the frame with the words a merchant reads (the status) in
    ``lang``, as its headers are and as the other pages' downloads write theirs (the Alerts
    page's severities and rules, the Segments page's names); its numbers stay raw. The file
    is built outside the script run, which has no language of its own."""

    def prepare(frame: pd.DataFrame) -> pd.DataFrame:
        with use_lang(lang):
            return _statuses(frame)

    return prepare


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def _result(key: tuple, params: tuple, lang: str) -> P.PricingResult:
    """Pricing models of ``key`` = PageContext.key with ``params`` = (cutoff, events); the
    result's reasons, notes and warnings are in ``lang`` (part of the key; the run may be on
    another thread, which does not inherit the page's language)."""
    workspace, dataset_id, _version, fkey = key
    cutoff, events = params
    pw = get_store(workspace).product_week_prices(dataset_id, Filters.from_key(fkey), lean=True)
    ev = pd.DataFrame(list(events), columns=["product_id", "start", "end"]) if events else None
    with use_lang(lang):  # the worker runs in this language
        return run_in_worker(P.analyze, pw, cutoff=cutoff, events=ev, what=_("The pricing models"))


def _events_input() -> tuple[tuple, list[str]]:
    """Promotions the merchant ran (product id, from, to), as a small hashable tuple, and
    what the merchant is told of the rows left out."""
    with st.expander(_("Promotions you ran (optional)"), expanded=False):
        st.caption(
            _(
                "Promotions are found where a product sold below its usual price. Add ones the "
                "prices do not show (free delivery, bundles): product id (SKU), first and last "
                "day."
            )
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
            placeholder="",  # a new row's cells are empty to type in, not "None"
            column_config={
                # the id a merchant knows (SKU, 商品编码), as the notes and the CLI name it
                "Product": st.column_config.TextColumn(_("Product id (SKU)")),
                "From": st.column_config.DateColumn(L.label("start", "pricing.promos")),
                "To": st.column_config.DateColumn(L.label("end", "pricing.promos")),
            },
        )
    # the one rule the command line refuses a file by: a row with a product and a missing
    # day, or a last day before the first, is left out and said; the spare empty row is not
    events, notes = usable_events(edited)
    rows = [(r.product_id, str(r.start.date()), str(r.end.date())) for r in events.itertuples()]
    return tuple(sorted(rows)), notes


def render(ctx: PageContext) -> None:
    # the results come first on the page, the optional inputs below them; the inputs are
    # read first (they are part of the cached call's parameters)
    head, inputs = st.container(), st.container()
    with inputs:
        events, left_out = _events_input()
    with head:
        for n in left_out:
            st.warning(inert(n))
        res = _head(ctx, (None, events))
    if res is None:
        return
    with inputs:
        margin = _margin_inputs(res)
    names = [_(t) for t in TABS]
    # a home finding's link may name the tab to open (?tab=what-if&product=..&change=-5)
    wanted = LINK_TABS.get(str(st.query_params.get("tab", "")))
    tabs = st.tabs(names, default=_(wanted) if wanted else None)
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
        with timed_status(_("Measuring how demand answers price")) as status:
            status.write(
                _(
                    "Units and prices per product and whole week, without cancelled sales "
                    "(in the database)"
                )
            )
            status.write(_("Promotion weeks; one log-log demand model per product"))
            status.write(_("Category models and partial pooling; held-out check; promotions"))
            res = run_with_budget(
                _result, ctx.key, params, get_lang(), what=_("The pricing models")
            )
    except EcomdashError as exc:
        show_error(exc)
        return None

    p = res.products
    n_own = int((p["status"] == "estimated").sum())
    n_cat = int((p["status"] == "category").sum())
    v = res.validation_summary
    c = st.columns(4)
    c[0].metric(
        _("Own elasticity"),
        fmt_int(n_own),
        help=_(
            "Products whose own price changes show how their sales answer price (Status "
            "“{status}” in the table below).",
            status=_(STATUS["estimated"]),
        ),
    )
    c[1].metric(
        _("From category"),
        fmt_int(n_cat),
        help=_(
            "Products sold at one price: they borrow their category's elasticity (Status "
            "“{status}”).",
            status=_(STATUS["category"]),
        ),
    )
    c[2].metric(
        _("No estimate"),
        fmt_int(len(p) - n_own - n_cat),
        help=_(
            "Products with neither: their status in the table below (column “{status}”) says why.",
            status=L.label("status", "pricing.products"),
        ),
    )
    c[3].metric(
        _("Held-out error vs naive"),
        _("n/a") if not v["n_products"] else f"{v['ratio']:.2f}×",
        help=_(
            "The price model's average miss in units a week on the held-out weeks, divided "
            "by the naive forecast's (the median of the weeks just before). Below 1× the "
            "model is better: 0.80× misses by 20\u00a0% less; above 1× the naive forecast is better."
        ),
    )
    _verdict(res)
    for w in res.warnings:
        st.warning(inert(w))
    if n_own + n_cat == 0:
        st.info(
            _(
                "No product in this dataset has sold at two or more prices (each held 2+ "
                "weeks), so demand's answer to price cannot be measured. The table lists why "
                "for each product. An export spanning price changes or promotions will do."
            )
        )
    return res


def _verdict(res: P.PricingResult) -> None:
    v = res.validation_summary
    if not v["n_products"]:
        st.info(
            _(
                "Held-out check: no product had enough price history before the cut-off "
                "({cutoff}) to test the model on the weeks after it.",
                cutoff=fmt.long_date(v["cutoff"]),
            )
        )
        return
    # how many products the check covers of those with their own elasticity (the "Own
    # elasticity" tile): those borrowing their category's have one price, nothing to check
    # (it read "25 of 218 products with an elasticity"), as the report says it
    text = _(
        "On {weeks} held-out product-weeks from {cutoff}, the price model's error is {model} "
        "units a week against {naive} for the naive forecast (the median of the weeks just "
        "before), on {products}. The model is given the prices charged and the store's order "
        "count in those weeks.",
        weeks=f"{v['n_weeks']:,}",
        cutoff=fmt.long_date(v["cutoff"]),
        products=res.checked_products(),
        model=f"{v['model_mae']:.2f}",
        naive=f"{v['baseline_mae']:.2f}",
    )
    (st.success if v["ratio"] < 1 else st.warning)(text)


def _margin_inputs(res: P.PricingResult) -> float | dict[str, float] | None:
    cats = sorted(res.products["category"].dropna().unique().tolist())
    with st.expander(_("Margins (for profit)"), expanded=False):
        st.caption(
            _(
                "Profit needs a cost. Enter the margin as\u00a0% of the current price; leave 0 when "
                "unknown (profit views then say what they need)."
            )
        )
        if not cats:
            m = st.number_input(
                _("Margin\u00a0% for every product"), 0.0, 95.0, 0.0, 5.0, key="pr_m"
            )
            return m / 100 if m > 0 else None
        default = pd.DataFrame({"Category": cats, "Margin %": [0.0] * len(cats)})
        edited = st.data_editor(
            default,
            key="pr_margins",
            hide_index=True,
            disabled=["Category"],
            column_config={
                "Category": st.column_config.TextColumn(L.label("category")),
                "Margin %": st.column_config.NumberColumn(
                    _("Margin\u00a0%"), min_value=0.0, max_value=95.0, step=5.0
                ),
            },
        )
    got = {r["Category"]: r["Margin %"] / 100 for _i, r in edited.iterrows() if r["Margin %"] > 0}
    return got or None


def _units_are() -> str:
    """What the page's units are (the panel ``Store.product_week_prices`` builds)."""
    return _(
        "Units are the units sold per product and week (Monday to Sunday), not counting sales "
        "later cancelled by a return (not demand at that price). The first and last weeks of "
        "the data are left out when it covers only part of them: a part week would read as a "
        "slow one."
    )


#: The elasticity the Elasticities tab's caption reads as an example
EXAMPLE_ELASTICITY = -1.5


def elasticity_caption() -> str:
    """The Elasticities tab's caption: what :data:`EXAMPLE_ELASTICITY` means, its changes
    from the log-log model (1.1 ** -1.5 = 0.867: a 10 % higher price, 13 % fewer units). Every
    figure is written as the tables and findings write it: the minus a hyphen, as ``fmt``
    writes one (``-1.5``; it read "−1.5", U+2212, beside "-1.50" in the table), and the
    percentages by ``fmt.pct``."""
    e = EXAMPLE_ELASTICITY
    return _(
        "Elasticity {elasticity}: a {one} higher price sells about {one_fewer} fewer units, a "
        "{ten} higher price about {ten_fewer} fewer. 'Own data, pooled with category' "
        "estimates lean towards the category's; 'category estimate' rows had one price and "
        "borrow the category's value.",
        elasticity=f"{e:.1f}",  # Python's minus is fmt's: a hyphen
        one=fmt.pct(0.01, 0),
        one_fewer=fmt.pct(1 - 1.01**e, 1),
        ten=fmt.pct(0.10, 0),
        ten_fewer=fmt.pct(1 - 1.1**e, 0),
    )


def promotion_chart_note(total: int, shown: int | None = None) -> str | None:
    """Under the promotion chart when it draws fewer promotions than were found
    (``charts.pricing.chart_promotions``: the ``shown`` with the most revenue at stake, by
    default ``charts.pricing.PROMOTION_CHART_TOP``), which it draws and where the rest are;
    None when it draws them all."""
    shown = charts.PROMOTION_CHART_TOP if shown is None else shown
    if total <= shown:
        return None
    return _(
        "The chart shows the {shown} promotions with the most revenue at stake (net revenue "
        "gained or lost) of {n}; the table and its download have all of them.",
        shown=shown,
        n=f"{total:,}",
    )


def promotion_caption(with_margin: bool) -> str:
    """The Promotions tab's caption; its example dip is written by ``fmt.pct`` (``-25 %``,
    the minus a hyphen as in the table, where it read "−25 %")."""
    dip = fmt.pct(-0.25, 0, signed=True)
    if with_margin:
        return _(
            "Lift: units per store order during the promotion over the 8 regular weeks before "
            "(1.5 = half as many again). Dip after: how far that rate moved in the 2 weeks "
            "after, against the same weeks before ({dip} = a quarter fewer units: sales "
            "pulled forward). Net revenue: the revenue during and after the promotion, less "
            "what the usual rate would have brought at the regular price.",
            dip=dip,
        )
    return _(
        "Lift: units per store order during the promotion over the 8 regular weeks before "
        "(1.5 = half as many again). Dip after: how far that rate moved in the 2 weeks "
        "after, against the same weeks before ({dip} = a quarter fewer units: sales "
        "pulled forward). Net revenue: the revenue during and after the promotion, less "
        "what the usual rate would have brought at the regular price. Net profit needs a "
        "margin (above).",
        dip=dip,
    )


def _elasticity_tab(res: P.PricingResult) -> None:
    if (res.products["status"] == "estimated").any():
        show_chart(charts.elasticity_chart(res), width="stretch")
    st.caption(elasticity_caption())
    st.caption(_units_are())
    if len(res.categories):
        st.subheader(_("Per category"))
        show_table(
            _show(res.categories, "pricing.categories"),
            area="pricing.categories",
            hide_index=True,
            on_screen=CATEGORY_SCREEN,
        )
        download_table(
            res.categories,
            "pricing-categories",
            key="dl_pr_categories",
            area="pricing.categories",
        )
    st.subheader(_("Per product"))
    show_table(
        status_reasons(_show(res.products, "pricing.products")),
        area="pricing.products",
        hide_index=True,
        on_screen=PRODUCT_SCREEN,
    )
    download_table(
        res.products,
        "pricing-elasticities",
        key="dl_pr_products",
        area="pricing.products",
        prepare=_csv_words(get_lang()),
    )


def _product_names(frame: pd.DataFrame):
    """A picker's ``format_func`` showing a product id of ``frame`` as "name (id)" (the
    option, the widget's value and the link's ``?product=`` stay the id)."""
    names = dict(zip(frame["product_id"], frame["product_name"], strict=True))
    return lambda pid: L.product_label(names.get(pid), pid)


def _about(x: float, *, signed: bool = False) -> str | None:
    """An estimated amount as the app writes one (``fmt.money_about``: ``£2,100``, ``£18.3k``,
    no pence) in the dataset's currency; ``signed`` for a tile's delta: ``+£88`` / ``-£88``
    (the sign sets the arrow), and None (no delta: "+£0" read as a gain) when the change
    rounds to zero."""
    text = fmt.money_about(x, symbol=current_display().symbol, signed=signed)
    return None if signed and text[:1] not in "+-" else text


def _linked_whatif(options: list) -> tuple:
    """The what-if's first product and price change: the ones a home finding's link names
    (``?product=ID&change=-5``) when that product has an elasticity and the change is on the
    slider, else the best-selling product and +10 %."""
    product = str(st.query_params.get("product", ""))
    try:
        pct = int(str(st.query_params.get("change", "")))
    except ValueError:
        pct = 10
    by_text = {str(o): o for o in options}
    return by_text.get(product, options[0]), pct if -30 <= pct <= 30 else 10


def whatif_warning(warn: str) -> str:
    """A what-if warning as the page says it: the missing margin points at the page's own
    input (the core's sentence names none; the CLI names --margin)."""
    if getattr(warn, "msgid", None) == NO_MARGIN:
        return _(
            "Profit needs a cost: enter a margin\u00a0% under “{where}” above. Until then the best "
            "price shown maximises revenue.",
            where=_("Margins (for profit)"),
        )
    return tr_note(warn) if isinstance(warn, Note) else warn


def _best_price(row: pd.Series) -> str:
    """The what-if's best price in a sentence. With one elasticity for every price, revenue
    (and often profit) only grows towards one end of the allowed range, so a best price at
    an end says which way to move the price, not a price to set."""
    figures = {"price": fmt_money(row["best_price"]), "what": row["best_for"]}
    if np.isclose(row["best_price"], row["allowed_low"]):
        return _(
            "Best price inside the range this product has had: {price}, which maximises "
            "{what}. It is the lowest price the what-if allows (10\u00a0% under the lowest it has "
            "had): one elasticity for every price favours cutting all the way to that edge, so "
            "read it as the way to move the price, not the price to set.",
            **figures,
        )
    if np.isclose(row["best_price"], row["allowed_high"]):
        return _(
            "Best price inside the range this product has had: {price}, which maximises "
            "{what}. It is the highest price the what-if allows (10\u00a0% over the highest it has "
            "had): one elasticity for every price favours raising it all the way to that edge, "
            "so read it as the way to move the price, not the price to set.",
            **figures,
        )
    return _(
        "Best price inside the range this product has had: {price}, which maximises {what}.",
        **figures,
    )


def _whatif_tab(res: P.PricingResult, margin) -> None:
    has = res.products[res.products["status"] != "no estimate"]
    if has.empty:
        st.info(
            _(
                "No product has an elasticity, so there is nothing to simulate: products need "
                "price changes over time. Widen the period in the sidebar; the Elasticities tab "
                "says why each product has none."
            )
        )
        return
    options = has.sort_values("revenue", ascending=False)["product_id"].tolist()
    linked, pct = _linked_whatif(options)
    c1, c2 = st.columns([2, 1])
    pid = c1.selectbox(
        L.label("product"),
        options,
        index=options.index(linked),
        format_func=_product_names(has),
        key="pr_whatif_product",
    )
    change = c2.slider(_("Price change\u00a0%"), -30, 30, pct, 1, key="pr_whatif_change")
    cats = sorted(has["category"].dropna().unique().tolist())
    whole = None
    if cats:
        whole = st.selectbox(
            _("…or the whole category (every product with an elasticity)"),
            ["—", *cats],
            key="pr_whatif_category",
        )
        whole = None if whole == "—" else whole
    try:
        with fmt.use_currency(current_display().symbol):  # its notes name prices in it
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
            _(
                "{price} is outside the prices this product has had ({low}–{high} with the "
                "±10\u00a0% allowed): no estimate — we never extrapolate beyond them.",
                price=fmt_money(row["new_price"]),
                low=fmt_money(row["allowed_low"]),
                high=fmt_money(row["allowed_high"]),
            )
        )
    else:
        m = st.columns(3)
        m[0].metric(
            L.label("units", "pricing.whatif"),
            f"{row['units']:,.1f}",
            f"{row['units'] - row['units_now']:+,.1f}",
            help=_(
                "{low}–{high} units a week if the elasticity is anywhere in its {level} "
                "interval. A single week varies more: this band leaves out the usual ups and "
                "downs from week to week.",
                level=fmt.pct(0.9, 0),
                low=f"{row['units_low']:,.1f}",
                high=f"{row['units_high']:,.1f}",
            ),
        )
        m[1].metric(
            L.label("revenue", "pricing.whatif"),
            _about(row["revenue"]),
            _about(row["revenue"] - row["revenue_now"], signed=True),
        )
        if pd.notna(row["profit"]):
            m[2].metric(
                L.label("profit", "pricing.whatif"),
                _about(row["profit"]),
                _about(row["profit"] - row["profit_now"], signed=True),
            )
        else:
            m[2].metric(L.label("profit", "pricing.whatif"), _("needs a margin"))
    st.caption(_best_price(row))
    st.caption(
        _(
            "Units come from the elasticity {elasticity} ({source}: a 1\u00a0% higher price sells "
            "about {per1} fewer units) around the last 8 weeks' sales.",
            elasticity=f"{row['elasticity']:.2f}",
            source=row["source"],
            per1=fmt.pct(-row["elasticity"] / 100, 1),
        )
        if row["elasticity"] <= 0
        else _(
            "Units come from the elasticity {elasticity} ({source}: a 1\u00a0% higher price sells "
            "about {per1} more units) around the last 8 weeks' sales.",
            elasticity=f"{row['elasticity']:.2f}",
            source=row["source"],
            per1=fmt.pct(row["elasticity"] / 100, 1),
        )
    )
    for warn in w.warnings:
        st.caption(inert(whatif_warning(warn)))
    show_chart(charts.demand_curve(w, pid, symbol=current_display().symbol), width="stretch")
    table = w.table if wc is None else wc.table
    if wc is not None:
        ok = wc.table["units"].notna()
        t = wc.table[ok]
        figures = {
            "change": fmt.pct(change / 100, 0, signed=True),
            "n": len(t),
            "units_now": f"{t['units_now'].sum():,.1f}",
            "units": f"{t['units'].sum():,.1f}",
            "revenue_now": _about(t["revenue_now"].sum()),
            "revenue": _about(t["revenue"].sum()),
        }
        st.caption(
            _(
                "Whole category at {change}: {n} products, units a week {units_now} → "
                "{units}, revenue a week {revenue_now} → {revenue}; {left} more would leave "
                "the prices they have had and are left out.",
                left=int((~ok).sum()),
                **figures,
            )
            if (~ok).any()
            else _(
                "Whole category at {change}: {n} products, units a week {units_now} → "
                "{units}, revenue a week {revenue_now} → {revenue}.",
                **figures,
            )
        )
    show_table(
        _show(table, "pricing.whatif"),
        area="pricing.whatif",
        hide_index=True,
        on_screen=WHATIF_SCREEN,
    )
    download_table(table, "pricing-whatif", key="dl_pr_whatif", area="pricing.whatif")


def _promotion_tab(res: P.PricingResult, margin) -> None:
    promos = res.promotions
    if margin is not None and len(promos):
        weeks = res.store_weeks
        if weeks is None:  # a result cached before it carried the store's weeks
            weeks = res.panel.groupby("week")["store_orders"].first()
        promos = promotion_effects(res.panel, weeks, margin=margin)
    if promos.empty:
        entered = int(res.params.get("events") or 0)
        st.info(
            _n(
                "No promotion measured: the {n} promotion you entered could not be measured "
                "(the notes at the top of the page say why), and no product sold for up to 6 "
                "weeks at 5\u00a0%+ below its usual price and then went back to it.",
                "No promotion measured: none of the {n} promotions you entered could be "
                "measured (the notes at the top of the page say why for each), and no product "
                "sold for up to 6 weeks at 5\u00a0%+ below its usual price and then went back "
                "to it.",
                entered,
            )
            if entered
            else _(
                "No promotion found: no product sold for up to 6 weeks at 5\u00a0%+ below its usual "
                "price and then went back to it."
            )
        )
        return
    show_chart(charts.promotion_chart(res), width="stretch")
    cut = promotion_chart_note(len(promos))
    if cut:
        st.caption(cut)
    st.caption(promotion_caption(margin is not None))
    show_table(
        _show(promos, "pricing.promos"),
        area="pricing.promos",
        hide_index=True,
        on_screen=PROMO_SCREEN,
    )
    download_table(promos, "pricing-promotions", key="dl_pr_promos", area="pricing.promos")
    pid = st.selectbox(
        _("Show weeks of"),
        promos["product_id"].unique().tolist(),
        format_func=_product_names(promos),
        key="pr_pp",
    )
    show_chart(
        charts.price_units_timeline(res, pid, symbol=current_display().symbol), width="stretch"
    )


def _markdown_tab(res: P.PricingResult) -> None:
    from ecomdash.stock_file import MAX_SMALL_FILE_BYTES
    from ecomdash.ui.stock import STOCK_FILE_EXPLAINED, STOCK_FILE_TYPES

    c1, c2 = st.columns([1, 2])
    weeks = c1.slider(_("Clear within (weeks)"), 2, 26, 8, key="pr_md_weeks")
    up = file_uploader(
        _("Stock on hand (optional CSV or Excel: product id, units)"),
        # the restock planner's types: its file, Excel's "Unicode text" (.txt) too, was refused
        types=STOCK_FILE_TYPES,
        explained_types=STOCK_FILE_EXPLAINED,
        key="pr_md_stock",
        max_bytes=MAX_SMALL_FILE_BYTES,
        where=c2,
    )
    stock = None
    if up is not None:
        from ecomdash.stock_file import match_stock, read_stock, stock_not_priced
        from ecomdash.ui.stock import show_stock_match

        try:
            stock = read_stock(up.getvalue())
        except EcomdashError as exc:
            show_error(exc)
        else:
            # the file's ids as the sales data writes them ("tex-271" is TEX-271's stock), as
            # the restock planner reads the same file
            matched = match_stock(stock, res.products["product_id"])
            stock = matched.stock
            # ids the price panel has no product for were ignored in silence: named
            show_stock_match(matched, also=stock_not_priced(stock, res.products["product_id"]))
    md = P.markdown_candidates(res, weeks_to_clear=weeks, stock=stock)
    st.caption(
        _(
            "Slow movers: products with an elasticity whose units over the last 8 weeks fell "
            "to 75\u00a0% or less of the 8 weeks before. The markdown is what the elasticity says "
            "brings them back to the earlier rate, never below 10\u00a0% under the lowest price "
            "they have had. With stock on hand (the restock planner's file) a product whose "
            "stock lasts longer than the chosen weeks is a candidate too, and the markdown is "
            "what clears it in time."
        )
    )
    if md.empty:
        st.info(
            _(
                "No slow mover with an elasticity right now: nothing needs a markdown. Change "
                "the weeks above, or load stock on hand in the restock planner to count "
                "overstock too."
            )
        )
        return
    show_table(
        _show(md, "pricing.markdowns"),
        area="pricing.markdowns",
        hide_index=True,
        on_screen=MARKDOWN_SCREEN,
    )
    download_table(md, "pricing-markdowns", key="dl_pr_md", area="pricing.markdowns")


def _validation_tab(res: P.PricingResult) -> None:
    if res.validation.empty:
        st.info(
            _(
                "No product could be checked on held-out weeks: a product needs price changes "
                "before and during the last weeks. Widen the period in the sidebar for more "
                "history."
            )
        )
        return
    show_chart(charts.validation_chart(res), width="stretch")
    show_table(
        _show(res.validation, "pricing.validation"), area="pricing.validation", hide_index=True
    )
    download_table(res.validation, "pricing-validation", key="dl_pr_val", area="pricing.validation")
