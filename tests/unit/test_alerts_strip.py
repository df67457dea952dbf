"""The Overview's alerts strip: a dataset the alerts refuse is asked once, not on every run.

The check runs in a worker process (``_alerts``), so a refusal that is not cached would start
a process on every Overview rerun of that dataset.
"""

from __future__ import annotations

import pandas as pd
import pytest

from ecomdash.errors import InsufficientDataError, StoreError
from ecomdash.ui import alerts as ui_alerts

KEY = ("ws", "ds", 1, None)


@pytest.fixture
def counted(monkeypatch):
    calls: list = []

    def refuse(key, mute_rules, mute_products, lang):
        calls.append(key)
        raise InsufficientDataError("Alerts need at least 8 weeks of daily sales.")

    ui_alerts._strip_rows.clear()
    monkeypatch.setattr(ui_alerts, "_alerts", refuse)
    yield calls
    ui_alerts._strip_rows.clear()


def test_a_refused_check_is_cached_and_shows_nothing(counted):
    for _ in range(3):
        assert ui_alerts._strip_rows(KEY, (), (), "en", 3) == (0, ())
    assert counted == [KEY]
    # another dataset version is asked again
    assert ui_alerts._strip_rows(("ws", "ds", 2, None), (), (), "en", 3) == (0, ())
    assert len(counted) == 2


def test_a_store_failure_is_not_cached(monkeypatch):
    """A store error may pass (a busy lake): the next run asks again."""
    calls: list = []

    def fail(*a):
        calls.append(a)
        raise StoreError("The store is busy.")

    ui_alerts._strip_rows.clear()
    monkeypatch.setattr(ui_alerts, "_alerts", fail)
    for _ in range(2):
        with pytest.raises(StoreError):
            ui_alerts._strip_rows(KEY, (), (), "en", 3)
    assert len(calls) == 2
    ui_alerts._strip_rows.clear()


def test_strip_rows_keeps_the_newest_high_alerts(monkeypatch):
    class Res:
        alerts = pd.DataFrame(
            {
                "date": pd.to_datetime(["2024-05-03", "2024-05-02", "2024-05-01", "2024-04-30"]),
                "kind": ["revenue_drop", "spike", "risky_order", "spike"],
                "reason": ["r1", "r2", "r3", "r4"],
                "severity": ["high", "medium", "high", "high"],
            }
        )

    ui_alerts._strip_rows.clear()
    monkeypatch.setattr(ui_alerts, "_alerts", lambda *a: Res())
    n, rows = ui_alerts._strip_rows(KEY, (), (), "en", 2)
    assert n == 3
    assert [(r[1], r[2]) for r in rows] == [("revenue_drop", "r1"), ("risky_order", "r3")]
    ui_alerts._strip_rows.clear()


#: A key as the pages build it: (workspace, dataset id, version, Filters().as_key()).
PAGE_KEY = ("ws", "ds", 1, (None, None, (), ()))


@pytest.fixture
def worker_calls(monkeypatch):
    """``_alerts`` with its worker replaced: each call recorded, answering with ``answer[0]``."""
    calls: list = []
    answer: list = []

    def run(fn, store, dataset_id, filters, **kw):
        calls.append(dataset_id)
        if isinstance(answer[0], Exception):
            raise answer[0]
        return answer[0]

    ui_alerts._alerts_or_refusal.clear()
    monkeypatch.setattr(ui_alerts, "get_store", lambda workspace: object())
    monkeypatch.setattr(ui_alerts, "run_in_worker", run)
    yield calls, answer
    ui_alerts._alerts_or_refusal.clear()


def test_the_alerts_page_keeps_a_refusal_and_raises_it_each_time(worker_calls):
    """The Alerts page, the strip and the home all ask ``_alerts``: a dataset the alerts refuse
    starts the worker once, and every later run gets the same message."""
    calls, answer = worker_calls
    answer.append(InsufficientDataError("Alerts need at least 8 weeks of daily sales."))
    for _ in range(3):
        with pytest.raises(InsufficientDataError, match="at least 8 weeks of daily sales"):
            ui_alerts._alerts(PAGE_KEY, (), (), "en")
    assert calls == ["ds"]
    with pytest.raises(InsufficientDataError):  # another version of the data is checked again
        ui_alerts._alerts(("ws", "ds", 2, PAGE_KEY[3]), (), (), "en")
    assert len(calls) == 2


def test_the_alerts_page_asks_again_after_a_store_failure(worker_calls):
    calls, answer = worker_calls
    answer.append(StoreError("The store is busy."))
    for _ in range(2):
        with pytest.raises(StoreError):
            ui_alerts._alerts(PAGE_KEY, (), (), "en")
    assert len(calls) == 2


def test_the_alerts_page_returns_the_check_s_result(worker_calls):
    calls, answer = worker_calls
    answer.append({"alerts": "result"})  # stands for an AlertsResult: passed through as is
    assert ui_alerts._alerts(PAGE_KEY, ("spike",), (), "en") == {"alerts": "result"}
    assert ui_alerts._alerts(PAGE_KEY, ("spike",), (), "en") == {"alerts": "result"}
    assert calls == ["ds"]


def test_the_hidden_alerts_note_is_written_in_each_runs_language():
    """The empty table's note on alerts the Severity filter hides is made in the run's
    language: it was cached by its arguments alone (a decorator meant for ``_strip_rows``
    above it), so a Chinese session could read the English note of an earlier run."""
    from ecomdash.i18n import use_lang

    alerts = pd.DataFrame({"severity": ["low", "low", "high"]})
    with use_lang("en"):
        en = ui_alerts._hidden_by_severity(alerts, ["high", "medium"])
    with use_lang("zh"):
        zh = ui_alerts._hidden_by_severity(alerts, ["high", "medium"])
    assert "2 low alerts are hidden" in en
    assert "低" in zh and "hidden" not in zh
