"""``ecomdash clv`` / ``ecomdash churn`` on the demo merchant saved in a fresh store."""

from __future__ import annotations

import json

import pytest

from ecomdash import churn, clv, schema
from ecomdash.cli import main
from ecomdash.store import Store


@pytest.fixture
def demo_id(_isolated_home, demo):
    store = Store.open(_isolated_home)
    try:
        return store.ensure_demo(demo.lines).id
    finally:
        store.close()


def _json(capsys, argv) -> dict:
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_clv_json_with_cutoff(demo_id, demo, capsys):
    out = _json(capsys, ["clv", "--dataset", demo_id, "--cutoff", "2026-03-31", "--json"])
    assert set(out["params"]) >= {"r", "alpha", "a", "b", "time_unit"}
    assert out["params"]["time_unit"] == "week"
    assert out["cutoff"] == "2026-03-31"
    # the holdout actuals are the purchase days after the cut-off by customers seen before it
    days = clv.customer_days(schema.customer_sales(demo.lines))
    known = set(days.loc[days["date"] <= "2026-03-31", "customer_id"])
    after = days[(days["date"] > "2026-03-31") & days["customer_id"].isin(known)]
    assert out["calibration"]["actual_holdout_purchases"] == len(after)
    assert out["calibration"]["predicted_holdout_purchases"] > 0
    cust = out["customers"]
    assert len(cust) == len(known)
    assert {"customer_id", "expected_purchases", "p_alive", "expected_value"} <= set(cust[0])


def test_churn_json_has_models_and_baselines(demo_id, capsys):
    out = _json(capsys, ["churn", "--dataset", demo_id, "--window-days", "60", "--json"])
    assert set(out["models"]) == set(churn.MODELS)
    for name in ("recency", "p_alive"):
        assert set(out[name]) >= {"auc", "precision_at_10pct"}
    assert out["window_days"] == 60


def test_churn_text_names_the_best_model_as_the_page_does(demo_id, capsys):
    from ecomdash.labels import model_label

    out = _json(capsys, ["churn", "--dataset", demo_id, "--window-days", "60", "--json"])
    best = out["best_model"]
    assert main(["churn", "--dataset", demo_id, "--window-days", "60"]) == 0
    text = capsys.readouterr().out
    assert model_label(best) != best  # a name, not the id again ("Best: gbm" before)
    assert f"Best: {model_label(best)} ({best})." in text, text.splitlines()[0]


def test_bad_cutoff_is_a_clear_error(demo_id, capsys):
    assert main(["churn", "--dataset", demo_id, "--cutoff", "2030-01-01"]) == 2
    assert "runs past" in capsys.readouterr().err


def test_clv_text_says_the_purchase_model_in_plain_words(demo_id, capsys):
    out = _json(capsys, ["clv", "--dataset", demo_id, "--cutoff", "2026-03-31", "--json"])
    p = out["params"]
    assert main(["clv", "--dataset", demo_id, "--cutoff", "2026-03-31"]) == 0
    text = capsys.readouterr().out
    # by hand from the JSON's parameters: r / alpha purchases a week, a / (a + b) dropout
    per_year = p["r"] / p["alpha"] * 365.25 / 7
    stop = p["a"] / (p["a"] + p["b"])
    stop_text = "< 0.1" if stop < 1e-3 else f"{100 * stop:.1f}"
    assert f"buys about {per_year:.1f} times a year" in text, text
    assert f"stops buying with a chance of {stop_text} %" in text, text
