"""The Customer value checklist's reasons in Chinese wrap as Chinese text: the grid breaks a
cell's text at a space first, so "有 ID 的客户太少，任何模型都无法运行。" showed "有 ID" alone on
its first line at 1280 px. No reason has a space within its first few characters."""

from __future__ import annotations

import re

from ecomdash.churn import sufficiency_from_days
from ecomdash.i18n import use_lang


def test_no_reason_breaks_after_its_first_word():
    with use_lang("zh"):
        checks = sufficiency_from_days(None, n_lines=10, n_with_id=0).checks
    reasons = [r for r in checks["reason"] if r]
    assert len(reasons) >= 3, reasons
    assert "可识别的客户太少，任何模型都无法运行。" in reasons
    short_first_line = [r for r in reasons if re.match(r"^\S{1,4} ", r)]
    assert not short_first_line, short_first_line
