"""`ecomdash ingest A B …` with order exports of their own: stacked into one dataset, one summary
per file and the dataset's total (text in en and zh, --json); refused with --on-cluster."""

from __future__ import annotations

import json
from pathlib import Path

from ecomdash.cli import main
from ecomdash.store import Store
from tests.unit.test_ingest_stack import JAN_MAR, MAR_MAY

CN = Path(__file__).parents[1] / "fixtures" / "cn_platforms"


def _files(tmp_path) -> list[str]:
    out = []
    for name, data in (("jan_mar.csv", JAN_MAR), ("mar_may.csv", MAR_MAY)):
        (tmp_path / name).write_bytes(data)
        out.append(str(tmp_path / name))
    return out


def test_ingest_stacks_overlapping_exports_json(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("ECOMDASH_HOME", str(tmp_path / "home"))
    code = main(["ingest", *_files(tmp_path), "--name", "Spring", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    rep = json.loads(out)
    assert rep["stacked"] is True and rep["rows"] == 6 and rep["name"] == "Spring"
    assert [
        (f["file"], f["rows_read"], f["rows_kept"], f["added"], f["duplicates_skipped"])
        for f in rep["files"]
    ] == [("jan_mar.csv", 4, 4, 4, 0), ("mar_may.csv", 5, 4, 2, 2)]
    store = Store.open(tmp_path / "home")
    try:
        lines = store.load_lines(rep["dataset_id"])
    finally:
        store.close()
    assert round(float(lines["revenue"].sum()), 2) == 42.5


def test_ingest_stacks_taobao_and_jd_text_in_both_languages(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("ECOMDASH_HOME", str(tmp_path / "home"))
    paths = [str(CN / "taobao_items_v2.csv"), str(CN / "jd_orders.csv")]
    assert main(["ingest", *paths]) == 0
    out = capsys.readouterr().out
    assert "taobao_items_v2.csv: 6 rows read, 4 kept; 5 lines added, 0 already saved" in out
    assert "jd_orders.csv: 9 rows read, 7 kept; 8 lines added, 0 already saved" in out
    assert (
        "'taobao_items_v2.csv' has no Customer id, Country / region, Channel: its 5 lines "
        "have none."
    ) in out
    assert "2 exports stacked, 13 lines" in out
    assert main(["ingest", *paths, "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert "jd_orders.csv：读取\u00a09\u00a0行，保留\u00a07\u00a0行" in out
    assert "合并了\u00a02\u00a0个导出文件，共\u00a013\u00a0个订单行" in out


def test_on_cluster_with_several_files_is_refused(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("ECOMDASH_HOME", str(tmp_path / "home"))
    code = main(["ingest", *_files(tmp_path), "--on-cluster"])
    out, err = capsys.readouterr()
    assert code != 0 and out == ""
    assert "--on-cluster reads one CSV export on the cluster" in err
    assert "Traceback" not in err
    store = Store.open(tmp_path / "home")
    try:
        assert store.list_datasets() == []
    finally:
        store.close()


def test_stacked_into_the_spark_lake(tmp_path, capsys, monkeypatch, spark_session):
    """With the Spark engine the exports are stacked through the same route (SparkStore's save
    and append): the lake's dataset holds the 6 lines, March's two skipped, as DuckDB's."""
    monkeypatch.setenv("ECOMDASH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ECOMDASH_LAKE", str(tmp_path / "lake"))
    spark = ["--engine", "spark", "--spark-remote", "local[2]"]
    assert main(["ingest", *_files(tmp_path), *spark, "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["route"] == "app" and rep["rows"] == 6
    assert [(f["added"], f["duplicates_skipped"]) for f in rep["files"]] == [(4, 0), (2, 2)]


def test_ingest_says_the_sales_a_return_in_another_export_cancels(tmp_path, capsys, monkeypatch):
    """January's export and February's (its returns cancel two January sales and a March one,
    whose repeat in February's file the save skips): the summary says 3 sale lines are
    cancelled across the exports, in English, Chinese and --json; nothing is said when no
    return crosses files (jan_mar + mar_may)."""
    from tests.unit.test_ingest_stack import FEB, JAN

    monkeypatch.setenv("ECOMDASH_HOME", str(tmp_path / "home"))
    paths = []
    for name, data in (("jan.csv", JAN), ("feb.csv", FEB)):
        (tmp_path / name).write_bytes(data)
        paths.append(str(tmp_path / name))
    assert main(["ingest", *paths, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["cancelled_across"] == 3
    assert main(["ingest", *paths]) == 0
    assert (
        "3 sale lines are cancelled by a return in another of these exports (a return the "
        "month after the sale, say), as one file of all of them would count them."
    ) in capsys.readouterr().out
    assert main(["ingest", *paths, "--lang", "zh"]) == 0
    assert "有\u00a03\u00a0行销售被另一个导出文件中的退货冲销" in capsys.readouterr().out
    assert main(["ingest", *_files(tmp_path)]) == 0
    assert "another of these exports" not in capsys.readouterr().out
