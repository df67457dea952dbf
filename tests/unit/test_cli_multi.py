"""`ecomdash ingest FILE FILE ...` and one zip holding several tables, through the real entry
point on a temporary store; numbers checked against the fixtures' generation truths."""

from __future__ import annotations

import json

import pytest

from ecomdash.cli import main
from ecomdash.ingest.multi import zip_tables
from ecomdash.store import Store
from tests.multi_fixtures import erp_like, olist_like


def _write(tmp_path, files: dict[str, bytes]) -> list[str]:
    paths = []
    for name, data in files.items():
        p = tmp_path / name
        p.write_bytes(data)
        paths.append(str(p))
    return paths


def _run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_ingest_several_files_joins_counts_and_saves(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("ECOMDASH_HOME", str(tmp_path / "home"))
    files, truth = olist_like()
    paths = _write(tmp_path, files)
    code, out, err = _run(capsys, "ingest", *paths, "--name", "Olist", "--json")
    assert code == 0, err
    rep = json.loads(out)
    assert rep["lines_table"] == "olist_order_items_dataset"
    assert rep["quantity_from_count"] is True
    counted = next(s for s in rep["steps"] if s["step"] == "units counted")
    assert (counted["rows_before"], counted["rows_after"]) == (truth["unit_rows"], truth["lines"])
    assert rep["left_out"] == ["olist_order_payments_dataset"]
    assert "'o00000e0' appears 2 times" in rep["refused"][0]
    assert rep["rows_kept"] == truth["lines"]
    assert rep["mapping"]["category"] == "product_category_name"
    store = Store.open(tmp_path / "home")
    try:
        info = store.resolve(rep["dataset_id"])
        lines = store.load_lines(info.id)
    finally:
        store.close()
    assert info.name == "Olist"
    assert len(lines) == truth["saved_rows"]
    # net units (the canceled orders' sales and their return lines cancel out)
    assert lines["quantity"].sum() == sum(truth["units_by_product"].values())


def test_ingest_one_zip_with_tables_and_a_changed_join(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("ECOMDASH_HOME", str(tmp_path / "home"))
    files, truth = erp_like()
    z = tmp_path / "erp.zip"
    z.write_bytes(zip_tables(files))
    code, out, err = _run(capsys, "ingest", str(z), "--json")
    assert code == 0, err
    rep = json.loads(out)
    assert rep["lines_table"] == "OrderLines" and rep["rows_kept"] == truth["lines"]
    assert [j["table"] for j in rep["joins"]] == ["SalesOrders", "Customers"]
    cust = next(s for s in rep["steps"] if s["step"] == "describe: Customers")
    assert cust["matched"] == truth["matched_customers"]
    # leave the customers table out: no country any more
    code, out, err = _run(capsys, "ingest", str(z), "--join", "Customers=", "--json")
    assert code == 0, err
    rep2 = json.loads(out)
    assert "country" not in rep2["mapping"] and rep2["left_out"] == ["Customers"]
    # text output names the steps
    code, out, err = _run(capsys, "ingest", str(z))
    assert code == 0 and "describe: SalesOrders: 6 -> 6 rows, 6 lines matched" in out


def test_ingest_refuses_a_join_that_multiplies_lines(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("ECOMDASH_HOME", str(tmp_path / "home"))
    files, _ = erp_like(duplicate_customer=True)
    paths = _write(tmp_path, files)
    code, out, err = _run(capsys, "ingest", *paths, "--join", "Customers=CustomerNo")
    assert code != 0
    assert "'K-17' appears 2 times" in err + out


@pytest.mark.parametrize("bad", ["Nope=OrderNo", "Customers"])
def test_ingest_bad_join_option_says_what_to_do(tmp_path, capsys, monkeypatch, bad):
    monkeypatch.setenv("ECOMDASH_HOME", str(tmp_path / "home"))
    files, _ = erp_like()
    code, out, err = _run(capsys, "ingest", *_write(tmp_path, files), "--join", bad)
    assert code != 0 and ("no table named" in err or "TABLE=COLUMN" in err)
