"""Figures no more precise than they are, one rule per kind (branch fmtread): an estimate's
money to two significant figures below ten thousand ("about £1,200", never "about £1,207"),
tiles to three from ten thousand ("252k", never "252.0k"; "£6,168" beside "£208k", never
"£6,168.18"; no zeros after the point: "50k", "£1M", not "50.0k", "£1.00M"), percentages with thousands ("+1,065 %"), and no "£-0.00" in an on-screen table
(its printf format is applied in the browser: the frame sent is what decides)."""

from __future__ import annotations

import pytest

from ecomdash.findings.core import money_text
from ecomdash.i18n import fmt, use_lang


@pytest.mark.parametrize(
    ("x", "lang", "want"),
    [
        (1206.77, "en", "£1,200"),
        (4602.0, "en", "£4,600"),
        (93.4, "en", "£93"),
        (7.4, "en", "£7"),
        (955.0, "en", "£960"),  # half up
        (-1207.0, "en", "-£1,200"),
        (9960.0, "en", "£10k"),  # rounds up into the next unit, never back to £9,960
        (18_349.0, "en", "£18.3k"),
        (183_449.0, "en", "£183k"),
        (1_254_000.0, "en", "£1.25M"),
        (4602.0, "zh", "¥4,600"),
        (18_349.0, "zh", "¥1.83万"),
        (1_834_900.0, "zh", "¥183万"),
        (125_400_000.0, "zh", "¥1.25亿"),
    ],
)
def test_an_estimate_is_written_to_two_or_three_significant_figures(x, lang, want):
    sym = "¥" if lang == "zh" else "£"
    assert fmt.money_about(x, symbol=sym, lang=lang) == want


def test_the_homes_estimates_are_rounded_too():
    """The Home's findings (pricing's "~£4,602 of revenue a year") write money_text."""
    with fmt.use_currency("£"):
        assert money_text(4602.0) == "£4,600"
        assert money_text(1206.77) == "£1,200"


@pytest.mark.parametrize(
    ("x", "kw", "lang", "want"),
    [
        (252_049, {}, "en", "252k"),
        (25_249, {}, "en", "25.2k"),
        (2_520, {}, "en", "2,520"),  # a count below ten thousand stays exact
        (3_731_389.17, {"symbol": "£"}, "en", "£3.73M"),
        (208_214.5, {"symbol": "£"}, "en", "£208k"),
        (6_168.18, {"symbol": "£"}, "en", "£6,168"),  # beside £208k: no pennies
        (23.456, {"symbol": "£"}, "en", "£23.46"),  # an average order keeps its pence
        (-0.001, {"symbol": "£"}, "en", "£0.00"),
        (1_250_000_000, {}, "en", "1.25B"),
        (252_049, {}, "zh", "25.2万"),
        (3_321_500, {"symbol": "¥"}, "zh", "¥332万"),
        (18_304_000, {"symbol": "¥"}, "zh", "¥1,830万"),
        (373_140_000, {"symbol": "¥"}, "zh", "¥3.73亿"),
        (6_168.18, {"symbol": "¥"}, "zh", "¥6,168"),
    ],
)
def test_tiles_are_three_significant_figures_from_ten_thousand(x, kw, lang, want):
    assert fmt.compact(x, lang=lang, **kw) == want


@pytest.mark.parametrize(
    ("x", "kw", "lang", "want"),
    [
        (50_049, {}, "en", "50k"),  # "Orders 50.0k" before
        (10_000, {}, "en", "10k"),
        (1_000_400, {"symbol": "£"}, "en", "£1M"),  # "£1.00M" before
        (1_504_000, {"symbol": "£"}, "en", "£1.5M"),  # "£1.50M" before
        (-2_000_000_000, {}, "en", "-2B"),
        (25_249, {}, "en", "25.2k"),  # three figures without a trailing zero stay
        (3_731_389.17, {"symbol": "£"}, "en", "£3.73M"),
        (252_049, {}, "en", "252k"),
        (10_000, {}, "zh", "1万"),  # "1.00万" before
        (13_000.49, {"symbol": "€"}, "zh", "€1.3万"),  # "€1.30万" before
        (200_049, {}, "zh", "20万"),  # "20.0万" before
        (100_000_000, {"symbol": "¥"}, "zh", "¥1亿"),  # "¥1.00亿" before
        (150_000_000, {"symbol": "¥"}, "zh", "¥1.5亿"),
        (25_249, {}, "zh", "2.52万"),
        (18_304_000, {"symbol": "¥"}, "zh", "¥1,830万"),  # whole 万: the zero is a figure
    ],
)
def test_tiles_write_no_zeros_after_the_point(x, kw, lang, want):
    """A dashboard writes 50k and £1M, not 50.0k and £1.00M (branch fmtfix)."""
    assert fmt.compact(x, lang=lang, **kw) == want


@pytest.mark.parametrize(
    ("x", "lang", "want"),
    [
        (88.0, "en", "+£88"),
        (-88.0, "en", "-£88"),
        (0.3, "en", "£0"),  # a tiny rise: "+£0" before
        (-0.4, "en", "£0"),
        (0.0, "en", "£0"),
        (18_340.0, "en", "+£18.3k"),
        (-18_340.0, "en", "-£18.3k"),
        (50_049.0, "en", "+£50k"),
        (0.2, "zh", "¥0"),
        (4249.0, "zh", "+¥4,200"),
        (18_340.0, "zh", "+¥1.83万"),
        (-10_000.0, "zh", "-¥1万"),
    ],
)
def test_a_signed_estimate_has_no_sign_when_it_rounds_to_zero(x, lang, want):
    """The Pricing what-if's change read "+£0" for a tiny change: money_about(signed=True)
    writes "+" only before a figure that is not zero."""
    sym = "¥" if lang == "zh" else "£"
    assert fmt.money_about(x, symbol=sym, lang=lang, signed=True) == want
    assert fmt.money_about(x, symbol=sym, lang=lang) == want.lstrip("+")


@pytest.mark.parametrize(
    ("x", "lang", "want"),
    [(10.65, "en", "+1,065\u00a0%"), (10.65, "zh", "+1,065%"), (-12.345, "en", "-1,235\u00a0%")],
)
def test_large_percentages_have_thousands(x, lang, want):
    assert fmt.pct(x, 0, signed=True, lang=lang) == want


@pytest.mark.parametrize(("lang", "want"), [("en", "+1,065.0\u00a0%"), ("zh", "+1,065.0%")])
def test_a_tiles_large_change_has_thousands(lang, want):
    """The Overview's and the Home's tiles (ui.overview.delta_text): "+1065.0 %" before; the
    figure and its "%" joined by fmt.pct's no-break space in English (a plain space before)."""
    from ecomdash.i18n import use_lang
    from ecomdash.ui.overview import delta_text

    with use_lang(lang):
        assert delta_text(10.65) == want
        assert delta_text(-0.032) == ("-3.2%" if lang == "zh" else "-3.2\u00a0%")
        # half up from the decimal text, as fmt.pct: 1.25 was "+1.2 %" (half to even)
        assert delta_text(0.0125) == fmt.pct(0.013, 1, signed=True) == f"+1.3{fmt.pct_sign()}"
        # a change that rounds to zero has no sign ("-0.0 %" before), as fmt.pct writes it
        assert delta_text(-0.0001) == f"0.0{fmt.pct_sign()}"


@pytest.mark.parametrize(
    "x",
    [
        3_731_389.17,
        3_700_000.0,
        3_695_000.0,
        52_000.0,
        51_960.0,
        50_049.0,
        1_000_400.0,
        999_500.0,
        10_000.0,
        9_999.6,
        6_168.18,
        252_049.0,
        1_234_567_890.0,
        -25_249.0,
    ],
)
def test_the_tests_own_tile_rule_agrees_with_compact(x):
    """tests/tiles.py writes a tile by the documented rule without fmt: page and report tests
    compare their own computed figure with a tile through it, so a round value (£3.7M, £52k)
    is expected as the tile writes it, not as ``f"{x / 1e6:,.2f}M"`` would (£3.70M)."""
    from tests.tiles import tile_figure

    assert tile_figure(x, "£") == fmt.compact(x, symbol="£", lang="en")
    assert tile_figure(x) == fmt.compact(x, lang="en")


@pytest.mark.parametrize(
    ("x", "kw", "want"),
    [
        (2.5, {}, "3"),  # round() made it 2 (half to even)
        (0.5, {}, "1"),  # was 0
        (1_250.5, {}, "1,251"),  # was 1,250
        (2_344.5, {}, "2,345"),  # was 2,344
        (0.125, {"symbol": "£"}, "£0.13"),  # "%.2f" made it £0.12 (half to even)
        (2.675, {"symbol": "£"}, "£2.68"),  # was £2.67 (the float is 2.67499…)
        (1.005, {"symbol": "£"}, "£1.01"),  # was £1.00
        (-0.125, {"symbol": "£"}, "-£0.13"),
        (999.995, {"symbol": "£"}, "£1,000"),  # rounds into the whole amounts
        (999.994, {"symbol": "£"}, "£999.99"),
    ],
)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_tile_below_ten_thousand_rounds_half_up(x, kw, want, lang):
    """A tile's figure below ten thousand is rounded half up from its decimal text, as a
    merchant rounds the figure they read, in both languages (the same figure: Chinese has no
    unit below 万): a count of 2.5 read "2" and £0.125 "£0.12" (Python's round and "%.2f")."""
    if lang == "zh" and "symbol" in kw:
        kw = {"symbol": "¥"}
        want = want.replace("£", "¥")
    assert fmt.compact(x, lang=lang, **kw) == want


@pytest.mark.parametrize(
    ("x", "places", "want"),
    [
        (2.675, 2, "£2.68"),  # "%.2f" wrote £2.67 (the float is 2.67499…)
        (0.125, 2, "£0.13"),  # was £0.12 (half to even)
        (1.005, 2, "£1.01"),  # was £1.00
        (-0.125, 2, "-£0.13"),
        (1_234.5, 0, "£1,235"),  # was £1,234
        (2.5, 0, "£3"),  # was £2
        (999.995, 2, "£1,000.00"),
        (-0.004, 2, "£0.00"),  # what rounds to zero has no sign, as before
        (950.4, 2, "£950.40"),  # no tie: as before
    ],
)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_money_rounds_half_up_as_a_tile_does(x, places, want, lang):
    """fmt.money rounded by the float ("%.2f"): £2.675 read £2.67 in a sentence beside a tile
    that writes £2.68 (fmt.compact); both round half up from the decimal text now, through
    one helper (fmt._half_up)."""
    sym = "¥" if lang == "zh" else "£"
    with use_lang(lang):
        assert fmt.money(x, places=places, symbol=sym) == want.replace("£", sym)
    if "," not in want and places == 2 and want != "£0.00":  # compact: whole from £1,000
        assert fmt.money(x, symbol="£") == fmt.compact(x, symbol="£", lang="en")


@pytest.mark.parametrize(
    ("x", "digits", "signed", "figure"),
    [
        (0.125, 0, False, "13"),  # "%.0f" of 12.5 wrote 12 (half to even)
        (0.0125, 1, False, "1.3"),  # 1.25: was 1.2
        (0.285, 0, False, "29"),  # 0.285 * 100 is 28.499…: was 28
        (0.00125, 2, False, "0.13"),  # was 0.12
        (0.005, 0, False, "1"),  # was 0
        (-0.125, 0, True, "-13"),
        (0.125, 0, True, "+13"),
        (-0.004, 0, True, "0"),  # rounds to zero: no sign, as before
        (0.0412, 1, False, "4.1"),  # no tie: as before
    ],
)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_percentage_rounds_half_up_from_its_decimal_text(x, digits, signed, figure, lang):
    want = figure + ("%" if lang == "zh" else "\u00a0%")
    assert fmt.pct(x, digits, signed=signed, lang=lang) == want


@pytest.mark.parametrize(
    ("points", "digits", "figure"), [(12.5, 0, "13"), (28.5, 0, "29"), (1.25, 1, "1.3")]
)
def test_percentage_points_round_half_up_too(points, digits, figure):
    """A table's ``pct`` column (already in points: labels.format_value, the report) read
    12.5 as "12 %" (half to even)."""
    from ecomdash import labels as L

    assert fmt.pct(points, digits, points=True, lang="en") == f"{figure}\u00a0%"
    assert fmt.pct(points, digits, points=True, lang="zh") == f"{figure}%"
    if digits == 0:
        assert L.format_value(points, "improvement_pct") == f"{figure}\u00a0%"
