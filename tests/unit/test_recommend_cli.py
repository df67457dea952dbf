"""``ecomdash recommend`` on a stored dataset: JSON contract, agreement with the core."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from ecomdash import recommend as R
from ecomdash.cli import main
from ecomdash.store import Store
from tests.unit.test_recommend import _line, shop


def shop_with_future() -> pd.DataFrame:
    later = [
        _line("T1", "2024-04-20", "4", "A"),
        _line("T2", "2024-04-21", "1", "C"),
        _line("T3", "2024-04-21", "3", "B"),
    ]
    return pd.concat([shop(), pd.DataFrame(later)], ignore_index=True)


@pytest.fixture
def stored(_isolated_home):
    store = Store.open(_isolated_home)
    try:
        info = store.save_dataset("shop", shop_with_future())
        return info, store.load_lines(info.id)
    finally:
        store.close()


def test_customer_json_matches_core(stored, capsys):
    info, lines = stored
    assert main(["recommend", "--dataset", info.id, "--customer", "4", "--k", "2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    core = R.make_model("ease").fit(lines).recommend(["4"], k=2)
    assert out["model"] == "ease"
    assert [r["product_id"] for r in out["recommendations"]] == core["product_id"].tolist()
    assert "A" not in [r["product_id"] for r in out["recommendations"]]  # bought in April
    assert all(r["reason"] for r in out["recommendations"])


def test_product_json_has_also_bought_and_targets(stored, capsys):
    info, _ = stored
    argv = ["recommend", "--dataset", info.id, "--product", "A", "--model", "item_knn", "--json"]
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["model"] == "item_knn"
    assert out["also_bought"][0]["product_id"] in {"B", "C"}
    buyers_of_a = {"1", "2", "3", "4"}
    assert not {r["customer_id"] for r in out["target_customers"]} & buyers_of_a


def test_evaluate_json_contract(stored, capsys):
    info, _ = stored
    argv = ["recommend", "--dataset", info.id, "--evaluate", "--cutoff", "2024-04-01", "--k", "2"]
    # only 3 test customers: the core refuses below 5 with an explanation (exit code 2)
    assert main([*argv, "--json"]) == 2
    assert "customers who bought before 1 April 2024" in capsys.readouterr().err


def test_evaluate_json_on_demo(_isolated_home, demo, capsys):
    store = Store.open(_isolated_home)
    try:
        info = store.ensure_demo(demo.lines)
    finally:
        store.close()
    assert main(["recommend", "--dataset", info.id, "--evaluate", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    core = R.chronological_split(demo.lines)
    assert out["n_test_customers"] == len(core.truth)
    assert set(out["models"]) == set(R.MODEL_NAMES)
    for metrics in out["models"].values():
        assert set(R.METRIC_COLUMNS) <= set(metrics)
        assert all(0.0 <= metrics[m] <= 1.0 for m in R.METRIC_COLUMNS)
    assert out["models"]["popularity"]["hit_rate_vs_popularity"] == pytest.approx(1.0)


def test_evaluate_keeps_the_chosen_model_above_its_test_limit(_isolated_home, demo, capsys):
    from ecomdash.recommend import models as RM

    store = Store.open(_isolated_home)
    try:
        info = store.ensure_demo(demo.lines)
    finally:
        store.close()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(RM, "ALS_TEST_MAX_PURCHASES", 1)  # the demo is "too big" for ALS's test
        assert main(["recommend", "--dataset", info.id, "--evaluate", "--json"]) == 0
        default = json.loads(capsys.readouterr().out)
        argv = ["recommend", "--dataset", info.id, "--evaluate", "--model", "als", "--json"]
        assert main(argv) == 0
        chosen = json.loads(capsys.readouterr().out)
    assert "als" not in default["models"] and "item_knn" in default["models"]
    assert set(chosen["models"]) == {"als", "popularity"}


def test_evaluate_is_the_pages_test_from_the_store_split(_isolated_home, demo, capsys, monkeypatch):
    """``--evaluate`` runs the page's offline test: the store's split reduced in SQL (no line
    is loaded: at 10 M lines that is the difference between seconds and gigabytes) and
    ``evaluate_split`` with the page's sample limit — the same metrics as the page's route."""
    store = Store.open(_isolated_home)
    try:
        info = store.ensure_demo(demo.lines)
        split = store.recommend_split(info.id, None)
    finally:
        store.close()
    expected = R.evaluate_split(*split[:2], cutoff=split[2], end=split[3])

    def no_lines(*a, **k):
        raise AssertionError("the evaluation loaded the lines")

    monkeypatch.setattr(Store, "load_columns", no_lines)
    monkeypatch.setattr(Store, "load", no_lines, raising=False)
    assert main(["recommend", "--dataset", info.id, "--evaluate", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["cutoff"] == str(expected.cutoff.date())
    assert out["n_test_customers"] == expected.n_test_customers
    assert out["best_model"] == expected.best_model
    for row in expected.table.to_dict("records"):
        for m in R.METRIC_COLUMNS:
            assert out["models"][row["model"]][m] == pytest.approx(float(row[m]), abs=0), m
