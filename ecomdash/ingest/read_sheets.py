"""Read Excel ``.xlsx`` workbooks and Parquet files into a :class:`~ecomdash.ingest.table.RawTable`.

Workbooks are read with python-calamine (fast, whole sheet in memory) or, past
``XLSX_STREAM_BYTES`` of sheet XML or without calamine, streamed row by row with openpyxl in
chunks of ``XLSX_CHUNK_ROWS``. A workbook with several sheets holding data needs ``sheet=``
(:class:`~ecomdash.ingest.table.SheetChoiceError` names them).
"""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pandas as pd
import pyarrow as pa

from ecomdash.errors import InputFileError
from ecomdash.i18n import N_
from ecomdash.i18n.note import Quoted, note, note_n, quoted
from ecomdash.ingest.table import (
    STRING_DTYPE,
    NoSheetDataError,
    RawTable,
    SheetChoiceError,
    _cell_text,
    _check_header,
    _detect_header,
)

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
            note(
                N_("The sheet {sheet} is empty. Choose the sheet with the orders."),
                sheet=Quoted(chosen),
            )
        )
    # title rows above the table ("Orders report 2024"): far fewer cells than the table
    filled = [sum(1 for c in row if c.strip()) for _, row in head[:30]]
    start = next(i for i, k in enumerate(filled) if k >= 0.5 * max(filled))
    if start and len(head) > start + 1:
        notes.append(
            note_n(
                "Skipped {n} title row above the table.",
                "Skipped {n} title rows above the table.",
                start,
            )
        )
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
                note(
                    N_(
                        "The file has column names ({columns}) but no data rows. "
                        "Export a period that has orders."
                    ),
                    columns=tuple(h for h in header[:12]),  # a, b / 甲、乙
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


def _choose_sheet(
    names: tuple[str, ...], sheet: str | None, has_data, *, first: bool = False
) -> str:
    """The sheet to read: ``sheet`` when given, else the one sheet with data; ``first``: the
    first sheet with data even when more have some (a small file is one list), the others
    not looked into. :class:`NoSheetDataError` when no sheet has data."""
    if sheet is not None:
        if sheet not in names:
            raise SheetChoiceError(
                note(
                    N_(
                        "The workbook has no sheet named {sheet}. Its sheets are: {sheets}. "
                        "Choose one of these."
                    ),
                    sheet=Quoted(sheet),
                    sheets=quoted(names),
                ),
                names,
            )
        return sheet
    if first:
        found = next((n for n in names if has_data(n)), None)
        with_data = [] if found is None else [found]
    else:
        with_data = [n for n in names if has_data(n)]
    if not with_data:
        raise NoSheetDataError(
            note(
                N_(
                    "The Excel workbook has no data in any sheet ({sheets}). Check you exported "
                    "the orders."
                ),
                sheets=quoted(names),
            )
        )
    if len(with_data) > 1:
        raise SheetChoiceError(
            note(
                N_(
                    "The workbook has {n} sheets with data: {sheets}. Choose the sheet that holds "
                    "the order lines."
                ),
                n=len(with_data),
                sheets=quoted(with_data),
            ),
            tuple(with_data),
        )
    return with_data[0]


def _sheet_xml_bytes(data: bytes) -> int:
    """Uncompressed size of the workbook's worksheet XML (from the zip directory: no inflating)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return sum(i.file_size for i in zf.infolist() if i.filename.startswith("xl/worksheets/"))


def _xlsx_calamine(data: bytes, sheet: str | None, *, first: bool = False):
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except (CalamineError, ValueError, OSError) as exc:
        raise InputFileError(
            note(
                N_(
                    "The Excel workbook cannot be opened ({error}). Open it in Excel, save it "
                    "again as .xlsx, or export a CSV."
                ),
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
            note(
                N_(
                    "The Excel workbook cannot be read ({error}). It may be damaged or use "
                    "features that cannot be read safely (such as XML entities). Open it in "
                    "Excel, save it again as .xlsx, or export a CSV."
                ),
                error=f"{type(exc).__name__}: {exc}",
            )
        )

    try:
        names = tuple(wb.sheet_names)
        chosen = _choose_sheet(names, sheet, has_data, first=first)
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


def _xlsx_openpyxl(data: bytes, sheet: str | None, *, first: bool = False):
    import openpyxl

    try:
        import defusedxml  # noqa: F401  (openpyxl uses it when installed: no entity expansion)
    except ImportError:  # pragma: no cover - declared dependency
        raise InputFileError(
            note(N_("Excel files cannot be read safely here (defusedxml missing)."))
        ) from None
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types on damaged files
        raise InputFileError(
            note(
                N_(
                    "The Excel workbook cannot be opened ({error}). Open it in Excel, save it "
                    "again as .xlsx, or export a CSV."
                ),
                error=f"{type(exc).__name__}: {exc}",
            )
        ) from None
    try:
        names = tuple(wb.sheetnames)
        chosen = _choose_sheet(names, sheet, lambda n: _sheet_has_data(wb[n]), first=first)
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
            note(
                N_("The Parquet file cannot be read ({error}). Export it again."),
                error=f"{type(exc).__name__}: {exc}",
            )
        ) from None
    if tbl.num_rows == 0:
        raise InputFileError(
            note(
                N_(
                    "The Parquet file has columns ({columns}) but no rows. Export a period with "
                    "orders."
                ),
                columns=", ".join(names[:10]),
            )
        )
    names = _check_header(names)
    try:
        cols = _parquet_columns(tbl, names)
    except (pa.ArrowException, UnicodeDecodeError, ValueError, TypeError) as exc:
        raise InputFileError(
            note(
                N_("The Parquet file holds values that cannot be read ({error}). Export it again."),
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
