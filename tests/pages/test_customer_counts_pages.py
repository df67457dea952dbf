"""One count of customers on every page (AppTest, the demo merchant, all time): the
Overview's "Customers", the Segments page's, the Customer value page's checklist and cohorts,
and the customers Recommendations offers — and the one sentence that says who counts, on all
four."""

from __future__ import annotations

import re

from ecomdash import schema
from ecomdash.i18n import _
from tests.conftest import kept_customer_sales
from tests.pages.conftest import run_page


def _metric(at, label):
    found = [m for m in at.metric if m.label == label]
    assert found, f"no metric {label!r}; have {[m.label for m in at.metric]}"
    return found[0]


def test_every_page_counts_the_same_customers(demo_dataset, demo):
    lines = demo.lines
    # by hand: ids with a kept product sale (not a return, postage/fee or cancelled sale)
    n = lines.loc[kept_customer_sales(lines), "customer_id"].nunique()
    assert n == 8947  # 8,987 ids have a sale line: 40 kept nothing
    shown = f"{n:,}"
    definition = _(schema.CUSTOMER_DEFINITION)

    at = run_page("overview.py", dataset_id=demo_dataset.id)
    assert not at.exception, at.exception
    tile = _metric(at, "Customers")
    assert tile.value == shown and tile.help.startswith(definition)

    at = run_page("segments.py", dataset_id=demo_dataset.id, timeout=180)
    assert not at.exception, at.exception
    seg = _metric(at, "Customers")
    assert seg.value == shown and seg.help == definition

    at = run_page("customer_value.py", dataset_id=demo_dataset.id, timeout=240)
    assert not at.exception, at.exception
    checks = at.dataframe[0].value.set_index("check")["found"]
    assert checks["Customers with ids"] == shown
    assert any(c.value == definition for c in at.caption)
    cohort = [c.value for c in at.caption if re.match(r"[\d,]+ customers in \d+ monthly", c.value)]
    assert cohort and cohort[0].startswith(f"{shown} customers in ")

    at = run_page("recommendations.py", dataset_id=demo_dataset.id, timeout=300)
    assert not at.exception, at.exception
    pick = at.selectbox(key="rec_customer")
    assert len(pick.options) == n and pick.help == definition
    assert any(f" — {shown} customers, " in c.value for c in at.caption)


def test_the_sentence_in_chinese(demo_dataset):
    """The Overview's tile and the Segments metric say it in Chinese (one msgid, segments.po)."""
    zh = "客户：所示期间内至少有一笔未取消的商品订单的客户 ID；整单取消的订单、只有运费或手续费的订单以及游客订单（无客户 ID）不计入。"
    at = run_page("overview.py", dataset_id=demo_dataset.id, lang="zh")
    assert not at.exception, at.exception
    assert _metric(at, "客户").help.startswith(zh)
    at = run_page("segments.py", dataset_id=demo_dataset.id, lang="zh", timeout=180)
    assert not at.exception, at.exception
    assert _metric(at, "客户").help == zh
