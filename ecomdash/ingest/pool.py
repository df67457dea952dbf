"""Which allocator pyarrow uses for the ingest's big buffers.

pyarrow's default pool on Linux is mimalloc, which hands a big buffer (the parsed columns,
their combined and cast copies, the cleaner's encodes) straight back to the kernel when it is
freed, so the next one faults its pages in again: at 3 M lines about 7 s of the read's 9 s of
CPU was system time. jemalloc keeps freed pages for a moment and reuses them (at 3 M, in one
run each on a shared machine: read 9.4 → 2.7 s CPU, clean 6.1 → 5.2 s, the process's system
time 11.6 → 4.4 s, peak RSS 1.73 → 1.58 GiB; ``docs/SCALE.md``, section ingest8). The
allocator changes no value: only where the bytes live.

:func:`use_fast_pool` makes jemalloc pyarrow's pool for this process (idempotent; every
buffer remembers the pool it came from, so buffers already allocated are freed by theirs).
It leaves the choice alone when ``ARROW_DEFAULT_MEMORY_POOL`` is set (the user chose) or
when this pyarrow was built without jemalloc (macOS and Windows wheels may lack it).
"""

from __future__ import annotations

import os

import pyarrow as pa

#: the environment variable with which a user picks pyarrow's allocator themselves
ENV = "ARROW_DEFAULT_MEMORY_POOL"


def fast_pool() -> pa.MemoryPool | None:
    """jemalloc's pool, or None when this pyarrow has none."""
    try:
        return pa.jemalloc_memory_pool()
    except NotImplementedError:  # pragma: no cover - built without jemalloc
        return None


def use_fast_pool() -> bool:
    """Make jemalloc pyarrow's default pool (see the module); True when it is in use."""
    if os.environ.get(ENV):
        return False
    pool = fast_pool()
    if pool is None:  # pragma: no cover - built without jemalloc
        return False
    pa.set_memory_pool(pool)
    return True
