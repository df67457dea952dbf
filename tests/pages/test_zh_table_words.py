"""Every page in Chinese, its tables included: no English word in a table's header or in a text
cell the page writes (session 51, zhpolish). The pages' own Chinese tests read what a page
writes outside its tables (``zh_walk.english_left``); a table's cells and headers went
unchecked, and a sweep of the ten pages found three tables still in English: the Alerts
details' lines named each rule by its id ("quick_cancel"), the Forecast page's history tab
named the holidays as the ``holidays`` package does in English ("Dragon Boat Festival", "Day
off (substituted from 28 September 2025)") and its Chinese calendar tables kept English
headers ("Break start", "Makeup workdays") and weekdays ("2026-02-14 (Sat)").

Left out, as the other zh tests leave them: the merchant's own data (any text of the demo's
lines, in a cell or inside one), the dataset's id, upper-case acronyms and model names
(MASE, SBA …) and ``zh_walk.ALLOWED``'s tokens."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.pages.conftest import displayed_frame, run_page
from tests.pages.test_table_headers import PAGES as EVERY_PAGE
from tests.pages.zh_walk import _english_words

#: the pages with tables (the Home has none)
PAGES = tuple(p for p in EVERY_PAGE if p != "home.py")


def _texts(lines: pd.DataFrame) -> set[str]:
    """The merchant's texts: every string value of the demo's lines."""
    out: set[str] = set()
    for c in lines.columns:
        if lines[c].dtype == object or str(lines[c].dtype).startswith(("string", "str")):
            out |= set(lines[c].dropna().astype(str).unique())
    return out


def english_in_tables(at, data: set[str]) -> list[str]:
    """Headers and text cells of every table on the page holding an English word, the
    merchant's texts taken out first (whole cells, or inside a cell: "商品 A (SKU-1)")."""
    long_first = sorted((t for t in data if len(t) > 1), key=len, reverse=True)
    bad = []
    for d in at.dataframe:
        df = displayed_frame(d)
        seen = [("header", str(c)) for c in df.columns]
        for c in df.columns:
            col = df[c]
            if col.dtype == object or str(col.dtype).startswith(("string", "str")):
                seen += [(f"cell {c}", v) for v in col.dropna().astype(str).unique()]
        for where, text in seen:
            if text in data:
                continue
            rest = text
            for t in long_first:
                if t in rest:
                    rest = rest.replace(t, " ")
            words = _english_words(rest)
            if words:
                bad.append(f"{where}: {text[:100]!r} ({', '.join(words[:4])})")
    return sorted(set(bad))


@pytest.mark.parametrize("page", PAGES)
def test_no_english_in_a_chinese_page_table(zh_store, zh_lines, page):
    ds = zh_store("演示商户")
    at = run_page(page, dataset_id=ds.id, lang="zh", timeout=300)
    assert not at.exception, at.exception
    assert at.dataframe, "the page shows no table: nothing was checked"
    bad = english_in_tables(at, _texts(zh_lines) | {ds.id})
    assert not bad, "\n".join(bad)
