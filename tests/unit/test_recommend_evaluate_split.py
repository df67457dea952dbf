"""evaluate_split (ecomdash/recommend/evaluation.py) on small shops whose every figure is worked
out by hand in the comments: its own defaults at their boundary (a top list of exactly 10, five
test customers pass and four do not), the merchant's business rules reaching the default models
and the best sellers it adds, a best-sellers model passed in kept as the baseline, the left-out
notes (a refused model, one too slow to test, a model named in ``keep``), the seeded sample at
the cap and one under it, the "Only n customers" note at 99 / 100 customers and the consumables
note; every notice and message compared in full, in English and in Chinese."""

from __future__ import annotations

import pandas as pd
import pytest

import ecomdash.recommend.models as models_mod
from ecomdash import recommend as R
from ecomdash.errors import InsufficientDataError
from ecomdash.i18n import use_lang
from ecomdash.i18n.note import translated

CUTOFF = pd.Timestamp("2024-03-06")
END = pd.Timestamp("2024-04-01")
MODEL_ORDER = ["als", "ease", "item_knn", "popularity", "trending", "user_knn"]


def _lines(rows) -> pd.DataFrame:
    """One order per (customer, product[, category]) row, all on 2024-03-01."""
    cols = ["customer_id", "product_id", "category"][: len(rows[0])]
    df = pd.DataFrame(rows, columns=cols)
    df["order_id"] = [f"o{i}" for i in range(len(df))]
    df["order_date"] = pd.Timestamp("2024-03-01")
    df["quantity"] = 1.0
    df["revenue"] = 5.0
    return df


def _ladder() -> R.Interactions:
    """12 products. Filler f01 bought q01..q11, f02 q01..q10, ..., f11 q01 only, so q01 has 11
    buyers, q02 10, ..., q11 1; the test customers t1..t5 bought z (5 buyers). Best sellers
    for a t: q01 .. q10 are the top 10 (z, bought, skipped), q11 is 11th."""
    rows = [(f"f{j:02d}", f"q{i:02d}") for j in range(1, 12) for i in range(1, 13 - j)]
    rows += [(f"t{n}", "z") for n in range(1, 6)]
    return R.build_interactions(_lines(rows))


#: t1..t4 buy q11 (11th) after the cut-off, t5 buys q10 (10th)
LADDER_TRUTH = {"t1": {"q11"}, "t2": {"q11"}, "t3": {"q11"}, "t4": {"q11"}, "t5": {"q10"}}


def _seasonal() -> R.Interactions:
    """A, B, C (toys) and X (seasonal). c1, c2 bought A and B; c3 A and C; c4, c5 A; x1 A and
    X; x2 B and X. 7 customers, 12 purchases (customer x product pairs); buyers A 6, B 3,
    C 1, X 2, so EASE keeps one product at min_buyers 5 (fewer than 2: it counts all 4)."""
    rows = [("c1", "A"), ("c1", "B"), ("c2", "A"), ("c2", "B"), ("c3", "A"), ("c3", "C")]
    rows += [("c4", "A"), ("c5", "A"), ("x1", "A"), ("x1", "X"), ("x2", "B"), ("x2", "X")]
    return R.build_interactions(
        _lines([(c, p, "seasonal" if p == "X" else "toys") for c, p in rows])
    )


#: every c buys X after the cut-off: at top 10 of 4 products each one is shown all it has not
#: bought, so any model hits all five unless a rule takes X off the lists
SEASONAL_TRUTH = {f"c{n}": {"X"} for n in range(1, 6)}
NO_SEASONAL = R.BusinessRules(exclude_categories=("seasonal",))

ONLY_5 = "Only 5 customers to test on: differences of a few points between models are noise."
ONLY_5_ZH = "只有\u00a05\u00a0位客户可供测试：模型之间几个百分点的差距只是随机波动。"


def _split(inter, truth, **kw) -> R.EvaluationResult:
    return R.evaluate_split(inter, truth, cutoff=CUTOFF, end=END, **kw)


# -- defaults: top 10, five test customers ------------------------------------------------


def test_default_top_list_is_exactly_ten_products():
    res = _split(_ladder(), LADDER_TRUTH, models={})
    assert res.k == 10
    row = res.table.iloc[0]
    assert list(res.table["model"]) == ["popularity"]
    # only t5's q10 is inside the top 10: 1 hit of 5 customers, 1 of their 50 slots
    assert row["hit_rate_at_k"] == pytest.approx(1 / 5)
    assert row["precision_at_k"] == pytest.approx(1 / 50)
    assert row["recall_at_k"] == pytest.approx(1 / 5)
    # q10 at rank 10: 1 / log2(11) for t5, 0 for the others
    assert row["ndcg_at_k"] == pytest.approx(1 / 5 / 3.4594316186372973)
    assert row["coverage"] == pytest.approx(10 / 12)  # q01..q10 shown, q11 and z never
    assert (res.n_test_customers, res.n_train_customers, res.n_products) == (5, 16, 12)
    assert res.best_model == "popularity"
    assert res.verdict == (
        "On your data the personalised models do no better than showing best sellers (best "
        "sellers: 20\u00a0% of 5 returning customers bought one of their top 10). Show best "
        "sellers, or collect more history first."
    )
    assert res.warnings == (ONLY_5,)
    # the control: a top 11 reaches q11 and everybody hits
    assert _split(_ladder(), LADDER_TRUTH, models={}, k=11).table.iloc[0][
        "hit_rate_at_k"
    ] == pytest.approx(1.0)


def test_verdict_in_chinese_names_the_top_ten():
    with use_lang("zh"):
        res = _split(_ladder(), LADDER_TRUTH, models={})
    assert res.verdict == (
        "在您的数据上，个性化模型并不比直接推热销商品更好（热销商品：5\u00a0位回头客中有\u00a020% "
        "买了前\u00a010\u00a0个中的一个）。建议先推热销商品，或积累更多购买记录后再试。"
    )
    assert res.warnings == (ONLY_5_ZH,)


def test_five_test_customers_pass_by_default_four_do_not():
    inter = _ladder()
    assert _split(inter, LADDER_TRUTH, models={}).n_test_customers == 5
    # t5 gone; "s1" (unknown before the cut-off) and t5 with nothing new do not count
    four = {**{c: LADDER_TRUTH[c] for c in ("t1", "t2", "t3", "t4")}, "s1": {"q01"}, "t5": set()}
    with pytest.raises(InsufficientDataError) as err:
        _split(inter, four, models={})
    assert str(err.value) == (
        "The offline test needs customers who bought before 6 March 2024 and came back for "
        "something new; found 4 (need 5). Move the cut-off earlier or use a longer date range."
    )
    with use_lang("zh"):
        zh = str(translated(err.value))
    assert zh == (
        "离线测试需要在2024年3月6日之前买过、之后又回来买了新商品的客户；目前只有\u00a04\u00a0位（至少需要\u00a0"
        "5\u00a0位）。请把截止日期提前，或使用更长的日期范围。"
    )


# -- business rules reach every model ---------------------------------------------------


def test_business_rules_reach_every_default_model():
    inter = _seasonal()
    # without rules every model shows X to all five (the control): a tie, listed by name
    free = _split(inter, SEASONAL_TRUTH)
    assert list(free.table["model"]) == MODEL_ORDER
    assert free.table["hit_rate_at_k"].tolist() == [1.0] * 6
    assert free.table["precision_at_k"].tolist() == pytest.approx([1 / 10] * 6)
    # X's category excluded: no model may show it, so nobody hits
    ruled = _split(inter, SEASONAL_TRUTH, rules=NO_SEASONAL)
    assert list(ruled.table["model"]) == MODEL_ORDER
    assert ruled.table["hit_rate_at_k"].tolist() == [0.0] * 6
    # A, B, C at most: 3 of the 4 products
    assert (ruled.table["coverage"] <= 3 / 4).all()
    assert ruled.verdict == (
        "On your data the personalised models do no better than showing best sellers (best "
        "sellers: 0\u00a0% of 5 returning customers bought one of their top 10). Show best sellers, "
        "or collect more history first."
    )
    assert ruled.warnings == (ONLY_5,)


def test_business_rules_reach_the_best_sellers_added_as_baseline():
    inter = _seasonal()
    assert _split(inter, SEASONAL_TRUTH, models={}).table["hit_rate_at_k"].tolist() == [1.0]
    res = _split(inter, SEASONAL_TRUTH, models={}, rules=NO_SEASONAL)
    assert list(res.table["model"]) == ["popularity"]
    assert res.table["hit_rate_at_k"].tolist() == [0.0]


def test_a_best_sellers_model_passed_in_is_the_baseline_used():
    # the merchant's own best sellers (without X) under the name "popularity": kept, not
    # replaced by a fresh one (which would show X and hit all five)
    own = R.PopularityRecommender(rules=NO_SEASONAL)
    res = _split(_seasonal(), SEASONAL_TRUTH, models={"popularity": own})
    assert list(res.table["model"]) == ["popularity"]
    assert res.table["hit_rate_at_k"].tolist() == [0.0]
    assert res.table["label"].tolist() == ["Popularity (best sellers)"]


def test_consumables_note_in_full():
    # 1,001 products marked as consumables (A and 1,000 the shop does not sell)
    rebuy = R.BusinessRules(rebuy_products=("A", *(f"gone{i}" for i in range(1000))))
    res = _split(_seasonal(), SEASONAL_TRUTH, models={}, rules=rebuy)
    assert res.table["hit_rate_at_k"].tolist() == [1.0]
    assert res.warnings == (
        "Re-purchases of the 1,001 products marked as consumables count as hits too, so "
        "these figures are not comparable with a run without them.",
        ONLY_5,
    )
    with use_lang("zh"):
        zh = _split(_seasonal(), SEASONAL_TRUTH, models={}, rules=rebuy)
    assert zh.warnings == (
        "被标为消耗品的\u00a01,001\u00a0个商品的复购也算命中，所以这些数字不能和不设消耗品时的结果直接比较。",
        ONLY_5_ZH,
    )


# -- models left out: refused, too slow to test, kept -------------------------------------

ALS_OUT = (
    "Taste profiles (ALS) was left out of the test. ALS is the slowest model to "
    "fit (about 40 s of computing at 7 million purchases); the data has 12 purchases (customer "
    "× product pairs; the test includes ALS up to 10). Choose ALS under Model to test it anyway."
)
MINE_OUT = (
    "mine was left out of the test. EASE needs a products × products matrix; the data has 4 "
    "products (limit 3). Use the similar products model or ALS, or filter to fewer categories."
)


def _left_out_models() -> dict:
    # best sellers first: the check must go on past it to the others
    return {
        "popularity": R.PopularityRecommender(),
        "als": R.make_model("als"),
        "mine": R.EASERecommender(max_products=3),
    }


def test_refused_and_slow_models_are_left_out_with_their_reason(monkeypatch):
    # ALS is left out of the test above 10 purchases here; the shop has 12
    monkeypatch.setattr(models_mod, "ALS_TEST_MAX_PURCHASES", 10)
    res = _split(_seasonal(), SEASONAL_TRUTH, models=_left_out_models())
    assert list(res.table["model"]) == ["popularity"]
    assert res.warnings == (ALS_OUT, MINE_OUT, ONLY_5)
    with use_lang("zh"):
        zh = _split(_seasonal(), SEASONAL_TRUTH, models=_left_out_models())
    assert zh.warnings == (
        "口味画像（ALS）未参加测试。ALS 是拟合最慢的模型（700万次购买时约需\u00a040\u00a0秒计算）；"
        "数据有\u00a012\u00a0次购买（客户 × 商品组合；测试只在不超过\u00a010 时包含 ALS）。如仍要测试它，请在"
        "“模型”中选择 ALS。",
        "mine未参加测试。EASE 需要一个商品 × 商品矩阵；数据有\u00a04\u00a0个商品（上限\u00a03）。请改用相似商品"
        "模型或 ALS，或筛选到更少的品类。",
        ONLY_5_ZH,
    )


def test_a_kept_model_is_tested_even_when_slow_but_not_when_it_refuses(monkeypatch):
    monkeypatch.setattr(models_mod, "ALS_TEST_MAX_PURCHASES", 10)
    # ALS chosen: tested although above its limit (it shows X to all five: a hit each)
    res = _split(_seasonal(), SEASONAL_TRUTH, models=_left_out_models(), keep=["als"])
    assert sorted(res.table["model"]) == ["als", "popularity"]
    assert res.table["hit_rate_at_k"].tolist() == [1.0, 1.0]
    assert res.warnings == (MINE_OUT, ONLY_5)
    # keep cannot make a model fit data it refuses; a name not among the models changes nothing
    res = _split(_seasonal(), SEASONAL_TRUTH, models=_left_out_models(), keep=("mine", "ease"))
    assert list(res.table["model"]) == ["popularity"]
    assert res.warnings == (ALS_OUT, MINE_OUT, ONLY_5)


# -- the sample above max_test_customers and the "Only n customers" note -------------------


class _RowsSeen(R.PopularityRecommender):
    """Best sellers that remember which customers it was asked to score."""

    def top_items(self, rows, k, *, exclude_bought=True):
        self.seen_ = sorted(self.interactions_.customers[rows])
        return super().top_items(rows, k, exclude_bought=exclude_bought)


def _hundred(n: int) -> tuple[R.Interactions, dict]:
    """n customers u000.. who bought A, one (b) who bought B and C; each u then buys B: best
    sellers show B to everyone (hit rate 1 whichever customers are scored)."""
    rows = [(f"u{i:03d}", "A") for i in range(n)] + [("b", "B"), ("b", "C")]
    return R.build_interactions(_lines(rows)), {f"u{i:03d}": {"B"} for i in range(n)}


def test_only_n_customers_note_below_100_not_at_100():
    inter, truth = _hundred(100)
    spy = _RowsSeen()
    res = _split(inter, truth, models={"popularity": spy})
    assert res.n_test_customers == 100 and res.warnings == ()
    assert len(spy.seen_) == 100
    del truth["u099"]
    res = _split(inter, truth, models={"popularity": _RowsSeen()})
    assert res.n_test_customers == 99
    assert res.warnings == (
        "Only 99 customers to test on: differences of a few points between models are noise.",
    )


def test_sample_at_the_cap_and_one_under_it():
    inter, truth = _hundred(100)
    spy = _RowsSeen()
    res = _split(inter, truth, models={"popularity": spy}, max_test_customers=100)
    assert res.n_test_customers == 100 and res.warnings == ()
    assert spy.seen_ == sorted(truth)
    spy = _RowsSeen()
    res = _split(inter, truth, models={"popularity": spy}, max_test_customers=99)
    assert res.n_test_customers == 99 and len(spy.seen_) == 99
    assert set(spy.seen_) < set(truth)
    # everybody hits whichever 99: h = 1, so h(1 - h) = 0 and the margin is 1.96 * sqrt(1e-12
    # / 99), 0.0 %
    assert res.table["hit_rate_at_k"].tolist() == [1.0]
    assert res.warnings == (
        "Measured on a random sample of 99 of the 100 returning customers (to keep the test "
        "fast): hit rates are within about ±0.0\u00a0% of what all of them would give, so models "
        "closer than that are a tie.",
        "Only 99 customers to test on: differences of a few points between models are noise.",
    )
    with use_lang("zh"):
        zh = _split(inter, truth, models={}, max_test_customers=99)
    assert zh.warnings == (
        "为了加快测试，从\u00a0100\u00a0位回头客中随机抽取\u00a099\u00a0位计算：命中率与全部客户的结果相差约 ±0.0% "
        "以内，差距小于这个幅度的模型可视为持平。",
        "只有\u00a099\u00a0位客户可供测试：模型之间几个百分点的差距只是随机波动。",
    )


def test_sample_is_seeded_the_same_customers_each_time():
    inter, truth = _hundred(100)
    seen = []
    for _run in range(2):
        spy = _RowsSeen()
        _split(inter, truth, models={"popularity": spy}, max_test_customers=50)
        seen.append(spy.seen_)
    # 50 of the 100, and the same 50 both times (two unseeded draws agree with a chance of
    # 1 in C(100, 50), about 1e-29)
    assert len(seen[0]) == 50 and set(seen[0]) < set(truth)
    assert seen[0] == seen[1]
