"""A metric's delta keeps its number first in every language.

``st.metric`` draws a delta's arrow and colour from its text: down (red, or green with
``delta_color="inverse"``) only when the text starts with "-". A translation that puts words
before the number ("较基线 -0.60") turned a better backtest into a red up arrow on the Chinese
forecast page. Every ``delta=_("...")`` of the pages is found in the source here, and its
Chinese translation must start with the same field as its English message id."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from ecomdash.i18n import catalogue

UI = Path(__file__).resolve().parents[2] / "ecomdash" / "ui"
_FIRST = re.compile(r"^\{(\w+)\}")


def delta_messages() -> list[tuple[str, str]]:
    """(where, msgid) of every ``delta=_(...)`` / ``delta=_n(...)`` in ecomdash/ui."""
    out = []
    for path in sorted(UI.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            for kw in node.keywords:
                v = kw.value
                if (
                    kw.arg == "delta"
                    and isinstance(v, ast.Call)
                    and isinstance(v.func, ast.Name)
                    and v.func.id in ("_", "_n")
                    and v.args
                    and isinstance(v.args[0], ast.Constant)
                ):
                    out.append((f"{path.name}:{v.lineno}", v.args[0].value))
    return out


def number_first_everywhere(messages: list[tuple[str, str]], zh: dict) -> list[str]:
    bad = []
    for where, msgid in messages:
        m = _FIRST.match(msgid)
        if not m:
            bad.append(f"{where}: {msgid!r} does not start with its number")
        elif not zh.get(msgid, "").startswith("{" + m.group(1) + "}"):
            bad.append(f"{where}: Chinese {zh.get(msgid)!r} does not start with {{{m.group(1)}}}")
    return bad


def test_every_metric_delta_starts_with_its_number_in_chinese_too():
    messages = delta_messages()
    # the forecast's MASE, recommendations' hit rate, customer value's calibration and churn
    assert len(messages) >= 5, messages
    assert not number_first_everywhere(messages, catalogue("zh"))


def test_the_check_finds_words_before_the_number():
    msgs = [("x.py:1", "{delta} vs baseline"), ("y.py:2", "vs baseline {delta}")]
    bad = number_first_everywhere(msgs, {"{delta} vs baseline": "较基线 {delta}"})
    assert len(bad) == 2 and "较基线" in bad[0] and "does not start with its number" in bad[1]
