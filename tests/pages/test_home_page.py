"""Home page (AppTest through the frame: it is the app's default page) on the demo merchant."""

from __future__ import annotations

import re
from urllib.parse import parse_qs

import pytest

from ecomdash import basket, churn, clv, schema
from ecomdash import findings as FD
from ecomdash import forecast as F
from ecomdash.i18n import fmt
from ecomdash.store import Store
from tests.pages.conftest import run_app, run_page


@pytest.fixture(autouse=True)
def _patient_home(monkeypatch):
    """A loaded test machine must not push an analysis past the home's wait (the background
    path has its own test below)."""
    from ecomdash.ui import home as home_ui

    monkeypatch.setattr(home_ui, "STEP_BUDGET_S", 180.0)


def _lines(home, dataset_id):
    store = Store.open(home)
    try:
        return store.load_lines(dataset_id)
    finally:
        store.close()


#: The findings' tile labels: money at stake, or the forecast gap's side of the forecast.
VALUE_LABELS = {"At stake", "Below forecast", "Above forecast"}


def _links(at):
    out = []
    for link in at.get("page_link"):
        out.append((link.proto.label, parse_qs(link.proto.query_string)))
    return out


def test_home_is_the_default_page_and_ranks_findings_from_the_core(
    demo_dataset, _isolated_home, demo
):
    at = run_app(dataset_id=demo_dataset.id, timeout=240)
    assert not at.exception, at.exception
    assert at.title[0].value == "What to do this week"
    # the work is shown in steps and ends with how long it took
    assert any(s.label.startswith("Finding what to do this week done in") for s in at.status)
    headlines = [m.value for m in at.markdown if m.value.startswith("**")]
    assert len(headlines) >= 3, headlines

    # independently: the core analyses at the pages' defaults, on the same lines
    lines = _lines(_isolated_home, demo_dataset.id)
    sales = schema.sales_lines(lines)
    res = basket.mine(lines, min_support=0.01, min_confidence=0.0, min_lift=1.0)
    # each product's average selling price over its kept purchases, in pandas
    kept = schema.customer_sales(lines)
    sums = kept.groupby("product_id")[["revenue", "quantity"]].sum()
    prices = (sums["revenue"] / sums["quantity"]).to_dict()
    rule = FD.best_bundle_rule(res, prices)
    # a planted bundle is the strong pair worth the most (the Teapot + Tea Tin pair has the
    # highest lift; the Terracotta pot and watering can adds more revenue)
    planted = {(b.antecedent, b.consequent) for b in demo.truth.bundles}
    planted |= {(c, a) for a, c in planted}
    assert (rule["antecedents"][0], rule["consequents"][0]) in planted
    assert rule["lift"] < FD.best_bundle_rule(res)["lift"]
    whatif = basket.bundle_whatif(
        lines, tuple(rule["antecedents"]), tuple(rule["consequents"]), share=FD.BUNDLE_SHARE
    )
    bundle = FD.bundle_finding(res, whatif, prices)
    ch = churn.churn(lines, window_days=90)
    cv = clv.customer_value(sales, horizon_months=12)
    risk = churn.at_risk(
        ch, expected_value=cv.customers.set_index("customer_id")["expected_value"], top=500
    )
    winback = FD.winback_finding(risk, ch)

    # the bundle: our wording in markdown, the product names only as plain text
    assert any(bundle.headline.split(" × ")[0].replace(".", "\\.") in h for h in headlines)
    texts = [t.value for t in at.text]
    assert bundle.subjects[0] in texts
    assert not any(bundle.subjects[0] in m.value for m in at.markdown)
    # its caption says why this pair and not the one with the highest lift
    assert "it is the one worth the most" in bundle.detail
    why = bundle.detail[bundle.detail.index(" Of the ") :]
    assert any(c.value.replace("\\", "").endswith(why) for c in at.caption), why
    # the win-back finding counts the same customers as the core
    assert any(f"{winback.customers:,} loyal customers" in h for h in headlines)
    # its confidence label's tooltip gives the churn model's held-out figures (it had none)
    from ecomdash.labels import model_label

    assert winback.confidence_detail.startswith(f"{model_label(ch.best_model)}: holdout ROC AUC ")
    helps = [c.proto.help.replace("\\", "") for c in at.caption if c.proto.help]
    assert winback.confidence_detail in helps, helps
    # ranked by money at stake: the tiles read largest first; a forecast gap's tile says it
    # is one ("Below forecast" / "Above forecast": revenue above forecast is not at stake),
    # and a gap to watch comes after every finding that asks for action
    tiles = [m for m in at.metric if m.label in VALUE_LABELS]
    assert len(tiles) == len(headlines)
    gaps = [i for i, m in enumerate(tiles) if m.label != "At stake"]
    assert all(" forecast over " in headlines[i] for i in gaps)
    assert all(" forecast over " not in h for i, h in enumerate(headlines) if i not in gaps)

    # each finding links to its page with the dataset and what to select there
    links = _links(at)
    labels = [label for label, _ in links]
    assert {"Basket rules", "Win-back list", "Restock planner"} <= set(labels)
    q = dict(links)["Basket rules"]
    assert q["dataset"] == [demo_dataset.id]
    assert q["item"] == [rule["antecedents"][0]]
    assert dict(links)["Win-back list"]["tab"] == ["at-risk"]
    # the KPI cards stay, below the findings
    assert {"Net revenue", "Orders", "Customers"} <= {m.label for m in at.metric}


def test_home_shows_the_other_analyses_findings_with_their_links(
    demo_dataset, _isolated_home, demo
):
    """Segments, pricing (a price change and a losing promotion) and recommendations appear on
    the demo's home with their links; money in the dataset's currency (£); the alerts step
    runs and finds nothing in the demo's last week (no planted incident there)."""
    from ecomdash import pricing as P
    from ecomdash.filters import Filters

    at = run_app(dataset_id=demo_dataset.id, timeout=400)
    assert not at.exception, at.exception
    headlines = [m.value.replace("\\", "") for m in at.markdown if m.value.startswith("**")]
    assert len(headlines) >= 7, headlines
    # dates in the findings' sentences are written long (fmt.long_date): the recommendations'
    # "after 12 January 2026", never ISO or the table's dd/mm/yyyy
    # (markdown escapes taken out: inert() writes "2026\-10\-02", "after 2 October 2026\:")
    said = [
        e.value.replace("\\", "") for kind in ("markdown", "caption", "text") for e in at.get(kind)
    ]
    assert any(re.search(r"after \d{1,2} [A-Z][a-z]+ \d{4}:", t) for t in said), said
    assert not [t for t in said if re.search(r"\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4}", t)]

    # independently: the Pricing page's default result from the store, through the core
    store = Store.open(_isolated_home)
    try:
        pr = P.analyze(store.product_week_prices(demo_dataset.id, Filters()))
    finally:
        store.close()
    with FD.use_currency("£"):
        price, promo = FD.pricing_finding(pr), FD.promotion_finding(pr)
    assert any(price.headline in h for h in headlines), (price.headline, headlines)
    assert any(promo.headline in h for h in headlines), (promo.headline, headlines)
    texts = [t.value for t in at.text]
    assert price.subjects[0] in texts and promo.subjects[0] in texts
    assert any(
        "customers in the segments “At risk” and “Can't lose them” spent £" in h for h in headlines
    )
    assert any("times as many returning customers as with best sellers" in h for h in headlines)
    # money in the dataset's currency, in the sentences and the tiles
    stakes = [m.value for m in at.metric if m.label in VALUE_LABELS]
    assert len(stakes) == len(headlines)
    assert all(v.startswith("£") for v in stakes[:-1]), stakes
    # the unsized recommendations finding says so and is ranked last
    assert (
        "times as many returning customers as with best sellers" in headlines[-1]
        and stakes[-1] == "not sized"
    )
    # each links to its page with the dataset
    links = dict(_links(at))
    for label in ("RFM segments", "Price what-if", "Promotions", "How good is it?"):
        assert links[label]["dataset"] == [demo_dataset.id], label
    pages = {link.proto.label: link.proto.page for link in at.get("page_link")}
    # (the page's url path name)
    assert pages["RFM segments"] == "segments"
    assert pages["Price what-if"] == pages["Promotions"] == "pricing"
    assert pages["How good is it?"] == "recommendations"
    # and it opens the page on that tab (ecomdash.ui.recommend.LINK_TAB_HOW_GOOD)
    assert links["How good is it?"]["tab"] == ["how-good"]
    # the alerts step ran and found no high alert in the demo's last week
    steps = [m.value for m in at.markdown if "This week's alerts" in m.value]
    assert steps and "nothing to act on" in steps[0], steps
    # the net revenue tile carries its exact value in its help
    tile = next(m for m in at.metric if m.label == "Net revenue")
    assert "Exact: £" in tile.proto.help


def test_home_and_pages_compute_each_default_once(demo_dataset, monkeypatch):
    calls = {"mine": 0, "forecast": 0}
    real_mine, real_forecast = basket.mine, F.forecast
    from ecomdash.ui import basket_data
    from ecomdash.ui import forecast as fc_ui
    from ecomdash.ui.worker import run_in_worker

    def counted(fn, *a, **k):
        # the models run in a worker process (ecomdash.ui.worker): count what is sent there
        # (the basket page's check on later orders mines in its own thread: not counted)
        if fn is real_mine:
            calls["mine"] += 1
        if fn is real_forecast:
            calls["forecast"] += 1
        return run_in_worker(fn, *a, **k)

    monkeypatch.setattr(basket_data, "run_in_worker", counted)
    monkeypatch.setattr(fc_ui, "run_in_worker", counted)
    at = run_app(dataset_id=demo_dataset.id, timeout=240)
    assert not at.exception, at.exception
    assert calls == {"mine": 1, "forecast": 1}
    # the pages then open on the same cached results: nothing is mined or forecast again
    for page in ("basket.py", "forecast.py"):
        at = run_page(page, dataset_id=demo_dataset.id, timeout=240)
        assert not at.exception, at.exception
    assert calls == {"mine": 1, "forecast": 1}


@pytest.mark.parametrize("hostile", ["<img src=x onerror=alert(1)>", "**bold** [x](http://e.vil)"])
def test_home_shows_hostile_product_names_as_plain_text(_isolated_home, hostile):
    """A product name full of markup reaches the home only as plain text (st.text)."""
    from ecomdash.demo import generate

    d = generate(seed=7)
    lines = d.lines.copy()
    # every planted bundle's products: the Home names one of them
    planted = {p for b in d.truth.bundles for p in (b.antecedent, b.consequent)}
    lines.loc[lines["product_id"].isin(planted), "product_name"] = hostile
    store = Store.open(_isolated_home)
    try:
        info = store.ensure_demo(lines)
    finally:
        store.close()
    at = run_app(dataset_id=info.id, timeout=240)
    assert not at.exception, at.exception
    assert any(hostile in t.value for t in at.text)
    for el in (*at.markdown, *at.caption, *at.info, *at.warning):
        assert hostile not in el.value


def test_home_leaves_slow_analyses_to_the_background(demo_dataset, monkeypatch):
    """Past its per-analysis budget the home does not wait: it says what is still computing,
    and the findings are there on the next visit."""
    from ecomdash.ui import home as home_ui

    monkeypatch.setattr(home_ui, "STEP_BUDGET_S", 1e-6)
    at = run_app(dataset_id=demo_dataset.id, timeout=240)
    assert not at.exception, at.exception
    # the home names what it waits for and will add the findings by itself (a fragment that
    # polls the background analyses; AppTest runs it once, without its timer); its count is
    # the analyses left when the fragment looked (one may finish in between: the caption and
    # the count agree)
    # (our text goes through inert(): markdown's punctuation comes backslash-escaped)
    captions = [c.value.replace("\\", "") for c in at.caption]
    watching = [c for c in captions if c.startswith("Still computing:")]
    assert len(watching) == 1, watching
    named = [n for n in home_ui.SOURCES if home_ui.STEPS[n].split(" (")[0] in watching[0]]
    assert named and len(watching[0].split("; ")) == len(named), watching
    assert any(f"{len(named)} of the analyses are still computing" in i.value for i in at.info)
    _key, futures, _t0 = at.session_state[home_ui.K_PENDING]
    assert set(futures) == set(home_ui.SOURCES)
    assert not [m for m in at.metric if m.label == "At stake"]
    assert {"Net revenue", "Orders"} <= {m.label for m in at.metric}  # the KPIs do not wait
    monkeypatch.setattr(home_ui, "STEP_BUDGET_S", 60.0)
    at.run(timeout=240)
    assert not at.exception, at.exception
    assert not any("still computing" in i.value for i in at.info)
    assert len([m for m in at.metric if m.label == "At stake"]) >= 3


def test_pending_fragment_counts_the_analyses_left_now(_isolated_home):
    """The polling fragment's line counts the analyses still running when it looks, not the
    ones left at the end of the home's run (before, the info kept "2 of the analyses" above a
    caption that named only one)."""
    from streamlit.testing.v1 import AppTest

    def script():
        from concurrent.futures import Future

        import streamlit as st

        from ecomdash.ui import home as home_ui

        done, running = Future(), Future()
        done.set_result(None)
        st.session_state[home_ui.K_PENDING] = (
            "key",
            {"segments": done, "bundle": running},
            0.0,
        )
        home_ui._pending_fragment()

    at = AppTest.from_function(script, default_timeout=60).run()
    assert not at.exception, at.exception
    infos = [i.value for i in at.info]
    assert any("1 of the analyses are still computing" in i for i in infos), infos
    assert not any("2 of the analyses" in i for i in infos), infos
    captions = [c.value.replace("\\", "") for c in at.caption]
    watching = [c for c in captions if c.startswith("Still computing:")]
    assert len(watching) == 1 and "Products bought together" in watching[0], captions
    assert "Customer segments" not in watching[0], watching


def test_pending_state_waits_reruns_or_stops():
    """The home reruns itself only when every background analysis is over and one of them
    finished; when all failed (stopped at their budget) it says so instead of starting them
    again."""
    from concurrent.futures import Future

    from ecomdash.errors import TimeBudgetError
    from ecomdash.ui.home import pending_state

    def fut(state):
        f = Future()
        if state == "ok":
            f.set_result(None)
        elif state == "failed":
            f.set_exception(TimeBudgetError("stopped"))
        elif state == "cancelled":
            f.cancel()
        return f

    assert pending_state({"a": fut("ok"), "b": fut("running")}) == ("wait", ["b"])
    assert pending_state({"a": fut("ok"), "b": fut("failed")}) == ("rerun", ["a"])
    assert pending_state({"a": fut("failed"), "b": fut("cancelled")}) == ("stopped", ["a", "b"])


def test_home_stops_polling_once_every_background_analysis_failed(demo_dataset, monkeypatch):
    """Background analyses that all failed (stopped at their budget): the full run the polling
    fragment asks for reports them and does not draw the fragment again (its timer ends with
    that run), and does not start them again. Before, the fragment redrew the same failure every
    POLL_S seconds for as long as the page stayed open, and a rerun started them all again."""
    import threading
    import time

    from ecomdash.errors import TimeBudgetError
    from ecomdash.ui import home as home_ui

    calls = {"source": 0, "fragment": 0}
    release = threading.Event()

    def stopped_source(ctx):
        calls["source"] += 1
        release.wait(30)  # still running when the home stops waiting for it
        raise TimeBudgetError("Planted step took longer than its time budget of 1 s.")

    real_fragment = home_ui._pending_fragment

    def counted_fragment():
        calls["fragment"] += 1
        real_fragment()

    monkeypatch.setattr(home_ui, "SOURCES", {"segments": ("segment", stopped_source)})
    monkeypatch.setattr(home_ui, "STEP_BUDGET_S", 0.2)
    monkeypatch.setattr(home_ui, "_pending_fragment", counted_fragment)
    at = run_app(dataset_id=demo_dataset.id, timeout=240)
    assert not at.exception, at.exception
    assert any("still computing" in i.value for i in at.info), [i.value for i in at.info]
    assert calls == {"source": 1, "fragment": 1}  # left to the background, polled
    release.set()
    _key, futures, _t0 = at.session_state[home_ui.K_PENDING]
    end = time.monotonic() + 30
    while not all(f.done() for f in futures.values()) and time.monotonic() < end:
        time.sleep(0.05)
    assert home_ui.pending_state(futures)[0] == "stopped"

    at.run(timeout=240)  # the full run the fragment asks for once every analysis is over
    assert not at.exception, at.exception
    assert calls == {"source": 1, "fragment": 1}, "polling went on (or the step started again)"
    assert home_ui.K_PENDING not in at.session_state
    assert not any("still computing" in i.value for i in at.info)
    errors = [e.value.replace("\\", "") for e in (*at.error, *at.warning)]
    assert any("Planted step took longer than its time budget" in e for e in errors), errors

    at.run(timeout=240)  # a later visit tries the analysis again
    assert calls["source"] == 2


def test_home_waits_three_budgets_in_all_then_leaves_the_rest_to_the_background(
    demo_dataset, monkeypatch
):
    """Eight analyses that all outlast their budget: the home waits one budget for the first
    ones and at most three budgets in all (before, one for each in turn: eight), then names
    them all as still computing."""
    import threading

    from ecomdash.ui import home as home_ui

    release = threading.Event()

    def slow_source(ctx):
        release.wait(30)
        return None

    waits: list[float] = []
    real_wait = home_ui.wait_for_next

    def recorded(budget, deadline, now):
        waits.append(real_wait(budget, deadline, now))
        return waits[-1]

    sources = {name: (needs, slow_source) for name, (needs, _fn) in home_ui.SOURCES.items()}
    monkeypatch.setattr(home_ui, "SOURCES", sources)
    monkeypatch.setattr(home_ui, "STEP_BUDGET_S", 0.4)
    monkeypatch.setattr(home_ui, "wait_for_next", recorded)
    try:
        at = run_app(dataset_id=demo_dataset.id, timeout=240)
    finally:
        release.set()
    assert not at.exception, at.exception
    n = len(sources)
    assert any(f"{n} of the analyses are still computing" in i.value for i in at.info)
    assert len(waits) == n and waits[0] == pytest.approx(0.4)
    assert sum(waits) <= 3 * 0.4 + 1e-9, waits  # eight budgets (3.2 s) before
    assert waits[-1] == 0.0  # what is left once the whole wait is spent is not waited for


def test_wait_for_next_by_hand():
    from ecomdash.ui.home import wait_for_next

    assert wait_for_next(20.0, 60.0, 0.0) == 20.0  # its own budget
    assert wait_for_next(20.0, 60.0, 50.0) == 10.0  # what is left of the whole wait
    assert wait_for_next(20.0, 60.0, 75.0) == 0.0  # spent: read if done, never negative


def test_home_runs_its_analyses_one_at_a_time_on_big_data(monkeypatch):
    """Above SERIAL_ABOVE_LINES lines the analyses run one after another (three side by side
    took the server past 12.9 GB at 10 M lines); below it, three at a time."""
    from ecomdash.ui import home as home_ui

    seen: list[int] = []
    real = home_ui.ThreadPoolExecutor

    def pool(max_workers, **kw):
        seen.append(max_workers)
        return real(max_workers=max_workers, **kw)

    monkeypatch.setattr(home_ui, "ThreadPoolExecutor", pool)
    monkeypatch.setattr(home_ui, "_with_ctx", lambda *a, **k: None)
    for lines, workers in ((home_ui.SERIAL_ABOVE_LINES + 1, 1), (home_ui.SERIAL_ABOVE_LINES, 3)):
        monkeypatch.setattr(home_ui, "_lines", lambda ctx, n=lines: n)
        futures = home_ui._start(object(), list(home_ui.SOURCES))
        for f in futures.values():
            f.result(timeout=30)
        assert seen[-1] == workers, (lines, seen)


def test_home_tiles_change_as_the_overviews(demo_dataset, _isolated_home):
    """The Home's headline tiles show their change as the Overview's do: the return rate in
    percentage points (3.7 % → 2.9 % read "-22.5 %"), and no total's change against a
    previous period the data only partly covers (its missing days read as growth)."""
    from datetime import timedelta

    from streamlit.testing.v1 import AppTest

    from ecomdash.filters import Filters
    from ecomdash.kpis import compute_kpis
    from tests.pages.conftest import ROOT

    store = Store.open(_isolated_home)
    lo, hi = store.date_range(demo_dataset.id)
    last90 = Filters(start=hi.date() - timedelta(days=89), end=hi.date())
    # 60 days from 30 days after the first order: the 60 days before hold 30 with data
    early = Filters(start=lo.date() + timedelta(days=30), end=lo.date() + timedelta(days=89))
    now = compute_kpis(store, demo_dataset.id, last90)
    before = compute_kpis(store, demo_dataset.id, last90.previous_period())
    store.close()

    def tiles(f):
        at = AppTest.from_file(str(ROOT / "pages" / "home.py"), default_timeout=240)
        at.session_state["dataset_id"] = demo_dataset.id
        at.session_state["filters"] = f
        at.run()
        assert not at.exception, at.exception
        return {m.label: m.delta for m in at.metric if m.label != "At stake"}

    shown = tiles(last90)
    points = (now["return_rate"] - before["return_rate"]) * 100
    assert shown["Return rate"] == f"{points:+.1f} points", shown
    growth = (now["revenue"] - before["revenue"]) / before["revenue"]
    assert shown["Net revenue"] == fmt.pct(growth, 1, signed=True, lang="en"), shown
    shown = tiles(early)
    assert not shown["Net revenue"] and not shown["Orders"], shown  # no change shown
    assert shown["Average order value"], shown  # a per-order figure still compares


def _one_finding(lang: str) -> None:
    """An AppTest script: the Home's card of one restock finding, in ``lang``."""
    from types import SimpleNamespace

    import pandas as pd

    from ecomdash import findings as FD
    from ecomdash.findings.core import _mase_confidence
    from ecomdash.i18n import use_lang
    from ecomdash.ui import home

    with use_lang(lang):
        label, note, figures = _mase_confidence(pd.Series([0.80]), pd.Series([0.86]))
        f = FD.Finding(
            kind="restock",
            headline="Keep your 97 best sellers in stock",
            value=67_700.0,
            confidence=label,
            confidence_note=note,
            confidence_detail=figures,
            detail="Reorder points are ready.",
            page=FD.PAGE_FORECAST,
        )
        home._finding(SimpleNamespace(dataset_id="d", columns=("revenue",)), 1, f)


@pytest.mark.parametrize(
    ("lang", "label", "why"),
    [
        (
            "en",
            "Confidence: medium",
            "Why: checked on past weeks, the forecasts of these products missed by 7\u00a0% less "
            "than repeating last year's weeks.",
        ),
        (
            "zh",
            "可信度：中",
            "依据：在过去几周上检验，这些商品预测的误差比照搬去年同期各周少\u00a07%。",
        ),
    ],
)
def test_confidence_label_in_the_stake_column_its_reason_under_the_body(lang, label, why):
    """The stake's column is narrow (2 of 10): it holds the confidence label alone, one short
    line, the technical figures in its tooltip; the plain reason is a sentence under the
    finding's body, where it has room (the column held "Confidence medium: median backtest
    MASE 0.80, naive forecast 0.86.", kept to about two lines there, so in jargon)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_one_finding, args=(lang,)).run()
    assert not at.exception, at.exception
    body, stake = at.columns[0], at.columns[1]
    shown = [c.value.replace("\\", "") for c in stake.caption]
    assert shown == [label] and len(label) <= 18  # one line in the column, in each language
    help_ = stake.caption[0].proto.help.replace("\\", "")
    assert help_ == (
        "median backtest MASE 0.80, naive forecast 0.86"
        if lang == "en"
        else "回测 MASE 中位数\u00a00.80，朴素预测\u00a00.86"
    )
    said = [c.value.replace("\\", "") for c in body.caption]
    assert said == ["Reorder points are ready.", why], said
    assert "MASE" not in " ".join(said)


@pytest.mark.parametrize(
    ("lang", "want"), [("en", ["Customer id"]), ("zh", ["客户 ID"]), ("en", ["order lines"])]
)
def test_a_step_the_dataset_cannot_run_names_its_fields_as_the_mapping_does(lang, want):
    """The Home's status said "Customer segments (RFM, clusters): needs customer_id" (the
    field's id; the report's digest says "Customer id"): a missing field is named as the Data
    page's mapping names it, in the page's language; summed sales still need order lines."""
    from types import SimpleNamespace

    from ecomdash.i18n import use_lang
    from ecomdash.ui import home as home_ui

    kind = schema.KIND_SUMMED if want == ["order lines"] else schema.KIND_LINES
    ctx = SimpleNamespace(kind=kind, columns={"order_id", "order_date", "product_id", "revenue"})
    with use_lang(lang):
        assert home_ui._missing(ctx, "segment") == want
