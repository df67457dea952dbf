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
