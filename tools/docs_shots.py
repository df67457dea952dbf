"""Refresh the README's screenshots (docs/screenshots/) from the browser tests' own shots.

    uv run python tools/docs_shots.py --run          # run the tests that take them, then copy
    uv run python tools/docs_shots.py                # copy the shots the last run left
    uv run python tools/docs_shots.py home-zh.png    # only that one (--run: only its test)
    uv run python tools/docs_shots.py --list         # which test takes which screenshot

The tests write only to ``test-output/e2e/`` (every run), never into the repository: a
screenshot under docs/ changes when someone means it to, in a commit that says so. This
script is that step: each docs file is copied from the shot its test takes, and a shot missing
(or older than the test file that takes it) is refused with the test to run.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "test-output" / "e2e"
DOCS = ROOT / "docs" / "screenshots"


@dataclass(frozen=True)
class Shot:
    doc: str  # the file under docs/screenshots/
    shot: str  # the name the test gives ``tests.e2e.conftest.screenshot``
    test: str  # the test that takes it (a pytest node id)


SHOTS = (
    Shot("home.png", "home", "tests/e2e/test_pages.py::test_home_renders_demo"),
    Shot("home-zh.png", "home-zh", "tests/e2e/test_zh_walk.py::test_every_page_in_chinese"),
    Shot(
        "overview.png",
        "overview",
        "tests/e2e/test_pages.py::test_every_page_renders_and_runs[Overview]",
    ),
    Shot(
        "data.png",
        "data-upload-report",
        "tests/e2e/test_pages.py::test_upload_on_data_page_and_see_it_in_overview",
    ),
    Shot(
        "segments.png",
        "segments",
        "tests/e2e/test_pages.py::test_every_page_renders_and_runs[Segments]",
    ),
)


def select(names: list[str]) -> list[Shot]:
    """The shots named (by their docs file, with or without ``.png``), or all of them."""
    if not names:
        return list(SHOTS)
    by = {s.doc: s for s in SHOTS} | {s.doc.removesuffix(".png"): s for s in SHOTS}
    unknown = [n for n in names if n not in by]
    if unknown:
        known = ", ".join(s.doc for s in SHOTS)
        raise SystemExit(f"no such docs screenshot: {', '.join(unknown)} (known: {known})")
    return [by[n] for n in names]


def copy(shots: list[Shot], *, out: Path = OUT, docs: Path = DOCS, root: Path = ROOT) -> list[str]:
    """Copy each shot's latest file from ``out`` to ``docs``; returns the lines said. Nothing
    is copied when one shot is missing or older than its test file (a stale run's): the
    error names the tests to run."""
    missing = []
    for s in shots:
        src = out / f"{s.shot}.png"
        test_file = root / s.test.split("::")[0]
        if not src.exists():
            missing.append(f"{s.doc}: {src} is missing; run {s.test}")
        elif test_file.exists() and src.stat().st_mtime < test_file.stat().st_mtime:
            missing.append(f"{s.doc}: {src} is older than {test_file.name}; run {s.test}")
    if missing:
        raise SystemExit("nothing copied:\n  " + "\n  ".join(missing))
    docs.mkdir(parents=True, exist_ok=True)
    said = []
    for s in shots:
        src, dst = out / f"{s.shot}.png", docs / s.doc
        shutil.copyfile(src, dst)
        said.append(f"{dst.relative_to(root) if dst.is_relative_to(root) else dst}: {src.name}")
    return said


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("names", nargs="*", help="docs screenshots to refresh (default: all)")
    ap.add_argument("--run", action="store_true", help="run the tests that take them first")
    ap.add_argument("--list", action="store_true", help="which test takes which screenshot")
    args = ap.parse_args(argv)
    shots = select(args.names)
    if args.list:
        for s in shots:
            print(f"{s.doc:<14} {s.shot + '.png':<24} {s.test}")
        return 0
    if args.run:
        tests = list(dict.fromkeys(s.test for s in shots))
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", "1", *tests])
        if done.returncode:
            print("the tests failed: nothing copied", file=sys.stderr)
            return done.returncode
    for line in copy(shots):
        print(line)
    print("Look at them before committing (git diff --stat docs/screenshots).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
