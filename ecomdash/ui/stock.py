"""A stock file's match to the sales data's product ids, said alike wherever a page reads one
(the Restock planner, Pricing's markdowns): :func:`show_stock_match`; the file types both
uploaders take (:data:`STOCK_FILE_TYPES`)."""

from __future__ import annotations

from collections.abc import Iterable

import streamlit as st

from ecomdash.i18n.note import tr_note
from ecomdash.stock_file import StockMatch
from ecomdash.ui.common import inert

#: the types a stock file's uploader takes, the same on both pages (Pricing's markdowns read
#: "the restock planner's file"): a CSV, Excel's "Unicode text" (.txt: UTF-16 with tabs) and
#: a workbook, as :func:`ecomdash.stock_file.read_stock` reads them
STOCK_FILE_TYPES = ("csv", "txt", "xlsx")
#: taken too, not listed as readable: an old Excel 97-2003 workbook, which read_stock refuses
#: saying to save it as .xlsx or CSV (the browser refused it as "application/vnd.ms-excel
#: files are not allowed.", in English, on a chip only)
STOCK_FILE_EXPLAINED = ("xls",)


def show_stock_match(matched: StockMatch, also: Iterable[str] = ()) -> None:
    """Say how a stock file's ids were read (:func:`ecomdash.stock_file.match_stock`), in the
    page's language: each note (ids matched ignoring case and spaces) as an info, each warning
    (ids left out: which product they mean is not known) and the page's own ``also`` (the
    restock planner's ids it has no row for) as a warning. Ids are the merchant's text:
    escaped (:func:`~ecomdash.ui.common.inert`)."""
    for w in matched.notes:
        st.info(inert(tr_note(w)), icon="ℹ️")
    for w in (*matched.warnings, *also):
        st.warning(inert(tr_note(w)), icon="⚠️")
