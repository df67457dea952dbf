"""``ecomdash segment`` on a stored dataset: JSON contract and agreement with the core."""

from __future__ import annotations

import json

import pytest

from ecomdash.cli import main
from ecomdash.segment import segment_customers
from ecomdash.store import Store
from tests.unit.test_features import AS_OF, six_customers
from tests.unit.test_segment import synthetic_lines


@pytest.fixture
def stored(_isolated_home):
    store = Store.open(_isolated_home)
    try:
        synth = store.save_dataset("synthetic", synthetic_lines())
        six = store.save_dataset("six", six_customers())
        return synth, six, store.load_lines(synth.id)
    finally:
        store.close()


def test_segment_json_matches_core(stored, capsys):
    synth, _, lines = stored
    assert main(["segment", "--dataset", synth.id, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    core = segment_customers(lines)
    assert out["n_customers"] == core.n_customers == 240
    assert [s["name"] for s in out["segments"]] == core.rfm.segments["segment"].tolist()
    assert sum(s["customers"] for s in out["segments"]) == 240
    assert sum(s["revenue_share"] for s in out["segments"]) == pytest.approx(1.0)
    assert out["clusters"]["k"] == core.clusters.k
    assert out["clusters"]["silhouette"] == pytest.approx(core.clusters.silhouette)
    assert len(out["clusters"]["profile"]) == core.clusters.k
    assert out["tree_fidelity"] == pytest.approx(core.explanation.fidelity)


def test_segment_k_and_as_of_options(stored, capsys):
    synth, six, _ = stored
    assert main(["segment", "--dataset", synth.id, "--k", "4", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["clusters"]["k"] == 4
    # too few customers for clusters: segments still printed, clusters explained as missing
    assert main(["segment", "--dataset", six.id, "--as-of", AS_OF]) == 0
    text = capsys.readouterr().out
    assert "6 customers (2 guest orders left out)" in text
    # the date as a sentence writes it, not ISO (the JSON keeps ISO)
    assert text.startswith("As of 31 March 2024: 6 customers"), text.splitlines()[0]
    assert "No clusters: Clustering needs at least 20 customers" in text


def test_segment_bad_input_is_a_clear_error(stored, capsys):
    synth, six, _ = stored
    assert main(["segment", "--dataset", synth.id, "--k", "1"]) == 2
    assert "'k' parameter must be an int >= 2" in capsys.readouterr().err
    assert main(["segment", "--dataset", six.id, "--as-of", "2020-01-01"]) == 2
    assert "Pick a later as-of date" in capsys.readouterr().err


def test_segment_one_time_buyers_are_their_own_group(_isolated_home, capsys):
    """Clusters of the repeat customers; the one-time buyers are profile row k, said so."""
    from tests.unit.test_segment_repeat import _lines

    store = Store.open(_isolated_home)
    try:
        info = store.save_dataset("repeat and one-time", _lines())
    finally:
        store.close()
    assert main(["segment", "--dataset", info.id, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)["clusters"]
    assert out["k"] == 3 and out["one_time_buyers"] == 120
    assert [p["cluster"] for p in out["profile"]] == [0, 1, 2, 3]
    assert [p["customers"] for p in out["profile"]] == [30, 30, 30, 120]
    assert out["profile"][3]["name"] == "One-time buyers"
    assert {r["cluster"] for r in out["rules"]} <= {0, 1, 2}
    assert main(["segment", "--dataset", info.id]) == 0
    text = capsys.readouterr().out
    assert "of the customers with at least two orders (120 one-time buyers are group 3" in text
    assert "  3: One-time buyers — 120 customers" in text


def test_segment_text_says_why_k_and_the_best_k_it_was_compared_with(stored, capsys, monkeypatch):
    """The text names the best-scoring k the chosen one was compared with, in the Segments
    page's words (``clusters.k_choice``), through the catalogue: English, and Chinese with
    ``--lang zh``."""
    from ecomdash.segment import clusters as C

    synth, _, _ = stored
    # the synthetic shop's best silhouette is its fewest clusters (k = 3): its own words first
    assert main(["segment", "--dataset", synth.id]) == 0
    text = capsys.readouterr().out
    assert "k-means: k = 3 (best silhouette for 2 to 10 clusters), silhouette " in text
    # every synthetic customer ordered at least twice: no "0 one-time buyers are group 3"
    assert ", of every customer (each ordered at least twice)" in text
    assert "one-time" not in text
    assert main(["segment", "--dataset", synth.id, "--k", "4"]) == 0
    assert "k-means: k = 4 (your choice), silhouette " in capsys.readouterr().out
    # fewer clusters than the best within its sampling noise, as the demo's k = 7 against 8
    monkeypatch.setattr(C, "choose_k", lambda ks, sils: (2, 3))
    assert main(["segment", "--dataset", synth.id, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)["clusters"]
    assert (out["k"], out["k_best"], out["chosen_by"]) == (2, 3, "silhouette")
    assert main(["segment", "--dataset", synth.id]) == 0
    text = capsys.readouterr().out
    assert (
        "k-means: k = 2 (the fewest clusters within sampling noise of the best silhouette, "
        "k = 3), silhouette "
    ) in text
    # in Chinese with --lang zh (the command's own option, as clv / churn have it)
    assert main(["segment", "--dataset", synth.id, "--lang", "zh"]) == 0
    text = capsys.readouterr().out
    assert (
        "K 均值聚类：k =\u00a02（轮廓系数与最佳值（k =\u00a03）相差在抽样误差之内的最少聚类数），轮廓系数\u00a0"
    ) in text


def test_k_choice_names_the_range_it_swept():
    """Fewer than 50 repeat customers sweep k only up to a fifth of them: the words say so."""
    from types import SimpleNamespace

    import pandas as pd

    from ecomdash.i18n import use_lang
    from ecomdash.segment.clusters import k_choice

    def result(ks, k=3, best=3, by="silhouette"):
        return SimpleNamespace(k=k, k_best=best, k_chosen_by=by, curve=pd.DataFrame({"k": ks}))

    assert k_choice(result(range(2, 11))) == "best silhouette for 2 to 10 clusters"
    assert k_choice(result(range(2, 7))) == "best silhouette for 2 to 6 clusters"
    assert k_choice(result([2], k=2, best=2)) == "the only number of clusters these customers allow"
    assert k_choice(result(range(2, 7), by="override")) == "your choice"
    with use_lang("zh"):
        assert k_choice(result(range(2, 7))) == "2 到\u00a06\u00a0个聚类中轮廓系数最佳"
        assert k_choice(result([2], k=2, best=2)) == "这些客户只能分出这一个聚类数"


@pytest.mark.parametrize("json_out", [False, True])
def test_segment_says_when_the_long_ago_segments_hold_recent_buyers(
    _isolated_home, capsys, json_out
):
    """On a short history the Segments page's RFM tab says that the segments for customers
    who have not bought for a long time hold some who bought weeks ago; `ecomdash segment`
    printed the same segments without it. Now its text and its JSON say it too (the core's
    one note), and on a long history they do not."""
    from ecomdash.segment import rfm, short_history_note
    from tests.unit.test_segment import short_history_lines

    lines = short_history_lines()
    said = short_history_note(rfm(lines))
    assert said is not None
    store = Store.open(_isolated_home)
    try:
        short = store.save_dataset("short", lines)
        long = store.save_dataset("long", synthetic_lines())
    finally:
        store.close()
    for info, expected in ((short, True), (long, False)):
        assert main(["segment", "--dataset", info.id, *(["--json"] if json_out else [])]) == 0
        out = capsys.readouterr().out
        if json_out:
            warnings = json.loads(out)["warnings"]
            assert (said in warnings) is expected, warnings
        else:
            assert (f"note: {said}" in out.splitlines()) is expected, out
            assert ("Recency scores" in out) is expected
