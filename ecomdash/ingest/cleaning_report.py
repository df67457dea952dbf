"""The cleaning report: one :class:`RuleResult` per rule (what was dropped, flagged or counted,
with sample lines) gathered in a :class:`CleaningReport`, JSON-able for the saved dataset.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ecomdash import schema
from ecomdash.i18n import N_, _
from ecomdash.i18n.note import Note, from_json, note, to_json, tr_note

SAMPLE_ROWS = 5


@dataclass(frozen=True)
class RuleResult:
    """One cleaning rule: how many rows it touched and what was done with them."""

    rule: str
    label: str
    rows: int
    action: str  # "dropped" | "flagged" | "kept"
    sample: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)

    def to_dict(self) -> dict:
        return {
            "rule": self.rule,
            "rows": int(self.rows),
            "action": self.action,
            "label": str(self.label),
            # the label's message id and fields: the Data page shows it in the UI language
            "label_msg": to_json(self.label),
        }


@dataclass(frozen=True)
class CleaningReport:
    """What cleaning found and did. ``rejected``: the dropped rows (line_no, reason, columns)."""

    rows_read: int
    rows_kept: int
    rules: tuple[RuleResult, ...]
    rejected: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)
    matched_cancellations: int = 0
    notes: tuple[str, ...] = ()
    #: ``schema.KIND_LINES`` or ``schema.KIND_SUMMED`` (already summed sales)
    kind: str = schema.KIND_LINES
    #: summed tables: the flag column and the dates it marks (ISO), e.g. holidays
    events: dict = field(default_factory=dict)
    #: return lines added for lines whose state says refunded after the sale (退款成功 …):
    #: the table holds ``rows_kept + added_returns`` lines
    added_returns: int = 0
    #: Chinese order states by what they mean (``returned``, ``refund_pending``,
    #: ``cancelled``, ``unpaid``): ``{kind: {state: rows}}``
    statuses: dict = field(default_factory=dict)
    #: the amounts' currency (ISO code) when the file's layout says it, whether or not its
    #: amounts carry a sign: a Chinese marketplace's export (淘宝, 京东 …) is in yuan (``CNY``)
    currency: str | None = None

    def rule(self, rule_id: str) -> RuleResult:
        """The rule with id ``rule_id`` (KeyError if it did not apply to this file)."""
        for r in self.rules:
            if r.rule == rule_id:
                return r
        raise KeyError(rule_id)

    def counts(self) -> dict[str, int]:
        return {r.rule: int(r.rows) for r in self.rules}

    def to_dict(self) -> dict:
        extra = {"currency": self.currency} if self.currency else {}
        return {
            "rows_read": int(self.rows_read),
            "rows_kept": int(self.rows_kept),
            "rows_dropped": int(self.rows_read - self.rows_kept),
            "matched_cancellations": int(self.matched_cancellations),
            "rules": [r.to_dict() for r in self.rules],
            "notes": [str(n) for n in self.notes],
            "notes_msg": [to_json(n) for n in self.notes],
            "kind": self.kind,
            "events": dict(self.events),
            "added_returns": int(self.added_returns),
            "statuses": {k: dict(v) for k, v in self.statuses.items()},
            **extra,
        }


def generated_report(
    lines: pd.DataFrame, *, currency: str | None = None, places: str | None = None
) -> dict:
    """The saved report of lines that were generated rather than read (the demo merchants):
    nothing was dropped, and its rules count the flags the lines carry under the labels the
    cleaning gives them — cancellation orders (order id ``C…``) and other returns, postage and
    fee lines, guest lines — and the sale lines a later return cancels, so the Data page's
    report of a demo says what an upload of the same lines would. ``currency``: the
    dataset's currency code, recorded with the report as an upload's is. ``places``:
    :data:`ecomdash.labels.PROVINCES` when the country column holds provinces (the Chinese
    demo), so the pages label it "Province" (``labels.places_are_provinces``).
    """
    # the cleaning's own labels (clean imports this module, so it is imported here)
    from ecomdash.ingest.clean import cancel_label

    n = len(lines)

    def flag(column: str):
        if column not in lines:
            return np.zeros(n, dtype=bool)
        return lines[column].fillna(False).astype(bool).to_numpy()

    returns = flag(schema.IS_RETURN)
    c_orders = np.zeros(n, dtype=bool)
    if schema.ORDER_ID in lines:
        order = lines[schema.ORDER_ID].astype("string")
        c_orders = returns & order.str.startswith("C").fillna(False).to_numpy()
    rules = []
    if c_orders.any():
        invoices = int(lines.loc[c_orders, schema.ORDER_ID].nunique())
        rules.append(
            RuleResult(
                "cancellation_invoice", cancel_label(invoices), int(c_orders.sum()), "flagged"
            )
        )
    rules.append(
        RuleResult(
            "negative_quantity",
            note(N_("negative quantity (a return) outside cancellation orders")),
            int((returns & ~c_orders).sum()),
            "flagged",
        )
    )
    if schema.CUSTOMER_ID in lines:
        rules.append(
            RuleResult(
                "missing_customer",
                note(N_("no customer id (guest orders)")),
                int(lines[schema.CUSTOMER_ID].isna().sum()),
                "kept",
            )
        )
    rules.append(
        RuleResult(
            "non_product",
            note(N_("postage, fees, adjustments and other non-product lines")),
            int(flag(schema.IS_NON_PRODUCT).sum()),
            "flagged",
        )
    )
    report = CleaningReport(
        rows_read=n,
        rows_kept=n,
        rules=tuple(rules),
        matched_cancellations=int(flag(schema.IS_CANCELLED).sum()),
        notes=(
            note(
                N_(
                    "Generated by ecomdash, not read from a file: no row was dropped; the rules "
                    "count the flags its lines carry."
                )
            ),
        ),
    ).to_dict()
    if currency:
        report["currency"] = currency
    if places:
        report["places"] = places
    return report


#: what a cleaning rule did with its rows (the report keeps the English ids)
ACTIONS = {"dropped": N_("dropped"), "flagged": N_("flagged"), "kept": N_("kept")}


def rule_label(rule: dict) -> str:
    """A cleaning rule's label (a report's ``rules`` entry) in the current language (the Data
    page's, ``ecomdash ingest``'s); reports saved before labels kept their message id show as
    saved."""
    from ecomdash.ingest.clean import CANCELLED_SALE_LABEL, OLD_CANCELLED_SALE_LABEL

    msg = from_json(rule.get("label_msg"))
    if isinstance(msg, Note) and msg.msgid == OLD_CANCELLED_SALE_LABEL:
        msg = note(CANCELLED_SALE_LABEL)  # a report saved with the label's earlier wording
    return tr_note(msg) if isinstance(msg, Note) else str(rule.get("label", rule.get("rule", "")))


def action_label(rule: dict) -> str:
    """What a cleaning rule did with its rows (a report's ``rules`` entry), in the current
    language."""
    action = rule.get("action")
    return _(ACTIONS[action]) if action in ACTIONS else str(action or "")
