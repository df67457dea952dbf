"""Money on charts, its sign written where ``fmt.money`` writes it: ``-£5,000``, never
``£-5,000``.

plotly's ``tickprefix`` is put before the whole tick text, sign included (``¥−100,000``),
and a hover's ``£%{y:,.0f}`` the same (``£-5,000``), where a table cell reads ``-¥73,733.30``.
d3's number formats, which plotly uses for ``tickformat``, ``hoverformat`` and ``%{y:…}``,
have a currency symbol (``$`` in the format) that goes *after* the sign; its text comes from
the plotly locale's ``format.currency``. So every money axis and hover of
``ecomdash.charts`` goes through this module:

* :func:`money_axis` — an axis's settings: ``tickformat="$,~f"`` (the currency after the
  minus, thousands, the decimals the tick needs: ``-£5,000``, ``£0``, ``£2.5``);
* :func:`money_hover` — a hover's amount: ``%{y:$,.0f}`` → ``-£5,000``;
* :func:`with_currency` — marks the figure with the dataset's currency sign, which
  :func:`ecomdash.charts.locale.plotly_config` puts in the locale's ``format.currency`` when
  the figure is drawn (``ecomdash.ui.common.show_chart`` and the HTML report read it with
  :func:`figure_currency`).

plotly still computes the ticks, so a zoomed axis gets new round ticks (a fixed list of
ticks computed once would keep the whole range's). Ticks are whole figures with thousands in
both languages (``£250,000``, ``¥1,500,000``), as the table beside the chart writes money:
plotly has no 万 (Chinese ``¥150万`` would need a fixed list of ticks), and d3's SI letters
write a billion ``G``. Negative ticks take plotly's own minus sign (``−£5,000``, U+2212, as on
every other plotly axis); hovers and tables a hyphen.

Without a known currency (``symbol=""``) axes and hovers keep plotly's own numbers.
"""

from __future__ import annotations

#: a money tick: the currency after the sign, thousands, no zeros ending the decimals
TICK_FORMAT = "$,~f"


def money_axis(symbol: str) -> dict:
    """The settings of a money axis (``fig.update_yaxes(**money_axis("£"))``): ticks written
    ``-£5,000`` / ``£0`` / ``£2.5``, recomputed by plotly on zoom; the unified hover of the
    axis as a money hover (whole units). Nothing without a currency sign.

    >>> money_axis("£")
    {'tickformat': '$,~f', 'hoverformat': '$,.0f', 'tickmode': 'auto'}
    >>> money_axis("")
    {}
    """
    if not symbol:
        return {}
    return {"tickformat": TICK_FORMAT, "hoverformat": money_format(0, symbol), "tickmode": "auto"}


def money_format(places: int, symbol: str) -> str:
    """The d3 format of an amount to ``places`` decimals, with the currency when known.

    >>> money_format(2, "£"), money_format(0, "")
    ('$,.2f', ',.0f')
    """
    return f"{'$' if symbol else ''},.{places}f"


def money_hover(value: str = "y", places: int = 0, *, symbol: str) -> str:
    """A hover's amount (``value``: ``y``, ``x``, ``customdata[1]``…) to ``places`` decimals:
    ``%{y:$,.0f}``, written ``-£5,000`` in the browser.

    >>> money_hover("customdata", 2, symbol="£"), money_hover(symbol="")
    ('%{customdata:$,.2f}', '%{y:,.0f}')
    """
    return "%{" + value + ":" + money_format(places, symbol) + "}"


def with_currency(fig, symbol: str):
    """``fig`` marked with the dataset's currency sign (in ``layout.meta``), which the chart's
    plotly config then writes in its money formats; changed in place and returned."""
    if symbol:
        meta = fig.layout.meta if isinstance(fig.layout.meta, dict) else {}
        fig.update_layout(meta={**meta, "currency": symbol})
    return fig


def figure_currency(fig) -> str | None:
    """The currency sign :func:`with_currency` marked ``fig`` with (a figure, a figure's dict
    or a cached ``PreparedFigure``); None when it has none."""
    if isinstance(fig, dict) or hasattr(fig, "_spec"):  # a dict, a PreparedFigure's spec
        meta = ((fig if isinstance(fig, dict) else fig._spec).get("layout") or {}).get("meta")
    else:
        meta = fig.layout.meta
    return meta.get("currency") if isinstance(meta, dict) else None
