"""A figure that is not known reads in the merchant's language: the alerts' reasons
(``alerts.series.fmt_value``) and the Home's findings (``findings.money_exact``) wrote a bare
"n/a" that a Chinese merchant read in English; they now write the catalogue's "n/a", 暂无 in
Chinese, as the KPI tiles do (session 51, zhpolish)."""

from __future__ import annotations

import pytest

from ecomdash.alerts.series import fmt_value
from ecomdash.findings import money_exact
from ecomdash.i18n import use_lang


@pytest.mark.parametrize(("lang", "missing"), [("en", "n/a"), ("zh", "暂无")])
def test_a_missing_value_in_an_alert_reason(lang, missing):
    with use_lang(lang):
        assert fmt_value("orders", float("nan")) == missing
        assert fmt_value("aov", None, estimate=True) == missing
        assert fmt_value("return_rate", float("nan")) == missing
        assert fmt_value("orders", 12.0) == "12"  # a known figure is unchanged


@pytest.mark.parametrize(("lang", "missing"), [("en", "n/a"), ("zh", "暂无")])
def test_a_missing_sum_in_a_finding(lang, missing):
    with use_lang(lang):
        assert money_exact(float("nan")) == missing
        assert money_exact(None) == missing
        assert money_exact(float("inf")) == missing
        assert money_exact(2140.0, symbol="¥") == "¥2,140"
