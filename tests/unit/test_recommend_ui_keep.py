"""The Recommendations page's offline test keeps the merchant's chosen model in the test even
when the model is left out by default at that size (ALS above its purchase limit)."""

from __future__ import annotations

import pandas as pd

from ecomdash.ui import recommend as ui


def test_chosen_model_is_kept_in_the_offline_test(monkeypatch):
    split = ("INTER", {"c": {"p"}}, pd.Timestamp("2024-03-01"), pd.Timestamp("2024-04-01"))

    class _Store:  # the default offline test's split comes with the interactions' pass
        def recommend_data(self, dataset_id, filters):
            return "FULL", split

    calls = []
    monkeypatch.setattr(ui, "get_store", lambda workspace: _Store())
    monkeypatch.setattr(ui, "run_in_worker", lambda fn, *a, **kw: calls.append((fn, a, kw)))
    key = ("local", "ds1", 1, (None, None, (), ()))
    ui._data.clear(), ui._evaluation.clear()
    for model in ("als", "auto"):
        ui._evaluation(key, ui.RecParams(model=model), "en")
    (fn, args, kw), (_fn2, _args2, kw_auto) = calls
    assert fn is ui.R.evaluate_split and args == ("INTER", {"c": {"p"}})
    assert kw["keep"] == ("als",)
    assert sorted(kw["models"]) == sorted(ui.R.MODEL_NAMES)
    # "auto" names no model: every model's default applies (ALS left out above its limit)
    assert set(kw_auto["keep"]) <= {"auto"}
