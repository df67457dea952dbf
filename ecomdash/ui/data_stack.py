"""Data page, several order exports in one upload (twelve monthly exports, a Taobao shop's beside
its JD shop's): each read, mapped and cleaned on its own with its own cleaning report, then
stacked into one dataset (``ecomdash.ingest.stack``: the first saved, the others appended,
lines already saved skipped).

Everything lives in this session's upload state (recomputable); nothing durable until Save.
"""

from __future__ import annotations

import time

import pandas as pd
import streamlit as st

from ecomdash import schema as S
from ecomdash.errors import EcomdashError
from ecomdash.i18n import N_, _, fmt
from ecomdash.i18n.note import Duration, Joined, Quoted, note, note_n, tr_note
from ecomdash.ingest.stack import Part, across_note, check_parts, clean_parts, save_parts
from ecomdash.ui.common import get_store, inert, select_dataset, show_error
from ecomdash.ui.data_i18n import in_run_lang
from ecomdash.ui.tables import show_table


def stack_section(state: dict) -> None:
    """The exports of ``state["tables"]`` (``data_multi.read_step``): cleaned one by one, what
    each holds, the fields some lack, each one's cleaning report, and the save form."""
    from ecomdash.ui import data_page as dp

    tables, sources = state["tables"], state.get("sources") or {}
    st.subheader(_("Several exports, stacked into one dataset"))
    st.caption(
        _(
            "Each file is an order export of its own: each is read, mapped and cleaned on its "
            "own, then they are saved as one dataset, in the order uploaded. A line an earlier "
            "file already holds (two exports covering the same days) is saved once."
        )
    )
    if "parts" not in state:
        t0 = time.perf_counter()
        try:
            with st.status(_("Cleaning the exports…"), expanded=False) as status:
                parts = clean_parts(
                    tables,
                    sources,
                    progress=lambda name, i, n: st.write(
                        _("Cleaning {file} ({i} of {n})", file=inert(name), i=i + 1, n=n)
                    ),
                )
                status.update(
                    label=_(
                        "Cleaned {n} exports in {took}",
                        n=len(parts),
                        took=fmt.duration(time.perf_counter() - t0),
                    ),
                    state="complete",
                )
        except EcomdashError as exc:
            show_error(exc)
            return
        state["parts"] = parts
    parts: tuple[Part, ...] = state["parts"]
    # within the page: the platforms' names are long (淘宝/天猫 宝贝报表（新版…）), and the
    # last order date ran off the table's right edge in Chinese at 1280 px
    show_table(parts_frame(parts), area="data", hide_index=True, fit=True, height="content")
    try:
        notes = check_parts(parts)
    except EcomdashError as exc:
        show_error(exc)
        return
    for n in notes:
        st.warning(inert(tr_note(n)), icon="⚠️")
    st.subheader(_("Cleaning report"))
    tabs = st.tabs([inert(p.name) for p in parts])  # a tab label is markdown
    for i, (tab, part) in enumerate(zip(tabs, parts, strict=True)):
        with tab:
            if part.proposal.layout:
                st.caption(
                    inert(
                        _(
                            "Recognised as a {layout}: every column is mapped for you.",
                            layout=tr_note(part.proposal.layout),
                        )
                    )
                )
            else:
                st.caption(
                    inert(
                        _(
                            "Column mapping: {pairs}",
                            pairs=", ".join(
                                f"{S.field_name(k)} ← {v}" for k, v in part.resolved.items() if v
                            ),
                        )
                    )
                )
            dp.report_view(part.report.to_dict(), report=part.report, key=f"stack{i}")
    _save_form(parts, state)


def parts_frame(parts) -> pd.DataFrame:
    """One row per export: its file, platform, rows read, lines kept, rows dropped, currency
    and first and last order date."""
    rows = []
    for p in parts:
        dates = p.lines[S.ORDER_DATE] if S.ORDER_DATE in p.lines else pd.Series(dtype="object")
        rows.append(
            {
                "file": p.name,
                "platform": tr_note(p.proposal.layout) if p.proposal.layout else "",
                "rows": p.report.rows_read,
                "lines": len(p.lines),
                "dropped": p.report.rows_read - p.report.rows_kept,
                "currency": p.currency or "",
                "first_date": dates.min() if len(dates) else None,
                "last_date": dates.max() if len(dates) else None,
            }
        )
    return pd.DataFrame(rows)


def _save_form(parts, state: dict) -> None:
    from ecomdash.currencies import CURRENCIES, currency_option
    from ecomdash.ui import data_page as dp

    st.subheader(_("Save"))
    store = get_store()
    existing = store.list_datasets()
    first = parts[0].name.rsplit(".", 1)[0][:70] or _("My orders")
    if not existing:
        st.session_state[dp.K_SAVE_MODE] = "new"
    mode = st.radio(
        _("Save as"),
        ["new", "append"],
        format_func=in_run_lang(lambda m: _(dp.SAVE_MODES[m])),
        horizontal=True,
        disabled=not existing,
        key=dp.K_SAVE_MODE,
    )
    name = target = currency = None  # currency "": the merchant's "Not stated", recorded
    with st.form("save_form"):
        if mode == "new":
            name = st.text_input(
                _("Name of the new dataset"), value=f"{first} (+{len(parts) - 1})", max_chars=120
            )
            found = next((p.currency for p in parts if p.currency), None) or ""
            options = list(CURRENCIES) if found in CURRENCIES else [*CURRENCIES, found]
            currency = st.selectbox(
                _("Currency of the amounts"),
                options,
                index=options.index(found),
                format_func=in_run_lang(currency_option),
                help=_("Read off your file's amounts. Change it if it is wrong.")
                if found
                else _(
                    "Your file's amounts carry no currency sign. Choose their currency and every "
                    "page writes it with the amounts (£1,234.50); not stated, they are shown as "
                    "plain numbers (1,234.50)."
                ),
            )
        else:
            target = dp.append_target(existing)
        go = st.form_submit_button(_("Save"), type="primary")
    if not go:
        return
    try:
        with st.status(_("Saving…"), expanded=True) as status:
            res = save_parts(
                store,
                parts,
                name=name,
                append_to=target,
                currency=currency,
                progress=lambda part, i, n: st.write(
                    _("Saving {file} ({i} of {n})", file=inert(part.name), i=i + 1, n=n)
                ),
            )
            status.update(
                label=_("Saved in {took}", took=fmt.duration(res.seconds)),
                state="complete",
                expanded=False,
            )
    except EcomdashError as exc:
        show_error(exc)
        return
    st.session_state["data_flash"] = saved_note(res)
    st.session_state[dp.K_FLASH_NOTES] = list(res.not_kept_notes)
    st.session_state[dp.K_SAVED] = {"file_id": state.get("file_id"), "name": res.dataset.name}
    st.session_state.pop(dp.K_UPLOAD, None)
    select_dataset(res.dataset.id)


#: More files than this and the flash leaves out each file's counts (thirteen monthly files
#: read as a paragraph of "'uci_2010-01.csv': 31,234 lines added; …"): it names only the
#: files with lines already saved, and "Your datasets" keeps every file's counts.
FLASH_FILES = 3


def saved_note(res):
    """What a stacked save did, per file (for up to :data:`FLASH_FILES` files), and how long
    it took (the page's flash)."""
    if len(res.files) > FLASH_FILES:
        saved = _saved_briefly(res)
    else:
        files = Joined(
            (
                note(
                    N_("{file}: {added} lines added, {duplicates} already saved (skipped)"),
                    file=Quoted(f.name),
                    added=f"{f.added:,}",
                    duplicates=f"{f.duplicates:,}",
                )
                if f.duplicates
                # not "0 already saved" (the first file of a new dataset cannot have any)
                else note(
                    N_("{file}: {added} lines added"), file=Quoted(f.name), added=f"{f.added:,}"
                )
                for f in res.files
            ),
            N_("; "),
        )
        saved = note(
            N_("Saved {n} exports as one dataset of {lines} lines in {took}: {files}."),
            n=len(res.files),
            lines=f"{res.dataset.rows:,}",
            took=Duration(res.seconds),
            files=files,
        )
    across = across_note(res.cancelled_across)
    # two sentences: a space between them in English, none in Chinese (as "{problem} {fix}")
    return saved if across is None else note(N_("{problem} {fix}"), problem=saved, fix=across)


def _saved_briefly(res):
    """The flash of many files: the dataset, where each file's counts are, and the files that
    held lines an earlier one already had."""
    saved = note(
        N_(
            "Saved {n} exports as one dataset of {lines} lines in {took}; each file's counts "
            "are under Your datasets."
        ),
        n=len(res.files),
        lines=f"{res.dataset.rows:,}",
        took=Duration(res.seconds),
    )
    repeats = [f for f in res.files if f.duplicates]
    if not repeats:
        return saved
    skipped = note_n(
        "{n} line an earlier file already held was skipped ({files}).",
        "{n} lines an earlier file already held were skipped ({files}).",
        sum(f.duplicates for f in repeats),
        n=f"{sum(f.duplicates for f in repeats):,}",
        files=Joined(
            tuple(
                note(
                    N_("{file}: {duplicates}"), file=Quoted(f.name), duplicates=f"{f.duplicates:,}"
                )
                for f in repeats
            ),
            N_("; "),
        ),
    )
    return note(N_("{problem} {fix}"), problem=saved, fix=skipped)
