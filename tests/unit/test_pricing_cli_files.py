"""``ecomdash pricing --events FILE`` with the file a merchant keeps: an Excel workbook, and
rows that cannot be used named (not only counted) in the refusal, in English and Chinese."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from ecomdash.cli import main
from ecomdash.store import Store
from tests.unit.test_pricing_cli import _two_mugs_lines
from tests.unit.test_small_files_xlsx import xlsx_bytes

NB = "\u00a0"


def _mugs(home) -> str:
    store = Store.open(home)
    ds = store.save_dataset("mugs", _two_mugs_lines()).id
    store.close()
    return ds


@pytest.mark.parametrize("name", ["促销.xlsx", "promotions.csv"], ids=["xlsx", "named-csv"])
def test_pricing_events_from_an_excel_workbook_are_measured(name, _isolated_home, tmp_path, capsys):
    """The workbook was read as text and refused ("could not be read as a CSV table"),
    whatever its name; now its first sheet is read (known by its bytes, so a workbook named
    .csv too), and Blue Mug's (A) promotion measured. By hand (tests/unit/test_pricing_cli.py
    _two_mugs_lines): 5 units a store order in the 8 weeks before, 20 / 2 in each promotion
    week, so lift 10 / 5 = 2; 7 / 2 after: dip 3.5 / 5 - 1 = -30 %; net revenue
    (40 - 5 · 4) · 5 + (14 - 5 · 4) · 5 = 70."""
    ds = _mugs(_isolated_home)
    sheet = tmp_path / name
    sheet.write_bytes(
        xlsx_bytes(
            (
                "Sheet",
                [
                    ["商品编码", "开始日期", "结束日期"],
                    ["A", dt.date(2024, 3, 11), dt.date(2024, 3, 24)],
                ],
            )
        )
    )
    assert main(["pricing", "--dataset", ds, "--events", str(sheet), "--json"]) == 0
    (promo,) = json.loads(capsys.readouterr().out)["promotions"]
    assert promo["product_id"] == "A" and promo["start"].startswith("2024-03-11")
    assert promo["lift"] == pytest.approx(2.0) and promo["dip"] == pytest.approx(-0.3)
    assert promo["net_revenue"] == pytest.approx(70.0)


#: a file with one good row, one with days but no product, one ending before it starts and
#: one without a last day
BAD_ROWS = (
    "SKU,From,To\n"
    "A,2024-03-11,2024-03-24\n"
    ",2024-04-01,2024-04-07\n"
    "B,2024-02-10,2024-02-01\n"
    "C,2024-03-01,\n"
    ",,\n"
)


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        (
            "en",
            "ecomdash: 1 promotion row in the events file has no product id: 1 April 2024 – 7 "
            "April 2024. Fill in the product id, or delete the row, and run the command again. "
            "2 promotion rows in the events file cannot be used: B (last day 1 February 2024 "
            "before the first, 10 February 2024), C (no last day). Fill in their first and "
            "last days as YYYY-MM-DD, the last on or after the first, and run the command "
            "again.\n",
        ),
        (
            "zh",
            f"ecomdash：促销活动文件中有{NB}1{NB}条促销记录缺少商品编码：2024年4月1日至2024年4月7日。"
            "请填写商品编码，或删除该行，然后重新运行命令。"
            f"促销活动文件中有{NB}2{NB}条促销记录无法使用：B（结束日2024年2月1日早于开始日"
            "2024年2月10日）、C（缺少结束日）。请按 YYYY-MM-DD 填写开始日和结束日，结束日不早于"
            "开始日，然后重新运行命令。\n",
        ),
    ],
)
def test_pricing_events_rows_that_cannot_be_used_are_named(
    lang, said, _isolated_home, tmp_path, cli_refusal
):
    """The row without a product was dropped without a word and the other two only counted
    ("2 promotion events have a missing date or end before they start"); now the command
    still refuses the file (exit 2) and names each row as the Pricing page does, with what
    to do; the file's blank last line is no row."""
    ds = _mugs(_isolated_home)
    sheet = tmp_path / "events.csv"
    sheet.write_text(BAD_ROWS, encoding="utf-8")
    argv = ["pricing", "--dataset", ds, "--events", str(sheet), "--lang", lang]
    assert cli_refusal(argv) == said
