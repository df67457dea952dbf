"""Formula-safe exports: text cells that a spreadsheet would run as a formula are neutralised.

A text cell starting with ``= + - @``, a tab or a carriage return gets a leading apostrophe
(OWASP's advice for CSV injection). Numbers stay numbers (``-5`` stays the number -5; the
text ``"-5"`` becomes ``"'-5"``). Column names are treated the same way. A named or
non-default index is written as columns.

A download from a page carries two header rows (``headers=``): the first is what the merchant
reads ("Net revenue (£)"), the second the raw column id (``revenue``) that stays the same
whatever the UI language, so a script reads the file with ``pd.read_csv(f, skiprows=[0])``
and a spreadsheet user sees words on top (README, after the table of pages).

>>> import pandas as pd
>>> neutralise(pd.DataFrame({"name": ["=1+1", "mug"], "qty": [-5, 2]}))["name"].tolist()
["'=1+1", 'mug']
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence

import pandas as pd

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# characters an .xlsx cannot hold (openpyxl refuses them)
_ILLEGAL_XLSX = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def _neutral(value):
    if isinstance(value, str) and value.startswith(_TRIGGERS):
        return "'" + value
    return value


def _with_index(df: pd.DataFrame) -> pd.DataFrame:
    default = isinstance(df.index, pd.RangeIndex) and df.index.name is None
    return df if default else df.reset_index()


def neutralise(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells (and column names) cannot run as formulas."""
    out = _with_index(df).copy()
    for i in range(out.shape[1]):
        s = out.iloc[:, i]
        if isinstance(s.dtype, pd.CategoricalDtype):
            s = s.astype(object)
        if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
            out.isetitem(i, s.map(_neutral, na_action="ignore"))
    out.columns = [_neutral(str(c)) for c in out.columns]
    return out


def to_safe_csv_bytes(df: pd.DataFrame, *, headers: Sequence[str] | None = None) -> bytes:
    """UTF-8 CSV with a BOM (so Excel shows Chinese text correctly), formula-safe.

    Lines end with CRLF, so a value holding a lone CR or LF is quoted and stays one cell.
    With ``headers`` (one per column of ``df``, index columns included when the index is
    written), the first row holds them and the second the raw column ids; both rows are
    formula-safe like every other cell.
    """
    safe = neutralise(df)
    if headers is None:
        return safe.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")
    headers = [str(h) for h in headers]
    if len(headers) != safe.shape[1]:
        raise ValueError(f"{len(headers)} headers for {safe.shape[1]} columns")
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([_neutral(h) for h in headers])
    w.writerow(list(safe.columns))
    safe.to_csv(buf, index=False, header=False, lineterminator="\r\n")
    return buf.getvalue().encode("utf-8-sig")


def _excel_ready(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for i in range(out.shape[1]):
        s = out.iloc[:, i]
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            out.isetitem(i, s.dt.tz_localize(None))
        elif s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
            out.isetitem(
                i,
                s.map(
                    lambda v: _ILLEGAL_XLSX.sub("", v) if isinstance(v, str) else v,
                    na_action="ignore",
                ),
            )
    return out


def to_safe_excel_bytes(df: pd.DataFrame, sheet: str = "data") -> bytes:
    """An .xlsx whose text cells are stored as text, never as live formulas."""
    buf = io.BytesIO()
    safe = _excel_ready(neutralise(df))
    name = (re.sub(r"[\[\]:*?/\\]", "_", sheet) or "data")[:31]
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        safe.to_excel(xw, index=False, sheet_name=name)
        ws = xw.sheets[name]
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":  # anything openpyxl still took for a formula
                    cell.data_type = "s"
    return buf.getvalue()


def written_columns(df: pd.DataFrame) -> list:
    """The columns a CSV of ``df`` holds, in order (a named or non-default index first)."""
    return list(_with_index(df).columns)
