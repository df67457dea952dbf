"""How wide a text is drawn: a Chinese character (Unicode East Asian Wide or Fullwidth) takes
the room of about two Latin ones, in a terminal (two columns against one) as in a table cell
of the app (14 px against about 7.5 px). The CLI lines up its tables with it (``ecomdash
pricing``'s product column); the pages' tables tell a Chinese character by :func:`is_wide`
and measure the rest as the font draws it (:func:`ecomdash.ui.tables.drawn_px`). No
Streamlit here."""

from __future__ import annotations

import unicodedata


def is_wide(ch: str) -> bool:
    """Whether the character ``ch`` is drawn two columns wide (CJK ideographs, fullwidth
    punctuation such as ``，`` and ``（``)."""
    return unicodedata.east_asian_width(ch) in "WF"


def text_width(text: str, *, narrow: float = 1, wide: float = 2) -> float:
    """The width of ``text`` with each narrow character counted ``narrow`` and each wide one
    ``wide``: terminal columns by default.

    >>> text_width("abc"), text_width("流失 ab"), text_width("流失", narrow=7.5, wide=14)
    (3, 7, 28)
    """
    n_wide = sum(map(is_wide, text))
    return (len(text) - n_wide) * narrow + n_wide * wide
