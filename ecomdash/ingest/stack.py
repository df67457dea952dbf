"""Several order exports of one upload → one dataset, stacked (twelve monthly Shopify exports, a
Taobao shop's export beside its JD shop's).

The files of an upload are **stacked** when every one is an order export of its own: a
recognised platform export (``platforms_cn.detect``) or a table with the lines' very columns
(:func:`ecomdash.ingest.multi.stack_names`); the related tables of one export (orders + items +
customers) are joined instead (``multi.combine``), as before. Each export is mapped (a
recognised platform maps itself; otherwise its own proposed mapping) and cleaned on its own
(:func:`clean_part`): its cleaning report's line numbers are its file's own ("line 12 of
jan.csv"). :func:`check_parts` refuses exports in different currencies and lists the fields one
export has and another lacks. :func:`save_parts` saves the first and appends the others
(``Store.append`` skips lines already saved: two exports holding the same March do not double
it), so the dataset equals, figure for figure, saving the first file and appending the rest;
each file's cleaning report, named by its file, is kept in the dataset's report.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ecomdash import schema as S
from ecomdash.errors import EcomdashError, InputFileError, ParameterError
from ecomdash.i18n import N_
from ecomdash.i18n.note import Field, Note, Quoted, note, note_n
from ecomdash.ingest.clean import CleaningReport, clean
from ecomdash.ingest.mapping import MappingProposal, propose_mapping, resolve_mapping
from ecomdash.ingest.read import RawTable
from ecomdash.store_tables import LINE_COLUMNS, fields_not_kept, report_dict


@dataclass(frozen=True)
class Part:
    """One export of a stacked upload, read, mapped and cleaned on its own."""

    name: str  # the file's (table's) name
    raw: RawTable
    proposal: MappingProposal
    resolved: dict
    lines: pd.DataFrame = field(repr=False)
    report: CleaningReport = field(repr=False)

    @property
    def currency(self) -> str | None:
        """The amounts' currency: the platform's, or the one read off the amounts."""
        from ecomdash.labels import display_for

        return display_for(self.report.to_dict()).currency

    @property
    def fields(self) -> tuple[str, ...]:
        """The canonical fields its lines hold."""
        return tuple(c for c in S.CANONICAL if c in self.lines.columns)


@dataclass(frozen=True)
class FileResult:
    """What saving one export did: lines offered, added, and skipped as already saved."""

    name: str
    rows_read: int
    offered: int
    added: int
    duplicates: int
    seconds: float
    #: the fields this file has that the dataset it was appended to lacks: not saved
    not_kept: tuple[str, ...] = ()
    #: sale lines of the files saved before it that its returns cancel
    returns_across: int = 0
    #: its sale lines that a return in a file saved before it cancels
    sales_across: int = 0


@dataclass(frozen=True)
class StackResult:
    """The dataset the exports became and each file's result, in upload order."""

    dataset: object  # DatasetInfo
    files: tuple[FileResult, ...]
    seconds: float
    #: sale lines of one export cancelled by a return in another (a return in February of a
    #: January sale), which neither file's own cleaning could match
    cancelled_across: int = 0

    @property
    def not_kept_notes(self) -> tuple[Note, ...]:
        """Each appended file's fields the dataset lacks, said (:func:`not_kept_note`)."""
        return tuple(
            not_kept_note(f.name, f.not_kept, self.dataset.name) for f in self.files if f.not_kept
        )


def clean_part(name: str, raw: RawTable, mapping: dict | None = None) -> Part:
    """One export mapped (its own proposal, ``mapping`` overriding it field by field) and cleaned
    on its own. A problem is reported with the file's name."""
    try:
        proposal = propose_mapping(raw)
        resolved = resolve_mapping(raw, proposal, mapping)
        lines, report = clean(raw, resolved)
    except EcomdashError as exc:
        reason = exc.args[0] if exc.args else str(exc)
        raise type(exc)(note(N_("{file}: {reason}"), file=Quoted(name), reason=reason)) from None
    return Part(name, raw, proposal, resolved, lines, report)


def check_parts(parts: list[Part] | tuple[Part, ...]) -> tuple[Note, ...]:
    """Refuse exports that cannot make one dataset (different currencies, summed sales beside
    order lines); else the notes: an export whose amounts carry no currency sign beside one
    in a currency (a shop's own CSV beside a ¥ platform export: the dataset took CNY without
    a word; now the file is named, the currency chosen when saving decides), and the fields
    some exports have and others lack."""
    currencies = {p.name: p.currency for p in parts if p.currency}
    if len(set(currencies.values())) > 1:
        raise ParameterError(
            note(
                N_(
                    "These exports are in different currencies ({files}): their amounts cannot "
                    "be added up in one dataset. Save each currency as a dataset of its own "
                    "(upload its files together), or convert the amounts first."
                ),
                files=tuple(
                    note(N_("{file} in {currency}"), file=Quoted(n), currency=c)
                    for n, c in currencies.items()
                ),
            )
        )
    kinds = {p.report.kind for p in parts}
    if len(kinds) > 1:
        summed = tuple(Quoted(p.name) for p in parts if p.report.kind == S.KIND_SUMMED)
        raise ParameterError(
            note(
                N_(
                    "{files} already summed (a date, groups and an amount, no order id), the "
                    "others are order lines: they cannot be stacked into one dataset. Upload "
                    "them separately."
                ),
                files=summed,
            )
        )
    notes = []
    if currencies:  # one currency: an export without a sign is taken to be in it, said so
        (code,) = set(currencies.values())
        signed = tuple(Quoted(n) for n in currencies)
        for p in parts:
            if not p.currency:
                notes.append(
                    note(
                        N_(
                            "{file} has amounts without a currency sign, {others} in "
                            "{currency}: stacked, every amount is taken to be in the dataset's "
                            "one currency. If {file} is not in {currency}, save it as a dataset "
                            "of its own."
                        ),
                        file=Quoted(p.name),
                        others=signed,
                        currency=code,
                    )
                )
    have = {f for p in parts for f in p.fields}
    for p in parts:
        lacks = tuple(Field(f) for f in S.CANONICAL if f in have and f not in p.fields)
        if lacks:
            notes.append(
                note_n(
                    "{file} has no {fields}: its {n} line has none.",
                    "{file} has no {fields}: its {n} lines have none.",
                    len(p.lines),
                    file=Quoted(p.name),
                    fields=lacks,
                )
            )
    return tuple(notes)


def not_kept_note(file: str, fields: tuple[str, ...], dataset: str) -> Note:
    """What an append left out: the fields ``file`` has that the dataset lacks
    (:func:`ecomdash.store_tables.fields_not_kept`), and what to do to keep them."""
    return note(
        N_(
            "{file} has {fields}, which the dataset {dataset} does not have: a file added to "
            "a dataset keeps the dataset's columns, so these values were not saved. To keep "
            "them, save the file as a new dataset."
        ),
        file=Quoted(file),
        fields=tuple(Field(f) for f in fields),
        dataset=Quoted(dataset),
    )


def _with_fields(lines: pd.DataFrame, fields: set[str]) -> pd.DataFrame:
    """The lines with every field of ``fields`` (empty where they have none): the dataset keeps
    the first file's columns, so a field only a later export has would be dropped."""
    missing = [f for f in S.CANONICAL if f in fields and f not in lines.columns]
    if not missing:
        return lines
    out = lines.copy()
    for f in missing:
        kind = LINE_COLUMNS.get(f)
        if kind == "DOUBLE":
            out[f] = np.nan
        elif kind == "TIMESTAMP":
            out[f] = pd.NaT
        else:
            out[f] = pd.Series(pd.NA, index=out.index, dtype="string")
    return out


#: the columns :func:`rematch` reads of a dataset's lines
REMATCH_COLUMNS = (
    S.LINE_NO,
    S.CUSTOMER_ID,
    S.PRODUCT_ID,
    S.QUANTITY,
    S.ORDER_DATE,
    S.IS_RETURN,
    S.IS_CANCELLED,
)


@dataclass(frozen=True)
class Rematched:
    """The flags of a dataset's lines re-matched after an append (:func:`rematch_across`),
    and what the append did across files, counted as a merchant reads them: never a net
    figure (a stacked upload's per-file net went below zero, -7 for UCI's March 2010)."""

    flags: np.ndarray
    #: how many more sale lines the flags cancel than before (the dataset's total moves by it)
    more: int
    #: sale lines saved before that a return of the appended lines cancels
    returns_across: int = 0
    #: sale lines of the appended ones that a return saved before cancels (exports need not
    #: come in date order)
    sales_across: int = 0


def rematch(lines: pd.DataFrame) -> tuple[np.ndarray, int]:
    """:func:`rematch_across`' flags and how many more lines they flag."""
    got = rematch_across(lines)
    return got.flags, got.more


def rematch_across(lines: pd.DataFrame, offset: int | None = None) -> Rematched:
    """The ``is_cancelled`` flags of a dataset's lines after an append, as one file of all its
    exports would flag them (each export is cleaned alone: a return in February's export,
    appended to a dataset holding January's, left January's sale uncancelled).

    ``lines``: EVERY saved line (the append's included) of some customer × product ×
    quantity-size groups, with :data:`REMATCH_COLUMNS` (``order_date`` may be absent), in any
    order: file order is ``line_no`` (an append numbers its lines after the saved ones), a
    refunded state's sale before its added return line, which shares its line number and is
    not matched again (the sale keeps its flag). Only sale lines' flags change. ``offset``:
    the line number the appended lines follow, to count the matches across them and the
    lines saved before (:class:`Rematched`)."""
    from ecomdash.ingest.returns import _match_pairs

    old = lines[S.IS_CANCELLED].fillna(False).to_numpy(dtype=bool)
    if not len(lines):
        return Rematched(old, 0)
    is_ret = lines[S.IS_RETURN].fillna(False).to_numpy(dtype=bool)
    line_no = lines[S.LINE_NO].to_numpy(dtype=np.int64)
    order = np.lexsort((is_ret, line_no))  # file order, a sale before its added return
    dup = pd.Series(line_no).duplicated(keep=False).to_numpy()
    twin = dup & ~is_ret & old  # a refunded state's sale: cancelled by its state
    added = dup & is_ret  # its added return line: not a return to match
    use = order[~added[order]]
    cols = [c for c in (S.CUSTOMER_ID, S.PRODUCT_ID, S.QUANTITY, S.ORDER_DATE) if c in lines]
    data = {c: lines[c].iloc[use].reset_index(drop=True) for c in cols}
    data[S.IS_RETURN] = pd.Series(is_ret[use])
    codes = {
        c: pd.factorize(data[c].astype("string"), use_na_sentinel=True)[0]
        for c in (S.CUSTOMER_ID, S.PRODUCT_ID)
        if c in data
    }
    sales, by = _match_pairs(data, codes)
    flags = twin.copy()
    flags[use[sales]] = True
    flags = np.where(is_ret, old, flags)
    more = int(flags.sum()) - int(old.sum())
    if offset is None:
        return Rematched(flags, more)
    new_sale = line_no[use[sales]] > offset
    new_return = line_no[use[by]] > offset
    return Rematched(
        flags,
        more,
        returns_across=int((new_return & ~new_sale).sum()),
        sales_across=int((new_sale & ~new_return).sum()),
    )


def appended_across_note(n: int) -> Note | None:
    """The sentence saying how many sale lines an append newly cancels (``n``:
    ``AppendResult.cancelled_across``): a return in the appended export of a sale saved
    before (or a saved return of a sale the export holds), if any."""
    if n <= 0:
        return None
    return note_n(
        "{n} sale line is cancelled by a return in another export of this dataset (a "
        "January sale returned in February's export, say), as one file of all of them would "
        "count it.",
        "{n} sale lines are cancelled by a return in another export of this dataset (a "
        "January sale returned in February's export, say), as one file of all of them would "
        "count them.",
        n,
        n=f"{n:,}",
    )


def across_note(n: int) -> Note | None:
    """The sentence saying how many sales (``n``: :attr:`StackResult.cancelled_across`, or the
    saved dataset's :func:`cancelled_across`) a return in another export cancels, if any."""
    if n <= 0:
        return None
    return note_n(
        "{n} sale line is cancelled by a return in another of these exports (a return the "
        "month after the sale, say), as one file of all of them would count it.",
        "{n} sale lines are cancelled by a return in another of these exports (a return the "
        "month after the sale, say), as one file of all of them would count them.",
        n,
        n=f"{n:,}",
    )


def cancelled_across(report: dict) -> int:
    """How many more sale lines of a saved dataset are cancelled than each of its files' own
    cleaning cancelled: a return in one export, its sale in another (each append's re-match
    records its own; a dataset saved before them recorded a stacked upload's in its first
    file's report)."""
    reports = [report, *((a.get("report") or {}) for a in report.get("appends", []))]
    return sum(int(r.get("cancelled_across", 0)) for r in reports)


def saved_counts(report: dict, cancelled: int) -> dict:
    """A saved dataset's cleaning report with the counts of every file saved to it: rows read,
    kept (and return lines added) summed over the first file and each append (an append
    saved without a report counts the lines it offered), the duplicate lines the appends
    skipped, and ``cancelled``, the sale lines
    cancelled now (``Store.cancelled_sales``: each file's own matches and those re-matched
    across files). After appends the Data page's tiles said the first file's alone (UCI's
    first month with its second appended: 45,228 rows read of 76,783, 117 sale lines
    cancelled of 278)."""
    read = int(report.get("rows_read") or 0)
    kept = int(report.get("rows_kept") or 0)
    added = int(report.get("added_returns") or 0)
    skipped = 0
    for app in report.get("appends", []):
        rep = app.get("report") or {}
        offered = int(app.get("rows_offered") or 0)
        read += int(rep.get("rows_read", offered) or 0)
        kept += int(rep.get("rows_kept", offered) or 0)
        added += int(rep.get("added_returns") or 0)
        skipped += int(app.get("duplicates") or 0)
    return {
        **report,
        "rows_read": read,
        "rows_kept": kept,
        "added_returns": added,
        "matched_cancellations": int(cancelled),
        #: lines a file repeated, already saved: kept by its cleaning, not saved again
        "duplicates_skipped": skipped,
    }


def _file_report(part: Part) -> dict:
    return {"file": part.name, **report_dict(part.report)}


def _rejected(part: Part) -> pd.DataFrame:
    rej = part.report.rejected
    if rej is None or not len(rej):
        return rej
    out = rej.copy()
    out.insert(0 if "line_no" not in out else 1, "file", part.name)
    return out


def save_parts(
    store,
    parts: list[Part] | tuple[Part, ...],
    *,
    name: str | None = None,
    append_to: str | None = None,
    currency: str | None = None,
    progress: Callable[[Part, int, int], None] | None = None,
) -> StackResult:
    """Save the first export as the dataset ``name`` (or append it to ``append_to``), then
    append each other one: lines already saved are skipped. ``progress(part, i, n)`` is called
    before each file. A failure after the first save deletes the new dataset again (an append
    to an existing dataset keeps the files appended before the failure; the error says which)."""
    if len(parts) < 1:
        raise InputFileError(note(N_("No file was given. Upload the tables of your export.")))
    from ecomdash.currencies import with_currency

    check_parts(parts)
    found = next((p.currency for p in parts if p.currency), None)
    have = {f for p in parts for f in p.fields}
    t_all = time.perf_counter()
    results: list[FileResult] = []
    info = None
    created = None
    across = 0
    try:
        for i, part in enumerate(parts):
            if progress is not None:
                progress(part, i, len(parts))
            t0 = time.perf_counter()
            lines = _with_fields(part.lines, have)
            report = _file_report(part)
            matched = (0, 0)  # its returns' and its sales' matches with the files before it
            if i == 0 and append_to is None:
                if found and not report.get("currency"):
                    report["currency"] = found  # another export's (¥ from the platform)
                info = store.save_dataset(
                    name or part.name,
                    lines,
                    report=with_currency(report, currency),
                    mapping={k: v for k, v in part.resolved.items() if v},
                    rejected=_rejected(part),
                )
                created = info.id
                added, offered = info.rows, len(part.lines)
                not_kept = ()
            else:
                target = store.info(created) if created else store.resolve(append_to)
                not_kept = fields_not_kept(target.columns, part.lines)
                # the Overview tables once, with the last file (each append built them: 13
                # monthly UCI files, 3.2-7.9 s of a 6.4-15.7 s save; now 0.9 s, at load 7)
                res = store.append(
                    target.id,
                    lines,
                    report=report,
                    rejected=_rejected(part),
                    rollup_now=i == len(parts) - 1,
                )
                info, added, offered = res.dataset, res.added, res.added + res.duplicates
                # a return in this export cancels a sale of the files saved before it (this
                # upload's or the dataset's), or the other way round: the append re-matches
                # them as one file of them all would. Each append's own counts, never a net
                # figure: the upload matched all its files at once before, and each append
                # then undid the matches of files not saved yet (UCI's monthly files: -7)
                across += res.cancelled_across
                matched = (res.returns_across, res.sales_across)
            results.append(
                FileResult(
                    part.name,
                    part.report.rows_read,
                    offered,
                    added,
                    offered - added,
                    time.perf_counter() - t0,
                    not_kept,
                    *matched,
                )
            )
    except Exception:
        if created is not None:  # the new dataset is all the files or nothing
            store.delete(created)
        raise
    return StackResult(info, tuple(results), time.perf_counter() - t_all, across)


def clean_parts(
    tables: dict[str, RawTable],
    sources: dict[str, str] | None = None,
    *,
    mapping: dict | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> tuple[Part, ...]:
    """Every export of ``tables`` (``multi.read_tables``) mapped and cleaned on its own, named
    by its file (``sources``: table → file name); ``progress(file, i, n)`` before each."""
    out = []
    files = list((sources or {}).get(t, t) for t in tables)
    for i, (table, raw) in enumerate(tables.items()):
        name = files[i] if files.count(files[i]) == 1 else table  # two orders.csv: "orders (2)"
        if progress is not None:
            progress(name, i, len(tables))
        out.append(clean_part(name, raw, mapping))
    return tuple(out)
