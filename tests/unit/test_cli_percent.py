"""The CLI's printed percentages read as the pages' do (``fmt.pct``: ``25 %`` with a no-break
space in English, ``25%`` in Chinese; a change signed, ``-5 %``), never Python's ``25%`` or a
hand-written ``-5 %``; ``--json`` keeps raw numbers."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace

import pytest

from ecomdash.cli import main
from ecomdash.cli.common import as_pct
from ecomdash.clv import words as W
from ecomdash.i18n import fmt, use_lang
from ecomdash.store import Store
from tests.unit.test_segment import synthetic_lines

NB = "\u00a0"


def _run(capsys, argv) -> str:
    assert main(argv) == 0
    return capsys.readouterr().out


def _no_bare_percent(text: str) -> None:
    """No figure written straight before "%" and no plain space between them."""
    assert not re.search(r"\d%|\d %", text), re.findall(r".{30}\d ?%.{10}", text)


def test_as_pct_writes_the_figure_typed_with_its_decimals():
    assert as_pct(-5, points=True, signed=True) == f"-5{NB}%"
    assert as_pct(2.5, points=True, signed=True) == f"+2.5{NB}%"
    assert as_pct(0, points=True, signed=True) == f"0{NB}%"  # no sign on zero
    assert as_pct(0.9) == f"90{NB}%" and as_pct(0.975) == f"97.5{NB}%"
    with use_lang("zh"):
        assert as_pct(-5, points=True, signed=True) == "-5%" and as_pct(0.975) == "97.5%"


def test_pricing_text_writes_its_percents_with_fmt_pct(demo_id, capsys):
    base = ["pricing", "--dataset", demo_id, "--product", "TOY-278"]
    text = _run(capsys, [*base, "--change", "-5"])
    lines = text.splitlines()
    assert f"What-if at -5{NB}%:" in lines
    assert any(x.startswith("product ") and f"90{NB}% interval" in x for x in lines)
    out = json.loads(_run(capsys, [*base, "--change", "-5", "--json"]))
    promos = [x for x in lines if " off: lift " in x]
    assert len(promos) == len(out["promotions"]) == 4
    for line, p in zip(promos, out["promotions"], strict=True):
        # the discount and the dip after it as the Pricing page writes them
        assert f", {fmt.pct(p['discount'], 0)} off: lift " in line, line
        dip = "-" if p["dip"] is None else fmt.pct(p["dip"], 0, signed=True)
        assert f", dip {dip}, " in line, line
        assert isinstance(p["discount"], float) and 0 < p["discount"] < 1  # JSON: the share
    assert out["whatif"]["change_pct"] == -5  # JSON: the number
    _no_bare_percent(text)
    # a change with decimals keeps them, signed: "+2.5 %", never "+2.5 %" by hand or "+3 %"
    assert f"What-if at +2.5{NB}%:" in _run(capsys, [*base, "--change", "2.5"]).splitlines()


@pytest.fixture
def synthetic_id(_isolated_home):
    store = Store.open(_isolated_home)
    try:
        return store.save_dataset("synthetic", synthetic_lines()).id
    finally:
        store.close()


def test_segment_text_writes_its_shares_with_fmt_pct(synthetic_id, capsys):
    out = json.loads(_run(capsys, ["segment", "--dataset", synthetic_id, "--json"]))
    text = _run(capsys, ["segment", "--dataset", synthetic_id])
    lines = text.splitlines()
    head = lines.index(next(x for x in lines if x.startswith("segment ")))
    for line, seg in zip(lines[head + 1 :], out["segments"], strict=False):
        assert line.startswith(seg["name"]) and line.endswith(fmt.pct(seg["revenue_share"], 1))
        assert len(line) == len(lines[head])  # still aligned under "revenue"
    for c in out["clusters"]["profile"]:
        assert any(
            x.startswith(f"  {c['cluster']}: ")
            and f"{fmt.pct(c['revenue_share'], 1)} of revenue" in x
            for x in lines
        ), c
    rules = next(x for x in lines if x.startswith("Decision-tree rules reproduce "))
    assert rules.startswith(f"Decision-tree rules reproduce {fmt.pct(out['tree_fidelity'], 1)} ")
    assert re.search(rf"the \d+{NB}% target\):$", rules), rules
    _no_bare_percent(text)


def test_restock_and_forecast_text_write_percents_with_fmt_pct(demo_id, capsys):
    base = ["restock", "--dataset", demo_id, "--top", "3", "--lead-time-days", "7"]
    first = _run(capsys, [*base, "--service-level", "0.9"]).splitlines()[0]
    assert first.endswith(f"(lead time 7 days, service level 90{NB}%):"), first
    first = _run(capsys, [*base, "--service-level", "0.975"]).splitlines()[0]
    assert first.endswith(f"service level 97.5{NB}%):"), first
    argv = ["forecast", "--dataset", demo_id, "--freq", "D", "--horizon", "7", "--folds", "4"]
    text = _run(capsys, argv)
    assert any(f"80{NB}% band" in x and f"95{NB}% band" in x for x in text.splitlines())
    _no_bare_percent(text)


@pytest.mark.parametrize(
    ("error_pct", "en", "zh"),
    [
        (11.94, f"+11.9{NB}%", "+11.9%"),
        (-3.25, f"-3.3{NB}%", "-3.3%"),  # half up, as fmt.pct rounds
        (0.04, f"0.0{NB}%", "0.0%"),  # what rounds to zero has no sign (was "+0.0 %")
        (float("nan"), "n/a", "暂无"),
    ],
)
def test_the_calibration_miss_is_a_signed_fmt_pct(error_pct, en, zh):
    """``ecomdash clv``'s "Holdout purchases (predicted): …, +11.9 % vs actual" and the page's
    tile: the sign was written by hand before the share."""
    cal = SimpleNamespace(error_pct=error_pct)
    with use_lang("en"):
        assert W.signed_error(cal) == en
    with use_lang("zh"):
        assert W.signed_error(cal) == zh
