"""The style sheet that writes Streamlit's file uploader's own words in the merchant's
language (``ecomdash.ui.uploader``): the catalogue's text, escaped for CSS, scoped to one
uploader; the limit line in every language, from the byte limit the page enforces (one rule,
MB of 2**20 bytes); the same limit as the widget's ``max_upload_size``; and every uploader of
the app goes through it, passing the constant its page checks."""

from __future__ import annotations

import ast

import pytest

from ecomdash.i18n import use_lang
from ecomdash.i18n.extract import ROOT, source_files
from ecomdash.ui.uploader import css_string, limit_line, limit_mb, uploader_css

NB = "\u00a0"
MIB = 1024 * 1024  # worked by hand: 2**20


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


def _contents(css: str) -> list[str]:
    """The texts the style sheet writes, in order."""
    rules = css.splitlines()
    return [_content(r.split("content: ")[1].split(";")[0]) for r in rules if "content:" in r]


def test_css_string_escapes_everything_that_could_end_the_string_or_the_style():
    # worked by hand: " is 22, < 3C, / 2F, > 3E, \ 5C, a space 20, 上 4E0A
    assert css_string('a"</style> \\上') == (
        '"a\\000022\\00003C\\00002Fstyle\\00003E\\000020\\00005C\\004E0A"'
    )
    assert _content(css_string("合计不超过\u00a0200\u00a0MB")) == "合计不超过\u00a0200\u00a0MB"


def test_limit_line_says_the_limit_and_the_types_in_both_languages():
    """A stock file's limit (per file) and the Data page's (the whole upload), from bytes."""
    with use_lang("zh"):
        assert limit_line(["csv", "txt"], 5 * MIB) == f"CSV、TXT · 不超过{NB}5{NB}MB"
        assert (
            limit_line(["csv", "zip"], 200 * MIB, in_all=True)
            == f"CSV、ZIP · 合计不超过{NB}200{NB}MB"
        )
    with use_lang("en"):
        assert limit_line(["csv", "txt"], 5 * MIB) == "CSV, TXT · up to 5 MB"
        assert (
            limit_line(["csv", "zip"], 200 * MIB, in_all=True) == "CSV, ZIP · up to 200 MB in all"
        )


@pytest.mark.parametrize(
    "max_bytes",
    [
        5_000_000,  # the stock file's old limit: 4.77 MB of 2**20 bytes, said as "5 MB"
        MIB + 1,
        MIB - 1,
        0,
        5.0 * MIB,  # a float is a figure worked out, not the constant the page checks
        True,
    ],
)
def test_a_limit_that_is_not_a_whole_number_of_mb_is_refused(max_bytes):
    """The line would round it, and a file of the size it says could be refused."""
    with pytest.raises(ValueError):
        limit_mb(max_bytes)
    with use_lang("en"), pytest.raises(ValueError):
        limit_line(["csv"], max_bytes)


def test_the_stock_uploaders_line_is_the_limit_read_stock_enforces():
    """The figure the line says, times 2**20, is the stock file check's constant: a file of
    that many bytes is read, one byte more is refused with a message."""
    from ecomdash.errors import InputFileError
    from ecomdash.stock_file import MAX_SMALL_FILE_BYTES, read_stock

    with use_lang("en"):
        line = limit_line(["csv"], MAX_SMALL_FILE_BYTES)
    assert line == "CSV · up to 5 MB"
    assert 5 * MIB == MAX_SMALL_FILE_BYTES == 5_242_880
    head = b"SKU,Stock\nA1,5\n"
    at_limit = head + b"\n" * (MAX_SMALL_FILE_BYTES - len(head))  # blank lines: no rows
    assert len(at_limit) == MAX_SMALL_FILE_BYTES
    assert read_stock(at_limit).to_dict() == {"A1": 5.0}
    with pytest.raises(InputFileError, match="5,242,881 bytes; the limit is 5,242,880"):
        read_stock(at_limit + b"\n")


def test_the_data_pages_line_is_the_limit_it_enforces():
    from ecomdash.ingest import DEFAULT_MAX_BYTES
    from ecomdash.ui.data_page import FILE_TYPES

    assert DEFAULT_MAX_BYTES == 200 * MIB  # = server.maxUploadSize (tests/unit/test_config.py)
    with use_lang("en"):
        assert limit_line(FILE_TYPES, DEFAULT_MAX_BYTES, in_all=True) == (
            "CSV, TSV, TXT, XLSX, PARQUET, GZ, ZIP · up to 200 MB in all"
        )


def test_chinese_style_sheet_writes_the_catalogues_words_for_that_uploader():
    with use_lang("zh"):
        css = uploader_css("stock_file", ["csv", "txt"], 5 * MIB)
    rules = css.splitlines()
    assert rules and all(
        r.startswith((".st-key-stock_file ", "body:has(.st-key-stock_file ")) for r in rules
    )
    assert _contents(css) == [
        "上传",
        f"CSV、TXT · 不超过{NB}5{NB}MB",
        "将文件拖放到这里",
        "无法上传此文件：请对照上传框里的说明检查文件类型和大小，然后重试。",
    ]
    # Streamlit's English is hidden where each Chinese text is shown
    hide = ("display: none", "visibility: hidden", "font-size: 0;")
    assert sum(any(h in r for h in hide) for r in rules) == 4


def test_english_style_sheet_writes_only_the_limit_line():
    """Streamlit's "200MB per file • CSV, …" is hidden and the catalogue's English line said
    instead; the button, the drag note and a refused file's reason stay Streamlit's English."""
    with use_lang("en"):
        css = uploader_css("uploader", ["csv", "zip"], 200 * MIB, in_all=True)
        stock = uploader_css("pr_md_stock", ["csv"], 5 * MIB)
    note = '.st-key-uploader [data-testid="stFileUploaderDropzoneInstructions"]'
    assert css.splitlines() == [
        f"{note} > * {{ display: none; }}",
        f"{note}::after {{ content: {css_string('CSV, ZIP · up to 200 MB in all')};"
        " font-size: 0.875rem; opacity: 0.7; }",
    ]
    assert _contents(css) == ["CSV, ZIP · up to 200 MB in all"]
    assert _contents(stock) == ["CSV · up to 5 MB"]
    assert all(r.startswith(".st-key-pr_md_stock ") for r in stock.splitlines())


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("key", ['x"] body {', "a b", ""])
def test_a_key_that_is_not_a_plain_name_is_refused(key, lang):
    with use_lang(lang), pytest.raises(ValueError):
        uploader_css(key, ["csv"], 5 * MIB)


def _uploader_calls():
    """Every call of a ``file_uploader`` in the app's source: (file, call node)."""
    for path in source_files():
        rel = path.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and (
                getattr(node.func, "attr", None) == "file_uploader"
                or getattr(node.func, "id", None) == "file_uploader"
            ):
                yield rel, node


def test_every_uploader_of_the_app_goes_through_the_wrapper():
    """A ``st.file_uploader`` / ``column.file_uploader`` call anywhere but in
    ``ecomdash/ui/uploader.py`` would show Streamlit's English to a Chinese merchant."""
    calls = list(_uploader_calls())
    direct = [
        f"{rel}:{node.lineno}"
        for rel, node in calls
        if isinstance(node.func, ast.Attribute) and rel != "ecomdash/ui/uploader.py"
    ]
    assert direct == []
    wrapped = sorted(rel for rel, node in calls if isinstance(node.func, ast.Name))
    assert wrapped == [
        "ecomdash/ui/data_page.py",
        "ecomdash/ui/pricing.py",
        "ecomdash/ui/restock.py",
    ]


def test_every_uploader_passes_the_byte_limit_its_page_checks():
    """``max_bytes=`` is the very constant the page compares the upload with (the Data page's
    ``total > DEFAULT_MAX_BYTES``; ``read_stock`` hands ``MAX_SMALL_FILE_BYTES`` to
    ``read_small_csv``, which checks ``len(data) > max_bytes``), not a figure worked out from
    it: the wrapper writes the line and the browser's limit from it."""
    checks = {
        # constant: (the file that compares with it, what it compares)
        "DEFAULT_MAX_BYTES": ("ecomdash/ui/data_page.py", "total"),
        "MAX_SMALL_FILE_BYTES": ("ecomdash/stock_file.py", "len(data)"),
    }

    def compared(rel: str, name: str) -> set[str]:
        tree = ast.parse((ROOT / rel).read_text(encoding="utf-8"))
        return {
            ast.unparse(n.left)
            for n in ast.walk(tree)
            if isinstance(n, ast.Compare)
            and isinstance(n.ops[0], ast.Gt)
            and isinstance(n.comparators[0], ast.Name)
            and n.comparators[0].id == name
        }

    passed = {}
    for rel, node in _uploader_calls():
        if not isinstance(node.func, ast.Name):
            continue
        kw = {k.arg: k.value for k in node.keywords}
        assert "mb" not in kw, f"{rel}:{node.lineno} passes mb=: pass max_bytes= instead"
        value = kw.get("max_bytes")
        assert isinstance(value, ast.Name) and value.id in checks, (
            f"{rel}:{node.lineno}: max_bytes={ast.unparse(value) if value else None}, "
            f"not one of the constants the pages check ({', '.join(checks)})"
        )
        passed[rel] = value.id
    assert passed == {
        "ecomdash/ui/data_page.py": "DEFAULT_MAX_BYTES",
        "ecomdash/ui/pricing.py": "MAX_SMALL_FILE_BYTES",
        "ecomdash/ui/restock.py": "MAX_SMALL_FILE_BYTES",
    }
    assert "total" in compared("ecomdash/ui/data_page.py", "DEFAULT_MAX_BYTES")
    # one limit for the small files: the stock file and the promotions file (pricing --events)
    for rel, name in (
        ("ecomdash/stock_file.py", "read_stock"),
        ("ecomdash/pricing/promotions.py", "read_events"),
    ):
        tree = ast.parse((ROOT / rel).read_text(encoding="utf-8"))
        reader = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name)
        given = [
            ast.unparse(k.value)
            for n in ast.walk(reader)
            if isinstance(n, ast.Call) and ast.unparse(n.func) == "read_small_csv"
            for k in n.keywords
            if k.arg == "max_bytes"
        ]
        assert given == ["MAX_SMALL_FILE_BYTES"], f"{name} checks max_bytes={given}"
    assert "len(data)" in compared("ecomdash/stock_file.py", "max_bytes"), (
        "read_small_csv no longer checks len(data) > max_bytes"
    )
    # the stock pages check their file by reading it with read_stock
    for rel in ("ecomdash/ui/pricing.py", "ecomdash/ui/restock.py"):
        assert "read_stock(up.getvalue())" in (ROOT / rel).read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_wrapper_draws_the_style_then_the_uploader_with_the_browsers_limit(monkeypatch, lang):
    """The style goes out through ``st.html`` (style only: no element drawn), then the
    uploader with its key, types, the limit in whole MB as ``max_upload_size`` (the browser
    refuses a bigger file before sending it) and the caller's other arguments."""
    import ecomdash.ui.uploader as U

    calls = []

    class FakeSt:
        def html(self, body):
            calls.append(("html", body))

        def file_uploader(self, label, **kw):
            calls.append(("file_uploader", label, kw))
            return "files"

    monkeypatch.setattr(U, "st", FakeSt())
    with use_lang(lang):
        got = U.file_uploader(
            "标签",
            key="uploader",
            types=["csv"],
            max_bytes=200 * MIB,
            in_all=True,
            accept_multiple_files=True,
        )
        U.file_uploader("Stock", key="stock_file", types=["csv"], max_bytes=5 * MIB)
        line = limit_line(["csv"], 5 * MIB)
    assert got == "files"
    assert [c[0] for c in calls] == ["html", "file_uploader", "html", "file_uploader"]
    assert calls[0][1].startswith("<style>") and calls[0][1].rstrip().endswith("</style>")
    assert ".st-key-uploader " in calls[0][1]
    assert calls[1] == (
        "file_uploader",
        "标签",
        {
            "type": ["csv"],
            "key": "uploader",
            "max_upload_size": 200,
            "accept_multiple_files": True,
        },
    )
    assert css_string(line) in calls[2][1]
    assert calls[3][2]["max_upload_size"] == 5


def test_an_explained_type_is_taken_but_not_listed(monkeypatch):
    """A stock uploader takes an old Excel .xls so the page can say to save it as .xlsx
    (the browser refused it, "application/vnd.ms-excel files are not allowed."), but its
    line lists only what is read: "CSV, TXT, XLSX · up to 5 MB"."""
    import ecomdash.ui.uploader as U
    from ecomdash.ui.stock import STOCK_FILE_EXPLAINED, STOCK_FILE_TYPES

    calls = []

    class FakeSt:
        def html(self, body):
            calls.append(body)

        def file_uploader(self, label, **kw):
            calls.append(kw)

    monkeypatch.setattr(U, "st", FakeSt())
    with use_lang("en"):
        U.file_uploader(
            "Stock",
            key="stock_file",
            types=STOCK_FILE_TYPES,
            explained_types=STOCK_FILE_EXPLAINED,
            max_bytes=5 * MIB,
        )
    css, kw = calls
    assert kw["type"] == ["csv", "txt", "xlsx", "xls"]
    assert css_string("CSV, TXT, XLSX · up to 5 MB") in css
