"""Streamlit's file uploader in the merchant's language.

Streamlit 1.67 draws the uploader's own words in English and has no option for them
(streamlit/streamlit#13500): the "Upload" button, the "200MB per file • CSV, …" line, the
"Drag and drop files here" shown while a file is dragged over it, and the English reason on a
refused file's chip ("application/pdf files are not allowed."). In another language than
English, :func:`file_uploader` draws them from the catalogue instead: a style sheet, scoped to
the uploader by the class Streamlit gives a keyed widget (``st-key-<key>``), hides Streamlit's
text by the front end's ``data-testid`` attributes and shows the catalogue's through
``::after { content: … }``. The limit line says the limit the app enforces and the types the
uploader takes. In English nothing is added.

The style sheet holds only the catalogue's text and the file types the code passes, never
merchant text, and every character but ASCII letters and digits is written as a CSS escape.
After a Streamlit upgrade run ``tests/e2e/test_uploader_zh.py``: it fails, naming the test id,
when the front end no longer has one the style sheet relies on.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import streamlit as st

from ecomdash.i18n import DEFAULT_LANG, _, fmt, get_lang

#: The front end's test ids the style sheet relies on (Streamlit 1.67's FileUploader).
DROPZONE = "stFileUploaderDropzone"
INSTRUCTIONS = "stFileUploaderDropzoneInstructions"
BUTTON = "stBaseButton-secondary"
BUTTON_TEXT = "stMarkdownContainer"
ERROR_TARGET = "stTooltipErrorHoverTarget"
ERROR_TEXT = "stTooltipErrorContent"

_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def css_string(text: str) -> str:
    """``text`` as a CSS string literal: ASCII letters and digits as they are, every other
    character as a six-digit escape (``"`` ``\\`` ``<`` ``>`` included), so no text can end
    the string or the ``<style>`` element. Spaces too: CSS reads a space after an escape as
    the escape's end, so ``"\\0000B7 合"`` would lose it."""
    out = "".join(ch if ch.isascii() and ch.isalnum() else f"\\{ord(ch):06X}" for ch in text)
    return f'"{out}"'


def limit_line(types: Sequence[str], mb: float, *, in_all: bool = False) -> str:
    """The line beside the button: the accepted types and the size limit the app enforces
    (``in_all``: for all the files of one upload together, as the Data page checks it)."""
    names = fmt.join(t.upper() for t in types)
    size = f"{mb:g}"
    if in_all:
        return _("{types} · up to {mb} MB in all", types=names, mb=size)
    return _("{types} · up to {mb} MB", types=names, mb=size)


def uploader_css(key: str, types: Sequence[str], mb: float, *, in_all: bool = False) -> str:
    """The style sheet that writes the uploader ``key``'s own words in the current language;
    empty in English (Streamlit's words are English)."""
    if get_lang() == DEFAULT_LANG:
        return ""
    if not _KEY.match(key):
        raise ValueError(f"uploader key {key!r}: letters, digits, '_' and '-' only")
    box = f'.st-key-{key} [data-testid="{DROPZONE}"]'
    label = f'{box} [data-testid="{BUTTON}"] [data-testid="{BUTTON_TEXT}"]'
    note = f'.st-key-{key} [data-testid="{INSTRUCTIONS}"]'
    # the overlay while a file is dragged over the box: a div without test id holding one span
    drag = f"{box} > div:not([data-testid]) > span:only-child"
    # a refused file's reason: a tooltip drawn outside the widget, shown while its chip is
    # hovered; this uploader's chip being hovered says the tooltip is this uploader's
    error = (
        f'body:has(.st-key-{key} [data-testid="{ERROR_TARGET}"]:hover) [data-testid="{ERROR_TEXT}"]'
    )
    small = "font-size: 0.875rem;"
    refused = _(
        "This file cannot be uploaded: check its type and size against the line in the upload "
        "box, then try again."
    )
    return "\n".join(
        [
            f"{label} > p {{ display: none; }}",
            f"{label}::after {{ content: {css_string(_('Upload'))}; }}",
            f"{note} > * {{ display: none; }}",
            f"{note}::after {{ content: {css_string(limit_line(types, mb, in_all=in_all))};"
            f" {small} opacity: 0.7; }}",
            f"{drag} {{ visibility: hidden; font-size: 0; }}",
            f"{drag}::after {{ content: {css_string(_('Drag and drop files here'))};"
            f" visibility: visible; {small} }}",
            # its box holds the tooltip's colours: its own text is drawn at size 0 instead
            f"{error} {{ font-size: 0; }}",
            f"{error}::after {{ content: {css_string(refused)}; {small} }}",
        ]
    )


def file_uploader(
    label: str,
    *,
    key: str,
    types: Sequence[str],
    mb: float,
    in_all: bool = False,
    where=None,
    **kwargs,
):
    """``st.file_uploader`` (in ``where``, a column, when given) with Streamlit's own words in
    the current language (:func:`uploader_css`). ``mb``: the size limit the app enforces."""
    css = uploader_css(key, types, mb, in_all=in_all)
    if css:
        st.html(f"<style>\n{css}\n</style>")  # style only: Streamlit draws no element for it
    return (where or st).file_uploader(label, type=list(types), key=key, **kwargs)
