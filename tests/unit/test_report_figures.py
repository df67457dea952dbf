"""The report's figures read the same from the CLI and from the app: every x/y axis gets
automargin (the charts keep a 10 px margin and rely on it for tick labels), and one fixed
template, whatever plotly's default template is in the process that builds the report
(inside the Streamlit server it is "streamlit": no automargin, placeholder colours)."""

from __future__ import annotations

import json
import re

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest
from plotly.subplots import make_subplots

from ecomdash.charts.alerts import severity_figure
from ecomdash.charts.overview import breakdown_figure
from ecomdash.report.render import REPORT_TEMPLATE, figure_html


class _Alerts:
    """What severity_figure reads of an AlertsResult: alerts per month by severity."""

    def __init__(self, pm: pd.DataFrame) -> None:
        self._pm = pm

    def per_month(self) -> pd.DataFrame:
        return self._pm


def _figures() -> list[go.Figure]:
    """Report charts built now (so with the current default template), and a two-axis one."""
    products = pd.DataFrame(
        {
            "key": ["A-1", "B-2", "C-3"],
            "name": ["Throw Blanket – Herringbone", "Terracotta Pot – 25 cm", "Desk Lamp"],
            "revenue": [174_744.13, 169_641.5, 82_712.61],
        }
    )
    months = pd.DataFrame(
        {
            "month": pd.period_range("2026-01", periods=3, freq="M"),
            "high": [0, 1, 0],
            "medium": [1, 0, 0],
            "low": [0, 0, 0],
        }
    )
    two = make_subplots(rows=1, cols=2)
    two.add_bar(x=["a", "b"], y=[1, 2], row=1, col=1)
    two.add_bar(x=["c", "d"], y=[100_000, 200_000], row=1, col=2)
    return [breakdown_figure(products, "Top products"), severity_figure(_Alerts(months)), two]


def newplot_args(html: str) -> list[tuple[list, dict]]:
    """(data, layout) of every ``Plotly.newPlot`` call in ``html``."""
    dec = json.JSONDecoder()
    out = []
    for m in re.finditer(r'Plotly\.newPlot\("[^"]*", ', html):
        data, end = dec.raw_decode(html, m.end())
        layout, _ = dec.raw_decode(html, end + 2)
        out.append((data, layout))
    return out


def axes_without_automargin(layout: dict) -> list[str]:
    """The x/y axes of a cartesian figure's layout without ``automargin: true`` (``xaxis`` and
    ``yaxis`` even when the layout does not name them: then only the template could set it)."""
    axes = {"xaxis", "yaxis"} | {k for k in layout if re.fullmatch(r"[xy]axis\d*", k)}
    return sorted(k for k in axes if layout.get(k, {}).get("automargin") is not True)


@pytest.fixture
def streamlit_default(monkeypatch):
    """plotly's default template as inside the app's server process (restored afterwards)."""
    monkeypatch.setattr(pio.templates, "default", pio.templates.default)
    import streamlit.elements.lib.streamlit_plotly_theme  # noqa: F401 - registers "streamlit"

    monkeypatch.setattr(pio.templates, "default", "streamlit")
    assert pio.templates["streamlit"].layout.xaxis.automargin is None  # the app's problem


def test_every_axis_has_automargin_under_streamlits_default_template(streamlit_default):
    for i, fig in enumerate(_figures()):
        html = figure_html(fig, f"fig-{i}")
        ((data, layout),) = newplot_args(html)
        assert not axes_without_automargin(layout), (i, layout)
        # streamlit's placeholder colours (#000001 …) are filled in by its front end only
        colours = layout["template"]["layout"]["colorway"]
        assert not any(c.startswith("#0000") for c in colours), colours
    xs = [k for k in layout if k.startswith(("xaxis", "yaxis"))]
    assert {"xaxis", "xaxis2", "yaxis", "yaxis2"} <= set(xs)  # subplots' axes too


def test_the_report_figures_are_the_same_from_the_cli_and_from_the_app(monkeypatch):
    """Built under plotly's own default (the CLI) and under streamlit's (the app): same spec."""
    monkeypatch.setattr(pio.templates, "default", "plotly")
    cli = [newplot_args(figure_html(f, "f")) for f in _figures()]
    import streamlit.elements.lib.streamlit_plotly_theme  # noqa: F401

    monkeypatch.setattr(pio.templates, "default", "streamlit")
    app = [newplot_args(figure_html(f, "f")) for f in _figures()]
    assert cli == app
    want = go.Figure(layout={"template": REPORT_TEMPLATE}).to_plotly_json()["layout"]["template"]
    assert cli[0][0][1]["template"] == json.loads(json.dumps(want, default=list))


def test_a_figure_of_its_own_height_gets_a_box_of_that_height():
    """The basket rules' network (340 px) sat in the class's 360 px box: 20 px of white under
    it (tests/e2e/test_report.py measures every box in Chromium). A figure without a height
    keeps the class's box."""
    tall = go.Figure(go.Bar(x=["a"], y=[1])).update_layout(height=340)
    assert '<div class="figure" id="f1" style="min-height: 340px"></div>' in figure_html(tall, "f1")
    free = go.Figure(go.Bar(x=["a"], y=[1]))
    assert '<div class="figure" id="f2"></div>' in figure_html(free, "f2")
