"""A dataset whose country field holds provinces (a Chinese marketplace export maps 收货省份 to
it) calls the field "Province" / 省份 wherever it is labelled: the sidebar's filter, the
Overview's breakdown tab, chart title and table header, the Forecast page's scope, the
report's filter line. They all read "Countries / regions" / 国家/地区 over 浙江 and 广东. A
dataset whose field is a country (the UCI-like upload's "Country") keeps "Country"."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecomdash import labels as L
from ecomdash.i18n import use_lang
from ecomdash.ingest import load_bytes
from ecomdash.store import Store
from tests.pages.conftest import displayed_frame, run_app, run_page

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "cn_platforms"

#: what each language calls the field, its Overview tab and chart title, for provinces and
#: for countries
WORDS = {
    ("en", True): ("Provinces", "Top provinces", "Top provinces by net revenue", "Province"),
    ("zh", True): ("省份", "热门省份", "热门省份（按净销售额）", "省份"),
    ("en", False): (
        "Countries / regions",
        "Top countries",
        "Top countries by net revenue",
        "Country",
    ),
    ("zh", False): ("国家/地区", "热门国家/地区", "热门国家/地区（按净销售额）", "国家/地区"),
}


def _save(home: Path, data: bytes, filename: str):
    res = load_bytes(data, filename)
    store = Store.open(home)
    try:
        return store.save_dataset(
            filename, res.lines, report=res.report, mapping=res.mapping.as_dict()
        )
    finally:
        store.close()


def _uk_export() -> bytes:
    rows = ["Invoice,InvoiceDate,Customer ID,StockCode,Description,Quantity,Price,Country"]
    for i in range(12):
        country = ("United Kingdom", "France", "Germany")[i % 3]
        rows.append(f"{500 + i},2024-03-{1 + i:02d} 10:00,{13000 + i % 5},A{i % 4},Mug {i % 4}")
        rows[-1] += f",{1 + i % 3},{2.5 + i % 4},{country}"
    return "\n".join(rows).encode()


def test_places_are_provinces_from_the_mapping_or_the_report():
    assert L.places_are_provinces({"country": "收货省份"}, {})
    assert L.places_are_provinces({"country": "Ship province"}, None)
    assert L.places_are_provinces({"country": "country"}, {"places": L.PROVINCES})
    assert not L.places_are_provinces({"country": "Country"}, {})
    assert not L.places_are_provinces({}, {"currency": "GBP"})
    shown = L.Display(provinces=True)
    with use_lang("zh"):
        assert L.header("country", shown) == "省份"
        assert L.header("country", L.Display()) == "国家/地区"
    assert L.header("country", shown) == "Province"
    assert L.display_for({}, mapping={"country": "收货省份"}).provinces


def _tab_titles(at) -> set[str]:
    import json

    return {
        json.loads(c.proto.spec)["layout"].get("title", {}).get("text", "")
        for c in at.get("plotly_chart")
    }


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("provinces", [True, False], ids=["provinces", "countries"])
def test_the_field_is_named_as_the_dataset_records_it(_isolated_home, lang, provinces):
    if provinces:
        info = _save(_isolated_home, (FIX / "pdd_orders.csv").read_bytes(), "pdd_orders.csv")
        assert info.mapping["country"] == "收货省份"
    else:
        info = _save(_isolated_home, _uk_export(), "uk.csv")
        assert info.mapping["country"] == "Country"
    where, tab, title, header = WORDS[(lang, provinces)]
    at = run_app(dataset_id=info.id, lang=lang)
    assert not at.exception, at.exception
    labels = [m.label for m in at.sidebar.multiselect]
    assert where in labels, labels

    at = run_page("overview.py", dataset_id=info.id, lang=lang)
    assert not at.exception, at.exception
    tabs = [t.label for t in at.tabs]
    assert tab in tabs, tabs
    assert any(title in t for t in _tab_titles(at)), _tab_titles(at)
    headers = [list(displayed_frame(d).columns) for d in at.dataframe]
    assert any(h[0] == header for h in headers), headers


def test_the_report_filters_by_province(_isolated_home):
    from ecomdash.filters import Filters
    from ecomdash.report import build_report
    from ecomdash.report.render import render_html

    info = _save(_isolated_home, (FIX / "pdd_orders.csv").read_bytes(), "pdd_orders.csv")
    store = Store.open(_isolated_home)
    try:
        for lang, word, other in (
            ("en", "Provinces", "Countries / regions"),
            ("zh", "省份", "国家/地区"),
        ):
            rep = build_report(store, info.id, Filters(), sections=(), lang=lang)
            html = render_html(rep)
            assert f">{word}<" in html and other not in html, lang
    finally:
        store.close()


def test_the_chinese_demo_names_its_provinces(zh_store):
    """The Chinese demo keeps the buyer's province in the country column: saved as the app's
    first start saves it (its report says so), its filter reads 省份."""
    info = zh_store("示例商家")
    assert L.display_for(info.report, mapping=info.mapping).provinces
    at = run_app(dataset_id=info.id, lang="zh", timeout=120)
    assert not at.exception, at.exception
    assert "省份" in [m.label for m in at.sidebar.multiselect]


@pytest.mark.parametrize(
    "lang, label", [("en", "Cohorts: first province"), ("zh", "同期群：首次购买省份")]
)
def test_the_cohort_filter_names_provinces(_isolated_home, lang, label):
    """The Customer value page's cohort filter read 同期群：首单国家/地区 on a JD export."""
    info = _save(_isolated_home, (FIX / "jd_orders.csv").read_bytes(), "jd_orders.csv")
    at = run_page("customer_value.py", dataset_id=info.id, lang=lang, timeout=120)
    assert not at.exception, at.exception
    assert label in [m.label for m in at.multiselect]
