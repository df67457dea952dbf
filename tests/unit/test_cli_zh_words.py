"""No English word left where the command line speaks Chinese: every command's ``--help
--lang zh`` and one ordinary run of each with ``--lang zh`` on the Chinese demo merchant
(its products, categories and regions are Chinese, so an English word there is the command
line's own). What may stay is what a merchant types or reads as a name: option names, their
metavars and choices (read from the parser), ids (``TOY-264``), file names, dates, and the
model, metric and brand names of :data:`NAMES`. A new English word in a Chinese line fails
here, named with the command that printed it.

The sweep found two, now through the catalogue: ``restock``'s ABC × XYZ table named its axes
``abc`` / ``xyz`` (:func:`ecomdash.cli.forecast._abc_xyz`), and ``forecast --by`` named a
group without a value ``(none)`` (:func:`ecomdash.cli.forecast._series_cell`)."""

from __future__ import annotations

import argparse
import re

import pandas as pd
import pytest

from ecomdash.cli import build_parser, main
from ecomdash.cli.forecast import _abc_xyz, _series_cell
from ecomdash.i18n import use_lang
from ecomdash.text_width import text_width

#: model, metric, method and brand names, units and abbreviations the Chinese lines keep as
#: the app's Chinese pages do (``季节性 ARIMA（SARIMAX）``, ``回测 MAE``, ``BG/NBD``); the
#: one-letter names are classes (ABC / XYZ), parameters (BG/NBD's r, alpha, a, b;
#: Gamma-Gamma's p, q, v) and k-means' k
NAMES = frozenset(
    "SARIMAX ARIMA ETS Croston SBA EASE ALS NDCG MAE MASE MAPE ROC AUC BG NBD Gamma RFM K k "
    "KPI ABC XYZ SKU ID CSV TSV TXT JSON HTML PDF MB URL Excel Parquet Spark Connect Chromium "
    "duckdb mlxtend apriori association_rules null English alpha A B C X Y Z a b r p q v e "
    # currencies by their ISO 4217 codes, as --currency and --set-currency take them
    "ISO GBP EUR USD CNY".split()
)
#: what a merchant types in the helps' examples and defaults: a column, a table, a calendar
#: feature, forecast --by's groups, the default workspace, --currency's and --set-currency's
#: "none" (not stated)
EXAMPLES = frozenset(
    "Invoice CustomerNo customers order_id product_id start end cn spring_festival double_ "
    "location category channel country local zip FILE N none".split()
)
#: stripped before the words are read: options, choices, environment variables, addresses,
#: file names and extensions, date formats and timestamps, ids (a product's, a dataset's),
#: figures in e notation
STRIP = re.compile(
    r"--?[A-Za-z][\w-]*|\{[^}]*\}|\$[A-Z_]+|\b\w+://\S+|local\[\*\]"
    r"|\b[\w.-]+\.(?:csv|tsv|txt|gz|zip|xlsx|html|pdf|json)\b|\.(?:csv|tsv|txt|gz|zip|xlsx)\b"
    r"|YYYY-MM-DD|\d{4}-\d\d-\d\dT\d\d:\d\d|\b[A-Z]{2,4}-\d+\b|\b[0-9a-f]{12}\b"
    r"|\b\d+(?:\.\d+)?e[+-]?\d+\b"
)
WORD = re.compile(r"[A-Za-z][A-Za-z_]*")


def _english(text: str, allowed: frozenset[str]) -> list[str]:
    return sorted({w for w in WORD.findall(STRIP.sub(" ", text)) if w not in allowed})


def _parser_words(parser: argparse.ArgumentParser) -> set[str]:
    """The words of what argparse itself writes into a help: the command names, the
    options' metavars (``LEAD_TIME_DAYS``) and choices (``customer_day``)."""
    out: set[str] = {"ecomdash"}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            out |= {action.metavar, *action.choices}
            for p in action.choices.values():
                out |= _parser_words(p)
            continue
        for text in (action.metavar, action.dest, action.dest.upper(), *(action.choices or ())):
            if isinstance(text, str):
                out |= set(WORD.findall(text))
    return out


def _help(capsys, argv: list[str]) -> str:
    with pytest.raises(SystemExit):
        main([*argv, "--help", "--lang", "zh"])
    return capsys.readouterr().out


def test_no_english_word_in_any_chinese_help(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    with use_lang("zh"):
        parser = build_parser()
    allowed = NAMES | EXAMPLES | _parser_words(parser)
    (sub,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    commands = [[], *([c] for c in sub.choices)]
    assert len(commands) == 15
    found = {" ".join(c) or "ecomdash": _english(_help(capsys, c), allowed) for c in commands}
    assert {c: w for c, w in found.items() if w} == {}


def test_the_check_finds_an_english_word():
    allowed = NAMES | {"DATASET"}
    assert _english("模型：季节性 ARIMA（SARIMAX）--dataset DATASET，TOY-264", allowed) == []
    assert _english("已写入 r.html，2026-10-27T11:05，1e6 行", allowed) == []
    assert _english("ABC × XYZ（商品数）：\nxyz  X  Y\nabc", allowed) == ["abc", "xyz"]
    assert _english("(none)  组合模型  0.00", allowed) == ["none"]


@pytest.fixture(scope="module")
def zh_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("cli_zh_words")
    mp = pytest.MonkeyPatch()
    mp.setenv("ECOMDASH_HOME", str(home))
    try:
        assert main(["demo", "--locale", "zh", "--lines", "3e4", "--name", "示例"]) == 0
    finally:
        mp.undo()
    return home


#: one ordinary run of each command that prints lines (``report`` and ``ingest``: their
#: own tests, ``test_report_zh.py``, ``test_cli_lang.py``)
RUNS = {
    "forecast": ["forecast", "--dataset", "示例"],
    "forecast --by": ["forecast", "--dataset", "示例", "--by", "category", "--freq", "W"],
    "restock": ["restock", "--dataset", "示例"],
    "segment": ["segment", "--dataset", "示例"],
    "clv": ["clv", "--dataset", "示例"],
    "churn": ["churn", "--dataset", "示例"],
    "recommend": ["recommend", "--dataset", "示例", "--evaluate"],
    "pricing": ["pricing", "--dataset", "示例"],
    "alerts": ["alerts", "--dataset", "示例"],
    "basket": ["basket", "--dataset", "示例"],
    "kpis": ["kpis", "--dataset", "示例"],
    "datasets": ["datasets"],
}


@pytest.mark.parametrize("command", list(RUNS))
def test_no_english_word_in_a_chinese_run(command, zh_home, monkeypatch, capsys):
    monkeypatch.setenv("ECOMDASH_HOME", str(zh_home))
    code = main([*RUNS[command], "--lang", "zh"])
    said = capsys.readouterr()
    assert code in (0, 3), said.err  # alerts: 3 when a high alert is reported
    assert said.out.strip()
    assert _english(said.out + said.err, NAMES) == []


def test_the_abc_xyz_table_names_its_axes_in_chinese():
    """English as before (``matrix.to_string()``: the ids ``abc`` / ``xyz``); Chinese axis
    names, the counts under their columns by terminal columns."""
    matrix = pd.DataFrame(
        [[5, 14, 69], [0, 0, 104]],
        index=pd.Index(["A", "B"], name="abc"),
        columns=pd.Index(["X", "Y", "Z"], name="xyz"),
    )
    assert _abc_xyz(matrix) == matrix.to_string()
    with use_lang("zh"):
        zh = _abc_xyz(matrix).splitlines()
    assert zh[0].startswith("XYZ 分类") and zh[1].startswith("ABC 分类")
    # the column of Z's counts ends where its header does, in terminal columns
    assert text_width(zh[0]) == text_width(zh[2]) == text_width(zh[3]), zh
    assert zh[2].endswith(" 69") and zh[3].endswith("104")


def test_a_series_without_a_value_and_chinese_names_in_forecast_by():
    """``(none)`` (forecast_groups' name for a group without a value) in the current
    language, alone or in a combination; a name cut and padded to 30 terminal columns (a
    Chinese category's characters take two: ``:30s`` padded it to 30 characters, 4 of them
    ran 4 columns too wide)."""
    assert _series_cell("Textiles") == f"{'Textiles':30s}"
    assert _series_cell("(none)") == f"{'(none)':30s}"
    long = "Bags & Accessories × Lunch Bag – Canvas"
    assert _series_cell(long) == long[:30]
    with use_lang("zh"):
        assert _series_cell("(none)").rstrip() == "（无）"
        assert _series_cell("天猫 × (none)").rstrip() == "天猫 × （无）"
        assert text_width(_series_cell("家纺布艺")) == 30
        cut = _series_cell("家纺布艺" * 5)  # 40 columns
        assert cut == "家纺布艺" * 3 + "家纺布" and text_width(cut) == 30
