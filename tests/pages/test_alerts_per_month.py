"""The Alerts page's alerts per month (under "Rules, muting and noise"): its month column
read "658" in Chromium on a Pinduoduo export of November 2024 (a pandas Period reaches the
browser as months since 1970). It reads 2024-11, as the cohort table writes a month."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from tests.pages.conftest import column_types, displayed_frame, run_page, save_upload

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "cn_platforms"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_alerts_per_month_name_their_month(_isolated_home, lang):
    info = save_upload(_isolated_home, FIX / "pdd_orders.csv", "pdd")
    at = run_page("alerts.py", dataset_id=info.id, lang=lang, timeout=120)
    assert not at.exception, at.exception
    [table] = [d for d in at.dataframe if "month" in d.value.columns and "low" in d.value.columns]
    assert [str(m) for m in table.value["month"]] == ["2024-11"], table.value
    # as the browser reads it: text, not an Arrow extension type over its int64 months
    # (AppTest's pandas turns that back into a Period, the browser does not)
    data = table.proto.arrow_data.data or table.proto.lazy_data.initial_chunk.data
    sent = pa.ipc.open_stream(data).schema.field("month").type
    assert sent in (pa.string(), pa.large_string(), pa.string_view()), sent
    assert column_types(table)["month"] == "text"
    header = displayed_frame(table).columns[0]
    assert header == ("Month" if lang == "en" else "月份"), header
    assert table.value["low"].tolist() == [4]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_single_months_bar_names_its_month(_isolated_home, lang):
    """The chart's one bar (November 2024) was ticked "Nov 1 2024" in Chromium: its axis
    names the month, "Nov 2024" in English, 2024年11月 in Chinese (the month's tick format
    stop, which wins over the English format there)."""
    import json

    from ecomdash.charts.locale import MONTH_TICKS

    info = save_upload(_isolated_home, FIX / "pdd_orders.csv", "pdd")
    at = run_page("alerts.py", dataset_id=info.id, lang=lang, timeout=120)
    assert not at.exception, at.exception
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    [month] = [s for s in specs if any(str(x) == "2024-11" for t in s["data"] for x in t["x"])]
    axis = month["layout"]["xaxis"]
    assert axis["tickformat"] == MONTH_TICKS == "%b %Y"
    assert axis["dtick"] == "M1"
    if lang == "zh":
        stops = {s["value"] for s in axis["tickformatstops"]}
        assert "%Y年%-m月" in stops
