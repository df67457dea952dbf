"""The sidebar's "Download report" button: the stakeholder report of the current dataset,
period and filters, built only when clicked.

The file is Streamlit's deferred download (``data=`` a callable, run when the button is
clicked). Each section is rendered by a cached function keyed by ``(workspace, dataset,
version, filters)`` + section + language; the click's rerun walks the same sections with a
progress bar inside ``st.status`` and ends with how long it took. The download request and the
rerun share the cache (Streamlit computes one key once; the other waits for it), so the work
is done once and the progress is the real progress.
"""

from __future__ import annotations

import secrets
import time
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from ecomdash.filters import Filters
from ecomdash.i18n import _, fmt, get_lang, use_lang
from ecomdash.ui.common import _safe_stem, get_store

if TYPE_CHECKING:
    from ecomdash.report import Part, ReportData

K_CLICKED = "report_clicked"
K_LAST = "report_last"


def _sections():
    """The report's sections. Imported when a report is built, not with the sidebar that
    draws its button: the sections import every analysis (scikit-learn, statsmodels ...),
    8.6 s of a first start's 14.6 s before the sidebar showed (a loaded machine), the page
    blank meanwhile."""
    from ecomdash.report import ALL_SECTIONS

    return ALL_SECTIONS


@st.cache_data(max_entries=3, ttl=600, show_spinner=False)
def _lines(key: tuple, columns: tuple[str, ...]) -> pd.DataFrame:
    """Lines of one column set (the basket rules' and, for a dataset without amounts, the
    forecast's; the customer analyses read the store's aggregates); once the sections are
    cached these are not needed again, hence the small size and short life."""
    from ecomdash.report.data import read_lines

    workspace, dataset_id, _version, fkey = key
    return read_lines(get_store(workspace), dataset_id, Filters.from_key(fkey), columns)


@st.cache_data(max_entries=16, ttl=600, show_spinner=False)
def _shared(key: tuple, name: str, lang: str, _build):
    """One analysis result the report's sections and its digest share (``ReportData.shared``:
    ``_build`` returns a refusal rather than raising it, so a refusal is kept too), in
    ``lang`` (results hold sentences). Each section is built by its own cached call with a
    ReportData of its own: without this, the digest ran every analysis a second time.

    One report fills 9 entries (``results.ANALYSES``). Their size, pickled (what the cache
    keeps), measured 2026-12-07: on UCI (518,596 lines, 4,274 customers) 8.0 MB in all, the
    largest the pricing result's 3.1 MB; on the demo (137,772 lines, 8,947 customers) 11.2 MB,
    the largest the segments' 3.4 MB (a row per customer: it grows with them). 16 entries
    are at most ~55 MB at those sizes, and live 10 minutes: kept at 16."""
    return _build()


def _data(key: tuple) -> ReportData:
    from ecomdash.report import ReportData

    workspace, dataset_id, _version, fkey = key
    return ReportData.open(
        get_store(workspace),
        dataset_id,
        Filters.from_key(fkey),
        load=lambda cols: _lines(key, cols),
        cache=lambda name, build: _shared(key, name, get_lang(), build),
    )


@st.cache_data(max_entries=128, ttl=3600, show_spinner=False)
def _part(key: tuple, section: str, lang: str) -> Part:
    """One rendered section in ``lang`` (HTML text, not figures: small to cache and to copy)."""
    from ecomdash.report import build_section, part

    [spec] = [s for s in _sections() if s.key == section]
    with use_lang(lang):
        return part(build_section(spec, _data(key)))


def report_bytes(key: tuple, lang: str = "en") -> bytes:
    """The whole report file of ``key`` in ``lang`` (cached sections, assembled on each
    download). The download is built on Streamlit's own thread, outside the script run's
    language context: the language is passed in and set here."""
    from ecomdash.report import build_order, describe, document_html

    with use_lang(lang):
        t0 = time.perf_counter()
        sections = _sections()
        built = {j: _part(key, sections[j].key, lang) for j in build_order(sections)}
        parts = [built[j] for j in range(len(sections))]
        rep = describe(_data(key), lang=lang, seconds=time.perf_counter() - t0)
        return document_html(rep, parts).encode("utf-8")


def _clicked(key: tuple) -> None:
    st.session_state[K_CLICKED] = key


def render(key: tuple, dataset_name: str) -> None:
    """The button (and, on the rerun after a click, the build's status), in the page's
    language: the report downloaded is written in it too."""
    lang = get_lang()
    st.download_button(
        _("Download report"),
        data=lambda: report_bytes(key, lang),
        file_name=f"report-{_safe_stem(dataset_name)}-{secrets.token_hex(6)}.html",
        mime="text/html",
        on_click=_clicked,
        args=(key,),
        key="sidebar_report",
        icon=":material/summarize:",
        help=_(
            "One HTML file for stakeholders: what to do this week first, then KPIs, trend, top "
            "products, basket rules, forecast, restock, segments, customer value, churn, "
            "recommendations, pricing and alerts for the dataset, period and filters chosen "
            "here, each with how good its model is. Opens offline."
        ),
        width="stretch",
    )
    if st.session_state.pop(K_CLICKED, None) == key:
        t0 = time.perf_counter()
        with st.status(_("Building the report"), expanded=True) as status:
            bar = st.progress(0.0)
            from ecomdash.report import build_order

            sections = _sections()
            # the digest last: it reads the results the other sections computed
            for i, j in enumerate(build_order(sections)):
                bar.progress(i / len(sections), text=_(sections[j].title))
                _part(key, sections[j].key, lang)
            bar.progress(1.0, text=_("All sections"))
            took = time.perf_counter() - t0
            status.update(
                label=_("Report built in {took}", took=fmt.duration(took)),
                state="complete",
                expanded=False,
            )
        st.session_state[K_LAST] = (key, took)
    else:
        last = st.session_state.get(K_LAST)
        if last is not None and last[0] == key:
            st.caption(_("Last report built in {took}.", took=fmt.duration(last[1])))
