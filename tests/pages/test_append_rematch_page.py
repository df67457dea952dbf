"""The Data page's "Add to an existing dataset" of February's export to a dataset holding
January's: its returns cancel two January sales already saved (``Store.append`` re-matches),
and the save's confirmation says so, in English and Chinese."""

from __future__ import annotations

import pytest

from ecomdash.ingest import load_bytes
from ecomdash.store import Store
from tests.pages.test_append_fields_not_kept import _append
from tests.unit.test_append_rematch import FEB, JAN, SAID


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_append_confirmation_says_the_saved_sales_it_cancels(_isolated_home, lang):
    store = Store.open(_isolated_home)
    try:
        first = load_bytes(JAN, "jan.csv")
        ds = store.save_dataset("Winter", first.lines, report=first.report).id
    finally:
        store.close()
    at = _append({"feb.csv": FEB}, lang)
    said = " ".join(s.value for s in at.success).replace("\\", "")
    assert SAID[lang] in said, said
    store = Store.open(_isolated_home)
    try:
        lines = store.load_lines(ds)
    finally:
        store.close()
    assert sorted(lines.loc[lines["is_cancelled"], "order_id"]) == ["1002", "1003"]
