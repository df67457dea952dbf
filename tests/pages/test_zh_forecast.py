"""The Forecast & restock page in Chinese on the Chinese demo merchant (issue 16): the form,
Run, every tab (forecast, many products, restock planner with Plan), the Chinese calendar
section naming the festivals in Chinese, the verdict's figures equal to the English run's;
and the summed-sales "every series" tab in Chinese."""

from __future__ import annotations

import json
import re

import pytest

from ecomdash import calendar_cn as CN
from ecomdash import labels as L
from ecomdash.i18n import use_lang
from ecomdash.ingest import load_bytes
from ecomdash.store import Store
from tests.pages.conftest import run_page
from tests.pages.downloads import record_downloads
from tests.pages.zh_areas import english_left_here
from tests.summed_fixtures import to_csv_bytes, walmart_like

NUM = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")
#: the Chinese names the calendar section must show (written here, not read from the code)
FESTIVALS_ZH = {
    "元旦",
    "春节",
    "清明节",
    "劳动节",
    "端午节",
    "中秋节",
    "国庆节",
    "双十一",
    "双十二",
    "年货节",
}


@pytest.fixture
def zh_dataset(zh_store):
    return zh_store("演示商户")


def _data_values(lines) -> set[str]:
    cols = ("product_name", "product_id", "category", "country")
    return {str(v) for c in cols if c in lines for v in lines[c].dropna().unique()}


def _buttons(at, label):
    return [b for b in at.button if b.label == label]


def test_forecast_page_in_chinese_through_every_tab(zh_dataset, zh_lines, monkeypatch):
    data = _data_values(zh_lines)
    downloads = record_downloads(monkeypatch)
    # AppTest formats a widget's value with its format_func in the test's thread: Chinese
    with use_lang("zh"):
        at = run_page("forecast.py", dataset_id=zh_dataset.id, lang="zh", timeout=300)
        assert not at.exception, at.exception
        assert at.title[0].value == "预测与补货"
        tabs = [t.label for t in at.tabs]
        assert {"预测", "多商品预测", "补货计划", "预测表", "各模型回测"} <= set(tabs)
        assert L.label("series") in tabs  # the column catalogue's word (the frame's)
        cal = next(m for m in at.multiselect if m.label.startswith("中国日历"))
        assert FESTIVALS_ZH <= set(cal.options)  # the festivals by their Chinese names
        assert list(cal.value) == list(CN.FEATURES)
        total = next(m for m in at.metric if m.label == "预测期合计")
        assert total.help == "未来\u00a014\u00a0天预测值之和。"  # days, not "期" (periods)
        # the calendar section: what it gained, and the days ahead named in Chinese
        assert any("中国日历" in t.value and "回测 MAE" in t.value for t in at.text)
        expander = next(e for e in at.expander if e.label.startswith("未来的中国日历特殊日"))
        tables = [d.value for d in expander.dataframe]
        official = {
            json.loads(d.proto.columns)["official"]["label"]
            for d in expander.dataframe
            if "official" in d.value.columns
        }
        assert official == {"放假安排已公布"}  # both tables; not 官方安排 beside 双十二
        names = {str(v) for t in tables for c in t.columns for v in t[c] if isinstance(v, str)}
        assert {"元旦", "春节", "国庆节"} <= names
        assert not any("Spring Festival" in n or "National Day" in n for n in names)
        csv = downloads.frame("chinese-holidays")  # the holiday's rule is in the CSV
        assert "农历正月初一" in set(csv["lunar_date"])
        assert {"年份", "节日当天", "节日日期规则", "调休补班日"} <= set(
            downloads.headers("chinese-holidays")
        )
        assert not csv["lunar_date"].str.contains("lunar month").any()
        # 2026's Spring Festival make-up working days, Saturdays 14 and 28 February (State
        # Council schedule), written as the table's date columns write a date, with 周六
        hol = next(t for t in tables if "makeup_workdays" in t.columns)
        spring = hol[(hol["name"] == "春节") & (hol["break_start"].astype(str) < "2027")]
        assert spring["makeup_workdays"].tolist() == ["2026年02月14日周六、2026年02月28日周六"]
        assert english_left_here(at, data_values=data) == []
        # weekly, ignoring returns, only Double 11: Run; then the other two forms
        at.selectbox(key="fc_metric").set_value("orders")
        next(s for s in at.selectbox if s.label == "时间粒度").set_value("W")
        next(r for r in at.radio if r.label == "退货").set_value("exclude")
        at.multiselect(key="fc_calendar").set_value(["double_11"])
        _buttons(at, "运行")[0].click().run()
        assert not at.exception, at.exception
        assert any(m.label == "回测 MASE" for m in at.metric)
        assert english_left_here(at, data_values=data) == []
        at.selectbox(key="many_metric").set_value("revenue")
        _buttons(at, "运行")[1].click().run()
        assert not at.exception, at.exception
        # a count, not 热销商品 ("Top products": best sellers)
        assert at.number_input(key="restock_top").label == "按销售额排名的前 N 个商品"
        at.number_input(key="restock_top").set_value(30)
        _buttons(at, "生成计划")[0].click().run()
        assert not at.exception, at.exception
        assert next(m for m in at.metric if m.label == "已计划的商品").value == "30"
        assert any("未提供库存" in i.value for i in at.info)
        assert english_left_here(at, data_values=data) == []
        # the plan's figures say their unit (件) and how they are worked out, in Chinese
        element = next(d for d in at.dataframe if "reorder_point" in d.value.columns)
        config = json.loads(element.proto.columns)
        assert config["reorder_point"]["label"] == "再订货点（件）"
        # safety stock and the forecast error are in the plan's CSV (named under the table)
        csv = downloads.table("restock-plan")
        headers = dict(zip(csv.columns, downloads.headers("restock-plan"), strict=True))
        assert headers["safety_stock"] == "安全库存（件）"
        assert headers["error_sd_daily"] == "每日预测误差（件）"  # was 每日误差离散度
        assert config["reorder_point"]["help"] == (
            "现有库存降到这个数或更低时就该补货：交货周期内预计销量 + 安全库存，两者都向上取整"
            "到整件（表中的数字正好相加，比较的也就是这些数字）。"
        )
        safety_help = L.column("safety_stock", "forecast").help  # the column's help, in Chinese
        assert "向上取整到整件" in safety_help
        assert "服务水平\u00a095% 时 z 为\u00a01.64" in safety_help
        lead = next(n for n in at.number_input if n.label == "交货周期（天）")
        assert lead.help == "从向供应商下单到这批货可以销售所需的天数。"
        # a stock file's id the plan has no row for is counted and named, in Chinese
        data = "商品编码,库存\nNOPE-1,1\n".encode("gbk")
        at.file_uploader(key="stock_file").set_value(("库存.csv", data, "text/csv")).run()
        assert not at.exception, at.exception
        said = [re.sub(r"\\(.)", r"\1", w.value) for w in at.warning if "库存文件" in w.value]
        assert said == [
            "库存文件中有\u00a01\u00a0个商品在所规划的数据（其期间和筛选条件）中没有销售：NOPE-1——如果它有"
            "销售，请检查编码是否与销售数据的商品编码一致。"
        ]


def test_verdict_carries_the_same_figures_in_both_languages(zh_dataset):
    en = run_page("forecast.py", dataset_id=zh_dataset.id, lang="en", timeout=300)
    with use_lang("zh"):
        zh = run_page("forecast.py", dataset_id=zh_dataset.id, lang="zh", timeout=300)
    assert not en.exception and not zh.exception
    en_v = [s.value for s in en.success] + [w.value for w in en.warning]
    zh_v = [s.value for s in zh.success] + [w.value for w in zh.warning]
    assert len(en_v) == len(zh_v) == 1
    assert "in the backtest" in en_v[0] and "回测中" in zh_v[0]
    assert NUM.findall(en_v[0].split(" is ")[-1]) == NUM.findall(zh_v[0].split("，")[-1])
    # the per-model sentences too, model by model
    en_t = [t.value for t in en.text if "in the backtest" in t.value]
    zh_t = [t.value for t in zh.text if t.value.startswith("回测中，")]
    assert len(en_t) == len(zh_t) >= 4
    # the model's name runs into the Chinese sentence, no space as after a Latin word
    # ("回测中，季节性均值比重复上一周期", was "季节性均值 比重复")
    assert not any(" 比重复" in z for z in zh_t + zh_v), zh_t + zh_v
    for e, z in zip(en_t, zh_t, strict=True):
        assert NUM.findall(e)[-1] == NUM.findall(z)[-1], (e, z)


def test_every_series_tab_in_chinese(_isolated_home):
    df = walmart_like(stores=2, depts=3, weeks=120, seed=6)
    res = load_bytes(to_csv_bytes(df), "walmart.csv")
    store = Store.open(_isolated_home)
    try:
        info = store.save_dataset(
            "walmart", res.lines, report=res.report, mapping=res.mapping.as_dict()
        )
    finally:
        store.close()
    with use_lang("zh"):
        at = run_page("forecast.py", dataset_id=info.id, lang="zh", timeout=300)
        assert not at.exception, at.exception
        assert at.tabs[0].label == "全部序列"
        assert any("选择分组后点击“运行”" in i.value for i in at.info)
        at.button(key="fg_run").click().run()
        assert not at.exception, at.exception
        n = df.groupby(["Store", "Dept"]).ngroups
        assert next(m for m in at.metric if m.label == L.label("series")).value == f"{n:,}"
        series = {str(v) for d in at.dataframe for v in d.value.get("series", [])}
        left = english_left_here(at, data_values=series)
    # the other tabs run on summed sales too; only "every series" is checked here
    assert left == [], left
