"""Formula-safe exports, read back the way a spreadsheet would (csv module, openpyxl)."""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd

from ecomdash.exports import neutralise, to_safe_csv_bytes, to_safe_excel_bytes

DANGEROUS = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx", '=HYPERLINK("http://e.x")']


def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "product": pd.array(DANGEROUS + ["保温杯", None], dtype="string"),
            "qty": [-5, 1, 2, 3, 4, 5, 6, 7, 8],
            "price": [-1.5, 0.0, 2.25, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
            "note": ["ok", "=x", "a", "b", "c", "d", "e", "f", "-"],
        }
    )


def test_neutralise_text_only():
    df = frame()
    before = df.copy(deep=True)
    out = neutralise(df)
    assert out["product"].tolist()[:7] == ["'" + v for v in DANGEROUS]
    assert out["product"].iloc[7] == "保温杯"
    assert pd.isna(out["product"].iloc[8])
    assert out["qty"].tolist()[0] == -5 and out["qty"].dtype.kind == "i"
    assert out["price"].iloc[0] == -1.5
    assert out["note"].tolist()[1] == "'=x" and out["note"].iloc[8] == "'-"
    # the caller's frame is unchanged: values, dtypes and column names
    pd.testing.assert_frame_equal(df, before)
    assert out is not df


def test_neutralise_column_names_and_index():
    df = pd.DataFrame({"=bad": ["x"]}, index=pd.Index(["=idx"], name="sku"))
    before = df.copy(deep=True)
    out = neutralise(df)
    pd.testing.assert_frame_equal(df, before)
    assert list(out.columns) == ["sku", "'=bad"]
    assert out["sku"].iloc[0] == "'=idx"


def test_csv_has_bom_and_reads_back_safe():
    data = to_safe_csv_bytes(frame())
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["product", "qty", "price", "note"]
    assert rows[1] == ["'=1+1", "-5", "-1.5", "ok"]
    assert rows[8][0] == "保温杯"
    assert not any(r[0].startswith(("=", "+", "-", "@")) for r in rows[1:])


def test_excel_reads_back_as_text_not_formulas():
    data = to_safe_excel_bytes(frame(), sheet="rejected rows")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb["rejected rows"]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    types = [[c.data_type for c in row] for row in ws.iter_rows()]
    assert values[0] == ["product", "qty", "price", "note"]
    assert values[1][0] == "'=1+1" and types[1][0] == "s"
    assert values[1][1] == -5 and types[1][1] == "n"  # numbers stay numbers
    assert values[1][2] == -1.5
    assert values[8][0] == "保温杯"
    assert all(t != "f" for row in types for t in row)


def test_excel_handles_control_characters_and_timezones():
    df = pd.DataFrame(
        {
            "text": ["a\x01b", "ok"],
            "when": pd.to_datetime(["2024-01-01 10:00", "2024-01-02 00:00"]).tz_localize("UTC"),
        }
    )
    wb = openpyxl.load_workbook(io.BytesIO(to_safe_excel_bytes(df)))
    ws = wb["data"]
    assert ws["A2"].value == "ab"
    assert ws["B2"].value.year == 2024


def test_unnamed_non_default_index_is_written_and_neutralised():
    df = pd.DataFrame({"v": [1, 2]}, index=pd.Index(["=idx", "ok"]))
    out = neutralise(df)
    assert list(out.columns) == ["index", "v"]
    assert out["index"].tolist() == ["'=idx", "ok"]
    # a default RangeIndex is not written
    assert list(neutralise(pd.DataFrame({"v": [1]})).columns) == ["v"]


def test_categorical_and_mixed_object_columns():
    df = pd.DataFrame(
        {
            "cat": pd.Categorical(["=x", "mug", "=x"]),
            "mixed": pd.Series([1, "=y", None], dtype=object),
            "when": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"]),
            "n": [1.5, float("nan"), -2.0],
        }
    )
    out = neutralise(df)
    assert out["cat"].tolist() == ["'=x", "mug", "'=x"]
    assert out["mixed"].tolist()[:2] == [1, "'=y"] and out["mixed"].iloc[2] is None
    assert out["when"].dtype == df["when"].dtype  # dates and numbers are left as they are
    assert out["n"].dtype == "float64" and out["n"].iloc[2] == -2.0
    # an object column holding numbers and text with a control character goes to Excel:
    # the number stays a number, the text loses the character
    ws = openpyxl.load_workbook(
        io.BytesIO(to_safe_excel_bytes(pd.DataFrame({"m": pd.Series([7, "a\x02b"], dtype=object)})))
    )["data"]
    assert (ws["A2"].value, ws["A2"].data_type) == (7, "n")
    assert ws["A3"].value == "ab"


def test_excel_sheet_name_is_made_legal():
    df = pd.DataFrame({"a": [1]})
    for sheet, expected in (
        ("rejected/rows:[2024]*?", "rejected_rows__2024___"),
        ("", "data"),
        ("x" * 40, "x" * 31),
    ):
        wb = openpyxl.load_workbook(io.BytesIO(to_safe_excel_bytes(df, sheet=sheet)))
        assert wb.sheetnames == [expected]


def test_csv_with_human_headers_keeps_the_raw_ids_as_second_row():
    df = frame()
    headers = ["Product", "=Quantity", "Price (£)", "@note"]
    data = to_safe_csv_bytes(df, headers=headers)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    # row 1: what the merchant reads (formula-safe too); row 2: the raw column ids
    assert rows[0] == ["Product", "'=Quantity", "Price (£)", "'@note"]
    assert rows[1] == ["product", "qty", "price", "note"]
    assert rows[2] == ["'=1+1", "-5", "-1.5", "ok"]
    assert len(rows) == len(df) + 2
    assert not any(c.startswith(("=", "+", "-", "@")) for r in rows[:2] + rows[3:] for c in r[:1])
    # a script reads the file by the raw ids, numbers still numbers
    back = pd.read_csv(io.BytesIO(data), skiprows=[0], encoding="utf-8-sig")
    assert list(back.columns) == ["product", "qty", "price", "note"]
    assert back["qty"].tolist() == df["qty"].tolist()
    assert back["price"].tolist() == df["price"].tolist()


def test_csv_headers_count_the_written_index_and_must_match():
    import pytest

    from ecomdash.exports import written_columns

    df = pd.DataFrame({"v": [1]}, index=pd.Index(["a"], name="sku"))
    assert written_columns(df) == ["sku", "v"]
    rows = list(
        csv.reader(io.StringIO(to_safe_csv_bytes(df, headers=["SKU", "Value"]).decode("utf-8-sig")))
    )
    assert rows[:3] == [["SKU", "Value"], ["sku", "v"], ["a", "1"]]
    with pytest.raises(ValueError, match="1 headers for 2 columns"):
        to_safe_csv_bytes(df, headers=["only one"])
