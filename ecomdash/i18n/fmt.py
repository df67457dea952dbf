"""Numbers and dates in the merchant's language (CLDR data through Babel).

English keeps the app's compact style (``£3.32M``, ``41.6k``, ``4.1 %``); Chinese uses the
units Chinese operators read (``¥332万``, ``1.23亿``), no space before ``%``, and dates
in sentences written ``11 November 2026`` / ``2026年11月11日`` (:func:`long_date`), months
``November 2026`` / ``2026年11月`` (:func:`long_month`).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, localcontext

from ecomdash.i18n import LOCALES, get_lang

#: What a missing value reads as in every table and chart cell: "not known", like the tiles'
#: "—" (Streamlit would write "None", which reads as a value; the CSV download keeps an empty
#: cell)
MISSING = "—"

#: The currency sign sentences write money with (the dataset's; none by default): findings,
#: alert reasons. Set for a block with :func:`use_currency`.
_SYMBOL: contextvars.ContextVar[str] = contextvars.ContextVar("currency_symbol", default="")


@contextlib.contextmanager
def use_currency(symbol: str | None) -> Iterator[None]:
    """Write money with ``symbol`` (the dataset's currency sign: £, ¥ ...) in the block:
    sentences built in it read £4,200 / ¥1.83万 (:func:`money`, findings' ``money_text``)."""
    token = _SYMBOL.set(symbol or "")
    try:
        yield
    finally:
        _SYMBOL.reset(token)


def currency_symbol() -> str:
    """The sign set by :func:`use_currency` ("" outside one)."""
    return _SYMBOL.get()


def money(x: float, *, places: int = 2, symbol: str | None = None, signed: bool = False) -> str:
    """An exact amount with thousands and the currency sign (of :func:`use_currency` unless
    ``symbol`` is given) after the minus: ``-£950.40``; ``signed`` writes ``+`` too.

    Rounded half up from the amount's decimal text, as :func:`compact` rounds (``£2.675`` is
    ``£2.68``, ``£0.125`` ``£0.13``: Python's ``"%.2f"`` wrote ``£2.67`` and ``£0.12``).

    >>> money(-950.4, symbol="£"), money(1234.5, places=0, symbol="¥", signed=True)
    ('-£950.40', '+¥1,235')
    >>> money(2.675, symbol="£"), money(0.125, symbol="£"), money(-0.004, symbol="£")
    ('£2.68', '£0.13', '£0.00')
    """
    sym = _SYMBOL.get() if symbol is None else symbol
    a = abs(float(x))
    if a != a or a == float("inf"):  # NaN/inf keep their own text
        figure = f"{a:,.{places}f}"
    else:  # half up from the decimal text, as compact(): £2.675 is £2.68, £0.125 £0.13
        figure = f"{_half_up(a, places):,.{places}f}"
    sign = _sign(x, figure, signed=signed)
    return f"{sign}{sym}{figure}"


def _sign(x: float, figure: str, *, signed: bool = False) -> str:
    """The sign before ``figure`` (``abs(x)`` as written): ``-`` for a negative amount, ``+``
    when ``signed``, and none when the written figure is zero (a refund of a tenth of a penny
    reads ``£0.00``, never ``-£0.00`` / ``+£0.00``: what rounds to zero is zero).

    >>> _sign(-0.004, "0.00"), _sign(-0.4, "0"), _sign(-0.6, "1"), _sign(2.0, "2", signed=True)
    ('', '', '-', '+')
    """
    if not any(c in "123456789" for c in figure):
        return ""
    return "-" if x < 0 else ("+" if signed else "")


def money_about(
    x: float, *, symbol: str | None = None, lang: str | None = None, signed: bool = False
) -> str:
    """An estimated amount in a sentence ("about £1,200 more revenue"), no more precise than
    an estimate is. The rule: two significant figures below ten thousand (``£93``,
    ``£1,200`` for 1,207, ``£4,600`` for 4,602; whole units below ten: ``£7``), then the
    three significant figures of a tile (:func:`compact`: ``£18.3k``, ``£183k``, ``£1.25M``
    in English; ``¥1.83万``, ``¥18.3万``, ``¥1.25亿`` in Chinese); each rounding half up.
    The currency sign is :func:`use_currency`'s (or ``symbol``), after the minus; ``n/a``
    when not known. The Home's findings (``findings.money_text``), the Pricing page's
    what-if and the Basket page's bundle what-if write money this way. ``signed`` writes a
    change: ``+£88`` / ``-£88``, and a change that rounds to zero without a sign (``£0``,
    never ``+£0``: what rounds to zero is zero, as in :func:`money`).

    >>> money_about(1206.77, symbol="£"), money_about(18_300.0, symbol="£"), money_about(-950.4)
    ('£1,200', '£18.3k', '-950')
    >>> money_about(4602.0, symbol="£"), money_about(93.4, symbol="£"), money_about(9960.0)
    ('£4,600', '£93', '10k')
    >>> money_about(18_340.0, symbol="¥", lang="zh"), money_about(4249.0, symbol="¥", lang="zh")
    ('¥1.83万', '¥4,200')
    >>> money_about(88.0, symbol="£", signed=True), money_about(0.3, symbol="£", signed=True)
    ('+£88', '£0')
    >>> money_about(18_340.0, symbol="£", signed=True), money_about(-0.4, symbol="£", signed=True)
    ('+£18.3k', '£0')
    """
    import math

    if x is None or not math.isfinite(x):
        return "n/a"
    lang = lang or get_lang()
    sym = _SYMBOL.get() if symbol is None else symbol
    a = abs(x)
    r = _significant(a, 2) if a >= 10 else _half_up(a)
    if r < 10_000:  # no cents in a sentence: -0.4 is "£0"
        figure = f"{r:,.0f}"
        return f"{_sign(x, figure, signed=signed)}{sym}{figure}"
    # from ten thousand as a tile writes it (9,960 rounds up to 10k, not back to 9,960)
    text = compact(math.copysign(max(a, 10_000.0), x), symbol=sym, lang=lang)
    return f"+{text}" if signed and x > 0 else text


def _significant(a: float, digits: int) -> Decimal:
    """``a`` (not negative) rounded half up to ``digits`` significant figures, from its
    shortest decimal text: ``_significant(1207, 2)`` is 1200, ``_significant(252_049, 3)``
    252000, ``_significant(0.0, 3)`` 0."""
    d = Decimal(repr(float(a)))
    if not d:
        return d
    return d.quantize(Decimal(1).scaleb(d.adjusted() - digits + 1), rounding=ROUND_HALF_UP)


def whole(x: float) -> int:
    """An estimated count in whole units, rounded half up as a person rounds the figure they
    read (``92.9`` → 93, ``6.5`` → 7, ``0.4`` → 0): orders and sales come whole.

    >>> whole(92.9), whole(6.5), whole(0.4)
    (93, 7, 0)
    """
    return int(_half_up(x))


def join(items, *, lang: str | None = None) -> str:
    """Items listed in a sentence or a cell: ``a, b`` in English, ``a、b`` in Chinese.

    >>> join(["a", "b"], lang="en"), join(["甲", "乙"], lang="zh")
    ('a, b', '甲、乙')
    """
    return ("、" if (lang or get_lang()) == "zh" else ", ").join(str(i) for i in items)


def sentences(parts, *, lang: str | None = None) -> str:
    """Whole sentences one after another: a space between them in English, none in Chinese
    (its full stop ends a sentence); empty parts are left out.

    >>> sentences(["One.", "", "Two."], lang="en"), sentences(["一。", "二。"], lang="zh")
    ('One. Two.', '一。二。')
    """
    return ("" if (lang or get_lang()) == "zh" else " ").join(str(p) for p in parts if p)


#: A tile's units from ten thousand on: (from, divided by, written), largest first
_UNITS = {
    "en": ((1e9, 1e9, "B"), (1e6, 1e6, "M"), (1e4, 1e3, "k")),
    "zh": ((1e8, 1e8, "亿"), (1e4, 1e4, "万")),
}


def compact(x: float, *, money: bool = False, symbol: str = "", lang: str | None = None) -> str:
    """A short figure for a metric tile, every tile by one rule: from ten thousand, three
    significant figures (half up) with k / M / B in English and 万 / 亿 in Chinese (``25.2k``,
    ``252k``, ``£3.73M``; ``2.52万``, ``252万``, ``1,830万``, ``¥3.73亿``), without the zeros
    that end the figure after its point, as a dashboard writes them (``50k`` for 50,049, not
    ``50.0k``; ``£1M``, ``£1.5M``; ``1万``, ``1.3万``; ``25.2k`` and ``£3.73M`` keep every
    digit); below ten thousand
    the figure itself (the same in both languages, Chinese has no unit below 万): a count as
    a whole number (``2,520``), money with ``symbol`` before it when the currency is known,
    whole from a thousand (``£6,168``, beside ``£208k``) and to the cent below (``£93.40``,
    an average order), each rounded half up from the figure's decimal text (``2.5`` orders
    is ``3``, ``£2.675`` is ``£2.68``). What rounds to zero has no sign.

    >>> compact(252_049, lang="en"), compact(25_249, lang="en"), compact(2_520, lang="en")
    ('252k', '25.2k', '2,520')
    >>> compact(3_731_389.17, symbol="£", lang="en"), compact(6_168.18, symbol="£", lang="en")
    ('£3.73M', '£6,168')
    >>> compact(93.4, money=True, lang="en"), compact(3_321_500, symbol="¥", lang="zh")
    ('93.40', '¥332万')
    >>> compact(50_049, lang="en"), compact(1_000_400, symbol="£", lang="en"), compact(13_000, lang="zh")
    ('50k', '£1M', '1.3万')
    >>> compact(2.5, lang="en"), compact(2_344.5, lang="en"), compact(0.125, symbol="£", lang="en")
    ('3', '2,345', '£0.13')
    """
    lang = lang or get_lang()
    money = money or bool(symbol)
    a = abs(float(x))
    sign = "-" if x < 0 else ""
    if a >= 1e4 and a != float("inf"):
        r = _significant(a, 3)
        for start, size, unit in _UNITS["zh" if lang == "zh" else "en"]:
            if r >= start:
                v = r / Decimal(repr(size))
                places = max(0, 2 - v.adjusted())  # 3.73 / 25.2 / 252 / 1,830
                figure = f"{v:,.{places}f}"
                if "." in figure:  # 50.0k is 50k, 1.50M 1.5M: no zeros after the point
                    figure = figure.rstrip("0").rstrip(".")
                return f"{sign}{symbol}{figure}{unit}"
    # below ten thousand each figure is rounded half up from its decimal text, as a person
    # rounds what they read (2.5 orders is 3, £0.125 is £0.13; Python's round() and "%.2f"
    # round a float half to even or by its binary value: 2, £0.12, and £2.675 to £2.67)
    cents = _half_up(a, 2)
    if money:
        figure = f"{_half_up(a):,.0f}" if cents >= 1000 else f"{cents:,.2f}"
    else:
        figure = f"{_half_up(a):,.0f}"
    return f"{_sign(x, figure)}{symbol}{figure}"  # what rounds to zero is zero, never "-0"


def round_count(x: float, *, digits: int = 2, lang: str | None = None) -> str:
    """A large count in a sentence, rounded to ``digits`` significant digits and said as the
    language says it: ``15,000`` / ``3.5 million`` in English, ``1.5万`` / ``350万`` /
    ``8.3亿`` in Chinese (an alert's "about 1 in 3.5 million" / "约350万分之一").

    >>> round_count(14_925, lang="en"), round_count(3_512_000, lang="en")
    ('15,000', '3.5 million')
    >>> round_count(14_925, lang="zh"), round_count(3_512_000, lang="zh"), round_count(830, lang="zh")
    ('1.5万', '350万', '830')
    """
    import math

    lang = lang or get_lang()
    a = abs(float(x))
    if not math.isfinite(a) or a < 1:
        return f"{x:,.0f}" if math.isfinite(a) else str(x)
    r = round(a, digits - 1 - math.floor(math.log10(a)))
    steps = (
        ((1e8, "{}亿"), (1e4, "{}万"))
        if lang == "zh"
        else ((1e9, "{} billion"), (1e6, "{} million"))
    )
    sign = "-" if x < 0 else ""
    for size, form in steps:
        if r >= size:
            return sign + form.format(f"{r / size:g}")
    return f"{sign}{r:,.0f}"


#: The space between a figure and its unit in English ("53 %", "42 s", "2 min 11 s"): a
#: no-break space (U+00A0), so a line never ends with the figure and starts with its unit
#: (the Home card's confidence note wrapped "53" and "%" in Chromium). The one place the
#: rule is written: :func:`pct_sign`, :func:`unit`, :func:`duration`, the tables' percent
#: formats (``labels.number_format``, ``ui.tables.percent_format``), the Overview's deltas
#: and the message ids that write a figure before "%" (``tests/unit/test_i18n_units.py``).
#: Chinese writes ``53%`` with no space, and its other units after the same no-break space
#: (``42 秒``, ``2 分 11 秒``): the catalogue writes a space between a figure and a Chinese
#: unit (``90 天``, ``12 个月``), and a plain one let a line end with ``42`` and start with
#: ``秒`` (a figure and an ideograph may break apart without any space at all, so ``42秒``
#: would not keep them together either). The space between a Chinese word and the figure
#: after it is the same no-break space (``不到 0.1 秒``, ``2 分 11 秒``; the catalogue's
#: ``共 {n} 个``, ``最近 30 天``): no line ends with ``不到`` and starts the next with ``0.1``.
NBSP = "\u00a0"


def unit(figure: str, name: str, *, lang: str | None = None) -> str:
    """``figure`` followed by its unit ``name``, as the language joins them: a no-break space
    (:data:`NBSP`: ``42 s``, ``12.5 %``, ``42 秒``), except ``%`` in Chinese, right after
    the figure (``12.5%``).

    >>> unit("42", "s", lang="en"), unit("12.5", "%", lang="en"), unit("12.5", "%", lang="zh")
    ('42\\xa0s', '12.5\\xa0%', '12.5%')
    >>> unit("42", "秒", lang="zh")
    '42\\xa0秒'
    """
    if name == "%" and (lang or get_lang()) == "zh":
        return f"{figure}{name}"
    return f"{figure}{NBSP}{name}"


def pct_sign(lang: str | None = None) -> str:
    """What :func:`pct` writes after the figure: ``%`` after a no-break space in English
    (:data:`NBSP`), ``%`` alone in Chinese (a chart's percent axis takes it as its
    ``ticksuffix``: ``ecomdash.charts.percent.pct_axis``).

    >>> pct_sign("en"), pct_sign("zh")
    ('\\xa0%', '%')
    """
    return unit("", "%", lang=lang)


def pct(
    x: float,
    digits: int = 1,
    *,
    signed: bool = False,
    lang: str | None = None,
    points: bool = False,
) -> str:
    """A share as a percentage: ``4.1 %`` in English (a no-break space before the ``%``:
    :func:`pct_sign`), ``4.1%`` in Chinese. ``signed`` writes
    ``+`` too, and the minus is a hyphen, as :func:`money` writes it; a share that rounds to
    zero has no sign (``0 %``, not ``-0 %``); thousands are separated (``+1,065 %``).
    Rounded half up from the share's decimal text, as :func:`compact` rounds (``0.125`` is
    ``13 %``, ``0.0125`` ``1.3 %``: Python's ``"%.0f"`` wrote ``12 %`` and ``1.2 %``).
    ``points``: ``x`` is already in percentage points (``12.5`` → ``12.5 %``), the tables'
    ``pct`` columns.

    >>> pct(0.0412, lang="en"), pct(0.0412, lang="zh"), pct(-1, 0, signed=True, lang="en")
    ('4.1\\xa0%', '4.1%', '-100\\xa0%')
    >>> pct(0.12, 0, signed=True, lang="zh"), pct(-0.001, 0, signed=True, lang="en")
    ('+12%', '0\\xa0%')
    >>> pct(10.65, 0, signed=True, lang="en"), pct(10.65, 0, signed=True, lang="zh")
    ('+1,065\\xa0%', '+1,065%')
    >>> pct(0.125, 0, lang="zh"), pct(0.0125, lang="zh"), pct(12.5, 0, lang="zh", points=True)
    ('13%', '1.3%', '13%')
    """
    lang = lang or get_lang()
    a = abs(float(x))
    if a != a or a == float("inf"):  # NaN/inf keep their own text
        text = f"{a:,.{digits}f}"
    else:  # half up from the share's decimal text: 0.125 is 13 %, 0.285 29 % (never 12, 28)
        text = f"{_half_up(a, digits, shift=0 if points else 2):,.{digits}f}"  # +1,065 %
    nonzero = any(c in "123456789" for c in text)
    sign = ("-" if x < 0 else ("+" if signed else "")) if nonzero else ""
    return f"{sign}{text}{pct_sign(lang)}"


def times(x: float, *, most: float = 100.0, lang: str | None = None) -> str:
    """A ratio as a multiple, as a merchant reads a lift: ``1.8×`` in English, ``1.8 倍`` in
    Chinese (the catalogue's ``{lift} 倍``: :func:`unit`'s no-break space); whole from ten
    (``38×``), one decimal from one (``1.8×``), two below (``0.32×``), rounded half up. Beyond
    ``most`` it reads ``more than 100×`` / ``超过 100 倍`` (an interval's end of a promotion of
    a few orders runs to 10^15 times: a figure nobody reads), and what would round to zero
    ``less than 0.01×`` / ``不到 0.01 倍`` (exactly zero: ``0×``); Chinese joins ``超过`` /
    ``不到`` and the figure with the no-break space too, as the catalogue joins a word and the
    figure after it.

    >>> times(1.8, lang="en"), times(0.3162, lang="en"), times(38.72, lang="zh")
    ('1.8×', '0.32×', '39\xa0倍')
    >>> times(1.2e15, lang="en"), times(1.2e15, lang="zh").replace(NBSP, "~")
    ('more than 100×', '超过~100~倍')
    >>> times(1e-13, lang="en"), times(0.0, lang="zh")
    ('less than 0.01×', '0\xa0倍')
    """
    zh = (lang or get_lang()) == "zh"
    x = float(x)
    if x != x:  # NaN: not known
        return MISSING

    def written(v: float) -> str:
        places = 0 if v >= 10 else (1 if v >= 1 else 2)
        figure = f"{_half_up(v, places):,.{places}f}"
        return unit(figure, "倍", lang="zh") if zh else f"{figure}×"

    if x > most:
        return f"超过{NBSP}{written(most)}" if zh else f"more than {written(most)}"
    if 0 < x < 0.005:
        return f"不到{NBSP}{written(0.01)}" if zh else f"less than {written(0.01)}"
    if x <= 0:
        return unit("0", "倍", lang="zh") if zh else "0×"
    return written(x)


def pct_upto(
    x: float, digits: int = 0, *, most: float = 100.0, signed: bool = True, lang: str | None = None
) -> str:
    """:func:`pct` of a change, but one beyond ``most`` (a share: 100 is ``+10,000 %``) reads
    ``more than +10,000 %`` / ``超过 +10,000%`` (the no-break space after ``超过``, as in
    :func:`times`): the end of a promotion's dip interval when the weeks after it sold a few
    units against none (it read ``+383,722,577,373 %``).

    >>> pct_upto(-0.3, lang="zh"), pct_upto(3e63, lang="zh")
    ('-30%', '超过\xa0+10,000%')
    >>> pct_upto(3e63, lang="en").replace(NBSP, "~")
    'more than +10,000~%'
    """
    zh = (lang or get_lang()) == "zh"
    if float(x) > most:
        cap = pct(most, digits, signed=signed, lang=lang)
        return f"超过{NBSP}{cap}" if zh else f"more than {cap}"
    return pct(x, digits, signed=signed, lang=lang)


def _as_date(value) -> date:
    """A ``date`` from a date, a datetime (pandas' Timestamp too), an ISO text or anything
    ``pandas.Timestamp`` reads (a numpy datetime64)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    import pandas as pd

    return pd.Timestamp(value).date()


def long_date(value, *, weekday: bool = False, lang: str | None = None) -> str:
    """A date as a sentence writes it: ``11 November 2026`` / ``2026年11月11日`` (CLDR's long
    format). ``weekday`` adds the short day name, by CLDR's ``yMMMMEd`` skeleton: ``Wed, 11
    November 2026`` / ``2026年11月11日周三`` (the same long date, the day where each language
    puts it). Every date inside a sentence is written this way; tables, axes, pickers and date
    inputs keep the shop's display format (``labels.Display``), CSV and the CLI's JSON ISO.

    >>> long_date(date(2026, 1, 12), lang="en"), long_date(date(2026, 1, 12), lang="zh")
    ('12 January 2026', '2026年1月12日')
    >>> long_date("2026-01-12", weekday=True, lang="en")
    'Mon, 12 January 2026'
    >>> long_date(date(2026, 1, 12), weekday=True, lang="zh")
    '2026年1月12日周一'
    """
    from babel.dates import format_date, format_skeleton

    locale = LOCALES.get(lang or get_lang(), LOCALES["en"])
    d = _as_date(value)
    if weekday:
        return format_skeleton("yMMMMEd", d, locale=locale)
    return format_date(d, format="long", locale=locale)


#: Keeps two characters on one line where a line may break between them (WORD JOINER): a
#: browser breaks Chinese text between any two characters, "2010年12" | "月9日" included
_JOIN = "\u2060"


def unbroken(text: str) -> str:
    """``text`` drawn on one line wherever it falls: spaces become no-break spaces and, where
    a Chinese character stands next to another character, a word joiner keeps them together
    (invisible; pasted text keeps it). For a short phrase in a narrow place, a date in the
    sidebar: "Data from 1 December 2009 to 9 | December 2010" and "数据范围：…至2010年12 |
    月9日" broke the last date in two (Chromium, 1280 px).

    >>> unbroken("9 December 2010")
    '9\xa0December\xa02010'
    >>> unbroken("2010年12月9日") == "2010\u2060年\u206012\u2060月\u20609\u2060日"
    True
    """
    from ecomdash.text_width import is_wide

    out: list[str] = []
    for i, ch in enumerate(text.replace(" ", "\u00a0")):
        if i and (is_wide(ch) or is_wide(text[i - 1])):
            out.append(_JOIN)
        out.append(ch)
    return "".join(out)


def table_date(value, strftime: str, *, weekday: bool = False, lang: str | None = None) -> str:
    """A date as a table cell writes it, in the table's own format ``strftime`` (the shop's,
    :attr:`ecomdash.labels.Display.strftime`); ``weekday`` adds the short day name (CLDR's
    ``EEE``) where each language puts it: after the date in brackets in English, straight
    after it in Chinese. For a cell that lists days a date column cannot hold (a holiday's
    make-up working days).

    >>> table_date(date(2026, 2, 14), "%d/%m/%Y", weekday=True, lang="en")
    '14/02/2026 (Sat)'
    >>> table_date("2026-02-14", "%Y年%m月%d日", weekday=True, lang="zh")
    '2026年02月14日周六'
    """
    from babel.dates import format_date

    lang = lang or get_lang()
    d = _as_date(value)
    written = d.strftime(strftime)
    if not weekday:
        return written
    day = format_date(d, "EEE", locale=LOCALES.get(lang, LOCALES["en"]))
    return f"{written}{day}" if lang == "zh" else f"{written} ({day})"


def long_month(value, *, lang: str | None = None) -> str:
    """A calendar month as a sentence (or a chart's legend) writes it: ``November 2024`` /
    ``2024年11月`` (CLDR's ``yMMMM`` skeleton, as :func:`long_date` writes the day): a cohort
    is "the November 2024 cohort", never "the 2024-11 cohort". ``value``: a month (pandas'
    ``Period``), any day of it, or ISO text (``2024-11`` or ``2024-11-30``). Tables and axes
    keep their own format.

    >>> long_month("2024-11", lang="en"), long_month(date(2024, 11, 30), lang="zh")
    ('November 2024', '2024年11月')
    """
    from babel.dates import format_skeleton

    locale = LOCALES.get(lang or get_lang(), LOCALES["en"])
    if isinstance(value, str) and len(value) == 7:
        value = f"{value}-01"
    elif hasattr(value, "start_time"):  # a pandas Period: its first day
        value = value.start_time
    return format_skeleton("yMMMM", _as_date(value), locale=locale)


def date_range(start, end, *, lang: str | None = None) -> str:
    """Two dates in a sentence, each written by :func:`long_date`: ``1 January 2026 – 3
    January 2026`` / ``2026年1月1日至2026年1月3日``; one date when they are the same day.

    >>> date_range(date(2026, 1, 1), date(2026, 1, 3), lang="en")
    '1 January 2026 – 3 January 2026'
    >>> date_range("2026-01-01", "2026-01-03", lang="zh"), date_range("2026-01-01", "2026-01-01")
    ('2026年1月1日至2026年1月3日', '1 January 2026')
    """
    lang = lang or get_lang()
    a, b = _as_date(start), _as_date(end)
    if a == b:
        return long_date(a, lang=lang)
    sep = "至" if lang == "zh" else " – "
    return f"{long_date(a, lang=lang)}{sep}{long_date(b, lang=lang)}"


def _half_up(x: float, places: int = 0, *, shift: int = 0) -> Decimal:
    """``x`` rounded half up as a person rounds the figure they read (``9.95`` → ``10.0``,
    ``59.5`` → ``60``), from its shortest decimal text (a float's binary error does not round
    ``9.95`` down); ``shift`` moves the point first, exactly (``shift=2``: a share in
    percent, ``0.285`` → 28.5 → 29, where ``0.285 * 100`` is 28.499…). The one rounding of
    every figure written here: :func:`compact`, :func:`money`, :func:`pct`, :func:`whole`,
    :func:`duration`."""
    d = Decimal(repr(float(x))).scaleb(shift)
    if not d.is_finite():  # inf / nan: written as they are, never an error on a page
        return d
    with localcontext() as ctx:  # every digit of a large figure (1e63 %: a wild interval's end)
        ctx.prec = max(ctx.prec, d.adjusted() + places + 2)
        return d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def duration(seconds: float, *, lang: str | None = None) -> str:
    """How long something took, as a person writes it: ``under 0.1 s`` below a tenth of a
    second, one decimal below ten seconds (``2.4 s``), whole seconds below a minute
    (``42 s``), then minutes and seconds (``2 min 11 s``), and above an hour hours and whole
    minutes (``1 h 2 min``); a part that is zero is left out (``1 min``, ``2 h``). Chinese:
    ``不到 0.1 秒``, ``2.4 秒``, ``2 分 11 秒``, ``1 小时 2 分`` (``1 分钟`` alone). Each step
    rounds half up first, so ``9.95`` s is ``10 s`` and ``59.6`` s ``1 min``. Every duration
    a merchant reads (captions, status lines, budgets, the CLI's human lines) is written by
    it; the CLI's ``--json`` keeps numeric seconds.

    Both languages join a figure and its unit with a no-break space (:func:`unit`: ``42 s``
    / ``42 秒`` never wraps between ``42`` and its unit). English separates the parts by a
    plain space, where a line may break (``2 min`` / ``11 s``), as is the space after
    ``under``; Chinese joins a word and the figure after it with the no-break space too, as
    the catalogue does (``共 {n} 个``): ``不到 0.1 秒`` and ``2 分 11 秒`` stay whole.

    >>> [t.replace(NBSP, "~") for t in (duration(0.04), duration(2.43), duration(131.1))]
    ['under 0.1~s', '2.4~s', '2~min 11~s']
    >>> [duration(x, lang="zh").replace(NBSP, "~") for x in (0.04, 42, 131.1)]
    ['不到~0.1~秒', '42~秒', '2~分~11~秒']
    >>> duration(60, lang="en"), duration(60, lang="zh"), duration(3700, lang="en")
    ('1\\xa0min', '1\\xa0分钟', '1\\xa0h 2\\xa0min')
    """
    zh = (lang or get_lang()) == "zh"
    x = float(seconds)
    if x != x:  # NaN: not measured
        return MISSING
    x = max(x, 0.0)
    lang = "zh" if zh else "en"
    # between a Chinese word and the figure after it: the no-break space (fmt.NBSP), as the
    # catalogue joins them ("共 {n} 个"); English keeps a plain space between its words
    gap = NBSP if zh else " "
    if x < 0.1:
        return f"{'不到' if zh else 'under'}{gap}{unit('0.1', '秒' if zh else 's', lang=lang)}"
    tenths = _half_up(x, 1)
    if tenths < 10:
        return unit(str(tenths), "秒" if zh else "s", lang=lang)
    whole = int(_half_up(x))
    if whole < 60:
        return unit(str(whole), "秒" if zh else "s", lang=lang)
    if whole < 3600:
        big, small = divmod(whole, 60)
        units = ("分", "秒", "分钟") if zh else ("min", "s", "min")
    else:
        big, small = divmod(int(_half_up(x / 60)), 60)
        units = ("小时", "分", "小时") if zh else ("h", "min", "h")
    if not small:
        return unit(f"{big:,}", units[2], lang=lang)
    return f"{unit(f'{big:,}', units[0], lang=lang)}{gap}{unit(str(small), units[1], lang=lang)}"
