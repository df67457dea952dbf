"""``ecomdash ingest --append-to``: a field the added file has and the dataset lacks is not
saved (an append keeps the dataset's columns, ``Store.append``); the summary now says which,
from which file, and to save the file as a new dataset to keep it (it said nothing), in
English and Chinese, and ``--json`` lists it (``fields_not_saved``). One file and stacked
files alike."""

from __future__ import annotations

import json

import pytest

from ecomdash.cli import main
from tests.unit.test_ingest_stack import APR, JAN_MAR, MAY

SAID = {
    "en": "'{file}' has Channel, which the dataset 'Spring' does not have: a file added to a "
    "dataset keeps the dataset's columns, so these values were not saved. To keep them, save "
    "the file as a new dataset.",
    "zh": "“{file}”有渠道，而数据集“Spring”没有：追加到数据集的文件只保留该数据集已有的列，"
    "所以这些值没有保存。要保留它们，请把该文件另存为新数据集。",
}


def _run(capsys, *argv) -> str:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


@pytest.fixture
def files(tmp_path, capsys, _isolated_home):
    out = {}
    for name, data in (("jan_mar.csv", JAN_MAR), ("apr.csv", APR), ("may.csv", MAY)):
        out[name] = tmp_path / name
        out[name].write_bytes(data)
    _run(capsys, "ingest", str(out["jan_mar.csv"]), "--name", "Spring")
    return out


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_one_file_appended_says_the_fields_not_saved(files, capsys, lang):
    out = _run(capsys, "ingest", str(files["apr.csv"]), "--append-to", "Spring", "--lang", lang)
    assert SAID[lang].format(file="apr.csv") in out, out
    got = json.loads(
        _run(capsys, "ingest", str(files["may.csv"]), "--append-to", "Spring", "--json")
    )
    assert got["fields_not_saved"] == ["channel"] and got["added"] == 1


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_stacked_files_appended_say_the_fields_not_saved(files, capsys, lang):
    argv = [str(files["apr.csv"]), str(files["may.csv"]), "--append-to", "Spring"]
    out = _run(capsys, "ingest", *argv, "--lang", lang)
    assert SAID[lang].format(file="apr.csv") in out, out
    assert SAID[lang].format(file="may.csv") in out, out


def test_stacked_files_appended_list_them_in_json(files, capsys):
    argv = [str(files["apr.csv"]), str(files["may.csv"]), "--append-to", "Spring", "--json"]
    got = json.loads(_run(capsys, "ingest", *argv))
    assert [f["fields_not_saved"] for f in got["files"]] == [["channel"], ["channel"]]


def test_an_append_that_loses_nothing_says_nothing(files, capsys):
    out = _run(capsys, "ingest", str(files["jan_mar.csv"]), "--append-to", "Spring")
    assert "does not have" not in out


def test_an_append_on_the_cluster_says_the_fields_not_saved(
    tmp_path, capsys, monkeypatch, spark_session
):
    """``--on-cluster --append-to`` (``SparkStore.append_frame``) keeps the dataset's columns
    too: it said nothing of the Channel values it dropped, and ``--json`` had no
    ``fields_not_saved``. (The sentence is the app route's, tested above in English.)"""
    spark = ["--engine", "spark", "--spark-remote", "local[2]", "--on-cluster"]
    monkeypatch.setenv("ECOMDASH_LAKE", str(tmp_path / "lake"))
    for name, data in (("jan_mar.csv", JAN_MAR), ("apr.csv", APR)):
        (tmp_path / name).write_bytes(data)
    jan, apr = str(tmp_path / "jan_mar.csv"), str(tmp_path / "apr.csv")
    first = json.loads(_run(capsys, "ingest", jan, "--name", "Spring", *spark, "--json"))
    assert first["route"] == "cluster" and "channel" not in first["mapping"].values()
    got = json.loads(_run(capsys, "ingest", apr, "--append-to", "Spring", *spark, "--json"))
    assert got["route"] == "cluster" and got["fields_not_saved"] == ["channel"], got
    out = _run(capsys, "ingest", apr, "--append-to", "Spring", *spark, "--lang", "zh")
    assert SAID["zh"].format(file="apr.csv") in out, out  # nothing new: still said
    again = json.loads(_run(capsys, "ingest", jan, "--append-to", "Spring", *spark, "--json"))
    assert again["fields_not_saved"] == []
