"""Whatever bytes arrive, ingest answers with a result or an EcomdashError, never a traceback."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecomdash.errors import EcomdashError
from ecomdash.ingest import load_bytes

CELLS = st.sampled_from(
    [
        "1",
        "2",
        "-3",
        "0",
        "1,5",
        "1.234,50",
        "2024-01-02",
        "13/01/2024",
        "x",
        "",
        '"a,b"',
        "C5",
        "=1+1",
        "保温杯",
        "Invoice",
        "Quantity",
        "Price",
        "Date",
        " ",
        "1e400",
        "nan",
        "NaN",
        "\t",
    ]
)


def _load(data: bytes, name: str) -> None:
    try:
        res = load_bytes(data, name)
    except EcomdashError:
        return
    assert res.report.rows_kept == len(res.lines)
    assert res.report.rows_kept <= res.report.rows_read


@settings(
    max_examples=int(__import__("os").environ.get("FUZZ_N", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.binary(max_size=400), st.sampled_from(["x.csv", "x.xlsx", "x.parquet", "x.gz", "x"]))
def test_random_bytes(data, name):
    _load(data, name)


@settings(
    max_examples=int(__import__("os").environ.get("FUZZ_N", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    st.lists(st.lists(CELLS, min_size=1, max_size=6), min_size=1, max_size=12),
    st.sampled_from([",", ";", "\t", "|", " "]),
)
def test_random_tables(rows, sep):
    _load("\n".join(sep.join(r) for r in rows).encode(), "x.csv")


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=20),
    st.booleans(),
)
def test_thousands_and_decimal_marks_round_trip(cents, european):
    import pandas as pd

    from ecomdash.ingest.convert import to_number

    def fmt(c: int) -> str:
        text = f"{c / 100:,.2f}"  # 1,234.50
        if european:
            text = text.replace(",", "_").replace(".", ",").replace("_", ".")  # 1.234,50
        return text

    conv = to_number(pd.Series([fmt(c) for c in cents], dtype="string"))
    assert not conv.bad.any()
    assert conv.values.round(2).tolist() == [round(c / 100, 2) for c in cents]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.datetimes(
            min_value=__import__("datetime").datetime(1990, 1, 1),
            max_value=__import__("datetime").datetime(2035, 12, 31),
        ).map(lambda d: d.replace(second=0, microsecond=0)),
        min_size=1,
        max_size=15,
    ),
    st.sampled_from(["%d/%m/%Y %H:%M", "%m/%d/%Y %H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"]),
)
def test_dates_round_trip_when_the_column_proves_its_order(stamps, fmt):
    # add one value that proves the order (day 13 or later)
    import datetime as dt

    import pandas as pd

    from ecomdash.ingest.convert import to_datetime

    stamps = [*stamps, dt.datetime(2020, 1, 28, 9, 30)]
    conv = to_datetime(pd.Series([d.strftime(fmt) for d in stamps], dtype="string"))
    assert not conv.bad.any()
    assert conv.values.tolist() == [pd.Timestamp(d) for d in stamps]


def _valid_files() -> dict[str, bytes]:
    import gzip
    import io
    import zipfile

    import openpyxl
    import pandas as pd

    text = (
        "Invoice,StockCode,Quantity,InvoiceDate,Price\n1,A,2,2024-01-01,3.5\n2,B,1,2024-01-02,4\n"
    )
    wb = openpyxl.Workbook()
    for row in (r.split(",") for r in text.strip().split("\n")):
        wb.active.append(row)
    xlsx = io.BytesIO()
    wb.save(xlsx)
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("orders.csv", text)
    parquet = io.BytesIO()
    pd.read_csv(io.StringIO(text)).to_parquet(parquet)
    return {
        "x.xlsx": xlsx.getvalue(),
        "x.zip": zipped.getvalue(),
        "x.csv.gz": gzip.compress(text.encode()),
        "x.parquet": parquet.getvalue(),
    }


VALID = _valid_files()


@settings(max_examples=int(__import__("os").environ.get("FUZZ_N", "150")), deadline=None)
@given(
    st.sampled_from(sorted(VALID)),
    st.lists(
        st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=8
    ),
)
def test_damaged_containers(name, edits):
    data = bytearray(VALID[name])
    for where, value in edits:
        data[int(where * len(data))] = value
    _load(bytes(data), name)


def _unwrap_reference(text: str) -> str:
    """The rule, written plainly: Python's strip, then ``="…"`` unwrapped and stripped."""
    t = text.strip()
    if t.startswith('="') and t.endswith('"') and len(t) >= 3:
        t = t[2:-1].strip()
    return t


@given(
    st.lists(
        st.text(alphabet=st.sampled_from(["=", '"', " ", "\t", "\u00a0", "\u3000", "a", "1", "保"]))
        | st.none(),
        max_size=30,
    )
)
def test_vectorised_unwrap_is_pythons_strip_and_unwrap(values):
    import pyarrow as pa

    from ecomdash.ingest.convert import unwrap_all

    got = unwrap_all(pa.array(values, type=pa.string())).to_pylist()
    assert got == [None if v is None else _unwrap_reference(v) for v in values]


@settings(max_examples=int(__import__("os").environ.get("FUZZ_N", "150")), deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=8
    )
)
def test_damaged_workbooks_on_the_streaming_reader(edits):
    """A large workbook is read by openpyxl row by row: damage met mid-stream is a clear
    InputFileError too, never a traceback (the limit is forced to 0 so the small file streams)."""
    from unittest import mock

    from ecomdash.ingest import read_sheets as R

    data = bytearray(VALID["x.xlsx"])
    for where, value in edits:
        data[int(where * len(data))] = value
    with mock.patch.object(R, "XLSX_STREAM_BYTES", 0):
        _load(bytes(data), "x.xlsx")
