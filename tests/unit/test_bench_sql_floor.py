"""bench/bench_sql_floor.py's all-SQL ingest prototype still saves what the present route saves
on its built-in edge-case export (its ``--selftest``: rule counts, every line, every rollup table,
both ways), so the floor it measures for issue #12 is the floor of the same work. It had drifted:
the present route's short non-product codes (C3 without a name) were missing from it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_sql_floor.py"


def test_the_sql_floor_prototype_saves_what_the_present_route_saves(tmp_path):
    run = subprocess.run(
        [sys.executable, str(BENCH), "--selftest", "--no-lock", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    lines = [ln for ln in run.stdout.splitlines() if ln.startswith("lean ")]
    assert run.returncode == 0, run.stdout + run.stderr
    assert len(lines) == 4, run.stdout  # lean on/off × rollup from SQL / from the frame
    assert all(ln.endswith(": equal") for ln in lines), run.stdout
