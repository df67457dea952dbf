"""The language switch (the URL's ?lang=, the sidebar's picker, the browser's language) and the
frame in Chinese: sidebar, presets and filters, page_setup's messages, table headers, the
built-figure cache, the Chinese demo merchant on a first start in Chinese."""

from __future__ import annotations

import types
from datetime import timedelta

import pytest
from streamlit.testing.v1 import AppTest

from ecomdash import schema as S
from ecomdash.filters import Filters
from ecomdash.store import Store
from tests.pages.conftest import displayed_frame, run_app, run_page
from tests.pages.zh_walk import english_left

#: The language picker names each language in itself and its label is bilingual on purpose
#: ("Language · 语言"): a merchant who cannot read the current language still finds it.
BILINGUAL = {"Language · 语言", "English"}


@pytest.fixture
def zh_dataset(zh_store, zh_lines):
    n = len(zh_lines)
    return zh_store("示例商家", {"rows_read": n, "rows_kept": n, "currency": "CNY"})


def _sidebar_only(at):
    """An object english_left reads as a page whose main area and sidebar are the sidebar."""
    return types.SimpleNamespace(main=at.sidebar, sidebar=at.sidebar)


def test_url_lang_opens_the_page_in_chinese(demo_dataset):
    at = run_page("overview.py", dataset_id=demo_dataset.id, lang="zh", timeout=120)
    assert not at.exception, at.exception
    assert at.title[0].value == "概览"
    at = run_page("overview.py", dataset_id=demo_dataset.id, lang="en", timeout=120)
    assert at.title[0].value == "Overview"


def test_sidebar_picker_switches_and_puts_it_in_the_url(demo_dataset):
    at = run_app(dataset_id=demo_dataset.id, timeout=180)
    assert not at.exception, at.exception
    picker = next(w for w in at.button_group if w.label.startswith("Language"))
    assert picker.value == "en"  # no browser behind AppTest: English
    picker.set_value("zh").run()
    assert not at.exception, at.exception
    assert at.query_params["lang"] == ["zh"] or at.query_params["lang"] == "zh"
    assert at.session_state["ui_lang"] == "zh"


def test_sidebar_in_chinese_has_no_english_left(zh_dataset):
    at = run_app(dataset_id=zh_dataset.id, lang="zh", timeout=180)
    assert not at.exception, at.exception
    left = english_left(_sidebar_only(at), data_values=BILINGUAL)
    assert left == [], left
    shown = {
        s.label: s
        for s in at.sidebar.selectbox
        if s.key in ("sidebar_dataset", f"period_{zh_dataset.id}")
    }
    assert set(shown) == {"数据集", "期间"}
    period = at.sidebar.selectbox(key=f"period_{zh_dataset.id}")
    # the options are shown translated, the value stays the stable English id
    assert period.options == [
        "全部时间",
        "最近\u00a030\u00a0天",
        "最近\u00a090\u00a0天",
        "最近\u00a012\u00a0个月",
        "自定义",
    ]
    assert period.value == "All time"
    dataset = at.sidebar.selectbox(key="sidebar_dataset")
    assert dataset.options == [f"示例商家（{zh_dataset.rows:,}\u00a0行）"]
    labels = {m.label for m in at.sidebar.multiselect}
    assert labels == {"国家/地区", "品类"}
    assert [m.placeholder for m in at.sidebar.multiselect] == ["全部", "全部"]
    captions = [c.value for c in at.sidebar.caption]
    assert "单商家模式：本地工作区，无需登录。" in captions
    assert any(c.startswith("数据范围：") for c in captions)
    assert [b.proto.label for b in at.sidebar.get("download_button")] == ["下载报告"]


def _date_range(home, dataset_id: str):
    store = Store.open(home)
    try:
        return store.date_range(dataset_id)
    finally:
        store.close()


def _sidebar_page():
    from ecomdash.ui import sidebar

    sidebar.render()


def test_presets_and_filters_work_in_chinese(zh_dataset, _isolated_home):
    # AppTest reruns only the page script of a multipage app: run the sidebar alone
    at = AppTest.from_function(_sidebar_page, default_timeout=120)
    at.session_state["dataset_id"] = zh_dataset.id
    at.query_params["lang"] = "zh"
    at.run()
    assert not at.exception, at.exception
    at.sidebar.selectbox(key=f"period_{zh_dataset.id}").select_index(1)  # 最近 30 天
    province = at.sidebar.multiselect(key=f"country_{zh_dataset.id}")
    assert "广东" in province.options  # the merchant's own values, as they are
    province.set_value(["广东"])
    at.run()
    assert not at.exception, at.exception
    _lo, hi = _date_range(_isolated_home, zh_dataset.id)
    f = at.session_state["filters"]
    assert isinstance(f, Filters)
    assert (f.start, f.end) == (hi.date() - timedelta(days=29), hi.date())
    assert f.countries == ("广东",)
    # the choice is kept in the stable id: switching to English keeps it
    assert at.sidebar.selectbox(key=f"period_{zh_dataset.id}").value == "Last 30 days"


def test_first_start_in_chinese_creates_the_chinese_demo(_isolated_home):
    at = run_page("overview.py", lang="zh", timeout=240)
    assert not at.exception, at.exception
    store = Store.open(_isolated_home)
    try:
        [info] = store.list_datasets()
        lines = store.load_lines(info.id, columns=[S.COUNTRY, S.PRODUCT_NAME])
    finally:
        store.close()
    assert info.is_demo and info.name == "示例商家"
    assert "广东" in set(lines[S.COUNTRY])  # provinces, not the UK shop's countries
    assert info.report.get("currency") == "CNY"
    # money on the page in yuan
    assert any(m.value.startswith("¥") for m in at.metric), [m.value for m in at.metric]


def test_a_table_header_comes_out_chinese(zh_dataset):
    at = run_page("overview.py", dataset_id=zh_dataset.id, lang="zh", timeout=120)
    assert not at.exception, at.exception
    headers = {str(c) for d in at.dataframe for c in displayed_frame(d).columns}
    # the top products' name column is 商品 beside 商品 ID (was 名称), the trend's rows 月份
    assert {"商品 ID", "商品", "净销售额", "月份"} <= headers, headers
    at = run_page("overview.py", dataset_id=zh_dataset.id, lang="en", timeout=120)
    headers = {str(c) for d in at.dataframe for c in displayed_frame(d).columns}
    assert {"Product id", "Product", "Net revenue", "Month"} <= headers, headers


def test_missing_field_message_in_chinese(_isolated_home, zh_lines):
    lines = zh_lines.drop(columns=[S.CUSTOMER_ID])
    store = Store.open(_isolated_home)
    try:
        info = store.save_dataset("无客户", lines, source="generated")
    finally:
        store.close()
    at = run_page("segments.py", dataset_id=info.id, lang="zh", timeout=120)
    assert not at.exception, at.exception
    [msg] = [i.value for i in at.info]
    assert msg.startswith("此数据集缺少客户分群所需的“客户 ID”列。"), msg
    assert "客户分群（RFM）" in msg and "请在“数据”页面重新上传" in msg
    assert english_left(at) == [], english_left(at)


def _figure_page():
    import plotly.graph_objects as go
    import streamlit as st

    from ecomdash.i18n import _
    from ecomdash.ui import lang
    from ecomdash.ui.figcache import cached_figure

    lang.resolve()

    def build(n):
        return go.Figure(go.Bar(x=[1, 2], y=[n, n]), layout={"title": {"text": _("Overview")}})

    st.plotly_chart(cached_figure(build, 3, key=("same", "key")))


def test_figure_cache_never_serves_an_english_figure_to_a_chinese_run():
    """The same figure (same builder, same key) built in English, then asked for in Chinese:
    the cache is keyed by language, so the Chinese run gets Chinese titles."""
    import json

    titles = {}
    for lang in ("en", "zh"):
        at = AppTest.from_function(_figure_page, default_timeout=30)
        at.query_params["lang"] = lang
        at.run()
        assert not at.exception, at.exception
        spec = json.loads(at.get("plotly_chart")[0].proto.spec)
        titles[lang] = spec["layout"]["title"]["text"]
    assert titles == {"en": "Overview", "zh": "概览"}


def test_sidebar_report_download_is_written_in_the_page_language(zh_dataset, monkeypatch):
    """The download is built on Streamlit's own thread (the default language there is
    English): the page's language is passed in, so a Chinese page downloads a Chinese report."""
    import threading

    from ecomdash.report import SECTIONS
    from ecomdash.ui import report as report_ui

    fast = tuple(s for s in SECTIONS if s.key in ("kpis", "top_products"))
    monkeypatch.setattr(report_ui, "_sections", lambda: fast)
    key = ("local", zh_dataset.id, zh_dataset.version, Filters().as_key())
    out = {}
    for lang in ("zh", "en"):
        t = threading.Thread(
            target=lambda lang=lang: out.update({lang: report_ui.report_bytes(key, lang)})
        )
        t.start()
        t.join()
    zh, en = out["zh"].decode("utf-8"), out["en"].decode("utf-8")
    assert '<html lang="zh-CN">' in zh and ">核心指标<" in zh and ">热销商品<" in zh
    assert '<html lang="en">' in en and ">Headline figures<" in en and "核心指标" not in en


def test_language_goes_back_into_the_url_after_a_page_switch(zh_dataset):
    """A page switch drops the query string: the sidebar writes the session's language back,
    so the address of a Chinese page opens in Chinese when shared; English stays clean."""
    at = AppTest.from_function(_sidebar_page, default_timeout=120)
    at.session_state["dataset_id"] = zh_dataset.id
    at.session_state["ui_lang"] = "zh"  # chosen earlier in the session; no ?lang= now
    at.run()
    assert not at.exception, at.exception
    assert at.query_params["lang"] in (["zh"], "zh")
    at = AppTest.from_function(_sidebar_page, default_timeout=120)
    at.session_state["dataset_id"] = zh_dataset.id
    at.run()
    assert "lang" not in at.query_params


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_sidebar_dates_never_break_in_two(zh_dataset, _isolated_home, lang):
    """The sidebar's "Data from … to …" broke its last date over two lines in Chromium at
    1280 px ("… to 9" | "December 2010", "…至2010年12" | "月9日"): each date is now held on
    one line (no-break spaces; a word joiner beside each Chinese character), the range still
    breaking between the two dates."""
    from ecomdash.i18n import use_lang
    from ecomdash.i18n.fmt import long_date
    from ecomdash.text_width import is_wide

    at = AppTest.from_function(_sidebar_page, default_timeout=120)
    at.session_state["dataset_id"] = zh_dataset.id
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception, at.exception
    lo, hi = _date_range(_isolated_home, zh_dataset.id)
    [said] = [c.value for c in at.sidebar.caption if c.value.startswith(("Data from", "数据范围"))]
    with use_lang(lang):
        dates = [long_date(lo), long_date(hi)]
    for d in dates:
        # where a line may break inside the date, the caption holds it together
        held = d[0]
        for a, b in zip(d, d[1:], strict=False):
            if b == " ":
                continue
            held += ("\u00a0" if a == " " else "") + ("\u2060" if is_wide(a) or is_wide(b) else "")
            held += b
        assert held in said, (d, said)
    # and only there: without the joiners and no-break spaces it reads as before
    plain = said.replace("\u2060", "").replace("\u00a0", " ")
    with use_lang(lang):
        from ecomdash.i18n import _

        assert plain == _("Data from {first} to {last}", first=dates[0], last=dates[1])
