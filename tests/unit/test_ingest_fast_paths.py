"""The ingest's fast routes (issue #12, 10 M lines) give exactly what the plain routes give.

Each fast route is checked against a plain reference written here or kept in the code:
Python's regex engine per value, ``pd.DataFrame.duplicated``, and the mapping proposal
computed with every content scan on. Values include the cases where Arrow's RE2 and
Python's ``re`` differ (Unicode digits, a final newline)."""

from __future__ import annotations

import gzip
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from ecomdash.ingest import inspect_bytes, mapping, propose_mapping
from ecomdash.ingest.clean import _CANCEL_ID, _CANCEL_PREFIX, _regex_rows
from ecomdash.ingest.clean_text import _duplicates
from ecomdash.ingest.convert import _ISO_FAST, _ISO_FAST_ASCII, python_match
from tests.conftest import UCI_PATH, shared
from tests.unit.test_ingest_mapping import SHOPIFY, WOO, csv

TRICKY = [
    "C123",
    "c1",
    "C",
    "CA1",
    "C12\n",
    "C12 ",
    " C12",
    "C١٢",  # Arabic-Indic digits: Python's \d matches them, RE2's does not
    "C１２",  # full-width digits
    "Ｃ12",
    "500001",
    "",
    "2024-01-05",
    "2024-01-05 10:11",
    "2024-01-05T10:11:12.250",
    "2024-01-05\n",
    "2024-01-05\n\n",
    "2024-1-05",
    "x2024-01-05",
    "2024-01-05 ",
    "٢٠٢٤-01-05",
    "２０２４-01-05 10:11:12",
    "2024-01-05 10:11:12.",
    "é2024-01-05",
]


def test_cancel_id_prefilter_is_pythons_regex():
    values = pa.array([*TRICKY, None])
    codes = np.array([*range(len(TRICKY) + 1), -1, 0, 8, 7])
    plain = _regex_rows(codes, values, _CANCEL_ID)
    fast = _regex_rows(codes, values, _CANCEL_ID, prefilter=_CANCEL_PREFIX)
    want = [bool(_CANCEL_ID.search(v)) for v in TRICKY] + [False, False, True, True, True]
    assert plain.tolist() == want
    assert fast.tolist() == want
    assert sum(want) == 8  # C123, c1, C12\n, C١٢, C１２ and the repeats of 0, 8 and 7


def test_iso_fast_path_is_pythons_regex():
    u = np.asarray(TRICKY, dtype=object)
    want = [bool(_ISO_FAST.match(v)) for v in TRICKY]
    assert python_match(u, _ISO_FAST, _ISO_FAST_ASCII).tolist() == want
    # the plain route this replaced: pandas' str.match with the same pattern
    assert pd.Series(u).str.match(_ISO_FAST.pattern).tolist() == want
    assert 6 <= sum(want) < len(want)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_duplicates_match_pandas(seed):
    rng = np.random.default_rng(seed)
    n = 20_000
    cols = [rng.integers(-1, k, n) for k in (3, 40, 7)]
    got = _duplicates(cols)
    want = pd.DataFrame({i: c for i, c in enumerate(cols)}).duplicated().to_numpy()
    assert want.sum() > 1000  # the test has duplicates to find
    np.testing.assert_array_equal(got, want)
    none = [np.arange(n), cols[0]]
    assert not _duplicates(none).any()


def _reference_proposal(raw, monkeypatch):
    real = mapping._content_candidates

    def every_scan(cols, profiles, raw, **_):
        return real(cols, profiles, raw, ids_needed=True)

    with monkeypatch.context() as m:
        m.setattr(mapping, "_content_candidates", every_scan)
        return propose_mapping(raw)


def _uci_head(lines: int = 30_000) -> bytes:
    with gzip.open(shared(UCI_PATH), "rb") as f:
        return b"".join(f.readline() for _ in range(lines))


@pytest.mark.parametrize(
    "data",
    [
        csv(SHOPIFY),
        csv(WOO),
        # headerless: the content scan decides orders vs customers
        csv(
            [
                [f"{1000 + i // 3}", f"2024-01-{1 + i // 6:02d}", f"{500 + i % 4}", "2.50"]
                for i in range(60)
            ]
        ),
        # one id named, the other not: the scan still runs for the other
        csv(
            [["Invoice", "Date", "Buyer code", "Amount"]]
            + [
                [f"{1000 + i // 3}", f"2024-01-{1 + i // 6:02d}", f"{500 + i % 4}", "2.50"]
                for i in range(60)
            ]
        ),
        "uci",
    ],
)
def test_proposal_unchanged_without_the_id_scan(data, monkeypatch):
    if data == "uci":
        data = _uci_head()
    raw = inspect_bytes(data, "orders.csv")
    assert propose_mapping(raw) == _reference_proposal(raw, monkeypatch)


def test_proposal_scan_is_what_decides_headerless_ids(monkeypatch):
    """The reference is not vacuous: without the scan a headerless file loses its ids."""
    rows = [
        [f"{1000 + i // 3}", f"2024-01-{1 + i // 6:02d}", f"{500 + i % 4}", "2.50"]
        for i in range(60)
    ]
    raw = inspect_bytes(csv(rows), "orders.csv")
    with_scan = _reference_proposal(raw, monkeypatch).as_dict()
    real = mapping._content_candidates
    monkeypatch.setattr(
        mapping, "_content_candidates", lambda c, p, r, **_: real(c, p, r, ids_needed=False)
    )
    without = propose_mapping(raw).as_dict()
    assert "customer_id" in with_scan and "customer_id" not in without


def test_tricky_values_are_strings():
    assert all(isinstance(v, str) for v in TRICKY)
    assert re.compile(r"\d").match("١")  # the premise of the Unicode cases above
