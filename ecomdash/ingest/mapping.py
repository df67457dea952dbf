"""Propose which source column holds each canonical field, by names AND content.

Names: English and Chinese headers, and the layouts of Shopify, WooCommerce, Taobao-style
and UCI Online Retail exports (see ``SYNONYMS``). Content: a name match is confirmed (or
demoted) by what the column holds (numbers for amounts, dates for the date); files
without a header are mapped from content alone (a date column; an id that repeats across
dates is a customer, otherwise an order; a small whole number is a quantity; a decimal
amount is revenue). Headers we do not know (another language) get the same content
guesses for the fields no header matched, at lower confidence, with "check" in the reason.

Order totals: a column named like a total (Shopify ``Total``, ``Order Total``, ``订单金额``,
``总金额``, ``实付金额`` ...) is revenue unless the content shows it holds one total per order
(left blank on an order's later lines, or the same value on each of its lines) and quantity ×
unit price can be computed instead.

An auxiliary field ``status`` (order / financial / refund status) is proposed when present;
the cleaner uses it to flag refunded lines as returns. It is not stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ecomdash import schema
from ecomdash.errors import MappingError
from ecomdash.i18n import N_
from ecomdash.i18n.note import Field, Joined, Quoted, note, note_n, quoted
from ecomdash.ingest.content import (
    _content_candidates,
    _content_ok,
    _order_level_evidence,
    _partial,
    _profile,
)
from ecomdash.ingest.platforms_cn import Layout, layout_mapping
from ecomdash.ingest.roles import EVENT, PRIMARY_FIELD, ROLES, named_role, role_allows
from ecomdash.ingest.synonyms import (
    _PRIORITY,
    FIELDS,
    MIN_CONFIDENCE,
    ORDER_LEVEL_TOTALS,
    STATUS,
    SYNONYMS,
    is_known_header,
    normalise,
)
from ecomdash.ingest.table import RawTable

# the names and content evidence live in synonyms and content; these are imported from here
__all__ = [
    "EVENT",
    "FIELDS",
    "MIN_CONFIDENCE",
    "STATUS",
    "SYNONYMS",
    "FieldProposal",
    "MappingProposal",
    "available_columns",
    "check_enough",
    "is_known_header",
    "named_role",
    "normalise",
    "propose_mapping",
    "resolve_mapping",
]


@dataclass(frozen=True)
class FieldProposal:
    """One canonical field: the source column proposed (or None), confidence 0..1, why."""

    field: str
    column: str | None
    confidence: float
    reason: str


@dataclass(frozen=True)
class MappingProposal:
    """Canonical field → source column, with a confidence and a reason per field."""

    fields: tuple[FieldProposal, ...]
    source_columns: tuple[str, ...]
    notes: tuple[str, ...] = field(default=())
    #: what a merchant must check: roles left unmapped for low confidence, columns kept from a
    #: role their name contradicts
    warnings: tuple[str, ...] = field(default=())
    #: a recognised platform export (``platforms_cn.Layout.label``): mapped with no manual step
    layout: str | None = None

    def as_dict(self) -> dict[str, str]:
        """Mapped fields only: ``{canonical: source column}`` (includes ``status`` if mapped)."""
        return {f.field: f.column for f in self.fields if f.column is not None}

    def get(self, name: str) -> FieldProposal:
        return next(f for f in self.fields if f.field == name)

    def confidences(self) -> dict[str, float]:
        """Confidence per field (0 for a field left unmapped)."""
        return {f.field: round(float(f.confidence), 2) for f in self.fields}

    @property
    def available(self) -> frozenset[str]:
        """Canonical columns the cleaned table will have (mapped + derived)."""
        return available_columns(self.as_dict())

    def analyses(self) -> dict[str, set[str]]:
        """For each analysis of ``schema.REQUIREMENTS``: the columns still missing (empty = ok)."""
        have = self.available
        return {a: schema.missing_for(a, have) for a in schema.REQUIREMENTS}

    def to_frame(self) -> pd.DataFrame:
        """A table for the Data page: field, column, confidence, reason."""
        return pd.DataFrame(
            {
                "field": [f.field for f in self.fields],
                "column": [f.column for f in self.fields],
                "confidence": [round(f.confidence, 2) for f in self.fields],
                "reason": [f.reason for f in self.fields],
            }
        )


def available_columns(mapping: dict[str, str]) -> frozenset[str]:
    """Canonical columns a mapping yields, counting the derived ones."""
    have = {k for k in mapping if k in schema.CANONICAL}
    if schema.REVENUE not in have and {schema.QUANTITY, schema.UNIT_PRICE} <= have:
        have.add(schema.REVENUE)
    if schema.UNIT_PRICE not in have and {schema.QUANTITY, schema.REVENUE} <= have:
        have.add(schema.UNIT_PRICE)
    if schema.PRODUCT_ID not in have and schema.PRODUCT_NAME in have:
        have.add(schema.PRODUCT_ID)
    return frozenset(have)


# ---------------------------------------------------------------------------------------------
# proposals


def propose_mapping(raw: RawTable) -> MappingProposal:
    """Propose the mapping for ``raw`` (names first, confirmed by content)."""
    cols = list(raw.data.columns)
    known = layout_mapping(cols) if raw.has_header and raw.layout == "table" else None
    if known is not None:
        return _layout_proposal(cols, *known)
    profiles = {c: _profile(raw.data[c]) for c in cols}
    cands: list[tuple[float, int, str, str, str]] = []  # (score, -priority, field, col, reason)
    if raw.layout == "basket_list":
        fields = (
            FieldProposal(
                schema.ORDER_ID, "basket", 1.0, note(N_("basket list: one basket per line"))
            ),
            FieldProposal(
                schema.PRODUCT_ID, "item", 1.0, note(N_("basket list: the items of each line"))
            ),
        )
        rest = tuple(
            FieldProposal(f, None, 0.0, note(N_("not in a basket list")))
            for f in FIELDS
            if f not in (schema.ORDER_ID, schema.PRODUCT_ID)
        )
        allf = {f.field: f for f in (*fields, *rest)}
        return MappingProposal(tuple(allf[f] for f in FIELDS), tuple(cols))
    roles = {c: named_role(c) for c in cols}
    blocked: list[tuple[float, str, str, str]] = []  # (score, field, column, why it looked so)
    for c in cols:
        n = normalise(c)
        p = profiles[c]
        role = roles[c]
        matched = False
        for fld, names in SYNONYMS.items():
            strength = names.get(n)
            how = note(N_("header {column} matches {field}"), column=Quoted(c), field=Field(fld))
            if strength is None:
                strength, how = _partial(fld, n, c)
            if strength is None:
                continue
            mult, seen = _content_ok(fld, p)
            if not role_allows(role, fld):
                blocked.append((strength * mult, fld, c, how))
                continue
            if role is not None and mult < 1 and p.date < 0.9 and p.filled > 0:
                # store / department codes are often numbers: the name is the evidence
                mult, seen = 1.0, note(N_("the name says it is {role}"), role=note(ROLES[role][3]))
            matched = True
            score = strength * mult
            reason = note(N_("{how}; {note}"), how=how, note=seen) if seen else how
            cands.append((score, -_PRIORITY[fld], fld, c, reason))
        if role in PRIMARY_FIELD and not matched:
            fld = PRIMARY_FIELD[role]
            cands.append(
                (
                    0.8,
                    -_PRIORITY[fld],
                    fld,
                    c,
                    note(
                        N_("header {column} names {role}"),
                        column=Quoted(c),
                        role=note(ROLES[role][3]),
                    ),
                )
            )
    by_name = {t[2] for t in cands if t[0] >= 0.3}
    # with a header, content candidates for fields a header matched are dropped below: the
    # full-column scan that tells orders from customers is skipped when both are named
    content = _content_candidates(
        cols,
        profiles,
        raw,
        ids_needed=not raw.has_header or not {schema.ORDER_ID, schema.CUSTOMER_ID} <= by_name,
    )
    if raw.has_header:
        # headers we do not know (another language, a custom export): content decides, with
        # less confidence, only for fields no header matched
        content = [
            (
                score * 0.75,
                prio,
                fld,
                c,
                note(N_("{reason} (no header matched; check)"), reason=reason),
            )
            for score, prio, fld, c, reason in content
            if fld not in by_name and fld != schema.PRODUCT_NAME
        ]
    for t in content:
        if role_allows(roles[t[3]], t[2]):
            cands.append(t)
        else:
            blocked.append((t[0], t[2], t[3], t[4]))
    cands.sort(key=lambda t: (-t[0], -t[1], cols.index(t[3])))
    chosen: dict[str, FieldProposal] = {}
    used: set[str] = set()
    low: dict[str, tuple[float, str, str]] = {}
    for score, _prio, fld, c, reason in cands:
        if fld in chosen or c in used:
            continue
        if score < MIN_CONFIDENCE:
            if score >= 0.3 and fld not in low:
                low[fld] = (score, c, reason)
            continue
        chosen[fld] = FieldProposal(fld, c, round(float(score), 2), reason)
        used.add(c)
    warnings: list[str] = []
    for fld, (score, c, reason) in low.items():
        if fld in chosen or c in used:
            continue
        warnings.append(
            note(
                N_(
                    "{field} left unmapped: {column} might be it, but the evidence is weak "
                    "(confidence {score}: {reason}). Map it yourself if that is right."
                ),
                field=Field(fld),
                column=Quoted(c),
                score=f"{score:.2f}",
                reason=reason,
            )
        )
    seen: set[tuple[str, str]] = set()
    for score, fld, c, _why in sorted(blocked, key=lambda t: -t[0]):
        if score < 0.3 or (fld, c) in seen:
            continue
        seen.add((fld, c))
        warnings.append(
            note(
                N_(
                    "{column} is named like {role}, so it is not used as {field} "
                    "even though its values could fit."
                ),
                column=Quoted(c),
                role=note(ROLES[roles[c]][3]),
                field=Field(fld),
            )
        )
    notes: list[str] = []
    rev = chosen.get(schema.REVENUE)
    if (
        rev is not None
        and normalise(rev.column) in ORDER_LEVEL_TOTALS
        and schema.QUANTITY in chosen
        and schema.UNIT_PRICE in chosen
        and schema.ORDER_ID in chosen
    ):
        why = _order_level_evidence(raw, chosen[schema.ORDER_ID].column, rev.column)
        if why:
            del chosen[schema.REVENUE]
            notes.append(
                note(
                    N_(
                        "{column} is an order total ({why}); revenue per line is computed as "
                        "quantity × unit price instead (map it to revenue yourself if you prefer)."
                    ),
                    column=Quoted(rev.column),
                    why=why,
                )
            )
    fields = tuple(
        chosen.get(f) or FieldProposal(f, None, 0.0, note(N_("no matching column"))) for f in FIELDS
    )
    return MappingProposal(fields, tuple(cols), tuple(notes), tuple(warnings))


def _layout_proposal(cols: list[str], lay: Layout, mapping: dict[str, str]) -> MappingProposal:
    """A recognised platform export: its own mapping, with certainty (the headers say it)."""
    fields = tuple(
        FieldProposal(
            f,
            mapping[f],
            1.0,
            note(
                N_("{layout}: {column} is its {field}"),
                layout=note(lay.label),
                column=Quoted(mapping[f]),
                field=Field(f),
            ),
        )
        if f in mapping
        else FieldProposal(f, None, 0.0, note(N_("not in a {layout}"), layout=note(lay.label)))
        for f in FIELDS
    )
    notes: tuple[str, ...] = (
        note(N_("Recognised as a {layout}: mapped automatically."), layout=note(lay.label)),
    )
    if lay.note:
        notes += (note(N_("{note}."), note=note(lay.note)).capitalised(),)
    return MappingProposal(fields, tuple(cols), notes, (), note(lay.label))


# ---------------------------------------------------------------------------------------------
# validation


def resolve_mapping(
    raw: RawTable, proposal: MappingProposal, override: dict[str, str] | None
) -> dict[str, str]:
    """The mapping to clean with: the proposal updated by ``override``.

    ``override`` entries replace the proposal's; a value of ``None`` or ``""`` unmaps the
    field; a proposed field whose column the override gives to another field is dropped.
    Raises :class:`MappingError` on unknown fields/columns or when no analysis can run.
    """
    mapping = proposal.as_dict()
    if override:
        unknown = [k for k in override if k not in FIELDS]
        if unknown:
            raise MappingError(
                note_n(
                    "Unknown field in the mapping: {unknown}. Fields are: {fields}.",
                    "Unknown fields in the mapping: {unknown}. Fields are: {fields}.",
                    len(unknown),
                    unknown=quoted(unknown),
                    fields=", ".join(FIELDS),
                )
            )
        cols = set(raw.data.columns)
        missing = [v for v in override.values() if v and v not in cols]
        if missing:
            raise MappingError(
                note_n(
                    "The mapping names a column not in the file: {missing}. The file's "
                    "columns are: {columns}.",
                    "The mapping names columns not in the file: {missing}. The file's "
                    "columns are: {columns}.",
                    len(missing),
                    missing=quoted(missing),
                    columns=quoted(raw.data.columns),
                )
            )
        taken = {v for v in override.values() if v}
        mapping = {k: v for k, v in mapping.items() if v not in taken and k not in override}
        mapping.update({k: v for k, v in override.items() if v})
    check_enough(mapping, raw.columns)
    return mapping


def check_enough(mapping: dict[str, str], columns: tuple[str, ...] | list[str]) -> None:
    """Raise :class:`MappingError` unless some analysis can run on the mapped columns."""
    have = available_columns(mapping)
    ok = [a for a in schema.REQUIREMENTS if not schema.missing_for(a, have)]
    if ok:
        return
    # the analyses' names (schema.ANALYSIS_LABELS) and fields (schema.FIELD_NAMES, through
    # Field: the CLI's English keeps the ids --map takes) are shown in the UI language
    needs = Joined(
        (
            note(
                N_("{analysis} needs {fields}"),
                analysis=note(schema.ANALYSIS_LABELS[a]),
                fields=Joined(
                    (
                        Joined((Field(f) for f in sorted(alt)), " + ", translate_sep=False)
                        for alt in schema.REQUIREMENTS[a]
                    ),
                    N_(" or "),
                ),
            )
            for a in schema.REQUIREMENTS
        ),
        N_("; "),
    )
    found = Joined(
        (
            note(N_("{field} ← {column}"), field=Field(k), column=Quoted(v))
            for k, v in mapping.items()
        ),
        N_(", "),
    ) or note(N_("nothing"))
    raise MappingError(
        note(
            N_(
                "The columns found are not enough for any analysis. Mapped: {found} (file "
                "columns: {columns}). At least an order id + a product (a basket list), or a date "
                "+ an amount (a payments log) is needed. In detail: {needs}. Map the missing "
                "columns by hand, or export more columns."
            ),
            found=found,
            columns=quoted(columns),
            needs=needs,
        )
    )
