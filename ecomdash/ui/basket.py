"""Basket analysis page: thresholds form, itemsets and rules tables, charts, product lookup,
bundle what-if.

Product ids and names are merchant text: they appear only in ``st.dataframe``, widget option
labels (plain text), plotly figures and formula-safe downloads — never in markdown.
"""

from __future__ import annotations

import time

import pandas as pd
import streamlit as st

from ecomdash import basket as B
from ecomdash import labels as L
from ecomdash import schema as S
from ecomdash.charts import basket as charts
from ecomdash.engine import on_spark
from ecomdash.errors import EcomdashError
from ecomdash.filters import Filters
from ecomdash.i18n import N_, _, _n, fmt, get_lang
from ecomdash.i18n.note import tr_note, translated
from ecomdash.ui.common import (
    PageContext,
    cached_columns,
    download_table,
    fmt_int,
    fmt_pct,
    get_store,
    inert,
    run_with_budget,
    show_chart,
    show_error,
    timed_status,
)
from ecomdash.ui.tables import show_table
from ecomdash.ui.worker import run_in_worker

K_PARAMS = "basket_params"
K_UNIT = "basket_support_unit"
NO_LIMIT = "no limit"
UNIT_SHARE, UNIT_COUNT = N_("share of orders"), N_("number of orders")  # stable option ids
BASKETS = {"order": N_("One order"), "customer_day": N_("A customer's day")}
#: the items' level, by the column catalogue's names (ecomdash.labels: the frame translates)
LEVELS = {"product": "product", "category": "category"}
SIDES = {"either": N_("Either"), "if": N_("If (A)"), "then": N_("Then (B)")}
#: the mining steps' names (basket.mine's timings), shown translated
STEPS = {
    "build baskets": N_("Build baskets"),
    "count pairs": N_("Count pairs"),
    "count larger itemsets": N_("Count larger itemsets"),
    "rules": None,  # "Rules": the catalogue's name (L.label("kinds"))
}
TABS = (None, N_("Itemsets"), N_("Charts"), N_("Product lookup"), N_("Bundle what-if"))
DEFAULTS = (0.01, 0.0, 1.0, None, "order", "product", False)


def _rules_word() -> str:
    """ "Rules" as the column catalogue names them (one translation, the frame's labels.po)."""
    return L.label("kinds")


# --- cached adapters (keyed by ctx.key + small tuples, never by a frame) ---------------------


def _lines(key: tuple, basket: str = "order", level: str = "product") -> pd.DataFrame:
    """Only the columns basket analysis reads for ``basket``/``level`` (Arrow-backed text)."""
    return cached_columns(key, B.line_columns(basket, level))


@st.cache_data(max_entries=8, ttl=3600, show_spinner=False)
def _pairs(key: tuple, basket: str, level: str, include_non_product: bool) -> B.BasketPairs:
    """The (basket, item) codes mining counts, computed in SQL (int32; no lines loaded)."""
    workspace, dataset_id, _version, fkey = key
    return get_store(workspace).basket_pairs(
        dataset_id,
        Filters.from_key(fkey),
        basket=basket,
        level=level,
        include_non_product=include_non_product,
    )


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def _n_baskets(key: tuple, basket: str, level: str, include_non_product: bool) -> int:
    return B.count_baskets(
        _pairs(key, basket, level, include_non_product),
        basket=basket,
        level=level,
        include_non_product=include_non_product,
    )


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def _mine(key: tuple, params: tuple) -> B.BasketResult:
    kw = _mining_kwargs(params)
    workspace, dataset_id, _version, fkey = key
    store = get_store(workspace)
    if on_spark(store):  # FP-Growth on the cluster
        return B.mine_dataset(store, dataset_id, Filters.from_key(fkey), **kw)
    pairs = _pairs(key, kw["basket"], kw["level"], kw["include_non_product"])
    # mining runs in a worker process, killed if the page's budget runs out
    return run_in_worker(B.mine, pairs, **kw, what=_("Mining the rules"))


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def _holdout(key: tuple, params: tuple) -> B.HoldoutResult:
    kw = _mining_kwargs(params)
    workspace, dataset_id, _version, fkey = key
    store = get_store(workspace)
    if on_spark(store):  # the lines read for this check alone
        lines = store.load_columns(
            dataset_id, Filters.from_key(fkey), B.line_columns(kw["basket"], kw["level"])
        )
        return B.holdout_check(lines, **kw)
    # the lines per day and each side's basket pairs from the store's SQL: every line with its
    # earlier and later copies held the server at 7.6-7.8 GB on the 10 M walk (mem9, mem10)
    return B.holdout_check_dataset(store, dataset_id, Filters.from_key(fkey), **kw)


def _mining_kwargs(params: tuple) -> dict:
    """The form's parameter tuple as keyword arguments of basket.mine / holdout_check."""
    s, c, lift, max_len, basket, level, incl = params
    return {
        "min_support": s,
        "min_confidence": c,
        "min_lift": lift,
        "max_len": max_len,
        "basket": basket,
        "level": level,
        "include_non_product": incl,
    }


@st.cache_data(max_entries=64, ttl=3600, show_spinner=False)
def _fbt(key: tuple, basket: str, level: str, incl: bool, item: str, k: int) -> pd.DataFrame:
    workspace = key[0]
    if on_spark(get_store(workspace)):
        data = _lines(key, basket, level)
    else:  # the cached pairs mining reads: the same baskets, without every line in memory
        data = _pairs(key, basket, level, incl)
    return B.frequently_bought_together(
        data, item, k=k, basket=basket, level=level, include_non_product=incl
    )


@st.cache_data(max_entries=64, ttl=3600, show_spinner=False)
def _whatif(
    key: tuple, basket: str, incl: bool, ante: tuple, cons: tuple, share: float
) -> B.BundleWhatIf:
    workspace, dataset_id, _version, fkey = key
    store = get_store(workspace)
    if on_spark(store):
        return B.bundle_whatif(
            _lines(key, basket), ante, cons, share=share, basket=basket, include_non_product=incl
        )
    # the baskets from the pairs mining reads (cached), the prices from B's lines only: not
    # every line (at 10 M lines those held the server past 7.9 GB while the home ran this)
    items = store.product_lines(
        dataset_id, Filters.from_key(fkey), B.line_columns(basket, "product"), products=cons
    )
    return B.bundle_whatif(
        _pairs(key, basket, "product", incl),
        ante,
        cons,
        share=share,
        basket=basket,
        include_non_product=incl,
        item_lines=items,
    )


# --- the form --------------------------------------------------------------------------------


def _stored_params(ctx: PageContext) -> tuple | None:
    stored = st.session_state.get(K_PARAMS)
    if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == ctx.key:
        return stored[1]
    return None


def _form(ctx: PageContext) -> tuple | None:
    """The thresholds form; returns the parameters to run with (None until Run is pressed)."""
    current = _stored_params(ctx) or DEFAULTS
    s0, c0, l0, len0, basket0, level0, incl0 = current
    has_customer_day = S.CUSTOMER_ID in ctx.columns and S.ORDER_DATE in ctx.columns
    has_category = S.CATEGORY in ctx.columns
    unit = st.segmented_control(
        _("Give the minimum support as"),
        [UNIT_SHARE, UNIT_COUNT],
        default=UNIT_SHARE,
        format_func=_,
        key=K_UNIT,
    )
    n_now = _n_baskets(ctx.key, basket0, level0, incl0)
    with st.form("basket_form"):
        c1, c2, c3, c4 = st.columns(4)
        if unit == UNIT_COUNT:
            count_in = c1.number_input(
                _("Minimum support: in at least N orders"),
                min_value=1,
                max_value=max(1, n_now),
                value=min(max(1, n_now), B.min_count_for(s0, max(n_now, 1))),
                step=1,
                help=_("An itemset must appear in at least this many baskets."),
                key=f"bk_count_{ctx.dataset_id}_{ctx.version}",
            )
            support_in = None
        else:
            support_in = c1.number_input(
                _("Minimum support (share of orders)"),
                min_value=min(0.0001, float(s0)),
                max_value=1.0,
                value=float(s0),
                step=0.001,
                format="%.4f" if s0 >= 0.0001 else "%.6f",
                help=_("An itemset must appear in at least this share of baskets."),
                key=f"bk_support_{ctx.dataset_id}_{ctx.version}",
            )
            count_in = None
        conf_in = c2.slider(
            _("Minimum confidence"),
            0.0,
            1.0,
            float(c0),
            0.05,
            # shown as 30% (the rules table and tiles write confidence in percent; the
            # slider read 0.30 beside them)
            format="percent",
            help=_("Of the baskets with A, the share that also hold B."),
            key=f"bk_conf_{ctx.dataset_id}_{ctx.version}",
        )
        lift_in = c3.number_input(
            _("Minimum lift"),
            min_value=0.0,
            max_value=1000.0,
            value=float(l0),
            step=0.5,
            help=_("How many times more often A and B are together than by chance (1 = chance)."),
            key=f"bk_lift_{ctx.dataset_id}_{ctx.version}",
        )
        len_options = [2, 3, 4, 5, 6, NO_LIMIT]
        len_in = c4.selectbox(
            _("Largest itemset"),
            len_options,
            index=len_options.index(len0 if len0 is not None else NO_LIMIT),
            format_func=lambda v: _("no limit") if v == NO_LIMIT else str(v),
            help=_("The most items in one itemset (antecedent + consequent)."),
            key=f"bk_maxlen_{ctx.dataset_id}_{ctx.version}",
        )
        d1, d2, d3 = st.columns(3)
        basket_opts = ["order", "customer_day"] if has_customer_day else ["order"]
        basket_in = d1.radio(
            _("Basket"),
            basket_opts,
            index=basket_opts.index(basket0) if basket0 in basket_opts else 0,
            format_func=lambda b: _(BASKETS[b]),
            horizontal=True,
            help=_("A customer's day merges the orders one customer placed on the same day."),
            key=f"bk_basket_{ctx.dataset_id}_{ctx.version}",
        )
        level_opts = ["product", "category"] if has_category else ["product"]
        level_in = d2.radio(
            _("Items are"),
            level_opts,
            index=level_opts.index(level0) if level0 in level_opts else 0,
            format_func=lambda v: L.label(LEVELS[v]),
            key=f"bk_level_{ctx.dataset_id}_{ctx.version}",
            horizontal=True,
        )
        incl_in = d3.toggle(
            # short enough for a third of the row at 1400 px; the detail is in its help
            _("Include postage and fees"),
            value=bool(incl0),
            help=_(
                "On: postage, fees and the other non-product lines (adjustments, vouchers, "
                "samples …) count as items of the baskets. Off: they are left out. Returns "
                "and cancelled sales are always left out."
            ),
            key=f"bk_incl_{ctx.dataset_id}_{ctx.version}",
        )
        run = st.form_submit_button(_("Run"), type="primary")
    s_applied = s0
    st.caption(
        _(
            "Minimum support {support} = in at least {count} of {n} baskets "
            "(the results below use these settings; change them and run again).",
            support=f"{s_applied:.4g}",
            count=f"{B.min_count_for(s_applied, max(n_now, 1)):,}",
            n=f"{n_now:,}",
        )
    )
    if run:
        if count_in is not None:
            n = _n_baskets(ctx.key, basket_in, level_in, bool(incl_in))
            support = min(1.0, int(count_in) / max(n, 1))
        else:
            support = float(support_in)
        params = (
            support,
            float(conf_in),
            float(lift_in),
            None if len_in == NO_LIMIT else int(len_in),
            basket_in,
            level_in,
            bool(incl_in),
        )
        st.session_state[K_PARAMS] = (ctx.key, params)
        return params
    # on arrival: the default thresholds (the same cached result the home page's findings use)
    return _stored_params(ctx) or DEFAULTS


def default_result(key: tuple) -> B.BasketResult:
    """The basket analysis with the page's default settings (cached; shared with the home)."""
    return _mine(key, DEFAULTS)


def default_whatif(key: tuple, antecedent: tuple, consequent: tuple, share: float):
    """The bundle what-if of one rule at the default basket settings (cached)."""
    return _whatif(key, DEFAULTS[4], DEFAULTS[6], antecedent, consequent, share)


# --- the page ----------------------------------------------------------------------------------


def _ids(t: tuple) -> str:
    return ", ".join(map(str, t))


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


def _item_label(res: B.BasketResult):
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


def _summary(res: B.BasketResult) -> None:
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
    c[3].metric(_rules_word(), fmt_int(res.n_rules))
    fields = {
        "support": f"{p['min_support']:.4g}",
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


def _holdout_summary(hold: B.HoldoutResult | str | None) -> None:
    """How well rules mined on the earlier orders hold on the later ones."""
    if hold is None:
        return
    if isinstance(hold, str):
        st.info(inert(_("Could not check the rules on later orders: {reason}", reason=hold)))
        return
    c = st.columns(3)
    c[0].metric(
        _("Rules that still beat chance later"),
        fmt_pct(hold.share_holding),
        help=_(
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


def render(ctx: PageContext) -> None:
    st.caption(
        _(
            "Which products sell together: frequent itemsets and rules “if a basket holds A, "
            "it often holds B”, with support, confidence and lift."
        )
    )
    try:
        params = _form(ctx)
    except EcomdashError as exc:
        show_error(translated(exc))
        return
    try:
        with timed_status(_("Mining baskets"), expanded=False) as status:
            t0 = time.perf_counter()
            pairs = _pairs(ctx.key, params[4], params[5], bool(params[6]))
            status.write(
                _(
                    "Baskets built in the database: {n} baskets, {items} items ({took})",
                    n=f"{pairs.n_baskets:,}",
                    items=f"{len(pairs.items):,}",
                    took=fmt.duration(time.perf_counter() - t0),
                )
            )
            t1 = time.perf_counter()
            res = run_with_budget(_mine, ctx.key, params, what=_("Mining the rules"))
            took = time.perf_counter() - t1
            for step, secs in res.timings:
                if step in STEPS:
                    step_name = _(STEPS[step]) if STEPS[step] else _rules_word()
                else:
                    step_name = step.capitalize()
                status.write(_("{label}: {took}", label=step_name, took=fmt.duration(secs)))
            done = {
                "itemsets": f"{res.n_itemsets:,}",
                "rules": f"{res.n_rules:,}",
                "took": fmt.duration(res.elapsed),
            }
            status.write(
                _("{itemsets} itemsets and {rules} rules in {took} (from cache)", **done)
                if took < res.elapsed / 2
                else _("{itemsets} itemsets and {rules} rules in {took}", **done)
            )
            hold: B.HoldoutResult | str | None = None
            if res.n_rules and S.ORDER_DATE in ctx.columns:
                t2 = time.perf_counter()
                try:
                    hold = _holdout(ctx.key, params)
                except EcomdashError as exc:
                    hold = str(translated(exc))
                status.write(
                    _(
                        "Checked on later orders ({took})",
                        took=fmt.duration(time.perf_counter() - t2),
                    )
                )
    except EcomdashError as exc:
        show_error(translated(exc))
        return
    _summary(res)
    if res.suggested_min_support is not None:
        sug = res.suggested_min_support
        again = _("Run again with minimum support {support}", support=f"{sug:.4g}")
        if st.button(again, key="basket_use_suggested"):
            st.session_state[K_PARAMS] = (ctx.key, (sug, *params[1:]))
            st.rerun()
    _holdout_summary(hold)
    if res.itemsets.empty:
        return
    label = _item_label(res)
    tabs = st.tabs([_(t) if t else _rules_word() for t in TABS])
    with tabs[0]:
        _rules_tab(res, label)
    with tabs[1]:
        _itemsets_tab(res)
    with tabs[2]:
        _charts_tab(res)
    with tabs[3]:
        _lookup_tab(ctx, res, label)
    with tabs[4]:
        _whatif_tab(ctx, res, label)


def _rules_tab(res: B.BasketResult, label) -> None:
    if res.rules.empty:
        st.info(_("No rules at these thresholds (see the note above)."))
        return
    c1, c2, c3 = st.columns([2, 1, 2])
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
    show_table(
        view,
        area="basket",
        hide_index=True,
        width="stretch",
        height=420,
    )
    st.caption(
        _(
            "{shown} of {n} rules; click a column header to sort.",
            shown=f"{len(view):,}",
            n=f"{res.n_rules:,}",
        )
    )
    download_table(view, "basket-rules", key="dl_basket_rules")


def _itemsets_tab(res: B.BasketResult) -> None:
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
    )
    st.caption(_("{shown} of {n} itemsets.", shown=f"{len(view):,}", n=f"{res.n_itemsets:,}"))
    download_table(view, "basket-itemsets", key="dl_basket_itemsets")


def _charts_tab(res: B.BasketResult) -> None:
    if res.rules.empty:
        st.info(_("No rules to draw at these thresholds."))
        return
    left, right = st.columns([3, 2])
    with left:
        show_chart(charts.scatter_figure(res), width="stretch")
    with right:
        top = _rules_view(res.rules.head(200))
        show_table(top, area="basket", hide_index=True, height=440)
        download_table(top, "basket-top-rules", key="dl_basket_top")
    n = st.slider(_("Rules in the network"), 5, 60, 25, 5, key="basket_net_n")
    show_chart(charts.network_figure(res, top=n), width="stretch")


def _lookup_tab(ctx: PageContext, res: B.BasketResult, label) -> None:
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
        fbt = _fbt(ctx.key, p["basket"], p["level"], p["include_non_product"], item, 3)
    except EcomdashError as exc:
        show_error(translated(exc))
        return
    count = int(res.items.loc[res.items["item"] == item, "count"].iloc[0])
    st.metric(_("In baskets"), fmt_int(count), help=_("Baskets holding this item."))
    left, right = st.columns([2, 3])
    with left:
        st.text(_("Frequently bought together (top 3)"))
        show_table(fbt, area="basket", hide_index=True)
        download_table(fbt, "frequently-bought-together", key="dl_basket_fbt", area="basket")
    with right:
        if len(fbt):
            show_chart(charts.fbt_figure(fbt, label(item)), width="stretch")
    st.text(_("Rules with this item"))
    r = _filter_rules(res, item, "either", "")
    show_table(_rules_view(r), area="basket", hide_index=True, width="stretch")


def _whatif_tab(ctx: PageContext, res: B.BasketResult, label) -> None:
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
        # the page's percent style (fmt.pct): "10 %" in English, "10%" in Chinese
        format="%d%%" if get_lang() == "zh" else "%d %%",
        key="basket_whatif_share",
    )
    if idx is None:
        return
    rule = top.iloc[idx]
    try:
        w = _whatif(
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
