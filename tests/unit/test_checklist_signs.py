"""The Customer value checklist's "needed" cells keep a sign and its figure on one line: the
table wrapped "≥ 2（同期群）；≥" | "3（校准检验）" at the plain space between "≥" and "3"
(Streamlit's canvas table breaks a line at a plain space, never at a no-break space:
``ui.table_layout._SPACES``). Each sign is joined to its figure by ``fmt.NBSP``, in English
and in Chinese (session 51, zhpolish)."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from ecomdash import churn
from ecomdash.i18n import fmt, use_lang

#: a sign, then a plain space (where the canvas may break the line), then a figure
SIGN_SPACE_FIGURE = re.compile(r"[≥≤<>±~≈×÷+−=][ \t]+[-+]?\d")


def _checklist(lang: str) -> list[str]:
    # 50 customers, 30 of whom buy again 210 days later: every line of the checklist is met
    start = pd.Timestamp("2024-01-01")
    rows = [(f"c{i}", start) for i in range(50)]
    rows += [(f"c{i}", start + pd.Timedelta(days=210)) for i in range(30)]
    days = pd.DataFrame(rows, columns=["customer_id", "date"]).assign(value=1.0)
    with use_lang(lang):
        s = churn.sufficiency_from_days(days, n_lines=200, n_with_id=80)
    return s.checks["needed"].tolist()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_needed_cell_parts_a_sign_from_its_figure(lang):
    cells = _checklist(lang)
    assert len(cells) == 5, cells
    assert not [c for c in cells if SIGN_SPACE_FIGURE.search(c)], cells


def test_the_cells_a_merchant_reads():
    nb = fmt.NBSP
    # MIN_CUSTOMERS, MIN_REPEAT_BUYERS; 2 × 90 + 30 = 210 days for the default 90-day window
    assert _checklist("zh")[1:] == [
        f"≥{nb}50",
        f"≥{nb}30",
        f"≥{nb}2（同期群）；≥{nb}3（校准检验）",
        f"≥{nb}210（2 × 窗口 +{nb}30）",
    ]
    assert _checklist("en")[3] == f"≥{nb}2 (cohorts); ≥{nb}3 (calibration check)"
