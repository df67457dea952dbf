"""A model step that spins the CPU, for the killed-worker page tests: a light module, quick to
import in a worker process (pickled by reference, with its beat file bound by functools.partial).
"""

from __future__ import annotations

import os
import time
from pathlib import Path


def spin(*_args, beat: str, seconds: float = 120.0, **_kw):
    """Burn CPU for ``seconds``, writing its pid and a growing counter to ``beat``."""
    end = time.monotonic() + seconds
    n = 0
    while time.monotonic() < end:
        for _ in range(20_000):
            n += 1
        # written aside, then renamed: a worker killed mid-write leaves a whole beat behind
        tmp = Path(f"{beat}.tmp")
        tmp.write_text(f"{os.getpid()} {n}")
        os.replace(tmp, beat)
    raise RuntimeError("the spinning step was never stopped")
