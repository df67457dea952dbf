"""The command line's own refusals and stderr notes in Chinese with ``--lang zh`` (English
only before): ``pricing``'s ``--margin`` out of range, a missing ``--stock`` or ``--events``
file and products with no sales (its Product/Products form chosen by the catalogue's plural,
``note_n``), and ``ingest``'s "Read in the app: …" notes on stderr. English without ``--lang
zh``, word for word as before; the exit code stays 2."""

from __future__ import annotations

import argparse

import pytest

NB = "\u00a0"


def test_pricing_refuses_its_options_in_chinese(cli_home, cli_refusal):
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
            ["--stock", str(cli_home / "stock.csv")],
            f"There is no stock file at {cli_home / 'stock.csv'}. Check the path.",
            f"{cli_home / 'stock.csv'} 处没有库存文件。请检查路径。",
        ),
        (
            ["--events", str(cli_home / "events.csv")],
            f"There is no events file at {cli_home / 'events.csv'}. Check the path.",
            f"{cli_home / 'events.csv'} 处没有促销活动文件。请检查路径。",
        ),
    )
    for extra, en, zh in cases:
        argv = ["pricing", "--dataset", "x", *extra]
        assert cli_refusal(argv) == f"ecomdash: {en}\n"
        assert cli_refusal([*argv, "--lang", "zh"]) == f"ecomdash：{zh}\n"
        # stderr is read by a person: --json changes nothing there
        assert cli_refusal([*argv, "--lang", "zh", "--json"]) == f"ecomdash：{zh}\n"


def test_pricing_names_products_without_sales_in_chinese(demo_id, cli_refusal):
    """One product or several: the English form for the count (as before, word for word),
    the ids sorted, listed with 、 in Chinese."""
    base = ["pricing", "--dataset", demo_id, "--product", "NOPE-2"]
    assert cli_refusal(base) == "ecomdash: Product NOPE-2 has no sales in this dataset.\n"
    assert cli_refusal([*base, "--lang", "zh"]) == (
        "ecomdash：商品 NOPE-2 在此数据集中没有销售。\n"
    )
    several = [*base, "--product", "NOPE-1", "--product", "TOY-278"]
    assert cli_refusal(several) == (
        "ecomdash: Products NOPE-1, NOPE-2 have no sales in this dataset.\n"
    )
    assert cli_refusal([*several, "--lang", "zh"]) == (
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


def test_ingest_says_why_a_file_is_read_in_the_app_in_chinese(cli_home, capsys):
    """``--on-cluster`` with a file the cluster does not read: the note on stderr, then the
    file is read in the app (``None``); no Spark is started for it."""
    from ecomdash.cli.data import _ingest_on_cluster

    path = cli_home / "orders.xlsx"
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


def test_ingest_says_the_clusters_reason_in_chinese(cli_home, capsys, monkeypatch):
    """The cluster's own reason (``NotForCluster``) after the translated prefix: a reason
    built as a Note is said in Chinese too (an English-only one stays English)."""
    import ecomdash.cli.data as data
    import ecomdash.spark.ingest as cluster
    from ecomdash.i18n import N_
    from ecomdash.i18n.note import note

    path = cli_home / "orders.csv"
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


#: files the cluster does not read (``spark.ingest.plan_sample``), the reason as it was said
#: before (English, word for word) and in Chinese
NOT_FOR_CLUSTER = {
    "title.csv": (
        "The file has title lines above the table",
        "文件在表格上方有标题行",
    ),
    "fields.csv": (
        "The file has lines with the wrong number of fields",
        "文件中有字段数不对的行",
    ),
    "baskets.csv": (
        "The file is not a plain delimited table (a basket list or a whitespace table)",
        "文件不是普通的分隔表格（而是购物篮清单或用空白对齐的表格）",
    ),
    "utf16.csv": (
        "The file's encoding (utf-16) is not one the cluster reader is given",
        "文件的编码（utf-16）不在集群读取器支持的编码之列",
    ),
    "parquet.csv": (
        "The cluster reads delimited text (.csv/.tsv, maybe .gz); this file is parquet",
        "集群只读取分隔文本（.csv/.tsv，可为 .gz）；此文件的格式是 parquet",
    ),
    "taobao_orders.csv": (
        "The file is a marketplace export whose derived columns are made in the app",
        "文件是电商平台导出文件，其派生列需在应用内生成",
    ),
}


def _not_for_cluster(folder) -> dict:
    """One file of each kind the cluster leaves to the app, in ``folder``."""
    import io
    from pathlib import Path

    import pandas as pd

    from tests.unit.test_cli_data import CSV

    fix = Path(__file__).resolve().parents[1] / "fixtures" / "cn_platforms"
    parquet = io.BytesIO()
    pd.DataFrame({"Invoice": [1, 2], "Quantity": [3, 4]}).to_parquet(parquet)
    files = {
        "title.csv": ("Order export from My Shop\n\n" + CSV).encode(),
        "fields.csv": (CSV + "489436,1,X,1,2009-12-04 07:45:00,1.0,1.0,UK,extra,more\n").encode(),
        "baskets.csv": b"milk,bread,eggs\nbread,butter\nmilk,eggs,jam,tea\n" * 5,
        "utf16.csv": CSV.encode("utf-16"),
        "parquet.csv": parquet.getvalue(),
        "taobao_orders.csv": (fix / "taobao_orders.csv").read_bytes(),
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return {name: folder / name for name in files}


def test_the_clusters_reasons_are_said_in_chinese(cli_home):
    """``NotForCluster``'s reasons were English f-strings: a Note now, English as before."""
    from ecomdash.i18n import use_lang
    from ecomdash.i18n.note import translated
    from ecomdash.spark.ingest import NotForCluster, plan_sample

    for name, path in _not_for_cluster(cli_home).items():
        en, zh = NOT_FOR_CLUSTER[name]
        with pytest.raises(NotForCluster) as info:
            plan_sample(path)
        assert str(info.value) == f"{en}; it is read in the app instead.", name
        with use_lang("zh"):
            assert str(translated(info.value)) == f"{zh}；因此改在应用内读取。", name


def test_ingest_on_cluster_says_the_clusters_reason_in_chinese(cli_home, capsys, monkeypatch):
    """``ingest --on-cluster`` with a file only the app reads: the cluster's reason on stderr
    after the note's prefix, all in Chinese with ``--lang zh`` (no Spark is started: the
    file is refused on its sample)."""
    import ecomdash.cli.data as data

    class NoCluster:
        spark = None

        def close(self):
            pass

    monkeypatch.setattr(data, "open_store", lambda args: NoCluster())
    path = _not_for_cluster(cli_home)["title.csv"]
    assert data._ingest_on_cluster(path, _cluster_args(None)) is None
    assert capsys.readouterr().err == (
        "Read in the app: The file has title lines above the table; it is read in the app "
        "instead.\n"
    )
    assert data._ingest_on_cluster(path, _cluster_args("zh", json=True)) is None
    assert capsys.readouterr().err == (
        "改在应用内读取：文件在表格上方有标题行；因此改在应用内读取。\n"
    )
