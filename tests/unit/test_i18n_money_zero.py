"""An amount that rounds to zero is written zero: never "-£0.00", "+£0.00", "-£0" or "-0".

fmt.money wrote the sign of the unrounded value ("-£0.00" for a refund of a tenth of a penny;
the Alerts page's reasons fixed it locally), and money_about / compact did the same in the
Home's findings, the bundle what-if and the metric tiles. Every money and tile figure goes
through these three (labels.money, ui.common.fmt_money, the report's tables)."""

from __future__ import annotations

import pytest

from ecomdash import labels as L
from ecomdash.i18n import fmt


@pytest.mark.parametrize("x", [-0.004, -0.0049, -1e-9, -0.0])
def test_money_that_rounds_to_zero_has_no_sign(x):
    assert fmt.money(x, symbol="£") == "£0.00"
    assert fmt.money(x, symbol="£", signed=True) == "£0.00"
    assert fmt.money(x, places=0, symbol="¥") == "¥0"
    assert L.money(x, L.Display(currency="GBP")) == "£0.00"


def test_money_keeps_the_sign_of_what_does_not_round_to_zero():
    assert fmt.money(-0.005, symbol="£") == "-£0.01"  # 0.005 is written 0.01: a penny refunded
    assert fmt.money(-0.4, places=0, symbol="£") == "£0"
    assert fmt.money(-0.6, places=0, symbol="£") == "-£1"
    assert fmt.money(-950.4, symbol="£") == "-£950.40"
    assert fmt.money(0.004, symbol="£", signed=True) == "£0.00"
    assert fmt.money(0.006, symbol="£", signed=True) == "+£0.01"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_estimates_and_tiles_that_round_to_zero_have_no_sign(lang):
    assert fmt.money_about(-0.4, symbol="£", lang=lang) == "£0"
    assert fmt.money_about(-0.6, symbol="£", lang=lang) == "-£1"
    assert fmt.compact(-0.004, money=True, symbol="¥", lang=lang) == "¥0.00"
    assert fmt.compact(-0.3, lang=lang) == "0"
    assert fmt.compact(-2.6, lang=lang) == "-3"
    assert fmt.compact(-18_300.0, money=True, symbol="£", lang="en") == "-£18.3k"
