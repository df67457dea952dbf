"""A sentence a core Result carries, kept translatable until it is shown.

Core analyses run in cached functions and in worker threads, where the page's language is not
known (or not set). :func:`note` builds the English sentence now — so CLI output, JSON and
tests read ``result.warnings`` as plain strings, as before — and keeps its message id and
fields beside it, so the page shows it in the merchant's language with :func:`tr_note`::

    warnings.append(note(N_("Only {n} baskets: the check itself is rough."), n=f"{n:,}"))
    ...
    st.warning(inert(tr_note(w)))  # in the page, in this run's language

A :class:`Note` *is* a ``str`` (its English text) and pickles like one, with its id and
fields, so it survives ``st.cache_data``. :func:`to_json` / :func:`from_json` keep the id and
fields in JSON (a saved dataset's cleaning report is shown translated too); the JSON form is
``{"en": English text, "id": msgid, "fields": {...}}``.

A sentence that counts something is built with :func:`note_n` (the lazy form of
``ecomdash.i18n._n``): it keeps both English forms and the count, so it reads "1 line" or
"2 lines" in English and the translation of that form where shown::

    notes.append(note_n("Skipped {n} title row above the table.",
                        "Skipped {n} title rows above the table.", start))

The ingest core builds its rule labels, notes, mapping reasons and join steps as Notes too, and
the Data page shows them with :func:`tr_note`.
"""

from __future__ import annotations

from typing import Any

from ecomdash.i18n import LOCALES, _, _n, get_lang
from ecomdash.i18n.case import capitalised
from ecomdash.i18n.fmt import duration, join, long_date, pct


class Note(str):
    """The English text of a message, with its ``msgid`` and ``fields`` for translation (and,
    for a count, its English ``plural`` form and the ``count`` that chooses the form)."""

    msgid: str
    fields: dict
    plural: str | None
    count: int | float | None
    #: the message starts a sentence: its first letter upper case where shown too
    #: (:meth:`capitalised`, :func:`tr_note`)
    capital: bool

    def __new__(
        cls,
        msgid: str,
        fields: dict,
        text: str | None = None,
        plural: str | None = None,
        count: int | float | None = None,
        capital: bool = False,
    ):
        if text is None:
            form = msgid if plural is None or count == 1 else plural
            english = {k: _english(v) for k, v in fields.items()}
            text = form.format(**english) if fields else form
        self = super().__new__(cls, text)
        self.msgid = msgid
        self.fields = dict(fields)
        self.plural = plural
        self.count = count
        self.capital = bool(capital)
        return self

    def capitalised(self) -> Note:
        """The same message starting a sentence: its English text by
        :func:`ecomdash.i18n.case.capitalised` now, and the text :func:`tr_note` shows in any
        language (``{note}.`` filled with a lower-case note reads "Units counted." on an
        English page too; Chinese has no case)."""
        text = capitalised(str(self), lang="en")
        return Note(self.msgid, self.fields, text, self.plural, self.count, capital=True)

    def __reduce__(self):  # noqa: D105
        # the English text too: a capitalised Note stays capitalised
        return (Note, (self.msgid, self.fields, str(self), self.plural, self.count, self.capital))


def _english(v):
    if isinstance(v, Weekdays | Joined):
        return str(v)
    if isinstance(v, tuple):
        return ", ".join(map(str, v))
    return v


def note(msgid: str, /, **fields) -> Note:
    """``msgid`` (marked with ``N_``) filled in English now, translatable later. A field may
    itself be a :class:`Note` (translated with the sentence)."""
    return Note(msgid, fields)


def note_n(singular: str, plural: str, n: int | float, /, **fields) -> Note:
    """The lazy form of ``ecomdash.i18n._n``: the singular or plural English sentence for
    ``n`` now, the form for ``n`` in the language where it is shown (``n`` is also the field
    ``{n}`` unless given). Both forms are message ids (the extractor reads ``note_n`` as
    ``_n``), each with its translation."""
    fields.setdefault("n", n)
    return Note(singular, fields, plural=plural, count=n)


def tr_note(text: Any) -> str:
    """A :class:`Note` in the current language (its Note fields too, and a tuple field as a
    list: ``a, b`` in English, ``a、b`` in Chinese); other text as is (``None`` as ``""``)."""
    if not isinstance(text, Note):
        return "" if text is None else str(text)
    fields = {k: _field(v) for k, v in text.fields.items()}
    if text.plural is not None:
        out = _n(text.msgid, text.plural, text.count, **fields)
    else:
        out = _(text.msgid, **fields)
    return capitalised(out) if text.capital else out


class Joined(tuple):
    """Items (text or :class:`Note`) a :class:`Note` lists with its own separator ``sep`` (a
    msgid such as ``N_("; ")``, translated with the sentence; ``translate_sep=False`` for a
    symbol such as ``" + "``)."""

    sep: str
    translate_sep: bool

    def __new__(cls, items, sep: str, translate_sep: bool = True):
        self = super().__new__(cls, items)
        self.sep = sep
        self.translate_sep = translate_sep
        return self

    def __reduce__(self):  # noqa: D105
        return (Joined, (tuple(self), self.sep, self.translate_sep))

    def __str__(self) -> str:
        return self.sep.join(map(str, self))


class Percent(str):
    """A share a :class:`Note` writes as :func:`ecomdash.i18n.fmt.pct` does in the language
    where it is shown: ``53 %`` in English (its text), ``53%`` in Chinese::

        note(N_("{share} of values are numbers"), share=Percent(0.53))
    """

    value: float
    digits: int
    signed: bool

    def __new__(cls, value: float, digits: int = 0, signed: bool = False):
        self = super().__new__(cls, pct(float(value), digits, signed=signed, lang="en"))
        self.value = float(value)
        self.digits = int(digits)
        self.signed = bool(signed)
        return self

    def __reduce__(self):  # noqa: D105
        return (Percent, (self.value, self.digits, self.signed))

    def shown(self) -> str:
        """The share in the current language."""
        return pct(self.value, self.digits, signed=self.signed)


class Date(str):
    """A date a :class:`Note` writes as :func:`ecomdash.i18n.fmt.long_date` does in the language
    where it is shown: ``12 January 2026`` in English (its text), ``2026年1月12日`` in Chinese;
    ``weekday=True`` names the day too (``Mon, 12 January 2026`` / ``2026年1月12日周一``)::

        note(N_("Only {n} baskets from {date} on."), n="12", date=Date(cutoff))
    """

    iso: str
    weekday: bool

    def __new__(cls, value, weekday: bool = False):
        from ecomdash.i18n.fmt import _as_date

        d = _as_date(value)
        self = super().__new__(cls, long_date(d, weekday=weekday, lang="en"))
        self.iso = d.isoformat()
        self.weekday = bool(weekday)
        return self

    def __reduce__(self):  # noqa: D105
        return (Date, (self.iso, self.weekday))

    def shown(self) -> str:
        """The date in the current language."""
        return long_date(self.iso, weekday=self.weekday)


class Duration(str):
    """How long something took (or may take), written as :func:`ecomdash.i18n.fmt.duration`
    does in the language where it is shown: ``2 min`` in English (its text), ``2 分钟`` in
    Chinese::

        note(N_("Chromium took longer than {took} to print the report."), took=Duration(60))
    """

    seconds: float

    def __new__(cls, seconds: float):
        self = super().__new__(cls, duration(float(seconds), lang="en"))
        self.seconds = float(seconds)
        return self

    def __reduce__(self):  # noqa: D105
        return (Duration, (self.seconds,))

    def shown(self) -> str:
        """The duration in the current language."""
        return duration(self.seconds)


class Field(str):
    """A canonical field (``order_id``) a :class:`Note` names: its id in the English text (the
    CLI, JSON and logs: what ``--map`` takes), its name (``schema.FIELD_NAMES``: "Order id",
    订单号) where the sentence is shown::

        note(N_("{field} left unmapped: …"), field=Field("order_date"))
    """

    def __new__(cls, fld: str):
        return super().__new__(cls, fld)

    def __reduce__(self):  # noqa: D105
        return (Field, (str(self),))

    def shown(self) -> str:
        """The field's name in the current language."""
        from ecomdash.schema import field_name

        return field_name(str(self))


class Quoted(str):
    """A value from the merchant's file (a column header, a cell) a :class:`Note` quotes:
    ``'Order No'`` in English (its text, as ``repr`` writes it: the CLI, JSON and logs),
    ``“Order No”`` in Chinese, where the ASCII quote reads as a stray mark::

        note(N_("header {column} matches {field}"), column=Quoted("Invoice"), field=...)
    """

    value: str

    def __new__(cls, value):
        self = super().__new__(cls, repr(str(value)))
        self.value = str(value)
        return self

    def __reduce__(self):  # noqa: D105
        return (Quoted, (self.value,))

    def shown(self) -> str:
        """The value in the current language's quotation marks."""
        return f"\u201c{self.value}\u201d" if get_lang() == "zh" else str(self)


def quoted(values) -> tuple[Quoted, ...]:
    """Several file values to list in a :class:`Note` (``'a', 'b'`` / ``“a”、“b”``)."""
    return tuple(Quoted(v) for v in values)


class Weekdays(tuple):
    """Weekday numbers (0 = Monday) a :class:`Note` names: ``Monday, Sunday`` in English,
    ``星期一、星期日`` in Chinese (CLDR's names, through Babel)."""

    def __str__(self) -> str:
        return ", ".join(_day_name(d, "en") for d in self)


def _day_name(d: int, lang: str) -> str:
    from babel.dates import get_day_names

    return get_day_names("wide", locale=LOCALES.get(lang, LOCALES["en"]))[int(d)]


def _field(v):
    if isinstance(v, Note):
        return tr_note(v)
    if isinstance(v, Percent | Date | Duration | Field | Quoted):
        return v.shown()
    if isinstance(v, Joined):
        return (_(v.sep) if v.translate_sep else v.sep).join(str(_field(x)) for x in v)
    if isinstance(v, Weekdays):
        lang = get_lang()
        return join((_day_name(d, lang) for d in v), lang=lang)
    if isinstance(v, tuple):
        return join(_field(x) for x in v)
    return v


def translated(err: BaseException) -> BaseException:
    """``err`` with its message in the current language when the message is a :class:`Note`
    (an exception of the same class; the original is kept as its cause), else ``err``."""
    if err.args and isinstance(err.args[0], Note):
        try:
            out = type(err)(tr_note(err.args[0]))
        except Exception:  # a class that takes other arguments: show it as it is
            return err
        out.__cause__ = err
        return out
    return err


def to_json(text: Any) -> Any:
    """A JSON-able form of ``text`` keeping a :class:`Note`'s id and fields (else ``text``)."""
    if isinstance(text, Percent):
        return {"pct": text.value, "digits": text.digits, "signed": text.signed}
    if isinstance(text, Date):
        return {"date": text.iso, "weekday": text.weekday}
    if isinstance(text, Duration):
        return {"seconds": text.seconds}
    if isinstance(text, Quoted):
        return {"quoted": text.value}
    if isinstance(text, tuple) and not isinstance(text, Joined | Weekdays):
        return [to_json(v) for v in text]
    if isinstance(text, Field):  # as a Note of its id (what reports saved before Field hold)
        return {"en": str(text), "id": str(text), "fields": {}}
    if not isinstance(text, Note):
        return text
    out = {
        "en": str(text),
        "id": text.msgid,
        "fields": {k: to_json(v) for k, v in text.fields.items()},
    }
    if text.plural is not None:  # a count: both forms and the count (older JSON has neither)
        out["plural"] = text.plural
        out["count"] = text.count
    if text.capital:  # starts a sentence (older JSON: see from_json)
        out["capital"] = True
    return out


def from_json(obj: Any) -> Any:
    """The inverse of :func:`to_json` (plain values come back as they are; a damaged entry as
    its English text)."""
    if isinstance(obj, dict) and set(obj) == {"pct", "digits", "signed"}:
        try:
            return Percent(obj["pct"], obj["digits"], obj["signed"])
        except (TypeError, ValueError):
            return str(obj["pct"])
    if isinstance(obj, dict) and set(obj) == {"date", "weekday"}:
        try:
            return Date(obj["date"], obj["weekday"])
        except (TypeError, ValueError):
            return str(obj["date"])
    if isinstance(obj, dict) and set(obj) == {"seconds"}:
        try:
            return Duration(obj["seconds"])
        except (TypeError, ValueError):
            return str(obj["seconds"])
    if isinstance(obj, dict) and set(obj) == {"quoted"}:
        return Quoted(obj["quoted"])
    if isinstance(obj, dict) and {"en", "id", "fields"} <= set(obj) and _is_field(obj):
        return Field(str(obj["id"]))
    if isinstance(obj, dict) and {"en", "id", "fields"} <= set(obj):
        try:
            # a list is a tuple field (JSON has no tuples): listed with the sentence's separator
            fields = {
                k: tuple(map(from_json, v)) if isinstance(v, list) else from_json(v)
                for k, v in dict(obj["fields"]).items()
            }
            plural = obj.get("plural")
            en, msgid = str(obj["en"]), str(obj["id"])
            # a report saved before "capital" was kept: a message that opens with a field and
            # whose English starts upper case was capitalised (for any other, a no-op)
            capital = bool(obj.get("capital")) or (msgid.startswith("{") and en[:1].isupper())
            return Note(
                msgid,
                fields,
                en,
                None if plural is None else str(plural),
                obj.get("count"),
                capital=capital,
            )
        except (TypeError, ValueError):
            return str(obj.get("en", ""))
    return obj


def _is_field(obj: dict) -> bool:
    """A saved :class:`Field`: the form of a Note of a field id without fields (reports saved
    before Field named a field so, and keep being read and written the same)."""
    from ecomdash.schema import FIELD_NAMES

    return not obj["fields"] and obj["id"] == obj["en"] and obj["id"] in FIELD_NAMES
