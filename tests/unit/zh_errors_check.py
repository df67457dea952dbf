"""The check the tests/unit/test_zh_errors_*.py files share: a core error carries a Note,
reads as the English it had before, and reads in Chinese with its figures."""

from __future__ import annotations

import re

from ecomdash.i18n import use_lang
from ecomdash.i18n.note import Note, translated

HAN = re.compile(r"[\u4e00-\u9fff]")


def check_note_error(exc_info, english: str, *figures: str) -> str:
    """``exc_info`` (from pytest.raises) holds a Note reading ``english``; in Chinese it has
    Han text and each of ``figures``. Returns the Chinese."""
    err = exc_info.value
    assert isinstance(err.args[0], Note)
    assert str(err) == english
    with use_lang("zh"):
        zh = str(translated(err))
    assert HAN.search(zh), zh
    assert zh != english
    for f in figures:
        assert f in zh, (f, zh)
    return zh
