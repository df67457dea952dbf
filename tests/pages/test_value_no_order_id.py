"""The win-back wording on a dataset without order ids, on the pages: where a customer's
purchases are counted in purchase days (CDNOW), the Customer value page's win-back toggle says
"repeat buyers (2+ purchase days)" and the Home's finding "days since their last purchase",
not "2+ orders" / "their last order" (6d8f5aa, tested then in the findings' core only: a
CDNOW-like fixture of 80 lines is too small for a churn model). The CDNOW sample (a tenth of
CDNOW's customers, 6,919 lines over 18 months) runs the churn model in seconds."""

from __future__ import annotations

import pytest

from ecomdash.findings import LAPSE_PROBABILITY
from ecomdash.i18n import _, use_lang
from ecomdash.ingest import load_path
from ecomdash.store import Store
from ecomdash.ui.common import fmt_pct
from tests.conftest import CDNOW_SAMPLE_PATH, shared
from tests.pages.conftest import run_page

DAYS_TOGGLE = (
    "Only the win-back list: repeat buyers (2+ purchase days) with a churn probability of "
    "{share} or more"
)
ORDERS_TOGGLE = (
    "Only the win-back list: repeat buyers (2+ orders) with a churn probability of {share} or more"
)
#: the Home's win-back headline, in purchase days and in orders
SINCE = {
    "en": ("days since their last purchase", "since their last order"),
    "zh": ("距上次购买的中位天数", "距上次下单"),
}


@pytest.fixture
def cdnow_sample(_isolated_home):
    loaded = load_path(shared(CDNOW_SAMPLE_PATH))
    store = Store.open(_isolated_home)
    try:
        info = store.save_dataset("cdnow_sample", loaded.lines, report=loaded.report)
    finally:
        store.close()
    assert "order_id" not in info.columns
    return info


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_winback_toggle_counts_purchase_days_without_an_order_id(cdnow_sample, lang):
    at = run_page("customer_value.py", dataset_id=cdnow_sample.id, lang=lang, timeout=120)
    assert not at.exception, at.exception
    with use_lang(lang):
        share = fmt_pct(LAPSE_PROBABILITY, 0)
        days, orders = _(DAYS_TOGGLE, share=share), _(ORDERS_TOGGLE, share=share)
    assert days != orders
    toggles = [t.label for t in at.toggle if t.key == "value_winback_only"]
    assert toggles == [days], toggles
    if lang == "zh":
        assert "购买日" in days and days != DAYS_TOGGLE.format(share=share)  # translated


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_homes_winback_finding_counts_purchases_without_an_order_id(cdnow_sample, lang):
    at = run_page("home.py", dataset_id=cdnow_sample.id, lang=lang, timeout=180)
    assert not at.exception, at.exception
    said = [m.value for m in at.markdown]
    purchase, order = SINCE[lang]
    assert any(purchase in s for s in said), said
    assert not any(order in s for s in said), said
