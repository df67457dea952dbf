"""Formula-safe exports: text cells that a spreadsheet would run as a formula are neutralised.

A text cell starting with ``= + - @``, a tab or a carriage return gets a leading apostrophe
(OWASP's advice for CSV injection). Numbers stay numbers.
"""

from __future__ import annotations

import io

import pandas as pd

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _neutral(value):
    if isinstance(value, str) and value.startswith(_TRIGGERS):
        return "'" + value
    return value


def neutralise(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells (and text column names) cannot run as formulas."""
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
            out[col] = s.map(_neutral, na_action="ignore")
    out.columns = [_neutral(str(c)) for c in out.columns]
    return out


def to_safe_csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 CSV with a BOM (so Excel shows Chinese text correctly), formula-safe."""
    return neutralise(df).to_csv(index=False).encode("utf-8-sig")


def to_safe_excel_bytes(df: pd.DataFrame, sheet: str = "data") -> bytes:
    """An .xlsx whose text cells are stored as text, never as live formulas."""
    buf = io.BytesIO()
    safe = neutralise(df)
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        safe.to_excel(xw, index=False, sheet_name=sheet[:31])
        ws = xw.sheets[sheet[:31]]
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":  # anything openpyxl still took for a formula
                    cell.data_type = "s"
    return buf.getvalue()
