"""The ``?tab=`` values a home finding's link opens its page on: the findings write them, the
pages read them, both from here so the two cannot drift."""

from __future__ import annotations


class LinkTab:
    """The tab query values (plain strings)."""

    RESTOCK = "restock"  # Forecast & restock: the restock planner
    AT_RISK = "at-risk"  # Customer value: the win-back list
    WHAT_IF = "what-if"  # Pricing & promotions: the what-if (with product and change)
    PROMOTIONS = "promotions"  # Pricing & promotions: the promotions
    HOW_GOOD = "how-good"  # Recommendations: "How good is it?"

    @classmethod
    def values(cls) -> frozenset[str]:
        """Every tab value a finding may link to."""
        return frozenset(v for k, v in vars(cls).items() if k.isupper())
