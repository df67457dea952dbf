"""Every page script first puts itself in the app's frame (``ui.common.into_the_frame``,
which ``page_setup`` calls first): on a fresh server Streamlit routes a page's address by the
legacy ``pages/`` folder, and a page that skips it runs alone on a first visit — the Data
page at ``/data`` showed the files' names as its menu and no dataset or language picker
(tests/e2e/test_deep_link.py shows it for the Overview in a real browser)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PAGES = sorted((Path(__file__).resolve().parents[2] / "pages").glob("*.py"))


def _first_call(path: Path) -> str | None:
    """The name of the function the page's first top-level statement with a call calls."""
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        calls = [n for n in ast.walk(node) if isinstance(n, ast.Call)]
        if calls:
            func = calls[0].func
            return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    return None


def test_there_are_pages():
    assert len(PAGES) >= 10, PAGES


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_a_page_enters_the_frame_before_anything_else(path):
    assert _first_call(path) in ("into_the_frame", "page_setup"), path.name
