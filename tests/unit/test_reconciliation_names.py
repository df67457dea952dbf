"""Every way the "Every series" forecast reconciles its total is named through the catalogue:
the chart's legend, the command line and the total tile's help, which, for a reconciliation
without a help of its own, showed the raw English text of ``RECONCILIATIONS`` on a Chinese
page."""

from __future__ import annotations

import re

import pytest

from ecomdash.charts.forecast_groups import RECONCILED
from ecomdash.forecast_groups import RECONCILIATIONS
from ecomdash.i18n import _, use_lang
from ecomdash.ui.forecast_groups import TOTAL_HELP, total_help

CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
#: the Chinese of the two names, as written in zh/forecast.po (the legend's words)
CHINESE = {
    "mint_diag": "各序列之和（已向总量的直接预测调整）",
    "bottom_up": "各序列之和（自下而上）",
}


@pytest.mark.parametrize("key", sorted(RECONCILIATIONS))
def test_a_reconciliation_reads_chinese_in_chinese(key):
    assert RECONCILED[key] == RECONCILIATIONS[key]  # the legend and the CLI say the same
    with use_lang("zh"):
        name, help_ = _(RECONCILIATIONS[key]), total_help(key)
    assert name == CHINESE[key]
    assert CJK.search(help_) and help_ != TOTAL_HELP[key]
    with use_lang("en"):
        assert total_help(key) == TOTAL_HELP[key]


@pytest.mark.parametrize("key", sorted(RECONCILIATIONS))
def test_a_reconciliation_without_its_own_help_is_named_in_the_page_language(key, monkeypatch):
    """The tile's help falls back to the legend's name, translated: it was the untranslated
    ``RECONCILIATIONS[key]`` ("bottom-up", "MinT-diagonal (WLS …)")."""
    monkeypatch.delitem(TOTAL_HELP, key)
    with use_lang("zh"):
        help_, legend = total_help(key), _(RECONCILED[key])
    assert help_ == legend and CJK.search(help_) and not LATIN_WORD.search(help_)
    with use_lang("en"):
        assert total_help(key) == RECONCILIATIONS[key]
