"""Durations the pages write are written by ``fmt.duration`` ("under 0.1 s", "2.4 s",
"2 min 11 s" / "不到 0.1 秒", "2 分 11 秒"): never "Computed in 0.00 s", which read as broken
on every cached run of the Overview and Alerts pages. No timing is asserted: whatever the run
took, its caption must read as the formatter writes it."""

from __future__ import annotations

import re

from ecomdash.i18n import use_lang
from tests.pages.conftest import run_page

#: every form fmt.duration writes, whole text (tests/unit/test_i18n_durations.py checks which)
#: (English joins a figure and its unit with fmt.NBSP, its parts with a plain space)
EN = r"(under 0\.1\u00a0s|\d\.\d\u00a0s|[1-5]?\d\u00a0s|[0-9,]+\u00a0(min|h)( [1-5]?\d\u00a0(s|min))?)"
#: (Chinese too: "42 秒", "2 分 11 秒", with fmt.NBSP before each unit and before the figure
#: after a Chinese word: "不到 0.1 秒", "2 分 11 秒")
ZH = (
    r"(不到\u00a00\.1\u00a0秒|\d\.\d\u00a0秒|[1-5]?\d\u00a0秒"
    r"|[0-9,]+\u00a0(分钟|分|小时)(\u00a0[1-5]?\d\u00a0(秒|分))?)"
)
TWO_DECIMALS = re.compile(r"\d\.\d\d[ \u00a0]s|\d\.\d\d[ \u00a0]秒")


def _caption(at, word: str) -> str:
    found = [c.value for c in at.caption if word in c.value]
    assert len(found) == 1, [c.value for c in at.caption]
    return found[0]


def test_overview_says_how_long_it_took_as_a_person_would(demo_dataset):
    at = run_page("overview.py", dataset_id=demo_dataset.id)
    assert not at.exception, at.exception
    at.run()  # the cached run: it said "Computed in 0.00 s."
    assert not at.exception, at.exception
    cap = _caption(at, "Computed in")
    assert re.search(rf"\. Computed in {EN}\.$", cap), cap
    assert not TWO_DECIMALS.search(cap), cap


def test_overview_in_chinese_says_it_with_chinese_units(demo_dataset):
    at = run_page("overview.py", dataset_id=demo_dataset.id, lang="zh")
    assert not at.exception, at.exception
    with use_lang("zh"):  # AppTest formats the radio's value in the test's thread
        at.run()
    assert not at.exception, at.exception
    cap = _caption(at, "计算用时")
    assert re.search(rf"。计算用时：{ZH}。$", cap), cap  # no "s" or a dangling "秒 秒"
    assert not TWO_DECIMALS.search(cap), cap


def test_alerts_caption_says_how_long_it_took_as_a_person_would(demo_dataset):
    at = run_page("alerts.py", dataset_id=demo_dataset.id, timeout=180)
    assert not at.exception, at.exception
    at.run()
    assert not at.exception, at.exception
    cap = _caption(at, "Computed in")
    assert re.search(rf" low\. Computed in {EN}\.$", cap), cap
    assert not TWO_DECIMALS.search(cap), cap
