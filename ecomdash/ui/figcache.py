"""Built plotly figures cached per (builder, page key, params), so a rerun does not rebuild them.

Building a figure runs plotly's validators over every trace and layout property: on the
Segments page that was most of a cached page run's CPU (py-spy under bench/bench_load.py).
Caching the ``Figure`` object itself does not help: unpickling a Figure validates it again and
costs as much as building it. The cache holds the figure's plain dict (``Figure.to_dict()``),
which unpickles in well under a millisecond, and the page gets a ``Figure`` rebuilt from that
dict without validation (it was validated when it was built). The JSON sent to the browser is
the same as the freshly built figure's.

Keys are small values only: the builder's name, the page's ``PageContext.key`` (workspace,
dataset, version, filters) and the parameters the figure depends on, never a frame.
"""

from __future__ import annotations

from collections.abc import Callable

import plotly.graph_objects as go
import streamlit as st

from ecomdash.i18n import get_lang


@st.cache_data(max_entries=256, ttl=3600, show_spinner=False)
def _figure_dict(builder: str, key: tuple, lang: str, _build: Callable[[], go.Figure]) -> dict:
    return _build().to_dict()


def cached_figure(build: Callable[..., go.Figure], /, *args, key: tuple, **kwargs) -> go.Figure:
    """``build(*args, **kwargs)``, built once per ``(build, key)``; ``key`` must name everything
    the figure depends on (e.g. ``(ctx.key, params, metric)``). The run's language is part
    of the key: a figure's titles and legends are translated when it is built."""
    name = f"{build.__module__}.{build.__qualname__}"
    d = _figure_dict(name, key, get_lang(), lambda: build(*args, **kwargs))
    return go.Figure(d, _validate=False)
