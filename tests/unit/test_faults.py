"""Faults: a process killed in the middle of a save leaves the old datasets intact and no
half-saved one; a completed save survives a kill right after."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

import pytest

from ecomdash.store import Store
from tests.unit.tiny import tiny_lines

SAVER = textwrap.dedent(
    """
    import sys, time
    import numpy as np, pandas as pd
    from ecomdash.store import Store
    n = 300_000
    rng = np.random.default_rng(0)
    lines = pd.DataFrame({
        "order_id": rng.integers(0, 50_000, n).astype(str),
        "order_date": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 300, n), unit="D"),
        "product_id": rng.integers(0, 900, n).astype(str),
        "quantity": rng.integers(1, 5, n).astype(float),
        "unit_price": rng.random(n) * 20 + 1,
    })
    lines["revenue"] = lines["quantity"] * lines["unit_price"]
    store = Store.open(sys.argv[1])
    def pause():
        print("MID-SAVE", flush=True)
        time.sleep(60)
    hook = pause if sys.argv[2] == "pause" else None
    info = store.save_dataset("Big", lines, _fail_after_lines=hook)
    print("SAVED", info.id, flush=True)
    time.sleep(60)
    """
)


def _run_and_kill(home, mode: str) -> str:
    proc = subprocess.Popen(
        [sys.executable, "-c", SAVER, str(home), mode],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    want = "MID-SAVE" if mode == "pause" else "SAVED"
    line = ""
    for line in proc.stdout:
        if line.startswith(want):
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert line.startswith(want), proc.stderr.read()
    return line


@pytest.mark.parametrize("mode", ["pause", "complete"])
def test_kill_during_or_after_save(tmp_path, mode):
    home = tmp_path / "home"
    store = Store.open(home)
    old = store.save_dataset("Old", tiny_lines())
    store.close()
    line = _run_and_kill(home, mode)
    store = Store.open(home)
    names = sorted(d.name for d in store.list_datasets())
    assert len(store.load_lines(old.id)) == 8
    total = store._cur().execute("SELECT count(*) FROM lines").fetchall()[0][0]
    if mode == "pause":
        assert names == ["Old"]
        assert total == 8  # no half-saved lines
    else:
        new_id = line.split()[1]
        assert names == ["Big", "Old"]
        assert store.info(new_id).rows == 300_000 == total - 8
    store.close()
