"""``ecomdash clv`` / ``ecomdash churn`` on the demo merchant saved in a fresh store."""

from __future__ import annotations

import json
import re

import pytest

from ecomdash import churn, clv, schema
from ecomdash.cli import main


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


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_churn_text_says_what_the_churn_tab_says(demo_id, capsys, lang):
    """``ecomdash churn`` printed "Best: Gradient boosting (gbm)." over a table of raw ids and
    AUCs in English whatever the language; it now says what the page's churn tab says, in
    the language asked for: its plain verdict first (the holdout ROC AUC as a share of
    customers ranked right, guessing and days since the last order alone beside it), the
    models by their page names under the page's headers, and what drives the prediction."""
    from ecomdash.i18n import fmt, use_lang
    from ecomdash.labels import label, model_label

    out = _json(capsys, ["churn", "--dataset", demo_id, "--window-days", "60", "--json"])
    best, scores = out["best_model"], {**out["models"], **out["baselines"]}
    assert main(["churn", "--dataset", demo_id, "--window-days", "60", "--lang", lang]) == 0
    text = capsys.readouterr().out
    lines = text.splitlines()
    with use_lang(lang):
        auc, base = fmt.pct(scores[best]["auc"]), fmt.pct(scores["recency"]["auc"])
        verdict = {
            "en": f"{model_label(best)}, the best of the models, ranks customers who left above "
            f"those who stayed {auc} of the time (guessing does it {fmt.pct(0.5, 0)} of the time; ranking "
            f"by days since the last order alone, {base}).",
            "zh": f"各模型中{model_label(best)}最好：它把流失客户排在留存客户之前的比例为\u00a0{auc}"
            f"（随机猜测为\u00a050%；只看距上次下单天数为\u00a0{base}）。",
        }[lang]
        assert lines[0].startswith(verdict), lines[0]
        drivers = {
            "en": "What drives the prediction, all models",
            "zh": "影响预测的因素（全部模型）",
        }
        assert drivers[lang] in lines, text
        # the table of models: the page's headers, each model by its page name
        assert label("auc", "value") in text and label("brier", "value") in text
        for name in scores:
            assert model_label(name) in text, name
    with use_lang("en"):
        english = [model_label(m) for m in scores]
    for word in ("ROC", "AUC", "Best:", "gbm", "p_alive", "precision_at_10pct", "kind"):
        assert word not in text, word  # the analyst's names are in --help only
    if lang == "zh":
        assert not [m for m in english if m in text], text  # no English model names
        assert "The lifetime-value model" not in text  # its notice is in Chinese too


def test_churn_help_names_the_holdout_roc_auc(capsys):
    with pytest.raises(SystemExit):
        main(["churn", "--help"])
    assert "holdout ROC AUC" in " ".join(capsys.readouterr().out.split())


def test_bad_cutoff_is_a_clear_error(demo_id, capsys):
    assert main(["churn", "--dataset", demo_id, "--cutoff", "2030-01-01"]) == 2
    assert "runs past" in capsys.readouterr().err


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_clv_text_says_what_the_lifetime_value_tab_says(demo_id, capsys, lang):
    """``ecomdash clv`` printed "Method: bgnbd+historical_spend" and its own English
    sentences; it now says what the page's lifetime-value tab says, in the language asked
    for: the method by its page name, the tiles, the calibration check and the purchase
    model in plain words (figures by hand from --json's parameters)."""
    from ecomdash.i18n import fmt, use_lang

    out = _json(capsys, ["clv", "--dataset", demo_id, "--cutoff", "2026-03-31", "--json"])
    p, cal = out["params"], out["calibration"]
    assert main(["clv", "--dataset", demo_id, "--cutoff", "2026-03-31", "--lang", lang]) == 0
    text = capsys.readouterr().out
    lines = text.splitlines()
    # by hand from the JSON's parameters: r / alpha purchases a week, a / (a + b) dropout
    per_year = p["r"] / p["alpha"] * 365.25 / 7
    stop = p["a"] / (p["a"] + p["b"])
    with use_lang(lang):
        stop_text = f"<{fmt.NBSP}{fmt.pct(1e-3, 1)}" if stop < 1e-3 else fmt.pct(stop, 1)
        predicted = f"{round(cal['predicted_holdout_purchases']):,}"
    expected = {
        "en": (
            "Method: BG/NBD + ",
            "Scored as of 31 March 2026 over the next 12 months.",
            f"In plain words: while still a customer, a customer buys about {per_year:.1f} "
            f"times a year on average (r / alpha; alpha is in weeks), and after each purchase "
            f"stops buying with a chance of {stop_text} on average (a / (a + b)).",
            f"Holdout purchases (actual): {cal['actual_holdout_purchases']:,}",
            f"Holdout purchases (predicted): {predicted}, ",
            "Customers by expected value",
        ),
        "zh": (
            "方法：BG/NBD + ",
            "以2026年3月31日为基准，预测未来\u00a012\u00a0个月。",
            f"通俗地说：客户在流失之前平均每年购买约\u00a0{per_year:.1f}\u00a0次（r / alpha；alpha 的单位是"
            f"周），每次购买后不再购买的平均概率为\u00a0{stop_text}（a / (a + b)）。",
            f"验证期购买次数（实际）：{cal['actual_holdout_purchases']:,}",
            f"验证期购买次数（预测）：{predicted}，",
            "按预测价值排名的客户",
        ),
    }[lang]
    assert lines[0].startswith(expected[0]) and lines[0].endswith(expected[1]), lines[0]
    for want in expected[2:]:
        assert any(line.startswith(want) for line in lines), (want, text)
    for word in ("bgnbd+", "expected_value", "p_alive", "Notice:"):
        assert word not in text, word


def test_json_is_the_same_whatever_the_language(demo_id, capsys):
    """--lang writes the text output; --json stays English for scripts (the notices too)."""
    argv = ["clv", "--dataset", demo_id, "--cutoff", "2026-03-31", "--json"]
    en, zh = _json(capsys, argv), _json(capsys, [*argv, "--lang", "zh"])
    assert en["notices"] and zh["notices"] == en["notices"]
    assert not any(re.search("[\u4e00-\u9fff]", n) for n in zh["notices"]), zh["notices"]
