"""A page whose step waits for a free worker process says so (issue 17 part 2: at most
ECOMDASH_MAX_WORKERS workers at once)."""

from __future__ import annotations

import re
import threading
import time

from streamlit.testing.v1 import AppTest

from ecomdash.ui import worker
from tests.unit.busy_worker import hold, sum_of_squares


def _page():
    import streamlit as st

    from ecomdash.ui.common import run_with_budget, timed_status
    from ecomdash.ui.worker import run_in_worker
    from tests.unit.busy_worker import hold

    with timed_status("Planted step"):
        start, end = run_with_budget(run_in_worker, hold, 0.1, seconds=120, what="Planted step")
    st.text(f"ran for {end - start:.1f} s")


def test_a_step_queued_for_a_worker_says_it_waited(monkeypatch):
    worker.warm()
    worker.run_in_worker(sum_of_squares, 10, seconds=300)  # the fork server up
    monkeypatch.setenv("ECOMDASH_MAX_WORKERS", "1")
    held = threading.Thread(target=worker.run_in_worker, args=(hold, 15.0), daemon=True)
    held.start()
    end = time.monotonic() + 60
    while worker.worker_load()[0] < 1 and time.monotonic() < end:  # it holds the only worker
        time.sleep(0.02)
    assert worker.worker_load() == (1, 0)
    at = AppTest.from_function(_page, default_timeout=120)
    at.run()
    held.join(60)
    assert not at.exception, at.exception
    assert any(t.value.startswith("ran for") for t in at.text)
    waited = [c.value for c in at.caption if "for a free worker" in c.value]
    assert len(waited) == 1 and waited[0].startswith("Waited "), [c.value for c in at.caption]
    # fmt.duration's seconds ("2.4 s", "14 s"): a wait of a minute or more ("1 min 2 s")
    # or under a tenth ("under 0.1 s") is outside the range and fails here, not in a parse
    m = re.match(r"Waited (\d+(?:\.\d)?)\u00a0s ", waited[0])
    assert m and 0.5 <= float(m.group(1)) <= 30, waited  # it waited for the 15 s run
    assert worker.worker_load() == (0, 0)
