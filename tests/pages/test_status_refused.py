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
