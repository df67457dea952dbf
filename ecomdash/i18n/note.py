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

from ecomdash.i18n import _


class Note(str):
    """The English text of a message, with its ``msgid`` and ``fields`` for translation."""

    msgid: str
    fields: dict

    def __new__(cls, msgid: str, fields: dict):
        self = super().__new__(cls, msgid.format(**fields) if fields else msgid)
        self.msgid = msgid
        self.fields = dict(fields)
        return self

    def __reduce__(self):
        return (Note, (self.msgid, self.fields))


def note(msgid: str, /, **fields) -> Note:
    """``msgid`` (marked with ``N_``) filled in English now, translatable later. A field may
    itself be a :class:`Note` (translated with the sentence)."""
    return Note(msgid, fields)


def tr_note(text: str) -> str:
    """A :class:`Note` in the current language (its Note fields too); other text as is."""
    if not isinstance(text, Note):
        return str(text)
    fields = {k: tr_note(v) if isinstance(v, Note) else v for k, v in text.fields.items()}
    return _(text.msgid, **fields)
