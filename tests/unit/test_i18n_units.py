"""A figure and its unit never part at a line's end: English joins them with a no-break space
(``fmt.NBSP``: ``53 %``, ``42 s``), written in one place (``fmt.unit`` / ``fmt.pct_sign``),
and a message id that writes its own percent sign ("a 1 % higher price", "the 80 % band")
writes it the same way, so one sentence never mixes a plain and a no-break space. Chinese
writes ``53%`` (no space after a figure) and keeps its own rule."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from ecomdash.i18n import fmt
from ecomdash.i18n.extract import ROOT, messages

#: a percent sign after a plain space; "%{x}" (a plotly field), "%(name)s" (a printf field)
#: and "%%" (a printf format's escaped sign: ui.tables.percent_format) are not percent signs
PLAIN_PCT = re.compile(r" %(?![{(%])")
#: a Chinese figure or field with any space before its "%" ("80 %" where Chinese writes "80%")
ZH_SPACED_PCT = re.compile(r"[\d}][ \u00a0]%(?![{(%])")

CATALOGUES = sorted((ROOT / "ecomdash" / "i18n" / "locales" / "zh").glob("*.po"))


def _plain(text: str) -> bool:
    return bool(PLAIN_PCT.search(text))


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("a 1 % higher price", True),
        ("Margin %", True),
        ("{level} % band", True),
        ("a 1\u00a0% higher price", False),
        ("{level}\u00a0% band", False),
        ("Share: %{customdata}", False),  # plotly's field
        ("%(name)s and %(n)d", False),
        ("%d %%", False),  # a printf format's "%"
        ("% change in units", False),  # nothing before it
    ],
)
def test_the_rule_tells_a_percent_sign_from_a_placeholder(text, plain):
    assert _plain(text) is plain


def test_no_english_message_writes_a_plain_space_before_a_percent_sign():
    """Every msgid in the source (``_()``, ``_n()``, ``N_()``): "the 80 % band" read with a
    plain space beside fmt.pct's "81 %" (a no-break space) in the same sentence."""
    found, _bad = messages()
    plain = sorted({f"{m.path}:{m.line}: {m.msgid[:80]!r}" for m in found if _plain(m.msgid)})
    assert not plain, "write \\u00a0% (fmt.NBSP), not ' %':\n" + "\n".join(plain)


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.name)
def test_no_catalogue_entry_does_either(po: Path):
    """The .po files' ids (and plural ids) follow the source; the Chinese translations keep
    their own rule: no space between a figure and "%" ("80%")."""
    with po.open("rb") as f:
        catalogue = read_po(f)
    plain, spaced = [], []
    for msg in catalogue:
        ids = msg.id if isinstance(msg.id, tuple | list) else (msg.id,)
        strings = msg.string if isinstance(msg.string, tuple | list) else (msg.string,)
        plain += [i[:80] for i in ids if i and _plain(i)]
        spaced += [s[:80] for s in strings if s and ZH_SPACED_PCT.search(s)]
    assert not plain, plain
    assert not spaced, spaced


def test_the_rule_is_written_once():
    """fmt.pct, the durations and the tables' formats all take the one space (fmt.NBSP)."""
    assert fmt.pct_sign("en") == fmt.unit("", "%", lang="en") == f"{fmt.NBSP}%"
    assert fmt.pct(0.53, 0, lang="en") == f"53{fmt.NBSP}%"
    assert fmt.duration(42, lang="en") == f"42{fmt.NBSP}s"
    assert fmt.duration(131, lang="en") == f"2{fmt.NBSP}min 11{fmt.NBSP}s"
    # Chinese: "%" right after the figure, any other unit after the same no-break space
    assert (fmt.pct(0.53, 0, lang="zh"), fmt.duration(42, lang="zh")) == ("53%", "42\u00a0秒")
