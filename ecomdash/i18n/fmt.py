"""Numbers and dates in the merchant's language (CLDR data through Babel).

English keeps the app's compact style (``£3.32M``, ``41.6k``, ``4.1 %``); Chinese uses the
units Chinese operators read (``¥332.15万``, ``1.23亿``), no space before ``%``, and dates
written ``2026年11月11日``.
"""

from __future__ import annotations

from datetime import date, datetime

from ecomdash.i18n import LOCALES, get_lang


def compact(x: float, *, money: bool = False, symbol: str = "", lang: str | None = None) -> str:
    """A short figure for a metric tile: exact below ten thousand (money to the cent, with
    ``symbol`` before it when the currency is known; counts as integers), then k / M / B in
    English and 万 / 亿 in Chinese."""
    lang = lang or get_lang()
    money = money or bool(symbol)
    a = abs(float(x))
    sign = "-" if x < 0 else ""
    if lang == "zh":
        if a >= 1e8:
            return f"{sign}{symbol}{a / 1e8:,.2f}亿"
        if a >= 1e4:
            return f"{sign}{symbol}{a / 1e4:,.2f}万"
    else:
        if a >= 1e9:
            return f"{sign}{symbol}{a / 1e9:,.2f}B"
        if a >= 1e6:
            return f"{sign}{symbol}{a / 1e6:,.2f}M"
        if a >= 1e4:
            return f"{sign}{symbol}{a / 1e3:,.1f}k"
    return f"{sign}{symbol}{a:,.2f}" if money else f"{sign}{int(round(a)):,}"


def pct(x: float, digits: int = 1, *, lang: str | None = None) -> str:
    """A share as a percentage: ``4.1 %`` in English, ``4.1%`` in Chinese."""
    lang = lang or get_lang()
    return f"{x * 100:.{digits}f}{'%' if lang == 'zh' else ' %'}"


def long_date(value: date | datetime, *, lang: str | None = None) -> str:
    """A date as a sentence writes it: ``11 November 2026`` / ``2026年11月11日``."""
    from babel.dates import format_date

    lang = lang or get_lang()
    d = value.date() if isinstance(value, datetime) else value
    return format_date(d, format="long", locale=LOCALES.get(lang, LOCALES["en"]))
