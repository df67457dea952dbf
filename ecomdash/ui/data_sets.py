"""The Data page's "Your datasets" tab: the saved datasets, and for the one picked, open it in
the dashboard, rename it, change its currency or delete it (each confirmed in this tab, which
stays open), then its cleaning report and what was appended to it. Moved out of
``data_page.py`` when that file passed 900 lines."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ecomdash import labels as L
from ecomdash import schema as S
from ecomdash.currencies import CURRENCIES, NOT_STATED, currency_option
from ecomdash.errors import EcomdashError
from ecomdash.i18n import N_, _, _n
from ecomdash.i18n.note import note, tr_note
from ecomdash.ingest.stack import across_note, cancelled_across, saved_counts
from ecomdash.ui.common import (
    K_DATASET,
    K_PENDING,
    download_table,
    get_store,
    inert,
    select_dataset,
    show_error,
)
from ecomdash.ui.data_i18n import in_run_lang
from ecomdash.ui.tables import show_table

K_RENAMED = "data_renamed"  # the dataset just renamed: its pickers show the new name
#: a saved dataset's action just done (renamed, currency changed, deleted): its confirmation,
#: shown in the "Your datasets" tab, which stays open
K_SETS_FLASH = "data_sets_flash"


def _sets_done(message) -> None:
    """After an action on a saved dataset: its confirmation in the "Your datasets" tab, kept
    open on the rerun. The page went back to "Upload an export" and said "Renamed." there
    (the tabs had no state: a rerun drew them anew, on their first tab)."""
    st.session_state[K_SETS_FLASH] = message
    st.rerun()


def _currency_change(store, info) -> None:
    """A saved dataset's currency, changed (one saved with none, or the wrong one, needed
    uploading again): ``Store.set_currency`` records it in a new version of the same lines,
    so every page's caches (keyed by the version) write the new sign. "Not stated" is one of
    the choices (``currencies.NOT_STATED``): a dataset given a currency, or one read off its
    amounts, goes back to plain numbers, and stays so."""
    current = L.display_for(info.report, is_demo=info.is_demo).currency or NOT_STATED
    options = list(CURRENCIES)
    if current not in options:
        options.append(current)
    st.caption(
        _("Every page writes the amounts in {currency}.", currency=currency_option(current))
        if current
        else _("The amounts are shown without a currency sign.")
    )
    code = st.selectbox(
        _("Currency of the amounts"),
        options,
        index=options.index(current) if current else None,
        placeholder=_("Choose a currency"),
        # the popover is narrow: "Not stated (amounts shown without a currency sign)" was
        # cut at "currenc" (Chromium); the caption above says what it means
        format_func=in_run_lang(lambda c: currency_option(c) if c else _("Not stated")),
        key=f"currency_{info.id}_{info.version}",
    )
    if st.button(
        _("Change the currency"),
        disabled=code is None or code == current,
        key=f"do_cur_{info.id}",
    ):
        try:
            store.set_currency(info.id, code)
            _sets_done(
                note(N_("The amounts are now in {currency}."), currency=currency_option(code))
                if code
                else note(N_("The amounts are now shown without a currency sign."))
            )
        except EcomdashError as exc:
            show_error(exc)


def _appended(app: dict) -> str:
    """What one append saved: its lines added and skipped, and the sale lines matched across
    it and the files saved before it, each a count (a stacked upload's per-file figure was a
    net one, below zero for most of UCI's monthly files)."""
    rep = app.get("report") or {}
    file = rep.get("file")
    counts = {"n": f"{app['added']:,}", "skipped": f"{app['duplicates']:,}"}
    said = (
        _(
            "Appended from {file}: {n} lines added, {skipped} duplicates skipped.",
            file=file,
            **counts,
        )
        if file
        else _("Appended later: {n} lines added, {skipped} duplicates skipped.", **counts)
    )
    returns, sales = int(rep.get("returns_across") or 0), int(rep.get("sales_across") or 0)
    if returns > 0:
        said = _(
            "{problem} {fix}",
            problem=said,
            fix=_n(
                "Its returns cancel {n} sale line saved before it.",
                "Its returns cancel {n} sale lines saved before it.",
                returns,
                n=f"{returns:,}",
            ),
        )
    if sales > 0:
        said = _(
            "{problem} {fix}",
            problem=said,
            fix=_n(
                "{n} of its sale lines is cancelled by a return saved before it.",
                "{n} of its sale lines are cancelled by returns saved before it.",
                sales,
                n=f"{sales:,}",
            ),
        )
    return said


@st.cache_data(show_spinner=False, max_entries=64)
def _cancelled_now(workspace: str, dataset_id: str, version: int) -> int:
    """``Store.cancelled_sales`` of a dataset's version (each rerun of the Data page counted
    them again: 0.6 s on 1.98 M lines at load 18); keyed by the workspace, the dataset and
    its version, as every page's cache is."""
    return get_store(workspace).cancelled_sales(dataset_id)


def _counts_notes(info, counts: dict) -> tuple[str, ...]:
    """Under a saved dataset's tiles: what they add up after appends (every file saved to it,
    the repeated lines skipped), and whose the cleaning rules under them are (the first
    file's): the tiles said 278 sale lines cancelled and the rules table 117 below them (UCI's
    first month with its second appended), with nothing to say why."""
    appends = info.report.get("appends", [])
    if not appends:
        return ()
    files = len(appends) + 1
    said = _n(
        "These counts add up the {n} file saved to this dataset, and count the sale lines its "
        "returns cancel now, a return in one file cancelling a sale in another included.",
        "These counts add up the {n} files saved to this dataset, and count the sale lines "
        "its returns cancel now, a return in one file cancelling a sale in another included.",
        files,
        n=files,
    )
    skipped = int(counts.get("duplicates_skipped") or 0)
    if skipped:
        said = _(
            "{problem} {fix}",
            problem=said,
            fix=_n(
                "{n} line a file repeated was already saved and skipped: the dataset holds "
                "{lines} lines.",
                "{n} lines a file repeated were already saved and skipped: the dataset holds "
                "{lines} lines.",
                skipped,
                n=f"{skipped:,}",
                lines=f"{info.rows:,}",
            ),
        )
    first = info.report.get("file")  # several exports stacked: named
    rules = (
        inert(_("The cleaning rules below are the first file's: {file}.", file=first))
        if first
        else _("The cleaning rules below are the first file's.")
    )
    return (said, rules)


def datasets_section() -> None:
    """The "Your datasets" tab: the saved datasets, one picked to open, rename, change the
    currency of or delete, and its cleaning report."""
    from ecomdash.ui import data_page as dp

    store = get_store()
    datasets = store.list_datasets()
    if not datasets:
        st.info(_("No datasets yet: upload an export in the first tab."))
        return
    table = pd.DataFrame(
        [
            {
                # what tells the datasets apart first; the long list of columns last, where
                # it used to push the last change off the table's right edge
                "name": d.name,
                "lines": d.rows,
                "updated": d.updated,
                "source": _(dp.SOURCES[d.source]) if d.source in dp.SOURCES else d.source,
                "version": d.version,
                "id": d.id,
                "columns": dp.fields_list(d.columns),
            }
            for d in datasets
        ]
    )
    # within the page, one line a dataset: the list of columns, last, ends in "…" where the
    # page ends (the column mapping below lists the chosen dataset's fields one a line); it
    # ran past the page's right edge, cut at "Quant" (Chromium, both languages), and
    # wrapped to three lines it still did not fit
    show_table(table, area="data", hide_index=True, width="stretch", on_screen=list(table.columns))
    ids = [d.id for d in datasets]
    by_id = {d.id: d for d in datasets}
    # a renamed dataset: its picker kept showing the old name (Streamlit keeps a selectbox's
    # shown text when only its format_func's output changes); set again, it is sent anew
    renamed = st.session_state.pop(K_RENAMED, None)
    if renamed in by_id:
        st.session_state["manage_pick"] = renamed
    pick = st.selectbox(
        _("Dataset"),
        ids,
        format_func=lambda i: f"{by_id[i].name} ({i})",
        key="manage_pick",
    )
    info = by_id[pick]
    # the three actions side by side, not spread over the page's width
    with st.container(horizontal=True):
        if st.button(_("Open in the dashboard"), key="open_ds"):
            select_dataset(info.id)
        with st.popover(_("Rename")):
            new = st.text_input(_("New name"), value=info.name, key=f"rename_{info.id}")
            if st.button(_("Rename"), key=f"do_rename_{info.id}"):
                try:
                    store.rename(info.id, new)
                    st.session_state[K_RENAMED] = info.id
                    if st.session_state.get(K_DATASET) == info.id:  # the sidebar's picker too
                        st.session_state[K_PENDING] = info.id
                    _sets_done(note(N_("Renamed.")))
                except EcomdashError as exc:
                    show_error(exc)
        with st.popover(_("Currency")):
            _currency_change(store, info)
        with st.popover(_("Delete")):
            st.write(_("This removes the dataset and its lines from the store for good."))
            sure = st.checkbox(_("Yes, delete it"), key=f"sure_{info.id}")
            if st.button(_("Delete"), type="primary", disabled=not sure, key=f"del_{info.id}"):
                try:
                    store.delete(info.id)
                    st.session_state.pop("dataset_id", None)
                    _sets_done(note(N_("Deleted.")))
                except EcomdashError as exc:
                    show_error(exc)
    st.subheader(_("Cleaning report of this dataset"))
    if info.mapping:
        st.caption(_("Column mapping"))
        show_table(
            pd.DataFrame(
                {
                    "field": [S.field_name(f) for f in info.mapping],
                    "column": list(info.mapping.values()),
                }
            ),
            area="data",
            hide_index=True,
        )
    appends = info.report.get("appends", [])
    # after appends, the counts of every file saved to it, and the sale lines cancelled now
    # (the store's flags: a return in one file cancelling a sale in another included); the
    # first file's alone before (its report), whatever was appended
    counts = (
        saved_counts(info.report, _cancelled_now(info.workspace, info.id, info.version))
        if appends
        else info.report
    )
    dp.report_view(counts, key=info.id, notes=_counts_notes(info, counts))
    rej = dp.reasons_shown(store.rejected_rows(info.id), info.report)
    if len(rej):
        download_table(
            rej,
            "rejected-rows",
            label=_("Download the {n} dropped rows (CSV)", n=f"{len(rej):,}"),
            key=f"dl_rej_saved_{info.id}",
        )
    for app in appends:
        st.caption(inert(_appended(app)))
    across = across_note(cancelled_across(info.report))
    if across is not None:  # stacked exports: sales a return in another file cancels
        st.caption(tr_note(across))
