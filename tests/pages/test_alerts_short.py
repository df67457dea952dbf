"""The Alerts page on a three-day export (too little history for a daily series) says so
without a chart: it drew the message as the title of empty axes (-1 to 4, 0 to 4), under a
series picker with nothing to pick."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.pages.conftest import run_page, save_upload

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "cn_platforms"


@pytest.mark.parametrize(
    "lang, said",
    [("en", "No daily series (too little history)"), ("zh", "没有每日序列（历史太短）")],
)
def test_no_daily_series_is_said_without_empty_axes(_isolated_home, lang, said):
    info = save_upload(_isolated_home, FIX / "pdd_orders.csv", "pdd")
    at = run_page("alerts.py", dataset_id=info.id, lang=lang, timeout=120)
    assert not at.exception, at.exception
    assert said in [c.value for c in at.caption]
    titles = [
        json.loads(c.proto.spec)["layout"].get("title", {}).get("text", "")
        for c in at.get("plotly_chart")
    ]
    assert not any(said in t for t in titles), titles
    assert "al_metric" not in [s.key for s in at.selectbox]  # no series to pick
