"""Built plotly figures cached per (builder, page key, params), ready to send.

Building a figure runs plotly's validators over every trace and layout property: on the
Segments page that was most of a cached page run's CPU (py-spy under bench/bench_load.py).
Caching the ``Figure`` object itself does not help: unpickling a Figure validates it again and
costs as much as building it. Rebuilding a ``Figure`` from its cached dict without validation
(the first fix) still deep-copied the dict twice per run (``Figure(d)``, then ``to_dict()`` in
``st.plotly_chart``) and encoded it to JSON again: 20-25 ms of the Segments page's ~55 ms
(its customer scatter alone 18 ms), profiled the same way.

So the cache holds what ``st.plotly_chart`` sends: the figure's plain dict (built, validated
and localised once) and its JSON text. :func:`cached_figure` returns a
:class:`PreparedFigure`, a ``go.Figure`` whose ``to_dict()`` is that dict without a copy and
whose JSON is the cached text (handed to orjson as a ``Fragment`` through plotly's
``to_plotly_json`` hook, so nothing is encoded again; without orjson plotly encodes the dict,
same JSON). The spec the browser gets is the freshly built figure's. A PreparedFigure is for
showing, not a graph object to change: :meth:`PreparedFigure.figure` gives a full
``go.Figure`` to change or inspect.

The cache is a resource cache: ``st.cache_data`` unpickled the dict and its JSON text on
every read (a copy per run of every figure on the page); ``st.cache_resource`` hands every
run the same pair. Nothing writes into it: :class:`_Spec` copies the top level (where plotly
pops trace uids), ``st.plotly_chart`` encodes it and reads the layout's width and height, and
:meth:`PreparedFigure.figure` and ``to_plotly_json`` copy it.

Keys are small values only: the builder's name, the page's ``PageContext.key`` (workspace,
dataset, version, filters) and the parameters the figure depends on, never a frame.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st

from ecomdash.i18n import get_lang

try:  # plotly's fast JSON engine; without it the dict is encoded (slower, same JSON)
    from orjson import Fragment
except ImportError:  # pragma: no cover - orjson is a dependency
    Fragment = None


class _Spec(dict):
    """A figure dict that knows its own JSON: plotly's orjson engine asks an object for
    ``to_plotly_json()`` before encoding it, and an orjson ``Fragment`` is written as is."""

    __slots__ = ("_json",)

    def __init__(self, spec: dict, text: str) -> None:
        super().__init__(spec)  # a new top level: plotly pops trace uids, never deeper
        self._json = text

    def to_plotly_json(self):
        return Fragment(self._json) if Fragment is not None else dict(self)


class PreparedFigure(go.Figure):
    """A figure built, validated and localised once, as ``st.plotly_chart`` sends it.

    ``go.Figure.__init__`` is not called: even an empty Figure deep-copies plotly's default
    template (2 ms, a tenth of a cached Segments run for its six charts). What st.plotly_chart
    and ``plotly.io.to_json`` use (``to_dict``, ``to_plotly_json``) works; graph-object
    attributes (``fig.layout``, ``update_layout``) do not: use :meth:`figure`."""

    def __init__(self, spec: dict, text: str) -> None:  # noqa: D107 - see the class
        self._spec = spec
        self._text = text

    def to_dict(self) -> dict:
        return _Spec(self._spec, self._text)

    def to_plotly_json(self) -> dict:
        return copy.deepcopy(self._spec)

    def figure(self) -> go.Figure:
        """A full ``go.Figure`` of this spec (a copy, free to change)."""
        return go.Figure(self._spec, _validate=False)


def _strip_uids(spec: dict) -> dict:
    for trace in spec.get("data", []):
        trace.pop("uid", None)  # what plotly.io.to_json drops before sending
    return spec


@st.cache_resource(max_entries=256, ttl=3600, show_spinner=False)
def _figure_dict(
    builder: str, key: tuple, lang: str, _build: Callable[[], go.Figure]
) -> tuple[dict, str]:
    from ecomdash.charts.locale import localise

    spec = _strip_uids(localise(_build(), lang).to_dict())
    return spec, pio.to_json(spec, validate=False)


def cached_figure(
    build: Callable[..., go.Figure], /, *args, key: tuple, **kwargs
) -> PreparedFigure:
    """``build(*args, **kwargs)``, built once per ``(build, key)``; ``key`` must name everything
    the figure depends on (e.g. ``(ctx.key, params, metric)``). The run's language is part
    of the key: a figure's titles and legends are translated, and its axes localised
    (:func:`ecomdash.charts.locale.localise`), when it is built."""
    return lazy_figure(build, lambda: args, key=key, **kwargs)


def lazy_figure(
    build: Callable[..., go.Figure], inputs: Callable[[], tuple], /, *, key: tuple, **kwargs
) -> PreparedFigure:
    """:func:`cached_figure` whose positional arguments come from ``inputs()``, called only
    when the figure is built: a page whose per-run result leaves out what only its charts
    read (the Segments page's per-customer frames) fetches the full result on a miss only."""
    name = f"{build.__module__}.{build.__qualname__}"
    spec, text = _figure_dict(name, key, get_lang(), lambda: build(*inputs(), **kwargs))
    return PreparedFigure(spec, text)
