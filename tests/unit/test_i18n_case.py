"""The one "capitalise the first letter" (ecomdash.i18n.case.capitalised), its corner cases, and
its three users: a Note that starts a sentence (shown by tr_note in any language), the report's
cells and verdicts, and labels.humanise."""

from __future__ import annotations

import json
import pickle

import pytest

from ecomdash import labels as L
from ecomdash.i18n import N_, use_lang
from ecomdash.i18n.case import capitalised
from ecomdash.i18n.note import from_json, note, note_n, to_json, tr_note


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("high", "High"),
        ("", ""),  # empty stays empty
        ("a", "A"),
        ("42 orders a week", "42 orders a week"),  # a figure starts it: nothing changed
        ("-5 % returns", "-5 % returns"),
        ("£40 spent", "£40 spent"),
        ('"churn risk" and "alive"', '"Churn risk" and "alive"'),  # the letter after a quote
        ("“high” risk", "“High” risk"),
        ("(most) orders", "(Most) orders"),
        ("iPhone cases sold out", "iPhone cases sold out"),  # a name as its owner writes it
        ("eBay orders", "eBay orders"),
        ("k-NN baseline", "k-NN baseline"),
        ("k-means clusters", "K-means clusters"),
        ("Already", "Already"),
        ("ßtraße", "ßtraße"),  # no one-letter upper case: kept
        ('"', '"'),
        ("   ", "   "),
    ],
)
def test_english_capitalises_the_first_letter_only(text, expected):
    assert capitalised(text, lang="en") == expected


@pytest.mark.parametrize("text", ["高", "k-means 聚类", "iphone 销量", "", "42 秒"])
def test_chinese_has_no_case_and_is_left_as_it_is(text):
    assert capitalised(text, lang="zh") == text


def test_the_language_shown_is_the_default():
    with use_lang("en"):
        assert capitalised("high") == "High"
    with use_lang("zh"):
        assert capitalised("k-means 聚类") == "k-means 聚类"


def test_a_capitalised_note_reads_capitalised_where_shown_in_english():
    """The ingest's "{note}." of a lower-case note: its English text was capitalised, but the
    Data page (tr_note, English) showed "units counted." — red before the Note kept it."""
    cap = note(N_("{note}."), note=note(N_("units counted"))).capitalised()
    assert cap == "Units counted."
    for shown in (
        cap,
        pickle.loads(pickle.dumps(cap)),
        from_json(json.loads(json.dumps(to_json(cap)))),
    ):
        with use_lang("en"):
            assert tr_note(shown) == "Units counted."
        with use_lang("zh"):
            assert tr_note(shown) == "按件合并。"
    # a report saved before the flag was kept reads capitalised too (its English says so)
    old = {
        "en": "Units counted.",
        "id": "{note}.",
        "fields": {"note": to_json(note(N_("units counted")))},
    }
    with use_lang("en"):
        assert tr_note(from_json(old)) == "Units counted."
    # a note that does not start a sentence stays as it is
    with use_lang("en"):
        assert tr_note(note(N_("{note}."), note=note(N_("units counted")))) == "units counted."


def test_a_counted_note_keeps_its_capital_where_shown():
    lower = "skipped {n} title rows above the table."
    low = note_n(lower.replace("rows", "row"), lower, 2).capitalised()
    with use_lang("en"):
        assert tr_note(low) == "Skipped 2 title rows above the table."


def test_humanise_capitalises_an_ids_words_in_any_language():
    for lang in ("en", "zh"):
        with use_lang(lang):
            assert L.humanise("median_order_value") == "Median order value"
            assert L.humanise("lo80") == "Lo 80"
            assert L.humanise("12_weeks") == "12 weeks"
