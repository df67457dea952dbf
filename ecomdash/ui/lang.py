"""The UI language: chosen in the sidebar, carried in the URL (``?lang=zh``), remembered for
the session, and the browser's language on a first visit."""

from __future__ import annotations

import streamlit as st

from ecomdash.i18n import LANG_NAMES, LANGS, negotiate, normalise, set_lang

K_LANG = "ui_lang"
K_PICKER = "sidebar_lang"


def _browser_lang() -> str:
    try:
        tag = st.context.locale
    except Exception:  # no browser behind this run (AppTest, bare mode)
        tag = None
    if not tag:
        try:
            tag = st.context.headers.get("Accept-Language")
        except Exception:
            tag = None
    return negotiate(tag)


def resolve() -> str:
    """Set this run's language and return it: the URL's ``lang`` first (a shared link opens
    in its language), then the session's choice, then the browser's language."""
    lang = (
        normalise(st.query_params.get("lang"))
        or normalise(st.session_state.get(K_LANG))
        or _browser_lang()
    )
    st.session_state[K_LANG] = lang
    return set_lang(lang)


def _chosen() -> None:
    # clicking the chosen language again clears the control: keep the language then
    lang = normalise(st.session_state.get(K_PICKER)) or st.session_state.get(K_LANG) or "en"
    st.session_state[K_LANG] = lang
    st.query_params["lang"] = lang


def picker() -> None:
    """The language switch at the top of the sidebar (each language names itself)."""
    lang = resolve()
    st.session_state[K_PICKER] = lang
    st.segmented_control(
        "Language · 语言",
        LANGS,
        format_func=LANG_NAMES.get,
        key=K_PICKER,
        on_change=_chosen,
        selection_mode="single",
    )
