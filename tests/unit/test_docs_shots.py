"""tools/docs_shots.py: the README's screenshots are refreshed on purpose from the shots the
browser tests leave in test-output/e2e/, never by a test run (the Chinese walk rewrote
docs/screenshots/home-zh.png on every run)."""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("docs_shots", ROOT / "tools" / "docs_shots.py")
docs_shots = importlib.util.module_from_spec(spec)
sys.modules["docs_shots"] = docs_shots  # its dataclass looks its module up
spec.loader.exec_module(docs_shots)


def _writes_under_docs(path: Path) -> list[int]:
    """The lines of ``path`` that build a path into the repository's docs/ (``ROOT / "docs"``
    or a literal ``docs/…``): a test has no business there."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            right = node.right
            if isinstance(right, ast.Constant) and right.value == "docs":
                lines.append(node.lineno)
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if node.value.startswith("docs/screenshots"):
                lines.append(node.lineno)
    return lines


def test_no_browser_test_builds_a_path_into_docs():
    found = {
        str(p.relative_to(ROOT)): lines
        for p in sorted((ROOT / "tests" / "e2e").glob("*.py"))
        if (lines := _writes_under_docs(p))
    }
    assert found == {}, found


def test_every_docs_screenshot_has_a_shot_its_test_takes():
    """Each docs file is named in SHOTS, and its test file takes that shot: by name, or as
    the slug of a page title it walks (test_pages: "Segments" -> "segments")."""
    docs = {p.name for p in (ROOT / "docs" / "screenshots").glob("*.png")}
    assert docs == {s.doc for s in docs_shots.SHOTS}
    for s in docs_shots.SHOTS:
        path, _sep, test = s.test.partition("::")
        text = (ROOT / path).read_text(encoding="utf-8")
        name, _sep, param = test.partition("[")
        assert f"def {name}(" in text, s
        if param:
            slug = re.sub(r"[^a-z]+", "-", param.rstrip("]").lower()).strip("-")
            assert slug == s.shot and "screenshot(page, slug)" in text, s
        else:
            assert f'screenshot(page, "{s.shot}")' in text, s


def _dirs(tmp_path: Path) -> tuple[Path, Path, Path]:
    root = tmp_path / "repo"
    out, docs = root / "test-output" / "e2e", root / "docs" / "screenshots"
    out.mkdir(parents=True)
    (root / "tests" / "e2e").mkdir(parents=True)
    (root / "tests" / "e2e" / "test_zh_walk.py").write_text("# takes home-zh\n")
    return root, out, docs


def test_copy_takes_the_tests_shot(tmp_path):
    root, out, docs = _dirs(tmp_path)
    (out / "home-zh.png").write_bytes(b"new shot")
    [shot] = docs_shots.select(["home-zh.png"])
    said = docs_shots.copy([shot], out=out, docs=docs, root=root)
    assert (docs / "home-zh.png").read_bytes() == b"new shot"
    assert said == ["docs/screenshots/home-zh.png: home-zh.png"]


def test_a_missing_or_stale_shot_copies_nothing(tmp_path):
    root, out, docs = _dirs(tmp_path)
    [shot] = docs_shots.select(["home-zh"])
    with pytest.raises(SystemExit, match="home-zh.png is missing; run tests/e2e/test_zh_walk"):
        docs_shots.copy([shot], out=out, docs=docs, root=root)
    (out / "home-zh.png").write_bytes(b"old shot")
    test_file = root / "tests" / "e2e" / "test_zh_walk.py"
    past = test_file.stat().st_mtime - 60
    os.utime(out / "home-zh.png", (past, past))  # taken before the test last changed
    with pytest.raises(SystemExit, match="older than test_zh_walk.py"):
        docs_shots.copy([shot], out=out, docs=docs, root=root)
    assert not docs.exists()


def test_an_unknown_name_is_refused_with_the_known_ones():
    with pytest.raises(SystemExit, match=r"no such docs screenshot: home-en \(known: home.png"):
        docs_shots.select(["home-en"])
