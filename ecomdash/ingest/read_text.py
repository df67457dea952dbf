"""Read delimited text (CSV / TSV / semicolon / pipe / whitespace) and basket lists.

The encoding is decoded from a sample (UTF-8 with or without BOM, UTF-16, GB18030/GBK,
cp1252), the delimiter sniffed, the header detected; the body is parsed with pyarrow's CSV
reader. Malformed lines are counted and dropped up to ``MAX_MALFORMED_SHARE`` of the file;
HTML/XML and an unclosed quote are refused with a clear :class:`~ecomdash.errors.InputFileError`.
"""

from __future__ import annotations

import csv
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from ecomdash.errors import InputFileError
from ecomdash.i18n import N_
from ecomdash.i18n.note import note, note_n
from ecomdash.ingest.table import (
    DELIMITERS,
    MALFORMED_REASONS,
    MAX_MALFORMED_SHARE,
    STRING_DTYPE,
    RawTable,
    _check_header,
    _detect_header,
    _is_numberlike,
)

if TYPE_CHECKING:
    from ecomdash.ingest.read_stream import GzipText

_SAMPLE_BYTES = 128 * 1024


class _NotUtf8(Exception):
    """Internal: the sampled encoding (UTF-8) failed further into the file."""


class _Fallback(Exception):
    """Internal: a file read while it is inflated (``read_stream``) needs the plain route."""


# ---------------------------------------------------------------------------------------------
# text


def decode_sample(data: bytes) -> tuple[str, str]:
    """``(encoding, text)`` of ``data``: a whole file's bytes or the first part of them.

    The same bytes always give the same answer (no statistical detector): a UTF-8 byte-order
    mark → ``utf-8-sig``; a UTF-16 one (Excel's "Unicode text") → ``utf-16``; valid UTF-8 →
    ``utf-8``; high bytes that come in pairs (a Chinese Excel's GBK CSV) → ``gb18030``; else
    ``cp1252``, then ``latin-1`` (which decodes any byte). A character cut at the end of a
    sample (the last 4 bytes) is dropped, not an error. The data readers and the restock
    planner's stock file (:func:`ecomdash.stock_file.read_stock`) decode with it, so a file
    reads the same wherever it is uploaded.

    >>> decode_sample("商品编码,库存".encode("gbk"))
    ('gb18030', '商品编码,库存')
    >>> decode_sample(b"\\xef\\xbb\\xbfSKU,Stock")
    ('utf-8-sig', 'SKU,Stock')
    """
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


def _split_lines(text: str, limit: int | None = None) -> list[str]:
    lines = text.splitlines()
    if limit is not None:
        lines = lines[:limit]
    return lines


def _read_text(
    data: bytes,
    *,
    notes: list[str],
    compression: str | None,
    max_bytes: int,
    stream: GzipText | None = None,
) -> RawTable:
    """``data``: the file's bytes; with ``stream`` (``read_stream``), only its first bytes,
    the body is parsed from ``stream``, and any route but plain UTF-8 delimited text raises
    :class:`_Fallback`."""
    sample_bytes = data[:_SAMPLE_BYTES]
    encoding, sample = decode_sample(sample_bytes)
    if _looks_binary(sample):
        raise InputFileError(
            note(
                N_(
                    "The file is not text, Excel or Parquet: it holds binary bytes. Upload the orders "
                    "export as CSV, Excel (.xlsx) or Parquet (optionally .gz or .zip compressed)."
                )
            )
        )
    _refuse_markup(sample)
    full_text: str | None = None
    if stream is not None and encoding not in ("utf-8", "utf-8-sig"):
        raise _Fallback
    if encoding not in ("utf-8", "utf-8-sig") or len(sample_bytes) < len(data):
        # decide on the whole file when it is not (so far) plain UTF-8
        if encoding not in ("utf-8", "utf-8-sig"):
            encoding, full_text = decode_sample(data)
    lines = [ln for ln in _split_lines(sample, 400) if ln.strip()]
    if len(sample_bytes) < len(data) and len(lines) > 1:
        lines = lines[:-1]  # the last sample line may be cut
    if not lines:
        raise InputFileError(note(N_("The file is empty: it has no lines with text.")))
    delim, consistency, mode = _sniff_delimiter(lines)
    title_lines = 0
    if delim != " " and mode >= 2:
        # title lines above the table ("#Alipay statement", "Account: ..."): few fields
        counts = [len(r) for r in csv.reader(lines[:30], delimiter=delim, quotechar='"')]
        skip = next((k for k, c in enumerate(counts) if c >= max(2, 0.5 * mode)), 0)
        if skip and len(lines) > skip + 1:
            if stream is not None:
                raise _Fallback
            physical = [i for i, ln in enumerate(sample.splitlines()) if ln.strip()]
            title_lines = physical[skip]
            lines = lines[skip:]
            delim, consistency, mode = _sniff_delimiter(lines)
            notes.append(
                note_n(
                    "Skipped {n} title line above the table.",
                    "Skipped {n} title lines above the table.",
                    title_lines,
                )
            )
    if delim == " ":
        rows = [ln.split() for ln in lines[:200]]
    else:
        rows = list(csv.reader(lines[:200], delimiter=delim, quotechar='"'))
    has_header = _detect_header(rows)
    body = rows[1:] if has_header else rows
    ragged = consistency < 0.9 and len(body) >= 2
    all_text = not any(_is_numberlike(c) for r in body for c in r if c.strip())
    if stream is not None and (delim == " " or ragged):
        raise _Fallback
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
        notes.append(note(N_("No delimiter found: read as a single column.")))

    def parse(payload: bytes) -> RawTable:
        table = _read_delimited(
            _drop_lines(payload, title_lines),
            encoding,
            delim,
            has_header,
            mode,
            notes,
            compression,
            stream=stream,
            skip=len(data) - len(payload),
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
        if stream is not None:
            raise _Fallback from None
        if full_text is not None:
            raise InputFileError(
                note(
                    N_(
                        "Part of the file is not valid text in any encoding tried. Save the export as "
                        "UTF-8 CSV and upload it again."
                    )
                )
            ) from None
        encoding, full_text = decode_sample(data)
        if _looks_binary(full_text):
            raise InputFileError(
                note(
                    N_(
                        "Part of the file holds binary bytes, not text. Export the orders again as CSV."
                    )
                )
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
            note(
                N_(
                    "This file is a web page (an HTML table), even if its name ends in .xls or .csv. "
                    "Open it in Excel and save it as .xlsx or CSV, then upload that."
                )
            )
        )
    if head.startswith("<?xml"):
        raise InputFileError(
            note(
                N_(
                    "This file is XML (for example an 'XML Spreadsheet 2003'), not CSV or .xlsx. "
                    "Open it in Excel and save it as .xlsx or CSV, then upload that."
                )
            )
        )
    if head.startswith(("{", "[{")):
        raise InputFileError(
            note(
                N_("This file is JSON, which is not read here. Export the orders as CSV or .xlsx.")
            )
        )


def _refuse_unclosed_quote(payload: bytes) -> None:
    bad_line = _unclosed_quote_line(payload)
    if bad_line is not None:
        raise InputFileError(
            note(
                N_(
                    "A quoted value opened on line {line} is never closed (an odd number of "
                    '" characters), so the rest of the file cannot be split into columns. Fix or '
                    "remove that line, or export the file again."
                ),
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
    *,
    stream: GzipText | None = None,
    skip: int = 0,
) -> RawTable:
    """``payload``: the text to parse; with ``stream``, its first bytes only: the body is
    parsed from a pass of ``stream`` without its first ``skip`` bytes (the BOM), and a
    malformed line, a parse error or physical lines other than the records raise
    :class:`_Fallback`."""
    # header row (read with the csv module so duplicate names are seen as written)
    head = payload[:_SAMPLE_BYTES].decode("utf-8", errors="replace").splitlines()
    first_line = next((ln for ln in head if ln.strip()), "")
    first = next(csv.reader([first_line], delimiter=delim, quotechar='"'), [])
    ncols = max(len(first), mode, 1)
    names = [f"c{i}" for i in range(ncols)]
    invalid: list[tuple[int | None, str, int]] = []

    def handler(row) -> str:
        if stream is not None:  # stop the pass here: the plain route reads the file
            return "error"
        invalid.append((row.number, row.text, row.actual_columns))
        return "skip"

    def parse(threads: bool) -> pa.Table:
        return pacsv.read_csv(
            # zero-copy view of the bytes, or the .gz inflated block by block as it is parsed
            pa.BufferReader(payload) if stream is None else stream.open(skip),
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
        if stream is not None:
            raise _Fallback from None
        _refuse_unclosed_quote(payload)
        msg = str(exc)
        if "utf8" in msg.lower():
            raise _NotUtf8(msg) from None
        raise InputFileError(
            note(N_("The file cannot be split into columns: {error}"), error=msg)
        ) from None
    n = tbl.num_rows
    # line numbers of the kept records. Usually record k starts on line k (header = 1); with
    # blank lines or line breaks inside quoted values, the physical start lines are computed.
    total_records = n + len(invalid)
    lines = _physical_lines(payload) if stream is None else stream.lines()
    if lines != total_records:
        if stream is not None:
            raise _Fallback
        # a quote left open swallows the lines after it into one value: only then can lines
        # and records differ, so the (slower) quote scan runs only then
        _refuse_unclosed_quote(payload)
    if n == 0:
        raise InputFileError(note(N_("The file has no rows that can be read.")))
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
                note(
                    N_(
                        "The file has column names ({columns}) but no data rows. "
                        "Export a period that has orders."
                    ),
                    columns=tuple(h for h in header[:12] if h),  # a, b / 甲、乙
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
            note(
                N_(
                    "{n} of {total} lines have a different number of fields than the header "
                    "(lines {where} ...). The delimiter or quoting is probably wrong: export the "
                    "file again as CSV, or fix those lines."
                ),
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
