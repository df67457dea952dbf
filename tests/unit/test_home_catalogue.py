"""The Home's Chinese catalogue (``locales/zh/home.po``) holds its own messages only: a message
id lives in one file (docs/DEVELOPING.md). The confidence labels "high" / "medium" / "low" the
Home shows are the alerts' severity labels (the same ids, ``findings.CONFIDENCE_LABELS`` and
``alerts.SEVERITY_LABELS``): one entry, in ``alerts.po``, for both pages."""

from __future__ import annotations

import pytest
from babel.messages.pofile import read_po

from ecomdash import findings as FD
from ecomdash.alerts import SEVERITY_LABELS
from ecomdash.i18n import LOCALE_DIR, _, use_lang


def _ids(path) -> set[str]:
    with path.open("rb") as fh:
        cat = read_po(fh, locale="zh")
    return {m.id[0] if isinstance(m.id, tuple) else m.id for m in cat if m.id}


def test_home_po_shares_no_message_with_another_catalogue_file():
    zh = LOCALE_DIR / "zh"
    home = _ids(zh / "home.po")
    twice = {
        other.name: sorted(home & _ids(other))
        for other in sorted(zh.glob("*.po"))
        if other.name != "home.po" and home & _ids(other)
    }
    assert not twice, f"message ids in home.po and another file: {twice}"


@pytest.mark.parametrize(("level", "zh"), [("high", "高"), ("medium", "中"), ("low", "低")])
def test_home_confidence_and_alert_severity_are_one_message(level, zh):
    # the same id on both pages, translated once (alerts.po)
    assert FD.CONFIDENCE_LABELS[level] == SEVERITY_LABELS[level] == level
    assert level in _ids(LOCALE_DIR / "zh" / "alerts.po")
    with use_lang("zh"):
        assert _(FD.CONFIDENCE_LABELS[level]) == _(SEVERITY_LABELS[level]) == zh
