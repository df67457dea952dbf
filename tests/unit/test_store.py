from __future__ import annotations

import os
from datetime import date

import pandas as pd
import pyarrow as pa
import pytest

from ecomdash.errors import ParameterError, StoreError
from ecomdash.filters import Filters
from ecomdash.store import Store, default_home
from tests.unit.tiny import tiny_lines


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "home")
    yield s
    s.close()


def test_home_follows_environment(_isolated_home):
    assert default_home() == _isolated_home


def test_save_and_load_roundtrip(store):
    lines = tiny_lines()
    info = store.save_dataset(
        "Tiny", lines, report={"rows_read": 8}, mapping={"order_id": "Invoice"}
    )
    assert info.rows == 8 and info.version == 1 and info.name == "Tiny"
    assert info.mapping == {"order_id": "Invoice"} and info.report["rows_read"] == 8
    assert "channel" not in info.columns and "country" in info.columns
    back = store.load_lines(info.id)
    assert list(back["order_id"]) == list(lines["order_id"])
    assert back["revenue"].sum() == pytest.approx(lines["revenue"].sum())
    assert back["customer_id"].isna().sum() == 2
    assert "channel" not in back.columns  # absent columns stay absent
    assert back["is_cancelled"].sum() == 1


def test_filters_dates_inclusive_and_countries(store):
    info = store.save_dataset("Tiny", tiny_lines())
    got = store.load_lines(info.id, Filters(start=date(2024, 1, 2), end=date(2024, 1, 3)))
    assert sorted(got["order_id"].unique()) == ["CO2", "O2", "O3"]
    got = store.load_lines(info.id, Filters(countries=("UK",)))
    assert set(got["country"]) == {"UK"}
    got = store.load_lines(info.id, Filters(categories=("Food",)))
    assert set(got["product_id"]) == {"P2"}


def test_failure_mid_save_leaves_store_unchanged(store):
    first = store.save_dataset("Keep me", tiny_lines())

    def boom():
        raise RuntimeError("disk went away")

    with pytest.raises(RuntimeError):
        store.save_dataset("Broken", tiny_lines(), _fail_after_lines=boom)
    assert [d.name for d in store.list_datasets()] == ["Keep me"]
    assert len(store.load_lines(first.id)) == 8
    # no orphan lines from the failed save
    n = store.query(first.id, None, "SELECT count(*) AS n FROM l").iloc[0, 0]
    assert n == 8
    total = store._cur().execute("SELECT count(*) FROM lines").fetchall()[0][0]
    assert total == 8


def test_bad_lines_fail_cleanly(store):
    first = store.save_dataset("Keep me", tiny_lines())
    bad = tiny_lines()
    bad["line_no"] = ["x"] * len(bad)  # cannot become an integer
    with pytest.raises(ValueError):
        store.save_dataset("Bad", bad)
    assert [d.id for d in store.list_datasets()] == [first.id]


def test_append_skips_duplicates_and_bumps_version(store):
    lines = tiny_lines()
    info = store.save_dataset("Tiny", lines.iloc[:5])
    res = store.append(info.id, lines.iloc[3:])  # rows 3,4 overlap
    assert res.duplicates == 2 and res.added == 3
    assert res.dataset.version == 2 and res.dataset.rows == 8
    back = store.load_lines(info.id)
    assert len(back) == 8 and back["line_no"].is_unique
    assert res.dataset.report["appends"][0]["duplicates"] == 2


def test_append_keeps_the_datasets_columns_and_numbers_lines_after_the_last(store):
    lines = tiny_lines()
    info = store.save_dataset("No country", lines.drop(columns=["country"]).iloc[:4])
    newer = lines.iloc[4:].copy()  # has a country column the dataset does not have
    res = store.append(info.id, newer)
    assert res.added == len(newer) and "country" not in res.dataset.columns
    raw = (
        store._cur()
        .execute("SELECT count(country), max(line_no) FROM lines WHERE dataset_id = ?", [info.id])
        .fetchall()[0]
    )
    assert raw[0] == 0  # the newer export's countries did not leak in
    last_saved = int(lines["line_no"].iloc[:4].max())
    assert raw[1] == last_saved + int(newer["line_no"].max())
    # appending the same export again adds nothing
    again = store.append(info.id, newer)
    assert again.added == 0 and again.duplicates == len(newer)


def test_rename_delete_and_unknown(store):
    a = store.save_dataset("A", tiny_lines())
    b = store.save_dataset("B", tiny_lines())
    assert store.rename(a.id, "  Shop   2024 ").name == "Shop 2024"
    store.delete(b.id)
    assert [d.id for d in store.list_datasets()] == [a.id]
    with pytest.raises(StoreError, match="No dataset"):
        store.info(b.id)
    with pytest.raises(ParameterError):
        store.rename(a.id, "   ")
    assert store.resolve("Shop 2024").id == a.id


def test_workspaces_never_see_each_other(tmp_path):
    home = tmp_path / "home"
    a = Store.open(home, workspace="merchant-a")
    info = a.save_dataset("A only", tiny_lines())
    b = Store(a._con, workspace="merchant-b")
    assert b.list_datasets() == []
    with pytest.raises(StoreError):
        b.load_lines(info.id)
    with pytest.raises(StoreError):
        b.delete(info.id)
    assert len(a.load_lines(info.id)) == 8
    with pytest.raises(ParameterError):
        Store(a._con, workspace="../etc")
    a.close()


def test_second_process_lock_is_a_clear_error(tmp_path):
    import subprocess
    import sys

    home = tmp_path / "home"
    s = Store.open(home)
    code = (
        "from ecomdash.store import Store\n"
        "from ecomdash.errors import StoreError\n"
        f"try:\n    Store.open({str(home)!r})\nexcept StoreError as e:\n    print('CLEAR', e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    s.close()
    assert "CLEAR" in out.stdout and "another ecomdash process" in out.stdout


def test_home_that_is_a_file_is_a_clear_error(tmp_path):
    target = tmp_path / "file-not-dir"
    target.write_text("x")
    with pytest.raises(StoreError, match="cannot be created or written.*Set ECOMDASH_HOME"):
        Store.open(target / "sub")


def test_read_only_filesystem_home_is_a_clear_error(tmp_path, monkeypatch):
    """Root ignores permission bits, so a chmod'ed directory proves nothing in CI (root): the
    error a read-only filesystem gives (EROFS) is raised where the directory is created."""
    import errno
    from pathlib import Path

    def erofs(self, *a, **k):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))

    monkeypatch.setattr(Path, "mkdir", erofs)
    with pytest.raises(StoreError, match=r"\(Read-only file system\).*Set ECOMDASH_HOME"):
        Store.open(tmp_path / "home")
    assert not (tmp_path / "home").exists()


def _real_read_only_error(tmp_path):
    """The error DuckDB itself raises when a read-only database is written to."""
    import duckdb

    path = tmp_path / "ro.duckdb"
    duckdb.connect(str(path)).close()
    con = duckdb.connect(str(path), read_only=True)
    try:
        con.execute("CREATE TABLE t (x INTEGER)")
    except duckdb.Error as exc:
        return exc
    finally:
        con.close()
    raise AssertionError("DuckDB wrote to a read-only database")


@pytest.mark.parametrize("kind", ["duckdb", "erofs"])
def test_store_turning_read_only_mid_save_is_a_clear_error_and_loses_nothing(store, tmp_path, kind):
    """A write refused because the store became read-only (a remount, a read-only volume):
    the message says so and what to do, the save is rolled back, the saved data is intact."""
    import errno

    keep = store.save_dataset("Keep me", tiny_lines())
    before = store.load_lines(keep.id)
    if kind == "duckdb":
        exc = _real_read_only_error(tmp_path)
        assert "read-only" in str(exc)
    else:
        exc = OSError(errno.EROFS, os.strerror(errno.EROFS))

    def refuse():
        raise exc

    with pytest.raises(StoreError, match="The store is read-only: make ECOMDASH_HOME writable"):
        store.save_dataset("New", tiny_lines(), _fail_after_lines=refuse)
    assert [d.id for d in store.list_datasets()] == [keep.id]
    pd.testing.assert_frame_equal(store.load_lines(keep.id), before)
    assert store.info(keep.id).rows == 8 and store.info(keep.id).version == keep.version


def test_store_frame_keeps_types(store):
    info = store.save_dataset("Tiny", tiny_lines())
    back = store.load_lines(info.id, columns=["order_date", "quantity", "is_return"])
    assert list(back.columns) == ["order_date", "quantity", "is_return"]
    assert str(back["order_date"].dtype) == "datetime64[us]"
    assert back["is_return"].dtype == bool
    assert isinstance(back, pd.DataFrame)


def test_full_disk_during_save_is_a_clear_message_and_changes_nothing(store, monkeypatch):
    import duckdb

    keep = store.save_dataset("Keep me", tiny_lines())

    def disk_full():
        raise duckdb.IOException("IO Error: Could not write file: No space left on device")

    with pytest.raises(StoreError, match="disk is full"):
        store.save_dataset("New", tiny_lines(), _fail_after_lines=disk_full)
    assert [d.id for d in store.list_datasets()] == [keep.id]
    assert len(store.load_lines(keep.id)) == 8


def test_read_only_store_is_a_clear_message(tmp_path):
    home = tmp_path / "home"
    Store.open(home).close()
    from ecomdash.store import connect

    ro = Store(connect(home, read_only=True))
    with pytest.raises(StoreError, match="read-only"):
        ro.save_dataset("New", tiny_lines())
    ro.close()


# ------------------------------------------------- query's one WITH l AS (...), two fetches (tidy10)
# quantity per product of the UK lines from 2024-01-01 with at least one unit; by hand from
# tiny_lines: O1 P1 x2, O1 P2 x1, O3 P2 x3, O3 POST x1; out: O5 P1 x1 (2023-12-31, before the
# filter), O2 P1 x1 (DE), O4 P3 x1 (FR), CO2 P1 x-1 (DE, and under one unit). Unfiltered
# it would be P1 4, P2 4, P3 1, POST 1.
QTY_SQL = "SELECT product_id, sum(quantity) AS q FROM l WHERE quantity >= ? GROUP BY 1 ORDER BY 1"
UK_2024 = Filters(start=date(2024, 1, 1), countries=("UK",))
QTY_BY_HAND = [("P1", 2.0), ("P2", 4.0), ("POST", 1.0)]


def test_query_fetches_the_same_filtered_rows_as_pandas_or_arrow(store):
    """product_week_prices fetches through the Arrow mode: the same view, filters, parameters."""
    info = store.save_dataset("tiny", tiny_lines())
    df = store.query(info.id, UK_2024, QTY_SQL, [1])
    assert list(df.itertuples(index=False, name=None)) == QTY_BY_HAND
    table = store._query_lines(info, UK_2024, QTY_SQL, [1], fetch="arrow")
    assert isinstance(table, pa.Table)
    assert list(table.to_pandas().itertuples(index=False, name=None)) == QTY_BY_HAND
    with pytest.raises(ValueError, match="fetch"):
        store._query_lines(info, None, QTY_SQL, [1], fetch="polars")
