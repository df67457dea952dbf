"""Every error the core raises for a merchant can be shown in their language.

An ``EcomdashError`` reaches a page through ``ecomdash.ui.common.show_error``, which translates
a message built with ``ecomdash.i18n.note.note`` (a ``Note``: the English text, plus its message
id and fields). A raise site that passes a literal or an f-string instead shows English in the
Chinese UI; this test finds such sites by reading the source (the command line, whose output
is English by design, is left out).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from ecomdash import errors

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "ecomdash"
#: error classes a merchant can see (every EcomdashError subclass)
MERCHANT_ERRORS = {
    name
    for name, obj in vars(errors).items()
    if isinstance(obj, type) and issubclass(obj, errors.EcomdashError)
}
#: modules whose errors are not yet translated (shrinks to nothing; say why for each)
PENDING: set[str] = set()


def _untranslated(path: Path) -> list[str]:
    """``file:line`` of raises of a merchant error whose message is a literal or an f-string
    (or a concatenation of them): text that never passes through the catalogue."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
            continue
        func = node.exc.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name not in MERCHANT_ERRORS or not node.exc.args:
            continue
        msg = node.exc.args[0]
        if isinstance(msg, ast.Constant | ast.JoinedStr | ast.BinOp):
            out.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return out


def _core_files() -> list[Path]:
    return sorted(
        p
        for p in CORE.rglob("*.py")
        if "cli" not in p.relative_to(CORE).parts and str(p.relative_to(ROOT)) not in PENDING
    )


def test_every_merchant_error_is_translatable():
    files = _core_files()
    assert len(files) > 60 and len(MERCHANT_ERRORS) >= 6
    found = [site for p in files for site in _untranslated(p)]
    assert found == [], f"{len(found)} raise sites with English-only messages: {found}"


def test_the_check_finds_a_literal_message(tmp_path):
    """The reader itself: a literal, an f-string and a concatenation are found; a Note, a
    variable and a programmer's ValueError are not."""
    src = tmp_path / "x.py"
    src.write_text(
        "def f(n):\n"
        "    raise ParameterError('plain')\n"
        "    raise StoreError(f'{n} lines')\n"
        "    raise errors.InputFileError('a' + 'b')\n"
        "    raise ParameterError(note(N_('fine {n}'), n=n))\n"
        "    raise ParameterError(msg)\n"
        "    raise ValueError('programmer error')\n",
        encoding="utf-8",
    )
    sites = [s.rsplit(":", 1)[1] for s in _untranslated_at(src)]
    assert sites == ["2", "3", "4"], sites


def _untranslated_at(path: Path) -> list[str]:
    global ROOT
    saved, ROOT = ROOT, path.parent
    try:
        return _untranslated(path)
    finally:
        ROOT = saved


@pytest.mark.parametrize("lang", ["zh"])
def test_a_core_error_reaches_the_page_translated(lang):
    """show_error's translation path on a real core raise: the demo generator's bad size."""
    from ecomdash.i18n import use_lang
    from ecomdash.i18n.note import translated

    with pytest.raises(errors.EcomdashError) as info:
        from ecomdash.demo import generate

        generate(n_customers=0)
    assert str(info.value)  # English for the command line
    with use_lang(lang):
        shown = str(translated(info.value))
    assert shown != str(info.value)
