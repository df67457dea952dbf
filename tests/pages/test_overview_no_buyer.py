"""A Pinduoduo or Douyin order export names no buyer (no customer id): the Overview showed four
customer tiles reading "n/a" (Customers, New customers, Returning in this period, Returning
customers) and the Home a Customers tile reading "n/a" (Chromium, tests/fixtures/cn_platforms).
The tiles the export cannot fill are left out, a caption says why, and the tiles it can fill
keep their rows: the money's four, then orders, average order value and units."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecomdash.i18n import _, use_lang
from tests.pages.conftest import run_page, save_upload
from tests.pages.test_overview_no_order_id import _tile_rows

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "cn_platforms"

NO_BUYER = (
    "This dataset names no buyer, so customers, new customers and returning customers are not "
    "counted: they need a customer id on each order."
)
CUSTOMER_LABELS = ("Customers", "New customers", "Returning in this period", "Returning customers")


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("export", ["pdd_orders.csv", "douyin_orders.csv"])
def test_the_overview_leaves_out_the_customer_tiles_without_a_buyer(_isolated_home, export, lang):
    info = save_upload(_isolated_home, FIX / export, export.split("_")[0])
    assert "customer_id" not in info.columns
    at = run_page("overview.py", dataset_id=info.id, lang=lang, timeout=120)
    assert not at.exception, at.exception
    with use_lang(lang):
        customer_labels = {_(label) for label in CUSTOMER_LABELS}
        said = _(NO_BUYER)
        money = [_(x) for x in ("Net revenue", "Gross sales", "Returns & cancellations")]
        orders = [_("Orders"), _("Average order value"), _("Units")]
    rows = _tile_rows(at)
    labels = [label for row in rows for label in row]
    assert not customer_labels & set(labels), rows
    assert all(m.value not in ("n/a", "暂无") for m in at.metric), [m.value for m in at.metric]
    assert [len(r) for r in rows] == [4, 3], rows
    assert rows[0][:3] == money and rows[1] == orders, rows
    assert said in [c.value for c in at.caption]
    if lang == "zh":
        assert said != NO_BUYER  # translated


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_home_shows_no_customers_tile_without_a_buyer(_isolated_home, lang):
    info = save_upload(_isolated_home, FIX / "pdd_orders.csv", "pdd")
    at = run_page("home.py", dataset_id=info.id, lang=lang, timeout=180)
    assert not at.exception, at.exception
    with use_lang(lang):
        customers, revenue, orders = _("Customers"), _("Net revenue"), _("Orders")
    tiles = {m.label: m.value for m in at.metric}
    assert customers not in tiles, tiles
    assert revenue in tiles and tiles[orders] == "5", tiles
