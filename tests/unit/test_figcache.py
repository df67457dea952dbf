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


def test_a_prepared_figure_sends_its_cached_json_text_without_encoding_again():
    """st.plotly_chart encodes ``fig.to_dict()``: a PreparedFigure hands plotly its cached text
    (an orjson Fragment), so a text that differs from the dict shows which one was sent."""
    from ecomdash.ui.figcache import PreparedFigure

    spec = {"data": [], "layout": {"title": {"text": "from the dict"}}}
    text = '{"data":[],"layout":{"title":{"text":"from the cached text"}}}'
    sent = json.loads(pio.to_json(PreparedFigure(spec, text), validate=False))
    assert sent["layout"]["title"]["text"] == "from the cached text"
    assert PreparedFigure(spec, text).figure().layout.title.text == "from the dict"


def _dated_chart_page():
    """Two charts of the same figure: built directly, and through the figure cache."""
    import pandas as pd
    import plotly.graph_objects as go

    from ecomdash.i18n import _
    from ecomdash.ui import lang
    from ecomdash.ui.common import show_chart
    from ecomdash.ui.figcache import cached_figure

    lang.resolve()

    def build(n):
        days = pd.date_range("2025-01-01", periods=n, freq="D")
        fig = go.Figure(go.Scatter(x=days, y=[1000.0 * i for i in range(n)], name=_("Revenue")))
        fig.update_layout(title=_("Overview"), height=320)
        return fig

    show_chart(build(30), width="stretch", key="built")
    show_chart(cached_figure(build, 30, key=("ws", "ds", 1, "dated")), width="stretch", key="c")


def test_cached_chart_sends_what_the_built_chart_sends_in_each_language():
    """Through show_chart the cached figure's spec equals the freshly built one's, axes
    localised in Chinese too (the cache localises when it builds; show_chart skips it)."""
    from streamlit.testing.v1 import AppTest

    _figure_dict.clear()
    for lang in ("en", "zh", "en"):
        at = AppTest.from_function(_dated_chart_page, default_timeout=30)
        at.query_params["lang"] = lang
        at.run()
        assert not at.exception, at.exception
        built, cached = (json.loads(c.proto.spec) for c in at.get("plotly_chart"))
        assert cached == built
        stops = built["layout"].get("xaxis", {}).get("tickformatstops")
        assert (stops is not None) == (lang == "zh"), (lang, stops)
        assert built["layout"]["title"]["text"] == ("概览" if lang == "zh" else "Overview")


def test_a_prepared_figure_compares_and_prints_as_its_spec():
    from ecomdash.ui.figcache import _figure_dict

    _figure_dict.clear()
    built = _bars([1.0, 2.0], "A", [])
    cached = cached_figure(_bars, [1.0, 2.0], "A", [], key=("ws", "ds", 1, "eq"))
    assert cached.figure() == built and cached == built
    assert "'bar'" in repr(cached) and repr(cached).startswith("PreparedFigure(")
