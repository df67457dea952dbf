"""`ecomdash ingest / datasets / kpis` through the real entry point, on a temporary store."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from ecomdash.cli import main
from tests.unit.tiny import tiny_lines

CSV = (
    "Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country\n"
    "489434,85048,LIGHT,12,2009-12-01 07:45:00,6.95,13085.0,United Kingdom\n"
    "489434,79323P,PINK CHERRY LIGHTS,12,2009-12-01 07:45:00,6.75,13085.0,United Kingdom\n"
    "489435,22350,CAT BOWL,12,2009-12-02 07:46:00,2.55,,United Kingdom\n"
    "C489449,22087,PAPER BUNTING,-12,2009-12-03 10:33:00,2.95,16321.0,Australia\n"
    "489434,85048,LIGHT,12,2009-12-01 07:45:00,6.95,13085.0,United Kingdom\n"
)


def _run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_ingest_json_then_datasets_and_kpis(tmp_path, capsys):
    f = tmp_path / "uci.csv"
    f.write_text(CSV)
    code, out, err = _run(capsys, "ingest", str(f), "--name", "UCI bit", "--json")
    assert code == 0, err
    rep = json.loads(out)
    assert rep["rows_read"] == 5 and rep["rows_kept"] == 4  # one exact duplicate dropped
    assert (
        rep["mapping"]["order_id"] == "Invoice" and rep["mapping"]["customer_id"] == "Customer ID"
    )
    assert {r["rule"] for r in rep["rules"]} and all(
        {"rule", "rows"} <= set(r) for r in rep["rules"]
    )
    ds = rep["dataset_id"]

    code, out, _ = _run(capsys, "datasets", "--json")
    assert [d["id"] for d in json.loads(out)["datasets"]] == [ds]

    code, out, _ = _run(capsys, "kpis", "--dataset", ds, "--json")
    k = json.loads(out)
    # by hand: gross 12*6.95 + 12*6.75 + 12*2.55 = 83.4 + 81 + 30.6 = 195.0; returns 12*2.95 = 35.4
    assert k["gross_sales"] == pytest.approx(195.0)
    assert k["returns"] == pytest.approx(35.4)
    assert k["revenue"] == pytest.approx(159.6)
    assert k["orders"] == 2 and k["customers"] == 1
    assert k["aov"] == pytest.approx(79.8)

    code, out, _ = _run(
        capsys, "kpis", "--dataset", ds, "--start", "2009-12-02", "--end", "2009-12-02", "--json"
    )
    k = json.loads(out)
    assert k["gross_sales"] == pytest.approx(30.6) and k["orders"] == 1


def test_manual_mapping_override(tmp_path, capsys):
    f = tmp_path / "x.csv"
    f.write_text("a,b,c\n1,2024-01-01,9.5\n2,2024-01-02,3\n")
    code, out, err = _run(
        capsys, "ingest", str(f), "--map", "order_id=a", "order_date=b", "revenue=c", "--json"
    )
    assert code == 0, err
    assert json.loads(out)["mapping"] == {"order_id": "a", "order_date": "b", "revenue": "c"}


def test_bad_file_exits_nonzero_with_message(tmp_path, capsys):
    f = tmp_path / "bad.csv"
    f.write_bytes(b"")
    code, out, err = _run(capsys, "ingest", str(f))
    assert code == 2 and out == ""
    assert err.startswith("ecomdash: ") and "empty" in err.lower()
    assert "Traceback" not in err
    code, _, err = _run(capsys, "ingest", str(tmp_path / "missing.csv"))
    assert code == 2 and "no file" in err.lower()
    code, _, err = _run(capsys, "kpis", "--dataset", "nope")
    assert code == 2 and "No dataset" in err


def test_workspace_option_keeps_merchants_apart(tmp_path, capsys):
    from ecomdash.store import Store

    s = Store.open(workspace="shop-a")
    info = s.save_dataset("A", tiny_lines())
    s.close()
    _, out, _ = _run(capsys, "--workspace", "shop-b", "datasets", "--json")
    assert json.loads(out)["datasets"] == []
    code, _, err = _run(capsys, "--workspace", "shop-b", "kpis", "--dataset", info.id)
    assert code == 2
    _, out, _ = _run(capsys, "--workspace", "shop-a", "datasets", "--json")
    assert [d["id"] for d in json.loads(out)["datasets"]] == [info.id]


def test_console_script_and_module_entry(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "ecomdash", "datasets", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {"datasets": []}


def test_workspace_option_after_the_subcommand(capsys):
    from ecomdash.store import Store

    s = Store.open(workspace="shop-c")
    info = s.save_dataset("C", tiny_lines())
    s.close()
    _, out, _ = _run(capsys, "datasets", "--workspace", "shop-c", "--json")
    assert [d["id"] for d in json.loads(out)["datasets"]] == [info.id]
    _, out, _ = _run(capsys, "datasets", "--json")
    assert json.loads(out)["datasets"] == []


def test_ingest_max_mb_sets_the_file_size_limit(tmp_path, capsys):
    """The CLI reads files past the web upload's 200 MB (a 10 M-line .csv.gz is ~300 MB)
    up to --max-mb; above it, the limit is said in MB and nothing is saved."""
    f = tmp_path / "orders.csv"
    f.write_text(CSV)
    size = f.stat().st_size
    code, out, err = _run(capsys, "ingest", str(f), "--max-mb", str(size / 2 / 2**20), "--json")
    assert code == 2 and out == "" and "the limit is" in err
    code, out, _ = _run(capsys, "ingest", str(f), "--max-mb", str(size / 2**20), "--json")
    assert code == 0 and json.loads(out)["rows_read"] == 5
