"""English sentences seen in Chromium with a figure at a line's end and its unit at the next
line's start ("… over the last 7" / "days", the Home page at 1100 px on CDNOW and UCI;
"(26.0" / "weeks)." on Customer value) join the two with a no-break space (U+00A0), as the
Chinese catalogue does and as ``fmt.pct`` writes "53 %" (docs/DEVELOPING.md)."""

from __future__ import annotations

import re

import pytest

from ecomdash.i18n import extract as X

#: a phrase of each message seen breaking, and the field whose unit follows it
SEEN = (
    ("the last {n}", "n"),  # the forecast gap's span on Home
    ("loyal customers are drifting away (median {days}", "days"),  # win-back on Home
    ("loyal customer is drifting away (median {days}", "days"),
    ("of sales expected over the next", "days"),  # restock on Home
    ("units expected over the next", "days"),
    ("{top} placed no order in the next", "days"),  # churn verdict, Customer value
    ("{top} bought nothing in the next", "days"),  # the same, on purchase-day data
    ("which it had not seen", "days"),  # churn checked on, Customer value
    ("holdout {start} to {end}", "weeks"),  # calibration holdout, Customer value
)
#: the same, a count and its noun ("(23,502" / "customers, 14.0 % bought again)")
SEEN_COUNTS = (("which it had not seen", "n_test"), ("which it had not seen", "n_train"))


@pytest.mark.parametrize("phrase, field", SEEN_COUNTS)
def test_a_count_and_its_noun_stay_on_one_line(phrase, field):
    found, _ = X.messages()
    # two sentences: customers' orders, and their purchases where the data has no order id
    ids = sorted({m.msgid for m in found if phrase in m.msgid})
    assert len(ids) == 2, ids
    for msgid in ids:
        assert "{" + field + "}\u00a0customers" in msgid, msgid


@pytest.mark.parametrize("phrase, field", SEEN)
def test_a_figure_and_its_unit_stay_on_one_line(phrase, field):
    found, _ = X.messages()
    ids = sorted({m.msgid for m in found if phrase in m.msgid})
    assert ids, phrase
    held = re.escape("{" + field + "}")
    for msgid in ids:
        assert not re.search(held + " (day|week|month)", msgid), msgid
        assert re.search(held + "\u00a0(day|week|month)", msgid), msgid
