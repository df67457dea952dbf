"""Data page (AppTest): a Chinese marketplace export is recognised and saved with no mapping
step; the two Taobao reports uploaded together join and save the same way. Numbers are the
hand counts of tests/unit/test_ingest_platforms_cn.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ecomdash.i18n import _, use_lang
from ecomdash.store import Store
from ecomdash.ui import data_page as DP
from tests.pages.conftest import ROOT

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "cn_platforms"


def _page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / "data.py"), default_timeout=90)
    at.run()
    assert not at.exception, at.exception
    return at


def _upload(at: AppTest, names: list[str]) -> AppTest:
    at.file_uploader(key="uploader").set_value(
        [(n, (FIX / n).read_bytes(), "text/csv") for n in names]
    )
    at.run()
    assert not at.exception, at.exception
    return at


def _metric(at, label):
    return next(m for m in at.metric if m.label == label).value


def _success(at) -> str:
    return " ".join(s.value.replace("\\", "") for s in at.success)  # inert() escapes - ( )


def _mapping_widgets(at) -> list[str]:
    return [s.key for s in at.selectbox if str(s.key).startswith("map_")]


def _saved(home):
    store = Store.open(home)
    try:
        [info] = [d for d in store.list_datasets() if not d.is_demo]
        return info, store.load_lines(info.id)
    finally:
        store.close()


def test_douyin_export_saves_without_a_mapping_step(_isolated_home):
    at = _upload(_page(), ["douyin_orders.csv"])
    assert "Recognised as a Douyin shop order export (抖店 订单导出)" in _success(at)
    assert _mapping_widgets(at) == []  # no mapping step
    assert _metric(at, "Rows read") == "9"
    assert _metric(at, "Rows kept") == "7"  # one cancelled, one unpaid order left out
    rules = next(d.value for d in at.dataframe if {"label", "action"} <= set(d.value.columns))
    # the states each rule met: in the table where they fit beside the counts, all of them
    # in the samples under it
    labels = " ".join([*rules["label"], *(e.label for e in at.expander)])
    assert "已关闭 | 超时未支付" in labels and "待支付" in labels and "退款成功" in labels
    assert any("2 return lines added" in c.value for c in at.caption)
    at.button(key="FormSubmitter:save_form-Save").click().run()
    assert not at.exception, at.exception
    info, lines = _saved(_isolated_home)
    assert info.rows == 9 and info.mapping["order_id"] == "主订单编号"
    assert info.mapping["country"] == "收货省份"
    sale = ~lines["is_return"] & (lines["revenue"] > 0)
    net = lines.loc[sale, "revenue"].sum() - lines.loc[lines["is_return"], "revenue"].abs().sum()
    assert round(float(net), 2) == 219.30


def test_mapping_can_still_be_changed_by_hand(_isolated_home):
    at = _upload(_page(), ["jd_orders.csv"])
    assert _mapping_widgets(at) == []
    at.toggle(key="map_by_hand").set_value(True).run()
    assert not at.exception, at.exception
    assert at.selectbox(key="map_order_id").value == "订单号"
    at.selectbox(key="map_customer_id").set_value("(not in the file)").run()
    at.button(key="FormSubmitter:save_form-Save").click().run()
    assert not at.exception, at.exception
    info, _lines = _saved(_isolated_home)
    assert "customer_id" not in info.mapping and info.rows == 8


def test_taobao_reports_uploaded_together_join_and_save(_isolated_home):
    at = _upload(_page(), ["taobao_orders.csv", "taobao_items.csv"])
    assert at.selectbox(key="multi_fact").value == "taobao_items"
    assert "Taobao / Tmall order report + order-item report" in _success(at)
    assert _mapping_widgets(at) == []
    assert _metric(at, "Rows read") == "14" and _metric(at, "Rows kept") == "12"
    at.text_input[0].set_value("天猫 双11")
    at.button(key="FormSubmitter:save_form-Save").click().run()
    assert not at.exception, at.exception
    info, lines = _saved(_isolated_home)
    assert info.name == "天猫 双11" and info.rows == 15
    assert set(lines["country"]) == {"浙江", "北京", "广东", "广西", "四川", "新疆", "香港", "宁夏"}


def test_pages_run_on_a_saved_marketplace_export(_isolated_home):
    """The joined Taobao reports saved, then the analysis pages on them: the Overview shows
    the hand-counted net revenue (2,830.50: refunds netted out, cancellations left out) and no
    page fails on provinces as regions or on the added return lines."""
    from ecomdash.ingest import clean, propose_mapping
    from ecomdash.ingest.multi import combine, read_tables
    from tests.pages.conftest import run_page

    files = [(n, (FIX / n).read_bytes()) for n in ("taobao_orders.csv", "taobao_items.csv")]
    combined = combine(read_tables(files))
    mapping = propose_mapping(combined.raw)
    lines, report = clean(combined.raw, mapping.as_dict())
    store = Store.open(_isolated_home)
    info = store.save_dataset("天猫", lines, report=report, mapping=mapping.as_dict())
    store.close()
    at = run_page("overview.py", dataset_id=info.id)
    assert not at.exception, at.exception
    net = next(m for m in at.metric if m.label == "Net revenue")
    assert "Exact: ¥2,830.50." in net.help  # in yuan: a Chinese marketplace's export
    assert next(m for m in at.metric if m.label == "Orders").value == "8"
    pages = ("basket.py", "segments.py", "customer_value.py", "forecast.py", "alerts.py")
    for page in (*pages, "pricing.py", "recommendations.py"):
        at = run_page(page, dataset_id=info.id, timeout=120)
        assert not at.exception, (page, at.exception)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_province_column_is_mapped_as_the_province(_isolated_home, lang):
    """The mapping named the field of a Pinduoduo export's 收货省份 "Country / region" /
    国家/地区 (Chromium); the saved dataset's pages call it Province / 省份
    (``display.provinces``), and so does the mapping now; a country column keeps its name."""
    at = AppTest.from_file(str(ROOT / "pages" / "data.py"), default_timeout=90)
    at.query_params["lang"] = lang
    at.run()
    at = _upload(at, ["pdd_orders.csv"])
    which = next(d.value for d in at.dataframe if {"field", "column"} <= set(d.value.columns))
    field = dict(zip(which["column"], which["field"], strict=True))
    with use_lang(lang):
        assert field["收货省份"] == _("Province")
        assert DP.mapped_field_name("country", "Country") == _("Country / region")
