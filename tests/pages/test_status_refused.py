"""Work refused for too little data says in its status that it was not run and why: on a
three-day marketplace export the Forecast page's statuses read "Forecasting: stopped" /
"正在预测：已停止" above the refusal's clear reason, as if the forecast had broken off."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.pages.conftest import run_page, save_upload

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "cn_platforms"


def statuses(at) -> list[str]:
    """The labels of every ``st.status`` the run drew (in any tab)."""
    found: list[str] = []

    def walk(node) -> None:
        for child in getattr(node, "children", {}).values():
            if type(child).__name__ == "Status":
                found.append(child.label)
            walk(child)

    walk(at._tree)
    return found


@pytest.mark.parametrize(
    "lang, said, old",
    [("en", "Not run: too little data", "stopped"), ("zh", "未运行：数据不足", "已停止")],
)
def test_a_refused_forecast_says_it_was_not_run(_isolated_home, lang, said, old):
    info = save_upload(_isolated_home, FIX / "pdd_orders.csv", "pdd")
    at = run_page("forecast.py", dataset_id=info.id, lang=lang, timeout=120)
    assert not at.exception, at.exception
    labels = statuses(at)
    assert labels and all(label == said for label in labels), labels
    assert not any(old in label for label in labels)
    assert at.warning  # the refusal's own reason is still said


def status_steps(at) -> dict[str, list[str]]:
    """Each ``st.status``'s steps (the text written in it), by its label."""
    found: dict[str, list[str]] = {}

    def texts(node) -> list[str]:
        out = []
        for child in getattr(node, "children", {}).values():
            value = getattr(child, "value", None)
            if type(child).__name__ == "Markdown" and isinstance(value, str):
                out.append(value)
            out += texts(child)
        return out

    def walk(node) -> None:
        for child in getattr(node, "children", {}).values():
            if type(child).__name__ == "Status":
                found.setdefault(child.label, []).extend(texts(child))
            walk(child)

    walk(at._tree)
    return found


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_refused_forecast_lists_only_the_steps_that_ran(_isolated_home, lang):
    """On the three-day Pinduoduo export the status read "Not run: too little data" over
    "Backtesting the models over 8 folds and forecasting…" (Chromium), as if the backtest had
    run, and the top products' over their backtest. The series was built; nothing else ran."""
    from ecomdash.i18n import _, use_lang

    info = save_upload(_isolated_home, FIX / "pdd_orders.csv", "pdd")
    at = run_page("forecast.py", dataset_id=info.id, lang=lang, timeout=120)
    assert not at.exception, at.exception
    with use_lang(lang):
        built = _("Building the series (calendar, closed days, holidays, events)…")
        refused = _("Not run: too little data")
    steps = status_steps(at)
    assert set(steps) == {refused}, steps
    assert steps[refused] == [built], steps
