"""pyarrow's allocator for the ingest (ecomdash/ingest/pool.py): jemalloc, same values."""

from __future__ import annotations

import gzip

import pandas as pd
import pyarrow as pa
import pytest

from ecomdash.ingest import load_bytes
from ecomdash.ingest.pool import ENV, use_fast_pool
from ecomdash.ingest.read import read_bytes


@pytest.fixture
def restore_pool():
    before = pa.default_memory_pool()
    yield
    pa.set_memory_pool(before)


def test_use_fast_pool_makes_jemalloc_the_pool_unless_the_user_chose(monkeypatch, restore_pool):
    pa.set_memory_pool(pa.system_memory_pool())
    monkeypatch.setenv(ENV, "system")
    assert use_fast_pool() is False
    assert pa.default_memory_pool().backend_name == "system"  # the user's choice stays
    monkeypatch.delenv(ENV)
    assert use_fast_pool() is True
    assert pa.default_memory_pool().backend_name == "jemalloc"
    assert use_fast_pool() is True  # idempotent
    assert pa.default_memory_pool().backend_name == "jemalloc"


def test_read_bytes_switches_to_jemalloc(monkeypatch, restore_pool):
    monkeypatch.delenv(ENV, raising=False)
    pa.set_memory_pool(pa.system_memory_pool())
    read_bytes(b"order_id,qty\n1,2\n", "a.csv")
    assert pa.default_memory_pool().backend_name == "jemalloc"


_CSV = (
    "Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country\n"
    "536365,85123A, WHITE HANGING HEART ,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom\n"
    "536365,71053,WHITE METAL LANTERN,6,2010-12-01 08:26:00,3.39,17850.0,United Kingdom\n"
    "536365,71053,WHITE METAL LANTERN,6,2010-12-01 08:26:00,3.39,17850.0,United Kingdom\n"
    'C536379,D,"Discount, staff",-1,2010-12-01 09:41:00,27.50,14527,France\n'
    "536380,85123a,,2,not a date,2.55,,France\n"
    "C536381,71053,WHITE METAL LANTERN,-6,2010-12-02 10:00:00,3.39,17850,United Kingdom\n"
)


def test_the_same_lines_and_report_under_either_allocator(monkeypatch, restore_pool):
    """The allocator only decides where the bytes live: the lines, the cleaning report's
    counts and the rejected rows are the same read through jemalloc and through the system
    allocator (chosen with the environment variable, which use_fast_pool respects)."""
    data = gzip.compress(_CSV.encode())
    monkeypatch.setenv(ENV, "system")
    pa.set_memory_pool(pa.system_memory_pool())
    old = load_bytes(data, "orders.csv.gz")
    assert pa.default_memory_pool().backend_name == "system"
    monkeypatch.delenv(ENV)
    new = load_bytes(data, "orders.csv.gz")
    assert pa.default_memory_pool().backend_name == "jemalloc"
    pd.testing.assert_frame_equal(new.lines, old.lines)
    counts = {r.rule: r.rows for r in new.report.rules}
    assert counts == {r.rule: r.rows for r in old.report.rules}
    # by hand: one exact duplicate and one bad date dropped, two C invoices, one matched sale
    assert counts["duplicate"] == 1 and counts["unreadable_date"] == 1
    assert counts["cancellation_invoice"] == 2
    assert new.report.matched_cancellations == old.report.matched_cancellations == 1
    assert len(new.lines) == 4
    pd.testing.assert_frame_equal(new.report.rejected, old.report.rejected)


def test_codes_of_by_hand():
    """The cleaner's codes of a column (``codes_of``): first-seen numbering, "" is a value,
    a missing cell is -1; each column its own distinct values."""
    from ecomdash.ingest.convert import codes_of

    codes, uniques = codes_of(
        pd.Series(pd.array(["b", "a", "", "b", None], dtype="string[pyarrow]"))
    )
    assert codes.tolist() == [0, 1, 2, 0, -1]
    assert uniques.to_pylist() == ["b", "a", ""]
    codes, uniques = codes_of(
        pd.Series(pd.array(["某", "x", "某"] * 3000, dtype="string[pyarrow]"))
    )
    assert uniques.to_pylist() == ["某", "x"] and codes[:3].tolist() == [0, 1, 0]
