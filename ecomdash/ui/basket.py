"""Basket analysis page: the thresholds form and the page (mining with its progress, then the
results). The cached adapters are in :mod:`ecomdash.ui.basket_data`, the summary and the result
tabs (rules, itemsets, charts, product lookup, bundle what-if) in :mod:`ecomdash.ui.basket_views`.
"""

from __future__ import annotations

import time

import streamlit as st

from ecomdash import basket as B
from ecomdash import labels as L
from ecomdash import schema as S
from ecomdash.errors import EcomdashError
from ecomdash.i18n import N_, _, fmt
from ecomdash.i18n.note import translated
from ecomdash.ui import basket_data as data
from ecomdash.ui import basket_views as views
from ecomdash.ui.common import (
    PageContext,
    run_with_budget,
    show_error,
    timed_status,
)
from ecomdash.ui.tables import percent_format

K_PARAMS = "basket_params"
K_UNIT = "basket_support_unit"
NO_LIMIT = "no limit"
UNIT_SHARE, UNIT_COUNT = N_("share of orders"), N_("number of orders")  # stable option ids
BASKETS = {"order": N_("One order"), "customer_day": N_("A customer's day")}
#: the items' level, by the column catalogue's names (ecomdash.labels: the frame translates)
LEVELS = {"product": "product", "category": "category"}
#: the mining steps' names (basket.mine's timings), shown translated
STEPS = {
    "build baskets": N_("Build baskets"),
    "count pairs": N_("Count pairs"),
    "count larger itemsets": N_("Count larger itemsets"),
    "rules": None,  # "Rules": the catalogue's name (L.label("kinds"))
}
TABS = (None, N_("Itemsets"), N_("Charts"), N_("Product lookup"), N_("Bundle what-if"))


# --- the form --------------------------------------------------------------------------------


def _stored_params(ctx: PageContext) -> tuple | None:
    stored = st.session_state.get(K_PARAMS)
    if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == ctx.key:
        return stored[1]
    return None


def _form(ctx: PageContext) -> tuple | None:
    """The thresholds form; returns the parameters to run with (None until Run is pressed)."""
    current = _stored_params(ctx) or data.DEFAULTS
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
    n_now = data.n_baskets(ctx.key, basket0, level0, incl0)
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
            # in percent, as the captions, warnings and the rules table write support (it
            # took a fraction, "0.0100", beside "Minimum support 1 %")
            points = float(s0) * 100
            support_in = c1.number_input(
                _("Minimum support (% of orders)"),
                min_value=min(0.01, points),
                max_value=100.0,
                value=points,
                step=0.1,
                format="%.2f" if points >= 0.01 else "%.4f",
                help=_("An itemset must appear in at least this share of baskets."),
                key=f"bk_support_pct_{ctx.dataset_id}_{ctx.version}",
            )
            count_in = None
        conf_in = c2.slider(
            _("Minimum confidence"),
            0,
            100,
            int(round(float(c0) * 100)),
            5,
            # in percent, as the rules table and the tiles write confidence (it read 0.30
            # beside them), in their style: "30 %" ("percent" wrote "30%" in English)
            format=percent_format(),
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
            support=B.support_share(s_applied).shown(),
            count=f"{B.min_count_for(s_applied, max(n_now, 1)):,}",
            n=f"{n_now:,}",
        )
    )
    if run:
        if count_in is not None:
            n = data.n_baskets(ctx.key, basket_in, level_in, bool(incl_in))
            support = min(1.0, int(count_in) / max(n, 1))
        else:
            support = round(float(support_in) / 100, 10)  # 0.7 % is 0.007, not 0.00699…
        params = (
            support,
            int(conf_in) / 100,
            float(lift_in),
            None if len_in == NO_LIMIT else int(len_in),
            basket_in,
            level_in,
            bool(incl_in),
        )
        st.session_state[K_PARAMS] = (ctx.key, params)
        return params
    # on arrival: the default thresholds (the same cached result the home page's findings use)
    return _stored_params(ctx) or data.DEFAULTS


# --- the page ----------------------------------------------------------------------------------


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
            pairs = data.basket_pairs(ctx.key, params[4], params[5], bool(params[6]))
            status.write(
                _(
                    "Baskets built in the database: {n} baskets, {items} items ({took})",
                    n=f"{pairs.n_baskets:,}",
                    items=f"{len(pairs.items):,}",
                    took=fmt.duration(time.perf_counter() - t0),
                )
            )
            t1 = time.perf_counter()
            res = run_with_budget(data.mine, ctx.key, params, what=_("Mining the rules"))
            took = time.perf_counter() - t1
            for step, secs in res.timings:
                if step in STEPS:
                    step_name = _(STEPS[step]) if STEPS[step] else views.rules_word()
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
                    hold = data.holdout(ctx.key, params)
                except EcomdashError as exc:
                    hold = str(translated(exc))
                # a customer's day is no order: its baskets are checked on later purchases
                checked = (
                    N_("Checked on later purchases ({took})")
                    if params[4] == "customer_day"
                    else N_("Checked on later orders ({took})")
                )
                status.write(_(checked, took=fmt.duration(time.perf_counter() - t2)))
    except EcomdashError as exc:
        show_error(translated(exc))
        return
    views.render_summary(res)
    if res.suggested_min_support is not None:
        # the value the warning writes (cut down to its shown figures: it still lets the
        # pairs in), so the button, the caption after it and the support box say one number
        shown = B.support_share(res.suggested_min_support, towards="down")
        sug = shown.value
        again = _("Run again with minimum support {support}", support=shown.shown())
        if st.button(again, key="basket_use_suggested"):
            st.session_state[K_PARAMS] = (ctx.key, (sug, *params[1:]))
            st.rerun()
    views.render_holdout(hold, days=params[4] == "customer_day")
    if res.itemsets.empty:
        return
    label = views.item_label(res)
    tabs = st.tabs([_(t) if t else views.rules_word() for t in TABS])
    with tabs[0]:
        views.rules_tab(res, label)
    with tabs[1]:
        views.itemsets_tab(res)
    with tabs[2]:
        views.charts_tab(res)
    with tabs[3]:
        views.lookup_tab(ctx, res, label)
    with tabs[4]:
        views.whatif_tab(ctx, res, label)
