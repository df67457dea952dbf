"""Text columns for the cleaner: trimmed, float-written ids repaired, matched by regex on Arrow
arrays, and exact-duplicate rows found on integer codes (fast at 10 M lines).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ecomdash.ingest.convert import unwrap_all
from ecomdash.ingest.platforms_cn import (
    halfwidth,
)

_FLOAT_ID = re.compile(r"^-?\d+\.0+$")


def _wrap(arr: pa.Array) -> pd.Series:
    return pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array([arr])))


@dataclass(frozen=True)
class _Text:
    """A cleaned text column, kept as codes into its distinct cleaned values until the kept
    rows are known, so the strings are copied once.

    ``codes``: one int per row naming its cleaned value in ``distinct``, -1 where missing
    (empty after trimming, or a placeholder). ``trimmed`` / ``fixed`` / ``placeholder``: rows
    that had surrounding spaces / whose ``.0`` was dropped (``13085.0`` → ``13085``) / whose
    value was a placeholder for "none" (a guest's customer id).
    """

    codes: np.ndarray
    distinct: pa.Array
    trimmed: np.ndarray
    fixed: np.ndarray
    placeholder: np.ndarray
    #: the column as read with its empty cells null, when cleaning changed none of its values
    #: (every cleaned value is the raw one, only empty cells become missing): the kept rows are
    #: then this array, its text shared rather than copied (:func:`_empty_as_null`; made in
    #: the column's own step, beside the other columns', clean11)
    unchanged: pa.Array | None = None

    @property
    def missing(self) -> np.ndarray:
        return self.codes < 0

    def matches(self, pattern: re.Pattern, *, prefilter: str | None = None) -> np.ndarray:
        """Rows whose cleaned value matches ``pattern`` (missing rows never match);
        ``prefilter``: see :func:`_regex_rows`."""
        return _regex_rows(self.codes, self.distinct, pattern, prefilter=prefilter)

    def values(self, keep: np.ndarray) -> pd.Series:
        """The text of the ``keep`` rows (missing as NA)."""
        if self.unchanged is not None:
            arr = self.unchanged
            return _wrap(arr if keep.all() else arr.filter(pa.array(keep)))
        codes = self.codes[keep]
        return _wrap(pc.take(self.distinct, pa.array(codes, mask=codes < 0, type=pa.int64())))


def _empty_as_null(arr: pa.Array, valid: np.ndarray | None = None) -> pa.Array:
    """``arr`` (Arrow strings) with its empty cells null, sharing its offsets and text: only
    a new validity bitmap is built (what ``pc.take`` of the distinct values gives, without
    copying every string). ``valid``: the rows neither null nor empty, when the caller knows
    them (the cleaned codes >= 0: no comparison of every string)."""
    if valid is None:
        valid = pc.fill_null(pc.not_equal(arr, ""), False).to_numpy(zero_copy_only=False)
    # the bitmap is read from bit ``arr.offset`` on (a sliced column: the header row cut off)
    bits = np.packbits(np.r_[np.ones(arr.offset, dtype=bool), valid], bitorder="little")
    bufs = arr.buffers()
    return pa.Array.from_buffers(
        arr.type, len(arr), [pa.py_buffer(bits), bufs[1], bufs[2]], offset=arr.offset
    )


def _same_values(uniques: pa.Array, cleaned: pa.Array) -> bool:
    """Whether cleaning kept every distinct value as it was: each cleaned value equals its
    raw one, or is missing where the raw one is empty (or missing)."""
    same = pc.fill_null(pc.equal(cleaned, uniques), False)
    empty = pc.and_(pc.is_null(cleaned), pc.fill_null(pc.equal(uniques, ""), True))
    return bool(pc.all(pc.or_(same, empty)).as_py() is not False)


def _text(
    encoded: tuple[np.ndarray, pa.Array],
    *,
    float_ids: bool = False,
    placeholders: frozenset[str] = frozenset(),
    ids: bool = False,
    raw: pa.Array | None = None,
) -> _Text:
    """Trim (and unwrap ``="…"``) a column's distinct values once, vectorised; with
    ``float_ids``, integers written as decimals lose the ``.0``; values in
    ``placeholders`` (any case) become missing (see :class:`_Text`); with ``ids``,
    full-width digits and letters (``１２３``) become ASCII (names keep theirs).
    ``raw``: the column as read (the array ``encoded`` was made from); when cleaning
    changes none of its values, the kept rows share its text (``_Text.unchanged``)."""
    codes, uniques = encoded
    stripped = pc.utf8_trim_whitespace(uniques)
    t = unwrap_all(uniques)
    if ids:
        t = halfwidth(t)
    trimmed_u = pc.and_(pc.not_equal(stripped, uniques), pc.not_equal(t, ""))
    fixed_u = pc.match_substring_regex(t, _FLOAT_ID.pattern) if float_ids else None
    if fixed_u is not None and pc.any(fixed_u).as_py():
        t = pc.if_else(fixed_u, pc.replace_substring_regex(t, r"\.0+$", ""), t)
    placeholder_u = None
    if placeholders:
        placeholder_u = pc.is_in(pc.utf8_lower(t), value_set=pa.array(sorted(placeholders)))
        t = pc.if_else(placeholder_u, "", t)
    t = pc.if_else(pc.equal(t, ""), pa.scalar(None, pa.string()), t)
    n = len(codes)
    if not len(uniques):
        enc = pc.dictionary_encode(t)
        none = np.zeros(n, bool)
        return _Text(np.full(n, -1, dtype=np.int32), enc.dictionary, none, none, none)
    code_u, distinct = _cleaned_codes(uniques, t)
    present = codes >= 0
    safe = np.where(present, codes, 0)

    def rows(per_unique: pa.Array | None) -> np.ndarray:
        per = None if per_unique is None else per_unique.to_numpy(zero_copy_only=False)
        if per is None or not per.any():
            return np.zeros(n, dtype=bool)  # calloc'd: no memory until written
        return per[safe] & present

    unchanged = (
        raw
        if raw is not None
        and (pa.types.is_string(raw.type) or pa.types.is_large_string(raw.type))
        and _same_values(uniques, t)
        else None
    )
    # every distinct value kept as it was: the column's own codes (shared, not copied)
    row_codes = codes if code_u is None else np.where(present, code_u[safe], -1)
    if unchanged is not None:
        # a row is missing exactly where its raw value is empty (or null): codes < 0
        unchanged = _empty_as_null(unchanged, valid=row_codes >= 0)
    return _Text(
        codes=row_codes,
        distinct=distinct,
        trimmed=rows(trimmed_u),
        fixed=rows(fixed_u),
        placeholder=rows(placeholder_u),
        unchanged=unchanged,
    )


def _cleaned_codes(uniques: pa.Array, t: pa.Array) -> tuple[np.ndarray | None, pa.Array]:
    """``t`` (the cleaned ``uniques``, null where missing) encoded again: (each unique's code
    among the distinct cleaned values, -1 where missing; those values), as
    ``pc.dictionary_encode(t)`` gives them. The codes are None when they are each unique's own
    position (every value kept as it was: ids, at 10 M lines millions of them).

    When every cleaned value that is not missing is its raw value, the cleaned values are
    already distinct (the raw ones are): their codes are their ranks among the values kept,
    and the encode (a hash of every value) is skipped."""
    valid = pc.is_valid(t)
    kept_as_is = pc.fill_null(pc.equal(t, uniques), False)
    if pc.all(pc.or_(pc.invert(valid), kept_as_is)).as_py() is not False:
        present = valid.to_numpy(zero_copy_only=False)
        if present.all():
            return None, t
        code_u = np.cumsum(present, dtype=np.int32) - 1
        code_u[~present] = -1
        return code_u, t.filter(valid)
    enc = pc.dictionary_encode(t)
    return enc.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int32), enc.dictionary


def _regex_rows(
    codes: np.ndarray, values: pa.Array, pattern: re.Pattern, *, prefilter: str | None = None
) -> np.ndarray:
    """Rows whose value (one of ``values``, by ``codes``; -1 = missing) matches ``pattern``,
    evaluated once per distinct value with Python's regex engine.

    ``prefilter``: an Arrow (RE2) regex that every ASCII value ``pattern`` matches also
    matches (e.g. ``^[Cc]`` for ``^[Cc]\\d+$``); Python's engine then runs only on the values
    it matches and on the non-ASCII ones (where ``\\d``, ``\\w`` … differ), so the result is
    the same, with a vectorised pass over a million distinct order ids instead of a
    million Python calls."""
    if len(values) == 0:
        return np.zeros(len(codes), dtype=bool)
    filled = values.fill_null("")
    if prefilter is None:
        per = np.fromiter((bool(pattern.search(u)) for u in filled.to_pylist()), bool, len(values))
    else:
        cand = pc.or_(
            pc.match_substring_regex(filled, prefilter), pc.invert(pc.string_is_ascii(filled))
        )
        idx = np.flatnonzero(cand.to_numpy(zero_copy_only=False))
        per = np.zeros(len(values), dtype=bool)
        if len(idx):
            sub = pc.take(filled, pa.array(idx)).to_pylist()
            per[idx] = np.fromiter((bool(pattern.search(u)) for u in sub), bool, len(idx))
    return per[np.where(codes < 0, 0, codes)] & (codes >= 0)


#: the rows' hash multiplier (2**64 / golden ratio, odd)
_MULT = 0x9E3779B97F4A7C15
#: above 2**26 rows, a row's position leaves under 38 bits of its hash in a sort key: the rows
#: are sorted by their whole hash (``np.argsort``) instead
_PACKED_ROW_BITS = 26


def _duplicates(codes: list[np.ndarray]) -> np.ndarray:
    """Exact duplicates of an earlier row, from the columns' dictionary codes.

    Rows are hashed (64-bit polynomial over the codes); every hash duplicate is then checked
    column by column against the first row with that hash, and the rows of a hash shared by
    rows that differ are compared exactly, so the result is exact (whatever the hash).

    Equal hashes are put side by side by a sort (not a hash table: pd.factorize of 10 M random
    hashes thrashes the cache). Up to 2**26 rows, one ``np.sort`` of 64-bit keys, each the
    top bits of the row's mixed hash above the row's position (at 10 M lines 40 bits of hash,
    24 of position), puts each run's rows in file order, at about half the time of an
    ``argsort`` of the hashes (clean11); the position bits cost hash bits, so a few more runs
    hold rows that differ, which the exact comparison then sorts out.
    """
    if not codes or len(codes[0]) == 0:
        return np.zeros(len(codes[0]) if codes else 0, dtype=bool)
    n = len(codes[0])
    h = _row_hash(codes)
    bits = max(int(n - 1).bit_length(), 1)
    if bits > _PACKED_ROW_BITS:
        return _duplicates_argsort(codes, h)
    with np.errstate(over="ignore"):
        h *= np.uint64(_MULT)  # the top bits of the product mix every column's bits
    h >>= np.uint64(bits)
    key = h  # the row's hash bits, in row order
    packed = key << np.uint64(bits)
    packed |= np.arange(n, dtype=np.uint64)
    packed.sort()
    runs = packed >> np.uint64(bits)
    again = np.flatnonzero(runs[1:] == runs[:-1]) + 1  # sorted positions repeating a hash
    if not len(again):
        return np.zeros(n, dtype=bool)
    starts = np.flatnonzero(runs[1:] != runs[:-1]) + 1
    del runs
    # each repeat's run begins at the last run start before it (or at 0)
    first_pos = np.r_[0, starts][np.searchsorted(starts, again, side="right")]
    row_mask = np.uint64((1 << bits) - 1)
    cand = (packed[again] & row_mask).astype(np.int64)
    ref = (packed[first_pos] & row_mask).astype(np.int64)
    del packed
    return _confirm(codes, key, cand, ref, n)


def _duplicates_argsort(codes: list[np.ndarray], h: np.ndarray) -> np.ndarray:
    """:func:`_duplicates` by an ``argsort`` of the rows' whole hashes ``h``."""
    n = len(h)
    order = np.argsort(h)
    hs = h[order]
    starts = np.flatnonzero(np.r_[True, hs[1:] != hs[:-1]])
    del hs
    if len(starts) == n:
        return np.zeros(n, dtype=bool)
    first = np.minimum.reduceat(order, starts)
    ref_sorted = np.repeat(first, np.diff(np.r_[starts, n]))
    later = order != ref_sorted
    return _confirm(codes, h, order[later], ref_sorted[later], n)


def _confirm(
    codes: list[np.ndarray], key: np.ndarray, cand: np.ndarray, ref: np.ndarray, n: int
) -> np.ndarray:
    """The duplicates among ``cand``, rows whose hash ``key`` is the earliest row's of its hash
    (``ref``): equal to it in every column; where a hash is shared by rows that differ
    (practically never), the rows of those hashes are compared exactly, so a repeat of any
    of them (not only of the first) is found."""
    dup = np.zeros(n, dtype=bool)
    dup[cand] = True
    same = np.ones(len(cand), dtype=bool)
    for c in codes:
        same &= c[cand] == c[ref]
    if not same.all():
        rows = np.flatnonzero(np.isin(key, key[cand[~same]]))
        dup[rows] = _exact_duplicates(codes, rows)
    return dup


def _row_hash(codes: list[np.ndarray]) -> np.ndarray:
    """Each row's 64-bit polynomial hash over its codes: h = h * M + (code + 1) per column,
    from 0, modulo 2**64 (M = 0x9E3779B97F4A7C15; a missing value's code -1 adds 0).

    Worked in place: h = h * M + code per column, then the sum of the columns' ``+ 1`` terms
    (M**(k-1) + … + M + 1 for k columns) added once at the end."""
    h = np.zeros(len(codes[0]), dtype=np.uint64)
    mult = np.uint64(_MULT)
    ones = 0
    with np.errstate(over="ignore"):
        for c in codes:
            h *= mult
            np.add(h, c, out=h, dtype=np.uint64, casting="unsafe")
            ones = (ones * _MULT + 1) % 2**64
        h += np.uint64(ones)
    return h


def _exact_duplicates(codes: list[np.ndarray], rows: np.ndarray) -> np.ndarray:
    """Whether each of ``rows`` (ascending) repeats an earlier one of them, by their codes: a
    Python pass, for the rows of colliding hashes only (the common path never gets here)."""
    seen: set[tuple[int, ...]] = set()
    out = np.zeros(len(rows), dtype=bool)
    for i, r in enumerate(rows):
        key = tuple(int(c[r]) for c in codes)
        out[i] = key in seen
        seen.add(key)
    return out
