"""The frame's sidebar: dataset picker and the global filters every page shares."""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from ecomdash import labels as L
from ecomdash.errors import EcomdashError
from ecomdash.filters import Filters
from ecomdash.i18n import DEFAULT_LANG, N_, _, _n, fmt, get_lang, normalise
from ecomdash.ui import lang
from ecomdash.ui import report as report_ui
from ecomdash.ui.auth import auth_configured
from ecomdash.ui.common import (
    K_DATASET,
    K_FILTERS,
    K_PENDING,
    create_demo_on_first_start,
    dataset_info,
    dataset_list,
    get_store,
    resolve_dataset,
    show_error,
)

#: Period presets: the English names are the widget's stable values (session state keeps them
#: when the language changes); they are shown translated.
PRESETS = (
    N_("All time"),
    N_("Last 30 days"),
    N_("Last 90 days"),
    N_("Last 12 months"),
    N_("Custom"),
)


def render() -> None:
    """Draw the sidebar and store the choice in session_state (dataset id, Filters)."""
    store = get_store()
    create_demo_on_first_start(store)  # in the main area, not under the sidebar's picker
    with st.sidebar:
        lang.picker()
        _keep_lang_in_url()
        if auth_configured():
            name = st.user.get("name") or st.user.get("email") or _("signed in")
            st.caption(_("Signed in as"))
            st.text(str(name))
            if st.button(_("Sign out"), key="sidebar_logout"):
                st.logout()
        else:
            st.caption(_("Single-merchant mode: local workspace, no sign-in."))
        pending = st.session_state.pop(K_PENDING, None)
        if pending:
            st.session_state[K_DATASET] = pending
            st.session_state["sidebar_dataset"] = pending
        info = resolve_dataset(store)
        if info is None:
            return
        datasets = dataset_list(store)
        ids = [d.id for d in datasets]
        names = {
            d.id: _n(
                "{name} ({n} line)", "{name} ({n} lines)", d.rows, name=d.name, n=f"{d.rows:,}"
            )
            for d in datasets
        }
        chosen = st.selectbox(
            _("Dataset"),
            ids,
            index=ids.index(info.id) if info.id in ids else 0,
            format_func=names.get,
            key="sidebar_dataset",
        )
        if chosen != st.session_state.get(K_DATASET):
            st.session_state[K_DATASET] = chosen
        if st.query_params.get("dataset") != chosen:
            st.query_params["dataset"] = chosen
        try:
            st.session_state[K_FILTERS] = _filters(store, chosen)
        except EcomdashError as exc:
            show_error(exc)
            st.session_state[K_FILTERS] = Filters()
        current = dataset_info(store, chosen)
        report_ui.render(
            (store.workspace, current.id, current.version, st.session_state[K_FILTERS].as_key()),
            current.name,
        )


def _keep_lang_in_url() -> None:
    """Put the session's language back in the URL: switching page drops the query string, so
    the address of a Chinese page would open in English when shared. English with no
    ``lang`` in the URL stays as it is."""
    now = get_lang()
    if normalise(st.query_params.get("lang")) != now and (
        now != DEFAULT_LANG or "lang" in st.query_params
    ):
        st.query_params["lang"] = now


@st.cache_data(max_entries=64, ttl=3600, show_spinner=False)
def _meta(workspace: str, dataset_id: str, version: int) -> tuple:
    """Date range and filter choices of a dataset version (keyed by workspace and version)."""
    store = get_store(workspace)
    lo, hi = store.date_range(dataset_id)
    countries = tuple(store.distinct_values(dataset_id, "country"))
    categories = tuple(store.distinct_values(dataset_id, "category"))
    return lo, hi, countries, categories


def _filters(store, dataset_id: str) -> Filters:
    info = dataset_info(store, dataset_id)
    lo, hi, countries, categories = _meta(store.workspace, info.id, info.version)
    start = end = None
    if lo is not None and hi is not None:
        first, last = lo.date(), hi.date()
        preset = st.selectbox(_("Period"), PRESETS, format_func=_, key=f"period_{dataset_id}")
        if preset == "Custom":
            picked = st.date_input(
                _("From – to"),
                value=(first, last),
                min_value=first,
                max_value=last,
                key=f"range_{dataset_id}",
                format=L.display_for(info.report, is_demo=info.is_demo).picker_format,
            )
            if isinstance(picked, tuple | list) and len(picked) == 2:
                start, end = picked
            else:
                st.caption(_("Pick an end date too."))
        elif preset != "All time":
            days = {"Last 30 days": 30, "Last 90 days": 90, "Last 12 months": 365}[preset]
            start, end = max(first, last - timedelta(days=days - 1)), last
        st.caption(
            _(
                "Data from {first} to {last}",
                first=fmt.unbroken(fmt.long_date(first)),
                last=fmt.unbroken(fmt.long_date(last)),
            )
        )
    # a dataset whose country field holds provinces (a Chinese marketplace export's 收货省份)
    provinces = L.places_are_provinces(info.mapping, info.report)
    where = _("Provinces") if provinces else _("Countries / regions")
    countries = _multi(countries, dataset_id, "country", where)
    categories = _multi(categories, dataset_id, "category", _("Categories"))
    return Filters(
        start=start if isinstance(start, date) else None,
        end=end if isinstance(end, date) else None,
        countries=tuple(countries),
        categories=tuple(categories),
    )


def _multi(values: tuple[str, ...], dataset_id: str, column: str, label: str) -> list[str]:
    if not values:
        return []
    return st.multiselect(label, values, key=f"{column}_{dataset_id}", placeholder=_("All"))
