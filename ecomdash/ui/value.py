"""Customer value page: sufficiency checklist, cohorts, lifetime value, churn risk, at-risk list.

Every section is computed by a cached adapter keyed by ``(ctx.key, params)``; the heavy work
sits behind the form's Run button and shows ``st.status`` steps with the elapsed time.
:func:`compute` runs the whole page result without streamlit (used by ``bench/bench_value.py``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
import streamlit as st

from ecomdash import aggregates_customers, findings, schema
from ecomdash import churn as churn_mod
from ecomdash import clv as clv_mod
from ecomdash import cohorts as cohorts_mod
from ecomdash import labels as L
from ecomdash.charts import value as charts
from ecomdash.errors import EcomdashError, InsufficientDataError
from ecomdash.features import CustomerHistory
from ecomdash.filters import Filters
from ecomdash.i18n import N_, _, fmt, get_lang
from ecomdash.ui.common import (
    PageContext,
    cached_date_span,
    cached_history,
    download_table,
    fmt_compact,
    fmt_int,
    fmt_money,
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

K_PARAMS = "value_params"
#: the lifetime-value tables' catalogue area: their ``frequency`` is the models' repeat
#: purchase days (labels.py's ``value.clv:frequency``), not the orders the at-risk list counts
CLV_AREA = "value.clv"
HORIZONS = (3, 6, 12)
#: how each lifetime-value method reads (ids from ecomdash.clv)
CLV_METHODS = {
    "bgnbd+gamma_gamma": N_("BG/NBD + Gamma-Gamma"),
    "bgnbd+historical_spend": N_("BG/NBD + historical spend"),
    "historical_average": N_("Historical average (models skipped)"),
}


@dataclass(frozen=True)
class ValueParams:
    """The page's settings (hashable: they key the caches)."""

    horizon_months: int = 12
    window_days: int = 90
    cutoff: str | None = None  # ISO date, validation cut-off (blank = automatic)
    gbm: bool = True
    first_categories: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()

    @property
    def models(self) -> tuple[str, ...]:
        return churn_mod.MODELS if self.gbm else ("logistic", "tree")


# --------------------------------------------------------------------------------------
# Pure computations (no streamlit)
# --------------------------------------------------------------------------------------


def run_cohorts(sales: pd.DataFrame, p: ValueParams) -> cohorts_mod.CohortResult:
    """Cohorts of the sales lines (``schema.customer_sales`` applied)."""
    return cohorts_mod.cohorts(sales, first_categories=p.first_categories, countries=p.countries)


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


def run_at_risk(ch: churn_mod.ChurnResult, cv: clv_mod.CLVResult | None) -> pd.DataFrame:
    ev = None if cv is None else cv.customers.set_index("customer_id")["expected_value"]
    return churn_mod.at_risk(ch, expected_value=ev, top=500)


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
    risk = run_at_risk(out["churn"], out["clv"]) if out["churn"] is not None else None
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
    key: tuple, first_categories: tuple[str, ...], countries: tuple[str, ...]
) -> cohorts_mod.CohortResult:
    p = ValueParams(first_categories=first_categories, countries=countries)
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
            _("Cohorts: first country"),
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
    return ch, run_at_risk(ch, cv)


def _round(df: pd.DataFrame, digits: int = 3) -> pd.DataFrame:
    """Round the float columns only (datetimes and text stay as they are)."""
    floats = df.select_dtypes("float").columns
    return df.assign(**{c: df[c].round(digits) for c in floats})


def checklist_table(suff: churn_mod.SufficiencyResult) -> pd.DataFrame:
    """The checklist as shown: "yes"/"NO", and the reason column only when a check failed
    (on data that passes every check it was an empty column pushing "used for" off the page)."""
    table = suff.checks.assign(ok=suff.checks["ok"].map({True: _("yes"), False: _("NO")}))
    cols = ["check", "ok", "found", "needed", "reason", "affects"]
    if suff.checks["ok"].all():
        cols.remove("reason")
    return table[cols]


def _checklist(suff: churn_mod.SufficiencyResult) -> None:
    st.subheader(_("Data sufficiency"))
    table = checklist_table(suff)
    show_table(
        table,
        area="value",
        hide_index=True,
        width="stretch",
        column_config={
            "ok": st.column_config.TextColumn(L.label("ok", "value"), width="small"),
            "reason": st.column_config.TextColumn(L.label("reason", "value"), width="medium"),
        },
    )
    st.caption(_(schema.CUSTOMER_DEFINITION))


def render(ctx: PageContext) -> None:
    """The whole page for ``ctx``."""
    try:
        window_hint = st.session_state.get(K_PARAMS)
        wd = window_hint[1].window_days if window_hint and window_hint[0] == ctx.key else 90
        suff = _sufficiency(ctx.key, wd, get_lang())
    except EcomdashError as err:
        show_error(err)
        return
    _checklist(suff)
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
        _render_cohorts(page["cohorts"], errors.get("cohorts"))
    with tabs[1]:
        _render_clv(page["clv"], errors.get("clv"))
    with tabs[2]:
        _render_churn(page["churn"], errors.get("churn"))
    with tabs[3]:
        _render_at_risk(page["churn"], page["clv"], errors.get("churn"))


def _render_cohorts(res: cohorts_mod.CohortResult | None, err: EcomdashError | None) -> None:
    if res is None:
        show_error(err)
        return
    views = {k: _(title) for k, title in cohorts_mod.VIEWS.items()}  # made in this run
    kind = st.radio(
        _("Show"),
        list(cohorts_mod.VIEWS),
        format_func=views.get,
        horizontal=True,
        key="value_cohort_view",
    )
    sentences = [
        _(
            "{n} customers in {cohorts} monthly cohorts; {lines} lines without a customer id "
            "are left out.",
            n=f"{res.n_customers:,}",
            cohorts=len(res.sizes),
            lines=f"{res.lines_without_customer:,}",
        )
    ]
    if res.partial_last_month:
        sentences.append(_("The last month is incomplete."))
    # what is counted, then how to read the picture: two short paragraphs, not one of five
    st.caption(fmt.sentences(sentences))
    sentences = []
    first = res.before_data_cohort
    if first is not None:
        sentences.append(
            _(
                "The data shown starts on {date}, so the {cohort} cohort holds every customer "
                "who ordered that month, including those already buying before then: it is not "
                "a cohort of new customers, and its retention and revenue usually run higher. "
                "The next few cohorts hold some earlier customers too (those who came back "
                "later), fewer each month.",
                date=fmt.long_date(res.first_day),
                cohort=fmt.long_month(first),
            )
        )
        if kind != "retention" and charts.first_cohort_capped(res, kind):
            sentences.append(
                _(
                    "The colours are scaled to the other cohorts so that they can be compared: "
                    "the {cohort} cohort's larger cells show in the darkest colour, with their "
                    "numbers.",
                    cohort=fmt.long_month(first),
                )
            )
        if kind == "cumulative_revenue_per_customer":
            sentences.append(
                _("The LTV chart leaves that cohort out; click its name in the legend to show it.")
            )
    if kind == "retention":
        top = charts.colour_range(res, kind)[1]
        if top < 1:
            sentences.append(
                _(
                    "Month 0 is 100 % by definition: the colours are scaled from 0 to {top}, the "
                    "most active later month, so that the cohorts can be compared; cells above "
                    "it show in the darkest colour, with their numbers.",
                    top=fmt_pct(top),
                )
            )
    if sentences:
        st.caption(fmt.sentences(sentences))
    show_chart(charts.cohort_heatmap(res, kind), width="stretch")
    table = res.matrix(kind).copy()
    table.index = table.index.astype(str)
    table.columns = [f"m{c}" for c in table.columns]
    table.insert(0, "customers", res.sizes.to_numpy())
    table.insert(1, "before_data", res.before_data.to_numpy())
    cell = {"retention": "share", "customers": "count"}.get(kind, "money")
    show_table(
        table.round(3),
        area="value",
        width="stretch",
        kinds={c: cell for c in table.columns if c not in ("customers", "before_data")},
    )
    download_table(table.reset_index(), "cohorts", key="dl_cohorts", area="value")
    if kind == "cumulative_revenue_per_customer":
        show_chart(charts.ltv_curves(res), width="stretch")


def _render_clv(res: clv_mod.CLVResult | None, err: EcomdashError | None) -> None:
    if res is None:
        show_error(err)
        return
    c = res.customers
    st.caption(
        _(
            "Method: {method}. Scored as of {date} over the next {months} months.",
            method=_(CLV_METHODS[res.method]),
            date=fmt.long_date(res.cutoff),
            months=f"{res.horizon_months:g}",
        )
    )
    m1, m2, m3 = st.columns(3)
    m1.metric(_("Customers scored"), fmt_int(len(c)))
    m2.metric(
        _("Expected value, {months} months", months=f"{res.horizon_months:g}"),
        fmt_compact(c["expected_value"].sum(), money=True),
        help=fmt_money(c["expected_value"].sum()),
    )
    m3.metric(
        _("Expected purchases, {months} months", months=f"{res.horizon_months:g}"),
        fmt_int(c["expected_purchases"].sum()),
        help=_(
            "Purchases the scored customers are expected to make in the next {months} months, "
            "summed; the models count a customer's purchases on one day as one.",
            months=f"{res.horizon_months:g}",
        ),
    )
    for n in res.notices:
        st.warning(inert(n), icon="⚠️")

    cal = res.calibration
    st.subheader(_("Calibration check on held-out time"))
    if cal is None:
        st.info(_("No calibration check: see the notice above for why."))
    else:
        a1, a2, a3 = st.columns(3)
        a1.metric(_("Repeat purchases before cut-off"), fmt_int(cal.calibration_repeat_purchases))
        st.caption(
            _(
                "Fitted on purchases up to and including {cutoff}; holdout {start} to {end} "
                "({weeks} weeks).",
                cutoff=fmt.long_date(cal.cutoff),
                start=fmt.long_date(cal.cutoff + pd.Timedelta(days=1)),
                end=fmt.long_date(cal.end),
                weeks=f"{cal.holdout_units:.1f}",
            )
        )
        a2.metric(
            _("Holdout purchases (actual)"),
            fmt_int(cal.actual_holdout_purchases),
        )
        a3.metric(
            _("Holdout purchases (predicted)"),
            fmt_int(cal.predicted_holdout_purchases),
            delta=_(
                "{pct} vs actual",
                pct=("+" if cal.error_pct >= 0 else "") + fmt_pct(cal.error_pct / 100, 1),
            ),
            delta_color="off",
        )
        miss = cal.largest_miss()
        if miss is not None:
            st.caption(largest_miss_text(miss))
        g1, g2 = st.columns(2)
        show_chart(charts.calibration_by_frequency(cal), width="stretch", where=g1)
        show_chart(charts.calibration_tracking(cal), width="stretch", where=g2)
        with st.expander(_("Calibration tables")):
            show_table(cal.by_frequency.round(3), area=CLV_AREA, hide_index=True, width="stretch")
            download_table(cal.by_frequency, "clv-calibration", key="dl_cal", area=CLV_AREA)

    st.subheader(_("Model parameters"))
    rows = []
    if res.params is not None:
        for k in ("r", "alpha", "a", "b"):
            rows.append(("BG/NBD", k, getattr(res.params, k)))
        rows.append(("BG/NBD", _("log-likelihood"), res.params.log_likelihood))
    if res.gamma_gamma is not None:
        for k in ("p", "q", "v"):
            rows.append(("Gamma-Gamma", k, getattr(res.gamma_gamma, k)))
        rows.append(("Gamma-Gamma", _("log-likelihood"), res.gamma_gamma.log_likelihood))
        rows.append(("Gamma-Gamma", _("mean spend per order"), res.gamma_gamma.mean_spend))
    rows.append((_("Check"), _("spend vs frequency correlation"), res.spend_frequency_corr))
    rows.append((_("Check"), _("repeat buyers"), float(res.repeat_buyers)))
    show_table(
        parameter_table(rows),
        area="value",
        kinds={"value": "text"},
        hide_index=True,
        width="stretch",
    )
    if res.params is not None:
        st.caption(parameters_in_words(res.params))

    st.subheader(_("Customers by expected value"))
    cols = [
        "customer_id",
        "expected_value",
        "expected_purchases",
        "p_alive",
        "p_purchase_in_horizon",
        "expected_spend",
        "next_order_date",
        "frequency",
        "total_value",
        "last_date",
    ]
    show_table(_round(c[cols].head(500)), area=CLV_AREA, hide_index=True, width="stretch")
    download_table(c[cols], "customer-value", key="dl_clv", area=CLV_AREA)
    st.caption(
        _(
            "{column}: the day by which the customer has a 50 % chance of having ordered again "
            '(blank when "{alive}" is 50 % or less).',
            column=L.label("next_order_date", "value"),
            alive=L.label("p_alive", "value"),
        )
    )


def largest_miss_text(miss: dict) -> str:
    """Where the calibration check's miss comes from (``CalibrationResult.largest_miss``):
    the demo's +20 % is mostly customers who had not bought again before the cut-off."""
    who = (
        _(
            "customers who had not bought again before the cut-off ({n})",
            n=fmt_int(miss["customers"]),
        )
        if miss["frequency"] == "0"
        else _(
            "customers with {frequency} repeat purchase days before the cut-off ({n})",
            frequency=miss["frequency"],
            n=fmt_int(miss["customers"]),
        )
    )
    fields = {
        "who": who,
        "share": fmt_pct(miss["share"], 0),
        "predicted": f"{miss['predicted']:.2f}",
        "actual": f"{miss['actual']:.2f}",
    }
    if miss["share"] >= 0.5:
        return _(
            "Most of the miss comes from one group: {who} make {share} of the gap between "
            "predicted and actual. The model expected {predicted} purchase days each in the "
            "holdout; they bought on {actual}.",
            **fields,
        )
    return _(
        "The largest part of the miss: {who} make {share} of the gap between predicted and "
        "actual. The model expected {predicted} purchase days each in the holdout; they "
        "bought on {actual}.",
        **fields,
    )


def parameter_text(v: float) -> str:
    """A model parameter with its digits: whole numbers from 1,000, two decimals from 1, and
    below 1 enough decimals for two significant digits (at least three), never an exponent:
    the demo's BG/NBD ``a`` of 0.0000057 read "0.00" at two decimals."""
    v = float(v)
    if not np.isfinite(v):
        return "—"
    if v == 0 or abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 1:
        return f"{v:,.2f}"
    decimals = max(3, 1 - int(np.floor(np.log10(abs(v)))))
    return f"{v:.{decimals}f}"


def parameter_table(rows) -> pd.DataFrame:
    """The model parameters as shown: each value written by :func:`parameter_text`."""
    table = pd.DataFrame(rows, columns=["model", "parameter", "value"])
    return table.assign(value=[parameter_text(v) for v in table["value"]])


def parameters_in_words(params) -> str:
    """What the BG/NBD parameters say in plain words: purchases a year while a customer
    (r / alpha, alpha in weeks) and the chance to stop after a purchase (a / (a + b); below
    0.1 % written "< 0.1 %", as the lifetime-value notice does)."""
    per_year = params.purchases_per_year
    dropout = params.dropout_per_purchase
    return _(
        "In plain words: while still a customer, a customer buys about {rate} times a year on "
        "average (r / alpha; alpha is in weeks), and after each purchase stops buying with a "
        "chance of {share} on average (a / (a + b)).",
        rate=f"{per_year:.1f}",
        share=f"< {fmt_pct(1e-3, 1)}" if dropout < 1e-3 else fmt_pct(dropout, 1),
    )


def _render_churn(res: churn_mod.ChurnResult | None, err: EcomdashError | None) -> None:
    if res is None:
        show_error(err)
        return
    st.caption(
        _(
            "Trained on features up to {train} with labels in the next {days} days ({n_train} "
            "customers); evaluated on features up to {test} and what happened in the {days} "
            "days after ({n_test} customers, {share} bought again).",
            train=fmt.long_date(res.train_cutoff),
            days=res.window_days,
            n_train=f"{res.n_train:,}",
            test=fmt.long_date(res.test_cutoff),
            n_test=f"{res.n_test:,}",
            share=fmt_pct(res.test_positive_rate),
        )
    )
    for n in res.notices:
        st.warning(inert(n), icon="⚠️")
    m = res.metrics
    best = res.best_model
    st.caption(_("Best model on the holdout: {model}.", model=_(churn_mod.MODEL_LABELS[best])))
    b2, b3 = st.columns(2)
    b2.metric(
        _("Holdout ROC AUC"),
        f"{m.loc[best, 'auc']:.3f}",
        delta=_(
            "{diff} vs recency only", diff=f"{m.loc[best, 'auc'] - m.loc['recency', 'auc']:+.3f}"
        ),
        help=_(
            "How well the model ranks customers, checked on the later period it was not fitted "
            "on: the chance that it rates a customer who then placed no order in the {days} "
            "days as more at risk than one who ordered. 0.5 is guessing, 1 is perfect; "
            '"recency only" ranks by days since the last order.',
            days=res.window_days,
        ),
    )
    pts = (m.loc[best, "precision_at_10pct"] - m.loc["recency", "precision_at_10pct"]) * 100
    b3.metric(
        _("Precision at top 10 % risk"),
        fmt_pct(m.loc[best, "precision_at_10pct"]),
        delta=_("{pts} pts vs recency", pts=f"{pts:+.1f}"),
        help=_(
            "Of the 10 % of customers the model rated most at risk, the share who then placed "
            "no order in the {days} days (percentage points against ranking by days since the "
            "last order).",
            days=res.window_days,
        ),
    )
    table = m.reset_index()[
        [
            "label",
            "auc",
            "precision_at_10pct",
            "recall_at_10pct",
            "buyer_precision_at_10pct",
            "brier",
        ]
    ]
    show_table(table.round(3), area="value", hide_index=True, width="stretch")
    download_table(table, "churn-models", key="dl_churn_models", area="value")
    g1, g2 = st.columns(2)
    show_chart(charts.roc_chart(res), width="stretch", where=g1)
    show_chart(charts.probability_calibration_chart(res), width="stretch", where=g2)
    show_chart(charts.importance_chart(res), width="stretch")
    with st.expander(_("Feature importance, all models")):
        imp = res.importance.pivot(index="feature", columns="model", values="importance")
        imp.index = [_(churn_mod.FEATURE_LABELS.get(f, f)) for f in imp.index]
        show_table(imp.round(4), area="value.importance", width="stretch")
        st.caption(
            _(
                "Each value is how much the holdout ROC AUC drops when that feature's values "
                "are shuffled between customers: the larger, the more the model relies on it; "
                "near 0 or below, it does not use it."
            )
        )


def _render_at_risk(
    ch: churn_mod.ChurnResult | None, cv: clv_mod.CLVResult | None, err: EcomdashError | None
) -> None:
    if ch is None:
        show_error(err)
        return
    risk = run_at_risk(ch, cv)
    # the home's win-back finding links here (?tab=at-risk): the same customers, ticked on
    if st.toggle(
        _(
            "Only the win-back list: repeat buyers (2+ orders) with a churn probability of "
            "{share} or more",
            share=fmt_pct(findings.LAPSE_PROBABILITY, 0),
        ),
        value=st.query_params.get("tab") == findings.LinkTab.AT_RISK,
        key="value_winback_only",
    ):
        risk = findings.winback_customers(risk)
    st.caption(
        fmt.sentences(
            [
                _(
                    "Ranked by value at risk = spend in the last 12 months × churn probability "
                    "({model}, as of {date}; churn = no order in the next {days} days).",
                    model=_(churn_mod.MODEL_LABELS[ch.best_model]),
                    date=fmt.long_date(ch.score_date),
                    days=ch.window_days,
                ),
                # why someone who ordered 4 days ago can be 76 % at risk: their usual gap
                _(
                    "So a customer who usually waits longer than {days} days between orders "
                    "({column}) has a high churn risk even just after an order.",
                    days=ch.window_days,
                    column=L.label("interpurchase_days", "value"),
                ),
            ]
        )
    )
    show_table(_round(risk), area="value", hide_index=True, width="stretch")
    download_table(risk, "customers-at-risk", key="dl_at_risk", area="value")
