"""Money in the report is written in the dataset's currency, as the app and the report's own
tables write it: a tiny euro shop whose sums are worked out by hand below."""

from __future__ import annotations

import re
from html import escape

import pytest

from ecomdash.ingest import load_bytes
from ecomdash.report import SECTIONS, build_report, render_html
from ecomdash.store import Store

#: Three orders on three days, amounts written in euros (ingest reads the currency off them):
#: 2 × 1,000.25 = 2,000.50; 1 × 9,999.99 = 9,999.99; 4 × 250.00 = 1,000.00.
EURO_CSV = """order_id,order_date,customer_id,product_id,product_name,quantity,unit_price
A1,2026-03-02,c1,P1,Lamp,2,"€1,000.25"
A2,2026-03-03,c2,P2,Sofa,1,"€9,999.99"
A3,2026-03-04,c1,P3,Mug,4,€250.00
"""
NET = 13_000.49  # 2,000.50 + 9,999.99 + 1,000.00
AOV = NET / 3  # 4,333.4966…
FAST = tuple(s for s in SECTIONS if s.key in ("kpis", "trend"))


@pytest.fixture(scope="module")
def euro_shop(tmp_path_factory):
    res = load_bytes(EURO_CSV.encode("utf-8"), "euro.csv")
    store = Store.open(tmp_path_factory.mktemp("euro_home"))
    info = store.save_dataset("Euro shop", res.lines, report=res.report)
    yield store, info
    store.close()


def _tiles(rep) -> dict[str, tuple[str, str | None]]:
    return {m.label: (m.value, m.exact) for m in rep.sections[0].metrics}


def test_headline_money_has_the_currency_compact_with_the_exact_figure(euro_shop):
    store, info = euro_shop
    rep = build_report(store, info.id, sections=FAST)
    tiles = _tiles(rep)
    assert tiles["Net revenue"] == ("€13k", "€13,000.49")
    assert tiles["Average order value"] == ("€4,333", "€4,333.50")  # whole from 1,000 on a tile
    assert tiles["Orders"] == ("3", None)
    html = render_html(rep)
    # the tile shows the compact figure with the exact one on hover and, for print (paper
    # and PDF have no hover), in a line under it; no bare amount anywhere
    assert (
        '<div class="value" title="€13,000.49">€13k</div><div class="exact">€13,000.49</div>'
        in html
    )
    assert (
        '<div class="value" title="€4,333.50">€4,333</div><div class="exact">€4,333.50</div>'
        in html
    )
    assert '<div class="value">3</div></div>' in html  # a count is exact: no second line
    assert html.count('<div class="exact">') == 2
    assert not re.search(r"(?<![€\d,.])13,000\.49", html)
    # the trend's sentence: the best day is the sofa's, a sum of real orders in whole units
    # (half up: €9,999.99 is €10,000), as the report's other sentences write one
    (best,) = rep.sections[1].text
    assert "net revenue €10,000 over 1 order." in best, best
    assert escape("net revenue ") + '<span class="nb">€10,000</span>' in html  # on one line


def test_chinese_report_writes_the_same_money_in_wan(euro_shop):
    store, info = euro_shop
    rep = build_report(store, info.id, sections=FAST, lang="zh")
    tiles = _tiles(rep)
    assert tiles["净销售额"] == ("€1.3万", "€13,000.49")
    html = render_html(rep)
    assert (
        '<div class="value" title="€13,000.49">€1.3万</div><div class="exact">€13,000.49</div>'
        in html
    )
    assert tiles["客单价"] == ("€4,333", "€4,333.50")
    assert "净销售额\u00a0€10,000，" in rep.sections[1].text[0]  # whole euros, as in English


def test_no_currency_known_means_no_sign_but_still_compact(tmp_path):
    plain = re.sub(r'"?€([\d,.]+)"?', lambda m: m.group(1).replace(",", ""), EURO_CSV)
    res = load_bytes(plain.encode("utf-8"), "plain.csv")
    store = Store.open(tmp_path / "home")
    try:
        info = store.save_dataset("Plain shop", res.lines, report=res.report)
        rep = build_report(store, info.id, sections=FAST[:1])
    finally:
        store.close()
    assert _tiles(rep)["Net revenue"] == ("13k", "13,000.49")


def test_the_exact_line_shows_in_print_only():
    from ecomdash.report.render import CSS

    screen, _, printed = CSS.partition("@media print")
    assert re.search(r"\.metric \.exact \{[^}]*display: none", screen)
    assert re.search(r"\.metric \.exact \{ display: block; \}", printed)


#: 240 days, one order a day in euros: day i's net revenue is €(100 + 10 i), so repeating
#: the last week (seasonal naive) over the 14-day horizon is €70 short on days 1-7 and €140
#: short on days 8-14 of every fold: its backtest MAE is €105.
def _rising_euro_csv() -> bytes:
    import pandas as pd

    rows = ["order_id,order_date,customer_id,product_id,product_name,quantity,unit_price"]
    for i, d in enumerate(pd.date_range("2025-01-06", periods=240, freq="D")):
        rows.append(f'O{i},{d.date()},c{i % 5},P1,Lamp,1,"€{100 + 10 * i:,.2f}"')
    return ("\n".join(rows) + "\n").encode("utf-8")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_forecast_backtest_errors_are_in_the_shops_currency(tmp_path, lang):
    from ecomdash import labels as L
    from ecomdash.i18n import use_lang

    res = load_bytes(_rising_euro_csv(), "rising.csv")
    store = Store.open(tmp_path / "home")
    try:
        info = store.save_dataset("Rising shop", res.lines, report=res.report)
        spec = tuple(s for s in SECTIONS if s.key == "forecast")
        rep = build_report(store, info.id, sections=spec, lang=lang)
    finally:
        store.close()
    (section,) = rep.sections
    assert section.tone != "missing", section.verdict
    html = render_html(rep)
    with use_lang(lang):
        naive = L.model_label("seasonal_naive")
        mae = L.label("mae", "report.forecast")
    backtest = html[html.index(escape(mae)) :]
    row = backtest[backtest.index(escape(naive)) :].split("</tr>")[0]
    # the seasonal naive's MAE, worked out by hand, in euros to the whole euro; MASE unitless
    assert '<td class="num">€105</td><td class="num">1.50</td>' in row, row
    table = next(t for t in section.tables if "mae" in t.frame.columns)
    n = len(table.frame)
    assert backtest.split("</table>")[0].count('<td class="num">€') == n  # every model's MAE


def test_amounts_in_text_never_break_after_the_minus():
    """A report line once ended in "-" with "£10.53" on the next (an alert reason): signed
    amounts and percentages in text, table cells and verdicts are kept on one line, and
    merchant text around them is still escaped."""
    from ecomdash.report.model import Section, Table
    from ecomdash.report.render import CSS, prose, section_html

    reason = "Net revenue of <United States> on Mon: -£10.53 against £3,263.79 expected (-100 %)"
    assert prose(reason) == (
        'Net revenue of &lt;United States&gt; on Mon: <span class="nb">-£10.53</span> against '
        '<span class="nb">£3,263.79</span> expected (<span class="nb">-100 %</span>)'
    )
    assert prose("约 +¥1.2万, 12.5 % and 3 times") == (
        '约 <span class="nb">+¥1.2万</span>, <span class="nb">12.5 %</span> and 3 times'
    )
    # fmt.pct's no-break space (branch axisfix) is a percentage too: "-12.5 %" kept whole
    assert prose("fell -12.5\u00a0% today") == 'fell <span class="nb">-12.5\u00a0%</span> today'
    assert re.search(r"\.nb\s*\{\s*white-space:\s*nowrap", CSS)
    import pandas as pd

    section = Section(
        key="alerts",
        title="Alerts",
        verdict="Worst day -£10.53.",
        tone="warn",
        text=("A fall of -£99.00 on one day.",),
        tables=(Table(title="Alerts", frame=pd.DataFrame({"reason": [reason]})),),
    )
    html = section_html(section)
    for amount in ("-£10.53", "-£99.00", "-100 %"):
        assert f'<span class="nb">{amount}</span>' in html, amount
    assert "&lt;United States&gt;" in html


def test_dates_with_their_time_never_break_mid_date():
    """The report's alerts table broke "2010-12-07 16:43" after "2010-12-" in its narrow
    "When" column: a date (with its time of day) in the shop's style is kept on one line, in
    text as in table cells; a date range's dash still lets a line break between the dates."""
    from ecomdash.report.render import prose

    for when in ("2010-12-07 16:43", "07/12/2010 16:43", "2010年12月07日 16:43", "2010-12-07"):
        assert prose(when) == f'<span class="nb">{when}</span>', when
    assert prose("24 December 2009 – 3 January 2010, 2010-04-02 – 2010-04-05") == (
        '24 December 2009 – 3 January 2010, <span class="nb">2010-04-02</span> – '
        '<span class="nb">2010-04-05</span>'
    )


def test_a_text_column_with_nothing_in_it_is_left_out_of_a_table():
    """Every alert in the report had an empty "Likely driver" cell, a column that only took
    width from "Why": a text column blank in every shown row is left out; a column with one
    value, a numeric column of gaps and an empty table's headers stay."""
    import pandas as pd

    from ecomdash.report.model import Table
    from ecomdash.report.render import table_html

    frame = pd.DataFrame(
        {
            "Why": ["big order", "price far from usual"],
            "Likely driver": [None, ""],
            "Note": [None, "one product"],
            "Error": [float("nan"), float("nan")],
        }
    )
    html = table_html(Table("Alerts", frame))
    assert "<th>Why</th>" in html and "<th>Note</th>" in html and "Error</th>" in html
    assert "Likely driver" not in html
    assert html.count("<td") == 2 * 3
    empty = table_html(Table("Alerts", frame.iloc[:0]))
    assert "Likely driver" in empty


def _pairs_csv(small: int, big: int) -> bytes:
    """``small`` orders of a teapot with a tea tin and ``big`` of a pot with a can (each pair
    always bought together, never with the other)."""
    rows = ["order_id,order_date,customer_id,product_id,product_name,quantity,unit_price"]
    for i in range(small + big):
        a, b = ("T1", "T2") if i < small else ("P1", "P2")
        day = f"2026-01-01 10:{i % 60:02d}"
        rows += [f"O{i},{day},c{i},{a},{a} name,1,5", f"O{i},{day},c{i},{b},{b} name,1,5"]
    return ("\n".join(rows) + "\n").encode()


@pytest.mark.parametrize(
    ("small", "strong", "said", "unsaid"),
    [
        (40, 4, "; every one rests on 30 orders or more.", "rest on fewer"),
        (10, 2, "; 2 rest on fewer than 30 orders.", "every one rests"),
    ],
)
def test_the_rules_sentence_says_none_are_thin_without_a_zero(
    tmp_path, small, strong, said, unsaid
):
    """UCI's report read "1,658 have lift ≥ 2 (…); 0 rest on fewer than 30 orders.": with no
    thin rule the sentence says every rule rests on 30 orders or more. Hand-made baskets, 4
    rules: on 40 + 40 orders each has lift 2 (1 / 0.5); on 10 + 40 the teapot pair's lift is
    5 (1 / 0.2) on 10 orders (thin), the pot pair's 1.25 (1 / 0.8)."""
    res = load_bytes(_pairs_csv(small, 40), "pairs.csv")
    store = Store.open(tmp_path)
    try:
        info = store.save_dataset("Pairs", res.lines, report=res.report)
        basket = tuple(s for s in SECTIONS if s.key == "basket")
        (sec,) = build_report(store, info.id, sections=basket).sections
    finally:
        store.close()
    [sentence] = [t for t in sec.text if t.startswith("4 rules from")]
    assert sentence.startswith(f"4 rules from {small + 40} orders: {strong} have lift ≥ 2")
    assert sentence.endswith(said) and unsaid not in sentence, sentence


def test_elasticity_counts_say_each_is_its_own_without_a_zero():
    """UCI's report read "207 products have an elasticity: 207 their own, from their price
    changes, and 0 their category's, being sold at one price" (it has no category column):
    with none borrowed the sentence says each is its own; with some, both counts (statuses
    counted by hand: 3 own, 2 from their category, 1 with none)."""
    import pandas as pd

    from ecomdash.report.sections.pricing_alerts import elasticity_counts

    own = pd.Series(["estimated", "estimated", "no estimate"])
    assert elasticity_counts(own, 4) == (
        "2 products have an elasticity, each its own, from its price changes; 1 has too "
        "little price variation; 4 promotions were found in the prices."
    )
    mixed = pd.Series(["estimated"] * 3 + ["category"] * 2 + ["no estimate"] * 3)
    assert elasticity_counts(mixed, 1) == (
        "5 products have an elasticity: 3 their own, from their price changes, and 2 their "
        "category's, being sold at one price; 3 have too little price variation; 1 promotion "
        "was found in the prices."
    )


def test_elasticity_counts_say_one_as_one_and_leave_out_zeros():
    """A count of one read "1 have too little price variation", and "0 promotions were found": one is
    said in the singular, a clause with nothing to count is left out, and no promotion is said
    as such; in Chinese too (counted by hand)."""
    import pandas as pd

    from ecomdash.i18n import use_lang
    from ecomdash.report.sections.pricing_alerts import elasticity_counts

    one = pd.Series(["estimated"])
    assert elasticity_counts(one, 0) == (
        "1 product has an elasticity, its own, from its price changes; no promotion was "
        "found in the prices."
    )
    borrowed = pd.Series(["category"] * 2 + ["no estimate"])
    assert elasticity_counts(borrowed, 2) == (
        "2 products have an elasticity, each their category's, being sold at one price; 1 has "
        "too little price variation; 2 promotions were found in the prices."
    )
    with use_lang("zh"):
        zh = elasticity_counts(pd.Series(["estimated"] * 3 + ["no estimate"]), 0)
    assert zh == (
        "3\u00a0个商品有价格弹性，都是自身的，来自其价格变化；1\u00a0个商品价格变化太少；"
        "价格中未识别出促销。"
    )
