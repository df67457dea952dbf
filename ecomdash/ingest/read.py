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

import gzip
import io
import zipfile
import zlib
from pathlib import PurePath

try:  # ISA-L inflates gzip about twice as fast as zlib; same API
    from isal import isal_zlib as _inflate
except ImportError:  # pragma: no cover - isal is a dependency; zlib is the fallback
    _inflate = zlib

from ecomdash.errors import InputFileError
from ecomdash.i18n import N_
from ecomdash.i18n.note import Quoted, note
from ecomdash.ingest.read_sheets import _read_parquet, _read_xlsx, _xlsx_calamine, _xlsx_openpyxl
from ecomdash.ingest.read_stream import read_gzip_text
from ecomdash.ingest.read_text import _read_text
from ecomdash.ingest.table import (
    DEFAULT_MAX_BYTES,
    MALFORMED_REASONS,
    MAX_RATIO,
    RATIO_FLOOR,
    UNCOMPRESSED_FACTOR,
    NoSheetDataError,
    RawTable,
    SheetChoiceError,
    _check_size,
    _mb,
)

# the readers live in read_text (delimited text), read_sheets (xlsx, Parquet) and table (the
# RawTable and shared checks); these names are imported from here across the code base
__all__ = [
    "DEFAULT_MAX_BYTES",
    "MALFORMED_REASONS",
    "NoSheetDataError",
    "RawTable",
    "SheetChoiceError",
    "first_sheet_rows",
    "read_bytes",
]

_ZIP_ERRORS = (
    zipfile.BadZipFile,
    RuntimeError,
    NotImplementedError,
    zlib.error,
    EOFError,
    ValueError,
    OSError,
)


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
    ``platforms_cn.prepare``). pyarrow allocates through jemalloc from here on
    (:func:`ecomdash.ingest.pool.use_fast_pool`).
    """
    from ecomdash.ingest.platforms_cn import prepare
    from ecomdash.ingest.pool import use_fast_pool

    use_fast_pool()  # jemalloc: the big buffers' pages reused, not faulted in again
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
            note(
                N_(
                    "The file is empty: it has no bytes (or only blank space). "
                    "Export your orders again and upload the saved file."
                )
            )
        )
    notes: list[str] = []
    compression = None
    if data[:2] == b"\x1f\x8b":
        if _nested:
            raise _nested_error()
        compression = "gzip"
        # a large text file is parsed while it is inflated (read_stream); None: read it whole
        inner = ext[:-3] if ext.endswith(".gz") else ""
        streamed = read_gzip_text(data, _extension(inner) if inner else "", max_bytes)
        if streamed is not None:
            return streamed
        data = _gunzip(data, max_bytes)
        if data[:2] == b"\x1f\x8b":
            raise _nested_error()
        inner = ext[:-3] if ext.endswith(".gz") else ""
        ext = _extension(inner) if inner else ""
        if not data or data.isspace():
            raise InputFileError(
                note(N_("The compressed file is empty once unpacked. Export your orders again."))
            )
    if data[:4] == b"PK\x03\x04" or data[:4] == b"PK\x05\x06":
        zf = _open_zip(data, max_bytes)
        names = zf.namelist()
        if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
            if ext in {".csv", ".txt", ".tsv"}:
                notes.append(
                    note(
                        N_("The file is named {ext} but is an Excel workbook; read it as Excel."),
                        ext=ext,
                    )
                )
            return _read_xlsx(data, sheet=sheet, notes=notes, compression=compression)
        if _nested or compression:
            raise _nested_error()
        if "mimetype" in names and b"opendocument" in _safe_read(zf, "mimetype")[:100]:
            raise InputFileError(
                note(
                    N_(
                        "This is an OpenDocument (.ods) spreadsheet. Open it and save it as .xlsx or CSV, "
                        "then upload that."
                    )
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
                note(
                    N_(
                        "The zip archive holds no data file. Put one CSV, Excel or Parquet file in it."
                    )
                )
            )
        if len(members) > 1:
            listed = ", ".join(PurePath(m.filename).name for m in members[:10])
            raise InputFileError(
                note(
                    N_(
                        "The zip archive holds {n} files ({names}). "
                        "Upload a zip with exactly one data file, or upload the file itself."
                    ),
                    n=len(members),
                    names=listed,
                )
            )
        inner_name = PurePath(members[0].filename).name
        try:
            inner = zf.read(members[0])
        except _ZIP_ERRORS as exc:
            raise InputFileError(
                note(
                    N_(
                        "The file inside the zip cannot be unpacked ({error}). It may be encrypted "
                        "or damaged: unpack it yourself and upload the data file."
                    ),
                    error=exc,
                )
            ) from None
        result = read_bytes(inner, inner_name, sheet=sheet, max_bytes=max_bytes, _nested=True)
        return _with(
            result,
            compression="zip",
            notes=(note(N_("Read {name} from the zip."), name=Quoted(inner_name)),),
        )
    if data[:4] == b"PAR1":
        return _read_parquet(data, compression=compression)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise InputFileError(
            note(
                N_(
                    "This is an old Excel 97-2003 (.xls) workbook or a password-protected workbook, "
                    "which cannot be read here. Open it in Excel and save it (without a password) as "
                    ".xlsx or CSV, then upload that."
                )
            )
        )
    if ext in {".xlsx", ".xlsm"}:
        notes.append(
            note(
                N_("The file is named {ext} but holds plain text; read it as delimited text."),
                ext=ext,
            )
        )
    elif ext == ".parquet":
        notes.append(
            note(
                N_("The file is named {ext} but holds plain text; read it as delimited text."),
                ext=".parquet",
            )
        )
    return _read_text(data, notes=notes, compression=compression, max_bytes=max_bytes)


def first_sheet_rows(data: bytes, *, max_unpacked: int) -> list[tuple[int, list[str]]] | None:
    """The first sheet with data of an .xlsx workbook (``data``: a zip) as ``(the sheet's row
    number, its cells as text)`` rows, the rows with data only, the cells as the order upload
    reads them ("12" for a whole number, ISO dates); for a small file a merchant keeps in
    Excel beside the orders (a stock file, a promotions calendar), which is one list whatever
    other sheets hold.

    The zip's directory is checked first: unpacking to more than ``max_unpacked`` bytes in
    all, or a large member unpacking more than ``MAX_RATIO`` times its stored size, is refused
    as a compression bomb (:class:`InputFileError`), as a damaged zip or workbook is.
    :class:`NoSheetDataError` when no sheet has data; None for a zip that is not a workbook.
    """
    with _open_zip(data, 0, limit=max_unpacked) as zf:
        names = zf.namelist()
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        return None
    try:
        _names, _chosen, rows, close = _xlsx_calamine(data, None, first=True)
    except ImportError:  # pragma: no cover - calamine is a declared dependency
        _names, _chosen, rows, close = _xlsx_openpyxl(data, None, first=True)
    try:
        return list(rows)
    finally:
        close()


# ---------------------------------------------------------------------------------------------
# containers


def _safe_read(zf: zipfile.ZipFile, name: str) -> bytes:
    try:
        return zf.read(name)
    except _ZIP_ERRORS:
        return b""


def _nested_error() -> InputFileError:
    return InputFileError(
        note(
            N_(
                "The file is an archive inside another archive. Unpack it and upload the data file "
                "itself (CSV, Excel or Parquet), or a zip / .gz holding just that file."
            )
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


def _gunzip(data: bytes, max_bytes: int) -> bytes:
    limit = max_bytes * UNCOMPRESSED_FACTOR
    d = _inflate.decompressobj(wbits=31)
    try:
        out = d.decompress(data, limit + 1)
    except (zlib.error, _inflate.error) as exc:
        raise InputFileError(
            note(
                N_(
                    "The file starts like a .gz archive but cannot be unpacked ({error}). "
                    "It may be truncated: download or export it again."
                ),
                error=exc,
            )
        ) from None
    if len(out) > limit:
        raise InputFileError(
            note(
                N_(
                    "The .gz file unpacks to more than {limit} (from {size}); that is too large "
                    "or a compression bomb. Upload a smaller export."
                ),
                limit=_mb(limit),
                size=_mb(len(data)),
            )
        )
    if len(out) > RATIO_FLOOR and len(out) > MAX_RATIO * len(data):
        raise InputFileError(
            note(
                N_(
                    "The .gz file unpacks {ratio} times larger than it is; this looks like a "
                    "compression bomb and was not read."
                ),
                ratio=f"{len(out) / len(data):,.0f}",
            )
        )
    if not d.eof:
        raise InputFileError(
            note(
                N_(
                    "The .gz file is cut short: its compressed data stops before the end, so rows "
                    "would be missing. The download or export may have stopped early: get the "
                    "file again and upload the complete one."
                )
            )
        )
    if d.unused_data and d.unused_data[:2] == b"\x1f\x8b":
        # concatenated gzip members: rare; fall back to the library
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as g:
                out = g.read(limit + 1)
        except OSError as exc:
            raise InputFileError(
                note(N_("The .gz file cannot be unpacked ({error})."), error=str(exc))
            ) from None
        if len(out) > limit:
            raise InputFileError(
                note(N_("The .gz file unpacks to more than {size}."), size=_mb(limit))
            )
    return out


def _open_zip(data: bytes, max_bytes: int, *, limit: int | None = None) -> zipfile.ZipFile:
    """Open a zip after checking, from its directory, that it is not a bomb: its members
    unpack to at most ``limit`` bytes in all (``max_bytes * UNCOMPRESSED_FACTOR`` when not
    given), and none over ``RATIO_FLOOR`` unpacks more than ``MAX_RATIO`` times its size."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except _ZIP_ERRORS as exc:
        raise InputFileError(
            note(
                N_(
                    "The file looks like a zip / .xlsx archive but is damaged ({error}). "
                    "Open it in its program and save it again, or export a CSV."
                ),
                error=exc,
            )
        ) from None
    if limit is None:
        limit = max_bytes * UNCOMPRESSED_FACTOR
    total = sum(i.file_size for i in infos)
    if total > limit:
        raise InputFileError(
            note(
                N_(
                    "The archive unpacks to {size} (from {packed}); the limit is {limit}. It is "
                    "too large or a compression bomb and was not read."
                ),
                size=_mb(total),
                packed=_mb(len(data)),
                limit=_mb(limit),
            )
        )
    for i in infos:
        if i.file_size > RATIO_FLOOR and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            raise InputFileError(
                note(
                    N_(
                        "The archive member {name} unpacks {ratio} times larger than it is stored "
                        "({size}); this looks like a compression bomb and was not read."
                    ),
                    name=Quoted(PurePath(i.filename).name),
                    ratio=f"{i.file_size / max(i.compress_size, 1):,.0f}",
                    size=_mb(i.file_size),
                )
            )
    return zf


def _with(table: RawTable, *, compression: str | None, notes: tuple[str, ...]) -> RawTable:
    from dataclasses import replace

    return replace(table, compression=compression, notes=notes + table.notes)
