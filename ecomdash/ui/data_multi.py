"""Data page, several files: the tables of one export, the proposed joins (with the share of
lines each matches), the merchant's changes, the row counts of each step → one raw table.

Everything lives in this session's upload state (recomputable); nothing durable until Save.
"""

from __future__ import annotations

import time

import pandas as pd
import streamlit as st

from ecomdash.errors import EcomdashError
from ecomdash.ingest import MappingProposal, RawTable, propose_mapping
from ecomdash.ingest.multi import (
    combine,
    joins_from_choices,
    propose_joins,
    read_tables,
)
from ecomdash.ui.common import inert, show_error
from ecomdash.ui.tables import show_table

LEAVE_OUT = "(leave this table out)"


def tables_section(ups, state: dict) -> tuple[RawTable, MappingProposal, tuple] | None:
    """Read the files, show and edit the joins, combine; ``None`` when it cannot go on."""
    if "tables" not in state:
        t0 = time.perf_counter()
        try:
            with st.status("Reading the tables…", expanded=False) as status:
                tables = read_tables([(u.name, u.getvalue()) for u in ups])
                st.write(f"Read {len(tables)} tables; finding the lines and the join keys")
                status.update(
                    label=f"Read {len(tables)} tables in {time.perf_counter() - t0:.1f} s",
                    state="complete",
                )
        except EcomdashError as exc:
            show_error(exc)
            return None
        state["tables"] = tables
    tables = state["tables"]
    st.subheader("Tables")
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
        st.info("Only one table was found; it is read on its own.")
    names = list(tables)
    fact = st.selectbox(
        "Table holding the order lines (one row per product in an order, or per unit)",
        names,
        index=names.index(_proposal(tables, None, state).fact),
        key="multi_fact",
    )
    try:
        proposal = _proposal(tables, fact, state)
    except EcomdashError as exc:
        show_error(exc)
        return None
    st.subheader("Joins")
    st.caption(
        "Each table that describes the lines is joined on a key. We proposed the keys from the "
        "column names and how many lines each matches; change them below."
    )
    if proposal.joins:
        frame = proposal.to_frame()
        show_table(
            frame,
            area="data",
            hide_index=True,
            column_config={
                "lines matched": st.column_config.ProgressColumn(
                    "Lines matched", format="percent", min_value=0.0, max_value=1.0
                )
            },
        )
    for note in proposal.notes:
        st.warning(inert(note), icon="⚠️")
    choices = _join_editor(tables, proposal)
    try:
        joins = joins_from_choices(tables, proposal, choices)
        key = (fact, tuple((j.table, j.left_column, j.table_column) for j in joins))
        if state.get("combine_key") != key:
            t0 = time.perf_counter()
            with st.status("Joining the tables…", expanded=False) as status:
                combined = combine(tables, proposal, joins=joins)
                mapping = propose_mapping(combined.raw)
                status.update(
                    label=f"Joined {len(joins) + 1} tables into {len(combined.raw.data):,} lines "
                    f"in {time.perf_counter() - t0:.1f} s",
                    state="complete",
                )
            state.update(combine_key=key, combined=combined, multi_mapping=mapping)
    except EcomdashError as exc:
        show_error(exc)
        return None
    combined = state["combined"]
    st.caption("Rows before and after each step")
    show_table(combined.steps_frame(), area="data", hide_index=True)
    for note in combined.notes:
        st.text(note)
    with st.expander("Preview of the joined lines (first 20 rows)"):
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
    with st.expander("Change the joins", expanded=False):
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
                    f"Join {inert(t)} on the lines column",
                    left_opts,
                    index=left_opts.index(j.left_column) if j else 0,
                    key=f"join_left_{t}",
                )
            with c2:
                right_opts = list(raw.columns)
                right = st.selectbox(
                    f"… equal to {inert(t)} column",
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
