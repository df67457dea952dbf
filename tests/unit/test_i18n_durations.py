"""Durations a merchant reads: one formatter (``fmt.duration``) writes them as a person does,
in English and Chinese. Expected texts are worked out by hand at each boundary."""

from __future__ import annotations

import doctest

import pytest

from ecomdash.i18n import fmt, use_lang

# seconds → (English, Chinese), each computed by hand; both languages join a figure and its
# unit with a no-break space (fmt.NBSP: "42 s" / "42 秒" never wraps between "42" and its
# unit); English separates the parts with a plain space (a line may break between "2 min"
# and "11 s"), Chinese joins them and "不到" with the no-break space too (a Chinese word and
# the figure after it, as the catalogue's "共 {n} 个"); Chinese had plain spaces, which let
# "42" end a line and "秒" start the next, and "不到" end one and "0.1 秒" start the next:
CASES = [
    (0, "under 0.1\u00a0s", "不到\u00a00.1\u00a0秒"),  # a cached run: not "0.00 s"
    (0.04, "under 0.1\u00a0s", "不到\u00a00.1\u00a0秒"),
    (0.1, "0.1\u00a0s", "0.1\u00a0秒"),  # the first tenth is written
    (2.43, "2.4\u00a0s", "2.4\u00a0秒"),  # one decimal below 10 s
    (9.94, "9.9\u00a0s", "9.9\u00a0秒"),
    (9.95, "10\u00a0s", "10\u00a0秒"),  # rounds (half up) to 10.0: whole seconds from there
    (10, "10\u00a0s", "10\u00a0秒"),
    (42.4, "42\u00a0s", "42\u00a0秒"),
    (59.4, "59\u00a0s", "59\u00a0秒"),
    (59.6, "1\u00a0min", "1\u00a0分钟"),  # rounds to 60 s: one minute, no "0 s"
    (60, "1\u00a0min", "1\u00a0分钟"),
    (61, "1\u00a0min 1\u00a0s", "1\u00a0分\u00a01\u00a0秒"),
    (131.1, "2\u00a0min 11\u00a0s", "2\u00a0分\u00a011\u00a0秒"),  # 131 s = 2 × 60 + 11
    (3599.4, "59\u00a0min 59\u00a0s", "59\u00a0分\u00a059\u00a0秒"),
    (3599.6, "1\u00a0h", "1\u00a0小时"),  # rounds to 3,600 s
    (
        3700,
        "1\u00a0h 2\u00a0min",
        "1\u00a0小时\u00a02\u00a0分",
    ),  # 3,700 s = 61.67 min → 62 min = 1 h 2 min
    (7200, "2\u00a0h", "2\u00a0小时"),
]


@pytest.mark.parametrize(("seconds", "en", "zh"), CASES)
def test_a_duration_is_written_as_a_person_writes_it(seconds, en, zh):
    assert fmt.duration(seconds, lang="en") == en
    assert fmt.duration(seconds, lang="zh") == zh


def test_the_runs_language_by_default_and_odd_values():
    with use_lang("zh"):
        assert fmt.duration(131.1) == "2\u00a0分\u00a011\u00a0秒"
    with use_lang("en"):
        assert fmt.duration(131.1) == "2\u00a0min 11\u00a0s"
    assert fmt.duration(-0.5, lang="en") == "under 0.1\u00a0s"  # a clock step back: never "-0.5 s"
    assert fmt.duration(float("nan"), lang="en") == fmt.MISSING
    assert fmt.duration(2, lang="en") == "2.0\u00a0s"  # ints too; one decimal below 10 s


def test_the_docstring_examples():
    from ecomdash.i18n import fmt as mod

    failed, _tried = doctest.testmod(mod)
    assert failed == 0


def test_a_note_keeps_its_duration_until_it_is_shown():
    """The PDF refusal is built in the core before the language is known: its budget is a
    Duration, English now, Chinese where shown, kept through pickling and JSON."""
    import pickle

    from ecomdash.i18n import N_
    from ecomdash.i18n.note import Duration, from_json, note, to_json, tr_note

    msgid = N_(
        "No PDF was written: Chromium took longer than {took} to print the report. Try "
        "again, or print the HTML report from a browser."
    )
    n = note(msgid, took=Duration(60))
    assert str(n).startswith("No PDF was written: Chromium took longer than 1\u00a0min to print")
    for kept in (n, pickle.loads(pickle.dumps(n)), from_json(to_json(n))):
        with use_lang("zh"):
            assert tr_note(kept).startswith("未生成 PDF：Chromium 打印报告超时（1\u00a0分钟）。"), (
                kept
            )
        with use_lang("en"):
            assert tr_note(kept) == str(n)


def test_no_message_writes_its_own_seconds():
    """Every duration is one field written by fmt.duration: no msgid says "{secs} s" (it read
    "Computed in 0.00 s"), no translation "{secs} 秒", no f-string "{x:.2f} s" in the app."""
    import re

    from ecomdash.i18n import catalogue
    from ecomdash.i18n import extract as X

    seconds = re.compile(r"\}\s?(s|secs?|seconds?|min|minutes?|h|hours?)\b|\}-second")
    found, _bad = X.messages()
    assert [m for m in found if seconds.search(m.msgid)] == []  # "{hours} hours" read "1.0 hours"
    assert [t for t in catalogue("zh").values() if re.search(r"\}\s?(秒|分钟|小时)", t)] == []
    hand = re.compile(r":[,.0-9]*f\}\s?s\b")
    lines = [
        f"{p.name}:{i}"
        for p in X.source_files()  # app.py, pages/, ecomdash/ (the CLI too)
        for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if hand.search(line)
    ]
    assert lines == []


def test_a_chinese_figure_never_parts_from_its_unit():
    """ "42 秒" with a plain space could end a line with "42" and start the next with "秒" (a
    space is a break opportunity; "42秒" would break too: a figure and an ideograph may part).
    Every figure is joined to its unit with fmt.NBSP, in Chinese as in English; English's only
    plain spaces are between the parts and after "under", where a line may break. Chinese has
    none: "不到" and "2 分" keep the figure after them on their line (the catalogue's rule)."""
    import re

    for _seconds, en, zh in CASES:
        for text in (en, zh):
            assert not re.search(r"\d (秒|分|小时|s|min|h)\b|\d (秒|分|小时)", text), text
    assert fmt.duration(131.1, lang="en").split(" ") == ["2\u00a0min", "11\u00a0s"]
    assert not [zh for _seconds, _en, zh in CASES if " " in zh]
