"""Public holidays (the ``holidays`` package) and sale days: the calendar's named days."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd

from ecomdash.errors import ParameterError
from ecomdash.i18n import N_
from ecomdash.i18n.fmt import long_date
from ecomdash.i18n.note import Date, note

_COUNTRY_CODES = {
    "united kingdom": "GB",
    "uk": "GB",
    "great britain": "GB",
    "england": "GB",
    "eire": "IE",
    "ireland": "IE",
    "united states": "US",
    "usa": "US",
    "us": "US",
    "united states of america": "US",
    "germany": "DE",
    "deutschland": "DE",
    "france": "FR",
    "netherlands": "NL",
    "belgium": "BE",
    "spain": "ES",
    "italy": "IT",
    "portugal": "PT",
    "switzerland": "CH",
    "austria": "AT",
    "sweden": "SE",
    "norway": "NO",
    "denmark": "DK",
    "finland": "FI",
    "poland": "PL",
    "australia": "AU",
    "canada": "CA",
    "japan": "JP",
    "china": "CN",
    "中国": "CN",
    "中华人民共和国": "CN",
    "prc": "CN",
    "hong kong": "HK",
    "singapore": "SG",
    "india": "IN",
    "brazil": "BR",
    "mexico": "MX",
}


@dataclass(frozen=True)
class Event:
    """A merchant-entered event (promotion, sale day) from ``start`` to ``end`` inclusive."""

    name: str
    start: date
    end: date | None = None

    def days(self) -> pd.DatetimeIndex:
        end = self.end or self.start
        if end < self.start:
            raise ParameterError(
                note(
                    N_(
                        "Event '{name}' ends ({end}) before it starts ({start}). Enter an end "
                        "date on or after the start date."
                    ),
                    name=self.name,
                    end=Date(end),
                    start=Date(self.start),
                )
            )
        return pd.date_range(pd.Timestamp(self.start), pd.Timestamp(end), freq="D")


PRESET_EVENTS = ("Black Friday", "Cyber Monday", "Singles' Day (11.11)")


def _black_friday(year: int) -> date:
    nov1 = date(year, 11, 1)
    first_thu = 1 + (3 - nov1.weekday()) % 7
    return date(year, 11, first_thu + 21 + 1)


def preset_events(names: Sequence[str], *, start: date, end: date) -> tuple[Event, ...]:
    """The named sale days (``PRESET_EVENTS``) for every year from ``start`` to ``end``.

    >>> [e.start.isoformat() for e in preset_events(["Black Friday"], start=date(2024, 1, 1), end=date(2025, 12, 31))]
    ['2024-11-29', '2025-11-28']
    """
    out: list[Event] = []
    for name in names:
        if name not in PRESET_EVENTS:
            raise ParameterError(
                note(
                    N_(
                        "Unknown sale day {name}. Choose from {choices}, or enter your own "
                        "event with its dates."
                    ),
                    name=repr(name),
                    choices=tuple(note(e) for e in PRESET_EVENTS),
                )
            )
        for y in range(start.year, end.year + 1):
            if name == "Black Friday":
                d = _black_friday(y)
            elif name == "Cyber Monday":
                d = _black_friday(y) + timedelta(days=3)
            else:
                d = date(y, 11, 11)
            if start <= d <= end:
                out.append(Event(name, d))
    return tuple(out)


def holiday_code(country: str | None) -> str | None:
    """ISO code for the ``holidays`` package from a country name or code (None if unknown).

    >>> holiday_code("United Kingdom"), holiday_code("EIRE"), holiday_code("Atlantis")
    ('GB', 'IE', None)
    >>> holiday_code("中国"), holiday_code("cn"), holiday_code("日本")
    ('CN', 'CN', None)

    A Chinese province is its country's region (Chinese platform exports and the Chinese demo
    keep the buyer's province as the region), so it takes its holidays:

    >>> holiday_code("广东"), holiday_code("广西壮族自治区"), holiday_code("香港")
    ('CN', 'CN', 'HK')
    """
    if not country:
        return None
    c = str(country).strip()
    if len(c) == 2 and c.isascii() and c.isalpha():  # "中国" is two letters too
        return c.upper()
    code = _COUNTRY_CODES.get(c.lower())
    if code is None and not c.isascii():
        from ecomdash.ingest.platforms_cn import PROVINCES

        short = next((s for full, s in PROVINCES if c in (full, s)), None)
        if short is not None:
            code = _OWN_HOLIDAYS.get(short, "CN")
    return code


#: provincial-level regions with public holidays of their own
_OWN_HOLIDAYS = {"香港": "HK", "澳门": "MO", "台湾": "TW"}


def _package_holidays(code: str, years: list[int]) -> dict:
    """{date: name} from the ``holidays`` package, names in English whatever the machine's
    locale (asked as ``en_US`` where the package has it; left to itself it follows LANG, so
    China's came out in Chinese when LANG is unset), a substituted day off's date written as
    every sentence of the app writes a date, ``fmt.long_date`` ("Day off (substituted from 28
    September 2025)"; the package's en_US writes 09/28/2025, its zh_CN 2025-09-28, which
    :func:`holiday_names_zh` writes 2025年9月28日). Raises NotImplementedError for a country
    the package does not know."""
    import holidays as hol

    kw = {"subdiv": "ENG"} if code == "GB" else {}
    base = hol.country_holidays(code, years=[], **kw)
    langs = getattr(base, "supported_languages", None) or ()
    lang = "en_US" if "en_US" in langs else base.default_language
    h = hol.country_holidays(code, years=years, language=lang, **kw)
    if not getattr(h, "has_substituted_holidays", False):
        return dict(h.items())
    fmt = h.tr(h.substituted_date_format)
    pattern = re.escape(fmt)
    for f, rx in (("%d", r"\d{1,2}"), ("%m", r"\d{1,2}"), ("%Y", r"\d{4}")):
        pattern = pattern.replace(re.escape(f), rx)

    def long(m: re.Match) -> str:
        try:
            return long_date(datetime.strptime(m.group(0), fmt), lang="en")
        except ValueError:
            return m.group(0)

    return {d: re.sub(pattern, long, n) for d, n in h.items()}


def holidays_between(code: str | None, start: pd.Timestamp, end: pd.Timestamp) -> dict:
    """Public holidays of ``code`` between two dates: {Timestamp: name} (empty if unknown),
    named in English (``_package_holidays``).

    >>> h = holidays_between("CN", pd.Timestamp("2025-10-06"), pd.Timestamp("2025-10-07"))
    >>> list(h.values())
    ['Mid-Autumn Festival', 'Day off (substituted from 28 September 2025)']
    """
    if not code:
        return {}
    years = list(range(start.year, end.year + 1))
    try:
        h = _package_holidays(code, years)
    except NotImplementedError:
        return {}
    return {pd.Timestamp(d): n for d, n in h.items() if start <= pd.Timestamp(d) <= end}


def holiday_names_zh(code: str | None, start: pd.Timestamp, end: pd.Timestamp) -> dict[str, str]:
    """{name as :func:`holidays_between` gives it: its Simplified Chinese name} for the
    holidays of ``code`` between two dates, from the ``holidays`` package's own ``zh_CN``
    translations. Empty when the package has no Simplified Chinese for that country (of the
    countries we know, only China, Hong Kong, Macau and Taiwan have it): those names stay as
    the package gives them.

    >>> n = holiday_names_zh("CN", pd.Timestamp("2024-01-01"), pd.Timestamp("2024-12-31"))
    >>> n["Chinese New Year (Spring Festival)"], n["National Day"]
    ('春节', '国庆节')
    >>> holiday_names_zh("GB", pd.Timestamp("2024-01-01"), pd.Timestamp("2024-12-31"))
    {}
    """
    if not code:
        return {}
    import holidays as hol

    years = list(range(start.year, end.year + 1))
    kw = {"subdiv": "ENG"} if code == "GB" else {}
    try:
        base = _package_holidays(code, years)
    except NotImplementedError:
        return {}
    langs = getattr(hol.country_holidays(code, years=[], **kw), "supported_languages", None)
    if "zh_CN" not in (langs or ()):
        return {}
    zh = hol.country_holidays(code, years=years, language="zh_CN", **kw)
    out: dict[str, str] = {}
    for d, name in base.items():
        # the package joins several holidays on one day with "; " (in every language)
        parts, zh_parts = name.split("; "), str(zh.get(d, "")).split("; ")
        if len(parts) == len(zh_parts):
            out.update((p, zh_long_dates(z)) for p, z in zip(parts, zh_parts, strict=True) if z)
    return out


def zh_long_dates(name: str) -> str:
    """A package's Chinese name with its ISO dates written as a Chinese sentence writes them:
    ``休息日（由 2025-09-28 调休）`` -> ``休息日（由2025年9月28日调休）``."""
    return re.sub(
        r" ?(\d{4}-\d{2}-\d{2}) ?",
        lambda m: long_date(date.fromisoformat(m.group(1)), lang="zh"),
        name,
    )


def localise_holidays(
    names: Sequence[str], code: str | None, start: pd.Timestamp, end: pd.Timestamp
) -> list[str]:
    """``names`` (a series' ``holiday`` column: "" or names joined by "; ") with every name
    the package has in Simplified Chinese replaced by it (the others kept as they are), for
    the Chinese page. Display only: results and exports of the core keep the package's names.

    >>> localise_holidays(["", "National Day"], "CN", pd.Timestamp("2024-10-01"),
    ...                   pd.Timestamp("2024-10-07"))
    ['', '国庆节']
    """
    table = holiday_names_zh(code, start, end)
    if not table:
        return list(names)
    return ["; ".join(table.get(p, p) for p in str(n).split("; ")) if n else n for n in names]
