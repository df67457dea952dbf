"""Shared by tests/pages/test_zh_pricing.py and test_zh_alerts.py: what the Chinese run of a
page may still show in English because ANOTHER translator's area owns it, until that branch is
merged (issue 16). A text is pending only while the zh catalogue lacks it, so after the merge
these checks are as strict as ``zh_walk.english_left`` itself."""

from __future__ import annotations

import re

from ecomdash import labels as L
from ecomdash.i18n import catalogue
from tests.pages.zh_walk import _english_words, shown_text

#: English texts the pricing/alerts pages show from code other areas own
OTHERS = (
    # ecomdash/ui/common.py (frame): the download button's default label
    "Download CSV",
    # ecomdash/forecast.py PRESET_EVENTS (forecast translator): the sale days an unusual
    # day's "known day" sentence names
    "Black Friday",
    "Cyber Monday",
    "Singles' Day (11.11)",
)
#: what the frame's timed_status writes after our label
FRAME_PATTERNS = (
    re.compile(r" done in (under )?[0-9][0-9.,]* (s|min|h)( [0-9]+ (s|min))?$"),  # fmt.duration
    re.compile(r" stopped$"),
)


def pending() -> list[str]:
    """The other areas' texts not translated yet: ``OTHERS`` and every ecomdash.labels label
    (widget labels and metric names the pages take from the column catalogue), longest first."""
    zh = catalogue("zh")
    texts = set(OTHERS) | {c.label for c in L.COLUMNS.values()}
    return sorted((t for t in texts if t not in zh), key=len, reverse=True)


def _taken_out(todo: list[str], data_values) -> list[str]:
    """What :func:`_left` takes out of a text, in its order: the pending texts (longest
    first), then the merchant's texts, longest first. Sorted once per page, not per text."""
    return [*todo, *sorted(data_values, key=len, reverse=True)]


def _left(text: str, taken_out: list[str]) -> list[str]:
    rest = text
    for pat in FRAME_PATTERNS:
        rest = pat.sub("", rest)
    for p in taken_out:
        # a text not in what is left cannot match: skipped before a pattern is compiled (the
        # Chinese demo's 9,634 names compiled for every text took 0.4 s a text)
        if p not in rest:
            continue
        # whole words only ("To" is not taken out of "Total")
        rest = re.sub(rf"(?<![A-Za-z]){re.escape(p)}(?![A-Za-z])", " ", rest)
    return _english_words(rest)


def english_left_here(at, *, data_values: frozenset[str] = frozenset()) -> list[str]:
    """``english_left(at, ignore=("table header",))`` less what :func:`pending` names (and
    the merchant's texts ``data_values``, also inside our sentences)."""
    taken_out = _taken_out(pending(), data_values)
    bad = []
    for where, text in shown_text(at):
        if where == "table header" or text in data_values:
            continue
        words = _left(text, taken_out)
        if words:
            bad.append(f"{where}: {text[:160]!r} ({', '.join(words[:5])})")
    return bad


def english_in_cells(at, columns, *, data_values: frozenset[str] = frozenset()) -> list[str]:
    """The cells of ``columns`` (sentences we write into tables: reasons, notes, statuses) of
    every table on the page that hold English words."""
    taken_out = _taken_out(pending(), data_values)
    bad = []
    for d in at.dataframe:
        df = d.value
        for c in columns:
            if c not in df.columns:
                continue
            for v in df[c].dropna().astype(str).unique():
                words = _left(v, taken_out)
                if words:
                    bad.append(f"{c}: {v[:160]!r} ({', '.join(words[:5])})")
    return bad
