"""``Store.query``'s one ``WITH l AS (...)`` (tidy10): the same filtered lines and parameters
whether the rows come back through DuckDB's ``.df()`` or as Arrow (``product_week_prices``'
fetch), checked against rows counted by hand from ``tiny_lines``."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pytest

from ecomdash.filters import Filters
from ecomdash.store import Store
from tests.unit.tiny import tiny_lines

# quantity per product of the UK lines from 2024-01-01 with at least one unit; by hand from
# tiny_lines: O1 P1 x2, O1 P2 x1, O3 P2 x3, O3 POST x1; out: O5 P1 x1 (2023-12-31, before the
# filter), O2 P1 x1 (DE), O4 P3 x1 (FR), CO2 P1 x-1 (DE, and under one unit). Unfiltered
# it would be P1 4, P2 4, P3 1, POST 1.
SQL = "SELECT product_id, sum(quantity) AS q FROM l WHERE quantity >= ? GROUP BY 1 ORDER BY 1"
UK_2024 = Filters(start=date(2024, 1, 1), countries=("UK",))
BY_HAND = [("P1", 2.0), ("P2", 4.0), ("POST", 1.0)]


@pytest.fixture
def saved(tmp_path):
    store = Store.open(tmp_path / "home")
    info = store.save_dataset("tiny", tiny_lines())
    yield store, info
    store.close()


def test_pandas_and_arrow_fetch_the_same_filtered_rows(saved):
    store, info = saved
    df = store.query(info.id, UK_2024, SQL, [1])
    assert list(df.itertuples(index=False, name=None)) == BY_HAND
    table = store._query_lines(info, UK_2024, SQL, [1], fetch="arrow")
    assert isinstance(table, pa.Table)
    assert list(table.to_pandas().itertuples(index=False, name=None)) == BY_HAND


def test_an_unknown_fetch_is_refused(saved):
    store, info = saved
    with pytest.raises(ValueError, match="fetch"):
        store._query_lines(info, None, SQL, [1], fetch="polars")
