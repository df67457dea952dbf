"""Percentages on charts, written as the tables and sentences write them (``fmt.pct``).

plotly's own percent formats (``tickformat=".0%"``, ``%{y:.1%}``) write ``30%`` in every
language, where the merchant's language writes ``30 %`` (English) or ``30%`` (Chinese) in a
table cell or a sentence. Every percent axis, colour bar and hover of ``ecomdash.charts``
goes through this module instead, so a chart and the table beside it agree:

* :func:`pct_axis` with :func:`points` — an axis of shares that are never below zero: the
  values drawn in percentage points (×100) and plotly's own ticks with ``fmt.pct``'s sign
  as their suffix (``30 %`` / ``30%``), so a zoomed axis gets new round ticks (``0.5 %``,
  ``1 %``, ``1.5 %``; plotly leaves out the zeros ending a tick, where ``pct_ticks`` writes
  every tick with the step's decimals);
* :func:`pct_ticks` — an axis's or a colour bar's ticks (``tickvals`` / ``ticktext``) at a
  round step over the range the data covers, each written by ``fmt.pct``: a colour bar,
  and a change's axis (``signed``: ``-50 %``, ``0 %``, ``+50 %``), which plotly cannot write
  as ``fmt.pct`` does (its ``+`` format writes ``+0`` and its minus is U+2212). These ticks
  are fixed values: a zoomed axis keeps the ticks of the whole range;
* :func:`pct_text` — the same text per value, for a hover's ``customdata`` (the message
  then reads ``%{customdata}`` where it read ``%{x:.1%}``).

plotly cannot write ``30 %`` with a space by its ``%`` format (d3's percent format has no
locale for it): no chart uses it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from ecomdash.i18n import fmt, get_lang

#: round steps between ticks (times a power of ten), finest first
_STEPS = (1.0, 2.0, 5.0)


def pct_text(values: Iterable[float], digits: int = 1, *, signed: bool = False, lang=None):
    """Each share in ``values`` as ``fmt.pct`` writes it (``33.4 %`` / ``33.4%``; ``signed``:
    ``+12 %``), ``fmt.MISSING`` for a missing one: a hover's ``customdata``.

    >>> pct_text([0.334, float("nan")], lang="en"), pct_text([0.12], 0, signed=True, lang="zh")
    (['33.4\\xa0%', '—'], ['+12%'])
    """
    lang = lang or get_lang()
    out = []
    for v in values:
        v = float(v)
        out.append(
            fmt.MISSING if not math.isfinite(v) else fmt.pct(v, digits, signed=signed, lang=lang)
        )
    return out


def points(values) -> np.ndarray:
    """Shares (0.3) as the percentage points a :func:`pct_axis` draws (30.0)."""
    return np.asarray(values, dtype=float) * 100


def pct_axis(*, lang: str | None = None) -> dict:
    """The settings of an axis of percentage points (:func:`points`) never below zero: plotly's
    own round ticks, recomputed on zoom, with ``fmt.pct``'s sign after them (``30 %`` in
    English, ``30%`` in Chinese), whole numbers with thousands (``1,200 %``, not ``1.2k %``).

    >>> pct_axis(lang="zh")
    {'ticksuffix': '%', 'exponentformat': 'none', 'separatethousands': True, 'tickmode': 'auto'}
    """
    return {
        "ticksuffix": fmt.pct_sign(lang),
        "exponentformat": "none",
        "separatethousands": True,
        "tickmode": "auto",
    }


def _step(span: float, count: int) -> float:
    """The round step (1, 2 or 5 times a power of ten) giving at most about ``count``
    intervals over ``span``."""
    raw = span / max(count, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    for s in _STEPS:
        if s * power >= raw * (1 - 1e-9):
            return s * power
    return 10.0 * power


def pct_ticks(
    lo: float, hi: float, *, signed: bool = False, count: int = 5, lang: str | None = None
) -> dict:
    """Ticks for a percent axis or colour bar covering the shares ``lo`` to ``hi`` (and zero
    when the range crosses it), at a round step, written by ``fmt.pct`` with as many decimals
    as the step needs (``0 %``, ``10 %``, ``20 %``; ``0.5 %``, ``1.0 %``; ``signed``: ``-50 %``,
    ``0 %``, ``+50 %``): the dict to update an axis (or a ``colorbar``) with.

    >>> t = pct_ticks(0.0, 0.31, lang="en")
    >>> [text.replace(fmt.NBSP, " ") for text in t["ticktext"]]  # a no-break space
    ['0 %', '10 %', '20 %', '30 %', '40 %']
    >>> pct_ticks(-0.4, 1.0, signed=True, lang="zh")["ticktext"]
    ['-50%', '0%', '+50%', '+100%']
    """
    lang = lang or get_lang()
    lo, hi = float(lo), float(hi)
    if not (math.isfinite(lo) and math.isfinite(hi)):
        lo, hi = 0.0, 1.0
    lo, hi = min(lo, hi), max(lo, hi)
    if hi - lo < 1e-9:
        hi = lo + max(abs(lo), 0.01)
    step = _step(hi - lo, count)
    first = math.floor(lo / step + 1e-9)
    last = math.ceil(hi / step - 1e-9)
    vals = [round(k * step, 12) for k in range(first, last + 1)]
    # decimals of the step in percentage points: 10 % → 0, 0.5 % → 1, 0.02 % → 2
    points = step * 100
    digits = 0
    while digits < 4 and abs(points * 10**digits - round(points * 10**digits)) > 1e-6:
        digits += 1
    text = [fmt.pct(v, digits, signed=signed, lang=lang) for v in vals]
    return {"tickmode": "array", "tickvals": vals, "ticktext": text}


def data_range(*arrays) -> tuple[float, float]:
    """The smallest and largest finite value of ``arrays`` (0, 1 when there is none)."""
    finite = [np.asarray(a, dtype=float)[np.isfinite(np.asarray(a, dtype=float))] for a in arrays]
    finite = [a for a in finite if a.size]
    if not finite:
        return 0.0, 1.0
    return float(min(a.min() for a in finite)), float(max(a.max() for a in finite))
