"""Counts read as English: "1 line" / "3 lines", never "3 line(s)".

A sentence that counts something goes through ``_n`` (or its lazy form ``note_n``) with both
English forms; a list of names counts its length the same way. These tests keep "(s)" from
coming back into any text of the app: message ids, and the English-only text of the command
line. Ratios in messages read "×" ("10.0× below"), as everywhere in the app, not "10.0x".
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from ecomdash.i18n import extract as X

#: a word with "(s)" glued on ("line(s)", "Column(s)"); "Training time (s)" is seconds
PLURAL_S = re.compile(r"[A-Za-z]\(s\)")


def _texts(path: Path) -> list[tuple[int, str]]:
    """``(line, text)`` of every string literal of ``path`` (f-strings by their literal
    parts), docstrings aside."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {
        id(body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and (body := node.body)
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs
    ]


def with_plural_s(root: Path = X.ROOT) -> list[str]:
    """``file:line: text`` of every message id and other string literal in the app's source
    (``app.py``, ``pages/``, ``ecomdash/``) that counts with "(s)"."""
    out = []
    for path in X.source_files(root):
        rel = path.relative_to(root)
        hits = sorted((line, text) for line, text in _texts(path) if PLURAL_S.search(text))
        out += [f"{rel}:{line}: {text!r}" for line, text in hits]
    return out


def test_no_text_of_the_app_counts_with_s():
    found = with_plural_s()
    assert not found, (
        "write both forms with _n / note_n (a list: on its length) instead of '(s)':\n"
        + "\n".join(found)
    )


def test_the_check_finds_s_in_messages_and_plain_text(tmp_path):
    (tmp_path / "pages").mkdir()
    (tmp_path / "ecomdash").mkdir()
    (tmp_path / "app.py").write_text(
        '"""A docstring may say file(s)."""\n'
        "from ecomdash.i18n import _, N_\n"
        'a = _("{n} line(s) in the period", n=3)\n'
        'b = N_("Training time (s)")\n'
        'c = note(N_("Unknown field(s) in the mapping: {unknown}."), unknown="x")\n'
        "d = f\"Product(s) {', '.join(x)} have no sales\"\n"
        'e = _n("{n} line", "{n} lines", 2)\n'
    )
    assert [s.split(":")[1] for s in with_plural_s(tmp_path)] == ["3", "5", "6"]


def _pairs() -> list[tuple[str, str, str]]:
    """``(where, singular, plural)`` of every ``_n`` / ``note_n`` call with literal forms."""
    out = []
    for path in X.source_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for call in X._calls(tree):
            if X.KEYWORDS[call.func.id] != 2 or len(call.args) < 2:
                continue
            one, many = call.args[:2]
            if all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in (one, many)):
                out.append((f"{path.relative_to(X.ROOT)}:{call.lineno}", one.value, many.value))
    return out


def test_each_count_has_two_english_forms_with_the_same_fields():
    pairs = _pairs()
    assert len(pairs) >= 30 and any(w.startswith("ecomdash/alerts/orders.py") for w, *_ in pairs)
    bad = [
        f"{where}: {one!r} / {many!r}"
        for where, one, many in pairs
        if one == many or X.fields(one) != X.fields(many)
    ]
    assert not bad, "\n".join(bad)


#: a ratio written with the letter x: "{far}x below", "15x (or more)"
RATIO_X = re.compile(r"(\}|\d)x\b")


def test_ratios_in_messages_read_times_not_x():
    found, _bad = X.messages()
    wrong = [f"{m.path}:{m.line}: {m.msgid!r}" for m in found if RATIO_X.search(m.msgid)]
    assert not wrong, "write ratios with × :\n" + "\n".join(wrong)
    assert [
        bool(RATIO_X.search(t)) for t in ("{far}x below", "15x (or", "0x1F", "{far}× below")
    ] == [
        True,
        True,
        False,
        False,
    ]
