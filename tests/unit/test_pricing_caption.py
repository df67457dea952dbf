"""The Pricing page's captions write their example figures as its tables and findings do: the
minus a hyphen, as ``fmt`` writes one (they read "Elasticity −1.5" and "−25 %", U+2212,
beside "-1.50" and "-24 %" in the tables), the percentages by ``fmt.pct``."""

from __future__ import annotations

import pytest

from ecomdash.i18n import fmt, use_lang
from ecomdash.ui import pricing as ui


@pytest.mark.parametrize(
    ("lang", "elasticity", "dip"),
    [
        (
            "en",
            "Elasticity -1.5: a {one} higher price sells about {one_fewer} fewer units, a {ten} "
            "higher price about {ten_fewer} fewer.",
            "against the same weeks before ({dip} = a quarter fewer units: sales pulled forward)",
        ),
        (
            "zh",
            "价格弹性\u00a0-1.5：价格提高\u00a0{one}，件数约减少\u00a0{one_fewer}；价格提高\u00a0{ten}，件数约减少\u00a0"
            "{ten_fewer}。",
            "促销后\u00a02\u00a0周这一水平比促销前变了多少（{dip} = 件数少了四分之一",
        ),
    ],
)
def test_the_captions_write_a_minus_as_fmt_does(lang, elasticity, dip):
    with use_lang(lang):
        # 1.01 ** -1.5 = 0.985 and 1.1 ** -1.5 = 0.867 (the log-log model)
        figures = {
            "one": fmt.pct(0.01, 0),
            "one_fewer": fmt.pct(0.015, 1),
            "ten": fmt.pct(0.1, 0),
            "ten_fewer": fmt.pct(0.13, 0),
        }
        assert fmt.pct(-0.25, 0, signed=True).startswith("-")  # fmt's minus: a hyphen
        captions = {
            "elasticity": ui.elasticity_caption(),
            "promotions": ui.promotion_caption(True),
            "promotions without a margin": ui.promotion_caption(False),
        }
        assert captions["elasticity"].startswith(elasticity.format(**figures))
        for name in ("promotions", "promotions without a margin"):
            assert dip.format(dip=fmt.pct(-0.25, 0, signed=True)) in captions[name], name
    for name, text in captions.items():
        assert "\u2212" not in text, (name, text)
