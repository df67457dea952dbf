"""recommend/data by hand: the interaction matrix of an eleven-line shop, every weighting on a
4 × 3 count matrix worked out from the formulas' definitions, the parameter checks' exact
wording (written to kill the mutants of ``ecomdash/recommend/data.py``, issue #21)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from ecomdash import recommend as R
from ecomdash.errors import InsufficientDataError, ParameterError
from ecomdash.recommend.data import _check_k, _check_number


def _line(order, when, customer, product, name, cat, qty=1.0, *, ret=False, nonprod=False):
    return {
        "order_id": order,
        "order_date": pd.Timestamp(when),
        "customer_id": customer,
        "product_id": product,
        "product_name": name,
        "quantity": qty,
        "unit_price": 2.0,
        "revenue": 2.0 * qty,
        "category": cat,
        "is_return": ret,
        "is_non_product": nonprod,
        "is_cancelled": False,
    }


def _shop() -> pd.DataFrame:
    """Customer b buys P in O1 (Jan 1) and O2 (Jan 5, two lines), Q in O2; customer a buys Q
    in O3 (Jan 10, 23:30), R and S in O4 (Jan 10). Noise: a return, postage, a guest line.

    Counts (distinct orders): a = {Q: 1, R: 1, S: 1}, b = {P: 2, Q: 1}. Reference date
    Jan 10 (midnight); ages (days since the last purchase, + 1): b·P 6, b·Q 6, a·* 1.
    Names by the most frequent spelling, ties by name: P "Pen" (2 vs "pen" 1), R "Mat"
    (tie with "Rug"), S none (its id). Categories: the last line's, Q "Office".
    """
    rows = [
        _line("O1", "2024-01-01", "b", "P", "Pen", "Office"),
        _line("O2", "2024-01-05", "b", "P", "Pen", "Office"),
        _line("O2", "2024-01-05", "b", "P", "pen", "Office"),
        _line("O2", "2024-01-05", "b", "Q", "Quill", "Art"),
        _line("O3", "2024-01-10 23:30", "a", "Q", "Quill", "Office"),
        _line("O4", "2024-01-10", "a", "R", "Rug", "Home"),
        _line("O4", "2024-01-10", "a", "R", "Mat", "Home"),
        _line("O4", "2024-01-10", "a", "S", None, "Home"),
        _line("X1", "2024-01-11", "a", "T", "Tray", "Home", -1.0, ret=True),
        _line("O4", "2024-01-10", "a", "POST", "Postage", "Fees", nonprod=True),
        _line("G1", "2024-01-12", None, "U", "Urn", "Home"),
    ]
    return pd.DataFrame(rows)


def _dense(m) -> list[list[float]]:
    return m.toarray().tolist()


def test_interactions_by_hand():
    inter = R.build_interactions(_shop())
    assert list(inter.customers) == ["a", "b"]
    assert list(inter.products) == ["P", "Q", "R", "S"]
    assert inter.shape == (2, 4)
    assert _dense(inter.counts) == [[0, 1, 1, 1], [2, 1, 0, 0]]
    assert _dense(inter.age_days) == [[0, 1, 1, 1], [6, 6, 0, 0]]
    assert inter.counts.dtype == np.float64 and inter.age_days.dtype == np.float64
    assert inter.counts.has_sorted_indices and inter.age_days.has_sorted_indices
    assert inter.reference_date == pd.Timestamp("2024-01-10")
    assert inter.product_last_sold.tolist() == [5.0, 0.0, 0.0, 0.0]
    assert inter.product_names.tolist() == ["Pen", "Quill", "Mat", "S"]
    assert inter.product_categories.tolist() == ["Office", "Office", "Home", "Home"]
    assert inter.n_lines == 8  # 11 lines less the return, the postage and the guest
    assert isinstance(inter.customers, pd.Index) and inter.customers.dtype == object


def test_interactions_without_order_ids_dates_names_or_categories():
    lines = _shop().drop(columns=["order_id", "product_name", "category"])
    inter = R.build_interactions(lines)
    # every line is its own order: b bought P on three lines, a bought R on two
    assert _dense(inter.counts) == [[0, 1, 2, 1], [3, 1, 0, 0]]
    assert inter.product_names.tolist() == ["P", "Q", "R", "S"]
    assert inter.product_categories is None
    undated = R.build_interactions(lines.drop(columns=["order_date"]))
    assert undated.reference_date == pd.Timestamp("1970-01-01")
    assert _dense(undated.age_days) == [[0, 1, 1, 1], [1, 1, 0, 0]]
    assert undated.product_last_sold.tolist() == [0.0, 0.0, 0.0, 0.0]


def test_interactions_with_missing_dates_count_them_as_the_reference_day():
    lines = _shop()
    lines.loc[0, "order_date"] = pd.NaT  # b's first P (O1)
    inter = R.build_interactions(lines)
    assert _dense(inter.age_days) == [[0, 1, 1, 1], [1, 6, 0, 0]]


def test_interactions_do_not_depend_on_line_order():
    lines = _shop().iloc[::-1].reset_index(drop=True)  # S, R, Q first: ids still sorted
    inter = R.build_interactions(lines)
    assert list(inter.products) == ["P", "Q", "R", "S"]
    assert _dense(inter.counts) == [[0, 1, 1, 1], [2, 1, 0, 0]]
    assert _dense(inter.age_days) == [[0, 1, 1, 1], [6, 6, 0, 0]]
    assert inter.product_names.tolist() == ["Pen", "Quill", "Mat", "S"]
    assert inter.product_last_sold.tolist() == [5.0, 0.0, 0.0, 0.0]


def test_missing_categories_are_skipped_and_none_left_blank():
    lines = _shop()
    lines.loc[4, "category"] = None  # Q's last line: its earlier "Art" stands
    lines.loc[7, "category"] = None  # S's only line: no category
    inter = R.build_interactions(lines)
    assert inter.product_categories.tolist() == ["Office", "Art", "Home", ""]


def test_binary_gram_counts_co_buyers_once():
    inter = R.build_interactions(_shop())
    gram = inter.binary_gram()
    # P: b; Q: a, b; R: a; S: a
    assert gram.tolist() == [[1, 1, 0, 0], [1, 2, 1, 1], [0, 1, 1, 1], [0, 1, 1, 1]]
    assert gram.dtype == np.float32 and not gram.flags.writeable
    assert inter.binary_gram() is gram
    assert inter.__getstate__()["_memo"] == {}
    assert inter._memo  # pickling does not clear the live cache


def test_no_sales_with_a_customer_says_how_many_lines():
    lines = _shop()
    lines["customer_id"] = None
    with pytest.raises(InsufficientDataError) as e:
        R.build_interactions(lines)
    assert str(e.value) == (
        "Recommendations need sales lines with a customer id. Found 0 after removing "
        "returns, non-product lines and guest orders (from 11 lines). Check that the "
        "customer id column is mapped."
    )
    with pytest.raises(InsufficientDataError) as e:
        R.build_interactions(_shop().drop(columns=["product_id", "customer_id"]))
    assert str(e.value) == (
        "Recommendations need a customer id and a product id on every order line. "
        "Missing columns: customer_id, product_id. Map the customer and product columns on "
        "the Data page and try again."
    )


# counts of 4 customers × 3 products, and the days since each purchase (+ 1)
COUNTS = [[3, 1, 0], [1, 0, 0], [0, 2, 0], [0, 0, 1]]
AGES = [[1, 8, 0], [2, 0, 0], [0, 3, 0], [0, 0, 4]]


def _inter() -> R.Interactions:
    counts = sp.csr_matrix(np.array(COUNTS, dtype=np.float64))
    age = sp.csr_matrix(np.array(AGES, dtype=np.float64))
    return R.Interactions(
        customers=pd.Index(list("wxyz"), dtype=object),
        products=pd.Index(list("ABC"), dtype=object),
        counts=counts,
        age_days=age,
        product_names=np.array(list("ABC"), dtype=object),
        product_categories=None,
        product_last_sold=np.zeros(3),
        reference_date=pd.Timestamp("2024-01-10"),
        n_lines=8,
    )


# idf = log(n customers) - log(1 + buyers) (floored at 0) + 0.001: 4 customers, buyers 2, 2, 1
IDF = [math.log(4 / 3) + 1e-3, math.log(4 / 3) + 1e-3, math.log(2) + 1e-3]


def _weights(fn) -> list[list[float]]:
    return [[fn(u, i, c) if c else 0.0 for i, c in enumerate(row)] for u, row in enumerate(COUNTS)]


def test_binary_count_log_weights_by_hand():
    inter = _inter()
    assert _dense(R.weight_matrix(inter)) == [[1, 1, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]]
    assert _dense(R.weight_matrix(inter, "count")) == COUNTS
    got = _dense(R.weight_matrix(inter, "log"))
    np.testing.assert_allclose(got, _weights(lambda u, i, c: math.log(1 + c)), rtol=1e-12)
    assert _dense(inter.counts) == COUNTS  # weighting works on a copy


def test_tfidf_weights_by_hand():
    got = _dense(R.weight_matrix(_inter(), "tfidf"))
    np.testing.assert_allclose(got, _weights(lambda u, i, c: math.sqrt(c) * IDF[i]), rtol=1e-12)
    assert got[0][0] == pytest.approx(math.sqrt(3) * (0.2876821 + 0.001), rel=1e-7)


def test_idf_is_floored_at_zero_when_everybody_buys():
    inter = _inter()
    inter = R.Interactions(**{**inter.__dict__, "counts": sp.csr_matrix(np.ones((2, 2)))})
    # log(2) - log(1 + 2) < 0: floored to 0, plus 0.001
    assert _dense(R.weight_matrix(inter, "tfidf")) == [[1e-3, 1e-3], [1e-3, 1e-3]]


def test_bm25_weights_by_hand():
    # history lengths 4, 1, 2, 1 (mean 2): length norm 1 - b + b * length / 2
    k1, b = 1.2, 0.75
    norm = [1 - b + b * n / 2 for n in (4, 1, 2, 1)]  # 1.75, 0.625, 1.0, 0.625
    want = _weights(lambda u, i, c: c * (k1 + 1) / (k1 * norm[u] + c) * IDF[i])
    got = _dense(R.weight_matrix(_inter(), "bm25"))
    np.testing.assert_allclose(got, want, rtol=1e-12)
    # w's A: 3 × 2.2 / (1.2 × 1.75 + 3) × (log(4/3) + 0.001) = 6.6 / 5.1 × 0.2886821
    assert got[0][0] == pytest.approx(6.6 / 5.1 * 0.2886821, rel=1e-6)
    k1, b = 2.0, 0.5
    norm = [1 - b + b * n / 2 for n in (4, 1, 2, 1)]
    want = _weights(lambda u, i, c: c * (k1 + 1) / (k1 * norm[u] + c) * IDF[i])
    got = _dense(R.weight_matrix(_inter(), "bm25", bm25_k1=2.0, bm25_b=0.5))
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_recency_decay_halves_at_each_half_life():
    got = _dense(R.weight_matrix(_inter(), "count", half_life_days=2))
    want = _weights(lambda u, i, c: c * 0.5 ** (AGES[u][i] / 2))
    np.testing.assert_allclose(got, want, rtol=1e-12)
    assert got[0][1] == pytest.approx(1 / 16)  # bought once, 8 days: four half-lives
    assert got[2][1] == pytest.approx(2 * 0.5**1.5)


def test_unknown_weighting_is_named_with_the_choices():
    with pytest.raises(ParameterError) as e:
        R.weight_matrix(_inter(), "squared")
    assert str(e.value) == (
        "The 'weighting' parameter must be one of 'binary', 'count', 'log', 'tfidf', 'bm25'. "
        "Got 'squared' instead."
    )


@pytest.mark.parametrize(
    ("kw", "value", "message"),
    [
        ({"low": 1, "integer": True}, 0, "an int in the range [1, inf). Got 0 instead."),
        ({"low": 1, "integer": True}, 2.0, "an int in the range [1, inf). Got 2.0 instead."),
        ({"low": 0}, -0.5, "a number in the range [0, inf). Got -0.5 instead."),
        ({"low": 0}, True, "a number in the range [0, inf). Got True instead."),
        ({"low": 0}, "1", "a number in the range [0, inf). Got '1' instead."),
        (
            {"low": 2, "integer": True, "allow_none": True},
            1,
            "None or an int in the range [2, inf). Got 1 instead.",
        ),
        (
            {"low": 0, "allow_none": True, "strict": True},
            0,
            "None or a number in the range (0, inf). Got 0 instead.",
        ),
        ({"low": 0, "strict": True}, 0.0, "a number in the range (0, inf). Got 0.0 instead."),
        ({"low": 1, "integer": True}, None, "an int in the range [1, inf). Got None instead."),
    ],
)
def test_number_checks_word_for_word(kw, value, message):
    with pytest.raises(ParameterError) as e:
        _check_number("x", value, **kw)
    assert str(e.value) == "The 'x' parameter must be " + message


@pytest.mark.parametrize(
    ("kw", "value"),
    [
        ({"low": 1, "integer": True}, 1),
        ({"low": 0}, 0),
        ({"low": 0}, 0.0),
        ({"low": 0, "strict": True}, 1e-9),
        ({"low": 1, "integer": True, "allow_none": True}, None),
        ({"low": 0, "allow_none": True, "strict": True}, None),
    ],
)
def test_number_checks_accept_the_edges(kw, value):
    _check_number("x", value, **kw)


def test_k_and_business_rules():
    assert _check_k(1) == 1 and _check_k(3) == 3
    with pytest.raises(ParameterError, match=r"'k' parameter must be an int in the range \[1"):
        _check_k(0)
    rules = R.BusinessRules(exclude_categories=[1, "Food"], recent_days=1, rebuy_products={7})
    assert rules.exclude_categories == ("1", "Food")
    assert rules.rebuy_products == ("7",)
    assert rules.recent_days == 1
    assert R.BusinessRules().recent_days is None
    for bad in (0, True, 2.0, "3"):
        with pytest.raises(ParameterError) as e:
            R.BusinessRules(recent_days=bad)
        assert str(e.value) == (
            "The 'recent_days' business rule must be None or an int in the range [1, inf). "
            f"Got {bad!r} instead."
        )
