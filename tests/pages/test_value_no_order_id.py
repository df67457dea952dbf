"""The win-back wording on a dataset without order ids, on the pages: where a customer's
purchases are counted in purchase days (CDNOW), the Customer value page's win-back toggle says
"repeat buyers (2+ purchase days)" and the Home's finding "days since their last purchase",
not "2+ orders" / "their last order" (6d8f5aa, tested then in the findings' core only: a
CDNOW-like fixture of 80 lines is too small for a churn model). The CDNOW sample (a tenth of
CDNOW's customers, 6,919 lines over 18 months) runs the churn model in seconds."""

from __future__ import annotations

import json
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


#: what the Customer value page counts on purchase-day data (CDNOW), and the words about
#: orders it said there before (session 60, words2): the at-risk list's headers, churn's
#: features, the churn tiles' comparison, the cohort note and the churn models' help
DAY_WORDS = {
    "en": {
        "at_risk": ["Days since last purchase", "Usual days between purchases", "Purchase days"],
        "features": ["days since last purchase", "purchase days", "purchase days, last 30 days"],
        "versus": "pts vs days since last purchase",
        "cohort": "holds every customer who bought that month",
        "left": "bought nothing in the 90 days",
        "auc": "bought nothing in the window",
        "verdict": ("the last purchase alone", "bought nothing in the next 90\u00a0days"),
        "learned": "Learned from each customer's purchases up to",
    },
    "zh": {
        "at_risk": ["距上次购买天数", "通常购买间隔天数", "购买日数"],
        "features": ["距上次购买天数", "购买日数", "最近\u00a030\u00a0天购买日数"],
        "versus": "较只看距上次购买天数",
        "cohort": "包含当月购买的所有客户",
        "left": "没有购买",
        "auc": "没有购买的客户",
        "verdict": ("只看距上次购买天数", "天内没有购买"),
        "learned": "每位客户的购买记录和之后",
    },
}
ORDER_WORDS = {
    "en": {
        "at_risk": ["Days since last order", "Usual days between orders", "Orders"],
        "features": ["days since last order", "orders", "orders, last 30 days"],
        "versus": "pts vs days since last order",
        "cohort": "who ordered that month",
        "left": "placed no order",
        "auc": "placed no order",
        "verdict": ("the last order alone", "placed no order in the next"),
        "learned": "Learned from each customer's orders up to",
    },
    "zh": {
        "at_risk": ["距上次下单天数", "通常下单间隔天数", "订单数"],
        "features": ["距上次下单天数", "订单数", "最近\u00a030\u00a0天订单数"],
        "versus": "较只看距上次下单天数",
        "cohort": "当月下单",
        "left": "没有下单",
        "auc": "没有下单",
        "verdict": ("只看距上次下单天数", "天内没有下单"),
        "learned": "每位客户的订单和之后",
    },
}
#: the at-risk list's columns that count orders (or purchase days) and their recency
AT_RISK_IDS = ["recency_days", "interpurchase_days", "frequency"]


def _columns(element) -> dict:
    return json.loads(element.proto.columns or "{}")


#: the churn tab's two tiles, compared with ranking by recency alone
CHURN_TILES = ("Ranks who left above who stayed", "Left, among the 10\u00a0% most at risk")


def _value_words(at, lang: str) -> dict:
    """What the Customer value page says where it counts a customer's orders: the at-risk
    list's headers, the drivers table's features (and the chart's), the churn tiles' deltas
    and helps, the captions and the churn models' column helps."""
    (risk,) = [d for d in at.dataframe if "value_at_risk" in d.value.columns]
    cfg = _columns(risk)
    (drivers,) = [d for d in at.dataframe if "feature" in d.value.columns]
    (chart,) = [
        json.loads(c.proto.spec)
        for c in at.get("plotly_chart")
        if json.loads(c.proto.spec)["data"][0].get("orientation") == "h"
    ]
    (models,) = [d for d in at.dataframe if "auc" in d.value.columns]
    with use_lang(lang):
        tiles = [m for m in at.metric if m.label in {_(t) for t in CHURN_TILES}]
    assert len(tiles) == 2, [m.label for m in at.metric]
    return {
        "at_risk": [cfg[c]["label"] for c in AT_RISK_IDS],
        "features": list(drivers.value["feature"]),
        "chart": list(chart["data"][0]["y"]),
        "deltas": [m.proto.delta for m in tiles],
        "helps": [m.proto.help for m in tiles],
        "captions": [c.value for c in at.caption],
        "auc": _columns(models)["auc"]["help"],
        # the churn tab's first sentence, in plain words
        "markdown": [m.value.replace("\\", "") for m in at.markdown],
    }


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_customer_value_page_counts_purchase_days_without_an_order_id(cdnow_sample, lang):
    """On CDNOW (no order id: a customer's purchases are counted in purchase days) the
    at-risk list's headers read "Days since last order", "Usual days between orders",
    "Orders" (距上次下单天数 / 通常下单间隔天数 / 订单数), churn's features "days since last
    order", "orders", "orders, last 30 days", the tiles "pts vs days since last order", the
    cohort note "every customer who ordered that month" (当月下单) and the churn models'
    help "placed no order in the window": each now names the purchase days it counts."""
    at = run_page("customer_value.py", dataset_id=cdnow_sample.id, lang=lang, timeout=120)
    assert not at.exception, at.exception
    said, new, old = _value_words(at, lang), DAY_WORDS[lang], ORDER_WORDS[lang]
    assert said["at_risk"] == new["at_risk"], said["at_risk"]
    for feature in new["features"]:
        assert feature in said["features"], said["features"]
        assert feature in said["chart"], said["chart"]
    for feature in old["features"]:
        assert feature not in said["features"] + said["chart"], feature
    assert all(new["versus"] in d for d in said["deltas"]), said["deltas"]
    assert sum(new["left"] in h for h in said["helps"]) == 2, said["helps"]
    assert not [h for h in said["helps"] if old["left"] in h], said["helps"]
    assert any(new["cohort"] in c for c in said["captions"]), said["captions"]
    assert not any(old["cohort"] in c for c in said["captions"]), said["captions"]
    assert new["auc"] in said["auc"] and old["auc"] not in said["auc"], said["auc"]
    # the churn tab's verdict and what the models learned from, above the tiles
    (verdict,) = [t for t in said["markdown"] if new["verdict"][0] in t]
    assert new["verdict"][1] in verdict, verdict
    assert not [t for t in said["markdown"] if any(w in t for w in old["verdict"])]
    assert any(c.startswith(new["learned"]) or new["learned"] in c for c in said["captions"])
    assert not [c for c in said["captions"] if old["learned"] in c]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_customer_value_page_keeps_the_orders_where_the_data_has_order_ids(demo_dataset, lang):
    """The demo has order ids: the at-risk list, churn's features and the tiles still name
    orders there; the sentences that fit both (the cohort note, the models' help) say
    "bought"."""
    at = run_page("customer_value.py", dataset_id=demo_dataset.id, lang=lang, timeout=120)
    assert not at.exception, at.exception
    said, new, old = _value_words(at, lang), DAY_WORDS[lang], ORDER_WORDS[lang]
    assert said["at_risk"] == old["at_risk"], said["at_risk"]
    for feature in old["features"]:
        assert feature in said["features"], said["features"]
    assert not [f for f in new["features"] if f in said["features"] + said["chart"]]
    assert all(old["versus"] in d for d in said["deltas"]), said["deltas"]
    assert any(new["cohort"] in c for c in said["captions"]), said["captions"]
    assert new["auc"] in said["auc"], said["auc"]
    (verdict,) = [t for t in said["markdown"] if old["verdict"][0] in t]
    assert old["verdict"][1] in verdict, verdict
    assert any(old["learned"] in c for c in said["captions"]), said["captions"]


#: the Segments page's cluster rules on recency: in purchase days, and about orders
RECENCY_RULE = {
    "en": (re.compile(r"last purchase (within|\d)"), re.compile(r"last order|\borders\b")),
    "zh": (re.compile(r"上次购买在"), re.compile(r"上次下单|订单数")),
}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_cluster_rules_say_last_purchase_without_an_order_id(cdnow_sample, lang):
    """The Segments page's rules on CDNOW read "last order within 30 days" (上次下单在 30 天
    内) where no order is counted: now "last purchase within …" (上次购买在 …)."""
    at = run_page("segments.py", dataset_id=cdnow_sample.id, lang=lang, timeout=120)
    with use_lang(lang):
        at.session_state[TAB_KEY] = _("Why this cluster?")
    at.run()
    assert not at.exception, at.exception
    (rules,) = [d for d in at.dataframe if "rule" in d.value.columns]
    texts = list(rules.value["rule"]) + [m.value for m in at.markdown]
    new, old = RECENCY_RULE[lang]
    assert any(new.search(t) for t in rules.value["rule"]), list(rules.value["rule"])
    assert not [t for t in texts if old.search(t)], texts
