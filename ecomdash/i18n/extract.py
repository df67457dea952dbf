"""Find the message ids in the source: the literal first arguments of ``_()``, ``_n()`` and
``note_n()`` (both forms) and ``N_()`` in ``app.py``, ``pages/`` and ``ecomdash/`` (what
``pybabel extract -k _ -k _n:1,2 -k note_n:1,2 -k N_`` would find), and calls whose message id
is not a literal."""

from __future__ import annotations

import ast
import string
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": 1, "N_": 1, "_n": 2, "note_n": 2}


@dataclass(frozen=True)
class Message:
    msgid: str
    path: str
    line: int


def source_files(root: Path = ROOT) -> list[Path]:
    files = [root / "app.py", *sorted((root / "pages").glob("*.py"))]
    files += sorted(p for p in (root / "ecomdash").rglob("*.py") if "locales" not in p.parts)
    return [p for p in files if p.exists()]


def _calls(tree: ast.AST) -> Iterator[ast.Call]:
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in KEYWORDS
        ):
            yield node


def messages(root: Path = ROOT) -> tuple[list[Message], list[Message]]:
    """``(found, not_literal)``: every literal message id with where it is, and the calls
    whose id is an f-string or a concatenation (their text cannot be in a catalogue)."""
    found: list[Message] = []
    bad: list[Message] = []
    for path in source_files(root):
        rel = str(path.relative_to(root))
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=rel)
        for call in _calls(tree):
            for arg in call.args[: KEYWORDS[call.func.id]]:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.append(Message(arg.value, rel, call.lineno))
                elif isinstance(arg, ast.JoinedStr | ast.BinOp):
                    bad.append(Message(ast.unparse(arg), rel, call.lineno))
    return found, bad


def fields(text: str) -> set[str]:
    """The ``{names}`` a message fills in (format specs aside)."""
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}
