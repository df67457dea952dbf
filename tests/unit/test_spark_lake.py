"""The lake on an object store: no rename, a catalogue of numbered immutable states.

An object store has no atomic rename, so an object-store lake (every lake URL that is not a
local path) never moves or overwrites anything: each catalogue state is a new object created
with an exclusive put, and the highest number wins. Here the same code runs on a local folder
in that mode (``object_store=True``) with ``os.replace`` and ``os.rename`` made to fail, so
nothing can lean on a rename; its exclusive put is a hard link (which fails when the name
exists). The fsspec path (what s3fs/gcsfs run) is exercised on fsspec's ``memory://``.

Checked: the highest state wins and old states are never changed; writers racing on the next
number lose no update (each loser re-reads and re-applies); a reader during a stream of
replacements sees whole states, old or new, never half, in order; on Spark the store saves,
appends without duplicates (the same lines as the DuckDB store), renames, mutes and deletes
with the catalogue in that mode, and a reader holding the old state still reads the old
version whole after an append.
"""

from __future__ import annotations

import json
import os
import threading
import time

import pandas as pd
import pytest

pytest.importorskip("fsspec")

from ecomdash.spark import lake as L  # noqa: E402


@pytest.fixture
def no_rename(monkeypatch):
    """Any rename in this process fails, as on an object store."""

    def refuse(*a, **k):
        raise AssertionError(f"a rename was used: {a}")

    monkeypatch.setattr(os, "replace", refuse)
    monkeypatch.setattr(os, "rename", refuse)


def _states(lake: L.Lake) -> list[str]:
    return sorted(n for n in lake.listdir(lake.join(L.CATALOG_DIR)) if n.endswith(".json"))


def test_highest_state_wins_and_states_are_immutable(tmp_path, no_rename):
    lake = L.Lake(str(tmp_path / "lake"), "ws", object_store=True)
    cat = L.catalogue_for(lake)
    assert isinstance(cat, L.PointerCatalogue) and cat.read() == {}
    cat.update("add", lambda c: c.update(a={"n": 1}))
    cat.update("add", lambda c: c.update(b={"n": 2}))
    assert cat.read() == {"a": {"n": 1}, "b": {"n": 2}}
    assert _states(lake) == [f"{1:020d}.json", f"{2:020d}.json"]
    first = json.loads(lake.read_bytes(lake.join(L.CATALOG_DIR, f"{1:020d}.json")))
    assert first == {"datasets": {"a": {"n": 1}}}  # never rewritten
    # a higher number, however it got there, is the catalogue; the next write follows it
    lake.create(lake.join(L.CATALOG_DIR, f"{7:020d}.json"), b'{"datasets": {"z": {}}}')
    assert cat.read() == {"z": {}}
    cat.update("add", lambda c: c.update(y={}))
    assert cat.latest() == (8, {"z": {}, "y": {}})
    with pytest.raises(FileExistsError):  # an exclusive put: never over an existing name
        lake.create(lake.join(L.CATALOG_DIR, f"{8:020d}.json"), b"{}")
    assert cat.latest() == (8, {"z": {}, "y": {}})
    assert not (tmp_path / "lake" / "ws" / L.CATALOG_FILE).exists()
    # old states are pruned far behind the newest; the newest stays whole
    for i in range(L.KEEP_STATES + 5):
        cat.update("add", lambda c, i=i: c.update(last=i))
    numbers = cat._numbers()
    assert numbers[-1] == 8 + L.KEEP_STATES + 5 and len(numbers) == L.KEEP_STATES
    assert cat.read()["last"] == L.KEEP_STATES + 4
    assert not [n for n in lake.listdir(lake.join(L.CATALOG_DIR)) if n.endswith(".tmp")]


def test_racing_writers_lose_no_update(tmp_path, no_rename):
    """Four writers (separate stores: no shared lock) add 12 entries each; the change sleeps
    so that they collide on the next number: every entry is there, one state per update."""
    root, writers, each = str(tmp_path / "lake"), 4, 12

    def write(w: int) -> None:
        cat = L.PointerCatalogue(L.Lake(root, "ws", object_store=True))
        for i in range(each):

            def change(c, key=f"{w}-{i}"):
                time.sleep(0.002)
                c[key] = {"writer": w}

            cat.update("add", change)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    number, got = L.PointerCatalogue(L.Lake(root, "ws", object_store=True)).latest()
    assert sorted(got) == sorted(f"{w}-{i}" for w in range(writers) for i in range(each))
    assert number == writers * each


def test_reader_sees_old_or_new_never_half(tmp_path, no_rename):
    """A reader during 60 replacements of a ~1 MB catalogue sees only whole states, each
    consistent (its list as long as its count says) and never older than the last it saw."""
    lake = L.Lake(str(tmp_path / "lake"), "ws", object_store=True)
    cat = L.PointerCatalogue(lake)
    cat.update("init", lambda c: c.update(d={"n": 0, "items": []}))
    done, seen, errors = threading.Event(), [], []

    def read() -> None:
        reader = L.PointerCatalogue(L.Lake(str(tmp_path / "lake"), "ws", object_store=True))
        while not done.is_set():
            try:
                d = reader.read()["d"]
            except Exception as exc:  # a half-written state would fail to parse
                errors.append(repr(exc))
                return
            if len(d["items"]) != d["n"] * 2000 or (seen and d["n"] < seen[-1]):
                errors.append(f"state {d['n']} with {len(d['items'])} items after {seen[-1:]}")
                return
            seen.append(d["n"])

    t = threading.Thread(target=read)
    t.start()
    for k in range(1, 61):
        cat.update("grow", lambda c, k=k: c.update(d={"n": k, "items": ["x" * 8] * (k * 2000)}))
    done.set()
    t.join()
    assert not errors, errors[:3]
    assert len(set(seen)) > 3  # the reader did read during the writes


def test_the_fsspec_path_on_memory():
    """What an s3:// or gs:// lake runs (fsspec), on fsspec's in-memory file system."""
    import secrets

    import pyarrow as pa

    url = f"memory://lake-{secrets.token_hex(4)}"
    lake = L.Lake(url, "ws")
    assert lake.object_store and lake.root.endswith("/ws")
    assert lake.spark_uri(lake.join("ds", "v1")) == f"{url}/ws/ds/v1"
    cat = L.catalogue_for(lake)
    assert isinstance(cat, L.PointerCatalogue)
    cat.update("add", lambda c: c.update(a=1))
    cat.update("add", lambda c: c.update(b=2))
    assert L.PointerCatalogue(L.Lake(url, "ws")).latest() == (2, {"a": 1, "b": 2})
    with pytest.raises(FileExistsError):
        lake.create(lake.join(L.CATALOG_DIR, f"{2:020d}.json"), b"{}")
    table = pa.table({"line_no": [3, 1], "reason": ["x", "y"]})
    lake.write_parquet(lake.join("ds", "rejected-v1.parquet"), table)
    assert lake.read_parquet(lake.join("ds", "rejected-v1.parquet")).equals(table)
    assert lake.exists(lake.join("ds"))
    lake.rmtree(lake.join("ds"))
    assert not lake.exists(lake.join("ds", "rejected-v1.parquet"))


def test_a_folder_lake_keeps_its_one_catalogue_file(tmp_path):
    lake = L.Lake(str(tmp_path / "lake"), "ws")
    assert not lake.object_store
    cat = L.catalogue_for(lake)
    assert isinstance(cat, L.FolderCatalogue)
    cat.update("add", lambda c: c.update(a=1))
    assert json.loads((tmp_path / "lake" / "ws" / L.CATALOG_FILE).read_text()) == {
        "datasets": {"a": 1}
    }


# ---- the Spark store on an object-store lake ---------------------------------------------


def test_spark_store_on_an_object_store_lake(spark_session, tmp_path, no_rename):
    from ecomdash.spark.store import SparkStore
    from ecomdash.store import Store
    from tests.unit.test_store_aggregates import fixture_lines

    sp = SparkStore(spark_session, str(tmp_path / "lake"), object_store=True)
    assert isinstance(sp._catalogue, L.PointerCatalogue)
    duck = Store.open(tmp_path / "home")
    try:
        base = fixture_lines()
        newer = pd.concat([base.iloc[5:], base.iloc[:3].assign(order_id=["N1", "N2", "N3"])])
        newer = newer.assign(line_no=range(1, len(newer) + 1))
        rej = pd.DataFrame({"line_no": [7, 3], "reason": ["no date", "bad amount"]})
        s_id = sp.save_dataset("App", base, rejected=rej).id
        d_id = duck.save_dataset("App", base, rejected=rej).id
        old = sp._entry(s_id)
        a, b = sp.append(s_id, newer), duck.append(d_id, newer)
        assert (a.added, a.duplicates) == (b.added, b.duplicates) == (3, len(newer) - 3)
        assert a.dataset.version == 2 and a.dataset.rows == b.dataset.rows == len(base) + 3
        pd.testing.assert_frame_equal(sp.load_lines(s_id), duck.load_lines(d_id))
        pd.testing.assert_frame_equal(sp.rejected_rows(s_id), duck.rejected_rows(d_id))
        # a reader still holding the old state reads the old version whole
        frame = None
        for part in old["parts"]:
            df = spark_session.read.parquet(sp._lake.spark_uri(sp._part_path(s_id, part)))
            frame = df if frame is None else frame.unionByName(df)
        assert frame.count() == old["rows"] == len(base)
        again = sp.append(s_id, newer)
        assert again.added == 0 and again.dataset.version == 3
        assert sp.rename(s_id, "  App   2 ").name == "App 2"
        assert sp.set_alert_mutes(s_id, rules=("price_off",)) == {
            "rules": ("price_off",),
            "products": (),
        }
        other = SparkStore(spark_session, str(tmp_path / "lake"), object_store=True)
        assert other.info(s_id).version == 3 and other.alert_mutes(s_id)["rules"] == ("price_off",)

        def boom():
            raise RuntimeError("planted failure after the lines were written")

        states = _states(sp._lake)
        with pytest.raises(RuntimeError, match="planted"):
            sp.save_dataset("Broken", base, _fail_after_lines=boom)
        assert _states(sp._lake) == states and {d.id for d in sp.list_datasets()} == {s_id}
        sp.delete(s_id)
        assert sp.list_datasets() == [] and not os.path.exists(os.path.join(sp._root, s_id))
        # every change was a new state: save, append, append, rename, mutes, delete
        assert sp._catalogue.latest()[0] == 6
        assert not (tmp_path / "lake" / sp.workspace / L.CATALOG_FILE).exists()
    finally:
        duck.close()
