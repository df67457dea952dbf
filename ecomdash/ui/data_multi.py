"""Data page, several files: the tables of one export, the proposed joins (with the share of
lines each matches), the merchant's changes, the row counts of each step → one raw table.

Everything lives in this session's upload state (recomputable); nothing durable until Save.
"""

from __future__ import annotations

import time

import pandas as pd
import streamlit as st

from ecomdash.errors import EcomdashError
from ecomdash.i18n import N_, _, fmt
from ecomdash.i18n.note import tr_note
from ecomdash.ingest import MappingProposal, RawTable, propose_mapping
from ecomdash.ingest.multi import (
    combine,
    joins_from_choices,
    propose_joins,
    read_tables,
)
from ecomdash.ui.common import inert, show_error
from ecomdash.ui.data_i18n import in_run_lang
from ecomdash.ui.tables import show_table

LEAVE_OUT = N_("(leave this table out)")  # a stable option value, shown translated
JOIN_KINDS = {"describe": N_("describe"), "translate": N_("translate")}


def read_step(ups, state: dict) -> dict[str, RawTable] | None:
    """The upload's tables, read once per upload (``state["tables"]``, each table's file name in
    ``state["sources"]``); ``None`` when they cannot be read (the page said why)."""
    if "tables" not in state:
        t0 = time.perf_counter()
        sources: dict[str, str] = {}
        try:
            with st.status(_("Reading the tables…"), expanded=False) as status:
                tables = read_tables([(u.name, u.getvalue()) for u in ups], sources=sources)
                st.write(_("Read {n} tables; finding the lines and the join keys", n=len(tables)))
                status.update(
                    label=_(
                        "Read {n} tables in {took}",
                        n=len(tables),
                        took=fmt.duration(time.perf_counter() - t0),
                    ),
                    state="complete",
                )
        except EcomdashError as exc:
            show_error(exc)
            return None
        state["tables"] = tables
        state["sources"] = sources
    return state["tables"]


def tables_section(ups, state: dict) -> tuple[RawTable, MappingProposal, tuple] | None:
    """Read the files, show and edit the joins, combine; ``None`` when it cannot go on."""
    if read_step(ups, state) is None:
        return None
    tables = state["tables"]
    st.subheader(_("Tables"))
    show_table(
        pd.DataFrame(
            [
                {"table": n, "rows": t.rows_read, "columns": ", ".join(t.columns)}
                for n, t in tables.items()
            ]
        ),
        area="data",
        hide_index=True,
    )
    if len(tables) < 2:
        st.info(_("Only one table was found; it is read on its own."))
    names = list(tables)
    fact = st.selectbox(
        _("Table holding the order lines (one row per product in an order, or per unit)"),
        names,
        index=names.index(_proposal(tables, None, state).fact),
        key="multi_fact",
    )
    try:
        proposal = _proposal(tables, fact, state)
    except EcomdashError as exc:
        show_error(exc)
        return None
    st.subheader(_("Joins"))
    st.caption(
        _(
            "Each table that describes the lines is joined on a key. We proposed the keys from "
            "the column names and how many lines each matches; change them below."
        )
    )
    if proposal.joins:
        frame = proposal.to_frame()
        frame["kind"] = frame["kind"].map(lambda k: _(JOIN_KINDS[k]) if k in JOIN_KINDS else k)
        frame["why"] = [tr_note(j.reason) for j in proposal.joins]
        show_table(
            frame,
            area="data",
            hide_index=True,
            column_config={
                "lines matched": st.column_config.ProgressColumn(
                    _("Lines matched"), format="percent", min_value=0.0, max_value=1.0
                )
            },
        )
    for note in proposal.notes:
        st.warning(inert(tr_note(note)), icon="⚠️")
    choices = _join_editor(tables, proposal)
    try:
        joins = joins_from_choices(tables, proposal, choices)
        key = (fact, tuple((j.table, j.left_column, j.table_column) for j in joins))
        if state.get("combine_key") != key:
            t0 = time.perf_counter()
            with st.status(_("Joining the tables…"), expanded=False) as status:
                combined = combine(tables, proposal, joins=joins)
                mapping = propose_mapping(combined.raw)
                status.update(
                    label=_(
                        "Joined {n} tables into {lines} lines in {took}",
                        n=len(joins) + 1,
                        lines=f"{len(combined.raw.data):,}",
                        took=fmt.duration(time.perf_counter() - t0),
                    ),
                    state="complete",
                )
            state.update(combine_key=key, combined=combined, multi_mapping=mapping)
    except EcomdashError as exc:
        show_error(exc)
        return None
    combined = state["combined"]
    st.caption(_("Rows before and after each step"))
    steps = combined.steps_frame()
    steps["step"] = [tr_note(x.step) for x in combined.steps]  # (the frame holds plain str)
    steps["detail"] = [tr_note(x.detail) for x in combined.steps]
    show_table(steps, area="data", hide_index=True)
    for note in combined.notes:
        st.text(tr_note(note))
    with st.expander(_("Preview of the joined lines (first 20 rows)")):
        st.dataframe(combined.raw.data.head(20), hide_index=True)  # the merchant's own headers
    return combined.raw, state["multi_mapping"], (state["file_id"], key)


def _proposal(tables, fact, state):
    cache = state.setdefault("proposals", {})
    if fact not in cache:
        cache[fact] = propose_joins(tables, fact=fact)
    return cache[fact]


def _join_editor(tables: dict[str, RawTable], proposal) -> dict:
    """One row per describing table: the lines column and the table's column to join on."""
    proposed = {j.table: j for j in proposal.joins}
    fact_cols = list(tables[proposal.fact].columns)
    choices: dict = {}
    with st.expander(_("Change the joins"), expanded=False):
        for t, raw in tables.items():
            if t == proposal.fact:
                continue
            j = proposed.get(t)
            others = [
                c for n, r in tables.items() if n not in (t, proposal.fact) for c in r.columns
            ]
            left_opts = [LEAVE_OUT, *dict.fromkeys([*fact_cols, *others])]
            c1, c2 = st.columns(2)
            with c1:
                left = st.selectbox(
                    _("Join {table} on the lines column", table=inert(t)),
                    left_opts,
                    format_func=in_run_lang(lambda c: _(LEAVE_OUT) if c == LEAVE_OUT else c),
                    index=left_opts.index(j.left_column) if j else 0,
                    key=f"join_left_{t}",
                )
            with c2:
                right_opts = list(raw.columns)
                right = st.selectbox(
                    _("… equal to {table} column", table=inert(t)),
                    right_opts,
                    index=right_opts.index(j.table_column) if j else 0,
                    key=f"join_right_{t}",
                    disabled=left == LEAVE_OUT,
                )
            if left == LEAVE_OUT:
                if j:
                    choices[t] = None
            elif not j or (left, right) != (j.left_column, j.table_column):
                choices[t] = (left, right)
    return choices
