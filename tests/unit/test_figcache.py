"""Cached figures: the browser gets the same figure, built once per key and never shared across keys."""

from __future__ import annotations

import json

import plotly.graph_objects as go
import plotly.io as pio

from ecomdash.ui.figcache import _figure_dict, cached_figure


def _bars(values: list[float], title: str, calls: list) -> go.Figure:
    calls.append(title)
    fig = go.Figure(go.Bar(x=[f"p{i}" for i in range(len(values))], y=values))
    fig.update_layout(title=title, height=300, xaxis_title="product")
    return fig


def _json(fig: go.Figure) -> dict:
    return json.loads(pio.to_json(fig, validate=False))


def test_cached_figure_sends_the_same_json_and_builds_once_per_key():
    _figure_dict.clear()
    calls: list = []
    direct = _json(_bars([1.5, 2.0, 3.25], "A", []))
    first = cached_figure(_bars, [1.5, 2.0, 3.25], "A", calls, key=("ws", "ds", 1, "k1"))
    again = cached_figure(_bars, [1.5, 2.0, 3.25], "A", calls, key=("ws", "ds", 1, "k1"))
    assert _json(first) == direct and _json(again) == direct
    assert calls == ["A"]  # the second call came from the cache
    assert isinstance(again, go.Figure)


def test_another_key_is_another_figure():
    _figure_dict.clear()
    calls: list = []
    a = cached_figure(_bars, [1.0, 2.0], "A", calls, key=("ws1", "ds", 1))
    b = cached_figure(_bars, [9.0, 8.0], "B", calls, key=("ws2", "ds", 1))
    assert calls == ["A", "B"]
    assert list(_json(a)["data"][0]["y"]) == [1.0, 2.0]
    assert list(_json(b)["data"][0]["y"]) == [9.0, 8.0]
    assert _json(b)["layout"]["title"]["text"] == "B"
