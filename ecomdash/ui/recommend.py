"""Recommendations page: per-customer top N with reasons, per-product also-bought and who to
target, offline evaluation against best sellers, bulk export.

Settings sit in a form; Run stores them in session state. Every computation is cached by
``(ctx.key, params)`` — never by a DataFrame.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from ecomdash import findings, schema
from ecomdash import labels as L
from ecomdash import recommend as R
from ecomdash.charts import recommend as charts
from ecomdash.errors import EcomdashError
from ecomdash.filters import Filters
from ecomdash.i18n import N_, _, fmt, get_lang
from ecomdash.ui.common import (
    PageContext,
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
from ecomdash.ui.tables import HALF_PX, current_display, show_table
from ecomdash.ui.worker import run_in_worker

K_PARAMS = "rec_params"


@dataclass(frozen=True)
class RecParams:
    """The page's settings (hashable: they key the caches)."""

    model: str = "auto"
    k: int = 10
    exclude_categories: tuple[str, ...] = ()
    recent_days: int | None = None
    rebuy_products: tuple[str, ...] = ()
    cutoff: str | None = None  # ISO date for the evaluation (None = 30 days before the end)
    advanced: tuple[tuple[str, Any], ...] = ()  # model parameters changed from the defaults

    @property
    def rules(self) -> R.BusinessRules:
        return R.BusinessRules(
            exclude_categories=self.exclude_categories,
            recent_days=self.recent_days,
            rebuy_products=self.rebuy_products,
        )


# --------------------------------------------------------------------------------------
# Cached adapters
# --------------------------------------------------------------------------------------


#: the query value that opens the "How good is it?" tab (the home finding's link)
LINK_TAB_HOW_GOOD = findings.LinkTab.HOW_GOOD


@st.cache_data(max_entries=8, ttl=3600, show_spinner=False)
def _data(key: tuple) -> tuple[R.Interactions, tuple | None]:
    """The customer x product counts (equal to build_interactions of the lines) and the
    offline test's split at the default cut-off (None where the test cannot run), from ONE
    SQL pass over the lines (``Store.recommend_data``)."""
    workspace, dataset_id, _version, fkey = key
    return get_store(workspace).recommend_data(dataset_id, Filters.from_key(fkey))


def _interactions(key: tuple) -> R.Interactions:
    """Customer x product counts aggregated in SQL (cached with the split: ``_data``)."""
    return _data(key)[0]


def _split(key: tuple, p: RecParams) -> tuple:
    """(training interactions, truth, cut-off, end) of the offline test. At the default
    cut-off without consumables it comes from ``_data``'s pass (cached: no second pass);
    another cut-off or rebuy list, or a test that cannot run, asks the store for the split
    alone (which raises the reason, in the reader's language)."""
    if p.cutoff is None and not p.rules.rebuy_products:
        split = _data(key)[1]
        if split is not None:
            return split
    workspace, dataset_id, _version, fkey = key
    return get_store(workspace).recommend_split(
        dataset_id,
        Filters.from_key(fkey),
        cutoff=p.cutoff,
        rebuy_products=p.rules.rebuy_products,
    )


WEIGHTING_CHOICES = ("default", *R.WEIGHTINGS)
HALF_LIFE_CHOICES = ("default", "off", 30, 60, 90, 180, 365)
NEIGHBOUR_CHOICES = ("default", 25, 50, 100, 200, 400, "all")
#: how the advanced settings' option ids read (numbers read as themselves)
CHOICE_LABELS = {
    "default": N_("default"),
    "off": N_("off"),
    "all": N_("all"),
    "binary": N_("binary (bought or not)"),
    "count": N_("count (times bought)"),
    "log": N_("log of times bought"),
    "tfidf": N_("TF-IDF (damps best sellers)"),
    "bm25": N_("BM25 (damps best sellers and big baskets)"),
}
#: short enough for the Model box (it read "Automatic (the model that tests best on yo…")
AUTO_LABEL = N_("Automatic (best on your data)")


def _choice_labels(options) -> dict:
    """Option id → its label in this run's language (made in the run: AppTest formats a
    chosen value again outside it)."""
    return {o: _(CHOICE_LABELS[o]) if o in CHOICE_LABELS else str(o) for o in options}


def _params_for(name: str, p: RecParams) -> dict[str, Any]:
    """The advanced settings that model ``name`` accepts."""
    accepted = R.model_parameters(name)
    out = {}
    for param, value in p.advanced:
        if param not in accepted or (
            name == "user_knn" and param == "neighbours" and value is None
        ):
            continue
        out[param] = value
    return out


def _models(p: RecParams) -> dict[str, R.Recommender]:
    return {n: R.make_model(n, rules=p.rules, **_params_for(n, p)) for n in R.MODEL_NAMES}


def _model_name(key: tuple, p: RecParams) -> str:
    """The chosen model; "auto" = the model that tests best on this data (else the default)."""
    if p.model != "auto":
        return p.model
    try:
        return _evaluation(key, p, get_lang()).best_model
    except EcomdashError:
        return R.default_model_name(_interactions(key).shape[1])


@st.cache_data(max_entries=2, ttl=3600, show_spinner=False)
def _model(key: tuple, model: str, p: RecParams) -> R.Recommender:
    params = _params_for(model, p)
    # the fit runs in a worker process, killed if the page's budget runs out
    est = R.make_model(model, rules=p.rules, **params)
    return run_in_worker(
        est.fit_interactions, _interactions(key), what=_("Fitting the recommendation models")
    )


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def _model_summary(key: tuple, p: RecParams) -> tuple[str, int, int]:
    """(model name, customers, products): fits the model once without shipping it around."""
    fitted = _model(key, _model_name(key, p), p)
    n_u, n_i = fitted.interactions_.shape
    return fitted.name, n_u, n_i


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def _options(key: tuple) -> tuple[tuple[str, ...], tuple[str, ...], pd.DataFrame]:
    """(customers by number of products bought, categories, products id/name by buyers)."""
    inter = _interactions(key)
    bought = inter.counts.copy()
    bought.data[:] = 1
    per_customer = pd.Series(
        (bought.indptr[1:] - bought.indptr[:-1]), index=inter.customers
    ).sort_values(ascending=False, kind="stable")
    buyers = pd.Series(bought.sum(axis=0).A1, index=inter.products)
    products = pd.DataFrame(
        {"product_id": inter.products.astype(str), "product_name": inter.product_names.astype(str)}
    )
    products["buyers"] = buyers.to_numpy().astype(int)
    products = products.sort_values(["buyers", "product_id"], ascending=[False, True])
    cats: tuple[str, ...] = ()
    if inter.product_categories is not None:
        cats = tuple(sorted({c for c in inter.product_categories if c}))
    return tuple(per_customer.index.astype(str)), cats, products.reset_index(drop=True)


@st.cache_data(max_entries=64, ttl=3600, show_spinner=False)
def _for_customer(key: tuple, p: RecParams, customer_id: str, lang: str) -> pd.DataFrame:
    """One customer's top N; the reasons are in ``lang`` (part of the key)."""
    return _model(key, _model_name(key, p), p).recommend([customer_id], k=p.k)


@st.cache_data(max_entries=64, ttl=3600, show_spinner=False)
def _for_product(
    key: tuple, p: RecParams, product_id: str, lang: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    model = _model(key, _model_name(key, p), p)
    return model.similar_products(product_id, k=p.k), model.target_customers(product_id, k=p.k)


@st.cache_data(max_entries=8, ttl=3600, show_spinner=False)
def _evaluation(key: tuple, p: RecParams, lang: str) -> R.EvaluationResult:
    """The offline test from the store's split (training interactions and truth in SQL);
    its verdict and warnings are sentences in ``lang`` (part of the key)."""
    inter, truth, cutoff, end = _split(key, p)
    # every model's fit and test run in a worker process, killed if the budget runs out
    return run_in_worker(
        R.evaluate_split,
        inter,
        truth,
        cutoff=cutoff,
        end=end,
        k=p.k,
        models=_models(p),
        rules=p.rules,
        keep=(p.model,),  # the chosen model is tested whatever its cost
        what=_("Evaluating the models"),
    )


@st.cache_data(max_entries=4, ttl=3600, show_spinner=False)
def _bulk(key: tuple, p: RecParams, lang: str) -> pd.DataFrame:
    model = _model(key, _model_name(key, p), p)
    return run_in_worker(
        model.recommend,
        list(model.interactions_.customers),
        k=p.k,
        what=_("Fitting the recommendation models"),
    )


# --------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------


def _settings(ctx: PageContext, cats: tuple[str, ...], products: pd.DataFrame) -> RecParams:
    current = st.session_state.get(K_PARAMS)
    if not isinstance(current, RecParams):
        current = RecParams()
    names = ("auto", *R.MODEL_NAMES)
    labels = {"auto": _(AUTO_LABEL), **{n: _(label) for n, label in R.MODEL_LABELS.items()}}
    with st.form("rec_form"):
        c1, c2, c3 = st.columns(3)
        model = c1.selectbox(
            _("Model"), names, index=names.index(current.model), format_func=labels.get
        )
        k = c2.number_input(_("How many products (N)"), 1, 50, current.k, step=1)
        recent = c3.number_input(
            _("Only products sold in the last N days (0 = all)"),
            0,
            3650,
            current.recent_days or 0,
            step=30,
        )
        c4, c5, c6 = st.columns(3)
        excluded = c4.multiselect(
            _("Never recommend these categories"),
            list(cats),
            default=[c for c in current.exclude_categories if c in cats],
            disabled=not cats,
            placeholder=_("No category excluded"),
        )
        ids = products["product_id"].tolist()
        product_names = dict(zip(ids, products["product_name"], strict=True))
        rebuy = c5.multiselect(
            _("Consumables that may be bought again"),
            ids,
            default=[p for p in current.rebuy_products if p in set(ids)],
            # named as every picker names a product (the ids alone meant nothing)
            format_func=lambda pid: L.product_label(product_names.get(pid), pid),
            placeholder=_("No product"),
            help=_("These products can be recommended to customers who already bought them."),
        )
        cutoff = c6.date_input(
            _("Evaluation cut-off (empty = 30 days before the last date)"),
            value=date.fromisoformat(current.cutoff) if current.cutoff else None,
            format=current_display().picker_format,
        )
        adv = dict(current.advanced)
        with st.expander(_("Advanced model settings")):
            a1, a2, a3 = st.columns(3)
            weighting = a1.selectbox(
                _("Purchase weighting (all but the best sellers)"),
                WEIGHTING_CHOICES,
                index=WEIGHTING_CHOICES.index(adv.get("weighting", "default")),
                format_func=_choice_labels(WEIGHTING_CHOICES).get,
                key="rec_weighting",
                help=_(
                    "binary: bought or not; count/log: how often; tfidf/bm25: damp best sellers "
                    "and very large baskets."
                ),
            )
            half = adv.get("half_life_days", "default")
            half_life = a2.selectbox(
                _("Recency half-life of a customer's history, days (similar products, EASE)"),
                HALF_LIFE_CHOICES,
                format_func=_choice_labels(HALF_LIFE_CHOICES).get,
                index=HALF_LIFE_CHOICES.index(
                    "off" if "half_life_days" in adv and half is None else half
                ),
                help=_(
                    "How much less a customer's older purchases count: a product last bought "
                    "this many days before the last date in the data counts half as much as one "
                    "bought on that date, twice as long before a quarter. Off: every purchase "
                    "counts the same. Default: 90 days."
                ),
            )
            nb = adv.get("neighbours", "default")
            neighbours = a3.selectbox(
                _("Neighbours (similar products or customers)"),
                NEIGHBOUR_CHOICES,
                format_func=_choice_labels(NEIGHBOUR_CHOICES).get,
                index=NEIGHBOUR_CHOICES.index("all" if "neighbours" in adv and nb is None else nb),
                help=_(
                    "Each suggestion is built from this many of the most similar products "
                    "(the similar products model) or customers (the similar customers model). "
                    "Default: 200 products, 50 customers. All: every similar product (the "
                    "similar customers model keeps its 50 customers)."
                ),
            )
        run = st.form_submit_button(_("Run"), type="primary")
    if run:
        advanced: dict[str, Any] = {}
        if weighting != "default":
            advanced["weighting"] = weighting
        if half_life != "default":
            advanced["half_life_days"] = None if half_life == "off" else float(half_life)
        if neighbours != "default":
            advanced["neighbours"] = None if neighbours == "all" else int(neighbours)
        current = RecParams(
            model=model,
            k=int(k),
            exclude_categories=tuple(sorted(excluded)),
            recent_days=int(recent) or None,
            rebuy_products=tuple(sorted(rebuy)),
            cutoff=cutoff.isoformat() if cutoff else None,
            advanced=tuple(sorted(advanced.items())),
        )
        st.session_state[K_PARAMS] = current
    return current  # on arrival: the defaults (automatic model choice)


def render(ctx: PageContext) -> None:
    st.caption(
        _(
            "Suggestions learnt from who bought what, how often and how recently; every model "
            "is measured on your own data against simply showing your best sellers."
        )
    )
    try:
        customers, cats, products = _options(ctx.key)
    except EcomdashError as exc:
        show_error(exc)
        return
    p = _settings(ctx, cats, products)
    t0 = time.perf_counter()
    try:
        with timed_status(_("Fitting the recommendation model")) as status:
            if p.model == "auto":
                status.write(_("Testing every model on past purchases to pick the best one"))
            status.write(_("Building the customer × product matrix and fitting the model"))
            name, n_u, n_i = run_with_budget(
                _model_summary, ctx.key, p, what=_("Fitting the recommendation models")
            )
            status.write(
                _(
                    "{model} on {customers} customers × {products} products",
                    model=_(R.MODEL_LABELS.get(name, name)),
                    customers=f"{n_u:,}",
                    products=f"{n_i:,}",
                )
            )
    except EcomdashError as exc:
        show_error(exc)
        return
    st.caption(
        fmt.sentences(
            [
                _(
                    "Model in use: {model} — {customers} customers, {products} products.",
                    model=_(R.MODEL_LABELS.get(name, name)),
                    customers=f"{n_u:,}",
                    products=f"{n_i:,}",
                ),
                _quality_note(ctx, p, name),
            ]
        )
    )
    names = [_("For a customer"), _("For a product"), _("How good is it?"), _("Export all")]
    # the home's finding links "How good is it?" (?tab=how-good): open that tab
    how_good = st.query_params.get("tab") == LINK_TAB_HOW_GOOD
    tabs = st.tabs(names, default=names[2] if how_good else None)
    with tabs[0]:
        _customer_tab(ctx, p, customers)
    with tabs[1]:
        _product_tab(ctx, p, products)
    with tabs[2]:
        _evaluation_tab(ctx, p)
    with tabs[3]:
        _export_tab(ctx, p)
    st.caption(_("Page computed in {took}.", took=fmt.duration(time.perf_counter() - t0)))


def _quality_note(ctx: PageContext, p: RecParams, name: str) -> str:
    """One sentence: how this model did on the merchant's own past purchases."""
    if schema.ORDER_DATE not in ctx.columns:
        return _("It cannot be tested on this data (no order dates).")
    try:
        res = run_with_budget(_evaluation, ctx.key, p, get_lang(), what=_("Evaluating the models"))
    except EcomdashError:
        return _("There is not enough dated history to test it (see How good is it?).")
    t = res.table.set_index("model")
    if name not in t.index:
        return ""
    row, pop = t.loc[name], t.loc["popularity"]
    return _(
        "Tested on your data: {hit} of {n} returning customers bought one of its top {k} "
        "(best sellers: {pop}).",
        hit=fmt_pct(row["hit_rate_at_k"], 0),
        n=f"{res.n_test_customers:,}",
        k=res.k,
        pop=fmt_pct(pop["hit_rate_at_k"], 0),
    )


def _customer_tab(ctx: PageContext, p: RecParams, customers: tuple[str, ...]) -> None:
    customer = st.selectbox(
        _("Customer (type to search by id; most active first)"),
        customers,
        key="rec_customer",
        help=_(schema.customer_definition(ctx.columns)),
    )
    if customer is None:
        return
    try:
        recs = _for_customer(ctx.key, p, str(customer), get_lang())
    except EcomdashError as exc:
        show_error(exc)
        return
    if recs.empty:
        st.info(
            _(
                "Nothing left to recommend with these business rules: loosen them in the form "
                "above (excluded products or categories, already bought items) and press Run."
            )
        )
        return
    recs = R.shown_sources(recs)
    # within the page, the reasons wrapping: with UCI Online Retail II's long product names
    # ("because you bought DOVE DECORATION PAINTED ZINC and STAR DE…") the table ran 242 px
    # past the page's edge in a 1280 px window, the reasons cut (Chromium)
    show_table(
        recs.drop(columns=["customer_id"]),
        area="recommend",
        hide_index=True,
        fit=True,
    )
    download_table(recs, "recommendations-customer", key="rec_dl_customer", area="recommend")
    show_chart(
        charts.recommendations_figure(recs, title=_("Top {n} by score", n=len(recs))),
        key="rec_chart_customer",
    )


#: The product tab's two tables side by side, each in half of the page: the products bought
#: with it (product, score, customers who bought both; the rank, product id and reason in the
#: CSV) and
#: who to target (rank, customer, score, reason; the products they bought in the CSV). With
#: every column each ran past its half, the reasons cut in Chinese (Chromium).
ALSO_SCREEN = ("product_name", "score", "co_buyers")
TARGET_SCREEN = ("rank", "customer_id", "score", "reason")
#: The evaluation's columns on screen: each model's scores and its hit rate against the best
#: sellers; its training time in the CSV. With it the table ran 20 px past the page's edge in
#: English (838 px of content in its 818, Chromium at 1280 px).
EVAL_SCREEN = ("model", *R.METRIC_COLUMNS, "hit_rate_vs_popularity")
#: The export's first rows on screen: who, which product by its name, why and from where; the
#: product id in the CSV. With it the table ran 30 px past the page's edge in English.
EXPORT_SCREEN = ("customer_id", "rank", "product_name", "score", "reason", "source")


def _product_tab(ctx: PageContext, p: RecParams, products: pd.DataFrame) -> None:
    names = dict(zip(products["product_id"], products["product_name"], strict=True))
    product = st.selectbox(
        _("Product (type to search; best sellers first)"),
        products["product_id"].tolist(),
        format_func=lambda pid: L.product_label(names.get(pid), pid),  # as every page names it
        key="rec_product",
    )
    if product is None:
        return
    try:
        also, target = _for_product(ctx.key, p, str(product), get_lang())
    except EcomdashError as exc:
        show_error(exc)
        return
    left, right = st.columns(2)
    with left:
        st.subheader(_("Customers who bought this also bought"))
        if also.empty:
            st.info(
                _(
                    "Nobody bought this product together with another one yet. Pick a product "
                    "with more orders, or widen the period in the sidebar."
                )
            )
        else:
            # within its half of the page, long names wrapping (it ran past its edge)
            show_table(
                also,
                area="recommend",
                hide_index=True,
                width="stretch",
                fit=True,
                budget=HALF_PX,
                on_screen=ALSO_SCREEN,
            )
            download_table(also, "also-bought", key="rec_dl_also", area="recommend")
    with right:
        st.subheader(_("Who to target"))
        if target.empty:
            st.info(
                _(
                    "No customer has a purchase history pointing to this product. Try a best "
                    "seller, or widen the period in the sidebar."
                )
            )
        else:
            # within its half of the page, the reasons wrapping (cut at its edge in Chinese)
            show_table(
                target,
                area="recommend",
                hide_index=True,
                width="stretch",
                fit=True,
                budget=HALF_PX,
                on_screen=TARGET_SCREEN,
            )
            download_table(target, "who-to-target", key="rec_dl_target", area="recommend")


def _evaluation_tab(ctx: PageContext, p: RecParams) -> None:
    if schema.ORDER_DATE not in ctx.columns:
        st.info(_("The offline test needs order dates; this dataset has none."))
        return
    try:
        with timed_status(_("Testing every model on past purchases")) as status:
            status.write(
                _(
                    "Training on purchases before the cut-off, then checking what each "
                    "customer bought for the first time after it"
                )
            )
            res = run_with_budget(
                _evaluation, ctx.key, p, get_lang(), what=_("Evaluating the models")
            )
    except EcomdashError as exc:
        show_error(exc)
        return
    best = res.table.iloc[0]
    pop = res.table.set_index("model").loc["popularity"]
    c1, c2, c3 = st.columns(3)
    c1.metric(
        _("Customers tested"),
        fmt_int(res.n_test_customers),
        help=_(
            "Customers who bought before the cut-off and bought a product new to them after "
            "it: the models learn from the purchases before and are checked on the new ones."
        ),
    )
    c2.metric(
        _("Best hit rate@{k}", k=res.k),
        fmt_pct(best["hit_rate_at_k"]),
        delta=_(
            "{pts} pts vs best sellers",
            pts=f"{(best['hit_rate_at_k'] - pop['hit_rate_at_k']) * 100:+.1f}",
        ),
        help=_(
            "Of the customers tested, the share who went on to buy at least one of the {k} "
            "products the best model recommended to them. The arrow: percentage points above "
            "(or below) recommending the same {k} best sellers to everyone.",
            k=res.k,
        ),
    )
    c3.metric(
        _("Best precision@{k}", k=res.k),
        fmt_pct(best["precision_at_k"]),
        help=_(
            "Of the {k} products the best model recommended to each customer tested, the share "
            "they went on to buy, averaged over those customers. A customer buys only a few new "
            "products, so it stays low even for a good model: compare it between models.",
            k=res.k,
        ),
    )
    st.info(inert(res.verdict))
    for w in res.warnings:
        st.warning(inert(w))
    show_chart(charts.evaluation_figure(res), key="rec_chart_eval")
    table = res.table[["model", *R.METRIC_COLUMNS, "hit_rate_vs_popularity", "fit_seconds"]]
    show_table(table, area="recommend", hide_index=True, on_screen=EVAL_SCREEN)
    download_table(res.table, "recommendation-evaluation", key="rec_dl_eval", area="recommend")
    st.caption(
        _(
            "Trained on purchases before {start}, tested until {end}. Hit rate: share of "
            "customers who bought at least one of their top {k}. Precision: share of the top "
            "{k} they bought. Coverage: share of the catalogue that gets recommended to someone.",
            start=fmt.long_date(res.cutoff),
            end=fmt.long_date(res.end - pd.Timedelta(microseconds=1)),
            k=res.k,
        )
    )


def _export_tab(ctx: PageContext, p: RecParams) -> None:
    st.write(
        _(
            "Top {k} products with reasons for every customer, as a CSV that opens safely in Excel.",
            k=p.k,
        )
    )
    if not st.button(_("Prepare the export"), key="rec_bulk"):
        return
    try:
        with timed_status(_("Recommending for every customer")) as status:
            # a page budget: over it the worker is killed and the page says so
            table = R.shown_sources(
                run_with_budget(
                    _bulk, ctx.key, p, get_lang(), what=_("Recommending for every customer")
                )
            )
            status.write(
                _(
                    "{customers} customers, {rows} rows",
                    customers=f"{table['customer_id'].nunique():,}",
                    rows=f"{len(table):,}",
                )
            )
    except EcomdashError as exc:
        show_error(exc)
        return
    show_table(table.head(200), area="recommend", hide_index=True, on_screen=EXPORT_SCREEN)
    download_table(table, "recommendations-all", key="rec_dl_bulk", area="recommend")
