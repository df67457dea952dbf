"""A tile's compact figure computed by the documented rule, independently of
``ecomdash.i18n.fmt.compact``, for tests that check a tile against their own computation.

The rule (docs/DEVELOPING.md, *Languages*): from ten thousand, three significant figures
rounded half up with k / M / B, and no zeros ending the figure after its point (``50k``,
``£1M``, ``£1.5M``, ``25.2k``); below ten thousand the figure itself, money whole from a
thousand and to the cent below. English only (the Chinese units are checked in
``tests/unit/test_fmt_rounding.py``, which also checks this helper against ``fmt.compact``).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def tile_figure(x: float, symbol: str = "") -> str:
    """``x`` as an English tile writes it (``tile_figure(3_731_389.17, "£")`` is ``£3.73M``).

    >>> tile_figure(50_049), tile_figure(1_000_400, "£"), tile_figure(25_249), tile_figure(6_168.18, "£")
    ('50k', '£1M', '25.2k', '£6,168')
    """
    d = Decimal(repr(float(abs(x))))
    sign = "-" if x < 0 else ""
    if d >= 10_000:
        d = d.quantize(Decimal(1).scaleb(d.adjusted() - 2), rounding=ROUND_HALF_UP)
        for size, unit in ((Decimal(10**9), "B"), (Decimal(10**6), "M"), (Decimal(10**3), "k")):
            if d >= size and (unit != "k" or d >= 10_000):
                text = format(d / size, "f")
                if "." in text:
                    text = text.rstrip("0").rstrip(".")
                int_part, _, frac = text.partition(".")
                text = f"{int(int_part):,}" + (f".{frac}" if frac else "")
                return f"{sign}{symbol}{text}{unit}"
    places = 2 if symbol and d.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) < 1000 else 0
    d = d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{sign if d else ''}{symbol}{d:,}"
