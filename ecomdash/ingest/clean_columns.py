"""The cleaner's per-column work on two threads: each source column's codes, then what its
mapped fields make of them (cleaned text, numbers, dates), one column per step.

The steps are independent (one column each) and most of their time is Arrow compute (the
hash encode, trims, regexes) and numpy gathers, which release the GIL, so on two cores two
columns are worked on at once: at 10 M lines the encodes alone were 4.7 s of one core, the
text, number and date conversions another 4–5 s (``docs/SCALE.md``, section clean10).
Every step runs the same functions as one at a time on the same column, so the codes,
texts and converted values are the same; the cleaner adds its rules in its own order
afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from ecomdash import schema
from ecomdash.ingest.clean_text import _duplicates, _Text, _text
from ecomdash.ingest.convert import Converted, arrow_of, codes_of, to_datetime, to_number
from ecomdash.tasks import Tasks

#: the number fields (converted by ``to_number``)
NUMBER_FIELDS = (schema.QUANTITY, schema.UNIT_PRICE, schema.REVENUE)
#: the id fields (full-width digits made ASCII)
_ID_FIELDS = (schema.ORDER_ID, schema.CUSTOMER_ID, schema.PRODUCT_ID)


@dataclass(frozen=True)
class Columns:
    """``codes``: source column → its :func:`codes_of`; ``text``: text field → its
    :class:`_Text`; ``converted``: number or date field → its :class:`Converted`."""

    codes: dict[str, tuple[np.ndarray, pa.Array]]
    text: dict[str, _Text]
    converted: dict[str, Converted]
    #: the rows repeating an earlier row (:func:`_duplicates`), when asked for
    duplicates: np.ndarray | None = None


def _one_column(
    series: pd.Series, fields: list[str], text_opts: dict, formats: dict | None
) -> tuple[tuple[np.ndarray, pa.Array], dict]:
    """One source column: its codes, then each field mapped to it (as the cleaner did)."""
    codes = codes_of(series)
    out: dict = {}
    for fld in fields:
        if fld in text_opts:
            out[fld] = _text(codes, raw=arrow_of(series), **text_opts[fld])
        elif fld in NUMBER_FIELDS:
            out[fld] = to_number(
                series,
                encoded=codes,
                decimal=((formats or {}).get("decimal") or {}).get(fld),
            )
        elif fld == schema.ORDER_DATE:
            out[fld] = to_datetime(series, encoded=codes, dayfirst=(formats or {}).get("dayfirst"))
    return codes, out


def prepare_columns(
    src: pd.DataFrame,
    mapping: dict[str, str],
    *,
    text_opts: dict[str, dict],
    coded: list[str],
    formats: dict | None = None,
    workers: int = 2,
    rows_of: list[str] | None = None,
) -> Columns:
    """The codes of the ``coded`` source columns, and for each field of ``mapping`` in
    ``text_opts`` (field → :func:`_text`'s options), ``NUMBER_FIELDS`` or the order date, its
    cleaned text or converted values: one step per source column, ``workers`` at a time.

    The order date and the ids go first (the largest steps at 10 M lines: millions of
    distinct values each), so the two threads finish together.

    ``rows_of``: coded columns whose codes make up a row (all of the file's): the exact
    duplicate rows are found from them as one more step, after every column's, so it runs
    beside the last columns' conversions instead of alone after them (clean11)."""
    wanted = [f for f in mapping if f in text_opts or f in NUMBER_FIELDS or f == schema.ORDER_DATE]
    fields_of: dict[str, list[str]] = {c: [] for c in coded}
    for f in wanted:
        fields_of.setdefault(mapping[f], []).append(f)
    first = [schema.ORDER_DATE, schema.ORDER_ID, schema.CUSTOMER_ID]
    rank = {mapping[f]: i for i, f in reversed(list(enumerate(first))) if f in mapping}
    names = sorted(fields_of, key=lambda c: rank.get(c, len(first)))  # stable: file order
    with Tasks(workers if len(names) > 1 else 1) as tasks:
        futures = {
            c: tasks.submit(_one_column, src[c], fields_of[c], text_opts, formats) for c in names
        }
        # submitted last: a worker takes it once every column's step has started, and waits
        # only for the steps still running (none waits behind it: no deadlock)
        dup = (
            tasks.submit(_duplicate_rows, [futures[c] for c in rows_of])
            if rows_of is not None
            else None
        )
        done = {c: f.result() for c, f in futures.items()}
        duplicates = dup.result() if dup is not None else None
    text: dict[str, _Text] = {}
    converted: dict[str, Converted] = {}
    for _, per in done.values():
        for f, v in per.items():
            (text if isinstance(v, _Text) else converted)[f] = v
    return Columns({c: done[c][0] for c in names}, text, converted, duplicates)


def _duplicate_rows(steps: list) -> np.ndarray:
    """:func:`_duplicates` of the columns' codes, once their steps (futures) are done."""
    return _duplicates([step.result()[0][0] for step in steps])
