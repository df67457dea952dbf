"""A Chinese merchant uploads summed sales (weekly sales per store × department, as a Walmart
export has them) in a real browser: the Data page reads and saves it, and the Forecast page
opens on "全部序列" (every series), runs it, and names the department-less rows' series
（无）, in the table, the picker and the chart, never the store's SQL "(none)"; the table fits a
1280 px window."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import assert_fits, open_app, screenshot, table_widths, wait_for_app_run
from tests.e2e.test_zh_walk import _nav, shown_text, zh_page, zh_url  # noqa: F401
from tests.summed_fixtures import to_csv_bytes, walmart_like


def test_summed_sales_upload_and_every_series_in_chinese(zh_page, zh_url, tmp_path):  # noqa: F811
    page = zh_page
    page.set_default_timeout(240_000)
    df = walmart_like(stores=2, depts=3, weeks=80, seed=4)
    df["Dept"] = df["Dept"].astype(object)
    df.loc[df["Dept"] == df["Dept"].iloc[0], "Dept"] = None  # one department's rows
    csv = tmp_path / "门店周销售.csv"
    csv.write_bytes(to_csv_bytes(df))

    # the first start creates the Chinese demo: over open_app's 90 s on a loaded machine
    open_app(page, zh_url + "/?lang=zh", timeout=240_000)
    _nav(page, "数据")
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(csv))
    wait_for_app_run(page, timeout=240_000)
    # the report's heading, not "该数据集的清洗报告" in the hidden datasets tab (matched first)
    expect(page.get_by_text("清洗报告", exact=True).first).to_be_visible(timeout=60_000)
    page.get_by_test_id("stTextInput").filter(has_text="新数据集名称").locator("input").fill(
        "门店周销售"
    )
    page.get_by_test_id("stFormSubmitButton").filter(has_text="保存").locator("button").click()
    wait_for_app_run(page, timeout=240_000)
    expect(page.get_by_text("为新数据集").first).to_be_visible(timeout=60_000)

    _nav(page, "预测与补货")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("tab", name="全部序列", exact=True)).to_be_visible()
    main.get_by_role("button", name="运行", exact=True).first.click()
    wait_for_app_run(page, timeout=240_000)
    expect(main.get_by_test_id("stPlotlyChart").first).to_be_visible(timeout=120_000)
    page.wait_for_timeout(1500)  # the chart's title is drawn after the frame
    text = shown_text(page, main)
    assert page.get_by_test_id("stException").count() == 0
    # two series have no department: store 1 × （无） and store 2 × （无）, in the table
    # (a canvas: its text is not in the DOM), the picker, and the chart's title
    picker = main.get_by_test_id("stSelectbox").filter(has_text="查看单个序列")
    picker.scroll_into_view_if_needed()
    picker.click()
    options = page.get_by_role("option").all_inner_texts()
    page.keyboard.press("Escape")
    assert sum("（无）" in o for o in options) == 2, options
    assert not any("(none)" in o for o in options), options
    assert "(none)" not in text
    screenshot(page, "zh-forecast-every-series")
    # the table within the page at 1280 px (1,097 px of content in its 818 with ten columns)
    assert_fits(table_widths(page, shot="zh-every-series-1280"))
    assert page.watch.errors == [], page.watch.errors
