"""Recommendation errors in Chinese (issue 16): every refusal a merchant can meet from
ecomdash.recommend is a Note, so the page shows it translated (show_error → translated),
while ``str(err)`` (CLI, JSON, logs) stays the English it was before.

One representative raise site of each function that raises; the English is written out here
as it read before the messages became Notes, the Chinese checked for its figures."""

from __future__ import annotations

import pandas as pd
import pytest

from ecomdash import recommend as R
from ecomdash.errors import InsufficientDataError, ParameterError
from ecomdash.i18n.note import translated
from tests.unit.zh_errors_check import check_note_error


def _lines() -> pd.DataFrame:
    """6 customers (2, 3 or 4 products each: 18 lines) from 2024-01-01 to 2024-01-09."""
    rows = []
    for c in range(6):
        for j, p in enumerate("abcd"[: 2 + c % 3]):
            day = pd.Timestamp("2024-01-01") + pd.Timedelta(days=(c + 3 * j) % 10)
            rows.append((f"o{c}-{j}", f"c{c}", p, day))
    return pd.DataFrame(rows, columns=["order_id", "customer_id", "product_id", "order_date"])


def test_business_rules_and_parameter_checks():
    with pytest.raises(ParameterError) as e:
        R.BusinessRules(recent_days=0)
    check_note_error(
        e,
        "The 'recent_days' business rule must be None or an int in the range [1, inf). "
        "Got 0 instead.",
        "recent_days",
        "[1, inf)",
    )
    with pytest.raises(ParameterError) as e:
        R.make_model("item_knn", weighting="squared").fit(_lines())
    check_note_error(
        e,
        "The 'weighting' parameter must be one of 'binary', 'count', 'log', 'tfidf', 'bm25'. "
        "Got 'squared' instead.",
        "'squared'",
    )
    with pytest.raises(ParameterError) as e:
        R.make_model("ease", l2=-1.0).fit(_lines())
    check_note_error(
        e,
        "The 'l2' parameter must be a number in the range (0, inf). Got -1.0 instead.",
        "(0, inf)",
        "范围内的数字",
    )
    with pytest.raises(ParameterError) as e:
        R.make_model("ease", min_buyers=0).fit(_lines())
    check_note_error(
        e,
        "The 'min_buyers' parameter must be an int in the range [1, inf). Got 0 instead.",
        "范围内的整数",
    )
    with pytest.raises(ParameterError) as e:
        R.make_model("ease", half_life_days=0).fit(_lines())
    check_note_error(
        e,
        "The 'half_life_days' parameter must be None or a number in the range (0, inf). "
        "Got 0 instead.",
        "None 或",
    )


def test_model_refusals():
    with pytest.raises(ParameterError) as e:
        R.make_model("popularity", rules="no repeats").fit(_lines())
    check_note_error(
        e, "The 'rules' parameter must be a BusinessRules or None. Got str instead.", "str"
    )
    with pytest.raises(ParameterError) as e:
        R.make_model("ease").recommend(["c1"])
    check_note_error(
        e,
        "This EASERecommender is not fitted yet. Call fit(lines) before asking for "
        "recommendations.",
        "EASERecommender",
    )
    with pytest.raises(InsufficientDataError) as e:
        R.make_model("popularity").fit(_lines().query("customer_id == 'c1'"))
    zh = check_note_error(
        e,
        "Recommendations need at least 2 customers and 2 products with purchases. Found 1 "
        "customer and 3 products. Widen the date range or filters.",
        "1",
        "3",
    )
    assert "目前只有\u00a01\u00a0位客户和\u00a03\u00a0个商品。" in zh
    model = R.make_model("item_knn").fit(_lines())
    with pytest.raises(ParameterError) as e:
        model.similar_products("zz")
    check_note_error(
        e,
        "Product 'zz' has no sales with a customer id in the data the model was trained on. "
        "Pick a product from the list (or widen the filters).",
        "'zz'",
    )


def test_interaction_matrix():
    with pytest.raises(InsufficientDataError) as e:
        R.build_interactions(_lines().drop(columns=["customer_id"]))
    check_note_error(
        e,
        "Recommendations need a customer id and a product id on every order line. Missing "
        "column: customer_id. Map the customer and product columns on the Data page and "
        "try again.",
        "customer_id",
    )
    with pytest.raises(InsufficientDataError) as e:
        R.build_interactions(_lines().assign(customer_id=None))
    check_note_error(
        e,
        "Recommendations need sales lines with a customer id. Found 0 after removing returns, "
        "non-product lines and guest orders (from 18 lines). Check that the customer id column "
        "is mapped.",
        "18",
    )


def test_offline_evaluation():
    with pytest.raises(InsufficientDataError) as e:
        R.chronological_split(_lines().drop(columns=["order_date"]))
    zh = check_note_error(
        e,
        "The offline evaluation needs order dates to split past from future purchases. Found "
        "no order_date column. Map the order date column on the Data page.",
    )
    # shown, the field is named as the Data page's mapping names it (the CLI's text: the id)
    assert "没有找到下单日期列" in zh and "order_date" not in zh
    assert "Found no Order date column." in str(translated(e.value))
    with pytest.raises(InsufficientDataError) as e:
        R.chronological_split(_lines().assign(order_date=pd.NaT))
    check_note_error(
        e,
        "The offline evaluation needs dated sales lines with a customer id; found none. Check "
        "the customer id and order date mapping.",
    )
    with pytest.raises(InsufficientDataError) as e:
        R.chronological_split(_lines(), cutoff="2023-06-01")
    check_note_error(
        e,
        "The cut-off 1 June 2023 leaves 0 training and 18 test lines (data runs 1 January 2024 to "
        "9 January 2024). Pick a cut-off inside that range with purchases on both sides.",
        "2023年6月1日",
        "18",
        "2024年1月9日",
    )
    split = R.chronological_split(_lines(), cutoff="2024-01-06")
    inter = R.build_interactions(split.train)
    with pytest.raises(InsufficientDataError) as e:
        R.evaluate_split(
            inter, split.truth, cutoff=split.cutoff, end=split.end, min_test_customers=50
        )
    english = str(e.value)
    assert english.startswith(
        "The offline test needs customers who bought before 6 January 2024 and came back for "
        "something new; found "
    )
    check_note_error(e, english, "2024年1月6日", "50")
    with pytest.raises(ParameterError) as e:
        R.evaluate_models(inter, split.truth, {"ease": R.make_model("ease")})
    check_note_error(e, "evaluate_models needs a 'popularity' model as the baseline.", "popularity")
