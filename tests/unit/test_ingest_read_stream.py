"""A large ``.gz`` text file parsed while it is inflated (``ecomdash.ingest.read_stream``).

The streamed route must give exactly the raw table the plain route (inflate the whole file,
then parse) gives, or hand the file to the plain route. Each test builds its file by hand and
compares the two routes: the plain one is forced by making the streamed one decline.
"""

from __future__ import annotations

import gzip
import zlib

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import ecomdash.ingest.read as read_mod
from ecomdash.errors import InputFileError
from ecomdash.ingest.read import read_bytes
from ecomdash.ingest.read_stream import HEAD_BYTES, read_gzip_text

HEADER = '"order_id","order_date","customer_id","product","quantity","price","country"\n'


def body(n: int, *, start: int = 0, nl: str = "\n") -> str:
    rows = [
        f'"{500000 + i // 3}",2024-03-{1 + i % 28:02d} 10:00:00,"{1000 + i % 97}",'
        f'"Mug – no. {i % 251}",{1 + i % 5},{(i % 40) / 4 + 0.99:.2f},"{("France", "Japan")[i % 2]}"'
        for i in range(start, start + n)
    ]
    return nl.join(rows) + nl


def text(n: int = 20_000, nl: str = "\n") -> str:
    """About 2 MB of CSV: well over the first bytes the streamed route sniffs."""
    return HEADER.replace("\n", nl) + body(n, nl=nl)


def plain(data: bytes, name: str = "orders.csv.gz", **kw):
    saved = read_mod.read_gzip_text
    read_mod.read_gzip_text = lambda *a: None
    try:
        return read_bytes(data, name, **kw)
    finally:
        read_mod.read_gzip_text = saved


def assert_same(a, b) -> None:
    pd.testing.assert_frame_equal(a.data, b.data)
    assert a.line_no.dtype == b.line_no.dtype == np.int64
    assert np.array_equal(a.line_no, b.line_no)
    pd.testing.assert_frame_equal(a.malformed, b.malformed)
    assert a.info() == b.info()


def test_large_gzip_csv_is_streamed_and_equals_the_plain_route():
    raw_text = text()
    data = gzip.compress(raw_text.encode())
    assert len(raw_text.encode()) > 2 * HEAD_BYTES
    streamed = read_gzip_text(data, ".csv", 10**9)
    assert streamed is not None  # the route is taken
    assert_same(streamed, plain(data))
    assert_same(read_bytes(data, "orders.csv.gz"), plain(data))
    # checked by hand: 20,000 data rows, record k on line k + 1, the first row's values
    assert streamed.rows_read == 20_000 and len(streamed.malformed) == 0
    assert streamed.line_no[0] == 2 and streamed.line_no[-1] == 20_001
    assert streamed.data.iloc[0].tolist() == [
        "500000",
        "2024-03-01 10:00:00",
        "1000",
        "Mug – no. 0",
        "1",
        "0.99",
        "France",
    ]
    assert streamed.info()["compression"] == "gzip" and streamed.encoding == "utf-8"


@pytest.mark.parametrize(
    "variant",
    ["no final newline", "crlf", "bom", "bom quoted first cell", "semicolon"],
)
def test_streamed_variants_equal_the_plain_route(variant):
    t = text()
    if variant == "no final newline":
        t = t.rstrip("\n")
    elif variant == "crlf":
        t = text(nl="\r\n")
    elif variant == "semicolon":
        t = t.replace(",", ";")
    raw = t.encode()
    if variant.startswith("bom"):
        raw = b"\xef\xbb\xbf" + raw
    if variant == "bom quoted first cell":  # a quoted first cell right after the BOM
        rows = "".join(f'"q",{r}\n' for r in body(20_000).splitlines())
        raw = b"\xef\xbb\xbf" + ('"x",' + HEADER + rows).encode()
    data = gzip.compress(raw)
    streamed = read_gzip_text(data, ".csv", 10**9)
    assert streamed is not None
    assert_same(streamed, plain(data))
    if variant.startswith("bom"):
        assert streamed.encoding == "utf-8-sig"
        assert streamed.columns[0] == "x" if "quoted" in variant else "order_id"
        assert streamed.data.iloc[0, 0] == ("q" if "quoted" in variant else "500000")


def _broken_line(t: str) -> str:
    lines = t.splitlines(keepends=True)
    lines[9_000] = '"1","2"\n'  # two fields where the header has seven
    return "".join(lines)


@pytest.mark.parametrize(
    "case",
    ["malformed line", "blank line", "newline in a quoted value", "cp1252", "title line"],
)
def test_other_files_go_the_plain_route_with_the_same_table(case):
    t = text()
    if case == "malformed line":
        t = _broken_line(t)
    elif case == "blank line":
        lines = t.splitlines(keepends=True)
        t = "".join(lines[:5000] + ["\n"] + lines[5000:])
    elif case == "newline in a quoted value":
        t = t.replace("Mug – no. 7", "Mug –\nno. 7")
    elif case == "title line":
        t = "Shop export\n" + t
    raw = t.encode("cp1252", errors="replace") if case == "cp1252" else t.encode()
    data = gzip.compress(raw)
    assert read_gzip_text(data, ".csv", 10**9) is None
    assert_same(read_bytes(data, "orders.csv.gz"), plain(data))


def test_small_and_concatenated_gzip_equal_the_plain_route():
    small = gzip.compress(text(50).encode())
    assert read_gzip_text(small, ".csv", 10**9) is None
    assert_same(read_bytes(small, "o.csv.gz"), plain(small))
    # two gzip members (``cat a.gz b.gz``): the plain route reads both
    two = gzip.compress(text().encode()) + gzip.compress(body(1000, start=7).encode())
    assert read_gzip_text(two, ".csv", 10**9) is None
    got = read_bytes(two, "o.csv.gz")
    assert got.rows_read == 21_000
    assert_same(got, plain(two))


def test_truncated_gzip_ending_on_a_whole_line_is_refused():
    raw = text().encode()
    cut = raw.index(b"\n", len(raw) // 2) + 1
    z = zlib.compressobj(6, zlib.DEFLATED, 31)
    data = z.compress(raw[:cut]) + z.flush(zlib.Z_SYNC_FLUSH)  # whole lines, no trailer
    with pytest.raises(InputFileError, match="cut short"):
        read_bytes(data, "orders.csv.gz")
    with pytest.raises(InputFileError, match="cut short"):
        plain(data)


def test_gzip_over_the_unpacked_limit_is_refused():
    raw = text(100_000).encode()  # ~7 MB unpacked
    data = gzip.compress(raw)
    max_bytes = 1024 * 1024  # the file is under it; unpacked over 5×
    assert len(data) < max_bytes < len(raw) / 5
    with pytest.raises(InputFileError, match="unpacks to more than"):
        read_bytes(data, "orders.csv.gz", max_bytes=max_bytes)


def test_streamed_pass_stops_at_the_first_malformed_line(monkeypatch):
    """A malformed line ends the streamed pass there (the plain route then reads the file
    once), rather than parsing the rest of the file twice."""
    import ecomdash.ingest.read_text as read_text

    lines = text().splitlines(keepends=True)
    lines[9_000] = lines[15_000] = '"1","2"\n'  # two malformed lines, far apart
    data = gzip.compress("".join(lines).encode())
    answers: list[tuple[bool, str]] = []  # (streamed pass?, the handler's answer)
    real = read_text.pacsv.read_csv

    def spy(source, *, parse_options, **kw):
        inner = parse_options.invalid_row_handler
        streamed = not isinstance(source, pa.BufferReader)

        def handler(row):
            answers.append((streamed, inner(row)))
            return answers[-1][1]

        parse_options.invalid_row_handler = handler
        return real(source, parse_options=parse_options, **kw)

    monkeypatch.setattr(read_text.pacsv, "read_csv", spy)
    got = read_bytes(data, "orders.csv.gz")
    assert [a for s, a in answers if s] == ["error"]  # stopped at the first one
    assert [a for s, a in answers if not s] == ["skip"] * 4  # plain: threaded pass, then serial
    assert got.malformed["line_no"].tolist() == [9_001, 15_001]
    monkeypatch.undo()
    assert_same(got, plain(data))
