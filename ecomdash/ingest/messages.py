"""Sentences the ingest core hands to the Data page, translated where they are shown.

A :class:`Msg` is a plain ``str`` holding the English sentence (so the CLI, JSON output, the
saved report and every ``==`` on it stay as they were) that also remembers its message id and
fields. The page shows it with :func:`shown`, which looks the id up in the current language
(``ecomdash.i18n._``) and translates fields that are themselves :class:`Msg` the same way. A
result cleaned in one language and shown after the merchant switched language is therefore
shown in the new one (nothing translated is kept in the session or the store).

:func:`to_json` / :func:`from_json` keep the id and fields in a saved cleaning report, so a
saved dataset's report is shown translated too.
"""

from __future__ import annotations

from typing import Any

from ecomdash.i18n import _


class Msg(str):
    """An English sentence (the ``str`` value) with its message id and fields."""

    msgid: str
    fields: dict[str, Any]

    def __new__(cls, msgid: str, /, **fields: Any) -> Msg:
        return cls._make(msgid.format(**fields) if fields else msgid, msgid, fields)

    @classmethod
    def _make(cls, text: str, msgid: str, fields: dict[str, Any]) -> Msg:
        obj = super().__new__(cls, text)
        obj.msgid = msgid
        obj.fields = dict(fields)
        return obj

    def capitalised(self) -> Msg:
        """The same message with its English first letter upper-case (a sentence start)."""
        text = str(self)
        return Msg._make(text[:1].upper() + text[1:], self.msgid, self.fields)

    def __reduce__(self):  # pickling (copies of session state) keeps id and fields
        return (_rebuild, (str(self), self.msgid, self.fields))


def _rebuild(text: str, msgid: str, fields: dict[str, Any]) -> Msg:
    return Msg._make(text, msgid, fields)


def shown(text: Any) -> str:
    """``text`` in the current language: a :class:`Msg` translated (its :class:`Msg` fields
    too), anything else as it is (merchant text, numbers, plain strings)."""
    if not isinstance(text, Msg):
        return "" if text is None else str(text)
    return _(text.msgid, **{k: shown(v) for k, v in text.fields.items()})


def to_json(text: Any) -> Any:
    """A JSON-able form of ``text`` keeping a :class:`Msg`'s id and fields (else ``text``)."""
    if not isinstance(text, Msg):
        return text
    return {
        "en": str(text),
        "id": text.msgid,
        "fields": {k: to_json(v) for k, v in text.fields.items()},
    }


def from_json(obj: Any) -> Any:
    """The inverse of :func:`to_json` (plain values come back as they are)."""
    if isinstance(obj, dict) and {"en", "id", "fields"} <= set(obj):
        try:
            return Msg._make(
                str(obj["en"]),
                str(obj["id"]),
                {k: from_json(v) for k, v in dict(obj["fields"]).items()},
            )
        except (TypeError, ValueError):
            return str(obj.get("en", ""))
    return obj
