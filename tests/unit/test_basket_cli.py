"""``ecomdash basket`` on a stored dataset: JSON contract and agreement with the core."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from ecomdash import basket
from ecomdash.cli import main
from ecomdash.store import Store


def _lines() -> pd.DataFrame:
    """40 orders: {a, b} x12, {a} x8, {b, c} x6, {c} x6, {a, b, c} x4, {d} x4 (+ postage)."""
    spec = [("a b", 12), ("a", 8), ("b c", 6), ("c", 6), ("a b c", 4), ("d", 4)]
    rows = []
    o = 0
    for items, times in spec:
        for _ in range(times):
            o += 1
            for it in items.split():
                rows.append((f"o{o}", f"2024-01-{1 + o % 28:02d}", f"c{o % 9}", it, f"Item {it}"))
            if o % 5 == 0:
                rows.append((f"o{o}", f"2024-01-{1 + o % 28:02d}", f"c{o % 9}", "POST", "postage"))
    df = pd.DataFrame(
        rows, columns=["order_id", "order_date", "customer_id", "product_id", "product_name"]
    )
    df["order_date"] = pd.to_datetime(df["order_date"])
    df["quantity"] = 1.0
    df["unit_price"] = 2.0
    df["revenue"] = 2.0
    return df


@pytest.fixture
def stored(_isolated_home):
    store = Store.open(_isolated_home)
    try:
        info = store.save_dataset("baskets", _lines())
        return info, store.load_lines(info.id)
    finally:
        store.close()


def test_basket_json_matches_core_and_hand_counts(stored, capsys):
    info, lines = stored
    args = ["basket", "--dataset", info.id, "--min-support", "0.1", "--min-confidence", "0.5"]
    assert main([*args, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    core = basket.mine(lines, min_support=0.1, min_confidence=0.5)
    assert out["n_baskets"] == 40  # postage never makes a basket of its own here
    assert out["n_itemsets"] == core.n_itemsets
    assert out["n_rules"] == core.n_rules == len(out["rules"])
    rules = {(tuple(r["antecedents"]), tuple(r["consequents"])): r for r in out["rules"]}
    # c ⇒ b: c in 16 orders, {b, c} in 10 → confidence 10/16, lift (10/16) / (22/40)
    cb = rules[("c",), ("b",)]
    assert cb["support"] == pytest.approx(10 / 40)
    assert cb["confidence"] == pytest.approx(10 / 16)
    assert cb["lift"] == pytest.approx((10 / 16) / (22 / 40))
    assert set(cb) >= {"antecedents", "consequents", "support", "confidence", "lift"}
    assert set(cb) >= {"leverage", "conviction"}


def test_basket_text_output_and_options(stored, capsys):
    info, _ = stored
    assert main(["basket", "--dataset", info.id, "--min-support", "0.1", "--max-len", "2"]) == 0
    text = capsys.readouterr().out
    assert "40 orders; min support 0.1 = in at least 4 orders." in text
    assert "Item c → Item b" in text
    assert main(["basket", "--dataset", info.id, "--include-non-product", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["params"]["include_non_product"] is True


def test_basket_bad_threshold_is_a_clear_error(stored, capsys):
    info, _ = stored
    assert main(["basket", "--dataset", info.id, "--min-support", "0"]) == 2
    err = capsys.readouterr().err
    assert "min_support" in err and "Got 0.0 instead" in err


def test_basket_human_line_says_how_long_it_took_as_a_person_would(stored, capsys):
    """The human line writes its time with fmt.duration ("in under 0.1 s.", not "in 0.01
    s."); --json keeps numeric seconds for scripts."""
    import re

    info, _lines = stored
    args = ["basket", "--dataset", info.id, "--min-support", "0.1", "--min-confidence", "0.5"]
    assert main(args) == 0
    text = capsys.readouterr().out
    took = r"(under 0\.1\u00a0s|\d\.\d\u00a0s|[1-5]?\d\u00a0s|\d+\u00a0min( [1-5]?\d\u00a0s)?)"
    assert re.search(rf"\(confidence >= 0\.5, lift >= [0-9.]+\) in {took}\.$", text, re.M), text
    assert main([*args, "--json"]) == 0
    elapsed = json.loads(capsys.readouterr().out)["elapsed_s"]
    assert isinstance(elapsed, float) and elapsed >= 0


def test_basket_help_says_returns_stay_out_whatever_the_flag(capsys):
    """The description said "Returns and non-product lines are left out unless
    --include-non-product", read as: the flag brings the returns back. It never did."""
    with pytest.raises(SystemExit):
        main(["basket", "--help"])
    text = " ".join(capsys.readouterr().out.split())  # argparse wraps the lines
    assert "Returns and non-product lines are left out unless" not in text
    assert (
        "Returns and cancelled sales are always left out; postage, fees and other non-product "
        "lines too, unless --include-non-product." in text
    )
    assert (
        "count postage, fees and other non-product lines as items (returns and cancelled sales "
        "stay out)" in text
    )
    assert "customer_day (a customer's orders of one day)" in text


def test_basket_text_gives_the_suggested_support_as_the_option_takes_it(stored, capsys):
    """The note writes the suggested support in percent, as the page does; the command's
    option takes a share, so the line after it gives the option as typed (no pair is in half
    the 40 orders; fewer than 10 pairs exist, so the rarest, in 1 order, is proposed: the
    stored export's POST lines count as a product here). "1 order", not "1 orders"."""
    info, _ = stored
    assert main(["basket", "--dataset", info.id, "--min-support", "0.5"]) == 0
    text = capsys.readouterr().out
    assert "Lower the minimum support to 2.5\u00a0% (appears in 1 order) to see" in text
    assert "to see them: --min-support 0.025\n" in text + "\n"
