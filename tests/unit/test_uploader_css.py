"""The style sheet that writes Streamlit's file uploader's own words in Chinese
(``ecomdash.ui.uploader``): the catalogue's text, escaped for CSS, scoped to one uploader, only
when the UI is not English; and every uploader of the app goes through it."""

from __future__ import annotations

import ast

import pytest

from ecomdash.i18n import use_lang
from ecomdash.i18n.extract import ROOT, source_files
from ecomdash.ui.uploader import css_string, limit_line, uploader_css

NB = "\u00a0"


def _content(text: str) -> str:
    """What a browser reads from ``css_string``'s escapes (six hex digits each)."""
    out, i = [], 1
    while i < len(text) - 1:
        if text[i] == "\\":
            out.append(chr(int(text[i + 1 : i + 7], 16)))
            i += 7
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def test_css_string_escapes_everything_that_could_end_the_string_or_the_style():
    # worked by hand: " is 22, < 3C, / 2F, > 3E, \ 5C, a space 20, 上 4E0A
    assert css_string('a"</style> \\上') == (
        '"a\\000022\\00003C\\00002Fstyle\\00003E\\000020\\00005C\\004E0A"'
    )
    assert _content(css_string("合计不超过\u00a0200\u00a0MB")) == "合计不超过\u00a0200\u00a0MB"


def test_limit_line_in_chinese_says_the_limit_and_the_types():
    with use_lang("zh"):
        assert limit_line(["csv", "txt"], 5.0) == f"CSV、TXT · 不超过{NB}5{NB}MB"
        assert limit_line(["csv", "zip"], 200, in_all=True) == f"CSV、ZIP · 合计不超过{NB}200{NB}MB"


def test_chinese_style_sheet_writes_the_catalogues_words_for_that_uploader():
    with use_lang("zh"):
        css = uploader_css("stock_file", ["csv", "txt"], 5.0)
    rules = css.splitlines()
    assert rules and all(
        r.startswith((".st-key-stock_file ", "body:has(.st-key-stock_file ")) for r in rules
    )
    contents = [_content(r.split("content: ")[1].split(";")[0]) for r in rules if "content:" in r]
    assert contents == [
        "上传",
        f"CSV、TXT · 不超过{NB}5{NB}MB",
        "将文件拖放到这里",
        "无法上传此文件：请对照上传框里的说明检查文件类型和大小，然后重试。",
    ]
    # Streamlit's English is hidden where each Chinese text is shown
    hide = ("display: none", "visibility: hidden", "font-size: 0;")
    assert sum(any(h in r for h in hide) for r in rules) == 4


def test_english_adds_nothing():
    with use_lang("en"):
        assert uploader_css("uploader", ["csv"], 200, in_all=True) == ""


@pytest.mark.parametrize("key", ['x"] body {', "a b", ""])
def test_a_key_that_is_not_a_plain_name_is_refused(key):
    with use_lang("zh"), pytest.raises(ValueError):
        uploader_css(key, ["csv"], 5)


def test_every_uploader_of_the_app_goes_through_the_wrapper():
    """A ``st.file_uploader`` / ``column.file_uploader`` call anywhere but in
    ``ecomdash/ui/uploader.py`` would show Streamlit's English to a Chinese merchant."""
    direct = []
    for path in source_files():
        rel = path.relative_to(ROOT).as_posix()
        if rel == "ecomdash/ui/uploader.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "file_uploader"
            ):
                direct.append(f"{rel}:{node.lineno}")
    assert direct == []
    wrapped = [
        p.relative_to(ROOT).as_posix()
        for p in source_files()
        if "file_uploader(" in p.read_text(encoding="utf-8") and p.name != "uploader.py"
    ]
    assert sorted(wrapped) == [
        "ecomdash/ui/data_page.py",
        "ecomdash/ui/pricing.py",
        "ecomdash/ui/restock.py",
    ]


def test_the_wrapper_draws_the_style_before_the_uploader(monkeypatch):
    """In Chinese the style goes out through ``st.html`` (style only: no element drawn), then
    the uploader with its key, types and the caller's other arguments; in English only the
    uploader."""
    import ecomdash.ui.uploader as U

    calls = []

    class FakeSt:
        def html(self, body):
            calls.append(("html", body))

        def file_uploader(self, label, **kw):
            calls.append(("file_uploader", label, kw))
            return "files"

    monkeypatch.setattr(U, "st", FakeSt())
    with use_lang("zh"):
        got = U.file_uploader(
            "标签", key="uploader", types=["csv"], mb=200, in_all=True, accept_multiple_files=True
        )
    assert got == "files"
    assert calls[0][0] == "html" and calls[0][1].startswith("<style>")
    assert calls[0][1].rstrip().endswith("</style>") and ".st-key-uploader " in calls[0][1]
    assert calls[1] == (
        "file_uploader",
        "标签",
        {"type": ["csv"], "key": "uploader", "accept_multiple_files": True},
    )
    calls.clear()
    with use_lang("en"):
        U.file_uploader("Label", key="uploader", types=["csv"], mb=200)
    assert [c[0] for c in calls] == ["file_uploader"]
