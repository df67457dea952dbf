"""The report's segments box in plain words (``report.sections.customers.plain_clusters``):
one sentence per level of the silhouette's judgement, in English and Chinese."""

from __future__ import annotations

import pytest

from ecomdash.i18n import use_lang
from ecomdash.i18n.case import capitalised
from ecomdash.report.sections.customers import SEPARATION, plain_clusters

WORDS = {
    "clear": (
        "customers who ordered at least twice fall into 7 clearly distinct groups",
        "下过至少两单的客户可分为\u00a07\u00a0个界限分明的聚类",
    ),
    "reasonable": (
        "customers who ordered at least twice fall into 7 fairly distinct groups",
        "下过至少两单的客户可分为\u00a07\u00a0个大体分明的聚类",
    ),
    "weak": (
        "customers who ordered at least twice fall into 7 groups that overlap a lot",
        "下过至少两单的客户可分为\u00a07\u00a0个相互重叠较多的聚类",
    ),
}


@pytest.mark.parametrize("level", sorted(WORDS))
def test_each_level_has_its_plain_words_in_both_languages(level):
    en, zh = WORDS[level]
    with use_lang("en"):
        assert plain_clusters(level, 7) == en
        assert capitalised(plain_clusters(level, 7)).startswith("Customers who ordered")
    with use_lang("zh"):
        assert plain_clusters(level, 7) == zh
        assert capitalised(plain_clusters(level, 7)) == zh
    assert set(SEPARATION) == set(WORDS)
