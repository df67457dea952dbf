"""Turn a mapped raw table into the canonical order-line table, with a cleaning report.

Every rule is counted on the rows as read from the file (so the counts match what a
merchant sees in the file), with a sample of original lines. Rows are **dropped** only for
an unreadable date, an unreadable number, an exact duplicate of an earlier row, or a
malformed line; everything else is **kept** (and flagged or counted). Exact duplicates are
dropped only when an order id is mapped: without one (a payments log such as CDNOW) two
identical rows may be two purchases, so they are kept and counted (``identical_rows``).

- returns (``is_return``): cancellation invoices (order id ``C`` + digits, when the file
  also has ordinary numeric ids), negative quantities, refunded status (English words);
- Chinese order states (``platforms_cn.status_kind``): cancelled / closed before payment and
  unpaid orders are dropped (never a sale); a line refunded after the sale is kept, flagged
  ``is_cancelled``, and a return line is added after it (``report.added_returns``); a refund
  in progress is counted and kept as a sale;
- each return line is matched, where possible, to the earlier sale line it cancels (same
  customer and product, opposite quantity, sale not after the return; the latest such sale,
  each sale matched once) → that sale gets ``is_cancelled``;
- non-product lines (``is_non_product``): ``schema.NON_PRODUCT_CODE`` on the product id;
  ``schema.SHORT_NON_PRODUCT_CODE`` (M, D, S, B, C2, C3: real SKUs in some shops) only when
  the line's name is missing or matches ``schema.NON_PRODUCT_NAME``; the name alone when the
  line has no product id (or the file no product id column);
- zero / negative prices, missing product / name / customer (guest orders) are counted.

Text: ids and names are trimmed of surrounding spaces but **not** upper-cased (stock codes
are case-sensitive in some shops; UCI ``85123A`` and ``85123a`` stay distinct, as in the
reference reading). Customer ids written as floats (``13085.0``) become ``13085``.
Derived columns: ``revenue = quantity × unit_price`` when revenue is not mapped;
``unit_price = revenue / quantity`` when it is not mapped and quantity is; ``product_id``
= the product name when no id column is mapped.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ecomdash import schema
from ecomdash.errors import MappingError
from ecomdash.i18n import N_
from ecomdash.i18n.note import Field, Joined, Quoted, note, note_n, quoted
from ecomdash.ingest.clean_columns import prepare_columns
from ecomdash.ingest.clean_text import _regex_rows, _Text
from ecomdash.ingest.cleaning_report import SAMPLE_ROWS, CleaningReport, RuleResult
from ecomdash.ingest.convert import codes_of, unwrap_all
from ecomdash.ingest.mapping import EVENT, FIELDS, STATUS, available_columns, check_enough
from ecomdash.ingest.platforms_cn import RETURNED, detect
from ecomdash.ingest.returns import (
    _STATUS_RULES,
    _add_status_returns,
    _match_cancellations,
    _status_kinds,
)
from ecomdash.ingest.table import RawTable

# the report, text columns and returns live in cleaning_report, clean_text and returns
__all__ = ["GUEST_IDS", "CleaningReport", "RuleResult", "clean"]

_TEXT_FIELDS = (
    schema.ORDER_ID,
    schema.CUSTOMER_ID,
    schema.PRODUCT_ID,
    schema.PRODUCT_NAME,
    schema.COUNTRY,
    schema.CATEGORY,
    schema.CHANNEL,
    schema.LOCATION,
)
#: Flag cells that mean "no" (anything else non-empty is an event: TRUE, 1, yes, Christmas …)
_FLAG_NO = frozenset({"false", "f", "no", "n", "0", "0.0", "否", "无", "none", "null", "nan", "-"})
#: English status values that mean the line was refunded / returned / never a sale.
#: "Partially refunded" orders are not flagged: most of their lines are still sales. Chinese
#: states go through ``platforms_cn.status_kind`` instead (the Chinese words here only apply
#: to states mixing both languages, which ``status_kind`` sorts first).
_REFUND = re.compile(
    r"^(?!.*(partial|部分)).*(refund|return|cancel|void|chargeback|退款|退货|已退|交易关闭)",
    re.IGNORECASE,
)


_CANCEL_ID = re.compile(r"^[Cc]\d+$")
#: what every ASCII cancellation id starts with (Arrow's vectorised pre-filter)
_CANCEL_PREFIX = "^[Cc]"
#: Customer ids that mean "no customer": WooCommerce and Magento write 0 for a guest
#: checkout; other exports write a word. Compared after trimming, case-insensitively.
GUEST_IDS = frozenset(
    {"0", "-1", "guest", "anonymous", "n/a", "na", "none", "null", "-", "游客", "匿名", "访客"}
)


#: (it read "sale lines matched to the return that cancels them (same customer and product,
#: opposite quantity, earlier date)": 697 px, so the Data page's rules table, sized to the
#: page, wrapped every row to three lines' height for it at 1280 px)
CANCELLED_SALE_LABEL = N_(
    "sale lines a later return cancels (same customer and product, opposite quantity)"
)
#: that earlier wording, which reports saved before it changed keep: shown as the new one
#: (``cleaning_report.rule_label``), so their Chinese page does not read it in English
OLD_CANCELLED_SALE_LABEL = N_(
    "sale lines matched to the return that cancels them (same customer and product, "
    "opposite quantity, earlier date)"
)


def cancel_label(invoices: int) -> str:
    """The label of the cancellation-invoice rule for ``invoices`` distinct C orders."""
    return note(N_("cancellation lines: order id starts with C ({n} orders)"), n=f"{invoices:,}")


def status_label(label: str, states: dict[str, int]) -> str:
    """The label of a Chinese order-state rule: its meaning and its commonest states, each
    with its count when there are several; one state alone is named without it, since the
    rule's own count is its count (a sample's title read "已取消（1）（1 行）")."""
    # a list of notes: "交易关闭 (1), 已付款 (2)" in English, "交易关闭（1）、已付款（2）" in Chinese
    if len(states) == 1:
        listed = tuple(states)
    else:
        listed = tuple(
            note(N_("{state} ({n})"), state=k, n=f"{v:,}") for k, v in list(states.items())[:6]
        )
    return note(N_("{label}: {states}"), label=note(label), states=listed)


def _finish(data, text, keep, kept, line_no, returned, rules, sample_of):
    """Match returns to the sales they cancel, add return lines for refunded states."""
    n = len(keep)
    matched_idx = _match_cancellations(
        data,
        {f: kept(text[f].codes) for f in (schema.CUSTOMER_ID, schema.PRODUCT_ID) if f in text},
    )
    cancelled = np.zeros(int(keep.sum()), dtype=bool)
    cancelled[matched_idx] = True
    data[schema.IS_CANCELLED] = pd.Series(cancelled, copy=False)
    data[schema.LINE_NO] = pd.Series(line_no[keep], copy=False)  # raw.line_no's own copy
    lines = pd.DataFrame(data, copy=False)
    if {schema.CUSTOMER_ID, schema.PRODUCT_ID, schema.QUANTITY} <= set(lines.columns):
        mask = np.zeros(n, dtype=bool)
        mask[np.flatnonzero(keep)[matched_idx]] = True
        rules.append(
            RuleResult(
                "cancelled_sale",
                note(CANCELLED_SALE_LABEL),
                len(matched_idx),
                "flagged",
                sample_of(mask),
            )
        )
    lines, added = _add_status_returns(lines, returned[keep])
    lines = lines.astype({c: schema.ALL_DTYPES[c] for c in lines.columns})
    return lines, matched_idx, added


def _kept_rows(keep: np.ndarray):
    """``kept(a)``: the ``keep`` rows of the array ``a``; ``a`` itself, not a copy, when every
    row is kept (for arrays made here and not changed after)."""
    if keep.all():
        return lambda a: a
    return lambda a: a[keep]


def _kept_column(values: pd.Series, keep: np.ndarray) -> pd.Series:
    """The ``keep`` rows of a converted column, numbered from 0; when every row is kept, the
    column itself (pandas copies on write: its memory is shared, not copied)."""
    if keep.all():
        return values.reset_index(drop=True)
    return pd.Series(values.to_numpy()[keep], copy=False)


def clean(
    raw: RawTable,
    mapping: dict[str, str],
    *,
    formats: dict | None = None,
    duplicates: np.ndarray | None = None,
    cancel_invoices: bool | None = None,
    defer_returns: bool = False,
) -> tuple[pd.DataFrame, CleaningReport]:
    """Apply the mapping and the cleaning rules; return (canonical lines, report).

    ``mapping``: canonical field (or ``"status"``) → source column of ``raw``.

    The other parameters let ``raw`` be one part of a larger file cleaned in parts (the
    Spark ingest, ``ecomdash/ingest/partitioned.py``); by default the whole file decides:

    - ``formats``: ``{"decimal": {field: "." | ","}, "dayfirst": (bool, why) | None}``, the
      formats decided on the file's sample (:func:`ecomdash.ingest.partitioned.infer_formats`);
    - ``duplicates``: the rows that repeat an earlier row of the whole file;
    - ``cancel_invoices``: whether ``C`` + digits order ids are cancellations (the rule
      looks at the share of such ids in the whole file);
    - ``defer_returns``: leave out matching returns to sales and adding return lines for
      refunded states (they need every line of a customer and product): the lines get
      ``is_cancelled`` false and a ``_returned`` column (the state says refunded), and
      :func:`ecomdash.ingest.partitioned.finish_returns` does the rest.
    """
    mapping = {k: v for k, v in mapping.items() if v}
    unknown = [k for k in mapping if k not in FIELDS]
    missing = [v for v in mapping.values() if v not in raw.data.columns]
    if unknown or missing:
        problems = []
        if unknown:
            problems.append(
                note_n(
                    "unknown field {names}",
                    "unknown fields {names}",
                    len(unknown),
                    names=quoted(unknown),
                )
            )
        if missing:
            problems.append(
                note_n(
                    "column {names} not in the file",
                    "columns {names} not in the file",
                    len(missing),
                    names=quoted(missing),
                )
            )
        raise MappingError(
            note(
                N_(
                    "The mapping does not fit this file: {problems}; the file's columns are "
                    "{columns}. Choose again."
                ),
                problems=Joined(problems, N_("; ")),
                columns=quoted(raw.columns),
            )
        )
    check_enough(mapping, raw.columns)
    src = raw.data
    n = len(src)
    line_no = np.asarray(raw.line_no, dtype=np.int64)
    rules: list[RuleResult] = []
    notes: list[str] = []
    # each row's reason to be dropped: 0 none, else its rule's label in ``reasons``
    reason = np.zeros(n, dtype=np.int16)
    reasons: list[str] = [""]
    placeholders = {schema.CUSTOMER_ID: GUEST_IDS}
    text_opts = {
        f: {
            "float_ids": f == schema.CUSTOMER_ID,
            "placeholders": placeholders.get(f, frozenset()),
            "ids": f in (schema.ORDER_ID, schema.CUSTOMER_ID, schema.PRODUCT_ID),
        }
        for f in _TEXT_FIELDS
    }
    # every column's codes are needed for the duplicates; each column's codes and what its
    # fields make of them are worked out on two threads (clean_columns)
    prepared = prepare_columns(
        src,
        mapping,
        text_opts=text_opts,
        coded=list(src.columns)
        if duplicates is None
        else [mapping[f] for f in (STATUS,) if f in mapping],
        formats=formats,
        rows_of=list(src.columns) if duplicates is None else None,
    )
    cache = prepared.codes

    def enc(col: str) -> tuple[np.ndarray, np.ndarray]:
        if col not in cache:
            cache[col] = codes_of(src[col])
        return cache[col]

    def sample_of(mask: np.ndarray) -> pd.DataFrame:
        idx = np.flatnonzero(mask)[:SAMPLE_ROWS]
        out = src.iloc[idx].reset_index(drop=True)
        out.insert(0, "line_no", line_no[idx])
        return out

    def add(rule: str, label: str, mask: np.ndarray, action: str, extra_sample=None) -> None:
        rows = int(mask.sum())
        rules.append(
            RuleResult(
                rule,
                label,
                rows,
                action,
                extra_sample if extra_sample is not None else sample_of(mask),
            )
        )
        if action == "dropped":
            reasons.append(str(label))
            reason[mask & (reason == 0)] = len(reasons) - 1

    cols: dict[str, pd.Series] = {}
    text: dict[str, _Text] = {}
    # ---- text fields
    for fld in _TEXT_FIELDS:
        if fld not in mapping:
            continue
        text[fld] = prepared.text[fld]
        if fld == schema.PRODUCT_NAME:
            add(
                "trimmed_names",
                note(N_("product names with spaces around them (trimmed)")),
                text[fld].trimmed,
                "kept",
            )
        if fld == schema.CUSTOMER_ID:
            add(
                "customer_id_float",
                note(N_("customer ids written as decimals (13085.0 → 13085)")),
                text[fld].fixed & ~text[fld].placeholder,
                "kept",
            )
            if text[fld].placeholder.any():
                add(
                    "guest_placeholder",
                    note(
                        N_(
                            "customer id is a guest placeholder (0, guest, anonymous …): "
                            "counted as a guest order, not as one customer"
                        )
                    ),
                    text[fld].placeholder,
                    "kept",
                )
    # ---- numbers
    unreadable_number = np.zeros(n, dtype=bool)
    missing_number = np.zeros(n, dtype=bool)
    for fld in (schema.QUANTITY, schema.UNIT_PRICE, schema.REVENUE):
        if fld not in mapping:
            continue
        conv = prepared.converted[fld]
        cols[fld] = conv.values
        unreadable_number |= conv.bad
        missing_number |= conv.missing
        if conv.note:
            notes.append(
                note(
                    N_("{field} ({column}): {note}"),
                    field=Field(fld),
                    column=Quoted(mapping[fld]),
                    note=conv.note,
                )
            )
    # ---- date
    bad_date = np.zeros(n, dtype=bool)
    if schema.ORDER_DATE in mapping:
        conv = prepared.converted[schema.ORDER_DATE]
        cols[schema.ORDER_DATE] = conv.values
        bad_date = conv.bad | conv.missing
        if conv.note:
            notes.append(
                note(
                    N_("{field} ({column}): {note}"),
                    field=Field(schema.ORDER_DATE),
                    column=Quoted(mapping[schema.ORDER_DATE]),
                    note=conv.note,
                )
            )
    # ---- dropped rows
    if len(raw.malformed):
        rules.append(
            RuleResult(
                "malformed_row",
                note(N_("lines with the wrong number of fields (dropped)")),
                len(raw.malformed),
                "dropped",
                raw.malformed.head(SAMPLE_ROWS).reset_index(drop=True),
            )
        )
    if schema.ORDER_DATE in mapping:
        add("unreadable_date", note(N_("missing or unreadable order date")), bad_date, "dropped")
    if any(f in mapping for f in (schema.QUANTITY, schema.UNIT_PRICE, schema.REVENUE)):
        add(
            "unreadable_number",
            note(N_("quantity or amount that is not a number")),
            unreadable_number,
            "dropped",
        )
    dup = prepared.duplicates if duplicates is None else np.asarray(duplicates, dtype=bool)
    # every column's codes were needed for the duplicates; only the status's are used later
    for col in [c for c in cache if c != mapping.get(STATUS)]:
        del cache[col]
    if schema.ORDER_ID in mapping:
        add("duplicate", note(N_("exact duplicate of an earlier row")), dup, "dropped")
    else:
        add(
            "identical_rows",
            note(
                N_(
                    "rows identical to an earlier row, kept: without an order id they may be "
                    "separate purchases"
                )
            ),
            dup,
            "kept",
        )
    # ---- derived columns
    q = cols.get(schema.QUANTITY)
    if schema.REVENUE not in cols and q is not None and schema.UNIT_PRICE in cols:
        cols[schema.REVENUE] = q * cols[schema.UNIT_PRICE]
    if schema.UNIT_PRICE not in cols and q is not None and schema.REVENUE in cols:
        cols[schema.UNIT_PRICE] = (cols[schema.REVENUE] / q.where(q != 0)).astype("float64")
    if schema.PRODUCT_ID not in text and schema.PRODUCT_NAME in text:
        text[schema.PRODUCT_ID] = text[schema.PRODUCT_NAME]
        notes.append(note(N_("No product id column: the product name is used as the product id.")))
    # ---- returns
    is_return = np.zeros(n, dtype=bool)
    if schema.ORDER_ID in text:
        order = text[schema.ORDER_ID]
        c_ids = order.matches(_CANCEL_ID, prefilter=_CANCEL_PREFIX)
        if cancel_invoices is None:
            cancel_invoices = bool(c_ids.any() and c_ids.mean() < 0.5)
        if cancel_invoices:
            invoices = len(np.unique(order.codes[c_ids]))
            add("cancellation_invoice", cancel_label(invoices), c_ids, "flagged")
            is_return |= c_ids
    if q is not None:
        neg = (q < 0).to_numpy()
        add(
            "negative_quantity",
            note(N_("negative quantity (a return) outside cancellation orders")),
            neg & ~is_return,
            "flagged",
        )
        is_return |= neg
    returned = np.zeros(n, dtype=bool)
    statuses: dict[str, dict[str, int]] = {}
    if STATUS in mapping:
        status_codes, status_values = enc(mapping[STATUS])
        kinds = _status_kinds(status_codes, unwrap_all(status_values))
        # Chinese states are sorted by platforms_cn.status_kind; others by the English words
        refunded = _regex_rows(status_codes, unwrap_all(status_values), _REFUND) & (kinds == "")
        # a sale whose state says it was refunded: kept as a sale and netted out by an added
        # return line (it used to be flagged a return at its positive amount, so net revenue
        # dropped it from the sales and subtracted it again as a return)
        refunded &= ~is_return
        add(
            "refund_status",
            note(
                N_(
                    "status says refunded / returned / cancelled (kept as a sale, with a return line "
                    "that nets it out)"
                )
            ),
            refunded,
            "flagged",
        )
        returned |= refunded
        status_text = unwrap_all(status_values).fill_null("").to_pylist()
        for kind, rule, action, label in _STATUS_RULES:
            mask = kinds == kind
            if kind == RETURNED:
                mask &= ~is_return
                returned |= mask
            if not mask.any():
                continue
            per = np.bincount(status_codes[mask], minlength=len(status_text))
            states = {
                status_text[i]: int(per[i]) for i in np.argsort(-per, kind="stable") if per[i]
            }
            statuses[kind] = states
            add(rule, status_label(label, states), mask, action)
    # ---- summed sales: a negative amount is the net of returns over sales in that row
    kind = schema.dataset_kind(available_columns(mapping))
    if kind == schema.KIND_SUMMED:
        amount = cols.get(schema.REVENUE, cols.get(schema.QUANTITY))
        if amount is not None:
            net_neg = (amount < 0).to_numpy() & ~is_return
            add(
                "net_return",
                note(
                    N_(
                        "negative amount in summed sales: more returned than sold (counted as returns)"
                    )
                ),
                net_neg,
                "flagged",
            )
            is_return |= net_neg
    # ---- prices
    price_col = (
        schema.UNIT_PRICE
        if schema.UNIT_PRICE in mapping
        else (schema.REVENUE if schema.REVENUE in mapping else None)
    )
    if price_col is not None:
        p = cols[price_col]
        word = "price" if price_col == schema.UNIT_PRICE else "amount"
        zero, negative = (
            (N_("price is zero"), N_("price is negative"))
            if word == "price"
            else (N_("amount is zero"), N_("amount is negative"))
        )
        add(f"zero_{word}", note(zero), (p == 0).to_numpy(), "kept")
        add(
            f"negative_{word}",
            note(negative),
            ((p < 0).to_numpy() & ~is_return) if word == "amount" else (p < 0).to_numpy(),
            "kept",
        )
    if missing_number.any():
        add("missing_number", note(N_("quantity or amount left empty")), missing_number, "kept")
    # ---- products and customers
    pid = text.get(schema.PRODUCT_ID)
    pname = text.get(schema.PRODUCT_NAME)
    if pid is not None:
        no_product = pid.missing.copy()
        if pname is not None:
            no_product &= pname.missing
        add("missing_product", note(N_("no product id or name")), no_product, "kept")
        if pname is not None and schema.PRODUCT_ID in mapping:
            add(
                "missing_product_name",
                note(N_("product name missing (the id is there)")),
                pname.missing & ~pid.missing,
                "kept",
            )
    if schema.CUSTOMER_ID in text:
        add(
            "missing_customer",
            note(N_("no customer id (guest orders)")),
            text[schema.CUSTOMER_ID].missing,
            "kept",
        )
    non_product = np.zeros(n, dtype=bool)
    if pid is not None:
        if schema.PRODUCT_ID in mapping:
            non_product = pid.matches(schema.NON_PRODUCT_CODE)
            short_code = pid.matches(schema.SHORT_NON_PRODUCT_CODE)
            if pname is not None:
                named = pname.matches(schema.NON_PRODUCT_NAME)
                non_product |= (pid.missing & named) | (short_code & (named | pname.missing))
            else:
                non_product |= short_code
        else:
            non_product = pname.matches(schema.NON_PRODUCT_NAME)
        add(
            "non_product",
            note(N_("postage, fees, adjustments and other non-product lines")),
            non_product,
            "flagged",
        )
    # ---- assemble the kept rows
    order_dates = cols.get(schema.ORDER_DATE)
    keep = reason == 0
    kept = _kept_rows(keep)
    data = {
        f: text[f].values(keep) if f in text else _kept_column(cols[f], keep)
        for f in schema.CANONICAL
        if f in text or f in cols
    }
    data[schema.IS_RETURN] = pd.Series(kept(is_return), copy=False)
    data[schema.IS_NON_PRODUCT] = pd.Series(kept(non_product), copy=False)
    # ---- match cancellations to the sales they cancel
    del cols  # the kept rows' copies are in ``data``; the order dates are kept for events
    if defer_returns:
        data[schema.IS_CANCELLED] = pd.Series(np.zeros(int(keep.sum()), dtype=bool))
        data[schema.LINE_NO] = pd.Series(line_no[keep], copy=False)
        lines = pd.DataFrame(data, copy=False)
        lines = lines.astype({c: schema.ALL_DTYPES[c] for c in lines.columns})
        lines["_returned"] = returned[keep]
        matched_idx = np.array([], dtype=np.int64)
        added = 0
    else:
        lines, matched_idx, added = _finish(
            data, text, keep, kept, line_no, returned, rules, sample_of
        )
    # ---- rejected rows
    drop_idx = np.flatnonzero(~keep)
    rejected = src.iloc[drop_idx].reset_index(drop=True)
    rejected.insert(0, "reason", np.asarray(reasons, dtype=object)[reason[drop_idx]].astype(str))
    rejected.insert(0, "line_no", line_no[drop_idx])
    if len(raw.malformed):
        mal = raw.malformed.rename(columns={"text": "raw_line"})
        rejected = pd.concat([rejected, mal], ignore_index=True)
        rejected["reason"] = rejected["reason"].astype(str)
        rejected = rejected.sort_values("line_no", kind="stable").reset_index(drop=True)
    events: dict = {}
    if kind == schema.KIND_SUMMED and EVENT in mapping and order_dates is not None:
        flag = src[mapping[EVENT]].astype("string").str.strip().str.lower()
        on = (flag.notna() & (flag != "") & ~flag.isin(_FLAG_NO)).to_numpy(dtype=bool) & keep
        days = pd.to_datetime(order_dates[on]).dt.normalize().dropna().unique()
        events = {
            "column": mapping[EVENT],
            "dates": sorted(pd.Timestamp(d).date().isoformat() for d in days),
        }
    report = CleaningReport(
        rows_read=raw.rows_read,
        rows_kept=len(lines) - added,
        rules=tuple(rules),
        rejected=rejected,
        matched_cancellations=len(matched_idx),
        notes=tuple(notes),
        kind=kind,
        events=events,
        added_returns=added,
        statuses=statuses,
        # a Chinese marketplace's amounts are yuan, with or without a ¥ on them
        currency="CNY" if detect(raw.columns) is not None else None,
    )
    return lines, report
