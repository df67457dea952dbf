"""Read an uploaded order export (bytes) into a raw table of strings.

Formats are detected from the content (magic bytes), not trusted from the file name:
CSV / TSV / semicolon / pipe / whitespace-delimited text, Excel ``.xlsx``, Parquet,
and any of these inside ``.gz`` or a ``.zip`` holding one data file. Text encodings:
UTF-8 (with or without BOM), UTF-16 (BOM), GB18030/GBK, cp1252/latin-1.

Every cell is kept as text (missing = ``""``); converting to numbers and dates is the
cleaner's job, which counts every value that does not convert.

Line numbers (``RawTable.line_no``): for text files, the physical line on which the row
starts (header = line 1; blank lines and line breaks inside quoted values counted); for
Excel, the sheet's row number; for Parquet, the row number (1-based).

Headerless files: a first row is a header when it holds a known column name, or when it
is all text while some column below is mostly numbers or dates; otherwise the columns
are named ``column_1 ...``. A headerless text file whose lines have different numbers
of comma-separated text items is read as a **basket list** (one basket per line, as in
the "Groceries" data): one row per item with columns ``basket`` (the line number) and
``item``.
"""

from __future__ import annotations

import csv
import datetime as _dt
import gzip
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import PurePath

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

try:  # ISA-L inflates gzip about twice as fast as zlib; same API
    from isal import isal_zlib as _inflate
except ImportError:  # pragma: no cover - isal is a dependency; zlib is the fallback
    _inflate = zlib

from ecomdash.errors import InputFileError
from ecomdash.i18n import N_, _
from ecomdash.ingest.messages import Msg

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
_SAMPLE_BYTES = 128 * 1024
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


_ZIP_ERRORS = (
    zipfile.BadZipFile,
    RuntimeError,
    NotImplementedError,
    zlib.error,
    EOFError,
    ValueError,
    OSError,
)


class _NotUtf8(Exception):
    """Internal: the sampled encoding (UTF-8) failed further into the file."""


class SheetChoiceError(InputFileError):
    """An Excel workbook has several sheets with data: the caller must pick one (``sheet=``)."""

    def __init__(self, message: str, sheets: tuple[str, ...]):
        super().__init__(message)
        self.sheets = sheets


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


# ---------------------------------------------------------------------------------------------
# entry point


def read_bytes(
    data: bytes,
    filename: str,
    *,
    sheet: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    _nested: bool = False,
) -> RawTable:
    """Read ``data`` (an uploaded file's bytes) into a :class:`RawTable`.

    ``filename`` is used only for its extension (a hint and for messages); it is never
    used as a path. Raises :class:`InputFileError` with a plain message on bad input.
    An archive inside an archive is refused (no zip quines, no stacked bombs).
    A Chinese marketplace export gets its derived columns (province, joined state:
    ``platforms_cn.prepare``).
    """
    from ecomdash.ingest.platforms_cn import prepare

    raw = _read_any(data, filename, sheet=sheet, max_bytes=max_bytes, _nested=_nested)
    return prepare(raw)


def _read_any(
    data: bytes,
    filename: str,
    *,
    sheet: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    _nested: bool = False,
) -> RawTable:
    ext = _extension(filename)
    _check_size(len(data), max_bytes, N_("The file"))
    if not data or data.isspace():
        raise InputFileError(
            _(
                "The file is empty: it has no bytes (or only blank space). "
                "Export your orders again and upload the saved file."
            )
        )
    notes: list[str] = []
    compression = None
    if data[:2] == b"\x1f\x8b":
        if _nested:
            raise _nested_error()
        compression = "gzip"
        data = _gunzip(data, max_bytes)
        if data[:2] == b"\x1f\x8b":
            raise _nested_error()
        inner = ext[:-3] if ext.endswith(".gz") else ""
        ext = _extension(inner) if inner else ""
        if not data or data.isspace():
            raise InputFileError(
                _("The compressed file is empty once unpacked. Export your orders again.")
            )
    if data[:4] == b"PK\x03\x04" or data[:4] == b"PK\x05\x06":
        zf = _open_zip(data, max_bytes)
        names = zf.namelist()
        if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
            if ext in {".csv", ".txt", ".tsv"}:
                notes.append(
                    Msg(
                        N_("The file is named {ext} but is an Excel workbook; read it as Excel."),
                        ext=ext,
                    )
                )
            return _read_xlsx(data, sheet=sheet, notes=notes, compression=compression)
        if _nested or compression:
            raise _nested_error()
        if "mimetype" in names and b"opendocument" in _safe_read(zf, "mimetype")[:100]:
            raise InputFileError(
                _(
                    "This is an OpenDocument (.ods) spreadsheet. Open it and save it as .xlsx or CSV, "
                    "then upload that."
                )
            )
        members = [
            i
            for i in zf.infolist()
            if not i.is_dir()
            and not i.filename.startswith("__MACOSX/")
            and not PurePath(i.filename).name.startswith(".")
        ]
        if not members:
            raise InputFileError(
                _("The zip archive holds no data file. Put one CSV, Excel or Parquet file in it.")
            )
        if len(members) > 1:
            listed = ", ".join(PurePath(m.filename).name for m in members[:10])
            raise InputFileError(
                _(
                    "The zip archive holds {n} files ({names}). "
                    "Upload a zip with exactly one data file, or upload the file itself.",
                    n=len(members),
                    names=listed,
                )
            )
        inner_name = PurePath(members[0].filename).name
        try:
            inner = zf.read(members[0])
        except _ZIP_ERRORS as exc:
            raise InputFileError(
                _(
                    "The file inside the zip cannot be unpacked ({error}). It may be encrypted "
                    "or damaged: unpack it yourself and upload the data file.",
                    error=exc,
                )
            ) from None
        result = read_bytes(inner, inner_name, sheet=sheet, max_bytes=max_bytes, _nested=True)
        return _with(
            result,
            compression="zip",
            notes=(Msg(N_("Read {name} from the zip."), name=repr(inner_name)),),
        )
    if data[:4] == b"PAR1":
        return _read_parquet(data, compression=compression)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise InputFileError(
            _(
                "This is an old Excel 97-2003 (.xls) workbook or a password-protected workbook, "
                "which cannot be read here. Open it in Excel and save it (without a password) as "
                ".xlsx or CSV, then upload that."
            )
        )
    if ext in {".xlsx", ".xlsm"}:
        notes.append(
            Msg(
                N_("The file is named {ext} but holds plain text; read it as delimited text."),
                ext=ext,
            )
        )
    elif ext == ".parquet":
        notes.append(
            Msg(
                N_("The file is named {ext} but holds plain text; read it as delimited text."),
                ext=".parquet",
            )
        )
    return _read_text(data, notes=notes, compression=compression, max_bytes=max_bytes)


# ---------------------------------------------------------------------------------------------
# containers


def _safe_read(zf: zipfile.ZipFile, name: str) -> bytes:
    try:
        return zf.read(name)
    except _ZIP_ERRORS:
        return b""


def _nested_error() -> InputFileError:
    return InputFileError(
        _(
            "The file is an archive inside another archive. Unpack it and upload the data file "
            "itself (CSV, Excel or Parquet), or a zip / .gz holding just that file."
        )
    )


def _extension(filename: str) -> str:
    name = PurePath(str(filename).replace("\\", "/")).name.lower()
    if name.endswith(".gz"):
        stem = name[:-3]
        dot = stem.rfind(".")
        return (stem[dot:] if dot >= 0 else "") + ".gz"
    dot = name.rfind(".")
    return name[dot:] if dot >= 0 else ""


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:,.0f} MB" if n >= 1024 * 1024 else f"{n / 1024:,.0f} KB"


def _check_size(n: int, max_bytes: int, what: str) -> None:
    if n > max_bytes:
        raise InputFileError(
            _(
                "{what} is {size}; the limit is {limit}. "
                "Export a shorter date range (or split the file) and upload the parts.",
                what=_(what),
                size=_mb(n),
                limit=_mb(max_bytes),
            )
        )


def _gunzip(data: bytes, max_bytes: int) -> bytes:
    limit = max_bytes * UNCOMPRESSED_FACTOR
    d = _inflate.decompressobj(wbits=31)
    try:
        out = d.decompress(data, limit + 1)
    except (zlib.error, _inflate.error) as exc:
        raise InputFileError(
            _(
                "The file starts like a .gz archive but cannot be unpacked ({error}). "
                "It may be truncated: download or export it again.",
                error=exc,
            )
        ) from None
    if len(out) > limit:
        raise InputFileError(
            _(
                "The .gz file unpacks to more than {limit} (from {size}); that is too large "
                "or a compression bomb. Upload a smaller export.",
                limit=_mb(limit),
                size=_mb(len(data)),
            )
        )
    if len(out) > RATIO_FLOOR and len(out) > MAX_RATIO * len(data):
        raise InputFileError(
            _(
                "The .gz file unpacks {ratio} times larger than it is; this looks like a "
                "compression bomb and was not read.",
                ratio=f"{len(out) / len(data):,.0f}",
            )
        )
    if not d.eof:
        raise InputFileError(
            _(
                "The .gz file is cut short: its compressed data stops before the end, so rows "
                "would be missing. The download or export may have stopped early: get the "
                "file again and upload the complete one."
            )
        )
    if d.unused_data and d.unused_data[:2] == b"\x1f\x8b":
        # concatenated gzip members: rare; fall back to the library
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as g:
                out = g.read(limit + 1)
        except OSError as exc:
            raise InputFileError(f"The .gz file cannot be unpacked ({exc}).") from None
        if len(out) > limit:
            raise InputFileError(f"The .gz file unpacks to more than {_mb(limit)}.")
    return out


def _open_zip(data: bytes, max_bytes: int) -> zipfile.ZipFile:
    """Open a zip after checking, from its directory, that it is not a bomb."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except _ZIP_ERRORS as exc:
        raise InputFileError(
            _(
                "The file looks like a zip / .xlsx archive but is damaged ({error}). "
                "Open it in its program and save it again, or export a CSV.",
                error=exc,
            )
        ) from None
    limit = max_bytes * UNCOMPRESSED_FACTOR
    total = sum(i.file_size for i in infos)
    if total > limit:
        raise InputFileError(
            _(
                "The archive unpacks to {size} (from {packed}); the limit is {limit}. It is "
                "too large or a compression bomb and was not read.",
                size=_mb(total),
                packed=_mb(len(data)),
                limit=_mb(limit),
            )
        )
    for i in infos:
        if i.file_size > RATIO_FLOOR and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            raise InputFileError(
                _(
                    "The archive member {name} unpacks {ratio} times larger than it is stored "
                    "({size}); this looks like a compression bomb and was not read.",
                    name=repr(PurePath(i.filename).name),
                    ratio=f"{i.file_size / max(i.compress_size, 1):,.0f}",
                    size=_mb(i.file_size),
                )
            )
    return zf


def _with(table: RawTable, *, compression: str | None, notes: tuple[str, ...]) -> RawTable:
    from dataclasses import replace

    return replace(table, compression=compression, notes=notes + table.notes)


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


#: Rows of a sheet converted to text columns at a time (Arrow arrays), so a large workbook is
#: never held as one Python string per cell.
XLSX_CHUNK_ROWS = 50_000

#: Above this much worksheet XML (uncompressed; about a 35 MB workbook) the sheet is read by
#: openpyxl's streaming reader, row by row, instead of calamine, which is faster but loads a
#: whole sheet into memory (1.9 GB for a 100 MB workbook: see bench/bench_xlsx.py).
XLSX_STREAM_BYTES = 256 * 1024 * 1024


def _read_xlsx(
    data: bytes, *, sheet: str | None, notes: list[str], compression: str | None
) -> RawTable:
    """An .xlsx sheet as text columns (calamine, a Rust reader; openpyxl if it is missing).

    Neither expands XML entities (calamine does not process DTDs; openpyxl uses defusedxml);
    the zip directory was checked for bombs before this is called. Sheets are checked for data
    one at a time (only the chosen one is kept); its rows are streamed into Arrow string
    columns :data:`XLSX_CHUNK_ROWS` at a time (see bench/bench_xlsx.py for the memory). A
    workbook with more than :data:`XLSX_STREAM_BYTES` of sheet XML is read by openpyxl's
    streaming reader instead of calamine, so no sheet is ever loaded whole.
    """
    stream = _sheet_xml_bytes(data) > XLSX_STREAM_BYTES
    try:
        reader = _xlsx_openpyxl if stream else _xlsx_calamine
        names, chosen, rows, close = reader(data, sheet)
    except ImportError:  # pragma: no cover - calamine is a declared dependency
        names, chosen, rows, close = _xlsx_openpyxl(data, sheet)
    if stream:
        notes.append(
            "A large workbook: its sheet was read row by row (streamed) to keep memory low, "
            "which is slower; a CSV export of the same sheet reads several times faster."
        )
    try:
        table = _stream_table(rows, chosen, notes=notes, compression=compression)
    finally:
        close()
    from dataclasses import replace

    return replace(table, sheet=chosen, sheet_names=names)


def _stream_table(rows, chosen: str, *, notes: list[str], compression: str | None) -> RawTable:
    """``rows`` (``(sheet row number, cells as text)``, non-empty rows only) → a RawTable.

    The first 230 rows decide the title rows and the header as before; the rest go into
    per-column Arrow string arrays in chunks, never into one Python list of every cell.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    it = iter(rows)
    head: list[tuple[int, list[str]]] = []
    for item in it:
        head.append(item)
        if len(head) >= 230:
            break
    if not head:
        raise InputFileError(
            _("The sheet {sheet} is empty. Choose the sheet with the orders.", sheet=repr(chosen))
        )
    # title rows above the table ("Orders report 2024"): far fewer cells than the table
    filled = [sum(1 for c in row if c.strip()) for _, row in head[:30]]
    start = next(i for i, k in enumerate(filled) if k >= 0.5 * max(filled))
    if start and len(head) > start + 1:
        notes.append(Msg(N_("Skipped {n} title row(s) above the table."), n=start))
        head = head[start:]
    width = max(len(r) for _, r in head)
    sample = [(r + [""] * width)[:width] for _, r in head]
    has_header = _detect_header(sample)
    if has_header:
        header_cells = sample[0]
        body_head = head[1:]
    else:
        header_cells = None
        body_head = head
    chunks: list[list] = []  # one list of column arrays per chunk
    line_chunks: list[np.ndarray] = []

    def flush(batch: list[tuple[int, list[str]]]) -> None:
        if not batch:
            return
        w = max(len(r) for _, r in batch)
        cols = [[] for _ in range(w)]
        for _rn, r in batch:
            for k in range(w):
                cols[k].append(r[k] if k < len(r) else "")
        chunks.append([pa.array(c, type=pa.string()) for c in cols])
        line_chunks.append(np.fromiter((n for n, _ in batch), dtype=np.int64, count=len(batch)))

    batch = list(body_head)
    for item in it:
        batch.append(item)
        if len(batch) >= XLSX_CHUNK_ROWS:
            flush(batch)
            batch = []
    flush(batch)
    del batch
    width = max([width, *(len(c) for c in chunks)])
    columns: list = []
    for k in range(width):
        parts = [
            c[k] if k < len(c) else pa.array([""] * len(c[0]), type=pa.string()) for c in chunks
        ]
        columns.append(pa.chunked_array(parts, type=pa.string()))

    # trailing columns with no value anywhere (formatting beyond the table) are dropped
    def blank(col, name: str | None) -> bool:
        if name and name.strip():
            return False
        return not len(col) or pc.max(pc.utf8_length(pc.utf8_trim_whitespace(col))).as_py() in (
            None,
            0,
        )

    while width > 1 and blank(
        columns[width - 1],
        header_cells[width - 1] if header_cells and width - 1 < len(header_cells) else None,
    ):
        width -= 1
    columns = columns[:width]
    if has_header:
        header = _check_header((header_cells + [""] * width)[:width])
        if not chunks:
            raise InputFileError(
                _(
                    "The file has column names ({columns}) but no data rows. "
                    "Export a period that has orders.",
                    columns=", ".join(h for h in header[:12]),
                )
            )
    else:
        header = [f"column_{i + 1}" for i in range(width)]
    line_no = np.concatenate(line_chunks) if line_chunks else np.zeros(0, dtype=np.int64)
    df = pd.DataFrame(
        {h: pd.array(col, dtype=STRING_DTYPE) for h, col in zip(header, columns, strict=True)}
    )
    return RawTable(
        data=df,
        line_no=line_no,
        format="xlsx",
        has_header=has_header,
        compression=compression,
        notes=tuple(notes),
    )


def _choose_sheet(names: tuple[str, ...], sheet: str | None, has_data) -> str:
    if sheet is not None:
        if sheet not in names:
            raise SheetChoiceError(
                _(
                    "The workbook has no sheet named {sheet}. Its sheets are: {sheets}. "
                    "Choose one of these.",
                    sheet=repr(sheet),
                    sheets=", ".join(repr(n) for n in names),
                ),
                names,
            )
        return sheet
    with_data = [n for n in names if has_data(n)]
    if not with_data:
        raise InputFileError(
            _(
                "The Excel workbook has no data in any sheet ({sheets}). Check you exported "
                "the orders.",
                sheets=", ".join(repr(n) for n in names),
            )
        )
    if len(with_data) > 1:
        raise SheetChoiceError(
            _(
                "The workbook has {n} sheets with data: {sheets}. Choose the sheet that holds "
                "the order lines.",
                n=len(with_data),
                sheets=", ".join(repr(n) for n in with_data),
            ),
            tuple(with_data),
        )
    return with_data[0]


def _sheet_xml_bytes(data: bytes) -> int:
    """Uncompressed size of the workbook's worksheet XML (from the zip directory: no inflating)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return sum(i.file_size for i in zf.infolist() if i.filename.startswith("xl/worksheets/"))


def _xlsx_calamine(data: bytes, sheet: str | None):
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except (CalamineError, ValueError, OSError) as exc:
        raise InputFileError(
            _(
                "The Excel workbook cannot be opened ({error}). Open it in Excel, save it "
                "again as .xlsx, or export a CSV.",
                error=f"{type(exc).__name__}: {exc}",
            )
        ) from None

    def has_data(name: str) -> bool:
        # one sheet loaded at a time, dropped after the check
        ws = wb.get_sheet_by_name(name)
        if not ws.height:
            return False
        for k, values in enumerate(ws.iter_rows()):
            if any(v != "" and str(v).strip() for v in values):
                return True
            if k > 200:
                return False
        return False

    def error(exc) -> InputFileError:
        return InputFileError(
            f"The Excel workbook cannot be read ({type(exc).__name__}: {exc}). It may be "
            "damaged or use features that cannot be read safely (such as XML entities). Open "
            "it in Excel, save it again as .xlsx, or export a CSV."
        )

    try:
        names = tuple(wb.sheet_names)
        chosen = _choose_sheet(names, sheet, has_data)
        ws = wb.get_sheet_by_name(chosen)
    except (CalamineError, ValueError) as exc:
        wb.close()
        raise error(exc) from None

    def rows():
        try:
            for r, values in enumerate(ws.iter_rows(), start=1):
                cells = [v if type(v) is str else _cell_text(v) for v in values]
                if "".join(cells).strip():
                    yield r, cells
        except (CalamineError, ValueError) as exc:
            raise error(exc) from None

    return names, chosen, rows(), wb.close


def _xlsx_openpyxl(data: bytes, sheet: str | None):
    import openpyxl

    try:
        import defusedxml  # noqa: F401  (openpyxl uses it when installed: no entity expansion)
    except ImportError:  # pragma: no cover - declared dependency
        raise InputFileError(
            "Excel files cannot be read safely here (defusedxml missing)."
        ) from None
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types on damaged files
        raise InputFileError(
            _(
                "The Excel workbook cannot be opened ({error}). Open it in Excel, save it "
                "again as .xlsx, or export a CSV.",
                error=f"{type(exc).__name__}: {exc}",
            )
        ) from None
    try:
        names = tuple(wb.sheetnames)
        chosen = _choose_sheet(names, sheet, lambda n: _sheet_has_data(wb[n]))
    except BaseException:
        wb.close()
        raise

    def rows():
        for r, values in enumerate(wb[chosen].iter_rows(values_only=True), start=1):
            cells = [_cell_text(v) for v in values]
            if any(c.strip() for c in cells):
                yield r, cells

    return names, chosen, rows(), wb.close


def _sheet_has_data(ws) -> bool:
    for values in ws.iter_rows(max_row=50, values_only=True):
        if any(v is not None and str(v).strip() for v in values):
            return True
    return False


def _read_parquet(data: bytes, *, compression: str | None) -> RawTable:
    import pyarrow.parquet as pq

    try:
        tbl = pq.read_table(io.BytesIO(data))
        tbl.validate(full=True)  # e.g. text that is not valid UTF-8
        names = [str(n) for n in tbl.column_names]
    except Exception as exc:  # pyarrow raises many types on damaged files
        raise InputFileError(
            _(
                "The Parquet file cannot be read ({error}). Export it again.",
                error=f"{type(exc).__name__}: {exc}",
            )
        ) from None
    if tbl.num_rows == 0:
        raise InputFileError(
            _(
                "The Parquet file has columns ({columns}) but no rows. Export a period with "
                "orders.",
                columns=", ".join(names[:10]),
            )
        )
    names = _check_header(names)
    try:
        cols = _parquet_columns(tbl, names)
    except (pa.ArrowException, UnicodeDecodeError, ValueError, TypeError) as exc:
        raise InputFileError(
            _(
                "The Parquet file holds values that cannot be read ({error}). Export it again.",
                error=f"{type(exc).__name__}: {exc}",
            )
        ) from None
    df = pd.DataFrame(cols)
    return RawTable(
        data=df,
        line_no=np.arange(1, len(df) + 1, dtype=np.int64),
        format="parquet",
        compression=compression,
    )


def _parquet_columns(
    tbl: pa.Table, names: list[str]
) -> dict[str, pd.api.extensions.ExtensionArray]:
    """Each Parquet column as text (whole floats without ``.0``, timestamps ISO)."""
    cols = {}
    for i, name in enumerate(names):
        col = tbl.column(i)
        if pa.types.is_floating(col.type):
            arr = col.to_numpy(zero_copy_only=False)
            whole = np.isfinite(arr) & (np.abs(arr) < 1e15) & (np.mod(arr, 1) == 0)
            txt = np.where(
                whole, np.char.mod("%d", np.where(whole, arr, 0).astype(np.int64)), arr.astype(str)
            )
            txt = np.where(np.isnan(arr), "", txt)
            cols[name] = pd.array(txt, dtype=STRING_DTYPE)
            continue
        if pa.types.is_timestamp(col.type) or pa.types.is_date(col.type):
            ser = pd.Series(col.to_pandas())
            if getattr(ser.dt, "tz", None) is not None:
                ser = ser.dt.tz_localize(None)
            cols[name] = ser.dt.strftime("%Y-%m-%d %H:%M:%S").fillna("").astype(STRING_DTYPE)
            continue
        try:
            txt = col.cast(pa.string())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            txt = pa.array([_cell_text(v) for v in col.to_pylist()], pa.string())
        cols[name] = pd.array(txt.fill_null(""), dtype=STRING_DTYPE)
    return cols


# ---------------------------------------------------------------------------------------------
# text


def _decode_sample(data: bytes) -> tuple[str, str]:
    """Return (encoding, decoded text) for a whole byte string; detection is deterministic."""
    if data[:3] == b"\xef\xbb\xbf":
        return "utf-8-sig", data[3:].decode("utf-8", errors="replace")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16", data.decode("utf-16", errors="replace")
    try:
        return "utf-8", data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 4 and exc.reason == "unexpected end of data":
            return "utf-8", data[: exc.start].decode("utf-8")
    # not UTF-8: GB18030 when high bytes come in pairs (Chinese), else cp1252 / latin-1
    high = np.frombuffer(data, dtype=np.uint8) >= 0x80
    n_high = int(high.sum())
    if n_high:
        paired = high[:-1] & high[1:]
        share_pairs = 2 * int(paired.sum()) / n_high
        if share_pairs > 0.8:
            try:
                return "gb18030", data.decode("gb18030")
            except UnicodeDecodeError as exc:
                if exc.start >= len(data) - 4:
                    return "gb18030", data[: exc.start].decode("gb18030")
    try:
        return "cp1252", data.decode("cp1252")
    except UnicodeDecodeError:
        return "latin-1", data.decode("latin-1")


def _looks_binary(text: str) -> bool:
    if not text:
        return False
    sample = text[:20000]
    if "\x00" in sample:
        return True
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\r\n\f") or ch == "\ufffd")
    return bad > max(2, len(sample) * 0.01)


def _sniff_delimiter(lines: list[str]) -> tuple[str, float, int]:
    """Best delimiter for the sample lines: (delimiter, consistency, modal field count)."""
    best = (",", 0.0, 1)
    best_score = -1.0
    for delim in DELIMITERS:
        counts = [len(r) for r in csv.reader(lines, delimiter=delim, quotechar='"')]
        if not counts:
            continue
        values, freq = np.unique(counts, return_counts=True)
        mode = int(values[np.argmax(freq)])
        consistency = float(freq.max() / len(counts))
        if mode < 2 and max(counts) < 2:
            continue
        score = consistency * (1 if mode >= 2 else 0.5) + min(mode, 50) / 1000
        if score > best_score:
            best, best_score = (delim, consistency, mode), score
    if best_score < 0.9:
        counts = [len(line.split()) for line in lines]
        values, freq = np.unique(counts, return_counts=True)
        mode = int(values[np.argmax(freq)])
        consistency = float(freq.max() / len(counts))
        if mode >= 2 and consistency >= 0.95 and consistency > best[1]:
            return " ", consistency, mode
    return best


def _is_numberlike(v: str) -> bool:
    return bool(_NUMBER_RE.match(v)) or bool(_DATE_RE.match(v))


def _known_header(v: str) -> bool:
    from ecomdash.ingest.mapping import is_known_header

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


def _split_lines(text: str, limit: int | None = None) -> list[str]:
    lines = text.splitlines()
    if limit is not None:
        lines = lines[:limit]
    return lines


def _read_text(
    data: bytes, *, notes: list[str], compression: str | None, max_bytes: int
) -> RawTable:
    sample_bytes = data[:_SAMPLE_BYTES]
    encoding, sample = _decode_sample(sample_bytes)
    if _looks_binary(sample):
        raise InputFileError(
            _(
                "The file is not text, Excel or Parquet: it holds binary bytes. Upload the orders "
                "export as CSV, Excel (.xlsx) or Parquet (optionally .gz or .zip compressed)."
            )
        )
    _refuse_markup(sample)
    full_text: str | None = None
    if encoding not in ("utf-8", "utf-8-sig") or len(sample_bytes) < len(data):
        # decide on the whole file when it is not (so far) plain UTF-8
        if encoding not in ("utf-8", "utf-8-sig"):
            encoding, full_text = _decode_sample(data)
    lines = [ln for ln in _split_lines(sample, 400) if ln.strip()]
    if len(sample_bytes) < len(data) and len(lines) > 1:
        lines = lines[:-1]  # the last sample line may be cut
    if not lines:
        raise InputFileError(_("The file is empty: it has no lines with text."))
    delim, consistency, mode = _sniff_delimiter(lines)
    title_lines = 0
    if delim != " " and mode >= 2:
        # title lines above the table ("#Alipay statement", "Account: ..."): few fields
        counts = [len(r) for r in csv.reader(lines[:30], delimiter=delim, quotechar='"')]
        skip = next((k for k, c in enumerate(counts) if c >= max(2, 0.5 * mode)), 0)
        if skip and len(lines) > skip + 1:
            physical = [i for i, ln in enumerate(sample.splitlines()) if ln.strip()]
            title_lines = physical[skip]
            lines = lines[skip:]
            delim, consistency, mode = _sniff_delimiter(lines)
            notes.append(Msg(N_("Skipped {n} title line(s) above the table."), n=title_lines))
    if delim == " ":
        rows = [ln.split() for ln in lines[:200]]
    else:
        rows = list(csv.reader(lines[:200], delimiter=delim, quotechar='"'))
    has_header = _detect_header(rows)
    body = rows[1:] if has_header else rows
    ragged = consistency < 0.9 and len(body) >= 2
    all_text = not any(_is_numberlike(c) for r in body for c in r if c.strip())
    if full_text is None and (delim == " " or ragged):
        full_text = data.decode(
            "utf-8-sig" if encoding == "utf-8-sig" else encoding, errors="replace"
        )
    if ragged and not has_header and all_text and delim == ",":
        return _read_basket_list(full_text, encoding, notes, compression)
    if delim == " ":
        return _read_whitespace(full_text, encoding, has_header, notes, compression)
    if full_text is not None:
        payload = full_text.encode("utf-8")
    else:
        payload = data[3:] if encoding == "utf-8-sig" else data
    if len(rows[0]) < 2 and mode < 2:
        notes.append(Msg(N_("No delimiter found: read as a single column.")))

    def parse(payload: bytes) -> RawTable:
        table = _read_delimited(
            _drop_lines(payload, title_lines), encoding, delim, has_header, mode, notes, compression
        )
        if not title_lines:
            return table
        from dataclasses import replace

        malformed = table.malformed.copy()
        malformed["line_no"] = malformed["line_no"] + title_lines
        return replace(table, line_no=table.line_no + title_lines, malformed=malformed)

    try:
        return parse(payload)
    except _NotUtf8:
        if full_text is not None:
            raise InputFileError(
                _(
                    "Part of the file is not valid text in any encoding tried. Save the export as "
                    "UTF-8 CSV and upload it again."
                )
            ) from None
        encoding, full_text = _decode_sample(data)
        if _looks_binary(full_text):
            raise InputFileError(
                _("Part of the file holds binary bytes, not text. Export the orders again as CSV.")
            ) from None
        return parse(full_text.encode("utf-8"))


def _drop_lines(payload: bytes, k: int) -> bytes:
    """``payload`` without its first ``k`` physical lines."""
    if k <= 0:
        return payload
    nl = b"\n" if b"\n" in payload[:_SAMPLE_BYTES] else b"\r"
    pos = 0
    for _k in range(k):
        nxt = payload.find(nl, pos)
        if nxt < 0:
            return b""
        pos = nxt + 1
    return payload[pos:]


def _refuse_markup(sample: str) -> None:
    """Web pages, XML spreadsheets and JSON saved under a spreadsheet name: say so."""
    head = sample.lstrip()[:2000].lower()
    if head.startswith(("<!doctype html", "<html", "<table")) or (
        head.startswith("<") and "<table" in sample[:20000].lower()
    ):
        raise InputFileError(
            _(
                "This file is a web page (an HTML table), even if its name ends in .xls or .csv. "
                "Open it in Excel and save it as .xlsx or CSV, then upload that."
            )
        )
    if head.startswith("<?xml"):
        raise InputFileError(
            _(
                "This file is XML (for example an 'XML Spreadsheet 2003'), not CSV or .xlsx. "
                "Open it in Excel and save it as .xlsx or CSV, then upload that."
            )
        )
    if head.startswith(("{", "[{")):
        raise InputFileError(
            _("This file is JSON, which is not read here. Export the orders as CSV or .xlsx.")
        )


def _refuse_unclosed_quote(payload: bytes) -> None:
    bad_line = _unclosed_quote_line(payload)
    if bad_line is not None:
        raise InputFileError(
            _(
                "A quoted value opened on line {line} is never closed (an odd number of "
                '" characters), so the rest of the file cannot be split into columns. Fix or '
                "remove that line, or export the file again.",
                line=f"{bad_line:,}",
            )
        )


def _unclosed_quote_line(payload: bytes) -> int | None:
    """Line (1-based) where a quote opens and is never closed, or None."""
    if payload.count(b'"') % 2 == 0:
        return None
    text = payload.decode("utf-8", errors="replace")
    in_quote = False
    start = 0
    line = 1
    for ch in text:
        if ch == '"':
            in_quote = not in_quote
            if in_quote:
                start = line
        elif ch == "\n":
            line += 1
    return start if in_quote else None


def _read_delimited(
    payload: bytes,
    encoding: str,
    delim: str,
    has_header: bool,
    mode: int,
    notes: list[str],
    compression: str | None,
) -> RawTable:
    # header row (read with the csv module so duplicate names are seen as written)
    head = payload[:_SAMPLE_BYTES].decode("utf-8", errors="replace").splitlines()
    first_line = next((ln for ln in head if ln.strip()), "")
    first = next(csv.reader([first_line], delimiter=delim, quotechar='"'), [])
    ncols = max(len(first), mode, 1)
    names = [f"c{i}" for i in range(ncols)]
    invalid: list[tuple[int | None, str, int]] = []

    def handler(row) -> str:
        invalid.append((row.number, row.text, row.actual_columns))
        return "skip"

    def parse(threads: bool) -> pa.Table:
        return pacsv.read_csv(
            pa.BufferReader(payload),  # zero-copy view of the bytes
            read_options=pacsv.ReadOptions(
                column_names=names, use_threads=threads, block_size=8 << 20
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delim,
                quote_char='"',
                double_quote=True,
                newlines_in_values=True,
                ignore_empty_lines=True,
                invalid_row_handler=handler,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )

    try:
        tbl = parse(True)
        if invalid:
            invalid.clear()
            tbl = parse(False)
    except pa.ArrowInvalid as exc:
        _refuse_unclosed_quote(payload)
        msg = str(exc)
        if "utf8" in msg.lower():
            raise _NotUtf8(msg) from None
        raise InputFileError(
            _("The file cannot be split into columns: {error}", error=msg)
        ) from None
    n = tbl.num_rows
    # line numbers of the kept records. Usually record k starts on line k (header = 1); with
    # blank lines or line breaks inside quoted values, the physical start lines are computed.
    total_records = n + len(invalid)
    lines = _physical_lines(payload)
    if lines != total_records:
        # a quote left open swallows the lines after it into one value: only then can lines
        # and records differ, so the (slower) quote scan runs only then
        _refuse_unclosed_quote(payload)
    if n == 0:
        raise InputFileError(_("The file has no rows that can be read."))
    starts = _record_start_lines(payload, total_records, lines)
    bad_numbers = {int(num) for num, _, _ in invalid if num is not None}
    all_numbers = starts
    if bad_numbers:
        all_numbers = starts[~np.isin(starts, np.fromiter(bad_numbers, np.int64))][:n]
    line_no = all_numbers
    # one column at a time, each dropped from the parsed table once copied into one chunk,
    # so the copy never holds a second whole table (10 M lines: ~1.5 GB less at the peak)
    columns: dict[str, pd.arrays.ArrowStringArray] = {}
    for name in names:
        col = tbl.column(name)
        tbl = tbl.drop_columns([name])
        columns[name] = pd.arrays.ArrowStringArray(
            col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)
        )
        del col
    df = pd.DataFrame(columns)
    del columns
    if has_header:
        header = [str(v) for v in df.iloc[0].tolist()]
        df = df.iloc[1:].reset_index(drop=True)
        line_no = line_no[1:]
        if len(df) == 0:
            raise InputFileError(
                _(
                    "The file has column names ({columns}) but no data rows. "
                    "Export a period that has orders.",
                    columns=", ".join(h for h in header[:12] if h),
                )
            )
    else:
        header = [f"column_{i + 1}" for i in range(ncols)]
    header = _check_header(header)
    df.columns = header
    df = _drop_trailing_blank_columns(df)
    malformed = pd.DataFrame(
        {
            "line_no": pd.array([num if num is not None else -1 for num, _, _ in invalid], "int64"),
            "reason": [MALFORMED_REASONS[0].format(n=cnt, width=ncols) for _, _, cnt in invalid],
            "text": [t for _, t, _ in invalid],
        }
    )
    _check_malformed(malformed, n + len(invalid))
    return RawTable(
        data=df,
        line_no=np.asarray(line_no, dtype=np.int64),
        format="csv" if delim == "," else "text",
        encoding=encoding,
        delimiter=delim,
        has_header=has_header,
        compression=compression,
        malformed=malformed,
        notes=tuple(notes),
    )


def _physical_lines(payload: bytes) -> int:
    nl = b"\n" if b"\n" in payload else b"\r"
    return payload.count(nl) + (0 if payload.endswith(nl) else 1)


def _record_start_lines(payload: bytes, records: int, lines: int) -> np.ndarray:
    """Physical line (1-based) on which each non-empty record starts (``lines``: the
    payload's number of physical lines)."""
    if lines == records:
        return np.arange(1, records + 1, dtype=np.int64)
    text = payload.decode("utf-8", errors="replace")
    out: list[int] = []
    in_quote = False
    for i, line in enumerate(text.splitlines(), start=1):
        if not in_quote and line.strip():
            out.append(i)
        if line.count('"') % 2:
            in_quote = not in_quote
    if len(out) < records:  # should not happen; fall back to record numbers
        return np.arange(1, records + 1, dtype=np.int64)
    return np.asarray(out[:records], dtype=np.int64)


def _check_malformed(malformed: pd.DataFrame, total: int) -> None:
    if len(malformed) and len(malformed) > max(5, MAX_MALFORMED_SHARE * total):
        where = ", ".join(f"{int(x):,}" for x in malformed["line_no"].head(8))
        raise InputFileError(
            _(
                "{n} of {total} lines have a different number of fields than the header "
                "(lines {where} ...). The delimiter or quoting is probably wrong: export the "
                "file again as CSV, or fix those lines.",
                n=f"{len(malformed):,}",
                total=f"{total:,}",
                where=where,
            )
        )


def _drop_trailing_blank_columns(df: pd.DataFrame) -> pd.DataFrame:
    drop = [
        c
        for c in df.columns
        if c.startswith("column_") and not (df[c].str.strip().str.len() > 0).any()
    ]
    return df.drop(columns=drop) if drop else df


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
        listed = _("; ").join(
            _("{name} in columns {positions}", name=repr(name), positions=", ".join(map(str, pos)))
            for name, pos in dups.items()
        )
        raise InputFileError(
            _(
                "Some column names appear more than once: {names}. Rename them so every "
                "column has its own name, then upload again.",
                names=listed,
            )
        )
    return clean


def _from_rows(
    rows: list[list[str]],
    line_nos: np.ndarray,
    *,
    fmt: str,
    notes: list[str],
    compression: str | None,
    encoding: str | None = None,
    delimiter: str | None = None,
    malformed: pd.DataFrame | None = None,
) -> RawTable:
    has_header = _detect_header(rows)
    width = len(rows[0])
    if has_header:
        header = _check_header(rows[0])
        body, line_nos = rows[1:], line_nos[1:]
        if not body:
            raise InputFileError(
                _(
                    "The file has column names ({columns}) but no data rows. "
                    "Export a period that has orders.",
                    columns=", ".join(h for h in header[:12]),
                )
            )
    else:
        header = [f"column_{i + 1}" for i in range(width)]
        body = rows
    cols = list(zip(*body, strict=True)) if body else [()] * width
    df = pd.DataFrame(
        {h: pd.array(list(c), dtype=STRING_DTYPE) for h, c in zip(header, cols, strict=True)}
    )
    return RawTable(
        data=df,
        line_no=np.asarray(line_nos, dtype=np.int64),
        format=fmt,
        encoding=encoding,
        delimiter=delimiter,
        has_header=has_header,
        compression=compression,
        malformed=malformed
        if malformed is not None
        else pd.DataFrame({"line_no": [], "reason": [], "text": []}),
        notes=tuple(notes),
    )


def _read_whitespace(
    text: str, encoding: str, has_header: bool, notes: list[str], compression: str | None
) -> RawTable:
    rows: list[list[str]] = []
    nos: list[int] = []
    for i, line in enumerate(text.splitlines(), start=1):
        parts = line.split()
        if parts:
            rows.append(parts)
            nos.append(i)
    counts = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
    values, freq = np.unique(counts[1:] if len(counts) > 1 else counts, return_counts=True)
    width = int(values[np.argmax(freq)])
    if has_header and len(rows[0]) != width:
        rows[0] = (rows[0] + [""] * width)[:width]
        counts[0] = width
    bad = np.flatnonzero(counts != width)
    malformed = pd.DataFrame(
        {
            "line_no": pd.array([nos[i] for i in bad], "int64"),
            "reason": [MALFORMED_REASONS[1].format(n=counts[i], width=width) for i in bad],
            "text": [" ".join(rows[i]) for i in bad],
        }
    )
    _check_malformed(malformed, len(rows))
    if len(bad):
        keep = set(range(len(rows))) - set(bad.tolist())
        rows = [rows[i] for i in sorted(keep)]
        nos = [nos[i] for i in sorted(keep)]
    return _from_rows(
        rows,
        np.asarray(nos, dtype=np.int64),
        fmt="text",
        notes=notes,
        compression=compression,
        encoding=encoding,
        delimiter=" ",
        malformed=malformed,
    )


def _read_basket_list(
    text: str, encoding: str, notes: list[str], compression: str | None
) -> RawTable:
    baskets: list[str] = []
    items: list[str] = []
    nos: list[int] = []
    for i, row in enumerate(csv.reader(text.splitlines(), delimiter=",", quotechar='"'), start=1):
        for item in row:
            if item.strip():
                baskets.append(str(i))
                items.append(item)
                nos.append(i)
    df = pd.DataFrame(
        {
            "basket": pd.array(baskets, dtype=STRING_DTYPE),
            "item": pd.array(items, dtype=STRING_DTYPE),
        }
    )
    return RawTable(
        data=df,
        line_no=np.asarray(nos, dtype=np.int64),
        format="csv",
        encoding=encoding,
        delimiter=",",
        has_header=False,
        layout="basket_list",
        compression=compression,
        notes=(
            *notes,
            "Lines hold different numbers of comma-separated items and no header: read as a "
            "basket list (one basket per line, one row per item, basket = line number).",
        ),
    )
