"""What a promotion earned: the lift during it and the dip after it, against the weeks before.

Per promotion (a run of ``promo`` weeks of one product, see
:func:`ecomdash.pricing.features.flag_promotions`):

* baseline rate ``r_b`` = units per store order over up to ``baseline_weeks`` regular weeks
  before the promotion (units per store order removes the store's trend, season and
  holidays); missing product weeks count as 0 units;
* lift = rate during / ``r_b``; dip = rate in the ``dip_weeks`` after / ``r_b`` − 1;
* intervals on the log ratio: ``se = sqrt(phi/U1 + phi/U0)`` with ``U`` the units in each
  window and ``phi`` >= 1 the baseline weeks' over-dispersion (Pearson chi² / df of weekly
  units around ``r_b`` × store orders);
* money: extra revenue = actual − ``r_b`` × store orders × regular price, during and after;
  with a margin (share of the regular price), the same for profit at unit cost
  ``regular price × (1 − margin)``.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from scipy import stats

from ecomdash.errors import ParameterError
from ecomdash.i18n import N_, _, _n
from ecomdash.i18n.fmt import date_range, join
from ecomdash.i18n.note import Date, Joined, Note, Quoted, note, note_n, tr_note
from ecomdash.stock_file import MAX_SMALL_FILE_BYTES, id_key, read_small_csv

PROMO_COLUMNS = [
    "product_id",
    "product_name",
    "category",
    "start",
    "end",
    "weeks",
    "regular_price",
    "promo_price",
    "discount",
    "lift",
    "lift_low",
    "lift_high",
    "dip",
    "dip_low",
    "dip_high",
    "extra_units",
    "extra_revenue",
    "dip_revenue",
    "net_revenue",
    "net_profit",
    "baseline_weeks",
]


def promotion_effects(
    flagged: pd.DataFrame,
    store_weeks: pd.Series,
    *,
    baseline_weeks: int = 8,
    dip_weeks: int = 2,
    margin: float | dict[str, float] | None = None,
    level: float = 0.90,
) -> pd.DataFrame:
    """One row per promotion found in ``flagged`` (all products' weeks with flags).

    ``store_weeks``: store orders per week (index: week). ``margin``: one share for every
    product or a dict category → share; None leaves profit empty.
    """
    z = float(stats.norm.ppf(0.5 + level / 2))
    rows = []
    all_weeks = store_weeks.sort_index()
    with_promo = set(flagged.loc[flagged["promo_id"] > 0, "product_id"])
    for pid, prod in flagged[flagged["product_id"].isin(with_promo)].groupby(
        "product_id", sort=True
    ):
        g = prod[prod["promo_id"] > 0]
        prod = prod.set_index("week").sort_index()
        span, units, revenue, promo, post = _calendar(prod, all_weeks)
        for k, run in g.groupby("promo_id"):
            w0, w1 = run["week"].min(), run["week"].max()
            in_p, before = _windows(span, promo, post, w0, w1, baseline_weeks)
            after = np.flatnonzero(span.index > w1)[:dip_weeks]
            after = after[~promo.to_numpy()[after]]
            if _not_measured(span, units, in_p, before):
                continue
            u0, o0 = units.iloc[before].sum(), span.iloc[before].sum()
            u1, o1 = units[in_p].sum(), span[in_p].sum()
            r0 = u0 / o0
            phi = _dispersion(prod, all_weeks)
            ref = float(run["ref_price"].iloc[0])
            cost = _cost(ref, margin, run)
            lift = (u1 / o1) / r0
            se_l = np.sqrt(phi / max(u1, 0.5) + phi / u0)
            base1 = r0 * o1
            extra_rev = revenue[in_p].sum() - base1 * ref
            if len(after):
                u2, o2 = units.iloc[after].sum(), span.iloc[after].sum()
                dip = (u2 / o2) / r0 - 1
                se_d = np.sqrt(phi / max(u2, 0.5) + phi / u0)
                dip_lo = np.exp(np.log(max(dip + 1, 1e-9)) - z * se_d) - 1
                dip_hi = np.exp(np.log(max(dip + 1, 1e-9)) + z * se_d) - 1
                base2 = r0 * o2
                dip_rev = revenue.iloc[after].sum() - base2 * ref
                dip_profit = (
                    (revenue.iloc[after].sum() - u2 * cost) - base2 * (ref - cost)
                    if cost is not None
                    else np.nan
                )
            else:
                dip = dip_lo = dip_hi = dip_rev = np.nan
                dip_profit = 0.0 if cost is not None else np.nan
            profit = (
                (revenue[in_p].sum() - u1 * cost) - base1 * (ref - cost) + dip_profit
                if cost is not None
                else np.nan
            )
            promo_price = float(run["median_price"].median())
            rows.append(
                {
                    "product_id": pid,
                    "product_name": run["product_name"].iloc[0] if "product_name" in run else pid,
                    "category": run["category"].iloc[0] if "category" in run else None,
                    "start": w0,
                    "end": w1 + pd.Timedelta(days=6),
                    "weeks": int(in_p.sum()),
                    "regular_price": ref,
                    "promo_price": promo_price,
                    "discount": 1 - promo_price / ref,
                    "lift": lift,
                    "lift_low": lift * np.exp(-z * se_l),
                    "lift_high": lift * np.exp(z * se_l),
                    "dip": dip,
                    "dip_low": dip_lo,
                    "dip_high": dip_hi,
                    "extra_units": u1 - base1,
                    "extra_revenue": extra_rev,
                    "dip_revenue": dip_rev,
                    "net_revenue": extra_rev + (0.0 if np.isnan(dip_rev) else dip_rev),
                    "net_profit": profit,
                    "baseline_weeks": len(before),
                }
            )
            del k
    return pd.DataFrame(rows, columns=PROMO_COLUMNS)


def _calendar(prod: pd.DataFrame, all_weeks: pd.Series) -> tuple:
    """One product's weeks (``prod``: its flagged rows by week) on the store's calendar from
    its first to its last sale, a week without a sale as 0 units: ``span`` (the store's
    orders in those weeks), ``units``, ``revenue``, ``promo``, ``post``."""
    span = all_weeks.loc[prod.index.min() : prod.index.max()]
    units = prod["units"].reindex(span.index, fill_value=0.0)
    revenue = prod["revenue"].reindex(span.index, fill_value=0.0)
    promo = prod["promo"].reindex(span.index, fill_value=False).astype(bool)
    post = prod["post"].reindex(span.index, fill_value=False).astype(bool)
    return span, units, revenue, promo, post


def _windows(span, promo, post, w0, w1, baseline_weeks: int) -> tuple[np.ndarray, np.ndarray]:
    """A promotion's weeks ``w0`` – ``w1`` (a mask of ``span``) and the regular weeks before
    it its lift is measured against (positions: the last ``baseline_weeks`` weeks before
    ``w0`` that are neither a promotion's nor in the weeks just after one)."""
    in_p = (span.index >= w0) & (span.index <= w1)
    before = np.flatnonzero((span.index < w0) & ~promo.to_numpy() & ~post.to_numpy())
    return in_p, before[-baseline_weeks:]


#: why a promotion is not measured (:func:`_not_measured`)
FEW_WEEKS, NO_UNITS_BEFORE, NO_SALES = "few regular weeks", "no units before", "no sales"
#: the regular weeks before a promotion that its lift needs
MIN_BASELINE_WEEKS = 3


def _not_measured(span, units, in_p, before) -> str | None:
    """Why a promotion (:func:`_windows`) cannot be measured, None when it can: fewer than
    :data:`MIN_BASELINE_WEEKS` regular weeks before it, no unit sold (or no store order) in
    them, no store order during it."""
    if len(before) < MIN_BASELINE_WEEKS:
        return FEW_WEEKS
    if units.iloc[before].sum() <= 0 or span.iloc[before].sum() <= 0:
        return NO_UNITS_BEFORE
    if span[in_p].sum() <= 0:
        return NO_SALES
    return None


def unmeasured_events(
    events: pd.DataFrame,
    flagged: pd.DataFrame,
    store_weeks: pd.Series,
    *,
    baseline_weeks: int = 8,
) -> list[str]:
    """What a merchant is told about the promotions they entered (:func:`match_events`' frame)
    that :func:`promotion_effects` cannot measure, though their product has a model: one note
    per reason, naming the rows, with what would help.

    A row is measured when one of the promotions its weeks are part of (with a promotion the
    prices show that it overlaps or touches, one promotion) is. It is not when its product
    sold nothing in the whole weeks it covers (they are not flagged), when fewer than
    :data:`MIN_BASELINE_WEEKS` regular weeks of the product's sales come before it (the
    product's first weeks, or promotions and the weeks after them just before), or when the
    product sold nothing in those weeks.
    """
    if events is None or not len(events) or flagged.empty:
        return []
    all_weeks = store_weeks.sort_index()
    why: dict[str, list[int]] = {}
    for pid, evs in events.groupby("product_id", sort=False):
        prod = flagged[flagged["product_id"] == pid].set_index("week").sort_index()
        if prod.empty:
            continue  # not modelled: match_events said so
        span, units, _revenue, promo, post = _calendar(prod, all_weeks)
        for i, e in evs.iterrows():
            first = pd.Timestamp(e["start"]).to_period("W-SUN").start_time  # as flagged
            hit = prod[(prod.index >= first) & (prod.index <= pd.Timestamp(e["end"]))]
            runs = hit.loc[hit["promo_id"] > 0, "promo_id"].unique()
            reasons = []
            for k in runs:
                run = prod.index[prod["promo_id"] == k]
                in_p, before = _windows(span, promo, post, run.min(), run.max(), baseline_weeks)
                reasons.append(_not_measured(span, units, in_p, before))
            if not len(runs):
                why.setdefault(NO_SALES, []).append(i)
            elif None not in reasons:
                why.setdefault(reasons[0], []).append(i)
    notes = []
    for reason in (NO_SALES, FEW_WEEKS, NO_UNITS_BEFORE):
        if reason not in why:
            continue
        rows = events.loc[sorted(why[reason])].assign(given=lambda d: d["product_id"])  # as entered
        n = len(rows)
        named = _rows_named(rows)
        if reason == NO_SALES:
            text = _n(
                "{n} promotion event could not be measured, as its product sold nothing in "
                "the weeks it covers: {rows}. Check its dates and product id (SKU).",
                "{n} promotion events could not be measured, as their products sold nothing "
                "in the weeks they cover: {rows}. Check their dates and product ids (SKU).",
                n,
                rows=named,
            )
        elif reason == FEW_WEEKS:
            text = _n(
                "{n} promotion event could not be measured, as its product has fewer than "
                "{weeks} weeks at its usual price just before it to measure the lift against "
                "(it started selling, or had another promotion, just before): {rows}. A "
                "period that starts earlier may give them.",
                "{n} promotion events could not be measured, as their products have fewer "
                "than {weeks} weeks at their usual price just before them to measure the lift "
                "against (they started selling, or had another promotion, just before): "
                "{rows}. A period that starts earlier may give them.",
                n,
                weeks=MIN_BASELINE_WEEKS,
                rows=named,
            )
        else:
            text = _n(
                "{n} promotion event could not be measured, as its product sold nothing in "
                "the weeks at its usual price just before it, which the lift is measured "
                "against: {rows}. Check its dates and product id (SKU).",
                "{n} promotion events could not be measured, as their products sold nothing "
                "in the weeks at their usual price just before them, which the lift is "
                "measured against: {rows}. Check their dates and product ids (SKU).",
                n,
                rows=named,
            )
        notes.append(text)
    return notes


#: The names a promotion-events file's columns go by, English and Chinese (a merchant's own
#: sheet: "Product ID / Start date / End date", 商品编码 / 开始日期 / 结束日期 …).
EVENT_COLUMNS = {
    # ids before names: a sheet with both "Product" (its name) and "SKU" gives the SKU
    "product_id": (
        "product_id", "sku", "product code", "商品编码", "商品id", "商品编号", "货号",
        "sku编码", "product", "商品",
    ),
    "start": ("start", "from", "start date", "开始", "开始日期", "开始时间", "活动开始"),
    "end": ("end", "to", "end date", "结束", "结束日期", "结束时间", "活动结束"),
}  # fmt: skip


def _column_key(name: object) -> str:
    """A column's name as :data:`EVENT_COLUMNS` is matched: lower case, ``_`` and ``-`` as
    spaces, no space at all (so "Product ID", "product_id" and "商品 ID" match)."""
    return re.sub(r"[\s_\-]+", "", str(name).strip().lower())


def _blank(cells: pd.Series) -> pd.Series:
    """Which ``cells`` hold nothing: missing, or empty or spaces only."""
    return cells.isna() | (cells.astype(str).str.strip() == "")


#: a day written d/m/y or m/d/y (which one, only a part above 12 or the shop's orders say)
_DAY_MONTH = re.compile(r"^\s*(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})\b")


def _read_days(given: pd.DataFrame, dayfirst: bool | None) -> pd.DataFrame:
    """The first and last days of ``given``'s rows as dates (NaT when missing or not a
    date). Dates typed as text are read as the order files' dates are (ISO, 2024年3月11日,
    11 March 2024, Excel's serial days ...), d/m/y or m/d/y by ``dayfirst`` (the order the
    shop's orders proved) or by a day above 12 in the file; pandas read "11/03/2024" as 3
    November whatever the shop's order. When neither says, the file is refused: 11/03 could
    be either. Dates given as dates (the page's editor, a workbook's date cells) are kept."""
    from ecomdash.ingest.convert import to_datetime

    out = given[["start", "end"]].copy()
    cells = pd.concat([given["start"], given["end"]], ignore_index=True)
    text = pd.Series(
        [isinstance(v, str) and v.strip() != "" for v in cells], index=cells.index, dtype=bool
    )
    read = pd.to_datetime(cells.where(~text), errors="coerce")
    if text.any():
        typed = cells[text].astype(str).str.strip()
        parts = typed.str.extract(_DAY_MONTH)[[0, 1]].dropna().astype(int)
        proven = bool((parts > 12).any().any())
        if len(parts) and dayfirst is None and not proven:
            raise ParameterError(
                note(
                    N_(
                        "The promotion dates, such as {example}, could be day/month or "
                        "month/day: no day in them is above 12 and the shop's orders do not "
                        "say which order they use. Write the dates as YYYY-MM-DD, such as "
                        "2024-03-11."
                    ),
                    example=Quoted(typed[parts.index[0]]),
                )
            )
        order = None
        if dayfirst is not None and len(parts):
            order = (dayfirst, note(N_("the order the shop's orders use")))
        read[text] = to_datetime(typed, dayfirst=order).values
    n = len(given)
    # one unit (microseconds, as pandas reads a date string), whichever way they were read
    read = read.astype("datetime64[us]")
    out["start"] = read.iloc[:n].to_numpy()
    out["end"] = read.iloc[n:].to_numpy()
    return out


def _event_rows(
    events: pd.DataFrame, dayfirst: bool | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``events``' rows with anything in their product, first or last day, as ``product_id,
    start, end`` (the id trimmed, ``""`` when missing; the dates read, NaT when missing or not
    a date: :func:`_read_days` with ``dayfirst``), and the same rows' three cells as given (to
    name a row whose days are not dates). A row with nothing in those three (a sheet's blank
    line, the editor's spare row) is left out; columns as :func:`parse_events` accepts
    them."""
    cols = {_column_key(c): c for c in events.columns}
    pick = {}
    for want, names in EVENT_COLUMNS.items():
        found = next((cols[_column_key(n)] for n in names if _column_key(n) in cols), None)
        if found is None:
            if len(events.columns):
                raise ParameterError(
                    note(
                        N_(
                            "Promotion events need columns product_id, start and end (dates); "
                            "found {columns}."
                        ),
                        columns=tuple(map(str, events.columns)),
                    )
                )
            raise ParameterError(
                note(
                    N_(
                        "Promotion events need columns product_id, start and end (dates); "
                        "found none."
                    )
                )
            )
        pick[want] = found
    given = pd.DataFrame({k: events[v] for k, v in pick.items()})
    blank = pd.Series(True, index=given.index)
    for c in given.columns:
        blank &= _blank(given[c])
    given = given[~blank]
    out = given.copy()
    pid = out["product_id"]
    out["product_id"] = pid.where(~_blank(pid), "").astype(str).str.strip()
    days = _read_days(given, dayfirst)
    out["start"], out["end"] = days["start"], days["end"]
    return out, given


#: why an events row cannot be used (:func:`_row_problems`)
NO_PRODUCT = "no product"
NO_DATES, NO_START, NO_END, ENDS_FIRST = "no dates", "no start", "no end", "ends first"


def _row_problems(out: pd.DataFrame) -> pd.Series:
    """Why each row of :func:`_event_rows`' frame cannot be used, None when it can: no
    product id (``NO_PRODUCT``: days but no product), its first day missing or not a date
    (``NO_START``), its last day (``NO_END``), both (``NO_DATES``), or the last day before
    the first (``ENDS_FIRST``). The one rule the command line (:func:`parse_events` refuses
    such a file) and the page (:func:`usable_events` leaves the rows out) apply, and
    :func:`_bad_rows_said` names the rows by in both."""
    s, e = out["start"].isna(), out["end"].isna()
    why = np.select(
        [out["product_id"] == "", s & e, s, e, out["end"] < out["start"]],
        [NO_PRODUCT, NO_DATES, NO_START, NO_END, ENDS_FIRST],
        default="",
    )
    return pd.Series(why, index=out.index).replace("", None)


#: how many bad rows a note names (the rest are counted, then "…")
NAMED_ROWS = 3


def _named(items: list, total: int) -> tuple:
    """Rows a note lists: the first :data:`NAMED_ROWS` (``items``, built for those only),
    then " …" after the last one named when there are more of the ``total`` (``a, b, c …``
    / ``a、b、c …``)."""
    shown = list(items[:NAMED_ROWS])
    if total > NAMED_ROWS:
        shown[-1] = Joined((shown[-1], "…"), " ", translate_sep=False)
    return tuple(shown)


def _days_named(start, end, given: pd.Series):
    """A row without a product named by its days: "11 March 2024 – 24 March 2024", "from
    11 March 2024", "until 24 March 2024" (in the language it is shown in); a day that is
    not a date quoted as it was typed."""
    days = [
        Date(d)
        if pd.notna(d)
        else (None if _blank(pd.Series([g])).iloc[0] else Quoted(str(g).strip()))
        for d, g in ((start, given["start"]), (end, given["end"]))
    ]
    if days[0] is not None and days[1] is not None:
        if pd.notna(start) and start == end:
            return days[0]
        return note(N_("{start} – {end}"), start=days[0], end=days[1])
    if days[0] is not None:
        return note(N_("from {day}"), day=days[0])
    return note(N_("until {day}"), day=days[1])


def _day_problem(why: str, given: pd.Series) -> Note:
    """What is wrong with a row's days (``NO_START``, ``NO_END`` or ``NO_DATES``): a day left
    empty ("no last day"), or one typed that is not a date, quoted as typed ("last day 'next
    week' is not a date"; it read "no last day" though the merchant had typed one)."""
    if why == NO_DATES and _blank(given[["start", "end"]]).all():
        return note(N_("no first or last day"))
    parts = []
    for col, code, empty, typed in (
        ("start", NO_START, N_("no first day"), N_("first day {day} is not a date")),
        ("end", NO_END, N_("no last day"), N_("last day {day} is not a date")),
    ):
        if why in (code, NO_DATES):
            cell = given[col]
            blank = _blank(pd.Series([cell])).iloc[0]
            parts.append(note(empty) if blank else note(typed, day=Quoted(str(cell).strip())))
    return parts[0] if len(parts) == 1 else note(N_("{a}; {b}"), a=parts[0], b=parts[1])


def _bad_rows_said(out: pd.DataFrame, given: pd.DataFrame, *, refused: bool) -> list[Note]:
    """What a merchant is told of :func:`_event_rows`' rows that cannot be used
    (:func:`_row_problems`), as Notes (shown in the language of the page or ``--lang``):
    rows without a product named by their days, rows with a missing or backward day by their
    product and what is wrong, the first :data:`NAMED_ROWS` of each then "…", with what to do.
    ``refused``: the command line refuses the file (fix it and run again); else the page
    leaves the rows out."""
    why = _row_problems(out)
    notes = []
    lost = out[why == NO_PRODUCT]
    if len(lost):
        rows = _named(
            [
                _days_named(r.start, r.end, given.loc[i])
                for i, r in lost.head(NAMED_ROWS).iterrows()
            ],
            len(lost),
        )
        if refused:
            notes.append(
                note_n(
                    "{n} promotion row in the events file has no product id: {rows}. Fill in "
                    "the product id, or delete the row, and run the command again.",
                    "{n} promotion rows in the events file have no product id: {rows}. Fill "
                    "in their product ids, or delete the rows, and run the command again.",
                    len(lost),
                    rows=rows,
                )
            )
        else:
            notes.append(
                note_n(
                    "{n} promotion row has no product id and was left out: {rows}; fill in "
                    "the product id, or delete the row.",
                    "{n} promotion rows have no product id and were left out: {rows}; fill "
                    "in their product ids, or delete the rows.",
                    len(lost),
                    rows=rows,
                )
            )
    dated = why.notna() & (why != NO_PRODUCT)
    bad = out[dated]
    if len(bad):
        rows = _named(
            [
                note(
                    N_("{product} ({why})"),
                    product=r.product_id,
                    why=_day_problem(w, given.loc[i])
                    if w != ENDS_FIRST
                    else note(
                        N_("last day {end} before the first, {start}"),
                        end=Date(r.end),
                        start=Date(r.start),
                    ),
                )
                for (i, r), w in zip(
                    bad.head(NAMED_ROWS).iterrows(), why[dated].head(NAMED_ROWS), strict=True
                )
            ],
            len(bad),
        )
        if refused:
            notes.append(
                note_n(
                    "{n} promotion row in the events file cannot be used: {rows}. Fill in its "
                    "first and last day as YYYY-MM-DD, the last on or after the first, and run "
                    "the command again.",
                    "{n} promotion rows in the events file cannot be used: {rows}. Fill in "
                    "their first and last days as YYYY-MM-DD, the last on or after the first, "
                    "and run the command again.",
                    len(bad),
                    rows=rows,
                )
            )
        else:
            notes.append(
                note_n(
                    "{n} promotion row was left out: {rows}; fill in its first and last day, "
                    "the last on or after the first.",
                    "{n} promotion rows were left out: {rows}; fill in their first and last "
                    "days, the last on or after the first.",
                    len(bad),
                    rows=rows,
                )
            )
    return notes


def usable_events(events: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The rows of ``events`` (as :func:`parse_events` reads them) that can be used, as its
    frame, and what a merchant is told about those left out, in the current language
    (:func:`_bad_rows_said`): a row with days but no product, named by its days; a product
    with a missing first or last day, or a last day before the first, named with what is
    missing. A row with nothing in it (the editor's spare row) is no mistake: left out
    unsaid."""
    out, given = _event_rows(events)
    ok = _row_problems(out).isna()
    said = [tr_note(n) for n in _bad_rows_said(out, given, refused=False)]
    return out[ok].reset_index(drop=True), said


def read_events(data: bytes) -> pd.DataFrame:
    """A promotions file as text columns, decoded as the order files are: a Chinese Excel
    saves its CSV in GBK, Excel's "Unicode text" is UTF-16 with tabs (UTF-8 alone raised a
    traceback on 商品编码 in GBK); the separator is the header's commonest of , ; tab; an
    Excel workbook (.xlsx) is read from its first sheet with data
    (:func:`ecomdash.stock_file.read_small_csv`). The rows go to :func:`parse_events`.

    >>> read_events("商品编码,开始,结束\\nA,2024-05-06,2024-05-19\\n".encode("gbk")).columns.tolist()
    ['商品编码', '开始', '结束']
    """
    return read_small_csv(
        data,
        max_bytes=MAX_SMALL_FILE_BYTES,
        too_big=N_(
            "The events file is {size} bytes; the limit is {limit}. Keep only the "
            "product id, first and last day columns."
        ),
        empty=N_(
            "The events file is empty. Give a CSV or Excel file with product id, first and last day."
        ),
        unreadable=N_(
            "The events file could not be read as a CSV table (a quote left open, or a "
            "line with more columns than the header). Save it as CSV with a header row: "
            "product id, first day, last day."
        ),
        old_workbook=N_(
            "The events file is an old Excel 97-2003 (.xls) workbook or a password-protected "
            "one, which cannot be read here. Open it in Excel and save it (without a "
            "password) as .xlsx or CSV, then give that file."
        ),
    )[0]


def parse_events(events: pd.DataFrame, *, dayfirst: bool | None = None) -> pd.DataFrame:
    """Merchant-entered promotions as ``product_id, start, end`` (dates), checked.

    Accepts the columns by the names in :data:`EVENT_COLUMNS` (case, spaces, ``_`` and ``-``
    aside: ``Product ID``, ``start_date``, 商品编码, 开始日期 …); rows with nothing in those
    columns are dropped; a file with a row that has days but no product, a missing or
    unreadable date, or that ends before it starts, is refused, naming those rows as the
    page does (:func:`_bad_rows_said`). ``dayfirst``: whether the shop's orders wrote their
    dates day first (True), month first (False) or neither proved (None): how a date typed
    "11/03/2024" is read (:func:`_read_days`).

    >>> parse_events(pd.DataFrame({"Product": ["A"], "From": ["2024-05-06"], "To": ["2024-05-19"]}))
      product_id      start        end
    0          A 2024-05-06 2024-05-19
    """
    out, given = _event_rows(events, dayfirst)
    said = _bad_rows_said(out, given, refused=True)
    if len(said) == 2:  # rows without a product, and rows with a missing or backward day
        raise ParameterError(note(N_("{problem} {fix}"), problem=said[0], fix=said[1]))
    if said:
        raise ParameterError(said[0])
    return out.reset_index(drop=True)


def _name_key(text: object) -> str:
    """A product's name as an events row is matched to it: case and runs of spaces aside."""
    return " ".join(str(text).split()).casefold()


def _rows_named(events: pd.DataFrame, *, limit: int = 3) -> str:
    """Events rows as a note names them: "Blue Mug (11 March 2024 – 24 March 2024)", the
    first ``limit`` of them, then "…"."""
    rows = [
        _("{event} ({dates})", event=r.given, dates=date_range(r.start, r.end))
        for r in events.head(limit).itertuples()
    ]
    return join(rows) + (" …" if len(events) > limit else "")


def match_events(
    events: pd.DataFrame,
    names: pd.Series,
    first: pd.Timestamp,
    last: pd.Timestamp,
    *,
    modelled: set | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """The merchant's promotions (:func:`parse_events`' frame) matched to the products that
    sold, and what a merchant is told about the rows that were not.

    ``names``: each product's name, indexed by its id; ``first`` / ``last``: the first and
    last day of the weeks the prices cover (the first week's Monday, the last one's Sunday);
    ``modelled``: the ids that get a model (the others' promotions are not measured). A row
    is matched by its product's id, case and surrounding spaces aside as a stock file's ids
    are (:func:`ecomdash.stock_file.id_key`: "tex-271" is TEX-271, and the row carries the
    store's id; an id two products share in that way matches neither, and is said); the
    rows that match no id are matched by the product's name (case and spaces aside, a name
    only one product has) when most of them do — a sheet that gives names (商品, "Product")
    instead of ids — and a note says so.
    Rows that match no product, that fall wholly outside ``first`` – ``last``, or whose
    product gets no model are left out, each kind named in a note with what to do.
    """
    notes: list[str] = []
    given = events["product_id"].astype(str).reset_index(drop=True)
    events = events.reset_index(drop=True).assign(given=given)  # as the merchant wrote it
    # the id as the store writes it: the same id, or the one id equal to it case and
    # surrounding spaces aside (" tex-271 " is TEX-271), as a stock file's ids are matched
    ids = [str(p) for p in names.index]
    by_key: dict[str, list[str]] = {}
    for p in ids:
        by_key.setdefault(id_key(p), []).append(p)
    known = set(ids)
    cands = given.map(lambda g: [g] if g in known else by_key.get(id_key(g), []))
    by_id = cands.map(len) == 1
    several = cands.map(len) > 1  # Mug-1 and MUG-1 sell as two products: which one is not known
    events.loc[by_id, "product_id"] = cands[by_id].map(lambda c: c[0])
    keys = names.dropna().map(_name_key)
    once = keys[~keys.duplicated(keep=False)]
    by_name = pd.Series(dict(zip(once.to_numpy(), once.index, strict=True)), dtype=object)
    named = given[~by_id & ~several].map(_name_key).map(by_name)
    if named.notna().sum() * 2 > len(named):  # most of the rows that match no id
        notes.append(
            _n(
                "{n} promotion event gives its product's name, not its id; matched by name "
                "({pairs}).",
                "{n} promotion events give their products' names, not their ids; matched by "
                "name ({pairs}).",
                int(named.notna().sum()),
                pairs=join(f"{given[i]} → {pid}" for i, pid in named.dropna().head(3).items())
                + (" …" if named.notna().sum() > 3 else ""),
            )
        )
        events.loc[named.dropna().index, "product_id"] = named.dropna()
        by_id = by_id | named.notna()
    if several.any():
        notes.append(
            _n(
                "{n} promotion event gives an id that two or more products have, differing "
                "only in case ({rows}); ignored. Write the id exactly as your orders do.",
                "{n} promotion events give ids that two or more products have, differing "
                "only in case ({rows}); ignored. Write each id exactly as your orders do.",
                int(several.sum()),
                rows=_rows_named(events[several]),
            )
        )
    if not (by_id | several).all():
        notes.append(
            _n(
                "{n} promotion event matches no product in this data ({rows}); ignored. Give "
                "the product's id (SKU) as your orders give it.",
                "{n} promotion events match no product in this data ({rows}); ignored. Give "
                "each product's id (SKU) as your orders give it.",
                int((~by_id & ~several).sum()),
                rows=_rows_named(events[~by_id & ~several]),
            )
        )
    events = events[by_id]
    outside = (events["end"] < first) | (events["start"] > last)
    if outside.any():
        notes.append(
            _n(
                "{n} promotion event falls outside the weeks the prices cover ({period}, whole "
                "weeks from Monday): {rows}; ignored.",
                "{n} promotion events fall outside the weeks the prices cover ({period}, whole "
                "weeks from Monday): {rows}; ignored.",
                int(outside.sum()),
                period=date_range(first, last),
                rows=_rows_named(events[outside]),
            )
        )
    events = events[~outside]
    if modelled is not None:
        left = ~events["product_id"].isin(modelled)
        if left.any():
            notes.append(
                _n(
                    "{n} promotion event names a product without a model (not among the "
                    "products with the most revenue): {rows}; not measured.",
                    "{n} promotion events name products without a model (not among the "
                    "products with the most revenue): {rows}; not measured.",
                    int(left.sum()),
                    rows=_rows_named(events[left]),
                )
            )
            events = events[~left]
    return events.drop(columns="given").reset_index(drop=True), notes


def _dispersion(prod: pd.DataFrame, store_weeks: pd.Series) -> float:
    """Over-dispersion (>= 1) of a product's weekly units over all its regular weeks: Pearson
    chi² / df around units-per-store-order at each regular price level."""
    reg = prod.loc[~prod["promo"].astype(bool) & ~prod["post"].astype(bool)]
    if len(reg) < 4:
        return 1.0
    orders = store_weeks.reindex(reg.index).to_numpy(dtype=float)
    level = reg["median_price"].round(2).to_numpy()
    u = reg["units"].to_numpy(dtype=float)
    chi, n_levels = 0.0, 0
    for lv in np.unique(level):
        m = level == lv
        exp = orders[m] * u[m].sum() / orders[m].sum()
        chi += float(np.sum((u[m] - exp) ** 2 / exp))
        n_levels += 1
    return max(1.0, chi / max(len(u) - n_levels, 1))


def _cost(ref: float, margin, run: pd.DataFrame) -> float | None:
    m = margin_for(margin, run["category"].iloc[0] if "category" in run else None)
    return None if m is None else ref * (1 - m)


def margin_for(margin: float | dict[str, float] | None, category) -> float | None:
    """The margin share that applies to a product of ``category`` (None when unknown)."""
    if margin is None:
        return None
    if isinstance(margin, dict):
        v = margin.get(category) if category is not None and not pd.isna(category) else None
        if v is None:
            v = margin.get("*")
        return None if v is None or pd.isna(v) else float(v)
    return float(margin)
