"""Data page (AppTest): a recognised marketplace layout's note starts its caption with a
capital in English ("One line per sub-order …"), as its English text always did; tr_note
rebuilt it from the msgid and showed "one line per sub-order …" (ecomdash.i18n.case)."""

from __future__ import annotations

from tests.pages.test_data_page_cn_platforms import _page, _upload


def test_a_layouts_note_starts_with_a_capital_on_the_data_page(_isolated_home):
    at = _upload(_page(), ["douyin_orders.csv"])
    captions = [c.value.replace("\\", "") for c in at.caption]  # inert() escapes - ( )
    said = [c for c in captions if "line per sub-order" in c]
    assert said == [
        "One line per sub-order (子订单): revenue = 订单应付金额; the export names no buyer id, "
        "so customer analyses are not available."
    ], captions
