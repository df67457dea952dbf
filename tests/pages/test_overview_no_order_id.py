"""A dataset without an order id (CDNOW's layout: customer, date, CDs, dollars,
whitespace-separated): the Overview read "Orders 0" and "Average order value n/a", and its
monthly table an Orders column of zeros (Chromium, ../shared/data/cdnow_master.txt.gz). Orders
are not counted there: no tile, no column, a caption says why; the Home's tile is not 0."""

from __future__ import annotations

import pytest

from ecomdash import kpis
from ecomdash import schema as S
from ecomdash.i18n import _, use_lang
from ecomdash.ingest import load_bytes
from ecomdash.store import Store
from tests.pages.conftest import run_page

CDNOW_LIKE = b"".join(
    f"{c:05d} 199701{d:02d} {n} {n * 12.5:.2f}\n".encode()
    for c in range(1, 41)
    for d, n in ((1 + c % 9, 1 + c % 3), (10 + c % 15, 2))
)


@pytest.fixture
def no_order_id(_isolated_home):
    res = load_bytes(CDNOW_LIKE, "cdnow_master.txt")
    store = Store.open(_isolated_home)
    try:
        info = store.save_dataset(
            "cdnow", res.lines, report=res.report, mapping=res.mapping.as_dict()
        )
        assert "order_id" not in info.columns
        k = kpis.compute_kpis(store, info.id)
    finally:
        store.close()
    return info, k


def test_no_order_id_counts_no_orders(no_order_id):
    _info, k = no_order_id
    assert k["orders"] is None and k["aov"] is None and k["repeat_customers"] is None, k
    assert k["revenue"] > 0 and k["customers"] == 40


def test_kpis_from_lines_agrees_without_an_order_id():
    """The pandas twin of compute_kpis on the same lines: no orders, no order value, no repeat
    customers counted (it raised a KeyError on the missing column), the same revenue."""
    res = load_bytes(CDNOW_LIKE, "cdnow_master.txt")
    got = kpis.kpis_from_lines(res.lines)
    assert got["orders"] is None and got["aov"] is None and got["repeat_customers"] is None
    assert got["customers"] == 40
    assert got["revenue"] == pytest.approx(res.lines["revenue"].sum())


def _tiles(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_overview_does_not_count_orders_without_an_order_id(no_order_id, lang):
    info, _k = no_order_id
    at = run_page("overview.py", dataset_id=info.id, lang=lang, timeout=120)
    assert not at.exception, at.exception
    with use_lang(lang):
        orders, aov = _("Orders"), _("Average order value")
        repeat = _("Returning customers")
        said = _(
            "This dataset has no order id, so orders, the average order value and "
            "returning customers are not counted: they need an order or receipt "
            "number on each line."
        )
    tiles = _tiles(at)
    assert orders not in tiles and aov not in tiles and repeat not in tiles, tiles
    assert said in [c.value for c in at.caption]
    assert all("orders" not in d.value.columns for d in at.dataframe)
    assert [len(r.options) for r in at.radio if r.key == "ov_metric"] == [1]  # revenue alone


def _tile_rows(at) -> list[list[str]]:
    """The labels of the metric tiles in each row of columns of the page's main area."""
    rows = []
    for block in at.main.children.values():
        cols = [c for c in getattr(block, "children", {}).values() if c.type == "column"]
        row = [m.label for c in cols for m in c.metric]
        if row:
            rows.append(row)
    return rows


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_overview_tiles_fill_their_rows_without_an_order_id(no_order_id, lang):
    """Without the orders' tiles the Units tile sat alone on a row between the money and the
    customers (Chromium, CDNOW): it joins the customers' row, two full rows of four."""
    info, _k = no_order_id
    at = run_page("overview.py", dataset_id=info.id, lang=lang, timeout=120)
    assert not at.exception, at.exception
    with use_lang(lang):
        units, customers = _("Units"), _("Customers")
    rows = _tile_rows(at)
    assert [len(r) for r in rows] == [4, 4], rows
    assert rows[1][:2] == [units, customers], rows


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_home_shows_no_order_tiles_without_an_order_id(no_order_id, lang):
    """The Home's key figures read "Orders n/a" and "Average order value n/a" on CDNOW: the
    tiles that cannot be counted are left out, as on the Overview; revenue and customers stay."""
    info, k = no_order_id
    at = run_page("home.py", dataset_id=info.id, lang=lang, timeout=180)
    assert not at.exception, at.exception
    with use_lang(lang):
        orders, aov, customers = _("Orders"), _("Average order value"), _("Customers")
        revenue = _("Net revenue")
    tiles = _tiles(at)
    assert orders not in tiles and aov not in tiles, tiles
    assert tiles[customers] == "40" and revenue in tiles, tiles
    # what a customer is, in purchase days: the dataset has no "product order"
    assert _customers_help(at, lang).startswith(days_definition(lang))


def days_definition(lang: str) -> str:
    with use_lang(lang):
        return _(S.CUSTOMER_DEFINITION_DAYS)


def _customers_help(at, lang: str) -> str:
    with use_lang(lang):
        label = _("Customers")
    return next(m.help for m in at.metric if m.label == label)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_customers_are_defined_in_purchase_days_without_an_order_id(no_order_id, lang):
    """The Customers tile's help read "customer ids with at least one product order ..." on
    CDNOW, which has no orders: it says purchase days, as the customer pages count them; a
    dataset with order ids keeps its orders' sentence."""
    info, _k = no_order_id
    at = run_page("overview.py", dataset_id=info.id, lang=lang, timeout=120)
    assert not at.exception, at.exception
    said = _customers_help(at, lang)
    assert said.startswith(days_definition(lang)), said
    assert "product order" not in said and "商品订单" not in said
    assert S.customer_definition(["order_id", "customer_id"]) == S.CUSTOMER_DEFINITION


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        (
            "en",
            "There are no breakdowns by Product id / SKU, Category, Country / region: this "
            "dataset has none of these columns; re-upload the export on the Data page and map "
            "one to each to see their breakdowns.",
        ),
        (
            "zh",
            "没有按 商品编码、品类、国家/地区 划分的明细：该数据集没有这些列；请在“数据”页面重新"
            "上传导出文件，并为每个字段各映射一列，即可查看这些明细。",
        ),
    ],
)
def test_the_overview_offers_no_empty_breakdown_tabs(no_order_id, lang, said):
    """CDNOW (customer, date, CDs, dollars) showed three tabs — top products, categories,
    countries — each holding only a sentence (session 59's walk): no tab is offered without
    rows, and one caption where they stood says which fields would fill them."""
    info, _k = no_order_id
    at = run_page("overview.py", dataset_id=info.id, lang=lang, timeout=120)
    assert not at.exception, at.exception
    assert len(at.tabs) == 0, [t.label for t in at.tabs]
    captions = [c.value.replace("\\", "") for c in at.caption]
    assert captions.count(said) == 1, captions
