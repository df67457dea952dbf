"""Clean one file in parts with the in-app cleaning code (the Spark ingest's executors).

The whole-file ingest (:func:`ecomdash.ingest.load_path`) reads, maps and cleans every line
in one process. For an export too large for the app's machine, ``ecomdash/spark/ingest.py``
reads the file on the cluster and runs the functions here on each part; they call
:func:`ecomdash.ingest.clean.clean` itself, with the decisions that need the whole file taken
beforehand and passed in:

- the mapping and the formats (decimal mark of each number column, day/month order of the
  dates) are decided on a sample of the file's head (:func:`read_head`, :func:`infer_formats`:
  the same inference code, run on the sample);
- exact duplicates of an earlier row are found by Spark over the whole file (a window per
  identical row, ordered by line number) and passed in as a mask;
- whether ``C`` + digits order ids are cancellations (the share of such ids in the whole
  file) is decided from :func:`cancel_id_counts` summed over the parts;
- returns are matched to the sales they cancel per customer × product group
  (:func:`finish_returns`: the cleaner's own matching and its added return lines for
  refunded states), since a match needs every line of that customer and product;
- the parts' cleaning reports are summed into one (:func:`merge_reports`).
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ecomdash import schema
from ecomdash.i18n.note import note
from ecomdash.ingest.clean import (
    _CANCEL_ID,
    _CANCEL_PREFIX,
    CANCELLED_SALE_LABEL,
    cancel_label,
    clean,
    status_label,
)
from ecomdash.ingest.clean_text import _text
from ecomdash.ingest.cleaning_report import SAMPLE_ROWS, CleaningReport, RuleResult
from ecomdash.ingest.convert import codes_of, to_datetime, to_number
from ecomdash.ingest.returns import _STATUS_RULES, _add_status_returns, _match_cancellations
from ecomdash.ingest.table import STRING_DTYPE, RawTable

#: bytes of the file's head read in the app to propose the mapping and infer the formats
SAMPLE_BYTES = 8 * 1024 * 1024
#: the rejected rows kept in a report (as ``Store.save_dataset`` keeps)
MAX_REJECTED = 200_000
RETURNED_COL = "_returned"


def read_head(path: str | Path, *, max_bytes: int = SAMPLE_BYTES) -> tuple[bytes, bool]:
    """The first ``max_bytes`` of the file (unpacked when it is .gz), cut after its last
    complete line; and whether that is the whole file."""
    p = Path(path)
    with p.open("rb") as fh:
        gz = fh.read(2) == b"\x1f\x8b"
    opener = gzip.open if gz else open
    with opener(p, "rb") as fh:
        head = fh.read(max_bytes + 1)
    if len(head) <= max_bytes:
        return head, True
    head = head[:max_bytes]
    cut = head.rfind(b"\n")
    return (head[: cut + 1] if cut >= 0 else head), False


def infer_formats(raw: RawTable, mapping: dict[str, str]) -> dict:
    """The formats the cleaner decides per column, decided on ``raw`` (the sample) with the
    cleaner's own converters: ``{"decimal": {field: "." | ","}, "dayfirst": (bool, why) |
    None}`` (``None``: the sample has no day/month dates to decide on)."""
    decimal: dict[str, str] = {}
    for fld in (schema.QUANTITY, schema.UNIT_PRICE, schema.REVENUE):
        if mapping.get(fld):
            got: dict = {}
            to_number(raw.data[mapping[fld]], decision=got)
            decimal[fld] = got.get("decimal", ".")
    dayfirst = None
    if mapping.get(schema.ORDER_DATE):
        got = {}
        to_datetime(raw.data[mapping[schema.ORDER_DATE]], decision=got)
        dayfirst = got.get("dayfirst")
    return {"decimal": decimal, "dayfirst": dayfirst}


def part_table(frame: pd.DataFrame, columns: tuple[str, ...], line_no: np.ndarray) -> RawTable:
    """A part of the file as the cleaner's raw table (every cell text, missing = ``""``)."""
    data = pd.DataFrame(
        {c: frame[c].astype(STRING_DTYPE).fillna("").reset_index(drop=True) for c in columns}
    )
    return RawTable(data=data, line_no=np.asarray(line_no, dtype=np.int64), format="csv")


def cancel_id_counts(raw: RawTable, order_column: str) -> tuple[int, dict[str, int]]:
    """(rows, rows per cancellation-looking order id) of a part: what the cleaner's
    cancellation-invoice rule looks at (``C`` + digits, after its own trimming)."""
    enc = codes_of(raw.data[order_column])
    order = _text(enc, ids=True)
    c_ids = order.matches(_CANCEL_ID, prefilter=_CANCEL_PREFIX)
    ids, counts = np.unique(order.codes[c_ids], return_counts=True)
    names = order.distinct.to_pylist()
    return len(raw.data), {names[i]: int(k) for i, k in zip(ids, counts, strict=True)}


def clean_part(
    raw: RawTable,
    mapping: dict[str, str],
    *,
    formats: dict,
    duplicates: np.ndarray,
    cancel_invoices: bool,
) -> tuple[pd.DataFrame, CleaningReport]:
    """:func:`clean` on one part, with the whole file's decisions passed in; the lines carry
    ``_returned`` and no return matching yet (see :func:`finish_returns`)."""
    return clean(
        raw,
        mapping,
        formats=formats,
        duplicates=duplicates,
        cancel_invoices=cancel_invoices,
        defer_returns=True,
    )


def finish_returns(lines: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The cleaner's last steps on every line of some customer × product groups (in file
    order): returns matched to the sales they cancel (``is_cancelled``), then a return line
    added after each line whose state says refunded. Returns (lines, matched, added): the
    two masks over the returned lines."""
    lines = lines.sort_values(schema.LINE_NO, kind="stable").reset_index(drop=True)
    returned = (
        lines.pop(RETURNED_COL).fillna(False).to_numpy(dtype=bool)
        if RETURNED_COL in lines
        else np.zeros(len(lines), dtype=bool)
    )
    data = {c: lines[c] for c in lines.columns}
    codes = {
        f: codes_of(lines[f].astype(STRING_DTYPE))[0].astype(np.int64)
        for f in (schema.CUSTOMER_ID, schema.PRODUCT_ID)
        if f in lines
    }
    matched_idx = _match_cancellations(data, codes)
    matched = np.zeros(len(lines), dtype=bool)
    matched[matched_idx] = True
    lines[schema.IS_CANCELLED] = matched
    lines["_matched"] = matched
    lines, _ = _add_status_returns(lines, returned)
    added = _added_rows(returned)
    # an added return line copies its sale's row, ``_matched`` included
    matched = lines.pop("_matched").to_numpy(dtype=bool) & ~added
    return lines, matched, added


def _added_rows(returned: np.ndarray) -> np.ndarray:
    """Where ``_add_status_returns`` puts its added lines: right after each refunded line."""
    n = len(returned)
    pos = np.flatnonzero(returned)
    out = np.zeros(n + len(pos), dtype=bool)
    out[pos + np.arange(1, len(pos) + 1)] = True
    return out


def _merge_order(lists: list[list[str]]) -> list[str]:
    """The rules of every part in one order: each part's order kept, a rule only some parts
    have placed after its predecessor there."""
    out: list[str] = []
    for ids in lists:
        prev = None
        for r in ids:
            if r not in out:
                out.insert(out.index(prev) + 1 if prev is not None else 0, r)
            prev = r
    return out


def _first_rows(frames: list[pd.DataFrame], k: int) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame()
    df = pd.concat(frames, ignore_index=True)
    if "line_no" in df:
        df = df.sort_values("line_no", kind="stable")
    return df.head(k).reset_index(drop=True)


def merge_reports(
    reports: list[CleaningReport],
    *,
    invoices: int | None,
    matched: int | None,
    matched_sample: pd.DataFrame | None = None,
    added: int = 0,
) -> CleaningReport:
    """One report for the whole file from its parts' reports (in file order).

    Counts are summed; samples are the first lines of the file among the parts' samples;
    the labels that name whole-file figures (the number of cancellation invoices, the
    commonest order states) are rebuilt from the merged figures. ``invoices``: distinct
    cancellation order ids in the file (``None``: the rule did not apply); ``matched``:
    sales matched to their cancelling return (``None``: the file has no customer, product
    and quantity to match on); ``added``: return lines added for refunded states.
    """
    by_rule: dict[str, list[RuleResult]] = {}
    for rep in reports:
        for r in rep.rules:
            by_rule.setdefault(r.rule, []).append(r)
    statuses: dict[str, dict[str, int]] = {}
    for rep in reports:
        for kind, states in rep.statuses.items():
            merged = statuses.setdefault(kind, {})
            for state, k in states.items():
                merged[state] = merged.get(state, 0) + int(k)
    statuses = {
        kind: dict(sorted(states.items(), key=lambda kv: -kv[1]))  # stable: first seen first
        for kind, states in statuses.items()
    }
    status_rules = {rule: (kind, label) for kind, rule, _action, label in _STATUS_RULES}
    rules = []
    for rid in _merge_order([[r.rule for r in rep.rules] for rep in reports]):
        parts = by_rule[rid]
        label = parts[0].label
        if rid == "cancellation_invoice" and invoices is not None:
            label = cancel_label(invoices)
        elif rid in status_rules and status_rules[rid][0] in statuses:
            label = status_label(status_rules[rid][1], statuses[status_rules[rid][0]])
        rules.append(
            RuleResult(
                rid,
                label,
                sum(int(r.rows) for r in parts),
                parts[0].action,
                _first_rows([r.sample for r in parts], SAMPLE_ROWS),
            )
        )
    if matched is not None:
        rules.append(
            RuleResult(
                "cancelled_sale",
                note(CANCELLED_SALE_LABEL),
                int(matched),
                "flagged",
                matched_sample if matched_sample is not None else pd.DataFrame(),
            )
        )
    notes: list[str] = []
    for rep in reports:
        for n in rep.notes:
            if str(n) not in map(str, notes):
                notes.append(n)
    events: dict = {}
    for rep in reports:
        if rep.events:
            events.setdefault("column", rep.events.get("column"))
            events["dates"] = sorted(set(events.get("dates", [])) | set(rep.events["dates"]))
    first = reports[0] if reports else CleaningReport(0, 0, ())
    return CleaningReport(
        rows_read=sum(r.rows_read for r in reports),
        rows_kept=sum(r.rows_kept for r in reports),
        rules=tuple(rules),
        rejected=_first_rows([r.rejected for r in reports], MAX_REJECTED),
        matched_cancellations=int(matched or 0),
        notes=tuple(notes),
        kind=first.kind,
        events=events,
        added_returns=int(added),
        statuses=statuses,
        currency=first.currency,
    )


_CSV_NAME = re.compile(r"\.(csv|tsv|txt)(\.gz)?$", re.IGNORECASE)


def is_text_export(path: str | Path) -> bool:
    """Is ``path`` named as a delimited text export (``.csv``/``.tsv``/``.txt``, maybe
    ``.gz``)? Its content is checked on the sample."""
    return bool(_CSV_NAME.search(str(path)))
