"""A sentence's first letter, as the language writes it: the one "capitalise the first letter"
of the app (the report's cells and verdicts, :meth:`ecomdash.i18n.note.Note.capitalised` and
:func:`ecomdash.i18n.note.tr_note`, :func:`ecomdash.labels.humanise`)."""

from __future__ import annotations

from ecomdash.i18n import get_lang

#: what may open a sentence before its first letter: quotes and brackets ('"churn risk" and
#: ...' starts '"Churn risk"', as '“high”' starts '“High”')
OPENERS = "\"'“‘«‹「『（([{¡¿"


def capitalised(text: str, *, lang: str | None = None) -> str:
    """``text`` starting a sentence: its first letter upper case in English ("high" →
    "High"); Chinese has no case and is returned as it is, a Latin word at its start too
    (``k-means 聚类``). The rules, in English:

    - the first letter after an opening quote or bracket: ``"churn risk" and`` → ``"Churn
      risk" and``;
    - a sentence that starts with a figure or a sign keeps it (``42 orders``, ``-5 %``,
      ``£40``): nothing after it is changed;
    - a first word that already has a capital after its first letter is a name as its
      owner writes it and is kept (``iPhone``, ``eBay``, ``k-NN`` stay, never ``IPhone``);
    - empty text stays empty; a letter whose upper case is not one letter (``ß``) is kept.

    >>> capitalised("high", lang="en"), capitalised("高", lang="zh"), capitalised("", lang="en")
    ('High', '高', '')
    >>> capitalised('"churn risk" and', lang="en"), capitalised("42 orders", lang="en")
    ('"Churn risk" and', '42 orders')
    >>> capitalised("iPhone cases", lang="en"), capitalised("k-means clusters", lang="en")
    ('iPhone cases', 'K-means clusters')
    >>> capitalised("k-means 聚类", lang="zh")
    'k-means 聚类'
    """
    text = str(text)
    if (lang or get_lang()) == "zh":
        return text
    i = 0
    while i < len(text) and text[i] in OPENERS:
        i += 1
    if i >= len(text) or not text[i].isalpha() or not text[i].islower():
        return text
    word = text[i:].split(maxsplit=1)[0]
    if any(c.isupper() for c in word[1:]):  # iPhone, eBay, k-NN: a name as written
        return text
    up = text[i].upper()
    if len(up) != 1:  # ß → SS: keep the letter
        return text
    return text[:i] + up + text[i + 1 :]
