"""Pricing & promotions page (AppTest, page run alone): demo, one-price export, no cost."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from ecomdash import pricing as P
from ecomdash.charts import pricing as charts
from ecomdash.i18n import fmt
from ecomdash.store import Store
from ecomdash.ui import tables as T
from tests.pages.conftest import displayed_frame, run_page
from tests.pages.downloads import record_downloads
from tests.unit.test_pricing_cli import _two_mugs_lines

#: the per-product table's columns on screen (their headers) and in its CSV (raw ids: every
#: column of the result)
PRODUCT_SCREEN = ["Product", "Elasticity", "Status", "Current price"]
PRODUCT_CSV = ["product_id", "product_name", "category", "elasticity", "ci_low", "ci_high"]
PRODUCT_CSV += ["n_price_levels", "weeks", "status", "reason", "source", "own_elasticity"]
PRODUCT_CSV += ["own_ci_low", "own_ci_high", "min_price", "max_price", "current_price"]
PRODUCT_CSV += ["units_per_week", "revenue"]
#: the per-category table's columns on screen (raw ids) and what its caption names
CATEGORY_SCREEN = ["category", "elasticity", "trustworthy", "note"]
CATEGORY_CSV_ALSO = {
    "en": "The CSV download also has: 90\u00a0% low, 90\u00a0% high, Standard error, Products "
    "with price changes, Product-weeks, Spread between its products.",
    "zh": "下载的 CSV 文件还包含这些列：90% 下限、90% 上限、标准误、有调价的商品数、商品周数、"
    "品类内商品间的弹性差异。",
}
#: the per-category CSV's columns (raw ids, under the merchant's headers): the model's
#: standard error and the spread of its products' elasticities were headed "se" and "tau"
CATEGORY_CSV = ["category", "elasticity", "ci_low", "ci_high", "se", "n_products", "weeks"]
CATEGORY_CSV += ["tau", "trustworthy", "note"]
CATEGORY_HEADERS = ["Category", "Elasticity", "90\u00a0% low", "90\u00a0% high", "Standard error"]
CATEGORY_HEADERS += ["Products with price changes", "Product-weeks", "Spread between its products"]
CATEGORY_HEADERS += ["Lent to one-price products", "Note"]
#: a product's status as the merchant reads it, on screen and in the CSV, by language
STATUS_WORDS = {
    "en": {"estimated", "from its category", "no estimate"},
    "zh": {"已估计", "按品类估计", "无估计"},
}


def categories_fit_the_page(at, lang: str) -> None:
    """The per-category table shows the columns a merchant acts on within the table's border
    (tables.INNER_PX), and its caption names the others, which its CSV holds."""
    element = next(d for d in at.dataframe if "trustworthy" in d.value.columns)
    assert list(element.value.columns) == CATEGORY_SCREEN
    cfg = json.loads(element.proto.columns)
    assert sum(cfg[c]["width"] for c in CATEGORY_SCREEN) <= T.INNER_PX, cfg
    for c in CATEGORY_SCREEN:  # no header cut, no figure cut
        assert T.drawn_px(cfg[c]["label"]) <= cfg[c]["width"], (c, cfg[c])
    assert CATEGORY_CSV_ALSO[lang] in [c.value for c in at.caption]


def _metric(at, label):
    found = [m for m in at.metric if m.label == label]
    assert found, f"no metric {label!r}; have {[m.label for m in at.metric]}"
    return found[0]


#: a product as every page names it: "Wooden Train Set – Starter (TOY-229)", never the bare id
NAMED = re.compile(r"^\S.* \([A-Z]{3}-\d{3}\)$")


def figures(at) -> dict[str, dict]:
    """Each plotly chart of the page (its figure's JSON) by its title."""
    out = {}
    for chart in at.get("plotly_chart"):
        fig = json.loads(chart.proto.spec)
        out[fig["layout"]["title"]["text"]] = fig
    return out


def figure(at, title_start: str) -> dict:
    return next(f for t, f in figures(at).items() if t.startswith(title_start))


def no_empty_cells(table: pd.DataFrame) -> bool:
    """No text cell of ``table`` is empty: a column left blank where its rows have nothing to
    say reads as missing data."""
    text = table.select_dtypes(exclude="number")
    return not (text.astype(str).apply(lambda c: c.str.strip() == "")).any().any()


def _table(at, header):
    """The first table showing ``header``, with the headers the merchant reads."""
    tables = [displayed_frame(d) for d in at.dataframe]
    return next(t for t in tables if header in t.columns)


def test_pricing_page_shows_results_on_arrival(demo_dataset, _isolated_home, monkeypatch):
    downloads = record_downloads(monkeypatch)
    at = run_page("pricing.py", dataset_id=demo_dataset.id, timeout=180)
    assert not at.exception, at.exception
    store = Store.open(_isolated_home)
    try:
        core = P.analyze(store.product_week_prices(demo_dataset.id))
    finally:
        store.close()
    n_own = int((core.products["status"] == "estimated").sum())
    assert _metric(at, "Own elasticity").value == str(n_own)
    v = core.validation_summary
    assert _metric(at, "Held-out error vs naive").value == f"{v['ratio']:.2f}×"
    assert any(f"{v['model_mae']:.2f} units a week" in s.value for s in at.success)
    # the check's products counted against those with their own elasticity (the "Own
    # elasticity" tile), as the report says it: the demo's check covers all 25 (it read "25
    # of 218 products with an elasticity", counting 193 that borrow their category's)
    assert v["n_products"] == n_own
    checked = f"on all {n_own} products with their own elasticity. "
    assert any(checked in s.value for s in at.success), [s.value for s in at.success]
    # the what-if's best price in one sentence, without brackets inside brackets
    best = [c.value for c in at.caption if c.value.startswith("Best price inside the range")]
    assert len(best) == 1 and ", which maximises revenue (no margin given). " in best[0], best
    # without a margin the what-if says where on this page to enter one, not the CLI's flag
    shown = [c.value.replace("\\", "") for c in at.caption]
    needs = [c for c in shown if c.startswith("Profit needs a cost:")]
    assert needs == [
        "Profit needs a cost: enter a margin\u00a0% under “Margins (for profit)” above. Until then "
        "the best price shown maximises revenue."
    ]
    assert any(e.label == "Margins (for profit)" for e in at.expander)
    products = _table(at, "Status")
    assert len(products) == len(core.products)
    # no column on screen left blank: "Why no own estimate" was empty on every product with
    # its own estimate (listed first: all of UCI Online Retail II's first 207 rows)
    assert no_empty_cells(products)
    # on screen the columns a merchant acts on, every one within the page; the CSV beside
    # the table has them all, and the caption under it names the others
    assert list(products.columns) == PRODUCT_SCREEN
    element = next(d for d in at.dataframe if "status" in d.value.columns)
    cfg = json.loads(element.proto.columns)
    widths = [cfg[c]["width"] for c in element.value.columns]
    assert sum(widths) <= 820, widths
    csv = downloads.frame("pricing-elasticities")
    assert list(csv.columns) == PRODUCT_CSV and len(csv) == len(products)
    assert downloads.headers("pricing-elasticities")[:3] == ["Product id", "Product", "Category"]
    # the status in words, as on screen and as the other pages' CSVs write theirs (it wrote
    # the id "category" for "from its category")
    assert set(csv["status"]) <= STATUS_WORDS["en"] and "from its category" in set(csv["status"])
    # on screen, the status followed by why the product has no own estimate where it has a
    # reason (the CSV's "Why no own estimate"): "from its category: one price in all 104 weeks"
    said = [
        f"{s}: {r}" if isinstance(r, str) and r else s
        for s, r in zip(csv["status"], csv["reason"], strict=True)
    ]
    assert products["Status"].tolist() == said
    assert set(csv.loc[csv["status"] != "estimated", "reason"].map(bool)) == {True}
    # the per-category table within the page (its 8 columns ran past the edge), the rest in
    # its CSV
    categories_fit_the_page(at, "en")
    cat_csv = downloads.frame("pricing-categories")
    assert list(cat_csv.columns) == CATEGORY_CSV
    assert downloads.headers("pricing-categories") == CATEGORY_HEADERS
    assert (
        "The CSV download also has: Product id, Category, 90\u00a0% low, 90\u00a0% high, Price levels, "
        "Weeks with sales, Why no own estimate, Estimate from, Own-data elasticity, Lowest "
        "price, Highest price, "
        "Units a week (last 8 wks), Revenue."
    ) in [c.value for c in at.caption]
    # units a week count the kept sales of whole weeks, and the page says so (TEX-271 read
    # 81.5 with its cancelled sales and the demo's 6-day last week)
    tex = csv.set_index("product_id").loc["TEX-271"]
    assert float(tex["units_per_week"]) == pytest.approx(80.0)
    units_are = [c.value for c in at.caption if c.value.startswith("Units are the units sold")]
    assert units_are == [
        "Units are the units sold per product and week (Monday to Sunday), not counting sales "
        "later cancelled by a return (not demand at that price). The first and last weeks of "
        "the data are left out when it covers only part of them: a part week would read as a "
        "slow one."
    ]
    toy = products.assign(id=csv["product_id"]).set_index("id").loc["TOY-278"]
    assert toy["Elasticity"] == pytest.approx(core.product("TOY-278")["elasticity"], abs=5e-4)
    promos = _table(at, "Lift (units ×)")
    assert len(promos) == len(core.promotions) == 4
    # without a margin the profit column is empty and the page says what it needs
    assert promos["Net profit"].isna().all()
    assert _metric(at, "Profit a week").value == "needs a margin"
    assert len(at.get("plotly_chart")) >= 4
    assert any("done in" in s.label for s in at.status)
    assert len(at.get("download_button")) >= 3
    # every table has its download beside it: the per-category elasticities had none
    ids = [b.proto.id for b in at.get("download_button")]
    for key in ("dl_pr_categories", "dl_pr_products", "dl_pr_whatif", "dl_pr_promos"):
        assert any(key in i for i in ids), (key, ids)


def test_what_if_outside_the_observed_range_is_refused(demo_dataset):
    at = run_page("pricing.py", dataset_id=demo_dataset.id, timeout=180)
    at.selectbox(key="pr_whatif_product").set_value("TOY-278").run()
    at.slider(key="pr_whatif_change").set_value(30).run()
    assert not at.exception, at.exception
    # TOY-278 went from 27.49 to 40.99: +30 % of 40.99 is beyond 40.99 · 1.1
    warning = next(w.value for w in at.warning if "never extrapolate" in w.value)
    # prices with the shop's currency (the demo's pounds), as every amount on the page
    assert "£53.29 is outside" in warning and "(£24.74–£45.09" in warning
    assert any("Best price inside the range this product has had: £" in c.value for c in at.caption)
    at.slider(key="pr_whatif_change").set_value(-10).run()
    assert not any("never extrapolate" in w.value for w in at.warning)
    units = _metric(at, "Units a week")
    assert units.value != ""
    # the band is the elasticity's interval only: the help says so, and that a week varies more
    # (it read "90 % band 68.3–70.6", which a merchant takes for the range of a week's sales)
    assert (
        " units a week if the elasticity is anywhere in its 90\u00a0% interval. "
        in units.proto.help
    )
    assert "A single week varies more" in units.proto.help, units.proto.help


def test_one_price_export_says_why_without_traceback(_isolated_home):
    weeks = pd.date_range("2024-01-01", periods=30, freq="7D")
    lines = pd.DataFrame(
        {
            "order_id": [f"o{i}" for i in range(60)],
            "order_date": list(weeks) * 2,
            "product_id": ["A"] * 30 + ["B"] * 30,
            "quantity": 2.0,
            "unit_price": [5.0] * 30 + [9.0] * 30,
            "revenue": [10.0] * 30 + [18.0] * 30,
            "is_return": False,
            "is_non_product": False,
            "is_cancelled": False,
        }
    )
    store = Store.open(_isolated_home)
    ds = store.save_dataset("flat", lines).id
    store.close()
    at = run_page("pricing.py", dataset_id=ds, timeout=120)
    assert not at.exception, at.exception
    assert _metric(at, "Own elasticity").value == "0"
    assert any("cannot be measured" in i.value for i in at.info)
    table = _table(at, "Status")
    # 30: every line is on a Monday (no other weekday ever has one: closing days), so the
    # last week's Monday is all of that week (it was left out as a part week: 29)
    assert set(table["Status"]) == {"no estimate: one price in all 30 weeks"}


def test_dataset_without_prices_is_told_what_to_map(_isolated_home):
    lines = pd.DataFrame(
        {
            "order_id": ["1", "2"],
            "order_date": pd.to_datetime(["2024-01-01", "2024-01-02"]),
            "product_id": ["A", "B"],
            "is_return": False,
            "is_non_product": False,
            "is_cancelled": False,
        }
    )
    store = Store.open(_isolated_home)
    ds = store.save_dataset("no prices", lines).id
    store.close()
    at = run_page("pricing.py", dataset_id=ds, timeout=60)
    assert not at.exception, at.exception
    assert any("quantity" in i.value and "pricing" in i.value for i in at.info)


@pytest.mark.slow
def test_pricing_page_on_uci(uci_lines, _isolated_home):
    store = Store.open(_isolated_home)
    ds = store.save_dataset("uci", uci_lines).id
    store.close()
    at = run_page("pricing.py", dataset_id=ds, timeout=300)
    assert not at.exception, at.exception
    assert int(_metric(at, "Own elasticity").value) > 50
    assert _metric(at, "Held-out error vs naive").value.endswith("×")
    products = _table(at, "Status")
    assert len(products) > 4000
    # "Why no own estimate" was a column of its own, empty in the first 207 rows (the products
    # with their own estimate, listed first): each status now says why where there is a why
    assert no_empty_cells(products)
    no_est = products[products["Status"].str.startswith("no estimate")]
    assert len(no_est) > 3000
    assert no_est["Status"].str.fullmatch(r"no estimate: \S.*").all()
    # every chart's title fits on one line (plotly cuts it at the chart's edge): the weeks
    # chart of "SET OF 3 COLOURED  FLYING DUCKS (35004C)" (UCI's two spaces) ran past it with
    # its colour key, now the line under the title
    picker = next(s for s in at.selectbox if s.key == "pr_pp")
    ducks = "SET OF 3 COLOURED  FLYING DUCKS (35004C)"
    assert ducks in picker.options, [o for o in picker.options if "DUCK" in o]
    at = picker.set_value("35004C").run()
    assert not at.exception, at.exception
    weeks = figure(at, ducks)
    assert weeks["layout"]["title"]["text"] == ducks + ": units and price per week"
    assert weeks["layout"]["title"]["subtitle"]["text"] == (
        "Green: promotion weeks; red: the weeks after"
    )
    titles = list(figures(at))
    assert len(titles) >= 4, titles
    assert all(charts.title_px(t) <= charts.TITLE_PX for t in titles), titles


def test_what_if_for_a_whole_category(demo_dataset, _isolated_home, monkeypatch):
    downloads = record_downloads(monkeypatch)
    at = run_page("pricing.py", dataset_id=demo_dataset.id, timeout=180)
    at.selectbox(key="pr_whatif_category").set_value("Toys & Games").run()
    assert not at.exception, at.exception
    store = Store.open(_isolated_home)
    try:
        core = P.analyze(store.product_week_prices(demo_dataset.id))
    finally:
        store.close()
    w = P.what_if(core, category="Toys & Games", change_pct=10).table
    # every product of the category in the what-if's CSV (the ids are in it, off the screen)
    table = downloads.table("pricing-whatif")
    assert sorted(table["product_id"]) == sorted(w["product_id"])
    ok = w["units"].notna()
    # the revenue in the shop's currency, rounded as an estimate is (fmt.money_about: £12.3k,
    # no pence); it read "revenue a week 12,345.67 → ...", no unit
    total = fmt.money_about(w.loc[ok, "revenue"].sum(), symbol="£")
    now = fmt.money_about(w.loc[ok, "revenue_now"].sum(), symbol="£")
    assert re.fullmatch(r"£[\d,]+|£[\d,.]+k", total), total
    # the what-if's tiles too: an estimate in whole pounds (was "£2,060.28", "-£139.41")
    rev = _metric(at, "Revenue a week")
    assert re.fullmatch(r"£[\d,]+", rev.value) and re.fullmatch(r"[+-]£[\d,]+", rev.delta), (
        rev.value,
        rev.delta,
    )
    assert any(
        f"{ok.sum()} products" in c.value and f"revenue a week {now} → {total}" in c.value
        for c in at.caption
    ), [c.value for c in at.caption]
    # the change signed as the app writes a share ("+10 %"), not "+10%" / "+10 %" by hand
    assert any(c.value.startswith("Whole category at +10\u00a0%: ") for c in at.caption)


def test_home_finding_link_opens_the_what_if_on_its_product(demo_dataset):
    """The home's price finding links here with ?tab=what-if&product=..&change=..: the what-if
    starts on that product at that change (a product without an elasticity, or a change off
    the slider, falls back to the best seller at +10 %)."""
    from streamlit.testing.v1 import AppTest

    from tests.pages.conftest import ROOT

    def opened(**query):
        at = AppTest.from_file(str(ROOT / "pages" / "pricing.py"), default_timeout=180)
        at.session_state["dataset_id"] = demo_dataset.id
        for k, v in query.items():
            at.query_params[k] = v
        at.run()
        assert not at.exception, at.exception
        # the what-if's money in the dataset's currency, its change signed for the arrow
        rev = _metric(at, "Revenue a week")
        assert rev.value.startswith("£") and rev.delta[0] in "+-" and rev.delta[1] == "£"
        return at.selectbox(key="pr_whatif_product").value, at.slider(key="pr_whatif_change").value

    assert opened(tab="what-if", product="TOY-278", change="-5") == ("TOY-278", -5)
    best_seller, pct = opened()
    assert pct == 10 and best_seller != "TOY-278"  # so the link did choose TOY-278
    assert opened(tab="what-if", product="NO-SUCH", change="-50") == (best_seller, 10)


def test_every_chart_picker_and_table_names_the_product(demo_dataset):
    """The products as the other pages name them (Recommendations: "Wooden Train Set – Starter
    (TOY-229)"): the elasticity chart's y-axis, the validation, promotion and demand charts,
    both product pickers and the validation table (a Name column beside the id). The names of
    TOY-229 and BAG-110 by hand from the demo's catalogue (ecomdash/demo/catalogue.py)."""
    at = run_page("pricing.py", dataset_id=demo_dataset.id, timeout=180)
    assert not at.exception, at.exception
    train, hat = "Wooden Train Set – Starter (TOY-229)", "Beanie Hat – Mustard (BAG-110)"

    elasticity = figure(at, "Price elasticity")
    ticks = elasticity["data"][0]["y"]
    assert elasticity["data"][1]["y"] == ticks  # the category markers sit on the same rows
    assert {train, hat} <= set(ticks)
    assert all(NAMED.match(t) for t in ticks), ticks

    validation = figure(at, "Held-out error per product")
    # the axes say whose error and in what, in words first (were "naive MAE (units a week)")
    axes = [validation["layout"][a]["title"]["text"] for a in ("xaxis", "yaxis")]
    assert axes == [
        "Naive forecast's error, units a week (MAE)",
        "Price model's error, units a week (MAE)",
    ]
    hovers = [t for trace in validation["data"] for t in trace.get("text") or ()]
    assert {train, hat} <= set(hovers) and all(NAMED.match(t) for t in hovers), hovers
    table = _table(at, "Model error (MAE)")
    assert list(table.columns[:2]) == ["Product id", "Product"]
    names = table.set_index("Product id")["Product"]
    assert names["TOY-229"] == "Wooden Train Set – Starter"
    assert names["BAG-110"] == "Beanie Hat – Mustard"

    # the promotions: bars "name (id)<br>start", the picker and the weeks chart's title
    bars = figure(at, "Units per store order")["data"][0]["x"]
    assert len(bars) == 4 and all(NAMED.match(b.split("<br>")[0]) for b in bars), bars
    assert "Terracotta Pot – 25 cm (GAR-117)" in {b.split("<br>")[0] for b in bars}
    weeks_of = at.selectbox(key="pr_pp")
    assert all(NAMED.match(o) for o in weeks_of.options), weeks_of.options
    weeks = figure(at, weeks_of.options[weeks_of.index] + ": units and price per week")
    # money axes carry the shop's currency (the demo's £): prices and revenue read bare
    from tests.pages.chart_money import money_axis, spec_currency

    assert money_axis(weeks["layout"]["yaxis2"]) and spec_currency(weeks) == "£"

    # the what-if picker: "name (id)" shown, the id kept as its value
    picker = at.selectbox(key="pr_whatif_product")
    assert all(NAMED.match(o) for o in picker.options) and train in picker.options
    picker.set_value("TOY-229").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="pr_whatif_product").value == "TOY-229"
    assert (
        at.selectbox(key="pr_whatif_product").options[at.selectbox(key="pr_whatif_product").index]
        == train
    )
    curve = figure(at, train + ": demand across the prices it has had")
    assert money_axis(curve["layout"]["xaxis"]) and spec_currency(curve) == "£"  # the price
    assert money_axis(curve["layout"]["yaxis2"])  # revenue a week
    assert not money_axis(curve["layout"]["yaxis"])  # units stay units
    # the promotions the merchant ran are typed in by id: the editor's header says so, in the
    # words a merchant knows it by (the SKU, as the notes and the command line say)
    editor = next(d for d in at.dataframe if d.proto.editing_mode)
    assert json.loads(editor.proto.columns)["Product"]["label"] == "Product id (SKU)"


def test_tiles_say_what_they_count_and_how_to_read_them(demo_dataset):
    """Each tile's help says what it counts, by the words the products table uses (its
    Status values, which say why a product has no own estimate), and how to read the held-out
    ratio (was: "Products whose own price changes tell", no help on "No estimate", "Mean
    absolute error of the price model over the naive forecast")."""
    at = run_page("pricing.py", dataset_id=demo_dataset.id, timeout=180)
    assert not at.exception, at.exception
    products = _table(at, "Status")
    statuses = {s.split(": ")[0] for s in products["Status"]}
    own, cat = _metric(at, "Own elasticity"), _metric(at, "From category")
    assert "Status “estimated”" in own.proto.help and "estimated" in statuses, own.proto.help
    assert "one price" in cat.proto.help and "Status “from its category”" in cat.proto.help
    assert "from its category" in statuses
    none = _metric(at, "No estimate").proto.help
    assert "their status in the table below (column “Status”) says why" in none, none
    ratio = _metric(at, "Held-out error vs naive").proto.help
    assert "average miss in units a week" in ratio and "Below 1× the model is better" in ratio
    assert "0.80× misses by 20\u00a0% less" in ratio, ratio  # 1 − 0.80 = 0.20, by hand


def test_elasticity_and_best_price_in_plain_words(demo_dataset, monkeypatch):
    """An elasticity is read in plain words: the tab's example is right for the log-log model
    (1.1 ** -1.5 = 0.867: a 10 % higher price sells about 13 % fewer units, not 15 %), the
    what-if says what its elasticity means for a 1 % change, and a best price at the end of
    the allowed range says it is a direction, not a price to set (one elasticity for every
    price puts revenue's best at an end)."""
    assert round((1 - 1.1**-1.5) * 100) == 13 and round((1 - 1.01**-1.5) * 100, 1) == 1.5
    downloads = record_downloads(monkeypatch)
    at = run_page("pricing.py", dataset_id=demo_dataset.id, timeout=180)
    assert not at.exception, at.exception
    captions = [c.value for c in at.caption]
    assert any(
        c.startswith(
            f"Elasticity -1.5: a {fmt.pct(0.01, 0)} higher price sells about "
            f"{fmt.pct(0.015)} fewer units, a {fmt.pct(0.1, 0)} higher price about "
            f"{fmt.pct(0.13, 0)} fewer."
        )
        for c in captions
    ), captions
    assert not any("about 15\u00a0% fewer" in c for c in captions)
    # the best seller, TEX-271: elasticity -1.721 (the what-if table; -1.687 before the panel
    # left out cancelled sales and part weeks), lowest price £26.99
    assert at.selectbox(key="pr_whatif_product").value == "TEX-271"
    row = downloads.table("pricing-whatif").iloc[0]  # the what-if's CSV holds its elasticity
    assert row["product_id"] == "TEX-271" and round(row["elasticity"], 2) == -1.72
    units = next(c for c in captions if c.startswith("Units come from the elasticity -1.72 "))
    assert (
        "(own data, pooled with category: a 1\u00a0% higher price sells about 1.7\u00a0% fewer "
        in units
    )
    best = next(c for c in captions if c.startswith("Best price inside the range"))
    # 26.99 × 0.9 = 24.291: the lower end of the allowed range
    assert best.startswith(
        "Best price inside the range this product has had: £24.29, which maximises revenue "
        "(no margin given). It is the lowest price the what-if allows"
    ), best
    assert best.endswith("read it as the way to move the price, not the price to set."), best
    # BAG-110: elasticity -0.951 (was -0.985), above -1, so revenue grows towards the highest price:
    # 26.99 × 1.1 = 29.689
    at.selectbox(key="pr_whatif_product").set_value("BAG-110").run()
    assert not at.exception, at.exception
    best = next(c.value for c in at.caption if c.value.startswith("Best price inside the range"))
    assert "£29.69, which maximises revenue (no margin given). It is the highest price" in best
    units = next(c.value for c in at.caption if c.value.startswith("Units come from"))
    assert "a 1\u00a0% higher price sells about 1.0\u00a0% fewer units" in units, units


def test_best_price_inside_the_range_is_stated_plainly():
    """With a margin the best profit can sit inside the allowed range: then the sentence is
    the price alone, no word about an edge (rows by hand)."""
    from ecomdash.ui.pricing import _best_price

    row = pd.Series(
        {"best_price": 20.0, "allowed_low": 9.0, "allowed_high": 33.0, "best_for": "profit"}
    )
    assert _best_price(row).startswith("Best price inside the range this product has had: ")
    assert _best_price(row).endswith(", which maximises profit.")
    assert "edge" in _best_price(row.copy().replace({20.0: 9.0}))
    assert "highest price" in _best_price(row.copy().replace({20.0: 33.0}))


def test_promotion_caption_reads_the_dip_as_the_table_shows_it(demo_dataset):
    """The dip column is a change in % (−24 %), the lift a ratio (1.37): the caption says the
    dip is how far the rate moved, with an example in %, and what net revenue takes away (was
    "Dip: the same in the 2 weeks after", which reads as a ratio like the lift)."""
    at = run_page("pricing.py", dataset_id=demo_dataset.id, timeout=180)
    assert not at.exception, at.exception
    promos = next(d for d in at.dataframe if "dip" in d.value.columns)
    config = json.loads(promos.proto.columns)
    assert config["dip"]["label"] == "Dip after"
    assert "%" in config["dip"]["type_config"]["format"]  # shown as a change in %
    caption = next(c.value for c in at.caption if c.value.startswith("Lift: units per store"))
    assert "Dip after: how far that rate moved in the 2 weeks after, against the same " in caption
    # the minus a hyphen, as the table and fmt write it (it read "−25 %", U+2212)
    dip = fmt.pct(-0.25, 0, signed=True)
    assert f"({dip} = a quarter fewer units: sales pulled forward)" in caption
    assert "Net revenue: the revenue during and after the promotion, less what the usual " in (
        caption
    )


def test_what_if_notes_name_prices_in_the_shops_currency(demo_dataset, monkeypatch):
    """A whole category at +20 %: products taken past the prices they have had get a note,
    and its prices are in the shop's currency as the rest of the page ("£14.39 is outside ...
    (£9.49–£12.49, ...)"; they read "14.39 ... (9.49–12.49 ...)"). The notes are in the
    what-if's CSV (the table shows the figures)."""
    downloads = record_downloads(monkeypatch)
    at = run_page("pricing.py", dataset_id=demo_dataset.id, timeout=180)
    at.selectbox(key="pr_whatif_category").set_value("Garden").run()
    at.slider(key="pr_whatif_change").set_value(20).run()
    assert not at.exception, at.exception
    table = downloads.frame("pricing-whatif")
    notes = [str(v) for col in table.columns for v in table[col] if "is outside" in str(v)]
    assert notes, list(table.columns)
    for n in notes:
        assert re.match(r"£[\d,]+\.\d\d is outside .* \(£[\d,]+\.\d\d–£[\d,]+\.\d\d, ", n), n


def test_markdowns_say_the_slowdown_as_the_caption_does(demo_dataset):
    """The caption speaks of units over the last 8 weeks "fallen to 75 % or less of the 8
    weeks before"; the column said "Trend 0.72". It now reads that share, as a percentage."""
    import json

    at = run_page("pricing.py", dataset_id=demo_dataset.id, timeout=180)
    assert not at.exception, at.exception
    element = next(d for d in at.dataframe if "trend" in d.value.columns)
    config = json.loads(element.proto.columns or "{}")["trend"]
    assert config["label"] == "Last 8 weeks vs the 8 before"
    assert config["type_config"]["format"].endswith("%%"), config  # "72 %", was "0.72"
    trend = element.value["trend"].dropna()  # sent in percent (a share's column: × 100)
    assert len(trend) and (trend <= 75 + 1e-6).all() and (trend > 1).all(), trend.tolist()


def test_a_what_if_change_that_rounds_to_zero_shows_no_delta():
    """The what-if tiles' revenue and profit changes: "+£88" / "-£88", and no delta at all
    for a change that rounds to nothing (it read "+£0" under a green arrow)."""
    from ecomdash.ui.pricing import _about

    # outside a page the display has no currency sign
    assert _about(88.0, signed=True) == "+88" and _about(-88.0, signed=True) == "-88"
    assert _about(0.3, signed=True) is None and _about(-0.4, signed=True) is None
    assert _about(0.3) == "0"


def test_markdowns_read_a_stock_files_ids_as_the_restock_planner_does(demo_dataset, monkeypatch):
    """The markdowns tab's stock upload matches 'toy-278' to TOY-278 (ignoring case and
    spaces, stock_file.match_stock) and says so; it matched exactly, so the restock planner's
    file gave a product stock there and none here. The stock on hand is in the markdowns' CSV."""
    downloads = record_downloads(monkeypatch)
    at = run_page("pricing.py", dataset_id=demo_dataset.id, timeout=180)
    assert not at.exception, at.exception
    at.file_uploader(key="pr_md_stock").set_value(
        ("stock.csv", b"product_id,units\ntoy-278,5000\n", "text/csv")
    )
    at.run(timeout=180)
    assert not at.exception, at.exception
    assert any("toy-278 → TOY-278" in i.value.replace("\\", "") for i in at.info)
    md = downloads.table("pricing-markdowns")
    assert md.set_index("product_id").loc["TOY-278", "on_hand"] == 5000


def test_markdowns_say_a_stock_files_note_and_warning_as_the_restock_planner_does(
    demo_dataset, monkeypatch
):
    """One stock file read on the markdowns tab: an id in another case is matched and said
    (an info), a second row for a product the file already has is left out and said (a
    warning), in the same words as the restock planner (both pages show a match with
    ecomdash.ui.stock.show_stock_match; tests/pages/test_forecast_page.py checks the
    planner's)."""
    downloads = record_downloads(monkeypatch)
    at = run_page("pricing.py", dataset_id=demo_dataset.id, timeout=180)
    assert not at.exception, at.exception
    other = next(p for p in downloads.table("pricing-markdowns")["product_id"] if p != "TOY-278")
    data = f"product_id,units\nTOY-278,5000\ntoy-278,7\n {other.lower()} ,3\nNOPE-1,4\n".encode()
    at.file_uploader(key="pr_md_stock").set_value(("stock.csv", data, "text/csv"))
    at.run(timeout=180)
    assert not at.exception, at.exception
    told = [re.sub(r"\\(.)", r"\1", i.value) for i in at.info if "stock file" in i.value]
    assert told == [
        "1 id in your stock file is written differently from the sales data's product code "
        f"(case or spaces) and was matched to it: {other.lower()} → {other}."
    ]
    said = [re.sub(r"\\(.)", r"\1", w.value) for w in at.warning if "stock file" in w.value]
    assert said == [
        "1 id in your stock file differs only in case from another row of the file for the "
        "same product: toy-278 (TOY-278) — it was left out; keep one row per product.",
        # an id the price panel has no product for was ignored in silence (the planner said it)
        "1 product in your stock file has no sales in the weeks priced here (the period and "
        "filters): NOPE-1 — if it sells, check that the ids match the sales data's product "
        "codes.",
    ]
    md = downloads.table("pricing-markdowns")
    assert md.set_index("product_id").loc["TOY-278", "on_hand"] == 5000


@pytest.mark.parametrize(
    "lang, said",
    [
        (
            "en",
            [
                "2 promotion events give their products' names, not their ids; matched by "
                "name (Blue Mug → A, Red Bowl → B).",
                "1 promotion event matches no product in this data (Green Jug (1 April 2024 – "
                "7 April 2024)); ignored. Give the product's id (SKU) as your orders give it.",
                "1 promotion event falls outside the weeks the prices cover (1 January 2024 – 16 "
                "June 2024, whole weeks from Monday): Red Bowl (1 April 2030 – 7 April 2030); ignored.",
            ],
        ),
        (
            "zh",
            [
                "2\u00a0条促销记录填的是商品名称而不是商品编码，已按名称匹配（Blue Mug → A、"
                "Red Bowl → B）。",
                "1\u00a0条促销记录在此数据中找不到对应的商品（Green Jug（2024年4月1日至2024年4月7日）），"
                "已忽略。请填写订单里的商品编码（SKU）。",
                "1\u00a0条促销记录不在价格数据覆盖的周内（2024年1月1日至2024年6月16日，按周一开始的整周计）："
                "Red Bowl（2030年4月1日至2030年4月7日），已忽略。",
            ],
        ),
    ],
)
def test_promotions_typed_by_name_are_matched_and_the_rest_said(_isolated_home, lang, said):
    """Promotions typed in by the product's name (the column reads "Product ID", a merchant
    types "Blue Mug") matched no id: nothing measured and "name 3 products without sales
    here", which do sell. Now most rows name a product, so they are matched by name and
    said so; the row naming no product and the one outside the data's weeks are said with
    what to do. Blue Mug's promotion (lift 2 by hand: 10 units / 2 orders before, 20 / 2
    during) is in the promotions table."""
    lines = _two_mugs_lines()  # the command line test's shop (tests/unit/test_pricing_cli.py)
    store = Store.open(_isolated_home)
    ds = store.save_dataset("mugs", lines).id
    store.close()
    at = run_page("pricing.py", dataset_id=ds, timeout=120, lang=lang)
    at.session_state["pr_events"] = {
        "edited_rows": {},
        "added_rows": [
            {"Product": "Blue Mug", "From": "2024-03-11", "To": "2024-03-24"},
            {"Product": "Red Bowl", "From": "2030-04-01", "To": "2030-04-07"},
            {"Product": "Green Jug", "From": "2024-04-01", "To": "2024-04-07"},
        ],
        "deleted_rows": [],
    }
    at.run()
    assert not at.exception, at.exception
    warnings = [w.value.replace("\\", "") for w in at.warning]  # inert()'s escapes
    for s in said:
        assert s in warnings, (s, warnings)
    promos = next(d for d in at.dataframe if "lift" in d.value.columns).value
    assert promos["product_name"].tolist() == ["Blue Mug"] and promos["lift"].tolist() == [2.0]


def _mugs_page(home, lang: str, rows: list[dict]):
    """The Pricing page on the command line test's shop of two mugs, in ``lang``, with
    ``rows`` typed into the "Promotions you ran" editor (none: the editor left empty)."""
    store = Store.open(home)
    ds = store.save_dataset("mugs", _two_mugs_lines()).id
    store.close()
    at = run_page("pricing.py", dataset_id=ds, timeout=120, lang=lang)
    if rows:
        at.session_state["pr_events"] = {"edited_rows": {}, "added_rows": rows, "deleted_rows": []}
        at.run()
    assert not at.exception, at.exception
    return at


#: what the page says of an entered promotion that cannot be measured (B's week of 8
#: January: only the week of 1 January before it) and the words of the events editor
UNMEASURED = {
    "en": {
        "note": "1 promotion event could not be measured, as its product has fewer than 3 weeks "
        "at its usual price just before it to measure the lift against (it started selling, or "
        "had another promotion, just before): B (8 January 2024 – 14 January 2024). A period "
        "that starts earlier may give them.",
        "header": "Product id (SKU)",
        "caption": "Promotions are found where a product sold below its usual price. Add ones "
        "the prices do not show (free delivery, bundles): product id (SKU), first and last day.",
        "none": "No promotion found: no product sold for up to 6 weeks at 5\u00a0%+ below its "
        "usual price and then went back to it.",
        "none_measured": "No promotion measured: the 1 promotion you entered could not be "
        "measured (the notes at the top of the page say why), and no product sold for up to 6 "
        "weeks at 5\u00a0%+ below its usual price and then went back to it.",
    },
    "zh": {
        "note": "1\u00a0条促销记录无法测算效果，因为活动前以常规价格销售的周数不足\u00a03\u00a0周，"
        "提升没有比较的基准（商品刚开始销售，或刚做过另一次促销）：B（2024年1月8日至2024年1月14日）。"
        "从更早开始的时间范围也许能补足这些周。",
        "header": "商品编码（SKU）",
        "caption": "商品以低于常规价格销售的时段会被识别为促销。价格上看不出来的促销（包邮、组合套装）"
        "请在这里补充：商品编码（SKU）、开始日和结束日。",
        "none": "没有发现促销：没有商品以低于常规价格\u00a05% 以上的价格销售最多\u00a06\u00a0周后"
        "又恢复原价。",
        "none_measured": "没有测算出促销效果：您填写的\u00a01\u00a0条促销记录无法测算（原因见页面"
        "顶部的提示），也没有商品以低于常规价格\u00a05% 以上的价格销售最多\u00a06\u00a0周后又恢复"
        "原价。",
    },
}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_entered_promotions_by_sku_in_any_case_and_the_unmeasured_ones_said(_isolated_home, lang):
    """Typed "a" (Blue Mug is A) the row matched no product; typed " b ", B's promotion in
    the data's second week matched and then vanished (1 regular week before it, 3 needed).
    Now "a" is A's promotion, measured (lift 2 by hand: 10 units / 2 orders before, 20 / 2
    during), and B's row is said with why and what would help. The editor asks for the
    product id by the name a merchant knows it by (SKU, 商品编码), in both languages."""
    words = UNMEASURED[lang]
    at = _mugs_page(
        _isolated_home,
        lang,
        [
            {"Product": "a", "From": "2024-03-11", "To": "2024-03-24"},
            {"Product": " b ", "From": "2024-01-08", "To": "2024-01-14"},
        ],
    )
    warnings = [w.value.replace("\\", "") for w in at.warning]  # inert()'s escapes
    assert words["note"] in warnings, warnings
    assert not any("matches no product" in w or "找不到" in w for w in warnings), warnings
    promos = next(d for d in at.dataframe if "lift" in d.value.columns).value
    assert promos["product_name"].tolist() == ["Blue Mug"] and promos["lift"].tolist() == [2.0]
    editor = next(d for d in at.dataframe if d.proto.editing_mode)
    assert json.loads(editor.proto.columns)["Product"]["label"] == words["header"]
    assert words["caption"] in [c.value for c in at.caption]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_promotion_says_the_entered_ones_could_not_be_measured(_isolated_home, lang):
    """With no promotion entered, the promotions tab says none is in the prices (the mugs'
    prices never move). With one entered that cannot be measured it said the same, which
    speaks only of the price history and reads as if the row was not seen; now it says the
    row could not be measured and points at the note saying why."""
    words = UNMEASURED[lang]
    at = _mugs_page(_isolated_home, lang, [])
    infos = [i.value for i in at.info]
    assert words["none"] in infos and words["none_measured"] not in infos, infos
    at.session_state["pr_events"] = {
        "edited_rows": {},
        "added_rows": [{"Product": "B", "From": "2024-01-08", "To": "2024-01-14"}],
        "deleted_rows": [],
    }
    at.run()
    assert not at.exception, at.exception
    infos = [i.value for i in at.info]
    assert words["none_measured"] in infos and words["none"] not in infos, infos
    assert words["note"] in [w.value.replace("\\", "") for w in at.warning]


#: what the page says of the rows typed without a day or ending before they start
LEFT_OUT = {
    "en": "2 promotion rows were left out: A (no last day), B (last day 1 February 2024 "
    "before the first, 10 February 2024); fill in their first and last days, the last on or "
    "after the first.",
    "zh": "2\u00a0条促销记录未计入：A（缺少结束日）、B（结束日2024年2月1日早于开始日2024年2月10日），"
    "请填写开始日和结束日，结束日不早于开始日。",
}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_rows_typed_without_a_day_or_ending_first_are_left_out_and_said(_isolated_home, lang):
    """A row typed with a product but no last day was dropped without a word (the command
    line refuses such a row and counts it), and one whose last day came before its first
    stopped the whole page with the command line's refusal. Now both are left out and named
    at the top with what to fill in, the good row is measured (Blue Mug, lift 2 by hand: 10
    units / 2 orders before, 20 / 2 during) and the grid's spare empty row is not said."""
    at = _mugs_page(
        _isolated_home,
        lang,
        [
            {"Product": "A", "From": "2024-03-11", "To": "2024-03-24"},
            {"Product": "A", "From": "2024-03-11"},
            {"Product": "B", "From": "2024-02-10", "To": "2024-02-01"},
            {},
        ],
    )
    warnings = [w.value.replace("\\", "") for w in at.warning]  # inert()'s escapes
    assert [w for w in warnings if "left out" in w or "未计入" in w] == [LEFT_OUT[lang]]
    assert not at.error, [e.value for e in at.error]
    promos = next(d for d in at.dataframe if "lift" in d.value.columns).value
    assert promos["product_name"].tolist() == ["Blue Mug"] and promos["lift"].tolist() == [2.0]
