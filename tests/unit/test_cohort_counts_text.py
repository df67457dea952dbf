"""The Customer value cohorts' counting sentence: the lines left out for having no customer id
are said only when there are some (the Chinese page read "0 行没有客户 ID 的订单行未计入")."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from ecomdash.i18n import use_lang
from ecomdash.ui.value_views import cohort_counts


def _res(left_out: int):
    return SimpleNamespace(
        n_customers=1234, sizes=pd.Series([1, 2, 3]), lines_without_customer=left_out
    )


@pytest.mark.parametrize(
    ("lang", "left_out", "said"),
    [
        ("en", 0, "1,234 customers in 3 monthly cohorts."),
        (
            "en",
            5,
            "1,234 customers in 3 monthly cohorts; 5 lines without a customer id are left out.",
        ),
        ("zh", 0, "1,234\u00a0位客户，分为\u00a03\u00a0个月度同期群。"),
        (
            "zh",
            5,
            "1,234\u00a0位客户，分为\u00a03\u00a0个月度同期群；5\u00a0行没有客户 ID 的订单行未计入。",
        ),
    ],
)
def test_lines_left_out_are_said_only_when_there_are_some(lang, left_out, said):
    with use_lang(lang):
        assert cohort_counts(_res(left_out)) == said
