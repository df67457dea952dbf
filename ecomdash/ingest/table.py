"""The raw table every reader returns, the upload limits, and the checks shared by the readers.

:class:`RawTable` holds every cell as text; :func:`_check_size` refuses a file (or a part of
an archive) over the limit; :func:`_detect_header` decides whether a first row is a header;
:func:`_check_header` refuses unusable column names; :func:`_cell_text` writes a spreadsheet or
Parquet cell as the text the cleaner reads.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ecomdash.errors import InputFileError
from ecomdash.i18n import N_
from ecomdash.i18n.note import Joined, Quoted, note

#: Largest upload accepted, in bytes. Must match ``server.maxUploadSize = 200`` (MB) in
#: ``.streamlit/config.toml``.
DEFAULT_MAX_BYTES = 200 * 1024 * 1024
#: Largest decompressed size accepted, as a multiple of ``max_bytes``.
UNCOMPRESSED_FACTOR = 5
#: Compression ratio above which a large archive member is treated as a zip bomb.
MAX_RATIO = 100
#: Members below this uncompressed size are never treated as bombs (small XML compresses well).
RATIO_FLOOR = 20 * 1024 * 1024
#: Malformed (ragged) rows tolerated, as a share of all rows, before the file is refused.
MAX_MALFORMED_SHARE = 0.01

STRING_DTYPE = pd.StringDtype("pyarrow")
DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {
    ",": "comma",
    ";": "semicolon",
    "\t": "tab",
    "|": "pipe",
    " ": "whitespace",
}
#: the ``reason`` of a malformed row (English in the table; the Data page shows it translated)
MALFORMED_REASONS = (
    N_("{n} fields where the header has {width}"),
    N_("{n} fields where the file has {width}"),
)
_NUMBER_RE = re.compile(r"^\s*[-+(]?[$€£¥]?\s*\d[\d,.\s]*\)?%?\s*$")
_DATE_RE = re.compile(
    r"^\s*(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|\d{4}年\d{1,2}月\d{1,2}日"
    r"|(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01]))"
)


class SheetChoiceError(InputFileError):
    """An Excel workbook has several sheets with data: the caller must pick one (``sheet=``)."""

    def __init__(self, message: str, sheets: tuple[str, ...]):
        super().__init__(message)
        self.sheets = sheets


class NoSheetDataError(InputFileError):
    """An Excel workbook has no data in any sheet (its message names the sheets): a caller that
    reads a file of its own kind (a stock file) says so in its own words, by this class."""


@dataclass(frozen=True)
class RawTable:
    """The file as a table of strings, before any mapping.

    ``data``: one string column per source column (unique names), missing cells are ``""``.
    ``line_no``: original line / row number of each row (see module doc).
    ``malformed``: rows dropped while reading (wrong number of fields), with
    ``line_no``, ``reason`` and the raw ``text``.
    """

    data: pd.DataFrame
    line_no: np.ndarray
    format: str
    encoding: str | None = None
    delimiter: str | None = None
    has_header: bool = True
    layout: str = "table"
    compression: str | None = None
    sheet: str | None = None
    sheet_names: tuple[str, ...] = ()
    malformed: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame({"line_no": [], "reason": [], "text": []})
    )
    notes: tuple[str, ...] = ()

    @property
    def rows_read(self) -> int:
        """Data rows read (malformed rows included)."""
        return len(self.data) + len(self.malformed)

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(self.data.columns)

    def info(self) -> dict:
        """JSON-able description of how the file was read."""
        return {
            "format": self.format,
            "layout": self.layout,
            "compression": self.compression,
            "encoding": self.encoding,
            "delimiter": DELIMITER_NAMES.get(self.delimiter, self.delimiter)
            if self.delimiter
            else None,
            "has_header": self.has_header,
            "sheet": self.sheet,
            "sheet_names": list(self.sheet_names),
            "rows_read": self.rows_read,
            "columns": list(self.columns),
            "malformed_rows": len(self.malformed),
            "notes": list(self.notes),
        }


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:,.0f} MB" if n >= 1024 * 1024 else f"{n / 1024:,.0f} KB"


def _check_size(n: int, max_bytes: int, what: str) -> None:
    if n > max_bytes:
        raise InputFileError(
            note(
                N_(
                    "{what} is {size}; the limit is {limit}. "
                    "Export a shorter date range (or split the file) and upload the parts."
                ),
                what=note(what),
                size=_mb(n),
                limit=_mb(max_bytes),
            )
        )


# ---------------------------------------------------------------------------------------------
# Excel and Parquet


def _cell_text(v) -> str:
    if type(v) is float:
        if v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        return repr(v)
    if type(v) is _dt.datetime:
        return v.isoformat(sep=" ")
    return _cell_text_other(v)


def _cell_text_other(v) -> str:
    import datetime as dt

    if v is None:
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, dt.datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, dt.date | dt.time):
        return v.isoformat()
    if isinstance(v, float):
        if v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        return repr(v)
    return str(v)


def _is_numberlike(v: str) -> bool:
    return bool(_NUMBER_RE.match(v)) or bool(_DATE_RE.match(v))


def _known_header(v: str) -> bool:
    from ecomdash.ingest.synonyms import is_known_header

    return is_known_header(v)


def _detect_header(rows: list[list[str]]) -> bool:
    """Is the first row a header? (see module doc)."""
    if not rows:
        return False
    first = rows[0]
    if any(_known_header(c) for c in first if c.strip()):
        return True
    if any(_is_numberlike(c) for c in first if c.strip()) or any(not c.strip() for c in first):
        return False
    body = rows[1:200]
    if not body:
        return True
    for j in range(len(first)):
        vals = [r[j] for r in body if j < len(r) and r[j].strip()]
        if vals and sum(_is_numberlike(v) for v in vals) / len(vals) >= 0.8:
            return True
    return False


def _check_header(header: list[str]) -> list[str]:
    """Strip names, name blank columns, refuse duplicate names (with positions)."""
    clean = []
    for i, h in enumerate(header):
        h = str(h).strip().lstrip("\ufeff").strip()
        clean.append(h if h else f"column_{i + 1}")
    seen: dict[str, list[int]] = {}
    for i, h in enumerate(clean):
        seen.setdefault(h.casefold(), []).append(i + 1)
    dups = {clean[pos[0] - 1]: pos for pos in seen.values() if len(pos) > 1}
    if dups:
        listed = Joined(
            (
                note(
                    N_("{name} in columns {positions}"),
                    name=Quoted(name),
                    positions=", ".join(map(str, pos)),
                )
                for name, pos in dups.items()
            ),
            N_("; "),
        )
        raise InputFileError(
            note(
                N_(
                    "Some column names appear more than once: {names}. Rename them so every "
                    "column has its own name, then upload again."
                ),
                names=listed,
            )
        )
    return clean
