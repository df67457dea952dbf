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
    """(where, msgid) of every ``delta=_(...)`` / ``delta=_n(...)`` in ecomdash/ui: a literal,
    or a name the file assigns ``N_("...")`` messages to (``versus = N_(a) if days else
    N_(b)``: the churn tiles' deltas, worded by whether the data has order ids)."""
    out = []
    for path in sorted(UI.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        named: dict[str, list[str]] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                if isinstance(target, ast.Name):
                    named.setdefault(target.id, []).extend(
                        c.args[0].value
                        for c in ast.walk(node.value)
                        if isinstance(c, ast.Call)
                        and isinstance(c.func, ast.Name)
                        and c.func.id == "N_"
                        and c.args
                        and isinstance(c.args[0], ast.Constant)
                    )
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            for kw in node.keywords:
                v = kw.value
                if not (
                    kw.arg == "delta"
                    and isinstance(v, ast.Call)
                    and isinstance(v.func, ast.Name)
                    and v.func.id in ("_", "_n")
                    and v.args
                ):
                    continue
                first = v.args[0]
                if isinstance(first, ast.Constant):
                    out.append((f"{path.name}:{v.lineno}", first.value))
                elif isinstance(first, ast.Name):
                    out += [(f"{path.name}:{v.lineno}", m) for m in named.get(first.id, [])]
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
