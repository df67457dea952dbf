"""A merchant's stock file: reading it and matching its ids to the sales data's products.

The restock planner (:func:`ecomdash.inventory.plan_restock`) and Pricing's markdowns read
units on hand from a CSV or Excel workbook a shop or ERP exports (or the planner's own
download, filled in): :func:`read_stock` finds the id and units columns whatever their names
(English or Chinese), delimiter, encoding and number style, and says which lines are wrong;
:func:`match_stock` keys the units by the sales data's product ids and says which ids it
matched loosely or left out; :func:`stock_not_priced` names the ids Pricing has no product for
(:func:`ecomdash.inventory.stock_not_planned` does the same for the restock plan).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import pandas as pd

from ecomdash.errors import InputFileError
from ecomdash.i18n import N_
from ecomdash.i18n.note import note, note_n
from ecomdash.ingest.read_text import decode_sample

#: The largest small file a merchant gives beside the orders (a stock file, a promotions
#: calendar: :func:`read_small_csv`), CSV or Excel: 5 MB of 2**20 bytes, the MB the uploaders'
#: line and Streamlit's upload limit count in (``ecomdash.ui.uploader.limit_mb``)
MAX_SMALL_FILE_BYTES = 5 * 2**20

#: a stock file's column names, matched after strip/lower: English, the Chinese an export from
#: a Chinese shop or ERP uses, and the planner's own table headers in both languages (its
#: download, filled in and uploaded again)
_ID_NAMES = (
    "product_id",
    "product id",
    "sku",
    "stockcode",
    "stock code",
    "item",
    "product",
    "id",
    "商品 id",
    "商品id",
    "商品编码",
    "商品编号",
    "商家编码",
    "货号",
    "sku编码",
    "编码",
)
_QTY_NAMES = (
    "on_hand",
    "on hand",
    "units on hand",
    "stock",
    "in stock",
    "inventory",
    "qty",
    "quantity",
    "units",
    "现有库存（件）",
    "现有库存(件)",
    "现有库存",
    "库存",
    "库存数量",
    "可用库存",
    "库存数",
    "数量",
    "件数",
)
#: cells a stock file leaves for "not known": the product has no stock level (not an error)
_BLANKS = frozenset({"", "n/a", "na", "-", "—", "none", "null", "nan"})
#: thousands grouped with dots ("1.234", "12.345,0": a European Excel) or commas ("1,234")
_GROUPED_DOTS = r"^[+-]?\d{1,3}(?:\.\d{3})+(?:,\d*)?$"
_GROUPED_COMMAS = r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$"


#: how many of a stock file's ids a note names (the rest are counted)
NAMED_IDS = 3


def named_ids(ids: list[str]) -> tuple[str, ...]:
    return tuple(ids[:NAMED_IDS]) + (("…",) if len(ids) > NAMED_IDS else ())


@dataclass(frozen=True)
class StockMatch:
    """A stock file's units on hand keyed by the sales data's product ids
    (:func:`match_stock`): ``stock``; ``notes``: the ids matched only when case and
    surrounding spaces are ignored (good to know); ``warnings``: the ids left out because
    which product they mean is not known."""

    stock: pd.Series
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


def id_key(x) -> str:
    """A product id as a merchant's own file is matched to the sales data's ids: surrounding
    spaces and case aside (" tex-271 " is TEX-271). One rule for every file a merchant brings:
    the stock file here and Pricing's promotion events
    (:func:`ecomdash.pricing.promotions.match_events`)."""
    return str(x).strip().casefold()


def match_stock(stock: pd.Series, product_ids) -> StockMatch:
    """Key a stock file's units on hand (``stock``, by the file's ids) by the sales data's
    product ids (``product_ids``: every product with sales, ``RestockResult.classes.index``).

    An id the sales data has is kept. Another is matched to the product id it equals when
    case and surrounding spaces are ignored (``tex-271`` → ``TEX-271``: a stock file typed
    by hand or exported from another system) when that is unambiguous, and the match is said
    (``notes``). It is left out, and said (``warnings``), when it equals two or more product
    ids that differ only in case (``Mug-1`` and ``MUG-1`` sell as two products: which one is
    meant is not known), or when the file already has a row for that product (``TEX-271``
    and ``tex-271`` both in the file: its own id wins; two rows without it: neither is
    chosen). Ids that match nothing stay as they are (:func:`stock_not_planned` names them).

    >>> m = match_stock(pd.Series({"tex-271": 5.0, "B": 1.0}), ["TEX-271", "A"])
    >>> m.stock.to_dict()
    {'TEX-271': 5.0, 'B': 1.0}
    >>> print(*m.notes)  # doctest: +NORMALIZE_WHITESPACE
    1 id in your stock file is written differently from the sales data's product code (case
    or spaces) and was matched to it: tex-271 → TEX-271.
    """
    ids = [str(i) for i in stock.index]
    known = {str(p) for p in product_ids}
    by_key: dict[str, list[str]] = {}
    for p in sorted(known):
        by_key.setdefault(id_key(p), []).append(p)
    # the file's rows per product they would match ignoring case: its own id counts first
    claims: dict[str, list[str]] = {}
    for i in ids:
        if i in known:
            claims.setdefault(i, []).append(i)
        elif len(by_key.get(id_key(i), ())) == 1:
            claims.setdefault(by_key[id_key(i)][0], []).append(i)
    target: dict[str, str] = {}
    matched, several, twice = [], [], []
    for i in ids:
        if i in known:
            target[i] = i
            continue
        cands = by_key.get(id_key(i), [])
        if not cands:
            target[i] = i  # no product of that name: stock_not_planned says so
        elif len(cands) > 1:
            several.append(f"{i} ({' / '.join(cands)})")
        elif len(claims[cands[0]]) > 1:
            others = [o for o in claims[cands[0]] if o != i]
            twice.append(f"{i} ({' / '.join(others)})")
        else:
            target[i] = cands[0]
            matched.append(f"{i} → {cands[0]}")
    kept = [i for i in ids if i in target]
    first: dict[str, int] = {}  # each id's first row (a dict: ids.index per id was quadratic)
    for k, i in enumerate(ids):
        first.setdefault(i, k)
    out = pd.Series(
        stock.to_numpy()[[first[i] for i in kept]],
        index=pd.Index([target[i] for i in kept], name=stock.index.name),
        name=stock.name,
        dtype=float,
    )
    notes, warnings = [], []
    if matched:
        notes.append(
            note_n(
                "{n} id in your stock file is written differently from the sales data's "
                "product code (case or spaces) and was matched to it: {ids}.",
                "{n} ids in your stock file are written differently from the sales data's "
                "product codes (case or spaces) and were matched to them: {ids}.",
                len(matched),
                n=f"{len(matched):,}",
                ids=named_ids(matched),
            )
        )
    if several:
        warnings.append(
            note_n(
                "{n} id in your stock file matches several product codes of the sales data "
                "that differ only in case: {ids} — it was left out; write it exactly as the "
                "sales data does.",
                "{n} ids in your stock file match several product codes of the sales data "
                "that differ only in case: {ids} — they were left out; write each exactly as "
                "the sales data does.",
                len(several),
                n=f"{len(several):,}",
                ids=named_ids(several),
            )
        )
    if twice:
        warnings.append(
            note_n(
                "{n} id in your stock file differs only in case from another row of the file "
                "for the same product: {ids} — it was left out; keep one row per product.",
                "{n} ids in your stock file differ only in case from other rows of the file "
                "for the same product: {ids} — they were left out; keep one row per product.",
                len(twice),
                n=f"{len(twice):,}",
                ids=named_ids(twice),
            )
        )
    return StockMatch(out, tuple(notes), tuple(warnings))


def stock_not_priced(stock: pd.Series, priced) -> tuple[str, ...]:
    """A note on a stock file's ids that Pricing's markdowns have no product for (``priced``:
    the weekly price panel's products), ignored in silence before; as :func:`stock_not_planned`.

    >>> [str(n) for n in stock_not_priced(pd.Series({"A": 1.0, "a-1": 3.0}), ["A", "B"])]
    ... # doctest: +NORMALIZE_WHITESPACE
    ["1 product in your stock file has no sales in the weeks priced here (the period and
    filters): a-1 — if it sells, check that the ids match the sales data's product codes."]
    """
    known = set(map(str, priced))
    unknown = [str(i) for i in stock.index if str(i) not in known]
    if not unknown:
        return ()
    return (
        note_n(
            "{n} product in your stock file has no sales in the weeks priced here (the period "
            "and filters): {ids} — if it sells, check that the ids match the sales data's "
            "product codes.",
            "{n} products in your stock file have no sales in the weeks priced here (the "
            "period and filters): {ids} — if they sell, check that the ids match the sales "
            "data's product codes.",
            len(unknown),
            n=f"{len(unknown):,}",
            ids=named_ids(unknown),
        ),
    )


#: the first bytes of a zip (an .xlsx workbook is one) and of an old Excel 97-2003 (.xls) or
#: password-protected workbook (an OLE file), as the order upload detects them
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def read_small_csv(
    data: bytes,
    *,
    max_bytes: int,
    too_big: str,
    empty: str,
    unreadable: str,
    old_workbook: str | None = None,
) -> tuple[pd.DataFrame, str]:
    """A small file a merchant gives beside the orders (stock levels, promotions run) as text
    columns, and its separator (the header's commonest of , ; tab; ``","`` for a workbook).

    A CSV is decoded as the order files are: Excel's "Unicode text" is UTF-16 with tabs, a
    Chinese Excel saves its CSV in GBK (latin-1 read 商品编码 as "ÉÌÆ·±àÂë", a column never
    found; UTF-8 alone raised). An Excel workbook (.xlsx: a zip, known by its bytes, whatever
    the file's name) is read from its first sheet with data (:func:`_read_workbook`), its
    columns named as the same sheet saved as CSV names them (:func:`_csv_table`).
    Refused, with the message ids given: over ``max_bytes`` (``too_big``, its ``{size}`` and
    ``{limit}`` in bytes), blank or a workbook without data (``empty``), not a CSV table
    (``unreadable``), an old Excel 97-2003 (.xls) or password-protected workbook
    (``old_workbook``, else ``unreadable``); a damaged workbook, or one that unpacks to more
    than :data:`WORKBOOK_UNPACKED_FACTOR` times ``max_bytes``, with the sheet reader's message
    (save it again as .xlsx, or export a CSV)."""
    if len(data) > max_bytes:
        raise InputFileError(note(too_big, size=f"{len(data):,}", limit=f"{max_bytes:,}"))
    if not data.strip():
        raise InputFileError(note(empty))
    if data.startswith(_ZIP_MAGIC):
        sheet = _read_workbook(data, max_bytes, empty=empty, unreadable=unreadable)
        if sheet is not None:  # else a zip of something else: not a CSV table either
            return sheet, ","
    if data.startswith(_OLE_MAGIC):
        raise InputFileError(note(old_workbook or unreadable))
    text = decode_sample(data)[1]
    first = text.split("\n", 1)[0]
    sep = max((",", ";", "\t"), key=first.count)
    return _csv_table(text, sep, unreadable=unreadable), sep


def _csv_table(text: str, sep: str, *, unreadable: str) -> pd.DataFrame:
    """A small file's text (a CSV's, or a workbook's sheet written as CSV) as text columns:
    the first line the header, a blank or repeated name as pandas names it (``Unnamed: 2``,
    ``Stock.1``); trailing columns with neither a name nor a value are dropped (formatting
    beyond the table, which a spreadsheet's CSV writes as separators at the ends of the
    lines). ``unreadable`` when it is not a CSV table. The one rule of both kinds of file."""
    try:
        df = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, csv.Error, ValueError) as exc:
        raise InputFileError(note(unreadable)) from exc
    width = len(df.columns)
    while (
        width > 1
        and df.columns[width - 1] == f"Unnamed: {width - 1}"
        and not df.iloc[:, width - 1].str.strip().any()
    ):
        width -= 1
    return df.iloc[:, :width]


#: how many times its size limit a small file's workbook may unpack to (its zip's members in
#: all; the order upload's is ``UNCOMPRESSED_FACTOR``, 5): a workbook's XML compresses about
#: 10 times (a 4.8 MB workbook of 215,000 stock rows unpacks to 52 MB), so 5 times the 5 MB
#: limit refused it; a bomb still is (100 times its size in one member, or past this)
WORKBOOK_UNPACKED_FACTOR = 25


def _read_workbook(
    data: bytes, max_bytes: int, *, empty: str, unreadable: str
) -> pd.DataFrame | None:
    """An .xlsx workbook's first sheet with data as text columns, read by the order upload's
    sheet reader (:func:`ecomdash.ingest.read.first_sheet_rows`: its zip checked for a
    compression bomb, unpacking to at most :data:`WORKBOOK_UNPACKED_FACTOR` times
    ``max_bytes``; cells as the cleaner reads them, "12" for a whole number, ISO dates),
    written as CSV, each row as wide as the widest as a spreadsheet saves it, and read as a
    CSV is (:func:`_csv_table`); its rows indexed as a CSV's lines (the sheet's row number
    less 2), so a line named in a message is the sheet's row. None for a zip that is not a
    workbook. A damaged workbook gets the reader's message (open it in Excel, save it again
    as .xlsx, or export a CSV); one without data ``empty``."""
    from ecomdash.ingest.read import NoSheetDataError, first_sheet_rows

    try:
        rows = first_sheet_rows(data, max_unpacked=max_bytes * WORKBOOK_UNPACKED_FACTOR)
    except NoSheetDataError:
        raise InputFileError(note(empty)) from None
    if rows is None:
        return None
    width = max(len(cells) for _n, cells in rows)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for _n, cells in rows:
        writer.writerow(cells + [""] * (width - len(cells)))
    df = _csv_table(out.getvalue(), ",", unreadable=unreadable)
    if len(df) != len(rows) - 1:  # pragma: no cover - one CSV line per row written
        raise InputFileError(note(unreadable))
    # indexed as a CSV's rows are (its line number less 2: the header is line 1) from the
    # sheet's row numbers, so "Line 4 of the stock file …" is the sheet's row 4
    df.index = pd.Index([n - 2 for n, _cells in rows[1:]])
    return df


def read_stock(data: bytes) -> pd.Series:
    """Stock levels from a CSV file or an Excel workbook (.xlsx, its first sheet with data): a
    product id column and a units-on-hand column.

    Column names are matched loosely (``sku``, ``stock code``, ``product_id`` / ``stock``,
    ``on_hand``, ``qty`` ...). Returns units on hand indexed by product_id (duplicates summed).

    >>> read_stock(b"SKU,Stock\\nA1,5\\nB2,7\\n").to_dict()
    {'A1': 5.0, 'B2': 7.0}
    """
    df, sep = read_small_csv(
        data,
        max_bytes=MAX_SMALL_FILE_BYTES,
        too_big=N_(
            "The stock file is {size} bytes; the limit is {limit}. Upload only the "
            "product id and stock columns."
        ),
        empty=N_("The stock file is empty. Upload a CSV or Excel file with product id and stock."),
        unreadable=N_(
            "The stock file could not be read as a CSV table (a quote left open, or a "
            "line with more columns than the header). Save it as CSV with a header row: "
            "product id, units on hand."
        ),
        old_workbook=N_(
            "The stock file is an old Excel 97-2003 (.xls) workbook or a password-protected "
            "one, which cannot be read here. Open it in Excel and save it (without a "
            "password) as .xlsx or CSV, then upload that."
        ),
    )
    cols = {str(c).strip().lower(): c for c in df.columns}
    id_col = next((cols[n] for n in _ID_NAMES if n in cols), None)
    qty_col = next((cols[n] for n in _QTY_NAMES if n in cols), None)
    if id_col is None or qty_col is None:
        raise InputFileError(
            note(
                N_(
                    "The stock file needs a product id column (product_id, SKU, stock code) and "
                    "a stock column (on_hand, stock, qty). Found columns: {columns}."
                ),
                columns=tuple(map(str, df.columns)),
            )
        )
    # the planner's own download has a second header row of raw column ids: not a product
    df = df[~((df[id_col].str.strip() == "product_id") & (df[qty_col].str.strip() == "on_hand"))]
    ids = df[id_col].str.strip()
    raw = df[qty_col].str.strip()
    qty = stock_numbers(raw, sep=sep)
    bad = int(qty.isna().sum())
    if bad == len(df):
        raise InputFileError(
            note_n(
                "No stock value in column '{column}' is a number ({n} row). Enter whole "
                "units, e.g. 12.",
                "No stock value in column '{column}' is a number ({n} rows). Enter whole "
                "units, e.g. 12.",
                bad,
                column=str(qty_col),
            )
        )
    # text or a negative count in a row: said with the file's line numbers (the header is
    # line 1), not dropped in silence (that product then read "no stock level entered")
    wrong = (qty.isna() & ~raw.str.lower().isin(_BLANKS)) | (qty < 0)
    if wrong.any():
        where = [str(int(i) + 2) for i in wrong.index[wrong]]
        raise InputFileError(
            note_n(
                "Line {lines} of the stock file has text or a negative number in column "
                "'{column}'. Enter units on hand as 0 or more (e.g. 12), or leave the cell "
                "empty for a product whose stock you do not know, and upload the file again.",
                "Lines {lines} of the stock file have text or a negative number in column "
                "'{column}'. Enter units on hand as 0 or more (e.g. 12), or leave the cell "
                "empty for a product whose stock you do not know, and upload the file again.",
                len(where),
                lines=tuple(where[:5]) + (("…",) if len(where) > 5 else ()),
                column=str(qty_col),
            )
        )
    # stock is counted in whole units: "1,5" (a decimal comma) is one and a half, never 15
    # (it was read as 15), and a fraction is said with its line, not rounded away
    part = qty.notna() & ((qty % 1).abs() > 1e-9)
    if part.any():
        where = [str(int(i) + 2) for i in part.index[part]]
        raise InputFileError(
            note_n(
                "Line {lines} of the stock file has a number of units that is not whole in "
                "column '{column}' ({values}). Stock is counted in whole units: enter e.g. 12 "
                "(in a file separated by semicolons a comma is the decimal mark, so 1,5 is one "
                "and a half), and upload the file again.",
                "Lines {lines} of the stock file have numbers of units that are not whole in "
                "column '{column}' ({values}). Stock is counted in whole units: enter e.g. 12 "
                "(in a file separated by semicolons a comma is the decimal mark, so 1,5 is one "
                "and a half), and upload the file again.",
                len(where),
                lines=tuple(where[:5]) + (("…",) if len(where) > 5 else ()),
                values=tuple(raw[part].head(5)) + (("…",) if len(where) > 5 else ()),
                column=str(qty_col),
            )
        )
    ok = qty.notna() & (ids != "")
    return qty[ok].groupby(ids[ok]).sum().astype(float).rename("on_hand")


def stock_numbers(raw: pd.Series, *, sep: str = ",") -> pd.Series:
    """A stock file's cells as numbers (NaN where a cell is not one), read as the file's
    spreadsheet wrote them.

    A file separated by semicolons is a European Excel's CSV: its decimal mark is the comma
    and dots group thousands (``1,5`` is 1.5, ``1.234`` is 1234). Otherwise commas group
    thousands (``1,200`` is 1200) and a comma that groups nothing is a decimal comma
    (``1,5`` is 1.5, never 15). Spaces and apostrophes group thousands in both.

    >>> stock_numbers(pd.Series(["1,5", "1.234", "12,00", "7"]), sep=";").tolist()
    [1.5, 1234.0, 12.0, 7.0]
    >>> stock_numbers(pd.Series(["1,200", "1,5", "3.0", "1 200"]), sep=",").tolist()
    [1200.0, 1.5, 3.0, 1200.0]
    """
    s = raw.astype(str).str.replace(r"[\s\u00a0\u202f']", "", regex=True)
    if sep == ";":
        grouped = s.str.match(_GROUPED_DOTS)
        s = s.where(~grouped, s.str.replace(".", "", regex=False))
    else:
        grouped = s.str.match(_GROUPED_COMMAS)
        s = s.where(~grouped, s.str.replace(",", "", regex=False))
    # a comma left is a decimal mark (one only, and no dot beside it)
    decimal = s.str.fullmatch(r"[+-]?\d*,\d+")
    s = s.where(~decimal, s.str.replace(",", ".", regex=False))
    return pd.to_numeric(s, errors="coerce")
