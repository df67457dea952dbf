"""The report's digest ("What to do this week") says what the Home says, in its order: the Home
run on the demo merchant (English) and on the Chinese demo (Chinese), its ranked findings
taken as it computes them, against the digest built by ``build_report`` on the same store."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from ecomdash.report import DIGEST, build_report, render_html
from ecomdash.store import Store
from tests.pages.conftest import run_page


@pytest.fixture(autouse=True)
def _patient_home(monkeypatch):
    """A loaded test machine must not push an analysis past the home's wait."""
    from ecomdash.ui import home as home_ui

    monkeypatch.setattr(home_ui, "STEP_BUDGET_S", 300.0)


def _said(f, symbol: str) -> tuple:
    """Everything a reader sees of a finding, in order (its stake in ``symbol``)."""
    from ecomdash.i18n.fmt import use_currency

    with use_currency(symbol):
        value = f.value_text
    return (
        f.kind,
        f.headline,
        value,
        f.value_label,
        f.confidence,
        f.confidence_note,
        f.confidence_detail,
        f.detail,
        f.subjects,
        f.customers,
        f.page,
        f.watch,
    )


def _home_findings(monkeypatch, dataset_id: str, lang: str | None):
    """The Home's ranked findings as its run computes them (``home.compute``)."""
    from ecomdash.ui import home as home_ui

    seen = []
    compute = home_ui.compute

    def spy(ctx, stopped=None):
        out = compute(ctx, stopped)
        seen.append(out)
        return out

    monkeypatch.setattr(home_ui, "compute", spy)
    at = run_page("home.py", dataset_id=dataset_id, timeout=600, lang=lang)
    assert not at.exception, at.exception
    ranked, problems, pending, _t0 = seen[-1]
    assert not pending and not problems, (pending, problems)
    return ranked


def _digest(home, dataset_id: str, lang: str):
    store = Store.open(home)
    try:
        rep = build_report(store, dataset_id, sections=(DIGEST,), lang=lang)
    finally:
        store.close()
    return rep, rep.sections[0]


def _text(html: str) -> str:
    """The report's text as read (tags out, entities back, no-break spaces as spaces)."""
    from html import unescape

    return unescape(re.sub(r"<[^>]+>", "", html)).replace("\u00a0", " ")


def _headlines_in_order(html: str, headlines) -> list[int]:
    text = _text(html)
    return [text.index(h.replace("\u00a0", " ")) for h in headlines]


def test_digest_equals_the_homes_findings_in_its_order(demo_dataset, _isolated_home, monkeypatch):
    ranked = _home_findings(monkeypatch, demo_dataset.id, None)
    assert len(ranked) >= 5, [f.kind for f in ranked]
    rep, sec = _digest(_isolated_home, demo_dataset.id, "en")
    assert sec.title == "What to do this week"
    assert [_said(f, "£") for f in sec.findings] == [_said(f, "£") for f in ranked]
    assert sec.unchecked == () and sec.text == ()
    # the report lists them in that order, first in the file, money in the demo's £
    html = render_html(rep)
    at = _headlines_in_order(html, [f.headline for f in ranked])
    assert at == sorted(at), at
    assert "At stake: £" in _text(html)
    assert html.count('<li class="finding">') == len(ranked)


def test_digest_in_chinese_equals_the_chinese_homes(zh_store, _isolated_home, monkeypatch):
    info = zh_store("示例商家")
    ranked = _home_findings(monkeypatch, info.id, "zh")
    assert ranked, "the Chinese demo's home has findings"
    rep, sec = _digest(_isolated_home, info.id, "zh")
    assert sec.title == "本周要做的事"
    assert [_said(f, "¥") for f in sec.findings] == [_said(f, "¥") for f in ranked]
    html = render_html(rep)
    assert "涉及金额：¥" in _text(html)
    at = _headlines_in_order(html, [f.headline for f in ranked])
    assert at == sorted(at), at


def _unusual_last_day(lines: pd.DataFrame, times: int = 4) -> pd.DataFrame:
    """``lines`` with their last day ``times`` over (its orders copied under new ids): an
    unusual day the alerts rate high in the last week (the demo's last week has no alert)."""
    day = lines[lines["order_date"].dt.normalize() == lines["order_date"].max().normalize()]
    copies = [day.assign(order_id=day["order_id"] + f"-{i}") for i in range(1, times)]
    out = pd.concat([lines, *copies], ignore_index=True)
    out["line_no"] = np.arange(1, len(out) + 1)
    return out


def test_digest_equals_the_homes_findings_with_an_alert_in_the_last_week(
    demo, _isolated_home, monkeypatch
):
    """An alert finding in the digest is the Home's: the report gathers the alerts as the
    Home (every severity, the merchant's mutes applied) and lists the medium and high ones
    in its own section. (It gathered medium and high only; the finding reads the week's high
    alerts, which a lower cut leaves as they are: find_alerts rates and groups every alert
    and cuts last, so the findings could only drift apart if that changed.)"""
    from ecomdash.alerts import find_alerts
    from ecomdash.report import ReportData, results
    from ecomdash.report.sections import alerts as alerts_section

    store = Store.open(_isolated_home)
    try:
        info = store.save_dataset("Last day four times over", _unusual_last_day(demo.lines))
    finally:
        store.close()
    ranked = _home_findings(monkeypatch, info.id, None)
    assert "alerts" in [f.kind for f in ranked], [f.kind for f in ranked]
    rep, sec = _digest(_isolated_home, info.id, "en")
    symbol = sec.display.symbol
    assert [_said(f, symbol) for f in sec.findings] == [_said(f, symbol) for f in ranked]
    [alert] = [f for f in sec.findings if f.kind == "alerts"]
    assert "unusual day" in alert.headline

    store = Store.open(_isolated_home)
    try:
        data = ReportData.open(store, info.id)
        got = results.alerts(data)
        # the Home's call (ecomdash.ui.alerts._alerts_or_refusal): find_alerts' defaults
        home = find_alerts(store, info.id, data.filters, mute_rules=(), mute_products=())
        pd.testing.assert_frame_equal(got.alerts, home.alerts)
        assert (home.alerts["severity"] == "low").any()  # what a medium cut would leave out
        # the report's list: the medium and high ones, as find_alerts(min_severity="medium")
        medium = find_alerts(store, info.id, data.filters, min_severity="medium")
        cut = got.at_least("medium")
        for name in ("alerts", "lines", "drivers"):
            pd.testing.assert_frame_equal(getattr(cut, name), getattr(medium, name))
        section = alerts_section(data)
    finally:
        store.close()
    n, high = len(medium.alerts), int((medium.alerts["severity"] == "high").sum())
    assert section.verdict.startswith(f"{n:,} alerts at medium or high severity ({high:,} high)")


def _outcome(fn, *args):
    """``fn(*args)``, or the message of the data's refusal."""
    from ecomdash.errors import EcomdashError

    try:
        return fn(*args)
    except EcomdashError as exc:
        return f"refused: {exc}"


def test_the_reports_customer_results_are_the_pages_defaults(demo_dataset, _isolated_home):
    """Segments, churn, lifetime value and the recommendations' offline test: the report
    asks the store for the aggregates the pages (and the Home) read, with their defaults, and
    gets their results (or their refusal: churn needs 210 days). On two months of the demo
    (a period filter): the report read the lines and compared its segments with 90 days
    before the as-of day, before the period, so it had no movement where the Segments page
    compares with the period's first day."""
    from datetime import date, timedelta

    from ecomdash.filters import Filters
    from ecomdash.report import ReportData, results
    from ecomdash.ui import recommend as rec_ui
    from ecomdash.ui import segment as seg_ui
    from ecomdash.ui import value as value_ui

    filters = Filters(start=date(2026, 9, 1))
    key = ("local", demo_dataset.id, demo_dataset.version, filters.as_key())
    store = Store.open(_isolated_home)
    try:
        data = ReportData.open(store, demo_dataset.id, filters)
        got = {
            f.__name__: _outcome(f, data)
            for f in (results.segments, results.churn, results.clv, results.recommend)
        }
    finally:
        store.close()
    first, last = seg_ui._date_range(key)  # the Home's segments call (ecomdash.ui.home)
    params = (last.isoformat(), max(first, last - timedelta(days=90)).isoformat(), None)
    seg, page_seg = got["segments"], seg_ui._result(key, params, "en")
    assert seg.movement is not None, seg.movement_error
    pd.testing.assert_frame_equal(seg.movement.matrix, page_seg.movement.matrix)
    pd.testing.assert_frame_equal(seg.customers, page_seg.customers)
    assert seg.params == page_seg.params
    p = value_ui.ValueParams()  # default_at_risk's calls
    page_ch = _outcome(value_ui._churn, key, p.window_days, p.cutoff, p.gbm, "en")
    assert isinstance(page_ch, str) and got["churn"] == page_ch  # too short: the same refusal
    page_cv = value_ui._clv(key, p.horizon_months, p.cutoff, "en")
    pd.testing.assert_frame_equal(got["clv"].customers, page_cv.customers)
    rec, page_rec = got["recommend"], rec_ui._evaluation(key, rec_ui.RecParams(), "en")

    def figures(t):  # the models' figures, not how long each took
        return t.drop(columns=[c for c in t.columns if c.endswith("_seconds")])

    pd.testing.assert_frame_equal(figures(rec.table), figures(page_rec.table))
    assert (rec.cutoff, rec.n_test_customers, rec.warnings) == (
        page_rec.cutoff,
        page_rec.n_test_customers,
        page_rec.warnings,
    )
