"""The command line all in Chinese with ``--lang zh``: argparse's own usage errors (a missing
required argument, an invalid choice, an unknown option, a value of the wrong type), ``--help``'s
usage line and section titles (``ecomdash/cli/usage.py``), and the command line's refusals of
``--map``, ``--join``, ``--on-cluster``, ``report --out`` and ``demo --lines``, all English
before. Exit codes as before (argparse's 2); English without ``--lang zh``, word for word as
before; ``--lang``'s default stays English whatever the environment's locale says."""

from __future__ import annotations

import argparse
import gettext
import inspect
import re

import pytest

from ecomdash.cli import main
from ecomdash.cli.usage import MESSAGES, argv_lang
from ecomdash.i18n import catalogue
from tests.multi_fixtures import erp_like
from tests.unit.test_cli_data import CSV  # five UCI lines

NB = "\u00a0"


def _refused(capsys, argv: list[str]) -> tuple[int, str, str]:
    """argparse's refusal of ``argv``: its exit code, the usage line's first line, the error."""
    with pytest.raises(SystemExit) as exc:
        main(argv)
    said = capsys.readouterr()
    assert said.out == ""
    lines = said.err.splitlines()
    return exc.value.code, lines[0], lines[-1]


#: argv, the English error line (argparse's own, as before), the Chinese one (written by hand)
USAGE_ERRORS = {
    "wrong type": (
        ["forecast", "--dataset", "x", "--horizon", "abc"],
        "ecomdash forecast: error: argument --horizon: invalid int value: 'abc'",
        "ecomdash forecast：错误：参数 --horizon：'abc' 不是有效的 int 值",
    ),
    "invalid choice": (
        ["forecast", "--dataset", "x", "--freq", "Q"],
        "ecomdash forecast: error: argument --freq: invalid choice: 'Q' "
        "(choose from 'D', 'W', 'M')",
        "ecomdash forecast：错误：参数 --freq：无效的选择：'Q'（可选：'D', 'W', 'M'）",
    ),
    "missing required": (
        ["report", "--dataset", "x"],
        "ecomdash report: error: the following arguments are required: --out",
        "ecomdash report：错误：缺少必需的参数：--out",
    ),
    "unknown option": (
        ["kpis", "--dataset", "x", "--bogus"],
        "ecomdash: error: unrecognized arguments: --bogus",
        "ecomdash：错误：无法识别的参数：--bogus",
    ),
    "no value": (
        ["kpis", "--dataset"],
        "ecomdash kpis: error: argument --dataset: expected one argument",
        "ecomdash kpis：错误：参数 --dataset：需要一个值",
    ),
    "exclusive options": (
        ["recommend", "--dataset", "x", "--customer", "a", "--product", "b"],
        "ecomdash recommend: error: argument --product: not allowed with argument --customer",
        "ecomdash recommend：错误：参数 --product：不能与参数 --customer 同时使用",
    ),
    "our own type": (
        ["kpis", "--dataset", "x", "--start", "2024-13-01"],
        "ecomdash kpis: error: argument --start: '2024-13-01' is not a date; write it as "
        "YYYY-MM-DD",
        "ecomdash kpis：错误：参数 --start：“2024-13-01” 不是日期；请写成 YYYY-MM-DD",
    ),
}


@pytest.mark.parametrize("kind", list(USAGE_ERRORS))
def test_argparse_refuses_in_the_language_asked_for(kind, capsys):
    argv, en, zh = USAGE_ERRORS[kind]
    command = "ecomdash" if kind == "unknown option" else f"ecomdash {argv[0]}"
    code, usage, error = _refused(capsys, argv)
    assert (code, error) == (2, en)
    assert usage.startswith(f"usage: {command} [-h]")
    # --lang zh before the mistake, or after it (argparse refuses before it reaches --lang)
    for where in (1, len(argv)):
        code, usage, error = _refused(capsys, [*argv[:where], "--lang", "zh", *argv[where:]])
        assert (code, error) == (2, zh)
        assert usage.startswith(f"用法：{command} [-h]")  # the usage line is kept
    # --json changes nothing on stderr: it is read by a person
    assert _refused(capsys, [*argv, "--json", "--lang=zh"])[2] == zh


def test_help_names_its_sections_in_chinese(capsys):
    """``--help --lang zh``: the usage line, the section title and -h's own help in Chinese
    (the options' helps too: ``test_cli_help_zh.py``); exit code 0 as before."""
    with pytest.raises(SystemExit) as exc:
        main(["kpis", "--help", "--lang", "zh"])
    zh = capsys.readouterr().out
    with pytest.raises(SystemExit) as exc_en:
        main(["kpis", "--help"])
    en = capsys.readouterr().out
    assert exc.value.code == exc_en.value.code == 0
    assert zh.startswith("用法：ecomdash kpis [-h]") and en.startswith("usage: ecomdash kpis [-h]")
    # the section titles end with a full-width colon, as 用法： does (argparse writes "选项:")
    assert "\n选项：\n  -h, --help            显示本帮助并退出\n" in zh
    assert "\noptions:\n  -h, --help            show this help message and exit\n" in en
    assert "  --dataset DATASET     数据集编号（或其完整名称）\n" in zh
    assert "  --dataset DATASET     dataset id (or its exact name)\n" in en


def test_every_section_title_ends_with_a_full_width_colon(capsys, monkeypatch):
    """``位置参数：`` and ``选项：`` in every command's help (and ``ecomdash --help``'s), as
    ``用法：``; English keeps argparse's ``options:``."""
    monkeypatch.setenv("COLUMNS", "100")
    for argv in ([], ["ingest"], ["forecast"]):
        with pytest.raises(SystemExit):
            main([*argv, "--help", "--lang", "zh"])
        zh = capsys.readouterr().out
        titles = [line for line in zh.splitlines() if line and not line.startswith(" ")]
        assert [t for t in titles if t.endswith(":")] == [], titles
        assert "选项：" in titles
        if argv != ["forecast"]:
            assert "位置参数：" in titles
        with pytest.raises(SystemExit):
            main([*argv, "--help"])
        assert "\noptions:\n" in capsys.readouterr().out


def _said(capsys, argv: list[str]) -> tuple[int, str, str]:
    """``ecomdash ARGV``: its exit code (argparse's too), stdout and stderr."""
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
    said = capsys.readouterr()
    return code, said.out, said.err


def test_lang_may_come_before_the_command(capsys, demo_id, monkeypatch):
    """``ecomdash --lang zh --help`` was refused (``--lang`` is each command's option): now it
    says what ``ecomdash --help --lang zh`` says, and ``ecomdash --lang zh kpis …`` what
    ``ecomdash kpis … --lang zh`` says — output, refusals, exit codes; one given after the
    command wins, as the last ``--lang`` does. English is as without ``--lang``."""
    monkeypatch.setenv("COLUMNS", "100")
    top = _said(capsys, ["--help", "--lang", "zh"])
    assert top[0] == 0 and top[1].startswith("用法：ecomdash [-h]")
    assert _said(capsys, ["--lang", "zh", "--help"]) == top
    assert _said(capsys, ["--lang=zh", "--help"]) == top
    assert _said(capsys, ["--lang", "en", "--help"]) == _said(capsys, ["--help"])
    cases = (
        ["kpis", "--dataset", demo_id],
        ["kpis", "--dataset", demo_id, "--json"],
        ["forecast", "--dataset", demo_id, "--horizon", "abc"],  # argparse's refusal, 2
        ["kpis", "--dataset", "no-such-dataset"],  # the command's refusal, 2
        ["forecast", "--help"],
        [],  # no command: the help, exit code 1
    )
    for argv in cases:
        after = _said(capsys, [*argv, "--lang", "zh"])
        assert _said(capsys, ["--lang", "zh", *argv]) == after, argv
        english = _said(capsys, argv)
        assert _said(capsys, ["--lang", "en", *argv]) == english, argv
        assert _said(capsys, ["--lang", "en", *argv, "--lang", "zh"]) == after, argv
        if argv and argv[0] == "kpis" and "--json" not in argv:
            # the command's own --lang, after it, wins
            assert _said(capsys, ["--lang", "zh", *argv, "--lang", "en"]) == english
    code, out, _err = _said(capsys, ["--lang", "zh", "kpis", "--dataset", demo_id])
    assert code == 0 and out.startswith("净销售额：")
    assert _said(capsys, ["--lang", "zh", "kpis", "--dataset", "no-such-dataset"])[2].startswith(
        "ecomdash：此工作区中没有"
    )


def test_argparse_speaks_english_again_after_a_chinese_command(capsys):
    """argparse's own lookups are the catalogue's only while ``main`` parses: restored after
    a refusal too, so another parser in the process (pytest's own) is not left in Chinese."""
    _refused(capsys, ["kpis", "--dataset", "x", "--bogus", "--lang", "zh"])
    assert argparse._ is gettext.gettext and argparse.ngettext is gettext.ngettext
    parser = argparse.ArgumentParser(prog="other")
    parser.add_argument("--n", type=int)
    with pytest.raises(SystemExit):
        parser.parse_args(["--n", "x"])
    assert capsys.readouterr().err.endswith("other: error: argument --n: invalid int value: 'x'\n")


def test_the_language_is_read_from_the_command_line_only(monkeypatch):
    """As ``--lang``'s default: English unless the command line says zh, whatever LANG says."""
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    monkeypatch.setenv("LANGUAGE", "zh_CN")
    assert argv_lang(["kpis", "--dataset", "x"]) == "en"
    assert argv_lang(["kpis", "--lang", "zh"]) == argv_lang(["kpis", "--lang=zh"]) == "zh"
    assert argv_lang(["kpis", "--lang", "zh", "--lang", "en"]) == "en"  # the last one, as argparse
    assert argv_lang(["kpis", "--lang", "fr"]) == argv_lang(["kpis", "--lang"]) == "en"
    assert argv_lang(["ingest", "--", "--lang", "zh"]) == "en"  # after --: file names


def test_each_argparse_message_is_argparses_and_keeps_its_fields():
    """Every id of ``usage.MESSAGES`` is one this Python's argparse passes to gettext (a
    wording changed by a newer Python shows here, not as English in a Chinese line), and its
    translation fills the same ``%`` fields."""
    source = inspect.getsource(argparse)
    zh = catalogue("zh")
    fields = re.compile(r"%(?:\(\w+\))?[sr]")
    for msgid in MESSAGES:
        assert repr(msgid) in source or f'"{msgid}"' in source, msgid
        assert sorted(fields.findall(zh[msgid])) == sorted(fields.findall(msgid)), msgid


def test_demo_lines_refused_in_chinese(capsys):
    for value, en, zh in (
        (
            "lots",
            "'lots' is not a number of lines; write it like 20000 or 1e6",
            f"“lots” 不是行数；请写成{NB}20000 或{NB}1e6 这样的数",
        ),
        ("1.5", "'1.5' is not a whole, positive number of lines", "“1.5” 不是正整数行数"),
        ("0", "'0' is not a whole, positive number of lines", "“0” 不是正整数行数"),
    ):
        argv = ["demo", "--lines", value, "--name", "x"]
        assert _refused(capsys, argv)[::2] == (2, f"ecomdash demo: error: argument --lines: {en}")
        assert _refused(capsys, [*argv, "--lang", "zh"])[::2] == (
            2,
            f"ecomdash demo：错误：参数 --lines：{zh}",
        )


def test_ingest_map_join_and_on_cluster_refused_in_chinese(cli_home, cli_refusal):
    orders = cli_home / "orders.csv"
    orders.write_text(CSV)
    argv = ["ingest", str(orders), "--map", "order_id"]
    assert cli_refusal(argv) == (
        "ecomdash: --map takes canonical=source pairs, e.g. --map order_id=Invoice. "
        "Got 'order_id'.\n"
    )
    assert cli_refusal([*argv, "--lang", "zh"]) == (
        "ecomdash：--map 的格式为 字段=文件中的列名，例如 --map order_id=Invoice。"
        "实际为“order_id”。\n"
    )
    files, _truth = erp_like()
    paths = []
    for name, data in files.items():
        (cli_home / name).write_bytes(data)
        paths.append(str(cli_home / name))
    argv = ["ingest", *paths, "--join", "customers"]
    assert cli_refusal(argv) == (
        "ecomdash: --join 'customers': write TABLE=COLUMN[:TABLE_COLUMN].\n"
    )
    assert cli_refusal([*argv, "--lang", "zh", "--json"]) == (
        "ecomdash：--join “customers”：请写成 表名=订单行表中的列[:该表中的列]。\n"
    )
    argv = ["ingest", str(orders), "--on-cluster", "--engine", "duckdb"]
    assert cli_refusal(argv).startswith("ecomdash: --on-cluster needs the Spark engine: add ")
    assert cli_refusal([*argv, "--lang", "zh"]) == (
        "ecomdash：--on-cluster 需要 Spark 引擎：请加上 --engine spark（以及 --spark-remote，"
        "或设置 ECOMDASH_ENGINE=spark 和 ECOMDASH_SPARK_REMOTE），或去掉 --on-cluster。\n"
    )


def test_report_out_refused_in_chinese(cli_home, monkeypatch, cli_refusal):
    """A folder as --out (refused before any work), and a file that cannot be written (the
    report built by a stand-in: what is checked is the refusal)."""
    import ecomdash.report as report

    argv = ["report", "--dataset", "x", "--out", str(cli_home)]
    assert cli_refusal(argv) == (
        f"ecomdash: --out {cli_home} is a directory; give a file name such as report.html.\n"
    )
    assert cli_refusal([*argv, "--lang", "zh"]) == (
        f"ecomdash：--out {cli_home} 是一个文件夹；请给出文件名，例如 report.html。\n"
    )

    class Built:
        sections = ()

    monkeypatch.setattr(report, "build_report", lambda *a, **k: Built())
    monkeypatch.setattr(report, "render_html", lambda rep: "<!DOCTYPE html>")
    out = cli_home / "no-such-folder" / "r.html"
    argv = ["report", "--dataset", "x", "--out", str(out)]
    assert cli_refusal(argv) == (
        f"ecomdash: Could not write {out} (No such file or directory). Check the folder "
        "exists and is writable.\n"
    )
    assert cli_refusal([*argv, "--lang", "zh"]) == (
        f"ecomdash：无法写入 {out}（No such file or directory）。请检查该文件夹是否存在且可写。\n"
    )
