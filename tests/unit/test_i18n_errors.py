"""Every error the core and the command line raise for a merchant can be shown in their
language.

An ``EcomdashError`` reaches a page through ``ecomdash.ui.common.show_error``, and the command
line's stderr through ``ecomdash.cli._error_line``; both translate a message built with
``ecomdash.i18n.note.note`` (a ``Note``: the English text, plus its message id and fields). A
raise site that passes a literal or an f-string instead shows English in the Chinese UI or
after ``--lang zh``; this test finds such sites by reading the source, ``ecomdash/cli`` included.
The command line also refuses through argparse (``ArgumentTypeError``, ``SystemExit``) and
writes notes on stderr (``print(..., file=sys.stderr)``, "Read in the app: …"): a literal or
an f-string with words in it there is English-only too (its words must pass through ``_()``).
"""

from __future__ import annotations

import ast
import builtins
from pathlib import Path

import pytest

from ecomdash import errors

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "ecomdash"
#: Python's own exception classes: a class deriving from one of them is an exception class
BUILTIN_EXCEPTIONS = frozenset(
    name
    for name, obj in vars(builtins).items()
    if isinstance(obj, type) and issubclass(obj, BaseException)
)


def exception_classes(files: list[Path]) -> set[str]:
    """The names of the exception classes defined in ``files``, read from the source: a class
    whose base is one of Python's exceptions or, transitively, another class found here
    (``NotForCluster(InputFileError)`` in ``spark/ingest.py``, ``JoinError(EcomdashError)``
    in ``ingest/multi.py``), wherever it is defined; Python's own are not in the set."""
    bases: dict[str, set[str]] = {}
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                names = {
                    b.attr if isinstance(b, ast.Attribute) else getattr(b, "id", "")
                    for b in node.bases
                }
                bases.setdefault(node.name, set()).update(names)
    found: set[str] = set()
    while True:
        more = {
            name
            for name, of in bases.items()
            if name not in found and of & (BUILTIN_EXCEPTIONS | found)
        }
        if not more:
            return found
        found |= more


#: error classes a merchant can see: every exception class the package defines, anywhere in it
MERCHANT_ERRORS = exception_classes(sorted(CORE.rglob("*.py")))
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


#: what the command line refuses or notes with besides a merchant error: argparse's refusal of
#: a value (``type=``), an exit with a message, a line on stderr
CLI_REFUSALS = {"ArgumentTypeError", "ArgumentError", "SystemExit", "exit", "error"}


def _english_words(node: ast.AST) -> bool:
    """``node`` is text written in the source with a word in it: a literal, an f-string's or a
    concatenation's literal parts (``"  " + line`` or ``f"[{i}/{n}] {title}…"`` hold none)."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and any(c.isascii() and c.isalpha() for c in node.value)
    if isinstance(node, ast.JoinedStr):
        return any(_english_words(v) for v in node.values if isinstance(v, ast.Constant))
    if isinstance(node, ast.BinOp):
        return _english_words(node.left) or _english_words(node.right)
    return False


def _cli_untranslated(path: Path) -> list[str]:
    """``file:line`` of the command line's other English-only refusals and notes: an argparse
    refusal, ``SystemExit`` / ``sys.exit`` / ``parser.error`` with a message, and
    ``print(..., file=sys.stderr)``, whose text is a literal or an f-string with words."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        to_stderr = name == "print" and any(
            k.arg == "file" and ast.unparse(k.value) == "sys.stderr" for k in node.keywords
        )
        if (name in CLI_REFUSALS or to_stderr) and _english_words(node.args[0]):
            out.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return out


def _core_files() -> list[Path]:
    """Every module of the package, the command line's included."""
    return sorted(p for p in CORE.rglob("*.py") if str(p.relative_to(ROOT)) not in PENDING)


def test_every_merchant_error_is_translatable():
    files = _core_files()
    assert len(files) > 60 and len(MERCHANT_ERRORS) >= 6
    assert CORE / "cli" / "pricing.py" in files
    found = [site for p in files for site in _untranslated(p)]
    assert found == [], f"{len(found)} raise sites with English-only messages: {found}"


def test_every_command_line_refusal_and_note_is_translatable():
    """The command line's argparse refusals, exits and stderr notes pass through ``_()``."""
    files = sorted((CORE / "cli").glob("*.py"))
    assert len(files) >= 12
    found = [site for p in files for site in _cli_untranslated(p)]
    assert found == [], f"{len(found)} English-only refusals or stderr notes: {found}"


def test_the_cli_check_finds_english_on_stderr(tmp_path):
    """The reader of the command line's other refusals: literals and f-strings with words on
    stderr, in an argparse refusal or an exit are found; text through ``_()``, stdout and
    text without words are not."""
    src = tmp_path / "x.py"
    src.write_text(
        "def f(n, exc, line):\n"
        "    print(f'Read in the app: {exc}', file=sys.stderr)\n"
        "    raise argparse.ArgumentTypeError('not a date')\n"
        "    raise SystemExit(f'{n} is too many')\n"
        "    print('Wrote ' + str(n), file=sys.stderr)\n"
        "    print(_('Read in the app: {reason}', reason=exc), file=sys.stderr)\n"
        "    print('  ' + line, file=sys.stderr)\n"
        "    print(f'[{n}/9] {line}…', file=sys.stderr)\n"
        "    print(f'Saved {n} lines')\n"
        "    raise SystemExit(2)\n",
        encoding="utf-8",
    )
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        sites = [s.rsplit(":", 1)[1] for s in _cli_untranslated(src)]
    finally:
        ROOT = saved
    assert sites == ["2", "3", "4", "5"], sites


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


def test_every_exception_class_of_the_package_is_checked():
    """Not only ``errors.py``'s: the classes defined beside their code (``NotForCluster``, whose
    English f-strings the check missed) and every ``EcomdashError`` subclass."""
    assert {
        "NotForCluster",
        "JoinError",
        "SheetChoiceError",
        "PdfError",
        "WorkerCrashError",
    } <= MERCHANT_ERRORS
    assert {
        name
        for name, obj in vars(errors).items()
        if isinstance(obj, type) and issubclass(obj, errors.EcomdashError)
    } <= MERCHANT_ERRORS
    assert not MERCHANT_ERRORS & {"ValueError", "Exception", "Note"}


def test_the_check_finds_exception_classes_defined_anywhere(tmp_path):
    """Deriving from one of Python's exceptions or, transitively, from a class found in
    another file (``b.py``'s ``Deeper`` from ``a.py``'s ``Refused``); a class deriving from
    anything else is not one, and a raise of a class found is checked wherever it is."""
    (tmp_path / "a.py").write_text(
        "class Refused(errors.InputFileError): ...\n"
        "class Mine(ValueError): ...\n"
        "class Plain: ...\n"
        "class Text(str): ...\n",
        encoding="utf-8",
    )
    (tmp_path / "b.py").write_text(
        "from a import Refused, Mine\n"
        "class Deeper(Refused): ...\n"
        "class Base(Exception): ...\n"
        "class InputFileError(Base): ...\n"
        "def f(why):\n"
        "    raise Deeper(f'{why}; read in the app')\n"
        "    raise Mine('plain')\n"
        "    raise Deeper(note(N_('{why}; read in the app'), why=why))\n",
        encoding="utf-8",
    )
    files = [tmp_path / "a.py", tmp_path / "b.py"]
    found = exception_classes(files)
    assert found == {"Refused", "Mine", "Deeper", "Base", "InputFileError"}, found
    global MERCHANT_ERRORS
    saved, MERCHANT_ERRORS = MERCHANT_ERRORS, found
    try:
        sites = [s.rsplit(":", 1)[1] for s in _untranslated_at(tmp_path / "b.py")]
    finally:
        MERCHANT_ERRORS = saved
    assert sites == ["6", "7"], sites


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
