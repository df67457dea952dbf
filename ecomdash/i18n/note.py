"""A sentence a core Result carries, kept translatable until it is shown.

Core analyses run in cached functions and in worker threads, where the page's language is not
known (or not set). :func:`note` builds the English sentence now — so CLI output, JSON and
tests read ``result.warnings`` as plain strings, as before — and keeps its message id and
fields beside it, so the page shows it in the merchant's language with :func:`tr_note`::

    warnings.append(note(N_("Only {n} baskets: the check itself is rough."), n=f"{n:,}"))
    ...
    st.warning(inert(tr_note(w)))  # in the page, in this run's language

A :class:`Note` *is* a ``str`` (its English text) and pickles like one, with its id and
fields, so it survives ``st.cache_data``.
"""

from __future__ import annotations

from ecomdash.i18n import LOCALES, _, get_lang


class Note(str):
    """The English text of a message, with its ``msgid`` and ``fields`` for translation."""

    msgid: str
    fields: dict

    def __new__(cls, msgid: str, fields: dict):
        english = {k: _english(v) for k, v in fields.items()}
        self = super().__new__(cls, msgid.format(**english) if fields else msgid)
        self.msgid = msgid
        self.fields = dict(fields)
        return self

    def __reduce__(self):  # noqa: D105
        return (Note, (self.msgid, self.fields))


def _english(v):
    if isinstance(v, Weekdays):
        return str(v)
    if isinstance(v, tuple):
        return ", ".join(map(str, v))
    return v


def note(msgid: str, /, **fields) -> Note:
    """``msgid`` (marked with ``N_``) filled in English now, translatable later. A field may
    itself be a :class:`Note` (translated with the sentence)."""
    return Note(msgid, fields)


def tr_note(text: str) -> str:
    """A :class:`Note` in the current language (its Note fields too, and a tuple field as a
    list: ``a, b`` in English, ``a、b`` in Chinese); other text as is."""
    if not isinstance(text, Note):
        return str(text)
    return _(text.msgid, **{k: _field(v) for k, v in text.fields.items()})


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
    if isinstance(v, Weekdays):
        lang = get_lang()
        return ("、" if lang == "zh" else ", ").join(_day_name(d, lang) for d in v)
    if isinstance(v, tuple):
        return ("、" if get_lang() == "zh" else ", ").join(str(_field(x)) for x in v)
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
