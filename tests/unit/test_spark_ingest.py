"""``ecomdash ingest --on-cluster``: Spark reads the CSV, the executors run the in-app
cleaner in parts, and the saved dataset equals the in-app ingest's.

Two levels:

- without Spark: the part-by-part cleaning (``ecomdash.ingest.partitioned``) on a file cut
  in parts, with the whole-file decisions computed as the Spark route computes them, gives
  the same lines and report as ``clean`` on the whole file (the demo export and a file
  planted with every whole-file rule: duplicates and cancellation invoices across the
  cuts, a decimal comma, day/month dates, refunded states, guest placeholders);
- with Spark (local mode; skipped without pyspark/Java): the CLI on both routes, the same
  line count, report counts and ``ecomdash kpis --json`` to the cent, on the demo export,
  the planted file and the first 60,000 lines of the UCI file.
"""

from __future__ import annotations

import gzip
import json
import re

import numpy as np
import pandas as pd
import pytest

from ecomdash import schema as S
from ecomdash.cli import main
from ecomdash.ingest import partitioned as P
from ecomdash.ingest import propose_mapping, read_bytes
from ecomdash.ingest.clean import clean
from ecomdash.ingest.clean_text import _duplicates
from ecomdash.ingest.convert import codes_of
from ecomdash.ingest.mapping import resolve_mapping
from tests.conftest import SHARED_DATA, shared

UCI = SHARED_DATA / "online_retail_ii_2009_2010.csv.gz"


def _demo_csv(demo) -> bytes:
    cols = [c for c in S.CANONICAL if c in demo.lines]
    return demo.lines[cols].to_csv(index=False).encode()


def _planted_csv() -> bytes:
    """A semicolon export with a decimal comma, day/month dates, refunds and guests, whose
    whole-file rules straddle any cut: exact duplicates far apart, a cancellation invoice
    split over many lines, a sale and its cancelling return in different parts."""
    rng = np.random.default_rng([7, 2611])
    rows = []
    for i in range(3000):
        d = 1 + i % 28
        m = 1 + (i // 28) % 12
        cust = ["0", "guest", f"C{100 + i % 40}", f" {200 + i % 30}.0 "][i % 4]
        qty = int(rng.integers(1, 5))
        price = f"{rng.integers(1, 3000) / 100:.2f}".replace(".", ",")
        status = "Refunded" if i % 97 == 0 else "Paid"
        rows.append(
            [
                f"{5000 + i // 3}",
                f"{d:02d}/{m:02d}/2023 10:{i % 60:02d}",
                cust,
                f"P{i % 50}",
                f"Item {i % 50}",
                str(qty),
                price,
                status,
            ]
        )
    # a duplicate of line 10 near the end, and of line 1500 twice
    rows.insert(2900, list(rows[10]))
    rows.insert(1700, list(rows[1500]))
    rows.insert(2990, list(rows[1500]))
    # a cancellation invoice over several lines, cancelling sales of the first part
    for k in range(6):
        src = rows[200 + 4 * k + 3]  # a customer with an id
        rows.append(
            [
                f"C{9000 + k // 3}",
                "28/12/2023 11:00",
                src[2],
                src[3],
                src[4],
                f"-{src[5]}",
                src[6],
                "Paid",
            ]
        )
    rows.append(["bad", "not a date", "1", "P1", "Item 1", "1", "1,00", "Paid"])
    rows.append(["bad2", "01/01/2023 10:00", "1", "P1", "Item 1", "x", "1,00", "Paid"])
    head = "Invoice;InvoiceDate;Customer ID;StockCode;Description;Quantity;Price;Status"
    body = "\n".join(";".join(r) for r in rows)
    return (head + "\n" + body + "\n").encode()


def _in_parts(raw, mapping, cuts: int):
    """The Spark route's steps, in pandas: whole-file decisions, parts, groups, merge."""
    formats = P.infer_formats(raw, mapping)
    dup = _duplicates([codes_of(raw.data[c])[0] for c in raw.data.columns])
    n = len(raw.data)
    bounds = np.linspace(0, n, cuts + 1).astype(int)
    parts = [
        P.part_table(raw.data.iloc[a:b], raw.columns, raw.line_no[a:b])
        for a, b in zip(bounds[:-1], bounds[1:], strict=True)
    ]
    rows, ids = 0, {}
    for part in parts:
        k, got = P.cancel_id_counts(part, mapping[S.ORDER_ID])
        rows += k
        for i, c in got.items():
            ids[i] = ids.get(i, 0) + c
    cancel = bool(ids) and sum(ids.values()) / rows < 0.5
    lines, reports = [], []
    for part, a, b in zip(parts, bounds[:-1], bounds[1:], strict=True):
        got, rep = P.clean_part(
            part, mapping, formats=formats, duplicates=dup[a:b], cancel_invoices=cancel
        )
        lines.append(got)
        reports.append(rep)
    every = pd.concat(lines, ignore_index=True)
    key = every[[S.CUSTOMER_ID, S.PRODUCT_ID]].astype(str)
    bucket = pd.util.hash_pandas_object(key, index=False).to_numpy() % 5
    done, matched, added = [], 0, 0
    for _, group in every.groupby(bucket, sort=False):
        got, m, a = P.finish_returns(group)
        done.append(got)
        matched += int(m.sum())
        added += int(a.sum())
    report = P.merge_reports(
        reports, invoices=len(ids) if cancel else None, matched=matched, added=added
    )
    return pd.concat(done, ignore_index=True), report


def _sorted(lines: pd.DataFrame) -> pd.DataFrame:
    return lines.sort_values([S.LINE_NO, S.IS_RETURN], kind="stable").reset_index(drop=True)


@pytest.mark.parametrize("which", ["demo", "planted"])
def test_parts_equal_the_whole_file(which, demo):
    data = _demo_csv(demo) if which == "demo" else _planted_csv()
    raw = read_bytes(data, "orders.csv")
    mapping = resolve_mapping(raw, propose_mapping(raw), None)
    whole, report = clean(raw, mapping)
    parts, merged = _in_parts(raw, mapping, cuts=4)
    a, b = report.to_dict(), merged.to_dict()
    assert b == a
    if which == "planted":  # the planted rules did fire, across the cuts
        counts = report.counts()
        assert counts["duplicate"] == 3
        assert counts["cancellation_invoice"] == 6
        assert report.matched_cancellations == 6
        assert report.added_returns == counts["refund_status"] > 0
        assert counts["unreadable_date"] == counts["unreadable_number"] == 1
        assert mapping[S.QUANTITY] == "Quantity"
    pd.testing.assert_frame_equal(_sorted(parts)[whole.columns], _sorted(whole))


def test_formats_come_from_the_sample():
    raw = read_bytes(_planted_csv(), "orders.csv")
    mapping = resolve_mapping(raw, propose_mapping(raw), None)
    formats = P.infer_formats(raw, mapping)
    assert formats["decimal"][S.UNIT_PRICE] == ","
    assert formats["dayfirst"][0] is True  # 28/12 proves day/month
    # a part with no evidence of its own still reads the file's way: 01/02 is 1 February
    part = P.part_table(raw.data.iloc[[0]], raw.columns, raw.line_no[:1])
    one = part.data.copy()
    one.loc[0, "InvoiceDate"] = "01/02/2023 10:00"
    one.loc[0, "Price"] = "1,50"
    part = P.RawTable(data=one, line_no=part.line_no, format="csv")
    lines, _ = P.clean_part(
        part, mapping, formats=formats, duplicates=np.zeros(1, bool), cancel_invoices=True
    )
    assert lines[S.ORDER_DATE].iloc[0] == pd.Timestamp("2023-02-01 10:00")
    assert lines[S.UNIT_PRICE].iloc[0] == 1.5


def test_read_head_cuts_at_a_line(tmp_path):
    path = tmp_path / "x.csv.gz"
    text = "".join(f"{i},{'a' * 50}\n" for i in range(1000))
    path.write_bytes(gzip.compress(text.encode()))
    head, whole = P.read_head(path, max_bytes=1000)
    assert not whole and head.endswith(b"\n") and text.encode().startswith(head)
    assert P.read_head(path, max_bytes=10**6) == (text.encode(), True)


# ---- through Spark -------------------------------------------------------------------------

SPARK = ["--engine", "spark", "--spark-remote", "local[2]"]


def _run(capsys, argv):
    assert main(argv) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


def _both_routes(capsys, spark_session, tmp_path, monkeypatch, path):
    monkeypatch.setenv("ECOMDASH_LAKE", str(tmp_path / "lake"))
    app = _run(capsys, ["ingest", str(path), "--json"])
    cluster = _run(capsys, ["ingest", str(path), "--on-cluster", *SPARK, "--json"])
    assert app["route"] == "app" and cluster["route"] == "cluster"
    k_app = _run(capsys, ["kpis", "--dataset", app["dataset_id"], "--json"])
    k_cluster = _run(capsys, ["kpis", "--dataset", cluster["dataset_id"], *SPARK, "--json"])
    return app, cluster, k_app, k_cluster


def _same_answers(app, cluster, k_app, k_cluster):
    for k in ("rows_read", "rows_kept", "added_returns", "mapping", "kind"):
        assert cluster[k] == app[k], k
    assert [(r["rule"], r["rows"], r["label"]) for r in cluster["rules"]] == [
        (r["rule"], r["rows"], r["label"]) for r in app["rules"]
    ]
    for k, v in k_app.items():
        if k == "dataset_id":
            continue
        if isinstance(v, float):
            assert round(k_cluster[k], 2) == round(v, 2), k
        else:
            assert k_cluster[k] == v, k


def test_cluster_ingest_equals_app_on_the_demo(capsys, spark_session, tmp_path, monkeypatch, demo):
    path = tmp_path / "demo_orders.csv"
    path.write_bytes(_demo_csv(demo))
    app, cluster, k_app, k_cluster = _both_routes(
        capsys, spark_session, tmp_path, monkeypatch, path
    )
    _same_answers(app, cluster, k_app, k_cluster)
    assert cluster["rows_kept"] == len(demo.lines)
    rules = {r["rule"]: r["rows"] for r in cluster["rules"]}
    assert rules["cancelled_sale"] > 1000  # the demo's cancellations were matched


def test_cluster_ingest_equals_app_on_planted_rules(capsys, spark_session, tmp_path, monkeypatch):
    path = tmp_path / "planted.csv.gz"
    path.write_bytes(gzip.compress(_planted_csv()))
    app, cluster, k_app, k_cluster = _both_routes(
        capsys, spark_session, tmp_path, monkeypatch, path
    )
    _same_answers(app, cluster, k_app, k_cluster)
    rules = {r["rule"]: r["rows"] for r in cluster["rules"]}
    assert rules["duplicate"] == 3 and rules["cancelled_sale"] == 6
    # the same export appended on the cluster: every line is already there
    again = _run(
        capsys,
        [
            "ingest",
            str(path),
            "--on-cluster",
            "--append-to",
            cluster["dataset_id"],
            *SPARK,
            "--json",
        ],
    )
    n = cluster["rows_kept"] + cluster["added_returns"]
    assert (again["added"], again["duplicates_skipped"], again["version"]) == (0, n, 2)


def test_cluster_ingest_equals_app_on_uci_head(capsys, spark_session, tmp_path, monkeypatch):
    src = shared(UCI)
    with gzip.open(src, "rb") as fh:
        head = b"".join(fh.readline() for _ in range(60_001))
    path = tmp_path / "uci_head.csv.gz"
    path.write_bytes(gzip.compress(head))
    app, cluster, k_app, k_cluster = _both_routes(
        capsys, spark_session, tmp_path, monkeypatch, path
    )
    _same_answers(app, cluster, k_app, k_cluster)
    assert app["rows_read"] == 60_000


def test_a_file_with_title_lines_is_read_in_the_app(capsys, spark_session, tmp_path, monkeypatch):
    monkeypatch.setenv("ECOMDASH_LAKE", str(tmp_path / "lake"))
    path = tmp_path / "orders.csv"
    path.write_text("Shop report\n\nInvoice,StockCode,Quantity,InvoiceDate\n1,A,2,2024-01-02\n")
    assert main(["ingest", str(path), "--on-cluster", *SPARK, "--json"]) == 0
    out = capsys.readouterr()
    got = json.loads(out.out)
    assert got["route"] == "app" and got["rows_kept"] == 1
    assert "Read in the app: The file has title lines above the table" in out.err


def test_on_cluster_needs_spark(capsys, tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("Invoice,StockCode,Quantity\n1,A,2\n")
    assert main(["ingest", str(path), "--on-cluster", "--engine", "duckdb"]) != 0
    assert "--on-cluster needs the Spark engine" in capsys.readouterr().err


def test_the_package_zip_is_importable_on_its_own(tmp_path):
    """What Spark Connect ships to the executors: the cleaner imports from the zip alone."""
    import subprocess
    import sys

    pytest.importorskip("pyspark")
    from ecomdash.spark.ingest import package_zip

    z = package_zip(tmp_path)
    code = (
        f"import sys; sys.path.insert(0, {str(z)!r}); "
        "import ecomdash.ingest.partitioned as p; print(p.__file__)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().startswith(str(z))


def test_cluster_ingest_steps_speak_the_command_language(
    capsys, spark_session, tmp_path, monkeypatch
):
    """The cluster's steps, on stdout and as they happen on stderr, in --lang's words (they were
    English ids of what was done, "… rows read and numbered on the cluster", under a Chinese
    heading); the JSON's steps stay English."""
    monkeypatch.setenv("ECOMDASH_LAKE", str(tmp_path / "lake"))
    path = tmp_path / "planted.csv.gz"
    path.write_bytes(gzip.compress(_planted_csv()))
    cluster = _run(capsys, ["ingest", str(path), "--on-cluster", *SPARK, "--json"])
    steps = [s["step"] for s in cluster["steps"]]
    rows = f"{cluster['rows_read']:,}"
    assert steps[1] == f"{rows} rows read and numbered on the cluster"
    assert steps[-1] == "lines written to the lake"
    assert main(["ingest", str(path), "--on-cluster", *SPARK, "--lang", "zh"]) == 0
    out = capsys.readouterr()
    lines = out.out.splitlines()
    head = lines.index("已在集群上读取、映射并清洗（应用只读取了文件开头）：")
    shown = lines[head + 1 : head + 1 + len(steps)]
    names = [s.split("：")[0] for s in shown]
    assert names == [
        "  已在应用中读取样本，并确定列映射和格式",
        f"  已在集群上读取\u00a0{rows}\u00a0行并编号",
        *names[2:-2],  # duplicates and cancellations, the cleaning in parts
        "  已在执行器上把退货与其销售配对",
        "  订单行已写入数据湖",
    ]
    # each step's time as fmt.duration writes it in Chinese: "1.5 秒", "不到 0.1 秒" (a step
    # that took under 0.05 s: the CI of 833ca5a failed on it), "1 分钟" or "1 分 15 秒"
    took = r"(?:不到\u00a0)?[\d.]+\u00a0秒|\d+\u00a0分钟|\d+\u00a0分\u00a0\d+\u00a0秒"
    assert all(re.fullmatch(rf"  [\u4e00-\u9fff][^A-Za-z]*：(?:{took})", s) for s in shown), shown
    progress = out.err.splitlines()
    assert f"已在集群上读取\u00a0{rows}\u00a0行并编号（" in "\n".join(progress)
    assert not [s for s in progress if re.search(r"cluster|executors|lake|rows", s)]
