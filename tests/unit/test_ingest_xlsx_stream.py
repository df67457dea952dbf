"""Excel sheets are streamed into text columns in chunks: the chunk boundaries must not change
a value, a line number, the header, skipped title rows or blank rows; only the chosen sheet is
read. Compared against openpyxl's own reading of the same workbook (independent reader)."""

from __future__ import annotations

import io

import openpyxl
import pytest

from ecomdash.ingest import read_sheets as R
from ecomdash.ingest.read import read_bytes


def _book(rows, extra_sheet=None) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Orders"
    for r in rows:
        ws.append(r)
    if extra_sheet:
        ws2 = wb.create_sheet("Notes")
        for r in extra_sheet:
            ws2.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _rows(n):
    out = [["Report of orders"], [], ["Invoice", "SKU", "Qty", "Note"]]
    for i in range(n):
        out.append([1000 + i, f"S{i % 7}", i % 5 + 1, "" if i % 3 else f"n{i}"])
        if i % 10 == 9:
            out.append([])  # a blank row inside the table: skipped, numbers kept
    return out


@pytest.mark.parametrize("chunk", [1, 7, 50, 10_000])
def test_chunks_do_not_change_values_or_line_numbers(monkeypatch, chunk):
    monkeypatch.setattr(R, "XLSX_CHUNK_ROWS", chunk)
    rows = _rows(123)
    data = _book(rows, extra_sheet=[["x"]])
    raw = read_bytes(data, "big.xlsx", sheet="Orders")
    # independent reading: openpyxl, the sheet's non-blank rows after the header row (row 3)
    ws = openpyxl.load_workbook(io.BytesIO(data), read_only=True)["Orders"]
    expect = [
        (r, ["" if v is None else str(v) for v in values])
        for r, values in enumerate(ws.iter_rows(values_only=True), start=1)
        if r > 3 and any(v not in (None, "") for v in values)
    ]
    assert list(raw.columns) == ["Invoice", "SKU", "Qty", "Note"]
    assert raw.line_no.tolist() == [r for r, _ in expect]
    assert raw.data.to_numpy().tolist() == [v for _, v in expect]
    assert any("title row" in n for n in raw.notes)
    assert raw.sheet == "Orders" and raw.sheet_names == ("Orders", "Notes")


def test_header_only_sheet_is_refused(monkeypatch):
    monkeypatch.setattr(R, "XLSX_CHUNK_ROWS", 2)
    with pytest.raises(R.InputFileError, match="no data rows"):
        read_bytes(_book([["Invoice", "SKU", "Qty"]]), "x.xlsx")


def _mixed_rows(n):
    """Text, integers, decimals, dates and blanks: the cell types the two readers render."""
    import datetime as dt

    out = [["Invoice", "SKU", "Qty", "Price", "Date", "Note"]]
    for i in range(n):
        out.append(
            [
                f"{536365 + i}",
                f"S{i % 7}",
                i % 5 + 1,
                round(0.85 + i * 0.37, 2),
                dt.datetime(2010, 12, 1, 8, 26) + dt.timedelta(hours=i),
                "" if i % 3 else f"n{i}",
            ]
        )
    return out


def test_large_workbooks_stream_through_openpyxl_with_the_same_table(monkeypatch):
    """Above XLSX_STREAM_BYTES of sheet XML the sheet is streamed by openpyxl (never loaded
    whole); the table is the same as calamine's, cell for cell, and the notes say so."""
    data = _book(_mixed_rows(60), extra_sheet=[["x"]])
    fast = read_bytes(data, "book.xlsx", sheet="Orders")
    used = []
    real = R._xlsx_openpyxl
    monkeypatch.setattr(R, "_xlsx_openpyxl", lambda *a: used.append(a) or real(*a))
    monkeypatch.setattr(R, "XLSX_STREAM_BYTES", 0)
    streamed = read_bytes(data, "book.xlsx", sheet="Orders")
    assert used  # the streaming reader did the work
    assert list(streamed.columns) == list(fast.columns)
    assert streamed.data.to_numpy().tolist() == fast.data.to_numpy().tolist()
    assert streamed.line_no.tolist() == fast.line_no.tolist()
    assert any("streamed" in n for n in streamed.notes)
    assert not any("streamed" in n for n in fast.notes)
    monkeypatch.setattr(R, "XLSX_STREAM_BYTES", R._sheet_xml_bytes(data))  # at the limit: calamine
    used.clear()
    read_bytes(data, "book.xlsx", sheet="Orders")
    assert not used
