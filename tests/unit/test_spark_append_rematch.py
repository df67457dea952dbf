"""``ecomdash ingest --on-cluster --append-to``: the cluster's append (``SparkStore.append_frame``)
re-matches the appended export's returns with the lake's saved sales, as the app's append does.
January saved on the cluster, February appended (its returns cancel two January sales), then
March (its sale of 1 February takes a February return's match from January's 1002): the
lake's lines then flag the sales one file of all three flags, and count the same orders."""

from __future__ import annotations

import json

from ecomdash.cli import main
from ecomdash.ingest import load_bytes
from tests.unit.test_append_rematch import FEB, JAN, MAR, _body

SPARK = ["--engine", "spark", "--spark-remote", "local[2]"]


def _run(capsys, argv):
    assert main(argv) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


def _flags(lines):
    cols = ["order_id", "product_id", "quantity", "is_return", "is_cancelled"]
    return sorted(tuple(r) for r in lines[cols].astype(str).values.tolist())


def test_cluster_appends_flag_the_lines_as_one_file_of_all_exports(
    capsys, spark_session, tmp_path, monkeypatch
):
    from ecomdash.spark.store import SparkStore

    monkeypatch.setenv("ECOMDASH_LAKE", str(tmp_path / "lake"))
    monkeypatch.setenv("ECOMDASH_HOME", str(tmp_path / "home"))
    paths = {}
    for name, data in (("jan.csv", JAN), ("feb.csv", FEB), ("mar.csv", MAR)):
        paths[name] = tmp_path / name
        paths[name].write_bytes(data)
    got = _run(capsys, ["ingest", str(paths["jan.csv"]), "--on-cluster", *SPARK, "--json"])
    ds = got["dataset_id"]
    appended = [
        _run(
            capsys,
            ["ingest", str(paths[n]), "--on-cluster", "--append-to", ds, *SPARK, "--json"],
        )
        for n in ("feb.csv", "mar.csv")
    ]
    # one file of all three, in the app's store
    both = tmp_path / "all.csv"
    both.write_bytes(JAN + _body(FEB) + _body(MAR))
    one = load_bytes(both.read_bytes(), "all.csv")
    whole = _run(capsys, ["ingest", str(both), "--name", "All", "--json"])

    lake = SparkStore(spark_session, str(tmp_path / "lake"))
    lines = lake.load_lines(ds)
    assert _flags(lines) == _flags(one.lines)
    assert sorted(lines.loc[lines["is_cancelled"], "order_id"]) == ["1003", "1006"]
    assert lake.cancelled_sales(ds) == one.report.matched_cancellations == 2
    k_lake = _run(capsys, ["kpis", "--dataset", ds, *SPARK, "--json"])
    k_one = _run(capsys, ["kpis", "--dataset", whole["dataset_id"], "--json"])
    for key in ("orders", "customers"):
        assert k_lake[key] == k_one[key], key
    # February's returns cancel 1002 and 1003, saved before; March's sale of 1 February is
    # cancelled by February's saved return instead of 1002: the total does not move
    assert [
        (a["route"], a["added"], a["cancelled_across"], a["returns_across"], a["sales_across"])
        for a in appended
    ] == [("cluster", 3, 2, 2, 0), ("cluster", 2, 0, 0, 1)]
