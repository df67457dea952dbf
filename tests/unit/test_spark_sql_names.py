"""The Spark cursor adapter renames the store's temp tables per cursor (Spark temp views are
the whole session's): every temp table the store's SQL creates must be on its list, or two
requests at once could replace or drop each other's. No Spark session needed."""

from __future__ import annotations

import re
from pathlib import Path

import ecomdash
from ecomdash.spark.sql import _CURSOR_TABLE, CURSOR_TABLES

ROOT = Path(ecomdash.__file__).parent


def test_every_temp_table_the_store_creates_is_renamed_per_cursor():
    created = set()
    for path in ROOT.rglob("*.py"):
        created |= set(re.findall(r"CREATE TEMP TABLE (\w+)", path.read_text(encoding="utf-8")))
    assert created, "no CREATE TEMP TABLE found: the scan is broken"
    assert created <= set(CURSOR_TABLES), sorted(created - set(CURSOR_TABLES))


def test_the_names_are_renamed_as_whole_words_only():
    sql = "SELECT _k.k, x._k, _key, t._s FROM _s JOIN _k ON _s.b = _k.b"
    got = _CURSOR_TABLE.sub(lambda m: "T" + m.group(1), sql)
    assert got == "SELECT T_k.k, x._k, _key, t._s FROM T_s JOIN T_k ON T_s.b = T_k.b"
