"""A dataset's currency on the Spark engine's lake: ``ecomdash ingest --on-cluster
--currency CODE`` records it in the catalogue entry's report as the DuckDB store and the Save
form do, and ``ecomdash datasets --set-currency`` changes it by switching the catalogue alone
(a new version with the same Parquet parts: no line read or written)."""

from __future__ import annotations

import json
import os

from ecomdash.cli import main
from tests.unit.test_cli_currency import CSV

SPARK = ["--engine", "spark", "--spark-remote", "local[2]"]


def _run(capsys, argv):
    assert main(argv) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


def _files(root) -> set[str]:
    return {
        os.path.relpath(os.path.join(d, f), root)
        for d, _dirs, files in os.walk(root)
        for f in files
        if f != "catalog.json" and not f.startswith(".")
    }


def test_currency_on_the_lake(capsys, spark_session, tmp_path, monkeypatch):
    lake = tmp_path / "lake"
    monkeypatch.setenv("ECOMDASH_LAKE", str(lake))
    path = tmp_path / "online_retail.csv"
    path.write_text(CSV, encoding="utf-8")

    got = _run(capsys, ["ingest", str(path), "--on-cluster", "--currency", "GBP", *SPARK, "--json"])
    assert got["route"] == "cluster" and got["currency"] == "GBP"
    ds = got["dataset_id"]
    k = _run(capsys, ["datasets", *SPARK, "--json"])
    assert [(d["id"], d["currency"], d["version"]) for d in k["datasets"]] == [(ds, "GBP", 1)]
    assert main(["kpis", "--dataset", ds, *SPARK]) == 0
    assert "Net revenue: £195.00" in capsys.readouterr().out

    parts = _files(lake)
    got = _run(capsys, ["datasets", "--dataset", ds, "--set-currency", "EUR", *SPARK, "--json"])
    assert (got["version"], got["currency"], got["previous_currency"]) == (2, "EUR", "GBP")
    assert _files(lake) == parts  # only the catalogue changed
    [cat] = [p for p in lake.rglob("catalog.json")]
    entry = json.loads(cat.read_text(encoding="utf-8"))["datasets"][ds]
    assert entry["report"]["currency"] == "EUR" and entry["parts"] == ["v1"]
    assert main(["kpis", "--dataset", ds, *SPARK]) == 0
    assert "Net revenue: €195.00" in capsys.readouterr().out


def test_currency_change_after_an_append_it_did_not_see_changes_nothing(spark_session, tmp_path):
    """The lake's twin of the DuckDB race test: an append switches the catalogue between
    ``set_currency`` reading the dataset and switching it, so the switch is refused with what
    to do and the catalogue entry stays as the append left it (version, parts, no currency)."""
    import pytest

    from ecomdash.spark.store import SparkStore
    from ecomdash.store import StoreError
    from tests.unit.test_store_aggregates import fixture_lines

    lines = fixture_lines()
    sp = SparkStore(spark_session, str(tmp_path / "lake"))
    first = sp.save_dataset("Shop", lines.iloc[:10])
    stale = sp.info(first.id)
    sp.append(first.id, lines)  # version 2
    before = sp._entry(first.id)
    assert before["version"] == 2
    sp.info = lambda _id: stale  # what set_currency read before the append switched
    with pytest.raises(StoreError, match="changed while its currency was being set"):
        sp.set_currency(first.id, "EUR")
    del sp.info
    after = sp._entry(first.id)
    assert after == before and "currency" not in after["report"]
    assert sp.info(first.id).version == 2


def test_not_stated_on_the_lake(capsys, spark_session, tmp_path, monkeypatch):
    """``--set-currency none`` on the lake: the catalogue entry records ``""`` (the DuckDB
    store's "Not stated", ``currencies.NOT_STATED``), so amounts read "£6.95" are shown
    without a sign; before, only a code could be set and the one read off came back."""
    from tests.unit.test_cli_currency import SIGNED

    lake = tmp_path / "lake"
    monkeypatch.setenv("ECOMDASH_LAKE", str(lake))
    path = tmp_path / "signed.csv"
    path.write_text(SIGNED, encoding="utf-8")
    got = _run(capsys, ["ingest", str(path), "--on-cluster", *SPARK, "--json"])
    assert got["currency"] == "GBP"  # read off the amounts
    ds = got["dataset_id"]
    parts = _files(lake)
    got = _run(capsys, ["datasets", "--dataset", ds, "--set-currency", "none", *SPARK, "--json"])
    assert (got["version"], got["currency"], got["previous_currency"]) == (2, None, "GBP")
    assert _files(lake) == parts  # only the catalogue changed
    [cat] = [p for p in lake.rglob("catalog.json")]
    entry = json.loads(cat.read_text(encoding="utf-8"))["datasets"][ds]
    assert entry["report"]["currency"] == ""
    k = _run(capsys, ["datasets", *SPARK, "--json"])
    assert [(d["currency"], d["version"]) for d in k["datasets"]] == [(None, 2)]
    assert main(["kpis", "--dataset", ds, *SPARK]) == 0
    out = capsys.readouterr().out
    assert "Net revenue: 195.00" in out and "£" not in out, out


def test_not_stated_on_the_cluster_ingest(capsys, spark_session, tmp_path, monkeypatch):
    """``ingest --on-cluster --currency none``: the cluster's save records ``""`` as the app's
    does, so amounts read "£6.95" are shown without a sign from the first version on."""
    from tests.unit.test_cli_currency import SIGNED

    lake = tmp_path / "lake"
    monkeypatch.setenv("ECOMDASH_LAKE", str(lake))
    path = tmp_path / "signed.csv"
    path.write_text(SIGNED, encoding="utf-8")
    got = _run(
        capsys, ["ingest", str(path), "--on-cluster", "--currency", "none", *SPARK, "--json"]
    )
    assert (got["route"], got["currency"], got["version"]) == ("cluster", None, 1)
    [cat] = [p for p in lake.rglob("catalog.json")]
    entry = json.loads(cat.read_text(encoding="utf-8"))["datasets"][got["dataset_id"]]
    assert entry["report"]["currency"] == ""
    assert main(["kpis", "--dataset", got["dataset_id"], *SPARK]) == 0
    out = capsys.readouterr().out
    assert "Net revenue: 195.00" in out and "£" not in out, out
