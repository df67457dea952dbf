"""Customer value page: sufficiency checklist, cohorts, lifetime value, churn risk, at-risk list.

Every section is computed by a cached adapter keyed by ``(ctx.key, params)``; the heavy work
sits behind the form's Run button and shows ``st.status`` steps with the elapsed time.
:func:`compute` runs the whole page result without streamlit (used by ``bench/bench_value.py``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
import streamlit as st

from ecomdash import aggregates_customers, findings, schema
from ecomdash import churn as churn_mod
from ecomdash import clv as clv_mod
from ecomdash import cohorts as cohorts_mod
from ecomdash.errors import EcomdashError, InsufficientDataError
from ecomdash.features import CustomerHistory
from ecomdash.filters import Filters
from ecomdash.i18n import _, fmt, get_lang
from ecomdash.ui import value_views as views
from ecomdash.ui.common import (
    PageContext,
    cached_date_span,
    cached_history,
    get_store,
    run_with_budget,
    show_error,
    timed_status,
)
from ecomdash.ui.tables import current_display, show_table
from ecomdash.ui.worker import run_in_worker

K_PARAMS = "value_params"
HORIZONS = (3, 6, 12)


@dataclass(frozen=True)
class ValueParams:
    """The page's settings (hashable: they key the caches)."""

    horizon_months: int = 12
    window_days: int = 90
    cutoff: str | None = None  # ISO date, validation cut-off (blank = automatic)
    gbm: bool = True
    first_categories: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    #: the dataset's country field holds provinces (``labels.Display.provinces``): a cohort
    #: filter that keeps no one says "province", as the filter's label does
    provinces: bool = False

    @property
    def models(self) -> tuple[str, ...]:
        return churn_mod.MODELS if self.gbm else ("logistic", "tree")


# --------------------------------------------------------------------------------------
# Pure computations (no streamlit)
# --------------------------------------------------------------------------------------


def run_cohorts(sales: pd.DataFrame, p: ValueParams) -> cohorts_mod.CohortResult:
    """Cohorts of the sales lines (``schema.customer_sales`` applied)."""
    return cohorts_mod.cohorts(
        sales, first_categories=p.first_categories, countries=p.countries, provinces=p.provinces
    )


def run_clv(sales: pd.DataFrame, p: ValueParams) -> clv_mod.CLVResult:
    """Lifetime value of the sales lines, scored as of the end, checked at the cut-off."""
    return clv_mod.customer_value(
        sales, horizon_months=p.horizon_months, calibration_cutoff=p.cutoff
    )


def run_churn(lines: pd.DataFrame, p: ValueParams) -> churn_mod.ChurnResult:
    return churn_mod.churn(lines, cutoff=p.cutoff, window_days=p.window_days, models=p.models)


def churn_history(history: CustomerHistory, p: ValueParams) -> churn_mod.ChurnResult:
    """:func:`run_churn` from the per-order history (the store's SQL aggregate)."""
    return churn_mod.churn(
        pd.DataFrame(), cutoff=p.cutoff, window_days=p.window_days, models=p.models, history=history
    )


@dataclass(frozen=True)
class ValuePage:
    """Everything the page shows; a section that could not run has its error instead."""

    sufficiency: churn_mod.SufficiencyResult
    cohorts: cohorts_mod.CohortResult | None
    clv: clv_mod.CLVResult | None
    churn: churn_mod.ChurnResult | None
    at_risk: pd.DataFrame | None
    errors: dict[str, EcomdashError] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def compute(lines: pd.DataFrame, p: ValueParams = ValueParams()) -> ValuePage:
    """The whole page result for canonical ``lines`` (sections that fail carry their error)."""
    out: dict = {}
    errors: dict[str, EcomdashError] = {}
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    sales = schema.customer_sales(lines)
    seconds["sales_lines"] = time.perf_counter() - t0
    steps = (
        (
            "sufficiency",
            lambda: churn_mod.sufficiency(lines, window_days=p.window_days, sales=sales),
        ),
        ("cohorts", lambda: run_cohorts(sales, p)),
        ("clv", lambda: run_clv(sales, p)),
        ("churn", lambda: run_churn(lines, p)),
    )
    for name, fn in steps:
        t0 = time.perf_counter()
        try:
            out[name] = fn()
        except EcomdashError as err:
            out[name] = None
            errors[name] = err
        seconds[name] = time.perf_counter() - t0
    risk = views.run_at_risk(out["churn"], out["clv"]) if out["churn"] is not None else None
    return ValuePage(**out, at_risk=risk, errors=errors, seconds=seconds)


# --------------------------------------------------------------------------------------
# Cached adapters (keyed by ctx.key + small params)
# --------------------------------------------------------------------------------------


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def _customer_days(key: tuple):
    """Purchases per customer-day of ``key``'s sales lines, summed in SQL (checklist, CLV)."""
    workspace, dataset_id, _version, fkey = key
    return get_store(workspace).customer_days(dataset_id, Filters.from_key(fkey))


def sufficiency_days(cd, window_days: int) -> churn_mod.SufficiencyResult:
    """The checklist from the store's customer days (``Store.customer_days``)."""
    return churn_mod.sufficiency_from_days(
        cd.days, n_lines=cd.n_sales_lines, n_with_id=cd.n_with_id, window_days=window_days
    )


def clv_days(cd, p: ValueParams) -> clv_mod.CLVResult:
    """:func:`run_clv` from the store's customer days (``Store.customer_days``)."""
    if cd.days is None:
        raise InsufficientDataError(
            _(
                "Customer value needs the customer id and order date columns; this dataset "
                "lacks at least one of them. Map them on the Data page."
            )
        )
    return clv_mod.customer_value_days(
        cd.days, horizon_months=p.horizon_months, calibration_cutoff=p.cutoff
    )


def cohorts_cells(cells, p: ValueParams) -> cohorts_mod.CohortResult:
    """:func:`run_cohorts` from the store's cohort cells (``Store.cohort_cells``)."""
    return cohorts_mod.cohorts_from_cells(
        cells.cells,
        first_day=cells.first_day,
        last_day=cells.last_day,
        lines_without_customer=cells.lines_without_customer,
        first_categories=p.first_categories,
        countries=p.countries,
        provinces=p.provinces,
    )


def page_cohort_cells(cd, p: ValueParams, from_store):
    """The cohort cells the page shows: without cohort filters, from the customer days it
    has already read (``aggregates_customers.cohort_cells_from_days``: the same cells, no
    second pass over the lines); else (or without days) ``from_store()``
    (``Store.cohort_cells``, which also says which column is missing)."""
    if cd is not None and not p.first_categories and not p.countries:
        cells = aggregates_customers.cohort_cells_from_days(cd)
        if cells is not None:
            return cells
    return from_store()


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def _sufficiency(key: tuple, window_days: int, lang: str) -> churn_mod.SufficiencyResult:
    """The checklist (its sentences in ``lang``, part of the key)."""
    return sufficiency_days(_customer_days(key), window_days)


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def _options(key: tuple) -> tuple[tuple[str, ...], tuple[str, ...], date | None, date | None]:
    """Filter choices (categories, countries) and the first/last order day of the dataset."""
    workspace, dataset_id, _version, fkey = key
    store = get_store(workspace)
    filters = Filters.from_key(fkey)
    out = [
        tuple(sorted(str(v) for v in store.top_values(dataset_id, filters, col, limit=200)))
        for col in (schema.CATEGORY, schema.COUNTRY)
    ]
    lo, hi = cached_date_span(key)
    first = lo.date() if lo is not None else None
    last = hi.date() if hi is not None else None
    return out[0], out[1], first, last


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def _cohorts(
    key: tuple,
    first_categories: tuple[str, ...],
    countries: tuple[str, ...],
    provinces: bool = False,
) -> cohorts_mod.CohortResult:
    p = ValueParams(first_categories=first_categories, countries=countries, provinces=provinces)
    workspace, dataset_id, _version, fkey = key
    cells = page_cohort_cells(
        None if first_categories or countries else _customer_days(key),
        p,
        lambda: get_store(workspace).cohort_cells(
            dataset_id,
            Filters.from_key(fkey),
            first_categories=first_categories,
            countries=countries,
        ),
    )
    return cohorts_cells(cells, p)


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def _clv(key: tuple, horizon_months: int, cutoff: str | None, lang: str) -> clv_mod.CLVResult:
    """Lifetime value; its notices are in ``lang`` (part of the key)."""
    p = ValueParams(horizon_months=horizon_months, cutoff=cutoff)
    cd = _customer_days(key)
    if cd.days is None:
        return clv_days(cd, p)  # says which columns are missing
    # the models run in a worker process, killed if the page's budget runs out
    return run_in_worker(
        clv_mod.customer_value_days,
        cd.days,
        horizon_months=p.horizon_months,
        calibration_cutoff=p.cutoff,
        what=_("The lifetime-value models"),
    )


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def _churn(
    key: tuple, window_days: int, cutoff: str | None, gbm: bool, lang: str
) -> churn_mod.ChurnResult:
    """The churn models; notices and model labels are in ``lang`` (part of the key)."""
    p = ValueParams(window_days=window_days, cutoff=cutoff, gbm=gbm)
    # churn_history's call, in a worker process killed if the page's budget runs out
    return run_in_worker(
        churn_mod.churn,
        pd.DataFrame(),
        cutoff=p.cutoff,
        window_days=p.window_days,
        models=p.models,
        history=cached_history(key),
        what=_("The churn models"),
    )


# --------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------


def _form(ctx: PageContext) -> ValueParams | None:
    cats, countries, first_day, last_day = _options(ctx.key)
    prev = st.session_state.get(K_PARAMS)
    p0 = prev[1] if prev and prev[0] == ctx.key else ValueParams()
    with st.form("value_form"):
        c1, c2, c3 = st.columns(3)
        horizon = c1.selectbox(
            _("Value horizon (months)"), HORIZONS, index=HORIZONS.index(p0.horizon_months)
        )
        window = c2.number_input(
            _("Churn window N (days)"), min_value=7, max_value=365, value=p0.window_days, step=1
        )
        cutoff = c3.date_input(
            _("Validation cut-off (blank = automatic)"),
            key="value_cutoff",
            format=current_display().picker_format,
            value=date.fromisoformat(p0.cutoff) if p0.cutoff else None,
            min_value=first_day,
            max_value=last_day,
            help=_(
                "Models are fitted on data up to this day and checked on what happened after "
                "it. Automatic: a third of the history for lifetime value; the end minus N days "
                "for churn."
            ),
        )
        c4, c5, c6 = st.columns(3)
        first_cats = c4.multiselect(
            _("Cohorts: first category"),
            cats,
            default=list(p0.first_categories),
            disabled=not cats,
            placeholder=_("All"),
        )
        first_countries = c5.multiselect(
            # a dataset whose country field holds provinces (labels.places_are_provinces)
            _("Cohorts: first province") if ctx.display.provinces else _("Cohorts: first country"),
            countries,
            default=list(p0.countries),
            disabled=not countries,
            placeholder=_("All"),
        )
        gbm = c6.checkbox(_("Include gradient boosting"), value=p0.gbm)
        submitted = st.form_submit_button(_("Run"), type="primary")
    if submitted:
        p = ValueParams(
            horizon_months=int(horizon),
            window_days=int(window),
            cutoff=cutoff.isoformat() if cutoff else None,
            gbm=bool(gbm),
            first_categories=tuple(first_cats),
            countries=tuple(first_countries),
        )
        st.session_state[K_PARAMS] = (ctx.key, p)
        return p
    if prev and prev[0] == ctx.key:
        return prev[1]
    return ValueParams()  # on arrival: the defaults (the same cached results the home uses)


def default_at_risk(key: tuple) -> tuple[churn_mod.ChurnResult, pd.DataFrame]:
    """Churn at the page's defaults and its at-risk list (valued with the default CLV when
    that runs); cached, shared with the home's findings."""
    p = ValueParams()
    ch = _churn(key, p.window_days, p.cutoff, p.gbm, get_lang())
    try:
        cv = _clv(key, p.horizon_months, p.cutoff, get_lang())
    except EcomdashError:
        cv = None
    return ch, views.run_at_risk(ch, cv)


def checklist_table(suff: churn_mod.SufficiencyResult) -> pd.DataFrame:
    """The checklist as shown: "yes"/"NO", and the reason column only when a check failed
    (on data that passes every check it was an empty column pushing "used for" off the page)."""
    table = suff.checks.assign(ok=suff.checks["ok"].map({True: _("yes"), False: _("NO")}))
    cols = ["check", "ok", "found", "needed", "reason", "affects"]
    if suff.checks["ok"].all():
        cols.remove("reason")
    return table[cols]


def _checklist(suff: churn_mod.SufficiencyResult, columns) -> None:
    st.subheader(_("Data sufficiency"))
    # wrapped, not cut off: a long cell takes two or three lines of a taller row
    show_table(checklist_table(suff), area="value", hide_index=True, width="stretch", fit=True)
    st.caption(_(schema.customer_definition(columns)))


def render(ctx: PageContext) -> None:
    """The whole page for ``ctx``."""
    try:
        window_hint = st.session_state.get(K_PARAMS)
        wd = window_hint[1].window_days if window_hint and window_hint[0] == ctx.key else 90
        suff = _sufficiency(ctx.key, wd, get_lang())
    except EcomdashError as err:
        show_error(err)
        return
    _checklist(suff, ctx.columns)
    p = _form(ctx)

    page: dict = {}
    errors: dict[str, EcomdashError] = {}
    lang = get_lang()
    with timed_status(_("Computing customer value"), expanded=False) as status:
        for name, label, fn in (
            (
                "cohorts",
                _("Cohorts"),
                lambda: run_with_budget(
                    _cohorts,
                    ctx.key,
                    p.first_categories,
                    p.countries,
                    ctx.display.provinces,
                    what=_("The cohort analysis"),
                ),
            ),
            (
                "clv",
                _("Lifetime value (BG/NBD + Gamma-Gamma) and calibration check"),
                lambda: run_with_budget(
                    _clv,
                    ctx.key,
                    p.horizon_months,
                    p.cutoff,
                    lang,
                    what=_("The lifetime-value models"),
                ),
            ),
            (
                "churn",
                _("Churn models on held-out time"),
                lambda: run_with_budget(
                    _churn,
                    ctx.key,
                    p.window_days,
                    p.cutoff,
                    p.gbm,
                    lang,
                    what=_("The churn models"),
                ),
            ),
        ):
            status.write(label)
            t0 = time.perf_counter()
            try:
                page[name] = fn()
            except EcomdashError as err:
                page[name] = None
                errors[name] = err
            status.write(f"… {fmt.duration(time.perf_counter() - t0)}")

    names = [_("Cohorts"), _("Lifetime value"), _("Churn risk"), _("Act: customers at risk")]
    # a home finding's link opens the win-back list (?tab=at-risk)
    at_risk_first = st.query_params.get("tab") == findings.LinkTab.AT_RISK
    tabs = st.tabs(names, default=names[3] if at_risk_first else None)
    with tabs[0]:
        views.render_cohorts(page["cohorts"], errors.get("cohorts"))
    with tabs[1]:
        views.render_clv(page["clv"], errors.get("clv"), window_days=p.window_days)
    with tabs[2]:
        views.render_churn(page["churn"], errors.get("churn"))
    with tabs[3]:
        views.render_at_risk(
            page["churn"], page["clv"], errors.get("churn"), days=schema.ORDER_ID not in ctx.columns
        )
