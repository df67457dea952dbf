"""The message catalogue: every string a merchant sees, in English and Simplified Chinese.

Source strings are English and are their own message ids (gettext style). A page writes::

    from ecomdash.i18n import _
    st.info(_("Saved {n} lines as a new dataset.", n=f"{rows:,}"))

- ``_(msgid, **fields)`` looks ``msgid`` up in the catalogue of the current language and fills
  its ``{name}`` fields with ``str.format``. Never build a message id with an f-string: the
  catalogue is keyed by the literal text, and ``tests/unit/test_i18n.py`` extracts the literals
  from the source to check every one has a translation with the same fields.
- ``_n(singular, plural, n, **fields)`` picks the form for ``n``; ``note_n`` (in
  ``ecomdash.i18n.note``) is its lazy form. Chinese has one form, but each English form is a
  message id with its own translation (usually the same sentence) and the form English uses
  for ``n`` is the one translated: a plural that says more ("a median of {days} days") keeps
  it in Chinese.
- ``N_(msgid)`` only marks a constant for extraction (page titles, column labels, preset
  names); translate it with ``_()`` where it is shown, never at import time.

The translations are gettext PO files, one per area of the app, in
``ecomdash/i18n/locales/zh/*.po``, read with Babel and merged (an id may appear in one file
only). The current language lives in a :class:`contextvars.ContextVar`, set once per script
run by the UI (``ecomdash.ui.lang``); code run in another thread copies the context
(``contextvars.copy_context().run``) to keep it. Anything cached that holds translated text
(built figures, tables with translated headers) must have the language in its cache key.
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import MappingProxyType

LANGS = ("en", "zh")
DEFAULT_LANG = "en"
#: how each language names itself in the language picker
LANG_NAMES = {"en": "English", "zh": "简体中文"}
#: the Babel / CLDR locale of each language (numbers, dates, currencies)
LOCALES = {"en": "en_GB", "zh": "zh_Hans_CN"}

LOCALE_DIR = Path(__file__).parent / "locales"

_LANG: contextvars.ContextVar[str] = contextvars.ContextVar("ecomdash_lang", default=DEFAULT_LANG)


def normalise(lang: str | None) -> str | None:
    """``"zh"`` for any Chinese tag (``zh``, ``zh-CN``, ``zh_Hans``, ``zh-TW`` …), ``"en"`` for
    English ones, None for anything else (so the caller falls back to its default)."""
    if not lang:
        return None
    tag = str(lang).strip().lower().replace("_", "-")
    if tag.startswith("zh") or tag in ("cn", "chinese", "中文", "简体中文"):
        return "zh"
    if tag.startswith("en") or tag == "english":
        return "en"
    return None


def negotiate(accept_language: str | None) -> str:
    """The language for a browser's ``Accept-Language`` header (or one locale tag such as
    ``zh-CN``): the first tag we speak by the header's weights, else English."""
    if not accept_language:
        return DEFAULT_LANG
    tags = []
    for i, part in enumerate(str(accept_language).split(",")):
        tag, _sep, params = part.strip().partition(";")
        weight = 1.0
        for p in params.split(";"):
            k, _eq, v = p.strip().partition("=")
            if k == "q":
                try:
                    weight = float(v)
                except ValueError:
                    weight = 0.0
        tags.append((-weight, i, tag))
    for _w, _i, tag in sorted(tags):
        found = normalise(tag)
        if found:
            return found
    return DEFAULT_LANG


def get_lang() -> str:
    """The language of the current script run (or command)."""
    return _LANG.get()


def set_lang(lang: str | None) -> str:
    """Make ``lang`` (any tag :func:`normalise` reads; English if unknown) the current
    language of this context, and return it."""
    chosen = normalise(lang) or DEFAULT_LANG
    _LANG.set(chosen)
    return chosen


@contextmanager
def use_lang(lang: str | None) -> Iterator[str]:
    """Run a block in ``lang`` (for commands, reports and tests), then restore the old one."""
    token = _LANG.set(normalise(lang) or DEFAULT_LANG)
    try:
        yield _LANG.get()
    finally:
        _LANG.reset(token)


@functools.cache
def catalogue(lang: str) -> Mapping[str, str]:
    """``{msgid: translation}`` of ``lang``, read once from its PO files (read-only).

    English is the source language: its catalogue is empty. Untranslated (empty) and fuzzy
    entries are left out, so they show in English and the completeness test names them."""
    if lang == DEFAULT_LANG:
        return MappingProxyType({})
    from babel.messages.pofile import read_po

    merged: dict[str, str] = {}
    where: dict[str, str] = {}
    for path in sorted((LOCALE_DIR / lang).glob("*.po")):
        with path.open("rb") as fh:
            cat = read_po(fh, locale=LOCALES[lang].split("_")[0])
        for msg in cat:
            if not msg.id or msg.fuzzy:
                continue
            mid = msg.id[0] if isinstance(msg.id, tuple) else msg.id
            text = msg.string[0] if isinstance(msg.string, tuple) else msg.string
            if not text:
                continue
            if mid in merged and merged[mid] != text:
                raise ValueError(
                    f"{path.name} and {where[mid]} translate {mid!r} differently; keep it in one"
                )
            merged[mid] = text
            where[mid] = path.name
    return MappingProxyType(merged)


def _(msgid: str, /, **fields) -> str:
    """``msgid`` in the current language, its ``{fields}`` filled in."""
    text = catalogue(_LANG.get()).get(msgid, msgid) if _LANG.get() != DEFAULT_LANG else msgid
    return text.format(**fields) if fields else text


def _n(singular: str, plural: str, n: int | float, /, **fields) -> str:
    """The singular or plural form for ``n`` (``n`` is also a field: ``{n}``); in another
    language the translation of that form (of the singular if the plural has none)."""
    form = singular if n == 1 else plural
    lang = _LANG.get()
    if lang != DEFAULT_LANG:
        cat = catalogue(lang)
        text = cat.get(form) or cat.get(singular) or form
    else:
        text = form
    fields.setdefault("n", n)
    return text.format(**fields)


def N_(msgid: str, /) -> str:
    """Mark ``msgid`` for the catalogue without translating it (translate where shown)."""
    return msgid


def tr(msgid: str | None) -> str | None:
    """``_(msgid)`` for a value that may be None or a marked constant held in data."""
    return None if msgid is None else _(msgid)
