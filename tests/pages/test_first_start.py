"""A first start on an empty store: the demo merchant is created under a status in the main
area (the page stayed blank for seconds while it was generated and saved), in the UI's
language, once; and the sidebar draws without importing the analyses."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ecomdash.store import Store
from tests.pages.conftest import ROOT, run_app

CREATED = {
    "en": "Demo merchant created in ",
    "zh": "示例商家已创建",
}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_first_start_creates_the_demo_under_a_status(_isolated_home, lang):
    at = run_app(lang=lang, timeout=240)
    assert not at.exception, at.exception
    store = Store.open(_isolated_home)
    try:
        [info] = store.list_datasets()
    finally:
        store.close()
    assert info.is_demo
    [status] = [s for s in at.status if s.label.startswith(CREATED[lang])]
    assert "state: COMPLETE" in str(status.proto), status.proto  # ends with how long it took
    # in the main area, above the page, not under the sidebar's language picker
    assert not any(
        type(c).__name__ == "Status" and c.label.startswith(CREATED[lang])
        for c in at.sidebar.children.values()
    )
    # said once: the next visit opens the saved demo without a word about it
    again = run_app(lang=lang, timeout=240)
    assert not again.exception, again.exception
    assert not any(s.label.startswith(CREATED[lang]) for s in again.status)


def test_the_sidebar_draws_without_importing_the_analyses():
    """The report button's sections import every analysis (scikit-learn, statsmodels): with
    them imported by the sidebar a first start showed nothing for 14.6 s on a loaded machine
    (8.6 s of it those imports). They load when a report is built or a page needs them."""
    code = (
        "import sys, ecomdash.ui.sidebar; "
        "print(sorted(m for m in ('sklearn', 'statsmodels', 'mlxtend', 'ecomdash.report') "
        "if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]", out.stdout
