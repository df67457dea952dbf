"""The win-back wording on a dataset without order ids, on the pages: where a customer's
purchases are counted in purchase days (CDNOW), the Customer value page's win-back toggle says
"repeat buyers (2+ purchase days)" and the Home's finding "days since their last purchase",
not "2+ orders" / "their last order" (6d8f5aa, tested then in the findings' core only: a
CDNOW-like fixture of 80 lines is too small for a churn model). The CDNOW sample (a tenth of
CDNOW's customers, 6,919 lines over 18 months) runs the churn model in seconds."""

from __future__ import annotations

import re

import pytest

from ecomdash.findings import LAPSE_PROBABILITY
from ecomdash.i18n import _, use_lang
from ecomdash.ingest import load_path
from ecomdash.store import Store
from ecomdash.ui.common import fmt_pct
from ecomdash.ui.segment import TAB_KEY
from tests.conftest import CDNOW_SAMPLE_PATH, shared
from tests.pages.conftest import run_page
from tests.pages.zh_walk import shown_text

DAYS_TOGGLE = (
    "Only the win-back list: repeat buyers (2+ purchase days) with a churn probability of "
    "{share} or more"
)
ORDERS_TOGGLE = (
    "Only the win-back list: repeat buyers (2+ orders) with a churn probability of {share} or more"
)
#: the Home's win-back "Why", in words that fit purchase days, and the old words about orders
LATER = {"en": ("checked on later purchases", "later orders"), "zh": ("后续购买上检验", "后续订单")}
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
    # the toggle names the repeat buyers as the checklist above it does, the same words the
    # same way (zh: the checklist's "复购客户（≥ 2 个购买日）", the toggle's read "复购客户（2 个及
    # 以上购买日）")
    with use_lang(lang):
        checklist = _("Repeat buyers (2+ purchase days)")
    cells = {str(v) for df in at.dataframe for v in df.value.astype(str).to_numpy().ravel()}
    assert checklist in cells, sorted(cells)[:40]  # the checklist's row
    assert checklist.lower() in days.lower(), (checklist, days)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_homes_winback_finding_counts_purchases_without_an_order_id(cdnow_sample, lang):
    at = run_page("home.py", dataset_id=cdnow_sample.id, lang=lang, timeout=180)
    assert not at.exception, at.exception
    said = [m.value for m in at.markdown]
    purchase, order = SINCE[lang]
    assert any(purchase in s for s in said), said
    assert not any(order in s for s in said), said
    # its "Why": the churn model was checked on later purchases, not "later orders" (session
    # 60: CDNOW has no order to be later)
    why = [c.value for c in at.caption]
    later, orders = LATER[lang]
    assert any(later in c for c in why), why
    assert not any(orders in c for c in why), why


#: a customer's first buy, as the customer pages name it; and the words they said before
#: (session 60): CDNOW counts purchase days, it has no order to be first
FIRST_PURCHASE = {"en": "first purchase", "zh": "首次购买"}
FIRST_ORDER = {"en": re.compile(r"first[- ]order", re.I), "zh": re.compile(r"首单|首次下单")}


def _first_words(at, lang: str) -> tuple[list[str], list[str]]:
    """(texts naming the first purchase, texts naming a first order) of a page run."""
    shown = [text for _where, text in shown_text(at)]
    said = [t for t in shown if FIRST_PURCHASE[lang] in t.lower()]
    return said, [t for t in shown if FIRST_ORDER[lang].search(t)]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_customer_pages_say_first_purchase_without_an_order_id(cdnow_sample, lang):
    """CDNOW has one line per customer and purchase day, no order id: the Customer value
    page's cohorts ("Months since first order" on the heatmap's axis, "First order month"
    over the cohort table) and the Segments page's cluster profile ("Median days since first
    order") named an order no line is. Each says the customer's first purchase (首次购买,
    not 首单 / 首次下单), which reads right on order data too."""
    at = run_page("customer_value.py", dataset_id=cdnow_sample.id, lang=lang, timeout=120)
    assert not at.exception, at.exception
    said, old = _first_words(at, lang)
    assert not old, old
    # the heatmap's and the LTV curve's axis, the cohort table's first column
    assert len(said) >= 2, said
    at = run_page("segments.py", dataset_id=cdnow_sample.id, lang=lang, timeout=120)
    with use_lang(lang):
        at.session_state[TAB_KEY] = _("Clusters by behaviour")
    at.run()
    assert not at.exception, at.exception
    said, old = _first_words(at, lang)
    assert not old, old
    assert said, [text for _where, text in shown_text(at)]
