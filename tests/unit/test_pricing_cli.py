"""``ecomdash pricing`` on the demo merchant and on an export without price variation."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from ecomdash.cli import main
from ecomdash.store import Store


def test_pricing_json_contract(demo_id, demo, capsys):
    rc = main(
        [
            "pricing",
            "--dataset",
            demo_id,
            "--product",
            "TOY-278",
            "--change",
            "-5",
            "--margin",
            "40",
            "--cutoff",
            "2026-05-04",
            "--json",
        ]
    )
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert {"products", "promotions", "validation", "whatif"} <= set(out)
    (p,) = out["products"]
    assert p["product_id"] == "TOY-278"
    keys = {"elasticity", "ci_low", "ci_high", "n_price_levels", "weeks", "status", "reason"}
    assert keys <= set(p)
    assert p["ci_low"] <= demo.truth.elasticity["TOY-278"] <= p["ci_high"]
    v = out["validation"]
    assert v["cutoff"] == "2026-05-04"
    assert v["model_mae"] > 0 and v["baseline_mae"] > 0 and len(v["products"]) == v["n_products"]
    assert {x["product_id"] for x in out["promotions"]} == set(demo.truth.promotions["product_id"])
    w = out["whatif"]["products"][0]
    assert w["new_price"] == pytest.approx(w["current_price"] * 0.95)
    assert w["profit"] is not None


def test_pricing_text_counts_the_check_against_the_products_with_their_own_elasticity(
    demo_id, capsys
):
    """The human lines say which products the held-out check covers as the page and the
    report do: of those with their own elasticity (it said "over 25 products", which read as
    every product with an elasticity, 218 on the demo)."""
    assert main(["pricing", "--dataset", demo_id]) == 0
    out = capsys.readouterr().out
    held = [line for line in out.splitlines() if line.startswith("Held-out check")]
    assert len(held) == 1 and " on all 25 products with their own elasticity, " in held[0], held


def test_pricing_on_an_export_with_one_price_says_why(_isolated_home, capsys):
    weeks = pd.date_range("2024-01-01", periods=30, freq="7D")
    lines = pd.DataFrame(
        {
            "order_id": [str(i) for i in range(30)],
            "order_date": weeks,
            "product_id": "A",
            "quantity": 2.0,
            "unit_price": 5.0,
            "revenue": 10.0,
            "is_return": False,
            "is_non_product": False,
            "is_cancelled": False,
        }
    )
    store = Store.open(_isolated_home)
    ds = store.save_dataset("flat", lines).id
    store.close()
    assert main(["pricing", "--dataset", ds, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    (p,) = out["products"]
    # 30: every line is on a Monday (the other weekdays, 30 of each, never have one: the
    # shop sells on Mondays, or the export dates each week by its Monday), so the last week's
    # Monday is all of that week (store_queries.closed_weekdays; it was left out as a part week)
    assert p["elasticity"] is None and p["reason"] == "one price in all 30 weeks"
    assert out["validation"]["n_products"] == 0
    # a what-if on it is refused with the reason, not a traceback
    assert main(["pricing", "--dataset", ds, "--product", "A", "--change", "5"]) == 2
    assert "one price in all 30 weeks" in capsys.readouterr().err


def test_pricing_what_if_without_a_margin_names_the_cli_flag(demo_id, capsys):
    args = ["pricing", "--dataset", demo_id, "--product", "TOY-278", "--change", "-5"]
    assert main(args) == 0
    text = capsys.readouterr().out
    needs = (
        "Profit needs a cost: pass --margin (a % of the current price). Until then the best "
        "price shown maximises revenue."
    )
    assert f"note: {needs}" in text.splitlines()
    assert main([*args, "--json"]) == 0
    assert needs in json.loads(capsys.readouterr().out)["whatif"]["warnings"]


def test_pricing_text_names_products_as_the_pages_do(demo_id, demo, capsys):
    """Products in the text output read "name (id)" (labels.product_label), in the elasticity
    table, the promotions and the what-if; a Chinese name keeps the table's columns aligned."""
    from ecomdash.cli.pricing import _cells

    names = demo.lines.drop_duplicates("product_id").set_index("product_id")["product_name"]
    toy = f"{names['TOY-278']} (TOY-278)"
    assert main(["pricing", "--dataset", demo_id, "--product", "TOY-278", "--change", "-5"]) == 0
    lines = capsys.readouterr().out.splitlines()
    # one product asked for, estimated from its own prices: counted in the singular
    assert lines[0] == (
        "Price elasticity: 1 product from its own price history, 0 from their category, 0 "
        "without an estimate."
    )
    header = next(i for i, x in enumerate(lines) if x.startswith("product "))
    row = lines[header + 1]
    end = lines[header].index("elasticity") + len("elasticity")  # right-aligned under it
    assert row.startswith(f"{toy} ") and row[end] == " " and float(row[len(toy) : end]) < 0
    assert any(x.startswith(f"  {toy}: ") for x in lines)  # the what-if
    promos = [x for x in lines if " off: lift " in x]
    assert len(promos) == len(demo.truth.promotions) == 4
    for pid in demo.truth.promotions["product_id"]:
        assert sum(x.startswith(f"  {names[pid]} ({pid}) ") for x in promos) == 1, pid
    # their dates as a sentence writes them: "… (GAR-117) 1 June 2025 – 14 June 2025, 25 % off"
    date = r"\d{1,2} [A-Z][a-z]+ \d{4}"
    # (the discount as fmt.pct writes it: a no-break space before "%")
    assert all(re.search(rf"\) {date} – {date}, \d+\u00a0% off: lift ", x) for x in promos), promos
    assert _cells("陶土花盆 (GAR-117)") == 8 + 10 and _cells("Pot (GAR-117)") == 13


def test_pricing_reads_a_stock_files_ids_as_the_restock_planner_does(demo_id, tmp_path, capsys):
    """A stock file written 'toy-278' is TOY-278's stock for the markdowns, as the restock
    planner matches it (stock_file.match_stock), and the match is said; the ids used to be
    matched exactly, so the same file gave TOY-278 no stock here and stock in the planner."""

    def run(product_id: str) -> dict:
        path = tmp_path / f"stock-{product_id.strip()}.csv"
        path.write_text(f"product_id,units\n{product_id},5000\n")
        args = ["pricing", "--dataset", demo_id, "--stock", str(path), "--json"]
        assert main(args) == 0
        return json.loads(capsys.readouterr().out)

    exact, typed = run("TOY-278"), run(" toy-278")
    assert [m["product_id"] for m in exact["markdowns"]].count("TOY-278") == 1
    assert typed["markdowns"] == exact["markdowns"]
    said = [w for w in typed["warnings"] if "toy-278 → TOY-278" in w]
    assert len(said) == 1 and not any("→" in w for w in exact["warnings"])
    # an id the price panel has no product for is named, as the page and the planner do
    unknown = run("NOPE-1")
    assert [w for w in unknown["warnings"] if "stock file" in w] == [
        "1 product in your stock file has no sales in the weeks priced here (the period and "
        "filters): NOPE-1 — if it sells, check that the ids match the sales data's product "
        "codes."
    ]
    assert not any("weeks priced here" in w for w in exact["warnings"])


def _two_mugs_lines() -> pd.DataFrame:
    """24 Mondays of sales: "Blue Mug" (A) 10 a week at 5, 20 in the weeks of 11 and 18
    March 2024 (a promotion the prices do not show), 7 in the two after; "Red Bowl" (B) 4 a
    week at 9; each line its own order (2 store orders a week)."""
    weeks = pd.date_range("2024-01-01", periods=24, freq="7D")
    units = [10.0] * 10 + [20.0, 20.0] + [7.0, 7.0] + [10.0] * 10
    return pd.DataFrame(
        {
            "order_id": [f"a{i}" for i in range(24)] + [f"b{i}" for i in range(24)],
            "order_date": list(weeks) * 2,
            "product_id": ["A"] * 24 + ["B"] * 24,
            "product_name": ["Blue Mug"] * 24 + ["Red Bowl"] * 24,
            "quantity": units + [4.0] * 24,
            "unit_price": [5.0] * 24 + [9.0] * 24,
            "revenue": [u * 5.0 for u in units] + [36.0] * 24,
            "is_return": False,
            "is_non_product": False,
            "is_cancelled": False,
        }
    )


#: a Chinese merchant's sheet with only a name column (商品): two products by name, one of
#: them in 2030, and a name no product has
NAMES_SHEET = (
    "商品,开始日期,结束日期\n"
    "Blue Mug,2024-03-11,2024-03-24\n"
    "Red Bowl,2030-04-01,2030-04-07\n"
    "Green Jug,2024-04-01,2024-04-07\n"
)


def test_pricing_events_sheet_of_names_is_matched_and_what_is_not_is_said(
    _isolated_home, tmp_path, capsys
):
    """The sheet's 商品 column was read as ids: no promotion measured and one note, "name 3
    products without sales here" (which do sell). Now the names are matched (most rows name
    a product), said so, and the row naming nothing and the row outside the data's weeks are
    named with what to do, in English and in Chinese.

    By hand (Blue Mug): 8 weeks before at 10 units / 2 orders, so 5 a store order; 20 units /
    2 orders in each promotion week: lift 10 / 5 = 2; 7 / 2 after: dip 3.5 / 5 - 1 = -30 %;
    net revenue (40 - 5 · 4) · 5 + (14 - 5 · 4) · 5 = 100 - 30 = 70."""
    store = Store.open(_isolated_home)
    ds = store.save_dataset("mugs", _two_mugs_lines()).id
    store.close()
    sheet = tmp_path / "促销.csv"
    sheet.write_text(NAMES_SHEET, encoding="utf-8")
    assert main(["pricing", "--dataset", ds, "--events", str(sheet), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    (promo,) = out["promotions"]
    assert promo["product_id"] == "A" and promo["start"].startswith("2024-03-11")
    assert promo["lift"] == pytest.approx(2.0) and promo["dip"] == pytest.approx(-0.3)
    assert promo["net_revenue"] == pytest.approx(70.0)
    assert [w for w in out["warnings"] if "promotion event" in w] == [
        "2 promotion events give their products' names, not their ids; matched by name "
        "(Blue Mug → A, Red Bowl → B).",
        "1 promotion event matches no product in this data (Green Jug (1 April 2024 – 7 April "
        "2024)); ignored. Give the product's id (SKU) as your orders give it.",
        "1 promotion event falls outside the weeks the prices cover (1 January 2024 – 16 June "
        "2024, whole weeks from Monday): "
        "Red Bowl (1 April 2030 – 7 April 2030); ignored.",
    ]
    assert main(["pricing", "--dataset", ds, "--events", str(sheet), "--lang", "zh"]) == 0
    lines = capsys.readouterr().out.splitlines()
    for said in (
        "注：2\u00a0条促销记录填的是商品名称而不是商品编码，已按名称匹配（Blue Mug → A、Red Bowl → B）。",
        "注：1\u00a0条促销记录在此数据中找不到对应的商品（Green Jug（2024年4月1日至2024年4月7日）），"
        "已忽略。请填写订单里的商品编码（SKU）。",
        "注：1\u00a0条促销记录不在价格数据覆盖的周内（2024年1月1日至2024年6月16日，按周一开始的整周计）："
        "Red Bowl（2030年4月1日至2030年4月7日），已忽略。",
    ):
        assert said in lines, (said, lines)


def test_pricing_events_in_any_case_and_the_unmeasured_ones_said(_isolated_home, tmp_path, capsys):
    """An events file typing " a " for A and two rows for B in the data's first weeks.
    Before, " a " matched no product (ids were compared exactly; a stock file's are matched
    case and spaces aside) and B's rows, matched but not measurable, vanished unsaid. Now A's
    promotion is measured under the store's id (lift 2 by hand, as above) and B's rows are
    said, with why and what would help, in English (--json) and in Chinese.

    By hand: the week of 1 January is the data's first, with no week before it; before the
    week of 22 January come that first promotion's week and the 2 weeks after it, which are
    not regular weeks either: both have fewer than 3."""
    store = Store.open(_isolated_home)
    ds = store.save_dataset("mugs", _two_mugs_lines()).id
    store.close()
    sheet = tmp_path / "events.csv"
    sheet.write_text(
        "SKU,From,To\n a ,2024-03-11,2024-03-24\nB,2024-01-01,2024-01-07\nB,2024-01-22,2024-01-28\n"
    )
    assert main(["pricing", "--dataset", ds, "--events", str(sheet), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    (promo,) = out["promotions"]
    assert promo["product_id"] == "A" and promo["lift"] == pytest.approx(2.0)
    assert [w for w in out["warnings"] if "promotion event" in w] == [
        "2 promotion events could not be measured, as their products have fewer than 3 weeks "
        "at their usual price just before them to measure the lift against (they started "
        "selling, or had another promotion, just before): B (1 January 2024 – 7 January 2024), "
        "B (22 January 2024 – 28 January 2024). A period that starts earlier may give them."
    ]
    assert main(["pricing", "--dataset", ds, "--events", str(sheet), "--lang", "zh"]) == 0
    lines = capsys.readouterr().out.splitlines()
    said = (
        "注：2\u00a0条促销记录无法测算效果，因为活动前以常规价格销售的周数不足\u00a03\u00a0周，"
        "提升没有比较的基准（商品刚开始销售，或刚做过另一次促销）：B（2024年1月1日至2024年1月7日）、"
        "B（2024年1月22日至2024年1月28日）。从更早开始的时间范围也许能补足这些周。"
    )
    assert said in lines, lines


@pytest.mark.parametrize(
    "lang, said",
    [
        ("en", "  The 1 promotion you entered could not be measured; the notes below say why."),
        ("zh", "  您填写的\u00a01\u00a0条促销记录无法测算效果，原因见下方的提示。"),
    ],
)
def test_pricing_says_when_no_entered_promotion_could_be_measured(
    _isolated_home, tmp_path, capsys, lang, said
):
    """ "Promotions found: 0" and nothing else read as if the events file was not read; when
    rows were entered and none measured, a line says so and points at the notes."""
    store = Store.open(_isolated_home)
    ds = store.save_dataset("mugs", _two_mugs_lines()).id
    store.close()
    sheet = tmp_path / "events.csv"
    sheet.write_text("product_id,start,end\nB,2024-01-08,2024-01-14\n")
    assert main(["pricing", "--dataset", ds, "--lang", lang]) == 0
    assert said not in capsys.readouterr().out.splitlines()
    assert main(["pricing", "--dataset", ds, "--events", str(sheet), "--lang", lang]) == 0
    lines = capsys.readouterr().out.splitlines()
    found = next(i for i, x in enumerate(lines) if x.startswith(("Promotions found", "发现的促销")))
    assert lines[found + 1] == said, lines


@pytest.mark.parametrize(
    ("encoding", "sep"),
    [("gbk", ","), ("utf-16", "\t"), ("utf-8-sig", ";")],
    ids=["gbk-excel-csv", "excel-unicode-text", "utf8-bom-semicolons"],
)
def test_pricing_events_file_saved_by_a_chinese_excel_is_read(
    encoding, sep, _isolated_home, tmp_path, capsys
):
    """A Chinese Excel saves its CSV in GBK, its "Unicode text" in UTF-16 with tabs: the
    events file was read as UTF-8 only, and 商品编码 in GBK ended the command with a
    UnicodeDecodeError traceback. Read as the order files are, the promotion of Blue Mug (A)
    is measured: lift 2, by hand as in the test of the names sheet above."""
    store = Store.open(_isolated_home)
    ds = store.save_dataset("mugs", _two_mugs_lines()).id
    store.close()
    sheet = tmp_path / "促销.csv"
    text = "\n".join(
        sep.join(row)
        for row in (["商品编码", "开始日期", "结束日期"], ["A", "2024-03-11", "2024-03-24"])
    )
    sheet.write_bytes((text + "\n").encode(encoding))
    assert main(["pricing", "--dataset", ds, "--events", str(sheet), "--json"]) == 0
    (promo,) = json.loads(capsys.readouterr().out)["promotions"]
    assert promo["product_id"] == "A" and promo["lift"] == pytest.approx(2.0)


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (
            b"  \n",
            "The events file is empty. Give a CSV or Excel file with product id, first and last day.",
        ),
        (
            b'SKU,From,To\nA,"2024-03-11,2024-03-24\n',
            "The events file could not be read as a CSV table (a quote left open, or a line "
            "with more columns than the header). Save it as CSV with a header row: product "
            "id, first day, last day.",
        ),
    ],
    ids=["empty", "quote-left-open"],
)
def test_pricing_events_file_that_cannot_be_read_is_said(content, said, tmp_path, cli_refusal):
    sheet = tmp_path / "events.csv"
    sheet.write_bytes(content)
    assert cli_refusal(["pricing", "--dataset", "x", "--events", str(sheet)]) == (
        f"ecomdash: {said}\n"
    )
