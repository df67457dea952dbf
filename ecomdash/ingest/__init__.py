"""Ingest any merchant order export: read → map → clean, with a report.

>>> from ecomdash.ingest import load_bytes
>>> res = load_bytes(b"Invoice,StockCode,Quantity\\n1,A,2\\n1,B,1\\n", "orders.csv")
>>> res.report.rows_kept
2

- :func:`inspect_bytes` reads only (a :class:`RawTable` of strings) so a page can show the
  columns; :func:`propose_mapping` proposes canonical → source columns with a confidence
  and a reason; :func:`clean` applies a mapping and the cleaning rules.
- :func:`load_bytes` / :func:`load_path` do all three.

The uploaded file name is used only for its extension, never as a path.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ecomdash.i18n import N_
from ecomdash.ingest.clean import CleaningReport, RuleResult, clean
from ecomdash.ingest.mapping import (
    FieldProposal,
    MappingProposal,
    propose_mapping,
    resolve_mapping,
)
from ecomdash.ingest.read import (
    DEFAULT_MAX_BYTES,
    RawTable,
    SheetChoiceError,
    read_bytes,
)

__all__ = [
    "DEFAULT_MAX_BYTES",
    "CleaningReport",
    "FieldProposal",
    "IngestResult",
    "MappingProposal",
    "RawTable",
    "RuleResult",
    "SheetChoiceError",
    "clean",
    "inspect_bytes",
    "load_bytes",
    "load_path",
    "propose_mapping",
]


@dataclass(frozen=True)
class IngestResult:
    """A loaded file: canonical ``lines``, the cleaning ``report``, the ``mapping`` used
    (proposal updated by any override), and ``raw_info`` (how the file was read)."""

    lines: pd.DataFrame
    report: CleaningReport
    mapping: MappingProposal
    raw_info: dict


def inspect_bytes(
    data: bytes, filename: str, *, sheet: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> RawTable:
    """Read only: the file as a table of strings (no mapping, no cleaning)."""
    return read_bytes(data, filename, sheet=sheet, max_bytes=max_bytes)


def _final_proposal(proposal: MappingProposal, mapping: dict[str, str]) -> MappingProposal:
    fields = []
    for f in proposal.fields:
        col = mapping.get(f.field)
        if col == f.column:
            fields.append(f)
        elif col is None:
            fields.append(FieldProposal(f.field, None, 0.0, "not mapped" if f.column else f.reason))
        else:
            fields.append(FieldProposal(f.field, col, 1.0, "chosen by you"))
    return MappingProposal(
        tuple(fields),
        proposal.source_columns,
        proposal.notes,
        proposal.warnings,
        proposal.layout if mapping == proposal.as_dict() else None,
    )


def load_bytes(
    data: bytes,
    filename: str,
    *,
    mapping: dict[str, str] | None = None,
    sheet: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> IngestResult:
    """Read, map and clean an uploaded file.

    ``mapping`` (canonical field → source column) overrides the proposal field by field; a
    value of ``None``/``""`` unmaps that field. Raises ``InputFileError`` (unreadable file),
    ``SheetChoiceError`` (a workbook with several sheets: pass ``sheet=``) or ``MappingError``
    (not enough columns for any analysis).
    """
    return _map_and_clean(read_bytes(data, filename, sheet=sheet, max_bytes=max_bytes), mapping)


def _map_and_clean(raw: RawTable, mapping: dict[str, str] | None) -> IngestResult:
    proposal = propose_mapping(raw)
    resolved = resolve_mapping(raw, proposal, mapping)
    lines, report = clean(raw, resolved)
    return IngestResult(
        lines=lines,
        report=report,
        mapping=_final_proposal(proposal, resolved),
        raw_info=raw.info(),
    )


def load_path(
    path: str | Path,
    *,
    mapping: dict[str, str] | None = None,
    sheet: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> IngestResult:
    """:func:`load_bytes` on a file on disk (its name is used only for the extension)."""
    p = Path(path)
    size = p.stat().st_size
    if size > max_bytes:
        from ecomdash.ingest.table import _check_size

        _check_size(size, max_bytes, N_("The file"))
    # read here rather than through load_bytes, so the file's bytes (~300 MB for a 10 M-line
    # .csv.gz) are freed once parsed instead of being held through the cleaning
    raw = read_bytes(p.read_bytes(), p.name, sheet=sheet, max_bytes=max_bytes)
    return _map_and_clean(raw, mapping)
