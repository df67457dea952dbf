"""Home page: what to do this week (ranked findings from every analysis), then the headline KPIs.

The findings come from the pages' own cached results at their default settings (the same
cache entries the pages show on arrival, keyed by ``ctx.key``), so each analysis runs once
per (workspace, dataset, version, filters) whichever page asks first. The first visit shows
each step and how long it took; later visits read the caches.

Merchant text (product names in a finding's ``subjects``) is shown only with ``st.text``; our
wording goes through ``inert`` before markdown.
"""

from __future__ import annotations

import contextvars
import os
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException
from streamlit.runtime.scriptrunner import get_script_run_ctx

from ecomdash import findings as FD
from ecomdash import schema as S
from ecomdash.errors import EcomdashError
from ecomdash.findings.words import NEEDS, PAGE_TITLES, STEPS, TEXT
from ecomdash.i18n import _, _n, fmt, get_lang
from ecomdash.kpis import KPI_LABELS
from ecomdash.ui.common import (
    DEFAULT_BUDGET_S,
    PageContext,
    _engine_budget,
    _with_ctx,
    get_store,
    inert,
    show_error,
    timed_status,
)
from ecomdash.ui.table_layout import tile_weights

# the page's words (message ids) live in the core: the report's digest says the same
# (ecomdash.findings.words)

#: How often the home looks whether the analyses it left to the background are done, and how
#: many times per dataset and filters it reruns itself to show them (then the merchant's next
#: visit does).
POLL_S = 3.0
MAX_AUTO_RERUNS = 3
K_PENDING = "home_pending"
K_RERUNS = "home_auto_reruns"

#: How long the home waits for one analysis before leaving it to finish in the background
#: (it then fills the cache the page and the next visit read).
STEP_BUDGET_S = 20.0


def step_wait() -> float:
    """How long the home waits for each analysis: ``ECOMDASH_HOME_WAIT_S`` when set to a
    number of seconds (a server that would rather show the KPIs at once), else
    :data:`STEP_BUDGET_S`."""
    raw = os.environ.get("ECOMDASH_HOME_WAIT_S", "").strip()
    try:
        return max(0.0, float(raw)) if raw else STEP_BUDGET_S
    except ValueError:
        return STEP_BUDGET_S


#: The KPI cards of the home (the Overview has them all, with trends).
KPI_ROW = ["revenue", "orders", "aov", "customers", "return_rate"]
KPI_ROW_SUMMED = ["revenue", "gross_sales", "returns", "return_rate"]


# --- the findings' sources: each the page's default result, cached -----------------------------


def _restock(ctx: PageContext) -> FD.Finding | None:
    from ecomdash.ui import restock as restock_ui

    return FD.restock_finding(restock_ui.default_plan(ctx), money=_has_money(ctx))


def _winback(ctx: PageContext) -> FD.Finding | None:
    from ecomdash.ui import value as value_ui

    churn, at_risk = value_ui.default_at_risk(ctx.key)
    return FD.winback_finding(at_risk, churn, days=S.ORDER_ID not in ctx.columns)


def _bundle(ctx: PageContext) -> FD.Finding | None:
    from ecomdash.ui import basket_data

    res = basket_data.default_result(ctx.key)
    prices = None
    if res.params["level"] == "product":  # the pair worth the most, not the rarest
        prices = basket_data.default_prices(ctx.key, FD.bundle_products(res))
    rule = FD.best_bundle_rule(res, prices)
    whatif = None
    if rule is not None and res.params["level"] == "product":
        try:
            whatif = basket_data.default_whatif(
                ctx.key, tuple(rule["antecedents"]), tuple(rule["consequents"]), FD.BUNDLE_SHARE
            )
        except EcomdashError:  # e.g. no prices: the bundle stands, unsized
            whatif = None
    return FD.bundle_finding(res, whatif, prices)


def _gap_groups(ctx: PageContext, fc) -> tuple[object, str]:
    """The daily revenue per country (else category) over the forecast finding's days and
    the weeks before them, and that column (:func:`ecomdash.findings.gap_groups`)."""
    return FD.gap_groups(get_store(ctx.workspace), ctx.dataset_id, ctx.filters, ctx.columns, fc)


def _forecast(ctx: PageContext) -> FD.Finding | None:
    from ecomdash.ui import forecast as fc_ui

    sparams, _ = fc_ui.default_params(ctx)
    if sparams[0] != "revenue":  # only a money series can be sized in money
        return None
    fc = fc_ui.default_forecast(ctx)
    groups, by = _gap_groups(ctx, fc) if sparams[1] == "D" else (None, S.COUNTRY)
    return FD.forecast_finding(fc, groups=groups, by=FD.driver_by(by, ctx.display.provinces))


def _segments(ctx: PageContext) -> FD.Finding | None:
    """The Segments page's result on arrival (its form's defaults: as of the last day,
    compared with 90 days before, automatic k), sized with the churn model's scores and
    without the customers already on the win-back list."""
    from ecomdash.segment import default_compare_to
    from ecomdash.ui import segment as seg_ui
    from ecomdash.ui import value as value_ui

    rng = seg_ui._date_range(ctx.key)
    if rng is None:
        return None
    first, last = rng
    params = (last.isoformat(), default_compare_to(first, last).isoformat(), None)
    seg = seg_ui._result(ctx.key, params, get_lang())
    try:
        churn, at_risk = value_ui.default_at_risk(ctx.key)
        ids = FD.winback_customers(at_risk)["customer_id"] if at_risk is not None else ()
    except EcomdashError:  # no churn model: the segment stands, unsized
        churn, ids = None, ()
    return FD.segments_finding(seg, churn=churn, winback_ids=ids)


def _pricing(ctx: PageContext) -> tuple[FD.Finding | None, ...]:
    """The Pricing page's result on arrival (no cut-off or events entered)."""
    from ecomdash.ui import pricing as pricing_ui

    res = pricing_ui._result(ctx.key, (None, ()), get_lang())
    return FD.pricing_finding(res), FD.promotion_finding(res)


def _recommend(ctx: PageContext) -> FD.Finding | None:
    """The Recommendations page's offline test at its defaults (the same entry its
    automatic model choice reads on arrival)."""
    from ecomdash.ui import recommend as rec_ui

    if S.ORDER_DATE not in ctx.columns:
        return None
    return FD.recommend_finding(rec_ui._evaluation(ctx.key, rec_ui.RecParams(), get_lang()))


def _alerts(ctx: PageContext) -> FD.Finding | None:
    """The Alerts page's result (the merchant's mutes applied, as there)."""
    from ecomdash.ui import alerts as alerts_ui

    return FD.alerts_finding(alerts_ui._alerts(ctx.key, *alerts_ui._mutes(ctx), get_lang()))


Source = Callable[[PageContext], "FD.Finding | None | tuple[FD.Finding | None, ...]"]

SOURCES: dict[str, tuple[str, Source]] = {
    name: (NEEDS[name], fn)
    for name, fn in (
        ("restock", _restock),
        ("winback", _winback),
        ("bundle", _bundle),
        ("forecast", _forecast),
        ("segments", _segments),
        ("pricing", _pricing),
        ("recommend", _recommend),
        ("alerts", _alerts),
    )
}


def _missing(ctx: PageContext, needs: str) -> list[str]:
    if ctx.kind == S.KIND_SUMMED and needs in S.NEEDS_LINES:
        return [_("order lines")]
    # named as the Data page's mapping names them ("Customer id", not customer_id)
    return [S.field_name(f) for f in sorted(S.missing_for(needs, ctx.columns))]


#: How many analyses the home runs at once (the first visit runs them all: side by side, the
#: database and numpy parts of one overlap the Python parts of another).
PARALLEL = 3
#: Above this many lines the home runs its analyses one at a time: at 10 M lines each holds
#: 0.4–4 GB while it works (bench/bench_scale.py), and three side by side took the server's
#: peak to 12.9 GB in the 10 M browser walk, against the 8 GB goal.
SERIAL_ABOVE_LINES = 2_000_000
#: The home waits at most this many per-analysis budgets in all (20 s each: 60 s) before it
#: leaves the rest to the background; at 10 M lines, waiting 20 s for each of the eight in
#: turn kept the merchant on the status for 160 s.
TOTAL_WAIT_STEPS = 3


def parallel_for(lines: int) -> int:
    """How many analyses run at once on a dataset of ``lines`` lines."""
    return 1 if lines > SERIAL_ABOVE_LINES else PARALLEL


def wait_for_next(budget: float, deadline: float, now: float) -> float:
    """Seconds to wait for the next analysis: its own budget, cut to what is left of the
    home's whole wait (never below zero: a finished one is still read)."""
    return max(0.0, min(budget, deadline - now))


def _lines(ctx: PageContext) -> int:
    try:
        return int(get_store(ctx.workspace).info(ctx.dataset_id).rows or 0)
    except EcomdashError:  # reported by the analyses themselves
        return 0


def _timed(fn: Source, ctx: PageContext):
    """``fn(ctx)`` and how long it ran (its own time, not its wait in the queue)."""
    t0 = time.perf_counter()
    out = fn(ctx)
    return out, time.perf_counter() - t0


def _start(ctx: PageContext, names: list[str]) -> dict[str, Future]:
    """Start every source's analysis in a pool of ``PARALLEL`` threads, each in a copy of this
    run's context (language, currency) with the script run's context (its caches). Work the
    home stops waiting for finishes in the background and fills the pages' caches."""
    ex = ThreadPoolExecutor(
        max_workers=parallel_for(_lines(ctx)), thread_name_prefix="ecomdash-home"
    )
    run_ctx = get_script_run_ctx()
    # each analysis' worker process is killed at a page's budget (not the home's shorter wait)
    seconds = _engine_budget(DEFAULT_BUDGET_S)
    futures = {
        name: ex.submit(
            contextvars.copy_context().run,
            _with_ctx,
            run_ctx,
            _timed,
            (SOURCES[name][1], ctx),
            {},
            seconds,
        )
        for name in names
    }
    ex.shutdown(wait=False)
    return futures


def compute(
    ctx: PageContext, stopped: dict[str, EcomdashError] | None = None
) -> tuple[tuple[FD.Finding, ...], list[tuple[str, EcomdashError]], dict[str, Future], float]:
    """Every source's finding, ranked, with st.status steps and their times; the errors of the
    sources that could not run (shown, never raised); the analyses still running in the
    background (the home waits at most ``STEP_BUDGET_S`` for each, in turn, and
    ``TOTAL_WAIT_STEPS`` of them in all); when they
    started (``time.perf_counter()``). ``stopped``: sources whose background run just failed
    (their errors): reported as such, not started again in this run."""
    stopped = stopped or {}
    found: list[FD.Finding | None] = []
    problems: list[tuple[str, EcomdashError]] = []
    pending: dict[str, Future] = {}
    with timed_status(_(TEXT["status"]), expanded=False) as status:
        bar = st.progress(0.0)
        missing = {name: _missing(ctx, needs) for name, (needs, _fn) in SOURCES.items()}
        t_start = time.perf_counter()
        futures = _start(ctx, [n for n in SOURCES if not missing[n] and n not in stopped])
        budget = _engine_budget(step_wait())
        deadline = t_start + budget * TOTAL_WAIT_STEPS
        for i, name in enumerate(SOURCES):
            label = _(STEPS[name])
            if missing[name]:
                status.write(_(TEXT["step_skipped"], label=label, fields=fmt.join(missing[name])))
            elif name in stopped:
                problems.append((label, stopped[name]))
                status.write(_(TEXT["stopped"], label=label))
            else:
                try:
                    wait = wait_for_next(budget, deadline, time.perf_counter())
                    f, secs = futures[name].result(timeout=wait)
                    got = [x for x in (f if isinstance(f, tuple) else (f,)) if x is not None]
                    found.extend(got)
                    key = "step_done" if got else "step_nothing"
                    text = fmt.duration(secs)
                except FuturesTimeout:
                    pending[name] = futures[name]
                    key = "step_background"
                    text = fmt.duration(time.perf_counter() - t_start)
                except EcomdashError as err:
                    problems.append((label, err))
                    key = "step_failed"
                    text = fmt.duration(time.perf_counter() - t_start)
                status.write(_(TEXT[key], label=label, took=text))
            bar.progress((i + 1) / len(SOURCES))
    return FD.rank(found), problems, pending, t_start


# --- rendering ----------------------------------------------------------------------------------


def _link(ctx: PageContext, f: FD.Finding) -> None:
    title = _(PAGE_TITLES[f.page]) if f.page in PAGE_TITLES else f.page
    try:
        st.page_link(
            f.page,
            label=_(f.link_label),
            icon=":material/arrow_forward:",
            query_params={"dataset": ctx.dataset_id, **dict(f.query)},
        )
    except StreamlitAPIException:  # the page run alone (AppTest), outside the app's navigation
        st.caption(inert(_(TEXT["open_in_sidebar"], title=title)))


def _has_money(ctx: PageContext) -> bool:
    return S.REVENUE in ctx.columns or S.UNIT_PRICE in ctx.columns


def _finding(ctx: PageContext, i: int, f: FD.Finding) -> None:
    with st.container(border=True, key=f"finding_{f.kind}"):
        left, mid, right = st.columns([6, 2, 2], vertical_alignment="center")
        with left:
            st.markdown(f"**{i}. {inert(f.headline)}**")
            if f.subjects:
                st.text(" · ".join(f.subjects))  # merchant text: plain text only
            if f.detail:
                st.caption(inert(f.detail))
            if f.confidence_note:
                st.caption(inert(_(TEXT["confidence_why"], note=f.confidence_note)))
        with mid:
            customers = (
                None
                if f.customers is None
                else _n("{n} customer", "{n} customers", f.customers, n=f"{f.customers:,}")
            )
            # 0: not sized. With amounts in the data every finding keeps its tile ("not
            # sized": no amount can be defended, the detail says why), so the list reads
            # alike; without amounts only the findings sized in units have one
            # the tile says what the value is: "At stake", or the forecast gap's "Below
            # forecast" / "Above forecast" (revenue above forecast is no money at risk)
            if f.value > 0 or _has_money(ctx):
                st.metric(
                    _(f.value_label),
                    f.value_text if f.value > 0 else _(TEXT["not_sized"]),
                    help=customers,
                )
            label = _(FD.CONFIDENCE_LABELS[f.confidence])
            st.caption(
                inert(_(TEXT["confidence"], label=label)),
                help=inert(f.confidence_detail) if f.confidence_detail else None,
            )
        with right:
            _link(ctx, f)


def tile_text(name: str, v, symbol: str = "") -> str:
    """A home KPI tile's value: the Overview's compact text, but whole 万 from a million in
    Chinese (¥3,449万, not ¥3,449.12万: five tiles share the row and the value must not be cut;
    the exact figure is in the tile's help)."""
    from ecomdash.ui import overview as ov

    if (
        get_lang() == "zh"
        and name in ov.MONEY
        and v is not None
        and not pd.isna(v)
        and abs(float(v)) >= 1e6
        and abs(float(v)) < 1e8
    ):
        sign = "-" if float(v) < 0 else ""
        return f"{sign}{symbol.strip()}{abs(float(v)) / 1e4:,.0f}万"
    return ov.kpi_text(name, v)


def _kpi_cards(ctx: PageContext) -> None:
    from ecomdash.ui import overview as ov

    st.subheader(_(TEXT["kpis"]))
    try:
        res = ov._overview(ctx.key, "auto", get_lang())
    except EcomdashError as exc:
        show_error(exc)
        return
    if not res.has_revenue:  # no amounts: the Overview's counts (orders, units, ...)
        from ecomdash.ui.overview_counts import render_counts

        st.caption(_(TEXT["no_money"]))
        render_counts(res, provinces=ctx.display.provinces)
    else:
        row = KPI_ROW_SUMMED if res.kind == S.KIND_SUMMED else KPI_ROW
        if S.ORDER_ID not in ctx.columns:  # CDNOW: no orders counted, no "n/a" tiles for them
            row = [name for name in row if name not in ("orders", "aov")]
        if S.CUSTOMER_ID not in ctx.columns:  # Pinduoduo, Douyin: no buyer, no "n/a" tile
            row = [name for name in row if name != "customers"]
        labels = [_(KPI_LABELS[name]) for name in row]
        texts = [tile_text(name, res.kpis.get(name), ctx.display.symbol) for name in row]
        # each tile as wide as its label or value needs ("Average order value" was cut)
        cols = st.columns(tile_weights(labels, texts))
        for col, name, label, text in zip(cols, row, labels, texts, strict=True):
            v = res.kpis.get(name)
            col.metric(
                label,
                text,
                # as the Overview: the return rate in points, no total's change against a
                # previous period the data only partly covers
                delta=ov.tile_delta(res, name),
                delta_color="inverse" if name in ov.LOWER_IS_BETTER else "normal",
                help=ov.exact_help(name, ov._exact(name, v), ov.kpi_helps(ctx.columns)),
                border=True,
            )
    try:
        st.page_link("pages/overview.py", label=_(TEXT["kpis_more"]), icon=":material/dashboard:")
    except StreamlitAPIException:
        st.caption(inert(_(TEXT["open_in_sidebar"], title=_("Overview"))))


def render(ctx: PageContext) -> None:
    # money in the findings' sentences and tiles in the dataset's currency (£, ¥ ...); the
    # steps run in threads that copy this context, so they write it too
    with FD.use_currency(ctx.display.symbol):
        _render(ctx)


def _render(ctx: PageContext) -> None:
    st.caption(_(TEXT["intro"]))
    top, bottom = st.container(), st.container()
    with bottom:  # the KPI cards come first (fast), the findings fill in above them
        _kpi_cards(ctx)
    with top:
        ranked, problems, pending, started = compute(ctx, _stopped(ctx))
        if pending:
            if _watch(ctx, pending, started):
                _pending_fragment()  # says how many are left each time it looks
            else:
                st.info(_(TEXT["background"], n=len(pending)), icon=":material/hourglass_top:")
        elif not ranked:
            st.info(_(TEXT["none"]))
        for i, f in enumerate(ranked, 1):
            _finding(ctx, i, f)
        if problems:
            with st.expander(_(TEXT["not_checked"])):
                for label, err in problems:
                    st.text(label)
                    show_error(err)


# --- the analyses left to the background: the home reruns itself when they are done ------------


def pending_state(futures: dict[str, Future]) -> tuple[str, list[str]]:
    """What to do about the analyses left to the background: ``("wait", names still running)``,
    ``("rerun", names done)`` once every one is over and at least one finished (its result is
    in the page's cache now), or ``("stopped", names)`` when every one failed (e.g. stopped at
    its time budget: a rerun would only start it again)."""
    left = [n for n, f in futures.items() if not f.done()]
    if left:
        return "wait", left
    ok = [n for n, f in futures.items() if not f.cancelled() and f.exception() is None]
    return ("rerun", ok) if ok else ("stopped", list(futures))


def _watch(ctx: PageContext, pending: dict[str, Future], started: float) -> bool:
    """Hand the background analyses to :func:`_pending_fragment`, which looks every
    ``POLL_S`` seconds whether they are done and reruns the home to show their findings; False
    (the merchant's next visit shows them) after ``MAX_AUTO_RERUNS`` for these settings."""
    reruns = st.session_state.setdefault(K_RERUNS, {})
    if reruns.get(ctx.key, 0) >= MAX_AUTO_RERUNS:
        return False
    st.session_state[K_PENDING] = (ctx.key, pending, started)
    return True


def _stopped(ctx: PageContext) -> dict[str, EcomdashError]:
    """The background analyses of this page's settings that are all over and all failed,
    with their errors (taken: the home then runs without its polling fragment, whose timer
    ends with that run, and reports them instead of starting them again; the merchant's next
    visit tries them again)."""
    held = st.session_state.get(K_PENDING)
    if not held or held[0] != ctx.key:
        return {}
    _key, futures, _t0 = held
    what, names = pending_state(futures)
    if what != "stopped":
        return {}
    st.session_state.pop(K_PENDING, None)
    out = {}
    for n in names:
        err = None if futures[n].cancelled() else futures[n].exception()
        if not isinstance(err, EcomdashError):
            err = EcomdashError(_(TEXT["stopped"], label=_(STEPS[n])))
        out[n] = err
    return out


@st.fragment(run_every=POLL_S)
def _pending_fragment() -> None:
    held = st.session_state.get(K_PENDING)
    if not held:
        return
    key, futures, t0 = held
    what, names = pending_state(futures)
    if what == "wait":
        # the count is the one left now, not the one at the end of the home's run (before, it
        # kept saying 8 while the caption below it named fewer as they finished)
        st.info(_(TEXT["background_auto"], n=len(names)), icon=":material/hourglass_top:")
        st.caption(
            inert(
                _(
                    TEXT["watching"],
                    names="; ".join(_(STEPS[n]) for n in names),
                    took=fmt.duration(time.perf_counter() - t0),
                )
            )
        )
        return
    if what == "rerun":
        st.session_state.pop(K_PENDING, None)
        reruns = st.session_state.setdefault(K_RERUNS, {})
        reruns[key] = reruns.get(key, 0) + 1
        st.rerun()
    # every one failed: a full run of the home says why (see _stopped) without this fragment,
    # so its timer stops: polling on would only redraw the same failure every POLL_S seconds
    st.rerun(scope="app")
