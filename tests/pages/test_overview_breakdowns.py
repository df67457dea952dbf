"""Which breakdowns the Overview offers as tabs (``ui.overview.offered_breakdowns``): one with
rows gets a tab; one without says why in a caption — the field to map where the dataset has no
such column, the period where its column is there but no line of the period fills it."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from ecomdash import schema as S
from ecomdash.i18n import use_lang
from ecomdash.ui.overview import offered_breakdowns

ROWS = pd.DataFrame({"key": ["a"], "revenue": [1.0]})
NONE = pd.DataFrame()


def _res(**parts):
    return SimpleNamespace(
        **{n: parts.get(n, NONE) for n in ("top_products", "top_categories", "top_countries")}
    )


NAMES = ["top_products", "top_categories", "top_countries"]


def test_only_breakdowns_with_rows_are_offered():
    res = _res(top_products=ROWS, top_countries=ROWS)
    with use_lang("en"):
        shown, notes = offered_breakdowns(res, NAMES, (S.PRODUCT_ID, S.COUNTRY))
    assert shown == ["top_products", "top_countries"]
    assert notes == [
        "There is no breakdown by Category: this dataset has no such column; re-upload the "
        "export on the Data page and map one to it to see this breakdown."
    ]


def test_a_column_the_period_leaves_empty_is_not_called_missing():
    """The dataset has a category column but no line of the period has one (lines appended
    from an export without it): nothing to map, the period is why."""
    res = _res(top_products=ROWS)
    with use_lang("en"):
        shown, notes = offered_breakdowns(res, NAMES, (S.PRODUCT_ID, S.CATEGORY, S.COUNTRY))
    assert shown == ["top_products"]
    assert notes == [
        "No line in this period has any of Category, Country / region, so there are no "
        "breakdowns by them."
    ]
    with use_lang("zh"):
        _shown, notes = offered_breakdowns(
            _res(top_products=ROWS, top_countries=ROWS),
            NAMES,
            (S.PRODUCT_ID, S.CATEGORY, S.COUNTRY),
        )
    assert notes == ["本期没有任何一行填有 品类，因此没有按它划分的明细。"]


def test_provinces_read_the_country_column():
    res = _res(top_countries=ROWS)
    shown, notes = offered_breakdowns(res, ["top_provinces"], (S.COUNTRY,))
    assert shown == ["top_provinces"] and notes == []
