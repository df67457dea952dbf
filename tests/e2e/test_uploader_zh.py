"""The Data page's file uploader as a Chinese merchant meets it in a real browser: Streamlit's
own words (the "Upload" button, the "200MB per file • CSV, …" line, "Drag and drop files
here" while a file is dragged over it, a refused file's reason) are drawn in Chinese by
``ecomdash.ui.uploader``'s style sheet, the English ones are not shown, and a file still
uploads. In English the limit line is the catalogue's too (the page checks 200 MB for the
whole upload, not per file); the rest is Streamlit's own.

The style sheet finds Streamlit's text by the front end's ``data-testid`` attributes. After a
Streamlit upgrade that renames one of them, or moves the text, these tests fail and say which:
find the new id in the browser (the uploader's outerHTML) and update ``ecomdash/ui/uploader.py``.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    browser_page,
    cut_metric_labels,
    open_app,
    screenshot,
    start_server,
    stop_server,
    wait_for_app_run,
)
from tests.e2e.test_pages import assert_clean

# What the merchant reads, written by hand from frame.po (NBSP between figure and unit).
ZH_BUTTON = "上传"
ZH_LIMIT = "CSV、TSV、TXT、XLSX、PARQUET、GZ、ZIP · 合计不超过\u00a0200\u00a0MB"
ZH_DRAG = "将文件拖放到这里"
ZH_REFUSED = "无法上传此文件：请对照上传框里的说明检查文件类型和大小，然后重试。"
EN_LINE = "CSV, TSV, TXT, XLSX, PARQUET, GZ, ZIP · up to 200 MB in all"  # frame.po's msgid
# What Streamlit 1.67 writes by itself (the uploader's max_upload_size, 200 MB).
EN_LIMIT = "200MB per file • CSV, TSV, TXT, XLSX, PARQUET, GZ, ZIP"

SHOP_CSV = (
    "Name,Created at,Email,Lineitem sku,Lineitem name,Lineitem quantity,Lineitem price,"
    "Shipping Country\n"
    "#1001,2024-03-01 10:00:00 +0000,a@x.com,SKU-1,Blue mug,2,12.50,DE\n"
    "#1001,2024-03-01 10:00:00 +0000,a@x.com,SKU-2,Green tea,1,8.00,DE\n"
    "#1002,2024-03-02 11:30:00 +0000,b@x.com,SKU-1,Blue mug,1,12.50,FR\n"
    "#1003,2024-03-05 09:15:00 +0000,a@x.com,SKU-3,Teapot,1,40.00,DE\n"
)


@pytest.fixture(scope="module")
def own_url(tmp_path_factory):
    """A server of this module's own: ``?lang=zh`` on a first start creates the Chinese demo,
    which the shared server's English tests must not meet."""
    home = tmp_path_factory.mktemp("upzh_home")
    proc, url = start_server(home, tmp_path_factory.mktemp("st_upzh") / "server.log")
    yield url
    stop_server(proc)


@pytest.fixture
def own_page(browser, own_url):
    with browser_page(browser, own_url) as pg:
        yield pg


def _data_page(page, url: str, lang: str, nav: str):
    page.set_default_timeout(120_000)
    open_app(page, f"{url}/?lang={lang}", timeout=240_000)
    page.get_by_test_id("stSidebarNavLink").filter(has_text=nav).first.click()
    wait_for_app_run(page, timeout=240_000)
    box = page.locator(".st-key-uploader")
    expect(box, "the Data page's uploader (key 'uploader') is not drawn").to_have_count(1)
    # drawn in full (the run can end before the browser has drawn the widget's insides)
    expect(
        box.locator("[data-testid='stFileUploaderDropzone']"),
        "no [data-testid=stFileUploaderDropzone] in the uploader: ecomdash/ui/uploader.py's "
        "style sheet finds Streamlit's text by it; find the new id and update it",
    ).to_have_count(1, timeout=30_000)
    return box


def _one(box, testid: str, within: str = ""):
    """The one element ``[data-testid=testid]`` under ``box``; fails naming the id when
    Streamlit no longer draws it (an upgrade renamed it)."""
    el = box.locator(f"{within} [data-testid='{testid}']".strip())
    assert el.count() == 1, (
        f"Streamlit's uploader has {el.count()} elements [data-testid={testid!r}] "
        f"{'under ' + within if within else ''} (1 expected): ecomdash/ui/uploader.py's "
        "style sheet finds Streamlit's text by it; find the new id and update it"
    )
    return el


#: the drawn width of an element's own text (its first text node), in px
TEXT_WIDTH = (
    "e => { const r = document.createRange(); r.selectNodeContents(e.firstChild);"
    " return r.getBoundingClientRect().width; }"
)


def _after(el, *, wait_ms: int = 10_000) -> str:
    """``el``'s ``::after`` content, waited for up to ``wait_ms``: the style-only element is
    drawn in the same run as the uploader, but the browser can report the uploader first
    (seen under load: ``none`` at once, the text a moment later)."""
    content = el.evaluate("e => getComputedStyle(e, '::after').content")
    for _ in range(wait_ms // 250):
        if content not in ("none", "normal"):
            break
        el.page.wait_for_timeout(250)
        content = el.evaluate("e => getComputedStyle(e, '::after').content")
    return content


def _drag_over(page):
    """Drag a file over the drop zone (react-dropzone shows its overlay on dragenter)."""
    dt = page.evaluate_handle(
        "() => { const d = new DataTransfer();"
        " d.items.add(new File(['a,b'], 'a.csv', {type: 'text/csv'})); return d; }"
    )
    zone = page.locator(".st-key-uploader [data-testid='stFileUploaderDropzone']")
    zone.dispatch_event("dragenter", {"dataTransfer": dt})
    return zone, dt


def test_data_page_uploader_in_chinese(own_page, own_url, tmp_path):
    page = own_page
    box = _data_page(page, own_url, "zh", "数据")
    zone = _one(box, "stFileUploaderDropzone")
    label = _one(zone, "stMarkdownContainer", "[data-testid='stBaseButton-secondary']")
    note = _one(zone, "stFileUploaderDropzoneInstructions")

    # the button and the limit line say it in Chinese, the real limit (the upload's total is
    # checked against 200 MB) and the types the uploader takes
    assert _after(label) == f'"{ZH_BUTTON}"'
    assert _after(note) == f'"{ZH_LIMIT}"'
    assert note.bounding_box()["width"] > 200  # the Chinese line takes room: it is drawn
    # Streamlit's English is there but not shown
    expect(label.locator("p")).to_have_text("Upload")
    expect(label.locator("p")).to_be_hidden()
    expect(note.get_by_text(EN_LIMIT)).to_be_hidden()
    assert "Upload" not in box.inner_text() and "per file" not in box.inner_text()
    screenshot(page, "data-uploader-zh")

    # a file dragged over the box
    zone_el, dt = _drag_over(page)
    overlay = zone_el.locator("> div:not([data-testid]) > span:only-child")
    expect(overlay, "the drag overlay (a div holding one span) is not drawn").to_have_count(1)
    expect(overlay).to_have_text("Drag and drop files here")  # Streamlit's, hidden
    expect(overlay).to_be_hidden()
    assert _after(overlay) == f'"{ZH_DRAG}"'
    screenshot(page, "data-uploader-zh-drag")
    zone_el.dispatch_event("dragleave", {"dataTransfer": dt})
    expect(overlay).to_have_count(0)

    # a file of a type the uploader does not take: its reason, on hover, in Chinese
    pdf = tmp_path / "invoice.pdf"
    pdf.write_bytes(b"%PDF-1.4\n")
    _one(box, "stFileUploaderDropzoneInput").set_input_files(str(pdf))
    chip = _one(box, "stFileChip", "[data-testid='stTooltipErrorHoverTarget']")
    chip.hover()
    reason = page.get_by_test_id("stTooltipErrorContent")
    expect(reason, "the refused file's tooltip is not drawn on hover").to_have_count(1)
    expect(reason).to_have_text("application/pdf files are not allowed.")  # Streamlit's
    # drawn at size 0 (its box keeps the tooltip's colours for the Chinese after it)
    assert reason.evaluate(TEXT_WIDTH) == 0
    assert _after(reason) == f'"{ZH_REFUSED}"'
    screenshot(page, "data-uploader-zh-refused")
    _one(box, "stFileChipDeleteBtn").locator("button").click()
    expect(box.get_by_test_id("stFileChip")).to_have_count(0)
    page.mouse.move(0, 0)

    # the uploader still uploads: an order export is read and its cleaning report shown
    csv = tmp_path / "shop-export.csv"
    csv.write_text(SHOP_CSV, encoding="utf-8")
    _one(box, "stFileUploaderDropzoneInput").set_input_files(str(csv))
    wait_for_app_run(page, timeout=240_000)
    expect(page.get_by_text("清洗报告").first).to_be_visible()
    expect(box.get_by_test_id("stFileChipName")).to_have_text("shop-export.csv")
    screenshot(page, "data-uploader-zh-uploaded")
    # the cleaning report's four tiles, none cut at a laptop's width (was 后被退货抵消的销…)
    assert cut_metric_labels(page, 1280) == []
    assert_clean(page)


def test_data_page_uploader_in_english_says_the_limit_the_page_checks(own_page, own_url):
    page = own_page
    box = _data_page(page, own_url, "en", "Data")
    zone = _one(box, "stFileUploaderDropzone")
    label = _one(zone, "stMarkdownContainer", "[data-testid='stBaseButton-secondary']")
    note = _one(zone, "stFileUploaderDropzoneInstructions")
    # the limit line is the catalogue's: the whole upload is checked against 200 MB
    assert _after(note) == f'"{EN_LINE}"'
    assert note.bounding_box()["width"] > 200  # drawn
    # Streamlit's "200MB per file" is there but not shown
    expect(note.get_by_text(EN_LIMIT)).to_be_hidden()
    assert "per file" not in box.inner_text()
    # the button is Streamlit's own English, shown
    assert _after(label, wait_ms=0) == "none"
    expect(label.locator("p")).to_have_text("Upload")
    expect(label.locator("p")).to_be_visible()
    screenshot(page, "data-uploader-en")
    assert_clean(page)
