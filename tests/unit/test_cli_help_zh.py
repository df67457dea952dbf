"""``--help --lang zh`` reads Chinese: every option's help, every command's line in
``ecomdash --help`` and every description go through the catalogue (``locales/zh/cli.po``),
as argparse's own titles do (``test_cli_usage_zh.py``); option names and values (``--top``,
``mint_diag``, ``YYYY-MM-DD``) stay as typed. English ``--help`` is word for word what it was
before (``tests/fixtures/cli_help_en.json``: every command's ``--help`` at 100 columns,
captured before the helps went through the catalogue; a help changed on purpose is changed
there too)."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import pytest

from ecomdash.cli import build_parser, main
from ecomdash.cli.usage import wrap_columns
from ecomdash.i18n import use_lang
from ecomdash.text_width import text_width

HELP_EN = json.loads(
    (Path(__file__).parents[1] / "fixtures" / "cli_help_en.json").read_text(encoding="utf-8")
)
#: three English words in a row: a sentence left untranslated ("unusual days and weeks")
ENGLISH = re.compile(r"\b[A-Za-z]+(?: [a-z]+){2}\b")
CJK = re.compile(r"[\u4e00-\u9fff]")


def _help(capsys, monkeypatch, argv: list[str], lang: str | None = None) -> str:
    """``ecomdash ARGV --help [--lang LANG]`` at 100 columns."""
    monkeypatch.setenv("COLUMNS", "100")
    with pytest.raises(SystemExit) as exc:
        main([*argv, "--help", *(["--lang", lang] if lang else [])])
    assert exc.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("command", list(HELP_EN))
def test_english_help_is_word_for_word_as_before(command, capsys, monkeypatch):
    argv = [command] if command else []
    assert _help(capsys, monkeypatch, argv) == HELP_EN[command]


@pytest.mark.parametrize("command", list(HELP_EN))
def test_chinese_help_has_no_english_sentence_left(command, capsys, monkeypatch):
    argv = [command] if command else []
    zh = _help(capsys, monkeypatch, argv, "zh")
    assert zh.startswith("用法：ecomdash")
    assert ENGLISH.findall(zh) == [], ENGLISH.findall(zh)
    # wrapped by terminal columns (a Chinese character takes two), as the English by characters:
    # argparse's own wrapping counted each as one, lines of up to 150 columns; the usage lines
    # too (argparse counted its "用法：" as three columns: up to 101)
    assert max(text_width(line) for line in zh.splitlines()) <= 98
    # the usage's lines after the first stand under its first option, as in English
    usage = zh.split("\n\n", 1)[0].splitlines()
    first = usage[0].index("[-h]")
    under = text_width(usage[0][:first])
    assert {len(line) - len(line.lstrip(" ")) for line in usage[1:]} <= {under}, usage


def _unwrapped(text: str) -> str:
    """``text``'s wrapped lines joined again: directly beside a Chinese character, else by a
    space."""
    out = ""
    for line in (line.strip() for line in text.splitlines()):
        glue = "" if not out or text_width(out[-1] + line[:1]) > 2 else " "
        out += glue + line
    return out


def test_chinese_help_wraps_between_words_never_inside_a_value(capsys, monkeypatch):
    """``textwrap`` broke ``double_11`` into ``doub`` / ``le_11``; a line breaks between
    Chinese characters or at a space, never inside a value, after an opening bracket, before a
    closing mark or at a no-break space."""
    zh = _help(capsys, monkeypatch, ["forecast"], "zh")
    calendar = zh.split("  --calendar CALENDAR")[1].split("  --reconciliation")[0]
    assert "（spring_festival,double_11）" in calendar, calendar
    assert wrap_columns("配合 --by 使用：如何让各序列之和等于总量（默认 mint_diag）", 24) == [
        "配合 --by 使用：如何让各",
        "序列之和等于总量（默认",
        "mint_diag）",
    ]
    # the line would end with the opening bracket: it starts the next one
    assert wrap_columns("向前预测的期数（例如\u00a014\u00a0天）", 16) == [
        "向前预测的期数",
        "（例如\u00a014\u00a0天）",
    ]
    # 如 stays with its figure (the no-break space), 例 may end the line
    assert wrap_columns("向前预测的期数（例如\u00a014\u00a0天）", 20) == [
        "向前预测的期数（例",
        "如\u00a014\u00a0天）",
    ]


def test_forecast_help_reads_chinese(capsys, monkeypatch):
    """Options and values as typed, figures joined to their units by a no-break space."""
    zh = _unwrapped(_help(capsys, monkeypatch, ["forecast"], "zh"))
    assert "向前预测的期数（默认：两个季节周期，例如\u00a014\u00a0天）" in zh
    assert "配合 --by 使用：如何让各序列之和等于总量（默认 mint_diag）" in zh
    assert "两种语言都用预测与补货页面的措辞；--json 的输出在两种语言下相同" in zh
    top = _help(capsys, monkeypatch, [], "zh")
    assert "    forecast            预测销售额/订单数/件数，并对每个模型做滚动起点回测\n" in top


def _parsers(parser: argparse.ArgumentParser):
    """The parser and each command's, with the commands' lines of ``ecomdash --help``."""
    yield "ecomdash", parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for line in action._choices_actions:
                yield f"{line.dest} (its line in ecomdash --help)", line
            yield from action.choices.items()


def _texts(parser) -> dict[str, str]:
    """Every text of the command line's help a merchant reads: descriptions, the commands'
    lines, the options' helps (argparse's own -h aside: usage.MESSAGES)."""
    out = {}
    for where, p in _parsers(parser):
        if isinstance(p, argparse.ArgumentParser):
            out[f"{where}: description"] = p.description
            for a in p._actions:
                if a.help not in (None, argparse.SUPPRESS) and a.dest != "help":
                    if not isinstance(a, argparse._SubParsersAction):
                        out[f"{where}: {'/'.join(a.option_strings) or a.dest}"] = a.help
        else:
            out[where] = p.help
    return {k: v for k, v in out.items() if v is not None}


def test_every_help_is_in_the_catalogue():
    """A help or a description added without ``_()`` (or without its translation) is the
    same in both languages: named here."""
    en = _texts(build_parser())
    with use_lang("zh"):
        zh = _texts(build_parser())
    assert en.keys() == zh.keys() and len(en) > 110
    same = sorted(k for k in en if en[k] == zh[k] or not CJK.search(zh[k]))
    assert same == [], f"{len(same)} helps in English only: {same}"


def test_every_option_has_a_help():
    """An option without a help shows only its name in ``--help`` in either language
    (``basket --level`` and ``forecast --metric`` had none)."""
    parser = build_parser()
    [sub] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    bare = [
        f"{name} {'/'.join(a.option_strings) or a.dest}"
        for name, p in sub.choices.items()
        for a in p._actions
        if not a.help and not isinstance(a, argparse._HelpAction)
    ]
    assert bare == []
