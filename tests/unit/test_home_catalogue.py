"""A message id lives in one Chinese catalogue file (docs/DEVELOPING.md). The confidence
labels "high" / "medium" / "low" the Home shows are the alerts' severity labels (the same ids, ``findings.CONFIDENCE_LABELS`` and
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


def test_no_message_id_is_in_two_catalogue_files():
    """One entry per message: two copies can drift apart, and which one a page shows then
    depends on the order the files are read (report.po held twelve of the pages' messages)."""
    zh = LOCALE_DIR / "zh"
    files = {p.name: _ids(p) for p in sorted(zh.glob("*.po"))}
    twice = {
        (a, b): sorted(files[a] & files[b])
        for a in files
        for b in files
        if a < b and files[a] & files[b]
    }
    assert not twice, f"message ids in two files: {twice}"


@pytest.mark.parametrize(("level", "zh"), [("high", "高"), ("medium", "中"), ("low", "低")])
def test_home_confidence_and_alert_severity_are_one_message(level, zh):
    # the same id on both pages, translated once (alerts.po)
    assert FD.CONFIDENCE_LABELS[level] == SEVERITY_LABELS[level] == level
    assert level in _ids(LOCALE_DIR / "zh" / "alerts.po")
    with use_lang("zh"):
        assert _(FD.CONFIDENCE_LABELS[level]) == _(SEVERITY_LABELS[level]) == zh
