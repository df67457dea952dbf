"""Convert text columns to numbers and dates, deciding each column's format from evidence.

Each converter works on the column's distinct values (fast on long files), decides the
format once for the whole column, and returns the converted values plus a mask of the
cells that held text but did not convert, so the cleaner can count and report them.

- Numbers: full-width digits (``１２３``), currency signs (``¥``/``￥``), spaces and ``(12.50)`` negatives are handled; ``1,234.50`` vs
  ``1.234,50`` is decided per column: a value with both separators, or a separator not
  followed by exactly three digits, proves which one is the decimal mark. Without evidence
  the decimal mark is ``.`` (so ``1,234`` is one thousand two hundred thirty-four).
- Dates: ISO (``2009-12-01 07:45:00``, ``2024-01-05T10:11:12-05:00``: the wall-clock time is
  kept, the offset dropped), ``YYYY/MM/DD``, Chinese ``2024年11月11日``, compact ``YYYYMMDD``,
  Excel serial numbers, month names, and day/month/year or month/day/year. Day/month order
  is decided ONCE per column: a first part above 12 proves day-first, a second part above
  12 proves month-first; with no proof, the order that keeps the rows most chronological
  wins; a full tie reads day-first and says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ecomdash.i18n import N_
from ecomdash.i18n.note import note
from ecomdash.ingest.platforms_cn import halfwidth

_CURRENCY = re.compile(
    r"[\s\u00a0\u202f$€£¥₹￥]|^(USD|EUR|GBP|CNY|RMB|JPY)|(USD|EUR|GBP|CNY|RMB|JPY)$"
)
_COMMA_DEC = re.compile(r"^-?\d{1,3}(\.\d{3})+,\d+$|^-?\d*,(\d{1,2}|\d{4,})$")
_DOT_DEC = re.compile(r"^-?\d{1,3}(,\d{3})+\.\d+$|^-?\d*\.(\d{1,2}|\d{4,})$")
_HAS_DIGIT = re.compile(r"\d")
_PLAIN = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")

_TIME = r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*([AaPp][Mm])?)?"
_TZ = r"\s*(?:Z|UTC|GMT|[+-]\d{2}:?\d{2})?"
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})" + _TIME + _TZ + r"$")
_CN = re.compile(
    r"^(\d{4})年(\d{1,2})月(\d{1,2})日?\s*(?:(\d{1,2})[:时](\d{2})分?(?:[:]?(\d{2})秒?)?)?$"
)
_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})" + _TIME + _TZ + r"$")
_LOOSE_DATE = re.compile(
    r"\d{1,4}\s*[-/.年]\s*\d{1,2}|^\d{5,8}(\.\d+)?$"
    r"|(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s*\d|\d\s*(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)",
    re.IGNORECASE,
)
#: the vectorised fast path's ISO dates, and the same for ASCII text in Arrow's RE2 (whose
#: ``\\d`` is ASCII-only and whose ``$`` is the end of the text: Python's also allows a final
#: newline)
_ISO_FAST = re.compile(r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$")
_ISO_FAST_ASCII = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?)?\n?$"
_COMPACT = re.compile(r"^(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$")


@dataclass(frozen=True)
class Converted:
    """A converted column: ``values`` (float64 or datetime64[us]), ``bad`` (text that did
    not convert), ``missing`` (empty cells) and ``note`` (the format decided, plain words)."""

    values: pd.Series
    bad: np.ndarray
    missing: np.ndarray
    note: str = ""


def arrow_of(s: pd.Series) -> pa.Array:
    """The column as one Arrow string array (zero-copy for Arrow-backed strings)."""
    arr = s.array
    if hasattr(arr, "__arrow_array__"):
        ca = arr.__arrow_array__()
    else:
        ca = pa.array(s.astype(object).where(s.notna(), None), type=pa.string())
    if isinstance(ca, pa.ChunkedArray):
        ca = ca.combine_chunks() if ca.num_chunks != 1 else ca.chunk(0)
    if not pa.types.is_string(ca.type) and not pa.types.is_large_string(ca.type):
        ca = ca.cast(pa.string())
    return ca


def codes_of(s: pd.Series) -> tuple[np.ndarray, pa.Array]:
    """(codes int32 with -1 for missing, the distinct values as an Arrow string array).

    int32 (Arrow's own index type) rather than int64: the cleaner keeps every column's
    codes at once, 4 bytes per cell less at 10 M lines."""
    enc = pc.dictionary_encode(arrow_of(s))
    codes = enc.indices.fill_null(-1).to_numpy(zero_copy_only=False)
    return codes.astype(np.int32, copy=False), enc.dictionary


def _factorize(
    s: pd.Series, encoded: tuple[np.ndarray, pa.Array] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    codes, uniques = encoded if encoded is not None else codes_of(s)
    # full-width digits (１２３．５０, as some Chinese exports write them) read as ASCII
    u = halfwidth(unwrap_all(uniques)).fill_null("").to_numpy(zero_copy_only=False)
    return codes, u.astype(object)


def unwrap_all(values: pa.Array) -> pa.Array:
    """Trim every value, and undo the ``="00123"`` wrapper some exports (Taobao, Alipay) put
    around long numbers so Excel keeps them as text. Vectorised; nulls stay null. Arrow's
    whitespace is Python's ``str.strip()`` whitespace (checked over every such code point)."""
    t = pc.utf8_trim_whitespace(values)
    wrapped = pc.and_(
        pc.and_(pc.starts_with(t, '="'), pc.ends_with(t, '"')),
        pc.greater_equal(pc.utf8_length(t), 3),
    )
    if pc.any(wrapped).as_py():
        inner = pc.utf8_trim_whitespace(pc.utf8_slice_codeunits(t, 2, -1))
        t = pc.if_else(wrapped, inner, t)
    return t


def python_match(u: np.ndarray, pattern: re.Pattern, ascii_re2: str) -> np.ndarray:
    """``pattern.match`` of each string of ``u`` (an object array), as a bool array.

    ``ascii_re2``: an Arrow (RE2) regex that matches exactly the ASCII strings ``pattern``
    matches; it runs vectorised on those, and Python's engine only on the non-ASCII rest."""
    if not len(u):
        return np.zeros(0, dtype=bool)
    arr = pa.array(u, type=pa.string())
    out = pc.match_substring_regex(arr, ascii_re2).to_numpy(zero_copy_only=False)
    other = np.flatnonzero(~pc.string_is_ascii(arr).to_numpy(zero_copy_only=False))
    out[other] = [bool(pattern.match(v)) for v in u[other]]
    return out


def _expand_mask(codes: np.ndarray, per_unique: np.ndarray, fill: bool) -> np.ndarray:
    """``_expand(codes, per_unique, fill).astype(bool)``, without the gather of every row
    when no distinct value is flagged and no cell is missing (or the missing cells take
    ``False``): all false then, as a fresh zeroed array."""
    if not per_unique.any() and not (fill and (codes < 0).any()):
        return np.zeros(len(codes), dtype=bool)
    return _expand(codes, per_unique, fill).astype(bool)


def _expand(codes: np.ndarray, per_unique: np.ndarray, fill) -> np.ndarray:
    out = per_unique[np.where(codes < 0, 0, codes)] if len(per_unique) else None
    if out is None:
        return np.full(len(codes), fill)
    if (codes < 0).any():
        out = out.copy()
        out[codes < 0] = fill
    return out


# ---------------------------------------------------------------------------------------------
# numbers


def number_format(values) -> str:
    """``"."`` or ``","``: the decimal mark the evidence in ``values`` supports."""
    comma = dot = 0
    for v in values:
        if "," in v or "." in v:
            t = _CURRENCY.sub("", v).strip("()+")
            if _COMMA_DEC.match(t):
                comma += 1
            elif _DOT_DEC.match(t):
                dot += 1
    return "," if comma > dot else "."


_CURRENCY_MARKS = {
    "£": "GBP",
    "€": "EUR",
    "$": "USD",
    "₹": "INR",
    "¥": "CNY",
    "￥": "CNY",
    "RMB": "CNY",
    "USD": "USD",
    "EUR": "EUR",
    "GBP": "GBP",
    "CNY": "CNY",
    "JPY": "JPY",
}
_CURRENCY_MARK = re.compile("|".join(re.escape(k) for k in _CURRENCY_MARKS))


def currency_of(values) -> str | None:
    """The ISO code of the currency most ``values`` are written in (``£12.50`` -> GBP), or
    None when none carries a currency sign or code.

    >>> currency_of(["£1,234.50", "£3.00", "12"]), currency_of(["12.5 EUR"]), currency_of(["1"])
    ('GBP', 'EUR', None)
    """
    counts: dict[str, int] = {}
    for v in values:
        m = _CURRENCY_MARK.search(str(v))
        if m:
            code = _CURRENCY_MARKS[m.group(0)]
            counts[code] = counts.get(code, 0) + 1
    return max(counts, key=counts.get) if counts else None


def _numbers_of(
    u: np.ndarray, *, decimal: str | None = None, decision: dict | None = None
) -> tuple[np.ndarray, str]:
    """Parse distinct non-empty strings to floats (NaN when not a number).

    ``decimal``: the decimal mark decided beforehand (``"."`` or ``","``, e.g. from a sample
    of the whole file) instead of from ``u``; ``decision``: a dict that receives the mark
    decided here (``decision["decimal"]``)."""
    out = pd.to_numeric(pd.Series(u, dtype=object), errors="coerce").to_numpy(
        dtype=float, copy=True
    )
    todo = np.isnan(out) & (u != "")
    found = ""
    if decision is not None:
        seps = [v for v in u if ("," in v)]
        decision["decimal"] = decimal or (number_format(seps) if seps else ".")
    if todo.any():
        has_sep = [v for v in u if ("," in v)]
        dec = decimal or (number_format(has_sep) if has_sep else ".")
        if dec == ",":
            found = note(N_("decimal comma (1.234,50)"))
        elif has_sep:
            found = note(N_("thousands separator (1,234.50)"))
        cur = currency_of(u[todo])
        if cur:
            currency = note(N_("currency {currency}"), currency=cur)
            found = note(N_("{how}; {note}"), how=found, note=currency) if found else currency
        fixed = []
        for v in u[todo]:
            t = _CURRENCY.sub("", v)
            neg = t.startswith("(") and t.endswith(")")
            t = t.strip("()")
            if t.endswith("-") and t[:-1].replace(".", "").replace(",", "").isdigit():
                neg, t = True, t[:-1]
            if dec == ",":
                t = t.replace(".", "").replace(",", ".")
            else:
                t = t.replace(",", "")
            if t.endswith("%"):
                t = t[:-1]
            if not _PLAIN.match(t):
                fixed.append(np.nan)
                continue
            x = float(t)
            fixed.append(-x if neg else x)
        out[todo] = fixed
        if dec == ",":
            # values that parsed directly but were written with a decimal comma elsewhere:
            # "1.234" in a decimal-comma column means 1234
            direct = ~todo & np.array(["." in v for v in u], dtype=bool)
            for i in np.flatnonzero(direct):
                t = u[i].replace(".", "")
                if _PLAIN.match(t):
                    out[i] = float(t)
    out[~np.isfinite(out)] = np.nan  # "inf", "1e400", "nan" are not amounts
    return out, found


def to_number(
    s: pd.Series,
    *,
    encoded: tuple[np.ndarray, pa.Array] | None = None,
    decimal: str | None = None,
    decision: dict | None = None,
) -> Converted:
    """Convert a text column to float64, counting cells that are not numbers.

    ``encoded``: the column's ``codes_of`` result when the caller already has it.
    ``decimal`` / ``decision``: see :func:`_numbers_of` (a part of a file read with the
    decimal mark decided on the file's sample).
    """
    codes, u = _factorize(s, encoded)
    vals, found = _numbers_of(u, decimal=decimal, decision=decision)
    per_bad = np.isnan(vals) & (u != "")
    per_missing = u == ""
    values = _expand(codes, vals, np.nan)
    return Converted(
        values=pd.Series(values, index=s.index, dtype="float64", copy=False),
        bad=_expand_mask(codes, per_bad, False),
        missing=_expand_mask(codes, per_missing, True),
        note=found,
    )


def number_rate(values: list[str]) -> float:
    """Share of non-empty ``values`` that read as numbers."""
    vals = [v.strip() for v in values if v and v.strip()]
    if not vals:
        return 0.0
    counts: dict[str, int] = {}
    for v in vals:
        counts[v] = counts.get(v, 0) + 1
    distinct = [v for v in counts if _HAS_DIGIT.search(v)]
    if not distinct:
        return 0.0
    nums, _ = _numbers_of(np.asarray(distinct, dtype=object))
    return float(
        sum(counts[v] for v, x in zip(distinct, nums, strict=True) if not np.isnan(x)) / len(vals)
    )


# ---------------------------------------------------------------------------------------------
# dates


def _hms(m: re.Match, i: int) -> tuple[int, int, int, int]:
    hh, mm, ss, frac, ampm = (
        m.group(i),
        m.group(i + 1),
        m.group(i + 2),
        m.group(i + 3),
        m.group(i + 4),
    )
    h = int(hh) if hh else 0
    if ampm:
        p = ampm.lower()
        if p == "pm" and h < 12:
            h += 12
        elif p == "am" and h == 12:
            h = 0
    us = int((frac or "0")[:6].ljust(6, "0"))
    return h, int(mm) if mm else 0, int(ss) if ss else 0, us


def _year(y: str) -> int:
    v = int(y)
    if len(y) == 2:
        v += 2000 if v < 70 else 1900
    return v


def _mk(y: int, mo: int, d: int, h=0, mi=0, s=0, us=0) -> np.datetime64:
    try:
        return np.datetime64(pd.Timestamp(y, mo, d, h, mi, s, us).to_datetime64(), "us")
    except (ValueError, OverflowError):
        return np.datetime64("NaT", "us")


def _datetimes_of(
    u: np.ndarray,
    order_hint: np.ndarray | None = None,
    *,
    dayfirst: tuple[bool, str] | None = None,
    decision: dict | None = None,
) -> tuple[np.ndarray, str]:
    """Parse distinct non-empty strings to datetime64[us] (NaT when not a date).

    ``order_hint``: the distinct-value codes in row order (for the chronology tie-break).
    ``dayfirst``: ``(day first?, why)`` decided beforehand (e.g. on a sample of the whole
    file) instead of from ``u``; ``decision``: a dict that receives the order decided here
    (``decision["dayfirst"] = (day first?, why)``), when ``u`` has day/month dates.
    """
    n = len(u)
    out = np.full(n, np.datetime64("NaT", "us"))
    if n == 0:
        return out, ""
    notes: list[str] = []
    s = pd.Series(u, dtype=object)
    done = np.zeros(n, dtype=bool)
    # 1. ISO-like, the common fast path (vectorised)
    iso = python_match(u, _ISO_FAST, _ISO_FAST_ASCII)
    if iso.any():
        parsed = pd.to_datetime(s[iso], format="ISO8601", errors="coerce")
        out[iso] = parsed.to_numpy(dtype="datetime64[us]")
        done |= iso
    rest = np.flatnonzero(~done & (u != ""))
    if not len(rest):
        return out, ""
    # 2. compact YYYYMMDD and Excel serial numbers (only when the whole column is numeric)
    rest_vals = u[rest]
    if all(_COMPACT.match(v) for v in rest_vals):
        out[rest] = pd.to_datetime(pd.Series(rest_vals), format="%Y%m%d", errors="coerce").to_numpy(
            dtype="datetime64[us]"
        )
        return out, "dates written as YYYYMMDD"
    nums = pd.to_numeric(pd.Series(rest_vals), errors="coerce").to_numpy(dtype=float)
    if not np.isnan(nums).any() and not done.any():
        if ((nums >= 20000) & (nums <= 80000)).all():
            base = np.datetime64("1899-12-30T00:00:00", "us")
            out[rest] = base + np.round(nums * 86_400_000_000).astype("timedelta64[us]")
            return out, "Excel serial day numbers"
        return out, ""
    # 3. regex families, day/month order decided once for the column
    dmy_matches: dict[int, re.Match] = {}
    first_gt12 = second_gt12 = 0
    for i in rest:
        v = u[i]
        m = _ISO.match(v)
        if m:
            h, mi, sec, us = _hms(m, 4)
            out[i] = _mk(int(m.group(1)), int(m.group(2)), int(m.group(3)), h, mi, sec, us)
            continue
        m = _CN.match(v)
        if m:
            out[i] = _mk(
                int(m.group(1)),
                int(m.group(2)),
                int(m.group(3)),
                int(m.group(4) or 0),
                int(m.group(5) or 0),
                int(m.group(6) or 0),
            )
            continue
        m = _DMY.match(v)
        if m:
            dmy_matches[i] = m
            a, b = int(m.group(1)), int(m.group(2))
            first_gt12 += a > 12
            second_gt12 += b > 12
    if dmy_matches:
        if dayfirst is not None:
            dayfirst, why = dayfirst
        elif first_gt12 and not second_gt12:
            dayfirst, why = True, note(N_("a first part above 12 proves day/month/year"))
        elif second_gt12 and not first_gt12:
            dayfirst, why = False, note(N_("a second part above 12 proves month/day/year"))
        elif first_gt12 and second_gt12:
            dayfirst = first_gt12 >= second_gt12
            why = note(
                N_(
                    "conflicting evidence ({first} values prove day-first, {second} "
                    "month-first); read as {order}, the other values do not convert"
                ),
                first=first_gt12,
                second=second_gt12,
                order=note(N_("day/month")) if dayfirst else note(N_("month/day")),
            )
        else:
            dayfirst, why = _chronology_vote(u, dmy_matches, order_hint)
        if decision is not None:
            decision["dayfirst"] = (dayfirst, why)
        for i, m in dmy_matches.items():
            a, b = int(m.group(1)), int(m.group(2))
            d, mo = (a, b) if dayfirst else (b, a)
            h, mi, sec, us = _hms(m, 4)
            out[i] = _mk(_year(m.group(3)), mo, d, h, mi, sec, us)
        notes.append(
            note(N_("day/month/year dates: {why}"), why=why)
            if dayfirst
            else note(N_("month/day/year dates: {why}"), why=why)
        )
    # 4. month names and other textual dates (unambiguous), parsed by pandas
    left = [
        i for i in rest if np.isnat(out[i]) and i not in dmy_matches and re.search("[A-Za-z]", u[i])
    ]
    if left:
        vals = pd.Series(u[left])
        parsed = pd.to_datetime(vals, format="mixed", errors="coerce", utc=True)
        out[left] = parsed.dt.tz_localize(None).to_numpy(dtype="datetime64[us]")
    return out, notes[0] if len(notes) == 1 else "; ".join(notes)


def _chronology_vote(
    u: np.ndarray, matches: dict[int, re.Match], order_hint: np.ndarray | None
) -> tuple[bool, str]:
    """No proof either way: prefer the reading that keeps the rows in date order."""
    if order_hint is None or len(matches) < 2:
        return True, note(N_("no value proves the order; assumed day/month/year (check the dates)"))
    idx = np.fromiter(matches.keys(), dtype=np.int64)
    day_first = np.full(len(u), np.datetime64("NaT", "D"))
    month_first = day_first.copy()
    for i, m in matches.items():
        a, b, y = int(m.group(1)), int(m.group(2)), _year(m.group(3))
        try:
            day_first[i] = np.datetime64(f"{y:04d}-{b:02d}-{a:02d}")
        except ValueError:
            pass
        try:
            month_first[i] = np.datetime64(f"{y:04d}-{a:02d}-{b:02d}")
        except ValueError:
            pass
    seq = order_hint[np.isin(order_hint, idx)]

    def backwards(arr: np.ndarray) -> int:
        x = arr[seq]
        x = x[~np.isnat(x)]
        return int((np.diff(x.astype("int64")) < 0).sum()) if len(x) > 1 else 0

    bd, bm = backwards(day_first), backwards(month_first)
    if bd < bm:
        return (
            True,
            note(
                N_(
                    "no value proves the order; day/month keeps the rows in date order "
                    "({n} vs {other} steps back)"
                ),
                n=bd,
                other=bm,
            ),
        )
    if bm < bd:
        return (
            False,
            note(
                N_(
                    "no value proves the order; month/day keeps the rows in date order "
                    "({n} vs {other} steps back)"
                ),
                n=bm,
                other=bd,
            ),
        )
    return True, note(N_("no value proves the order; assumed day/month/year (check the dates)"))


def to_datetime(
    s: pd.Series,
    *,
    encoded: tuple[np.ndarray, pa.Array] | None = None,
    dayfirst: tuple[bool, str] | None = None,
    decision: dict | None = None,
) -> Converted:
    """Convert a text column to datetime64[us], counting cells that are not dates.

    ``dayfirst`` / ``decision``: see :func:`_datetimes_of`."""
    codes, u = _factorize(s, encoded)
    vals, found = _datetimes_of(
        u,
        order_hint=codes[codes >= 0] if len(codes) else None,
        dayfirst=dayfirst,
        decision=decision,
    )
    per_bad = np.isnat(vals) & (u != "")
    per_missing = u == ""
    values = _expand(codes, vals, np.datetime64("NaT", "us"))
    return Converted(
        values=pd.Series(values, index=s.index, dtype="datetime64[us]", copy=False),
        bad=_expand_mask(codes, per_bad, False),
        missing=_expand_mask(codes, per_missing, True),
        note=found,
    )


def date_rate(values: list[str], *, allow_serial: bool = False) -> float:
    """Share of non-empty ``values`` that read as dates.

    Plain numbers count only as ``YYYYMMDD``, or as Excel serial days when ``allow_serial``
    (the column's name already says it is a date).
    """
    vals = [v.strip() for v in values if v and v.strip()]
    if not vals:
        return 0.0
    u = np.asarray(list(dict.fromkeys(vals)), dtype=object)
    if np.mean([bool(_LOOSE_DATE.search(v)) for v in u]) < 0.5:
        return 0.0
    if all(_PLAIN.match(v) for v in u) and not all(_COMPACT.match(v) for v in u):
        if not allow_serial:
            return 0.0
    parsed, _ = _datetimes_of(u)
    ok = dict(zip(u, ~np.isnat(parsed), strict=True))
    return float(np.mean([ok[v] for v in vals]))
