"""Streamlit's file uploader in the merchant's language, saying the limit the page enforces.

Streamlit 1.67 draws the uploader's own words in English and has no option for them
(streamlit/streamlit#13500): the "Upload" button, the "200MB per file • CSV, …" line, the
"Drag and drop files here" shown while a file is dragged over it, and the English reason on a
refused file's chip ("application/pdf files are not allowed."). :func:`file_uploader` draws
them from the catalogue instead: a style sheet, scoped to the uploader by the class Streamlit
gives a keyed widget (``st-key-<key>``), hides Streamlit's text by the front end's
``data-testid`` attributes and shows the catalogue's through ``::after { content: … }``.

The limit line (:func:`limit_line`) is written in every language, English too: Streamlit's
own says "200MB per file" whatever the page checks (the Data page checks the whole upload, a
stock file is checked against 5 MB). It says the types the uploader takes and the byte limit
the page enforces, in MB of 2**20 bytes (:func:`limit_mb`: the unit of Streamlit's
``server.maxUploadSize``, which its server enforces as 2**20 bytes, and of the Data page's
refusal); a limit that is not a whole number of them is refused, so the line's figure is
exact: a file of the limit's size is accepted, one byte more is refused. The same figure is
the widget's ``max_upload_size``, so the browser refuses a bigger file before sending it
(Streamlit's front end counts that MB as 2**20 bytes on Windows and 10**6 bytes elsewhere, as
the system's file manager shows sizes: never later than the page). The browser's check is
only the browser's (a client can skip it): each page keeps its own check, with a message, as
the backstop. The rest — the button, the drag note and a refused file's reason — is
Streamlit's own English in English, and the catalogue's in another language.

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

#: the MB of the limit line and of Streamlit's ``server.maxUploadSize`` / ``max_upload_size``
MB = 2**20

_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def css_string(text: str) -> str:
    """``text`` as a CSS string literal: ASCII letters and digits as they are, every other
    character as a six-digit escape (``"`` ``\\`` ``<`` ``>`` included), so no text can end
    the string or the ``<style>`` element. Spaces too: CSS reads a space after an escape as
    the escape's end, so ``"\\0000B7 合"`` would lose it."""
    out = "".join(ch if ch.isascii() and ch.isalnum() else f"\\{ord(ch):06X}" for ch in text)
    return f'"{out}"'


def limit_mb(max_bytes: int) -> int:
    """The byte limit a page enforces in MB of 2**20 bytes (:data:`MB`), the figure of the
    limit line and the widget's ``max_upload_size``: ``200 * 2**20`` is 200. A limit that is
    not a whole number of MB is refused (the line would round it: a file of the size it says
    could be refused)."""
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < MB:
        raise ValueError(f"upload limit {max_bytes!r}: a whole number of MB (2**20 bytes)")
    if max_bytes % MB:
        raise ValueError(
            f"upload limit {max_bytes:,} bytes is {max_bytes / MB:.3f} MB of 2**20 bytes: "
            "make it a whole number of them (n * 2**20)"
        )
    return max_bytes // MB


def limit_line(types: Sequence[str], max_bytes: int, *, in_all: bool = False) -> str:
    """The line beside the button: the accepted types and ``max_bytes``, the byte limit the
    page enforces, in MB of 2**20 bytes (:func:`limit_mb`); ``in_all``: for all the files of
    one upload together, as the Data page checks it."""
    names = fmt.join(t.upper() for t in types)
    size = limit_mb(max_bytes)
    if in_all:
        return _("{types} · up to {mb} MB in all", types=names, mb=size)
    return _("{types} · up to {mb} MB", types=names, mb=size)


def uploader_css(key: str, types: Sequence[str], max_bytes: int, *, in_all: bool = False) -> str:
    """The style sheet that writes the uploader ``key``'s limit line (:func:`limit_line`) in
    every language and, outside English, the rest of its words in the current language."""
    if not _KEY.match(key):
        raise ValueError(f"uploader key {key!r}: letters, digits, '_' and '-' only")
    box = f'.st-key-{key} [data-testid="{DROPZONE}"]'
    note = f'.st-key-{key} [data-testid="{INSTRUCTIONS}"]'
    small = "font-size: 0.875rem;"
    line = [
        f"{note} > * {{ display: none; }}",
        f"{note}::after {{ content: {css_string(limit_line(types, max_bytes, in_all=in_all))};"
        f" {small} opacity: 0.7; }}",
    ]
    if get_lang() == DEFAULT_LANG:
        return "\n".join(line)  # Streamlit's other words are English
    label = f'{box} [data-testid="{BUTTON}"] [data-testid="{BUTTON_TEXT}"]'
    # the overlay while a file is dragged over the box: a div without test id holding one span
    drag = f"{box} > div:not([data-testid]) > span:only-child"
    # a refused file's reason: a tooltip drawn outside the widget, shown while its chip is
    # hovered; this uploader's chip being hovered says the tooltip is this uploader's
    error = (
        f'body:has(.st-key-{key} [data-testid="{ERROR_TARGET}"]:hover) [data-testid="{ERROR_TEXT}"]'
    )
    refused = _(
        "This file cannot be uploaded: check its type and size against the line in the upload "
        "box, then try again."
    )
    return "\n".join(
        [
            f"{label} > p {{ display: none; }}",
            f"{label}::after {{ content: {css_string(_('Upload'))}; }}",
            *line,
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
    max_bytes: int,
    in_all: bool = False,
    where=None,
    explained_types: Sequence[str] = (),
    **kwargs,
):
    """``st.file_uploader`` (in ``where``, a column, when given) saying ``max_bytes``, the byte
    limit the page enforces (pass the constant the page checks), in the current language
    (:func:`uploader_css`), with the same limit as the widget's ``max_upload_size`` so the
    browser refuses a bigger file before sending it. The page still checks the size itself:
    the browser's check can be skipped. ``in_all``: the page checks all the files of one
    upload together (the browser checks each file against the same figure).
    ``explained_types``: types the widget takes too but the line does not list, for a file
    the page cannot read and says why with what to do (an old Excel .xls: save it as .xlsx),
    where the browser's refusal said only "application/vnd.ms-excel files are not allowed."."""
    css = uploader_css(key, types, max_bytes, in_all=in_all)
    st.html(f"<style>\n{css}\n</style>")  # style only: Streamlit draws no element for it
    return (where or st).file_uploader(
        label,
        type=[*types, *explained_types],
        key=key,
        max_upload_size=limit_mb(max_bytes),
        **kwargs,
    )
