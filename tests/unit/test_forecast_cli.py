"""``ecomdash forecast`` / ``ecomdash restock`` on the demo merchant saved in a temporary store."""

from __future__ import annotations

import json

from ecomdash.cli import main


def test_forecast_json_contract(demo_id, capsys):
    rc = main(
        [
            "forecast",
            "--dataset",
            demo_id,
            "--freq",
            "D",
            "--horizon",
            "7",
            "--folds",
            "4",
            "--json",
        ]
    )
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert out["model"] in out["backtest"]
    assert {"seasonal_naive", "auto"} <= set(out["backtest"])
    for scores in out["backtest"].values():
        assert {"mae", "mase", "mape", "coverage80", "coverage95"} <= set(scores)
    assert len(out["forecast"]) == 7
    for row in out["forecast"]:
        assert 0 <= row["lo95"] <= row["lo80"] <= row["mean"] <= row["hi80"] <= row["hi95"]


def test_restock_json_and_bad_parameters(demo_id, capsys):
    rc = main(
        [
            "restock",
            "--dataset",
            demo_id,
            "--top",
            "10",
            "--lead-time-days",
            "7",
            "--service-level",
            "0.9",
            "--json",
        ]
    )
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["plan"]) == 10
    assert out["params"]["lead_time_days"] == 7
    assert main(["restock", "--dataset", demo_id, "--service-level", "1.5"]) == 2
    assert "service_level" in capsys.readouterr().err
    assert main(["forecast", "--dataset", demo_id, "--product", "NO-SUCH"]) == 2
    assert "No sales lines" in capsys.readouterr().err
