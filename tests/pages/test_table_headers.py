"""Every table a merchant sees has human headers: no raw column id (``gross_sale``, ``lo80``,
``mean``, ``rule_code``) reaches a visible header on any page.

Each page runs alone on the demo merchant (AppTest); the buttons that show results (Run, Plan,
Prepare the export) are pressed one by one, and the header of every column of every
``st.dataframe`` is read as the browser would show it: the column_config label when one is set,
else the column name (and the index name when the index is shown).
"""

from __future__ import annotations

import json
import re

import pytest

from ecomdash import labels as L
from ecomdash.i18n import _, use_lang
from ecomdash.ui.segment import TAB_KEY as SEGMENT_TAB_KEY
from ecomdash.ui.tables import MISSING
from tests.pages.conftest import run_page

PAGES = [
    "home.py",
    "overview.py",
    "data.py",
    "basket.py",
    "forecast.py",
    "segments.py",
    "customer_value.py",
    "recommendations.py",
    "pricing.py",
    "alerts.py",
]
#: pages that show no table by design (checked anyway, should one appear)
NO_TABLES = {"home.py"}
#: pages whose tabs draw only the open one: (session key, tab labels as message ids)
LAZY_TABS = {
    "segments.py": (
        SEGMENT_TAB_KEY,
        ("RFM segments", "Clusters by behaviour", "Why this cluster?", "Movement", "Download"),
    ),
}
#: buttons that turn a form into results
RESULT_BUTTONS = ("Run", "Plan", "Prepare the export")

_SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")
_ID_LIKE = re.compile(r"^[a-z]+[0-9]+$")  # lo80, hi95, coverage80


def is_raw_id(header: str) -> bool:
    """True for a header that is a code's column id rather than words a merchant reads."""
    h = str(header)
    return bool(
        h in L.COLUMNS
        or _SNAKE.match(h)
        or _ID_LIKE.match(h)
        or (h[:1].islower() and h.isascii() and h.replace(" ", "").isalpha() and " " not in h)
    )


def displayed_headers(element) -> list[str]:
    """The headers a browser shows for one AppTest dataframe element."""
    config = json.loads(element.proto.columns or "{}")
    df = element.value
    order = list(element.proto.column_order) or [str(c) for c in df.columns]
    out = []
    for col in order:
        cfg = config.get(str(col), {})
        if cfg.get("hidden"):
            continue
        out.append(cfg.get("label") or str(col))
    index_cfg = config.get("_index", {})
    if not index_cfg.get("hidden") and df.index.name is not None:
        out.append(index_cfg.get("label") or str(df.index.name))
    return out


def _headers_of(at, missing: list | None = None) -> list[tuple[str, list[str]]]:
    if missing is not None:  # (table, what a read-only table writes for a missing value)
        missing += [
            (f"table {i}", d.proto.placeholder)
            for i, d in enumerate(at.dataframe)
            if d.proto.editing_mode == d.proto.EditingMode.READ_ONLY
        ]
    return [(f"table {i}", displayed_headers(d)) for i, d in enumerate(at.dataframe)]


def walk(
    page: str, dataset_id: str, lang: str | None = None, missing: list | None = None
) -> list[tuple[str, list[str]]]:
    """Headers of every table on ``page`` (in ``lang``) on arrival and after each result
    button; ``missing`` (a list) collects each read-only table's missing-value text."""
    at = run_page(page, dataset_id=dataset_id, timeout=240, lang=lang)
    assert not at.exception, (page, at.exception)
    seen = [(f"{page} on arrival: {t}", h) for t, h in _headers_of(at, missing)]
    with use_lang(lang or "en"):
        buttons = tuple(_(b) for b in RESULT_BUTTONS)
    for label in buttons:
        for i in range(len([b for b in at.button if b.label == label])):
            buttons = [b for b in at.button if b.label == label]
            if i >= len(buttons):
                break
            with use_lang(lang or "en"):  # AppTest formats the page's options in it
                buttons[i].click()
                at.run()
            assert not at.exception, (page, label, at.exception)
            seen += [(f"{page} after {label} #{i}: {t}", h) for t, h in _headers_of(at, missing)]
    # tabs that draw only when open (``on_change="rerun"``): each one opened, as a click does
    key, tabs = LAZY_TABS.get(page, (None, ()))
    for tab in tabs:
        with use_lang(lang or "en"):
            at.session_state[key] = _(tab)
            at.run()
        assert not at.exception, (page, tab, at.exception)
        seen += [(f"{page} tab {tab}: {t}", h) for t, h in _headers_of(at, missing)]
    return seen


def test_raw_id_detector_catches_the_issue_examples():
    for raw in ("gross_sale", "lo80", "mean", "rule_code", "hi95", "baseline_mae", "revenue"):
        assert is_raw_id(raw), raw
    for human in ("Net revenue (£)", "Low (80 %)", "Forecast", "Rule", "Customer id", "Lift"):
        assert not is_raw_id(human), human


@pytest.mark.parametrize("page", PAGES)
def test_no_raw_column_id_in_a_visible_header(page, demo_dataset):
    missing: list[tuple[str, str]] = []
    seen = walk(page, demo_dataset.id, missing=missing)
    # the home shows findings and KPI cards, not tables; every other page has some
    assert seen or page in NO_TABLES, f"{page} showed no table at all"
    bad = [(where, h) for where, headers in seen for h in headers if is_raw_id(h)]
    assert not bad, f"raw column ids in visible headers on {page}: {bad}"
    assert not repeated(seen), f"a table shows the same header twice on {page}"
    # a missing value reads "—" (not known), never Streamlit's grey "None"
    assert len(missing) >= (0 if page in NO_TABLES else 1), page
    assert {text for _, text in missing} <= {MISSING}, f"{page}: {missing}"


def repeated(seen: list[tuple[str, list[str]]]) -> list[tuple[str, str]]:
    """(table, header) for each header a table shows more than once."""
    return [(where, h) for where, headers in seen for h in set(headers) if headers.count(h) > 1]


def test_repeated_header_detector():
    assert repeated([("t", ["原因", "商品", "原因"]), ("u", ["A", "B"])]) == [("t", "原因")]


@pytest.mark.parametrize("page", sorted(set(PAGES) - NO_TABLES))
def test_no_table_repeats_a_header_in_chinese(page, demo_dataset):
    """Two English headers can share one Chinese word ("Reason" and "Why" were both 原因 on
    the recommendations table): every table's headers stay distinct in Chinese too."""
    seen = walk(page, demo_dataset.id, lang="zh")
    assert seen, f"{page} showed no table in Chinese"
    assert not repeated(seen), f"a table shows the same header twice on {page}: {repeated(seen)}"


@pytest.mark.parametrize("page", ["overview.py", "forecast.py", "pricing.py"])
def test_no_raw_column_id_on_summed_sales(page, _isolated_home):
    """A file of totals per week × store × department: its own tables (breakdowns by store,
    every series' forecast) are labelled too."""
    from tests.pages.test_summed_pages import _seed
    from tests.summed_fixtures import walmart_like

    info, _ = _seed(_isolated_home, walmart_like(stores=3, depts=4, weeks=60, seed=3), "walmart")
    seen = walk(page, info.id)
    bad = [(where, h) for where, headers in seen for h in headers if is_raw_id(h)]
    assert not bad, f"raw column ids in visible headers on {page} (summed sales): {bad}"
