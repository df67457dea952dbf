"""A Pinduoduo export names no buyer: its customer pages told the merchant to map "a customer
id or email column (in a marketplace export: the orders table, joined with the customers
table)" and to re-upload the export and map that column (Chromium, Segments on
tests/fixtures/cn_platforms/pdd_orders.csv). Pinduoduo exports no customers table and the file
holds no such column: the page says the export names no buyer and what file would do."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecomdash.i18n import _, use_lang
from ecomdash.ingest import load_bytes
from ecomdash.ingest.platforms_cn import saved_layout
from ecomdash.store import Store
from tests.pages.conftest import run_page

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "cn_platforms"


def _save(home, name: str) -> str:
    res = load_bytes((FIX / name).read_bytes(), name)
    store = Store.open(home)
    try:
        info = store.save_dataset(name, res.lines, report=res.report, mapping=res.mapping.as_dict())
    finally:
        store.close()
    return info


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_pinduoduo_export_is_told_it_names_no_buyer(_isolated_home, lang):
    info = _save(_isolated_home, "pdd_orders.csv")
    assert "customer_id" not in info.columns
    assert saved_layout(info.mapping).key == "pinduoduo"
    at = run_page("segments.py", dataset_id=info.id, lang=lang, timeout=120)
    assert not at.exception, at.exception
    said = " ".join(i.value for i in at.info)
    with use_lang(lang):
        want = _(
            "This dataset is a {layout}, which names no buyer, so {analysis} cannot "
            "run on it: it needs a customer id on each order. Upload an order export "
            "that names the buyer of each order on the Data page, or pick another "
            "dataset in the sidebar.",
            layout=_("Pinduoduo order export (拼多多 订单导出)"),
            analysis=_("customer segmentation"),
        )
    assert want in said, said
    assert "customers table" not in said and "客户表" not in said


def test_a_taobao_export_is_recognised_and_another_file_is_not():
    res = load_bytes((FIX / "taobao_orders.csv").read_bytes(), "taobao_orders.csv")
    assert saved_layout(res.mapping.as_dict()).key != "pinduoduo"
    assert saved_layout({"order_id": "Invoice", "revenue": "Price", "product_id": "Code"}) is None
