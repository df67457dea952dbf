"""Where the field of a dataset whose places are provinces (a Chinese marketplace export maps
收货省份 to the country field; ``labels.places_are_provinces``) was still named a country after
f620d58: the empty table's sentence (the Alerts page's no-data message asked to widen the
sidebar's 国家/地区, a filter the sidebar calls 省份), the Alerts page's rules table (the
unusual day watches "top countries") and the Customer value page's cohort filter that keeps no
one ("the chosen category/country filter" under a filter labelled "first province"). A dataset
of countries keeps its words."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecomdash.ingest import load_bytes
from ecomdash.store import Store
from tests.pages.conftest import run_page, save_upload

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "cn_platforms"

EMPTY = {
    ("en", True): "No rows for this selection. Widen the period, provinces or categories in the "
    "sidebar, or change the settings above.",
    ("zh", True): "当前选择下没有数据。请在侧边栏放宽期间、省份或品类，或修改上方的设置。",
    ("en", False): "No rows for this selection. Widen the period, countries or categories in the "
    "sidebar, or change the settings above.",
    ("zh", False): "当前选择下没有数据。请在侧边栏放宽期间、国家/地区或品类，或修改上方的设置。",
}
#: what the unusual-day rule watches, as the rules table says
WATCHES = {
    ("en", True): "top provinces",
    ("zh", True): "主要省份",
    ("en", False): "top countries",
    ("zh", False): "主要国家/地区",
}


def _uk_export(days: int = 12) -> bytes:
    rows = ["Invoice,InvoiceDate,Customer ID,StockCode,Description,Quantity,Price,Country"]
    for i in range(days):
        country = ("United Kingdom", "France", "Germany")[i % 3]
        rows.append(f"{500 + i},2024-03-{1 + i:02d} 10:00,{13000 + i % 5},A{i % 4},Mug {i % 4}")
        rows[-1] += f",{1 + i % 3},{2.5 + i % 4},{country}"
    return "\n".join(rows).encode()


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("provinces", [True, False], ids=["provinces", "countries"])
def test_the_alerts_empty_table_and_rules_name_the_places(_isolated_home, lang, provinces):
    if provinces:  # the Pinduoduo export: 收货省份 is its country field
        info = save_upload(_isolated_home, FIX / "pdd_orders.csv", "pdd")
    else:
        res = load_bytes(_uk_export(), "uk.csv")
        store = Store.open(_isolated_home)
        try:
            info = store.save_dataset(
                "uk", res.lines, report=res.report, mapping=res.mapping.as_dict()
            )
        finally:
            store.close()
    at = run_page("alerts.py", dataset_id=info.id, lang=lang, timeout=120)
    assert not at.exception, at.exception
    # a search that finds nothing: the table is empty and says what to widen
    at.text_input(key="al_text").set_value("不存在的商品 nothing").run()
    assert not at.exception, at.exception
    captions = [c.value.replace("\\", "") for c in at.caption]
    assert EMPTY[(lang, provinces)] in captions, captions
    assert EMPTY[(lang, not provinces)] not in captions
    # the rules table: what the unusual-day rule watches
    looks = [v for d in at.dataframe if "looks_for" in d.value for v in d.value["looks_for"]]
    assert any(WATCHES[(lang, provinces)] in v for v in looks), looks
    assert not any(WATCHES[(lang, not provinces)] in v for v in looks), looks


def _two_province_export() -> bytes:
    """Six customers over three months, each first ordering in 浙江 and coming back from
    广东: a filter on first province 广东 keeps no one."""
    rows = ["订单号,下单时间,客户,商品,商品名称,数量,单价,收货省份"]
    n = 0
    for c in range(6):
        for month, place in ((1, "浙江"), (2, "广东"), (3, "广东")):
            n += 1
            rows.append(
                f"O{n},2024-0{month}-{10 + c:02d} 10:00,C{c},P{c % 2},杯子{c % 2},1,20,{place}"
            )
    return "\n".join(rows).encode()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_cohort_filter_that_keeps_no_one_names_provinces(_isolated_home, lang):
    data = _two_province_export()
    # the province column mapped to the country field, as a marketplace layout maps it
    mapping = {**load_bytes(data, "orders.csv").mapping.as_dict(), "country": "收货省份"}
    mapping.pop("location", None)
    res = load_bytes(data, "orders.csv", mapping=mapping)
    mapping = res.mapping.as_dict()
    store = Store.open(_isolated_home)
    try:
        info = store.save_dataset("shop", res.lines, report=res.report, mapping=mapping)
    finally:
        store.close()
    assert mapping["country"] == "收货省份" and mapping["customer_id"] == "客户", mapping
    at = run_page("customer_value.py", dataset_id=info.id, lang=lang, timeout=180)
    assert not at.exception, at.exception
    label = "Cohorts: first province" if lang == "en" else "同期群：首次购买省份"
    pick = next(m for m in at.multiselect if m.label == label)
    pick.set_value(["广东"])
    next(b for b in at.button if b.label in ("Run", "运行")).click().run()
    assert not at.exception, at.exception
    # shown as the refusal of too little data is (a warning), Markdown-escaped
    said = " ".join(e.value.replace("\\", "") for e in [*at.warning, *at.error])
    if lang == "en":
        assert "No customer's first purchase matches the chosen category/province filter" in said
        assert "country" not in said, said
    else:
        assert "没有客户的首次购买符合所选品类或省份筛选" in said, said
        assert "国家/地区" not in said, said
