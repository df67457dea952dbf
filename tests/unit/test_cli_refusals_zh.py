"""The command line's own refusals and stderr notes in Chinese with ``--lang zh`` (English
only before): ``pricing``'s ``--margin`` out of range, a missing ``--stock`` or ``--events``
file and products with no sales (its Product/Products form chosen by the catalogue's plural,
``note_n``), and ``ingest``'s "Read in the app: …" notes on stderr. English without ``--lang
zh``, word for word as before; the exit code stays 2."""

from __future__ import annotations

import argparse

import pytest

from ecomdash.cli import main

NB = "\u00a0"


def _err(capsys, argv: list[str]) -> str:
    assert main(argv) == 2
    said = capsys.readouterr()
    assert said.out == ""
    return said.err


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("ECOMDASH_HOME", str(tmp_path / "home"))
    return tmp_path


def test_pricing_refuses_its_options_in_chinese(home, capsys):
    """Refused before the dataset is read: the dataset need not exist."""
    cases = (
        (
            ["--margin", "150"],
            "--margin is a percentage in (0, 100); got 150.",
            f"--margin 是 (0, 100) 之间的百分比；实际为{NB}150。",
        ),
        (
            ["--margin", "0"],
            "--margin is a percentage in (0, 100); got 0.",
            f"--margin 是 (0, 100) 之间的百分比；实际为{NB}0。",
        ),
        (
            ["--stock", str(home / "stock.csv")],
            f"There is no stock file at {home / 'stock.csv'}. Check the path.",
            f"{home / 'stock.csv'} 处没有库存文件。请检查路径。",
        ),
        (
            ["--events", str(home / "events.csv")],
            f"There is no events file under 5 MB at {home / 'events.csv'}. Check the path.",
            f"{home / 'events.csv'} 处没有小于{NB}5{NB}MB 的促销活动文件。请检查路径。",
        ),
    )
    for extra, en, zh in cases:
        argv = ["pricing", "--dataset", "x", *extra]
        assert _err(capsys, argv) == f"ecomdash: {en}\n"
        assert _err(capsys, [*argv, "--lang", "zh"]) == f"ecomdash：{zh}\n"
        # stderr is read by a person: --json changes nothing there
        assert _err(capsys, [*argv, "--lang", "zh", "--json"]) == f"ecomdash：{zh}\n"


def test_pricing_names_products_without_sales_in_chinese(demo_id, capsys):
    """One product or several: the English form for the count (as before, word for word),
    the ids sorted, listed with 、 in Chinese."""
    base = ["pricing", "--dataset", demo_id, "--product", "NOPE-2"]
    assert _err(capsys, base) == "ecomdash: Product NOPE-2 has no sales in this dataset.\n"
    assert _err(capsys, [*base, "--lang", "zh"]) == (
        "ecomdash：商品 NOPE-2 在此数据集中没有销售。\n"
    )
    several = [*base, "--product", "NOPE-1", "--product", "TOY-278"]
    assert _err(capsys, several) == (
        "ecomdash: Products NOPE-1, NOPE-2 have no sales in this dataset.\n"
    )
    assert _err(capsys, [*several, "--lang", "zh"]) == (
        "ecomdash：商品 NOPE-1、NOPE-2 在此数据集中没有销售。\n"
    )


def _cluster_args(lang: str | None, **kw) -> argparse.Namespace:
    values = {
        "engine": "spark",
        "spark_remote": None,
        "on_cluster": True,
        "cluster_above_mb": 256.0,
        "json": False,
        "name": None,
        "map": None,
        "append_to": None,
        **kw,
    }
    if lang is not None:
        values["lang"] = lang
    return argparse.Namespace(**values)


def test_ingest_says_why_a_file_is_read_in_the_app_in_chinese(home, capsys):
    """``--on-cluster`` with a file the cluster does not read: the note on stderr, then the
    file is read in the app (``None``); no Spark is started for it."""
    from ecomdash.cli.data import _ingest_on_cluster

    path = home / "orders.xlsx"
    path.write_bytes(b"PK")
    for lang, said in (
        (
            None,
            "Read in the app: the cluster reads CSV/TSV exports (.csv, .tsv, .txt, maybe .gz); "
            "orders.xlsx is not one.\n",
        ),
        (
            "zh",
            "改在应用内读取：集群只读取 CSV/TSV 导出文件（.csv、.tsv、.txt，可为 .gz）；"
            "orders.xlsx 不是这类文件。\n",
        ),
    ):
        assert _ingest_on_cluster(path, _cluster_args(lang)) is None
        out = capsys.readouterr()
        assert (out.out, out.err) == ("", said)
    # with --json too: stderr is read by a person
    assert _ingest_on_cluster(path, _cluster_args("zh", json=True)) is None
    assert capsys.readouterr().err.startswith("改在应用内读取：集群只读取")


def test_ingest_says_the_clusters_reason_in_chinese(home, capsys, monkeypatch):
    """The cluster's own reason (``NotForCluster``) after the translated prefix: a reason
    built as a Note is said in Chinese too (an English-only one stays English)."""
    import ecomdash.cli.data as data
    import ecomdash.spark.ingest as cluster
    from ecomdash.i18n import N_
    from ecomdash.i18n.note import note

    path = home / "orders.csv"
    path.write_text("Invoice,StockCode,Quantity\n1,A,2\n")

    class Closed:
        def close(self):
            pass

    def refuse(*_a, **_k):
        raise cluster.NotForCluster(
            note(N_("There is no file at {path}. Check the path and try again."), path="x.csv")
        )

    monkeypatch.setattr(data, "open_store", lambda args: Closed())
    monkeypatch.setattr(cluster, "ingest_path", refuse)
    assert data._ingest_on_cluster(path, _cluster_args(None)) is None
    assert capsys.readouterr().err == (
        "Read in the app: There is no file at x.csv. Check the path and try again.\n"
    )
    assert data._ingest_on_cluster(path, _cluster_args("zh")) is None
    err = capsys.readouterr().err
    assert err.startswith("改在应用内读取：") and "Check the path" not in err, err
