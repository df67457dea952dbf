"""Data page: upload an export, check the mapping and the cleaning report, save; manage datasets.

The uploaded bytes and the parsed table live only in this session's state while the merchant
checks them (recomputable; nothing durable). Saving goes to the store, atomically.
"""

from __future__ import annotations

import math
import re
import time

import pandas as pd
import streamlit as st

from ecomdash import labels as L
from ecomdash import schema as S
from ecomdash.currencies import CURRENCIES, currency_option, with_currency
from ecomdash.errors import EcomdashError
from ecomdash.i18n import N_, _, _n, fmt
from ecomdash.i18n.note import Note, from_json, note, note_n, tr_note
from ecomdash.ingest import (
    DEFAULT_MAX_BYTES,
    CleaningReport,
    MappingProposal,
    RawTable,
    SheetChoiceError,
    clean,
    inspect_bytes,
    propose_mapping,
)
from ecomdash.ingest.cleaning_report import action_label, rule_label
from ecomdash.ingest.mapping import available_columns, resolve_mapping
from ecomdash.ingest.multi import is_multi_table_zip, stack_names
from ecomdash.ingest.read import MALFORMED_REASONS
from ecomdash.ingest.stack import appended_across_note, not_kept_note
from ecomdash.store_tables import fields_not_kept
from ecomdash.ui import data_multi, data_sets, data_stack
from ecomdash.ui.common import (
    download_table,
    fmt_int,
    fmt_pct,
    get_store,
    inert,
    select_dataset,
    show_error,
)
from ecomdash.ui.data_i18n import in_run_lang
from ecomdash.ui.table_layout import PAGE_PX, drawn_px, tile_weights
from ecomdash.ui.tables import fitted_columns, show_table
from ecomdash.ui.uploader import file_uploader, limit_mb

K_UPLOAD = "data_upload"  # {"file_id", "raw", "proposal", "sheet", "seconds"}
K_SAVE_MODE = "save_mode"  # the Save form's "Save as": "new" or "append"
K_SAVED = "data_saved"  # {"file_id", "name"}: the upload just saved, still in the uploader
NOT_IN_FILE = N_("(not in the file)")  # a stable option value, shown translated
FILE_TYPES = ["csv", "tsv", "txt", "xlsx", "parquet", "gz", "zip"]

FIELD_HELP = {
    S.ORDER_ID: N_("Order / invoice number"),
    S.ORDER_DATE: N_("When the order was placed"),
    S.CUSTOMER_ID: N_("Customer id or email (empty for guest orders)"),
    S.PRODUCT_ID: N_("Product code / SKU"),
    S.PRODUCT_NAME: N_("The product's name or title"),
    S.QUANTITY: N_("Units on the line"),
    S.UNIT_PRICE: N_("Price of one unit"),
    # the tables' "Net revenue" is not this column: say how the two meet
    S.REVENUE: N_(
        "Amount of the line (paid); the pages' Net revenue is these amounts less returns "
        "and cancellations"
    ),
    S.COUNTRY: N_("Country or region"),
    S.CATEGORY: N_("Product category"),
    S.CHANNEL: N_("Sales channel / shop"),
    S.LOCATION: N_("Store, shop, branch or region the sales were made in"),
    "status": N_(
        "Order or line status: refunded lines are kept as returns; Chinese states "
        "(交易关闭, 已取消, 退款成功 …) are sorted into cancellations and returns"
    ),
    "event": N_("A flag column (IsHoliday, promotion): its true rows mark event dates"),
}

#: the analyses a mapping allows (``schema.ANALYSIS_LABELS``' keys), named in the table as the
#: sidebar and the pages' tabs name them (the schema's own names fit inside a sentence)
ANALYSIS_NAMES = {
    "overview": N_("Overview"),
    "basket": N_("Basket analysis"),
    "forecast": N_("Forecast"),
    "restock": N_("Restock planner"),
    "segment": N_("Customer segments"),
    "clv": N_("Customer value"),
    "recommend": N_("Recommendations"),
    "pricing": N_("Pricing & promotions"),
}


DELIMITERS = {
    "comma": N_("comma"),
    "semicolon": N_("semicolon"),
    "tab": N_("tab"),
    "pipe": N_("pipe"),
    "whitespace": N_("whitespace"),
}
FORMATS = {"text": N_("text"), "csv": "CSV", "xlsx": "Excel (.xlsx)", "parquet": "Parquet"}
SAVE_MODES = {"new": N_("A new dataset"), "append": N_("Add to an existing dataset")}


#: where a saved dataset came from (``DatasetInfo.source``), shown in the UI language
SOURCES = {"upload": N_("upload"), "demo": N_("demo"), "generated": N_("generated")}


def fields_list(fields) -> str:
    """Several field names, in the UI language, listed as it lists them (``a, b`` / ``甲、乙``:
    a full-width comma between field names read as two clauses)."""
    return fmt.join(S.field_name(f) for f in fields)


def mapped_field_name(field: str, column: str | None) -> str:
    """A canonical field as the mapping names it: the country field taken from a province
    column (a marketplace export's 收货省份) is "Province" / 省份, as the pages call it once
    saved (``labels.places_are_provinces``); it read 国家/地区 over 收货省份."""
    if field == S.COUNTRY and L.places_are_provinces({S.COUNTRY: column}, None):
        return _("Province")
    return S.field_name(field)


def mapping_frame(proposal: MappingProposal) -> pd.DataFrame:
    """The proposal's table (field, column, confidence, reason) in the UI language."""
    frame = proposal.to_frame()
    frame["field"] = [mapped_field_name(f.field, f.column) for f in proposal.fields]
    frame["reason"] = [tr_note(f.reason) for f in proposal.fields]
    return frame


#: the page's open tab (a widget value: the label shown, in the run's language)
K_TAB = "data_tab"
#: what a save left out (an appended file's fields the dataset lacks), shown under its flash
K_FLASH_NOTES = "data_flash_notes"


def render() -> None:
    flash = st.session_state.pop("data_flash", None)
    if flash:
        st.success(inert(tr_note(flash)))
    for n in st.session_state.pop(K_FLASH_NOTES, ()):
        st.warning(inert(tr_note(n)), icon="⚠️")
    sets_flash = st.session_state.pop(data_sets.K_SETS_FLASH, None)
    sets_label = _("Your datasets")
    if sets_flash is not None:
        st.session_state[K_TAB] = sets_label  # before the tabs are drawn
    # both tabs are drawn every run (the uploader keeps its file); the open one is the
    # session's, so a rerun keeps it
    tab_up, tab_sets = st.tabs([_("Upload an export"), sets_label], key=K_TAB, on_change="rerun")
    with tab_up:
        _upload_section()
    with tab_sets:
        if sets_flash is not None:
            st.success(inert(tr_note(sets_flash)))
        data_sets.datasets_section()


# -- upload ------------------------------------------------------------------------------------
def _upload_section() -> None:
    st.write(
        _(
            "CSV, TSV or text (any delimiter), Excel .xlsx or Parquet, also .gz or .zip "
            "compressed; exports from Shopify, WooCommerce, marketplaces or your own system, in "
            "English or Chinese. Up to {mb} MB.",
            mb=limit_mb(DEFAULT_MAX_BYTES),
        )
    )
    ups = file_uploader(
        _(
            "Order export: one file, several exports (a month each, a shop each: stacked into "
            "one dataset), or the related tables of one export (orders, order items, "
            "customers, products …) or a zip holding them"
        ),
        types=FILE_TYPES,
        # taken so the page says what to do (save it as .xlsx or CSV); the browser's own
        # refusal read "application/vnd.ms-excel files are not allowed.", in English
        explained_types=("xls",),
        key="uploader",
        max_bytes=DEFAULT_MAX_BYTES,
        in_all=True,  # the total of one upload is checked below
        accept_multiple_files=True,
    )
    if not ups:
        st.session_state.pop(K_UPLOAD, None)
        return
    total = sum(u.size for u in ups)
    if total > DEFAULT_MAX_BYTES:
        st.error(
            _(
                "The upload is {size} MB, over the {limit} MB limit. Export a shorter period, "
                "or compress it as .gz or .zip, and upload again.",
                # rounded up to a tenth: an upload a byte over reads "200.1 MB", never "200"
                size=f"{math.ceil(total * 10 / 2**20) / 10:,.1f}",
                limit=limit_mb(DEFAULT_MAX_BYTES),
            )
        )
        return
    file_id = "|".join(u.file_id for u in ups)
    saved = st.session_state.get(K_SAVED)
    if saved and saved.get("file_id") == file_id:
        # the file stays in the uploader after its save: read, cleaned and offered to save
        # again, it read as if nothing had been saved (a second Save made a second dataset of
        # the same name, UCI Online Retail II in Chromium)
        st.info(
            inert(
                _(
                    "This upload is saved as the dataset “{name}”, now open in the dashboard. "
                    "To upload another export, remove this file from the box above (×).",
                    name=saved.get("name", ""),
                )
                if len(ups) == 1
                # several files stacked or joined into one dataset: each has its ×
                else _(
                    "This upload is saved as the dataset “{name}”, now open in the dashboard. "
                    "To upload another export, remove these {n} files from the box above (× "
                    "beside each).",
                    name=saved.get("name", ""),
                    n=len(ups),
                )
            )
        )
        return
    state = st.session_state.get(K_UPLOAD)
    if not state or state.get("file_id") != file_id:
        state = {"file_id": file_id, "sheet": None}
        st.session_state[K_UPLOAD] = state
    if len(ups) > 1 or state.get("multi") or _is_multi_zip(ups[0], state):
        state["multi"] = True
        tables = data_multi.read_step(ups, state)
        if tables is None:
            return
        if stack_names(tables):  # order exports of their own: stacked, not joined
            data_stack.stack_section(state)
            return
        got = data_multi.tables_section(ups, state)
        if got is None:
            return
        raw, proposal, key = got
        _map_clean_save(raw, proposal, state, key, state["combined"].fact)
        return
    up = ups[0]
    if "raw" not in state:
        t0 = time.perf_counter()
        try:
            with st.status(_("Reading the file…"), expanded=False) as status:
                st.write(_("Detecting format, encoding and delimiter"))
                raw = inspect_bytes(up.getvalue(), up.name, sheet=state.get("sheet"))
                st.write(_("Proposing the column mapping"))
                proposal = propose_mapping(raw)
                status.update(
                    label=_(
                        "Read {n} rows in {took}",
                        n=f"{raw.rows_read:,}",
                        took=fmt.duration(time.perf_counter() - t0),
                    ),
                    state="complete",
                )
        except SheetChoiceError as exc:
            st.info(_("This workbook has several sheets with data. Which one holds the orders?"))
            sheet = st.selectbox(_("Sheet"), list(exc.sheets), index=None, key="sheet_pick")
            if sheet:
                state["sheet"] = sheet
                st.rerun()
            return
        except EcomdashError as exc:
            show_error(exc)
            return
        state.update(raw=raw, proposal=proposal)
    _read_summary(state["raw"])
    _map_clean_save(state["raw"], state["proposal"], state, up.file_id, up.name)


def _is_multi_zip(up, state: dict) -> bool:
    if "is_multi_zip" not in state:
        data = up.getvalue()
        state["is_multi_zip"] = data[:2] == b"PK" and is_multi_table_zip(data)
    return state["is_multi_zip"]


def _map_clean_save(
    raw: RawTable, proposal: MappingProposal, state: dict, file_key, filename: str
) -> None:
    """Mapping editor, cleaning report and save form (one file or joined tables)."""
    mapping = _mapping_editor(raw, proposal)
    try:
        resolved = resolve_mapping(raw, proposal, mapping)
        ckey = (file_key, tuple(sorted(resolved.items())))
        if state.get("clean_key") != ckey:
            with st.status(_("Cleaning…"), expanded=False) as status:
                t0 = time.perf_counter()
                lines, report = clean(raw, resolved)
                status.update(
                    label=_(
                        "Cleaned {n} rows in {took}",
                        n=f"{report.rows_read:,}",
                        took=fmt.duration(time.perf_counter() - t0),
                    ),
                    state="complete",
                )
            state.update(clean_key=ckey, lines=lines, report=report, resolved=resolved)
    except EcomdashError as exc:
        show_error(exc)
        return
    report: CleaningReport = state["report"]
    if report.kind == S.KIND_SUMMED:
        st.info(
            _(
                "This table is already summed (a date, groups and an amount, no order id): it "
                "will be saved as summed sales. The Overview and Forecast work on it; basket "
                "analysis, segments, customer value and recommendations need an order-line "
                "export."
            )
        )
    st.subheader(_("Cleaning report"))
    report_view(report.to_dict(), report=report)
    _save_form(filename, state)


def _read_summary(raw: RawTable) -> None:
    info = raw.info()
    fmt = raw.format
    parts = [
        tr_note(fmt) if isinstance(fmt, Note) else _(FORMATS[fmt]) if fmt in FORMATS else str(fmt),
        _n("{n} row", "{n} rows", info["rows_read"], n=f"{info['rows_read']:,}"),
        _n("{n} column", "{n} columns", len(info["columns"])),
    ]
    if info.get("encoding"):
        # codec names as written in upper case (UTF-8, GB18030), in every language
        parts.append(_("encoding {encoding}", encoding=str(info["encoding"]).upper()))
    if info.get("delimiter"):
        delim = info["delimiter"]
        parts.append(
            _(
                "delimiter {delimiter}",
                delimiter=_(DELIMITERS[delim]) if delim in DELIMITERS else delim,
            )
        )
    if info.get("compression"):
        parts.append(_("{compression}-compressed", compression=info["compression"]))
    st.caption(_("Read as {parts}", parts=_(", ").join(str(p) for p in parts)))
    for line in raw.notes:
        st.text(tr_note(line))
    with st.expander(_("Preview of the file (first 20 rows)")):
        st.dataframe(raw.data.head(20), hide_index=True)  # the merchant's own headers
    if len(raw.malformed):
        st.warning(
            _(
                "{n} rows could not be read (wrong number of fields or an unclosed quote); they "
                "are listed below with their line numbers and are not saved.",
                n=f"{len(raw.malformed):,}",
            )
        )
        # the merchant's own headers; the reason in the UI language
        st.dataframe(malformed_shown(raw.malformed.head(200)), hide_index=True)


def _mapping_editor(raw: RawTable, proposal: MappingProposal) -> dict[str, str | None]:
    st.subheader(_("Column mapping"))
    if proposal.layout:
        # a marketplace export we know (Taobao, JD, Pinduoduo, Douyin): no mapping step
        st.success(
            inert(
                _(
                    "Recognised as a {layout}: every column is mapped for you.",
                    layout=tr_note(proposal.layout),
                )
            )
        )
        for note in proposal.notes[1:]:
            st.caption(inert(tr_note(note)))
        if not st.toggle(_("Change the mapping by hand"), key="map_by_hand"):
            with st.expander(_("Which column is which")):
                show_table(mapping_frame(proposal), area="data", hide_index=True)
            mapping = {f.field: f.column for f in proposal.fields}
            _allows(mapping, by_hand=False)  # the layout's notes say what else to upload
            return mapping
    st.caption(
        _(
            "We matched your columns to the fields below by their names and content. "
            "Change any of them before saving; the mapping is stored with the dataset."
        )
    )
    options = [NOT_IN_FILE, *raw.columns]
    mapping: dict[str, str | None] = {}
    cols = st.columns(4)
    for i, f in enumerate(proposal.fields):
        default = options.index(f.column) if f.column in options else 0
        with cols[i % 4]:
            choice = st.selectbox(
                mapped_field_name(f.field, f.column),
                options,
                index=default,
                key=f"map_{f.field}",
                format_func=in_run_lang(_option),
                help=_field_help(f),
            )
        mapping[f.field] = None if choice == NOT_IN_FILE else choice
    for line in derived_fields(mapping):
        st.caption(line)
    for note in proposal.notes:
        st.caption(inert(tr_note(note)))
    for warning in proposal.warnings:
        st.warning(inert(tr_note(warning)), icon="⚠️")
    with st.expander(_("Why these columns (confidence and reasons)")):
        show_table(mapping_frame(proposal), area="data", hide_index=True)
    _allows(mapping)
    return mapping


def _field_help(f) -> str:
    """A mapping box's help: what the field is, and how sure the match is; a field no column
    matched says so and what to do ("Confidence 0 %" read as a doubtful match)."""
    what = _(FIELD_HELP[f.field]) if f.field in FIELD_HELP else ""
    if not f.column:
        return _(
            "{what}. No column of your file was recognised as this field: choose it here if "
            "your file has one.",
            what=what,
        )
    return _("{what}. Confidence {confidence}.", what=what, confidence=fmt_pct(f.confidence, 0))


def derived_fields(mapping: dict[str, str | None]) -> list[str]:
    """The fields the mapping leaves out but the cleaning works out from others (as
    ``available_columns`` counts them), each in a sentence: "(not in the file)" under Line
    amount otherwise reads as if the shop's sales amounts were missing."""
    have = {k for k, v in mapping.items() if v}
    name = S.field_name
    out = []
    if S.REVENUE not in have and {S.QUANTITY, S.UNIT_PRICE} <= have:
        out.append(
            _(
                "{field} is not in your file: each line's amount is worked out as {quantity} × "
                "{price}.",
                field=name(S.REVENUE),
                quantity=name(S.QUANTITY),
                price=name(S.UNIT_PRICE),
            )
        )
    if S.UNIT_PRICE not in have and {S.QUANTITY, S.REVENUE} <= have:
        out.append(
            _(
                "{field} is not in your file: it is worked out as {amount} ÷ {quantity}.",
                field=name(S.UNIT_PRICE),
                amount=name(S.REVENUE),
                quantity=name(S.QUANTITY),
            )
        )
    if S.PRODUCT_ID not in have and S.PRODUCT_NAME in have:
        out.append(
            _(
                "{field} is not in your file: products are told apart by their {name}.",
                field=name(S.PRODUCT_ID),
                name=name(S.PRODUCT_NAME),
            )
        )
    return out


def _option(column: str) -> str:
    """A mapping option: the merchant's column as it is, "not in the file" translated."""
    return _(NOT_IN_FILE) if column == NOT_IN_FILE else column


def _allows(mapping: dict[str, str | None], *, by_hand: bool = True) -> None:
    """Which analyses the mapping allows (a table); without an order date or a line's amount, a
    warning that says what to do (the table alone let such a file be saved without a word)."""
    avail = available_columns({k: v for k, v in mapping.items() if v})
    if by_hand and S.ORDER_DATE not in avail:
        st.warning(
            _(
                "No column is mapped to {field}, so the Overview, Forecast and every page that "
                "follows sales over time cannot use this dataset (the table below lists what it "
                "allows). If your file has the order date, choose its column under {field} "
                "above; if not, export your orders again with their date.",
                field=S.field_name(S.ORDER_DATE),
            ),
            icon="⚠️",
        )
    if by_hand and S.REVENUE not in avail:
        st.warning(
            _(
                "No column gives the amount of a line ({amount}, or {quantity} and {price}), so "
                "the pages can count orders but show no sales amounts, and customer segments, "
                "customer value and pricing cannot run. If your file has the amounts, choose "
                "their columns above; if not, export your orders again with them.",
                amount=S.field_name(S.REVENUE),
                quantity=S.field_name(S.QUANTITY),
                price=S.field_name(S.UNIT_PRICE),
            ),
            icon="⚠️",
        )
    rows = [
        {
            "analysis": _(ANALYSIS_NAMES[a]) if a in ANALYSIS_NAMES else S.ANALYSIS_LABELS[a],
            "available": not S.missing_for(a, avail),
            "missing": fields_list(sorted(S.missing_for(a, avail))),
        }
        for a in S.REQUIREMENTS
    ]
    table = pd.DataFrame(rows)
    if table["available"].all():  # an empty "Missing fields" column says nothing
        table = table.drop(columns="missing")
    st.caption(_("What this mapping allows"))
    show_table(table, area="data", hide_index=True)


def report_view(
    rep: dict,
    *,
    report: CleaningReport | None = None,
    key: str = "new",
    notes: tuple[str, ...] = (),
) -> None:
    """The cleaning report: counts, the rules that found rows (with their rows and action), the
    rules that found nothing in one collapsed list, samples, rejected rows. ``notes``: what
    the counts are, said right under them (a saved dataset's files added up)."""
    dropped = (rep.get("rows_read") or 0) - (rep.get("rows_kept") or 0)
    # was "Cancellations matched": read next to the C orders' cancellation lines, it seemed to
    # count cancelled orders; it counts the sale lines a later return cancels
    labels = [_("Rows read"), _("Rows kept"), _("Rows dropped"), _("Sale lines cancelled later")]
    values = [
        fmt_int(rep.get("rows_read")),
        fmt_int(rep.get("rows_kept")),
        fmt_int(dropped),
        fmt_int(rep.get("matched_cancellations", 0)),
    ]
    # each tile as wide as its label or value needs: in equal columns "Sale lines cancelled
    # later" read "Sale lines cancelled l…" at 1280 px (UCI Online Retail II, Chromium)
    a, b, c, d = st.columns(tile_weights(labels, values))
    a.metric(
        labels[0],
        values[0],
        help=_(
            "The data rows read (the header not counted); for several tables, the order lines "
            "they were joined into."
        ),
        border=True,
    )
    b.metric(
        labels[1],
        values[1],
        help=_(
            "The rows saved as order lines, the flagged ones included (a flag marks a return, "
            "a cancellation or a postage line; it is not dropped)."
        ),
        border=True,
    )
    c.metric(
        labels[2],
        values[2],
        help=_(
            "The rows left out of the dataset: the table below says why, the download lists them."
        ),
        border=True,
    )
    d.metric(
        labels[3],
        values[3],
        help=_(
            "Sale lines matched to a later return that cancels them (same customer and "
            "product, opposite quantity). They are kept, flagged: customer analyses do not "
            "count them as purchases."
        ),
        border=True,
    )
    for said in notes:
        st.caption(said)
    added = rep.get("added_returns") or 0
    if added:
        st.caption(
            _(
                "{n} return lines added, one for each line refunded after the sale (its state "
                "says so): the dataset holds {total} lines.",
                n=f"{added:,}",
                # a saved dataset's files together: less the lines a file repeated
                total=f"{(rep.get('rows_kept') or 0) + added - (rep.get('duplicates_skipped') or 0):,}",
            )
        )
    rules = pd.DataFrame(
        [
            {
                "label": rule_label(r),
                "rows": r.get("rows"),
                "action": action_label(r),
                "rule": r.get("rule"),
            }
            for r in rep.get("rules") or []
        ],
        columns=["label", "rows", "action", "rule"],
    )
    full = rules["label"]
    rules = _labels_in_room(rules, rep.get("rules") or [])
    found, nothing = split_rules(rules)
    if rules.empty:
        st.caption(_("No cleaning rule applied."))
    elif found.empty:
        st.caption(_("No cleaning rule found anything in these rows."))
    else:
        # the labels wrap within the page: the longest ("sale lines matched to the return
        # that cancels them (same customer and product, opposite quantity, earlier date)",
        # UCI Online Retail II) was cut at "op" in a 1280 px window; every row shown
        show_table(
            found[["label", "rows", "action"]],
            area="data",
            hide_index=True,
            fit=True,
            height="content",
        )
        if report is None:  # no samples below to name the states a label counts: here
            for label in full[rules["label"] != full]:
                st.text(label)
    if len(nothing):
        # many long labels (with their own commas): a list in a collapsed expander reads
        # better than one sentence
        n = len(nothing)
        with st.expander(
            _n("{n} rule checked, nothing found", "{n} rules checked, nothing found", n)
        ):
            st.markdown("\n".join(f"- {inert(label)}" for label in nothing["label"]))
    notes = rep.get("notes") or []
    msgs = rep.get("notes_msg") or []
    for i, line in enumerate(notes):
        st.text(tr_note(from_json(msgs[i])) if i < len(msgs) else str(line))
    if report is not None:
        for r in report.rules:
            if r.rows and len(r.sample):
                label = _n(
                    "Sample: {rule} ({n} row)",
                    "Sample: {rule} ({n} rows)",
                    r.rows,
                    rule=inert(tr_note(r.label)),
                    n=f"{r.rows:,}",
                )
                with st.expander(label):
                    show_table(r.sample, area="data", hide_index=True)
        if len(report.rejected):
            download_table(
                reasons_shown(report.rejected, rep),
                "rejected-rows",
                label=_("Download the {n} dropped rows (CSV)", n=f"{len(report.rejected):,}"),
                key=f"dl_rejected_{key}",
            )


def split_rules(rules: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The report's rules (``label``, ``rows``, ``action`` …) split into those that found rows
    (most rows first) and those that found nothing (in the report's order)."""
    hit = rules["rows"].fillna(0).astype(int) > 0
    return rules[hit].sort_values("rows", ascending=False, kind="stable"), rules[~hit]


def malformed_shown(malformed: pd.DataFrame) -> pd.DataFrame:
    """Unreadable rows with their ``reason`` ("7 fields where the header has 8") in the UI
    language (a copy)."""
    if "reason" not in malformed.columns or not len(malformed):
        return malformed
    patterns = [
        (
            re.compile(
                "^" + re.escape(t).replace(r"\{n\}", r"(\d+)").replace(r"\{width\}", r"(\d+)") + "$"
            ),
            t,
        )
        for t in MALFORMED_REASONS
    ]

    def one(reason):
        for pattern, template in patterns:
            m = pattern.match(str(reason))
            if m:
                return _(template, n=m.group(1), width=m.group(2))
        return reason

    out = malformed.copy()
    out["reason"] = out["reason"].map(one)
    return out


#: A Chinese order-state rule's label: its meaning and the states it found
#: (``ingest.clean.status_label``)
_STATES_LABEL = "{label}: {states}"


def _labels_in_room(rules: pd.DataFrame, saved: list[dict]) -> pd.DataFrame:
    """The cleaning rules with each order-state label shortened to the room its column has
    beside the counts, where that keeps it on one line: the commonest states it found, then
    how many more ("… (1) and 2 more"), or how many states alone; the samples under the
    table name them all. A Pinduoduo export's "refunded after the sale (…): 已发货，退款成功 |
    退款成功 | 已付款 (1), 未发货，…" (1,203 px) wrapped onto three lines and made every row of the
    table three lines tall (Chromium, 1280 px)."""
    if rules.empty:
        return rules
    others, _rows = fitted_columns(rules.assign(label=""), area="data", budget=PAGE_PX - 2)
    room = PAGE_PX - 2 - others["rows"] - others["action"]
    out = rules.copy()
    for i, rule in enumerate(saved):
        msg = from_json(rule.get("label_msg"))
        if drawn_px(out.at[i, "label"]) <= room or not isinstance(msg, Note):
            continue
        states = msg.fields.get("states")
        if msg.msgid != _STATES_LABEL or not isinstance(states, tuple) or not states:
            continue
        for k in range(len(states) - 1, -1, -1):
            more = len(states) - k
            listed = (
                note(N_("{states} and {n} more"), states=states[:k], n=f"{more:,}")
                if k
                else note_n("{n} state", "{n} states", len(states))
            )
            short = tr_note(note(_STATES_LABEL, label=msg.fields["label"], states=listed))
            if drawn_px(short) <= room:
                break
        out.at[i, "label"] = short
    return out


def reasons_shown(rejected: pd.DataFrame, rep: dict) -> pd.DataFrame:
    """The dropped rows with their ``reason`` (a rule's English label, as stored) in the UI
    language, for the download; a copy (the stored rows are not changed)."""
    if "reason" not in rejected.columns or not len(rejected):
        return rejected
    shown_as = {str(r.get("label")): rule_label(r) for r in rep.get("rules") or []}
    out = rejected.copy()
    out["reason"] = out["reason"].map(lambda x: shown_as.get(str(x), x))
    return out


def appended_note(added: int, skipped: int):
    """What an append did, each count in its singular or plural form ("Added 1 line", not
    "Added 1 lines"), the skipped lines only when there were some (not "skipped 0 lines")."""
    first = note_n(
        "Added {n} line to the dataset", "Added {n} lines to the dataset", added, n=f"{added:,}"
    )
    if not skipped:
        return note(N_("{clauses}."), clauses=first)
    second = note_n(
        "skipped {n} line it already had",
        "skipped {n} lines it already had",
        skipped,
        n=f"{skipped:,}",
    )
    return note(N_("{first}; {second}."), first=first, second=second)


def append_target(existing) -> str:
    """The Save form's dataset to add to, by its name and size (one upload or several)."""
    by_id = {d.id: d for d in existing}
    return st.selectbox(
        _("Dataset to add to (lines already in it are skipped)"),
        list(by_id),
        format_func=in_run_lang(
            lambda i: _n(
                "{name} ({n} line)",
                "{name} ({n} lines)",
                by_id[i].rows,
                name=by_id[i].name,
                n=f"{by_id[i].rows:,}",
            )
        ),
    )


def _save_form(filename: str, state: dict) -> None:
    st.subheader(_("Save"))
    store = get_store()
    existing = store.list_datasets()
    file_name = filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    stem = file_name.split(".")[0][:80] or _("My orders")
    if not existing:
        st.session_state[K_SAVE_MODE] = "new"  # nothing to add to
    # outside the form: choosing a mode reruns, so the form shows only the input that applies
    mode = st.radio(
        _("Save as"),
        ["new", "append"],
        format_func=in_run_lang(lambda m: _(SAVE_MODES[m])),
        horizontal=True,
        disabled=not existing,
        key=K_SAVE_MODE,
    )
    name = target = currency = None  # currency "": the merchant's "Not stated", recorded
    with st.form("save_form"):
        if mode == "new":
            name = st.text_input(_("Name of the new dataset"), value=stem, max_chars=120)
            currency = _currency_select(state["report"])
        else:
            target = append_target(existing)
        go = st.form_submit_button(_("Save"), type="primary")
    if not go:
        return
    report: CleaningReport = state["report"]
    t0 = time.perf_counter()
    try:
        with st.status(_("Saving…"), expanded=False) as status:
            if mode == "append":
                lost = fields_not_kept(store.info(target).columns, state["lines"])
                res = store.append(target, state["lines"], report=report, rejected=report.rejected)
                info = res.dataset
                if lost:
                    st.session_state[K_FLASH_NOTES] = [not_kept_note(file_name, lost, info.name)]
                msg = appended_note(res.added, res.duplicates)
                across = appended_across_note(res.cancelled_across)
                if across is not None:  # a return in it cancels a sale saved before
                    msg = note(N_("{problem} {fix}"), problem=msg, fix=across)
            else:
                info = store.save_dataset(
                    name,
                    state["lines"],
                    report=with_currency(report, currency),
                    mapping={k: v for k, v in state["resolved"].items() if v},
                    rejected=report.rejected,
                )
                msg = note_n(
                    "Saved {n} line as a new dataset.",
                    "Saved {n} lines as a new dataset.",
                    info.rows,
                    n=f"{info.rows:,}",
                )
            status.update(
                label=_("Saved in {took}", took=fmt.duration(time.perf_counter() - t0)),
                state="complete",
            )
    except EcomdashError as exc:
        show_error(exc)
        return
    st.session_state["data_flash"] = msg
    st.session_state[K_SAVED] = {"file_id": state.get("file_id"), "name": info.name}
    st.session_state.pop(K_UPLOAD, None)
    select_dataset(info.id)


def _currency_select(report: CleaningReport) -> str:
    """The Save form's currency: the one read off the file's amounts (``£12.50``) when they
    carry a sign, else "not stated" with a help that says what choosing one does."""
    found = L.display_for(report.to_dict()).currency or ""
    options = list(CURRENCIES) if found in CURRENCIES else [*CURRENCIES, found]
    if found:
        help_ = _("Read off your file's amounts. Change it if it is wrong.")
    else:
        help_ = _(
            "Your file's amounts carry no currency sign. Choose their currency and every page "
            "writes it with the amounts (£1,234.50); not stated, they are shown as plain "
            "numbers (1,234.50)."
        )
    return st.selectbox(
        _("Currency of the amounts"),
        options,
        index=options.index(found),
        format_func=in_run_lang(currency_option),
        help=help_,  # no key: a new file's choice starts from its own default
    )
