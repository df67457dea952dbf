"""Data page: upload an export, check the mapping and the cleaning report, save; manage datasets.

The uploaded bytes and the parsed table live only in this session's state while the merchant
checks them (recomputable; nothing durable). Saving goes to the store, atomically.
"""

from __future__ import annotations

import time

import pandas as pd
import streamlit as st

from ecomdash import labels as L
from ecomdash import schema as S
from ecomdash.errors import EcomdashError
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
from ecomdash.ingest.mapping import available_columns, resolve_mapping
from ecomdash.ingest.multi import is_multi_table_zip
from ecomdash.ui import data_multi
from ecomdash.ui.common import (
    download_table,
    fmt_int,
    get_store,
    inert,
    select_dataset,
    show_error,
)
from ecomdash.ui.tables import show_table

K_UPLOAD = "data_upload"  # {"file_id", "raw", "proposal", "sheet", "seconds"}
NOT_IN_FILE = "(not in the file)"
FILE_TYPES = ["csv", "tsv", "txt", "xlsx", "parquet", "gz", "zip"]

FIELD_HELP = {
    S.ORDER_ID: "Order / invoice number",
    S.ORDER_DATE: "When the order was placed",
    S.CUSTOMER_ID: "Customer id or email (empty for guest orders)",
    S.PRODUCT_ID: "Product code / SKU",
    S.PRODUCT_NAME: "Product name",
    S.QUANTITY: "Units on the line",
    S.UNIT_PRICE: "Price of one unit",
    S.REVENUE: "Amount of the line (paid)",
    S.COUNTRY: "Country or region",
    S.CATEGORY: "Product category",
    S.CHANNEL: "Sales channel / shop",
    S.LOCATION: "Store, shop, branch or region the sales were made in",
    "status": "Order or line status: refunded lines are kept as returns; Chinese states "
    "(交易关闭, 已取消, 退款成功 …) are sorted into cancellations and returns",
    "event": "A flag column (IsHoliday, promotion): its true rows mark event dates",
}


def render() -> None:
    flash = st.session_state.pop("data_flash", None)
    if flash:
        st.success(inert(flash))
    tab_up, tab_sets = st.tabs(["Upload an export", "Your datasets"])
    with tab_up:
        _upload_section()
    with tab_sets:
        _datasets_section()


# -- upload ------------------------------------------------------------------------------------
def _upload_section() -> None:
    st.write(
        "CSV, TSV or text (any delimiter), Excel .xlsx or Parquet, also .gz or .zip compressed; "
        "exports from Shopify, WooCommerce, marketplaces or your own system, in English or Chinese. "
        f"Up to {DEFAULT_MAX_BYTES // 2**20} MB."
    )
    ups = st.file_uploader(
        "Order export: one file, or the related tables of one export (orders, order items, "
        "customers, products …) or a zip holding them",
        type=FILE_TYPES,
        key="uploader",
        accept_multiple_files=True,
    )
    if not ups:
        st.session_state.pop(K_UPLOAD, None)
        return
    total = sum(u.size for u in ups)
    if total > DEFAULT_MAX_BYTES:
        st.error(
            f"The upload is {total / 2**20:,.0f} MB, over the {DEFAULT_MAX_BYTES / 2**20:,.0f} MB "
            "limit. Export a shorter period, or compress it as .gz or .zip, and upload again."
        )
        return
    file_id = "|".join(u.file_id for u in ups)
    state = st.session_state.get(K_UPLOAD)
    if not state or state.get("file_id") != file_id:
        state = {"file_id": file_id, "sheet": None}
        st.session_state[K_UPLOAD] = state
    if len(ups) > 1 or state.get("multi") or _is_multi_zip(ups[0], state):
        state["multi"] = True
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
            with st.status("Reading the file…", expanded=False) as status:
                st.write("Detecting format, encoding and delimiter")
                raw = inspect_bytes(up.getvalue(), up.name, sheet=state.get("sheet"))
                st.write("Proposing the column mapping")
                proposal = propose_mapping(raw)
                status.update(
                    label=f"Read {raw.rows_read:,} rows in {time.perf_counter() - t0:.1f} s",
                    state="complete",
                )
        except SheetChoiceError as exc:
            st.info("This workbook has several sheets with data. Which one holds the orders?")
            sheet = st.selectbox("Sheet", list(exc.sheets), index=None, key="sheet_pick")
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
            with st.status("Cleaning…", expanded=False) as status:
                t0 = time.perf_counter()
                lines, report = clean(raw, resolved)
                status.update(
                    label=f"Cleaned {report.rows_read:,} rows in {time.perf_counter() - t0:.1f} s",
                    state="complete",
                )
            state.update(clean_key=ckey, lines=lines, report=report, resolved=resolved)
    except EcomdashError as exc:
        show_error(exc)
        return
    report: CleaningReport = state["report"]
    if report.kind == S.KIND_SUMMED:
        st.info(
            "This table is already summed (a date, groups and an amount, no order id): it will "
            "be saved as summed sales. The Overview and Forecast work on it; basket analysis, "
            "segments, customer value and recommendations need an order-line export."
        )
    st.subheader("Cleaning report")
    report_view(report.to_dict(), report=report)
    _save_form(filename, state)


def _read_summary(raw: RawTable) -> None:
    info = raw.info()
    parts = [f"{info['format']}", f"{info['rows_read']:,} rows", f"{len(info['columns'])} columns"]
    if info.get("encoding"):
        parts.append(f"encoding {info['encoding']}")
    if info.get("delimiter"):
        parts.append(f"delimiter {info['delimiter']}")
    if info.get("compression"):
        parts.append(f"{info['compression']}-compressed")
    st.caption("Read as " + ", ".join(str(p) for p in parts))
    for note in info.get("notes") or []:
        st.text(str(note))
    with st.expander("Preview of the file (first 20 rows)"):
        st.dataframe(raw.data.head(20), hide_index=True)  # the merchant's own headers
    if len(raw.malformed):
        st.warning(
            f"{len(raw.malformed):,} rows could not be read (wrong number of fields or an "
            "unclosed quote); they are listed below with their line numbers and are not saved."
        )
        st.dataframe(raw.malformed.head(200), hide_index=True)  # the merchant's own headers


def _mapping_editor(raw: RawTable, proposal: MappingProposal) -> dict[str, str | None]:
    st.subheader("Columns")
    if proposal.layout:
        # a marketplace export we know (Taobao, JD, Pinduoduo, Douyin): no mapping step
        st.success(inert(f"Recognised as a {proposal.layout}: every column is mapped for you."))
        for note in proposal.notes[1:]:
            st.caption(inert(note))
        if not st.toggle("Change the mapping by hand", key="map_by_hand"):
            with st.expander("Which column is which"):
                show_table(proposal.to_frame(), area="data", hide_index=True)
            mapping = {f.field: f.column for f in proposal.fields}
            _allows(mapping)
            return mapping
    st.caption(
        "We matched your columns to the fields below by their names and content. "
        "Change any of them before saving; the mapping is stored with the dataset."
    )
    options = [NOT_IN_FILE, *raw.columns]
    mapping: dict[str, str | None] = {}
    cols = st.columns(4)
    for i, f in enumerate(proposal.fields):
        default = options.index(f.column) if f.column in options else 0
        with cols[i % 4]:
            choice = st.selectbox(
                f"{f.field}",
                options,
                index=default,
                key=f"map_{f.field}",
                help=f"{FIELD_HELP.get(f.field, '')}. Confidence {f.confidence:.0%}.",
            )
        mapping[f.field] = None if choice == NOT_IN_FILE else choice
    for note in proposal.notes:
        st.caption(inert(note))
    for warning in proposal.warnings:
        st.warning(inert(warning), icon="⚠️")
    with st.expander("Why these columns (confidence and reasons)"):
        show_table(proposal.to_frame(), area="data", hide_index=True)
    _allows(mapping)
    return mapping


def _allows(mapping: dict[str, str | None]) -> None:
    """Which analyses the mapping allows (a table)."""
    avail = available_columns({k: v for k, v in mapping.items() if v})
    rows = [
        {
            "analysis": S.ANALYSIS_LABELS[a],
            "available": not S.missing_for(a, avail),
            "missing": ", ".join(sorted(S.missing_for(a, avail))),
        }
        for a in S.REQUIREMENTS
    ]
    st.caption("What this mapping allows")
    show_table(
        pd.DataFrame(rows),
        area="data",
        hide_index=True,
    )


def report_view(rep: dict, *, report: CleaningReport | None = None, key: str = "new") -> None:
    """The cleaning report: counts, every rule with its rows and action, samples, rejected rows."""
    a, b, c, d = st.columns(4)
    a.metric("Rows read", fmt_int(rep.get("rows_read")), border=True)
    b.metric("Rows kept", fmt_int(rep.get("rows_kept")), border=True)
    dropped = (rep.get("rows_read") or 0) - (rep.get("rows_kept") or 0)
    c.metric("Rows dropped", fmt_int(dropped), border=True)
    d.metric("Cancellations matched", fmt_int(rep.get("matched_cancellations", 0)), border=True)
    added = rep.get("added_returns") or 0
    if added:
        st.caption(
            f"{added:,} return lines added, one for each line refunded after the sale (its "
            f"state says so): the dataset holds {(rep.get('rows_kept') or 0) + added:,} lines."
        )
    rules = pd.DataFrame(rep.get("rules") or [], columns=["label", "rows", "action", "rule"])
    if rules.empty:
        st.caption("No cleaning rule applied.")
    else:
        rules = rules.sort_values("rows", ascending=False, kind="stable")
        show_table(
            rules[["label", "rows", "action"]],
            area="data",
            hide_index=True,
            height=min(38 + 35 * len(rules), 700),
            column_config={
                "label": st.column_config.TextColumn(L.label("label", "data"), width="large")
            },
        )
    for note in rep.get("notes") or []:
        st.text(str(note))
    if report is not None:
        for r in report.rules:
            if r.rows and len(r.sample):
                with st.expander(f"Sample: {inert(r.label)} ({r.rows:,} rows)"):
                    show_table(r.sample, area="data", hide_index=True)
        if len(report.rejected):
            download_table(
                report.rejected,
                "rejected-rows",
                label=f"Download the {len(report.rejected):,} dropped rows (CSV)",
                key=f"dl_rejected_{key}",
            )


def _save_form(filename: str, state: dict) -> None:
    st.subheader("Save")
    store = get_store()
    existing = store.list_datasets()
    stem = filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    stem = stem.split(".")[0][:80] or "My orders"
    with st.form("save_form"):
        mode = st.radio(
            "Save as",
            ["new", "append"],
            format_func={"new": "A new dataset", "append": "Add to an existing dataset"}.get,
            horizontal=True,
            disabled=not existing,
        )
        name = st.text_input("Name of the new dataset", value=stem, max_chars=120)
        target = st.selectbox(
            "Dataset to add to (lines already in it are skipped)",
            [d.id for d in existing],
            format_func={d.id: f"{d.name} ({d.rows:,} lines)" for d in existing}.get,
            disabled=not existing,
        )
        go = st.form_submit_button("Save", type="primary")
    if not go:
        return
    report: CleaningReport = state["report"]
    t0 = time.perf_counter()
    try:
        with st.status("Saving…", expanded=False) as status:
            if mode == "append" and target:
                res = store.append(target, state["lines"], report=report, rejected=report.rejected)
                info = res.dataset
                msg = (
                    f"Added {res.added:,} lines to the dataset; skipped {res.duplicates:,} "
                    "lines it already had."
                )
            else:
                info = store.save_dataset(
                    name,
                    state["lines"],
                    report=report,
                    mapping={k: v for k, v in state["resolved"].items() if v},
                    rejected=report.rejected,
                )
                msg = f"Saved {info.rows:,} lines as a new dataset."
            status.update(label=f"Saved in {time.perf_counter() - t0:.1f} s", state="complete")
    except EcomdashError as exc:
        show_error(exc)
        return
    st.session_state["data_flash"] = msg
    st.session_state.pop(K_UPLOAD, None)
    select_dataset(info.id)


# -- datasets ----------------------------------------------------------------------------------
def _datasets_section() -> None:
    store = get_store()
    datasets = store.list_datasets()
    if not datasets:
        st.info("No datasets yet: upload an export in the first tab.")
        return
    table = pd.DataFrame(
        [
            {
                "name": d.name,
                "id": d.id,
                "lines": d.rows,
                "version": d.version,
                "columns": ", ".join(d.columns),
                "source": d.source,
                "updated": d.updated,
            }
            for d in datasets
        ]
    )
    show_table(table, area="data", hide_index=True)
    ids = [d.id for d in datasets]
    by_id = {d.id: d for d in datasets}
    pick = st.selectbox(
        "Dataset",
        ids,
        format_func=lambda i: f"{by_id[i].name} ({i})",
        key="manage_pick",
    )
    info = by_id[pick]
    c1, c2, c3 = st.columns(3)
    with c1:
        if st.button("Open in the dashboard", key="open_ds"):
            select_dataset(info.id)
    with c2:
        with st.popover("Rename"):
            new = st.text_input("New name", value=info.name, key=f"rename_{info.id}")
            if st.button("Rename", key=f"do_rename_{info.id}"):
                try:
                    store.rename(info.id, new)
                    st.session_state["data_flash"] = "Renamed."
                    st.rerun()
                except EcomdashError as exc:
                    show_error(exc)
    with c3:
        with st.popover("Delete"):
            st.write("This removes the dataset and its lines from the store for good.")
            sure = st.checkbox("Yes, delete it", key=f"sure_{info.id}")
            if st.button("Delete", type="primary", disabled=not sure, key=f"del_{info.id}"):
                try:
                    store.delete(info.id)
                    st.session_state.pop("dataset_id", None)
                    st.session_state["data_flash"] = "Deleted."
                    st.rerun()
                except EcomdashError as exc:
                    show_error(exc)
    st.subheader("Cleaning report of this dataset")
    if info.mapping:
        st.caption("Column mapping")
        show_table(
            pd.DataFrame({"field": list(info.mapping), "column": list(info.mapping.values())}),
            area="data",
            hide_index=True,
        )
    report_view(info.report, key=info.id)
    rej = store.rejected_rows(info.id)
    if len(rej):
        download_table(
            rej,
            "rejected-rows",
            label=f"Download the {len(rej):,} dropped rows (CSV)",
            key=f"dl_rej_saved_{info.id}",
        )
    for app in info.report.get("appends", []):
        st.caption(
            f"Appended later: {app['added']:,} lines added, {app['duplicates']:,} duplicates skipped."
        )
