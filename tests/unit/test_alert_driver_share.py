"""A day alert's driver read "mostly product P1: +£1,020 in net revenue ... (102 % of the day's
change)": the day's change is the net of every product's, and when others moved the other way
one product moved more than the whole day did. The sentence says so instead of a share over
100 %; a share within the day's change keeps its wording."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from ecomdash.alerts.drivers import find_drivers
from ecomdash.i18n import use_lang


class _Store:
    """The store's alert_drivers: products' changes on the day against their usual day."""

    def __init__(self, changes: dict[str, float]):
        self.frame = pd.DataFrame(
            {
                "key": list(changes),
                "actual": [100.0 + c for c in changes.values()],
                "usual": [100.0] * len(changes),
                "change": list(changes.values()),
            }
        )

    def alert_drivers(self, ds_id, inside, *, day, by, metric, limit, direction=None):
        d = self.frame
        if direction is not None:
            d = d[d["change"] * direction > 0].sort_values("change", ascending=direction < 0)
        return d.head(limit).reset_index(drop=True)


def _driver(changes: dict[str, float], lang: str = "en") -> str:
    alerts = pd.DataFrame(
        {
            "alert_id": ["a1"],
            "kind": ["unusual_day"],
            "severity": ["high"],
            "date": [pd.Timestamp("2026-11-11")],
        }
    )
    members = {"a1": [SimpleNamespace(metric="revenue", dim=None, grp=None, score=4.0)]}
    with use_lang(lang):
        out = find_drivers(
            _Store(changes), "ds", None, alerts, members, [1], {"product_id", "revenue"}
        )
    return out.loc[out["by"] == "summary", "text"].iloc[0]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_driver_larger_than_the_days_change_is_not_a_share_over_100(lang):
    said = _driver({"P1": 1020.0, "P2": -20.0}, lang)
    assert "102" not in said, said
    if lang == "en":
        assert said.startswith("mostly product P1: +1,020 in net revenue")
        assert "more than the day's whole change (+1,000): others moved the other way" in said
    else:
        assert "超过当天的全部变化（+1,000）" in said and "占当天变化" not in said


def test_a_share_within_the_days_change_keeps_its_wording():
    said = _driver({"P1": 800.0, "P2": 200.0})
    assert said.endswith("(80\u00a0% of the day's change)"), said
