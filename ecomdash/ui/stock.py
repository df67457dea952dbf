"""A stock file's match to the sales data's product ids, said alike wherever a page reads one
(the Restock planner, Pricing's markdowns): :func:`show_stock_match`."""

from __future__ import annotations

from collections.abc import Iterable

import streamlit as st

from ecomdash.i18n.note import tr_note
from ecomdash.stock_file import StockMatch
from ecomdash.ui.common import inert


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
