"""Basket analysis page, its results: the summary tiles and how much to trust the rules, the
check on later orders, and the five tabs (rules, itemsets, charts, product lookup, bundle
what-if). The form and the page are in :mod:`ecomdash.ui.basket`, the cached adapters in
:mod:`ecomdash.ui.basket_data`.

Product ids and names are merchant text: they appear only in ``st.dataframe``, widget option
labels (plain text), plotly figures and formula-safe downloads — never in markdown.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ecomdash import basket as B
from ecomdash import labels as L
from ecomdash.charts import basket as charts
from ecomdash.errors import EcomdashError
from ecomdash.i18n import N_, _, _n, fmt
from ecomdash.i18n.note import tr_note, translated
from ecomdash.ui import basket_data as data
from ecomdash.ui.common import (
    PageContext,
    download_table,
    fmt_int,
    fmt_pct,
    inert,
    show_chart,
    show_error,
)
from ecomdash.ui.tables import TWO_FIFTHS_PX, cut_rows, percent_format, show_table

SIDES = {"either": N_("Either"), "if": N_("If (A)"), "then": N_("Then (B)")}


def rules_word() -> str:
    """ "Rules" as the column catalogue names them (one translation, the frame's labels.po)."""
    return L.label("kinds")


def _ids(t: tuple) -> str:
    return ", ".join(map(str, t))


#: The rules tables' columns on screen: the rule in words, how many baskets hold it, its
#: confidence and lift; its products' ids, support, leverage and conviction in the CSV (the
#: search box still finds a rule by an id). With all 9 the table ran past the page's right
#: edge in English (Chromium, the Rules and Product lookup tabs); with the two id columns
#: too, the rule had 340 px and 95.4 % of UCI Online Retail II's 1,782 rules were cut
#: ("POPPY'S PLAYHOUSE LIVINGROOM → POPPY'S PLAYHOUS…"): now 79.8 % are whole.
RULES_SCREEN = ("rule", "baskets", "confidence", "lift")
#: The Charts tab's top rules under the scatter, the page's width: the rule, its confidence
#: and lift, the rule's words wrapping; ids, support and baskets in the CSV. With all 7 the
#: table ran 973 px wide (Chromium at 1400 px; 887 in Chinese). Beside the scatter, in two
#: fifths of the page, the rule had 206 px at 1280 px: 63 of UCI Online Retail II's 200 top
#: rules needed 4 to 6 lines, which the rows cut after 3, and "Confidence" read "Confiden".
TOP_RULES_SCREEN = ("rule", "confidence", "lift")
#: The Itemsets tab's table: every column, each row one line within the page (the longest
#: itemset's names cut at the end, whole in the CSV). With UCI Online Retail II's long names
#: ("POPPY'S PLAYHOUSE BEDROOM + POPPY'S PLAYHOUSE KITCHEN + …") it ran 10 px past the page's
#: edge at 1280 px (Chromium).
ITEMSETS_SCREEN = ("itemset", "ids", "size", "support", "baskets")
#: Product lookup's "Frequently bought together" beside its chart (two fifths of the page):
#: the product and the share of the item's baskets that hold it; the id, the baskets and the
#: lift in the CSV. With all 5 it ran 558 px wide in its 368 px column (547 in Chinese).
FBT_SCREEN = ("name", "share")


def _rules_view(rules: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rule": rules["names"],
            "if (ids)": rules["antecedents"].map(_ids),
            "then (ids)": rules["consequents"].map(_ids),
            "support": rules["support"],
            "baskets": rules["count"],
            "confidence": rules["confidence"],
            "lift": rules["lift"],
            "leverage": rules["leverage"],
            "conviction": rules["conviction"],
        }
    )


def _itemsets_view(itemsets: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "itemset": itemsets["names"],
            "ids": itemsets["itemset"].map(_ids),
            "size": itemsets["size"],
            "support": itemsets["support"],
            "baskets": itemsets["count"],
        }
    )


def item_label(res: B.BasketResult):
    names = dict(zip(res.items["item"], res.items["name"], strict=True))

    def fmt(item: str) -> str:
        return L.product_label(names.get(item), item)

    return fmt


def _filter_rules(res: B.BasketResult, item: str | None, side: str, text: str) -> pd.DataFrame:
    r = res.rules
    if item:
        on_a = r["antecedents"].map(lambda t: item in t)
        on_c = r["consequents"].map(lambda t: item in t)
        r = r[on_a if side == "if" else on_c if side == "then" else (on_a | on_c)]
    if text:
        t = text.casefold()
        ids = r["antecedents"].map(_ids) + " " + r["consequents"].map(_ids)
        r = r[
            r["names"].str.casefold().str.contains(t, regex=False)
            | ids.str.casefold().str.contains(t, regex=False)
        ]
    return r


def _basket_help(p: dict) -> str:
    """What a basket is (the "Baskets" tile's help): a kept purchase, the Overview's order."""
    if p["basket"] == "order":
        if p["include_non_product"]:
            return _(
                "Orders with at least one line that was not cancelled, postage and fees "
                "included; an order cancelled in full is not a basket."
            )
        return _(
            "Orders with at least one product line that was not cancelled, as on the "
            "Overview: an order cancelled in full, or holding only postage or fees, is not a "
            "basket."
        )
    if p["include_non_product"]:
        return _(
            "A customer's orders of one day (a guest's order on its own) with at least one "
            "line that was not cancelled, postage and fees included."
        )
    return _(
        "A customer's orders of one day (a guest's order on its own) with at least one "
        "product line that was not cancelled; cancelled lines, postage and fees are left out."
    )


def render_summary(res: B.BasketResult) -> None:
    p = res.params
    by_order = p["basket"] == "order"
    multi = res.itemsets[res.itemsets["size"] >= 2] if len(res.itemsets) else res.itemsets
    c = st.columns(4)
    c[0].metric(L.label("baskets"), fmt_int(res.n_baskets), help=_basket_help(p))
    c[1].metric(
        _("With 2+ items"),
        fmt_int(res.n_multi_item_baskets),
        help=_("Only these baskets can show items bought together."),
    )
    c[2].metric(_("Itemsets of 2+ items"), fmt_int(len(multi)))
    c[3].metric(rules_word(), fmt_int(res.n_rules))
    fields = {
        "support": B.support_share(p["min_support"]).shown(),
        "count": f"{res.min_count:,}",
        "n": f"{res.n_baskets:,}",
        "confidence": fmt_pct(p["min_confidence"], 0),
        "lift": f"{p['min_lift']:g}",
        # "itemsets of any size" (was "largest itemset no limit"; zh 项集最大项数 不限)
        "size": _("itemsets of any size")
        if p["max_len"] is None
        else _n(
            "itemsets of at most {n} item",
            "itemsets of at most {n} items",
            p["max_len"],
            n=f"{p['max_len']:,}",
        ),
    }
    settings = (
        _(
            "Minimum support {support}: every itemset is in at least {count} of {n} orders. "
            "Confidence ≥ {confidence}, lift ≥ {lift}, {size}.",
            **fields,
        )
        if by_order
        else _(
            "Minimum support {support}: every itemset is in at least {count} of {n} "
            "customer-days. Confidence ≥ {confidence}, lift ≥ {lift}, {size}.",
            **fields,
        )
    )
    left_out = (
        _("Postage and fees included; returns and cancelled sales left out.")
        if p["include_non_product"]
        else _("Postage, fees, returns and cancelled sales left out.")
    )
    st.caption(fmt.sentences([settings, left_out]))
    # how good: the evidence behind the rules, in plain words
    if res.n_rules:
        trust = {
            "strong": f"{int((res.rules['lift'] >= 2).sum()):,}",
            "n": f"{res.n_rules:,}",
            "thin": f"{int((res.rules['count'] < 30).sum()):,}",
            "share": fmt_pct(res.n_multi_item_baskets / res.n_baskets),
        }
        st.caption(_trust_text(trust, by_order=by_order, thin=trust["thin"] != "0"))
    for w in res.warnings:
        st.warning(inert(tr_note(w)))


def _trust_text(trust: dict, *, by_order: bool, thin: bool) -> str:
    """How much to trust the rules, in plain words; rules on fewer than 30 baskets are called
    ideas to test only when there are some."""
    if by_order and thin:
        return _(
            "How much to trust these rules: {strong} of {n} have lift ≥ 2 (together at "
            "least twice as often as chance); {thin} rest on fewer than 30 orders — treat "
            "those as ideas to test. {share} of orders hold two or more items.",
            **trust,
        )
    if by_order:
        return _(
            "How much to trust these rules: {strong} of {n} have lift ≥ 2 (together at "
            "least twice as often as chance); every rule rests on 30 orders or more. {share} "
            "of orders hold two or more items.",
            **trust,
        )
    if thin:
        return _(
            "How much to trust these rules: {strong} of {n} have lift ≥ 2 (together at "
            "least twice as often as chance); {thin} rest on fewer than 30 customer-days — "
            "treat those as ideas to test. {share} of customer-days hold two or more items.",
            **trust,
        )
    return _(
        "How much to trust these rules: {strong} of {n} have lift ≥ 2 (together at least "
        "twice as often as chance); every rule rests on 30 customer-days or more. {share} of "
        "customer-days hold two or more items.",
        **trust,
    )


def render_holdout(hold: B.HoldoutResult | str | None, *, days: bool = False) -> None:
    """How well rules mined on the earlier orders hold on the later ones; ``days``: the
    baskets are a customer's days (``basket="customer_day"``), said as purchases, not orders."""
    if hold is None:
        return
    if isinstance(hold, str):
        st.info(
            inert(
                _("Could not check the rules on later purchases: {reason}", reason=hold)
                if days
                else _("Could not check the rules on later orders: {reason}", reason=hold)
            )
        )
        return
    c = st.columns(3)
    c[0].metric(
        _("Rules that still beat chance later"),
        fmt_pct(hold.share_holding),
        help=_(
            "Rules found on the earlier purchases (same thresholds) whose lift on the later "
            "purchases is still above 1."
        )
        if days
        else _(
            "Rules found on the earlier orders (same thresholds) whose lift on the later "
            "orders is still above 1."
        ),
    )
    # confidence as the rules table writes it (39.3 %), not as a fraction
    c[1].metric(_("Median confidence earlier"), fmt_pct(hold.median_confidence_train))
    c[2].metric(_("Median confidence later"), fmt_pct(hold.median_confidence_test))
    st.caption(
        _(
            "Checked on your own data: {n_rules} rules mined on {n_train} baskets before "
            "{date} and scored on the {n_test} baskets from then on.",
            n_rules=f"{hold.n_rules:,}",
            n_train=f"{hold.n_train:,}",
            date=fmt.long_date(hold.cutoff),
            n_test=f"{hold.n_test:,}",
        )
    )
    for w in hold.warnings[-1:]:
        if "check itself" in w:
            st.caption(inert(tr_note(w)))


#: The Rules tab's filters: the item, the side (a horizontal radio of three options, 281 px
#: in Chinese in Chromium) and the search box
RULE_FILTER_COLUMNS = (5, 5, 3)


def rules_tab(res: B.BasketResult, label) -> None:
    if res.rules.empty:
        st.info(_("No rules at these thresholds (see the note above)."))
        return
    # the side radio's three options on one line, in Chinese too: in a fifth of the page
    # "结果（B）" wrapped under the others and "条件（A）" ran to the column's edge
    c1, c2, c3 = st.columns(RULE_FILTER_COLUMNS)
    wanted = st.query_params.get("item")
    if wanted and "basket_rule_item" not in st.session_state and wanted in set(res.items["item"]):
        st.session_state["basket_rule_item"] = wanted  # a home finding's link: show its rules
    item = c1.selectbox(
        _("Item on either side"),
        [None, *res.items["item"].tolist()],
        format_func=lambda x: _("any item") if x is None else label(x),
        key="basket_rule_item",
    )
    side = c2.radio(
        _("Side"),
        list(SIDES),
        format_func=lambda v: _(SIDES[v]),
        horizontal=True,
        key="basket_rule_side",
    )
    text = c3.text_input(_("Search product name or id"), key="basket_rule_search")
    r = _filter_rules(res, item, side, text.strip())
    view = _rules_view(r)
    # a rule too long for its column is cut at its edge (a fifth of UCI Online Retail II's rules at
    # 1280 px, the rules of its longest product names): a rule clicked shows it whole under
    # the table; wrapping every row in two or three lines showed a third as many rules
    # a click on a cell selects it ("single-cell": a row selection's tick-box column took
    # 46 px from the rules, and cut 450 of UCI's 1,782 rules instead of 360)
    cut = cut_rows(view, "rule", on_screen=RULES_SCREEN, area="basket") if len(view) else []
    event = show_table(
        view,
        area="basket",
        hide_index=True,
        width="stretch",
        height=420,
        on_screen=RULES_SCREEN,
        on_select="rerun",
        selection_mode="single-cell",
        key="basket_rules_table",
    )
    st.caption(
        _(
            "{shown} of {n} rules; click a column header to sort.",
            shown=f"{len(view):,}",
            n=f"{res.n_rules:,}",
        )
    )
    rows = [row for row, _column in event.selection.cells] if event is not None else []
    if rows and rows[0] < len(view):
        # the merchant's product names: inert, never markdown (st.text keeps it whole)
        st.text(selected_rule(view.iloc[rows[0]]))
    elif any(cut):
        st.caption(
            _n(
                "{n} rule is too long for the table and is cut short: click it to read it "
                "whole here.",
                "{n} rules are too long for the table and are cut short: click one to read it "
                "whole here.",
                sum(cut),
                n=f"{sum(cut):,}",
            )
        )
    download_table(view, "basket-rules", key="dl_basket_rules")


def selected_rule(row: pd.Series) -> str:
    """A rule of the rules table, whole, with its figures as the table writes them: the
    rule's words are the merchant's product names, shown as plain text."""
    return _(
        "{rule} — in {baskets} baskets, confidence {confidence}, lift {lift}",
        rule=row["rule"],
        baskets=f"{int(row['baskets']):,}",
        confidence=fmt.pct(float(row["confidence"]), 1),
        lift=f"{float(row['lift']):,.2f}",
    )


def itemsets_tab(res: B.BasketResult) -> None:
    c1, c2 = st.columns([1, 2])
    min_size = c1.selectbox(
        _("Smallest itemset"),
        [1, 2, 3],
        index=1 if res.itemsets["size"].max() >= 2 else 0,
        key="basket_set_size",
    )
    text = c2.text_input(_("Search product name or id"), key="basket_set_search")
    sets = res.itemsets[res.itemsets["size"] >= min_size]
    if text.strip():
        t = text.strip().casefold()
        ids = sets["itemset"].map(_ids)
        sets = sets[
            sets["names"].str.casefold().str.contains(t, regex=False)
            | ids.str.casefold().str.contains(t, regex=False)
        ]
    view = _itemsets_view(sets)
    show_table(
        view,
        area="basket",
        hide_index=True,
        width="stretch",
        height=420,
        on_screen=ITEMSETS_SCREEN,
    )
    st.caption(_("{shown} of {n} itemsets.", shown=f"{len(view):,}", n=f"{res.n_itemsets:,}"))
    download_table(view, "basket-itemsets", key="dl_basket_itemsets")


def charts_tab(res: B.BasketResult) -> None:
    if res.rules.empty:
        st.info(_("No rules to draw at these thresholds."))
        return
    show_chart(charts.scatter_figure(res), width="stretch")
    top = _rules_view(res.rules.head(200))
    show_table(
        top, area="basket", hide_index=True, height=440, on_screen=TOP_RULES_SCREEN, fit=True
    )
    download_table(top, "basket-top-rules", key="dl_basket_top")
    n = st.slider(_("Rules in the network"), 5, 60, 25, 5, key="basket_net_n")
    show_chart(charts.network_figure(res, top=n), width="stretch")


def lookup_tab(ctx: PageContext, res: B.BasketResult, label) -> None:
    p = res.params
    item = st.selectbox(
        L.label("product") if p["level"] == "product" else L.label("category"),
        res.items["item"].tolist(),
        format_func=label,
        key="basket_lookup_item",
        help=_("Items that reach the minimum support, most frequent first."),
    )
    if item is None:
        return
    try:
        fbt = data.fbt(ctx.key, p["basket"], p["level"], p["include_non_product"], item, 3)
    except EcomdashError as exc:
        show_error(translated(exc))
        return
    count = int(res.items.loc[res.items["item"] == item, "count"].iloc[0])
    st.metric(_("In baskets"), fmt_int(count), help=_("Baskets holding this item."))
    left, right = st.columns([2, 3])
    with left:
        st.text(_("Frequently bought together (top 3)"))
        show_table(
            fbt,
            area="basket",
            hide_index=True,
            on_screen=FBT_SCREEN,
            fit=True,
            budget=TWO_FIFTHS_PX,
        )
        download_table(fbt, "frequently-bought-together", key="dl_basket_fbt", area="basket")
    with right:
        if len(fbt):
            show_chart(charts.fbt_figure(fbt, label(item)), width="stretch")
    st.text(_("Rules with this item"))
    r = _filter_rules(res, item, "either", "")
    show_table(
        _rules_view(r), area="basket", hide_index=True, width="stretch", on_screen=RULES_SCREEN
    )


def whatif_tab(ctx: PageContext, res: B.BasketResult, label) -> None:
    p = res.params
    if p["level"] != "product":
        st.info(_("The bundle what-if works on products: run the analysis at product level."))
        return
    if res.rules.empty:
        st.info(_("No rules to build a bundle from at these thresholds."))
        return
    by_order = p["basket"] == "order"  # else customer-days: say so, not "orders"
    top = res.rules.head(300)
    idx = st.selectbox(
        _("Bundle (rule A → B)"),
        list(range(len(top))),
        format_func=lambda i: str(top["names"].iloc[i])[:140],
        key="basket_whatif_rule",
    )
    share = st.slider(
        _("Share of the orders with A but not B that would also take B")
        if by_order
        else _("Share of the customer-days with A but not B that would also take B"),
        0,
        100,
        10,
        5,
        format=percent_format(),
        key="basket_whatif_share",
    )
    if idx is None:
        return
    rule = top.iloc[idx]
    try:
        w = data.whatif(
            ctx.key,
            p["basket"],
            p["include_non_product"],
            tuple(rule["antecedents"]),
            tuple(rule["consequents"]),
            share / 100,
        )
    except EcomdashError as exc:
        show_error(translated(exc))
        return
    with fmt.use_currency(ctx.display.symbol):
        # the figures rounded once, as the Home's bundle finding writes them
        fig = B.whatif_figures(w)
    c = st.columns(4)
    c[0].metric(
        _("Orders with A") if by_order else _("Customer-days with A"), fmt_int(w.n_with_antecedent)
    )
    c[1].metric(_("…and B already"), fmt_int(w.n_with_both))
    c[2].metric(_("A without B"), fmt_int(w.n_antecedent_only))
    c[3].metric(
        _("Extra revenue"),
        fig["revenue"] or _("n/a"),
        help=_(
            "If the chosen share of the A-without-B orders also took one unit of each missing "
            "B item at its average selling price."
        )
        if by_order
        else _(
            "If the chosen share of the A-without-B customer-days also took one unit of each "
            "missing B item at its average selling price."
        ),
    )
    st.caption(_whatif_text(fig) if by_order else _whatif_text_days(fig))
    show_table(
        w.prices,
        area="basket",
        hide_index=True,
    )
    for note in w.warnings:
        st.warning(inert(tr_note(note)))


def _whatif_text(fig: dict[str, str]) -> str:
    """The what-if in a merchant's words, from :func:`basket.whatif_figures` (whole sales, the
    revenue rounded as an estimate): B's price named when B is one item with a price."""
    if not fig["revenue"]:  # a B item without a usable price: the warning below says so
        return _(
            "If {share} of the {n} orders with A but not B had also taken B: {sales} of B.",
            **fig,
        )
    if fig["price"]:
        return _(
            "If {share} of the {n} orders with A but not B had also taken B: {sales} of B, "
            "about {revenue} more revenue (B's average selling price over the period, "
            "{price}).",
            **fig,
        )
    return _(
        "If {share} of the {n} orders with A but not all of B had also taken the missing B "
        "items: {sales} of B, about {revenue} more revenue (each missing item at its average "
        "selling price over the period, in the table below).",
        **fig,
    )


def _whatif_text_days(fig: dict[str, str]) -> str:
    """:func:`_whatif_text` for customer-day baskets: the counts are customer-days, not
    orders."""
    if not fig["revenue"]:
        return _(
            "If {share} of the {n} customer-days with A but not B had also taken B: {sales} of B.",
            **fig,
        )
    if fig["price"]:
        return _(
            "If {share} of the {n} customer-days with A but not B had also taken B: {sales} of "
            "B, about {revenue} more revenue (B's average selling price over the period, "
            "{price}).",
            **fig,
        )
    return _(
        "If {share} of the {n} customer-days with A but not all of B had also taken the "
        "missing B items: {sales} of B, about {revenue} more revenue (each missing item at its "
        "average selling price over the period, in the table below).",
        **fig,
    )
