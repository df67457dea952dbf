"""A page draws its title before it imports its own module (``ui.common.page_module``): a
first visit since the server started waits for that module's analyses (scikit-learn,
statsmodels: 1–6 s here), and the page stayed blank until they were imported. Each page is
run here with its module made unimportable: its title must already be on the page."""

from __future__ import annotations

import sys

import pytest

import ecomdash.ui
from tests.pages.conftest import run_page

#: page file → (its module under ecomdash.ui, the title page_setup draws)
PAGES = {
    "home.py": ("home", "What to do this week"),
    "overview.py": ("overview", "Overview"),
    "basket.py": ("basket", "Basket analysis"),
    "forecast.py": ("forecast", "Forecast & restock"),
    "segments.py": ("segment", "Customer segments"),
    "customer_value.py": ("value", "Customer value"),
    "recommendations.py": ("recommend", "Recommendations"),
    "pricing.py": ("pricing", "Pricing & promotions"),
    "alerts.py": ("alerts", "Alerts"),
}


@pytest.mark.parametrize("page_file", sorted(PAGES))
def test_the_title_is_drawn_before_the_page_module_is_imported(
    page_file, demo_dataset, monkeypatch
):
    module, title = PAGES[page_file]
    # as on a fresh server: the module is not imported yet, and importing it fails here, so
    # only what the page drew before importing it is on the page
    monkeypatch.delattr(ecomdash.ui, module, raising=False)
    monkeypatch.setitem(sys.modules, f"ecomdash.ui.{module}", None)
    at = run_page(page_file, dataset_id=demo_dataset.id)
    assert at.exception, "the import did not fail: the test proves nothing"
    assert f"ecomdash.ui.{module}" in at.exception[0].message
    assert [t.value for t in at.title] == [title]


def test_a_page_module_already_imported_is_not_imported_again(demo_dataset, monkeypatch):
    """A later visit (the module imported) returns it as it is, without the spinner's import."""
    from ecomdash.ui import common, overview

    calls = []
    monkeypatch.setattr(common.importlib, "import_module", lambda name: calls.append(name))
    assert common.page_module("overview") is overview
    assert calls == []
