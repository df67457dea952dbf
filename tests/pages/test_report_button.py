"""The sidebar's "Download report": present on every page, built on click with a status that
ends with how long it took, and the file is the report of the sidebar's dataset and filters."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from ecomdash.filters import Filters
from ecomdash.report import ALL_SECTIONS, SECTIONS
from ecomdash.report.results import ANALYSES
from ecomdash.ui import report as report_ui
from tests.pages.conftest import ROOT, run_app


def _key(info, filters: Filters | None = None):
    return ("local", info.id, info.version, (filters or Filters()).as_key())


def test_sidebar_has_the_report_button(demo_dataset):
    at = run_app(dataset_id=demo_dataset.id)
    assert not at.exception, at.exception
    buttons = at.sidebar.get("download_button")
    assert [b.proto.label for b in buttons] == ["Download report"]
    assert buttons[0].proto.HasField("deferred_file_id")  # built only when clicked
    assert [c for c in at.sidebar.children.values() if type(c).__name__ == "Status"] == []


def _app_after_click(info) -> AppTest:
    """The app's run right after a click (AppTest drops the sidebar on a second run of the
    same instance, so each run is a fresh instance with the session state it needs)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.session_state["dataset_id"] = info.id
    at.session_state[report_ui.K_CLICKED] = _key(info)  # what the button's on_click records
    at.run()
    return at


def test_click_builds_with_a_status_and_the_time(demo_dataset):
    at = _app_after_click(demo_dataset)
    assert not at.exception, at.exception
    labels = [c.label for c in at.sidebar.children.values() if type(c).__name__ == "Status"]
    assert any(
        re.fullmatch(
            r"Report built in (under 0\.1\u00a0s|\d\.\d\u00a0s|\d+\u00a0s|\d+\u00a0min( \d+\u00a0s)?)",
            lbl,
        )
        for lbl in labels
    ), labels
    # the rerun filled the cache: the download is the whole report of this dataset
    html = report_ui.report_bytes(_key(demo_dataset)).decode("utf-8")
    for spec in ALL_SECTIONS:
        assert f'<section id="{spec.key}"' in html
    # the Home's digest first, after the header
    assert html.index('<section id="digest"') < html.index('<section id="kpis"')
    assert "Demo merchant" in html
    assert report_ui.K_CLICKED not in at.session_state  # one click, one status


def test_the_buttons_help_names_every_part_of_the_report(demo_dataset):
    """The help listed ten parts and stopped at recommendations: the report also has pricing
    and alerts (SECTIONS' last two)."""
    at = run_app(dataset_id=demo_dataset.id)
    (button,) = at.sidebar.get("download_button")
    helptext = button.proto.help
    assert [s.key for s in SECTIONS][-2:] == ["pricing", "alerts"]
    assert "recommendations, pricing and alerts for the dataset" in helptext, helptext
    assert [s.key for s in ALL_SECTIONS][0] == "digest"
    assert "stakeholders: what to do this week first, then KPIs" in helptext, helptext


def test_the_apps_report_runs_each_analysis_once_for_its_sections_and_digest(
    demo_dataset, monkeypatch
):
    """The app builds each section by its own cached call, each with a ReportData of its
    own: the results the digest reads are cached across them (``report_ui._shared``), so
    the digest runs no analysis a second time."""
    calls: dict[str, int] = {}
    for path in ANALYSES:
        mod, name = path.rsplit(".", 1)
        real = getattr(__import__(mod, fromlist=[name]), name)

        def counted(*a, _real=real, _path=path, **kw):
            calls[_path] = calls.get(_path, 0) + 1
            return _real(*a, **kw)

        monkeypatch.setattr(path, counted)
    html = report_ui.report_bytes(_key(demo_dataset)).decode("utf-8")
    assert '<ol class="findings">' in html
    assert calls == dict.fromkeys(ANALYSES, 1), calls
