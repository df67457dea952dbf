"""Customer features on a six-customer fixture, against values computed by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ecomdash.errors import InsufficientDataError, ParameterError
from ecomdash.features import FEATURES, customer_features, customer_history

AS_OF = "2024-03-31"


def six_customers() -> pd.DataFrame:
    """Six customers (A..F), one guest order, a return, a postage line and a line after AS_OF.

    By hand, as of 2024-03-31 (2024 is a leap year):

    ====  =======  =========  ========  ======  ===========  ============  ========
    cust  recency  frequency  monetary  tenure  interpurch.  categories    returns
    ====  =======  =========  ========  ======  ===========  ============  ========
    A     1        3          200       59      29           2             0
    B     6        1          40        6       NaN          1             0
    C     71       2          600       81      10           1             0
    D     121      1          20        121     NaN          1             0
    E     0        3          180       21      10.75        1             30/180
    F     45       2          1000      137     92           1             0
    ====  =======  =========  ========  ======  ===========  ============  ========
    """
    rows = [
        # order, date, customer, product, category, qty, price, is_return, is_non_product
        ("O1", "2024-03-30 00:00", "A", "P1", "Kitchen", 2, 10.0, False, False),
        ("O1", "2024-03-30 00:00", "A", "P2", "Home", 1, 30.0, False, False),
        ("O1", "2024-03-30 00:00", "A", "POST", None, 1, 4.0, False, True),
        ("O2", "2024-03-01 00:00", "A", "P1", "Kitchen", 10, 10.0, False, False),
        ("O3", "2024-02-01 00:00", "A", "P3", "Kitchen", 1, 50.0, False, False),
        ("O4", "2024-04-02 09:00", "A", "P1", "Kitchen", 1, 10.0, False, False),  # after as-of
        ("O5", "2024-03-25 15:00", "B", "P2", "Home", 1, 40.0, False, False),
        ("O6", "2024-01-10 00:00", "C", "P4", "Garden", 3, 100.0, False, False),
        ("O7", "2024-01-20 00:00", "C", "P4", "Garden", 3, 100.0, False, False),
        ("O8", "2023-12-01 08:00", "D", "P1", "Kitchen", 2, 10.0, False, False),
        ("CO8", "2024-04-05 08:00", "D", "P1", "Kitchen", -2, 10.0, True, False),  # after as-of
        ("O9", "2024-03-10 00:00", "E", "P5", "Toys", 2, 30.0, False, False),
        ("O10", "2024-03-20 00:00", "E", "P5", "Toys", 2, 30.0, False, False),
        ("O11", "2024-03-31 12:00", "E", "P5", "Toys", 2, 30.0, False, False),
        ("CO9", "2024-03-31 13:00", "E", "P5", "Toys", -1, 30.0, True, False),
        ("O12", "2023-11-15 00:00", "F", "P6", "Home", 1, 500.0, False, False),
        ("O13", "2024-02-15 00:00", "F", "P6", "Home", 1, 500.0, False, False),
        ("O14", "2024-03-05 00:00", None, "P1", "Kitchen", 1, 10.0, False, False),  # guest
        ("O15", "2024-03-06 00:00", "", "P1", "Kitchen", 1, 10.0, False, False),  # blank id
    ]
    df = pd.DataFrame(
        rows,
        columns=[
            "order_id",
            "order_date",
            "customer_id",
            "product_id",
            "category",
            "quantity",
            "unit_price",
            "is_return",
            "is_non_product",
        ],
    )
    df["order_date"] = pd.to_datetime(df["order_date"]).astype("datetime64[us]")
    for col in ("order_id", "customer_id", "product_id", "category"):
        df[col] = df[col].astype("string")
    df["quantity"] = df["quantity"].astype("float64")
    df["revenue"] = df["quantity"] * df["unit_price"]
    df["is_cancelled"] = False
    df["line_no"] = np.arange(2, len(df) + 2)
    return df


HAND = pd.DataFrame(
    {
        "recency_days": [1, 6, 71, 121, 0, 45],
        "frequency": [3, 1, 2, 1, 3, 2],
        "monetary": [200, 40, 600, 20, 180, 1000],
        "avg_order_value": [200 / 3, 40, 300, 20, 60, 500],
        "tenure_days": [59, 6, 81, 121, 21, 137],
        "interpurchase_days": [29, np.nan, 10, np.nan, 10.75, 92],
        "category_breadth": [2, 1, 1, 1, 1, 1],
        "return_rate": [0, 0, 0, 0, 30 / 180, 0],
    },
    index=pd.Index(list("ABCDEF"), name="customer_id"),
).astype("float64")


def test_features_match_hand_computation():
    f = customer_features(six_customers(), as_of=AS_OF)
    assert f.as_of == pd.Timestamp(AS_OF)
    assert list(f.table.index) == list("ABCDEF")
    pd.testing.assert_frame_equal(
        f.table.loc[:, list(FEATURES)], HAND, check_index_type=False, check_names=False
    )
    assert f.n_customers == 6
    assert f.n_guest_orders == 2  # O14 (no id) and O15 (blank id)
    assert f.guest_revenue == pytest.approx(20.0)
    assert f.breadth_basis == "category"
    assert f.returns_known


def test_default_as_of_is_last_line_date():
    f = customer_features(six_customers())
    assert f.as_of == pd.Timestamp("2024-04-05")
    # A's April order now counts: 4 orders, last 3 days before the as-of date.
    assert f.table.loc["A", "frequency"] == 4
    assert f.table.loc["A", "recency_days"] == 3
    # D's return of the whole order: return rate 1.
    assert f.table.loc["D", "return_rate"] == 1.0


def test_only_lines_on_or_before_as_of_count():
    lines = six_customers()
    early = customer_features(lines, as_of="2024-01-31")
    assert list(early.table.index) == ["C", "D", "F"]
    assert early.table.loc["C", "recency_days"] == 11
    assert early.table.loc["F", "frequency"] == 1
    assert early.n_guest_orders == 0
    # Same answer when the later lines are removed beforehand.
    cut = lines.loc[lines["order_date"] < pd.Timestamp("2024-02-01")]
    again = customer_features(cut, as_of="2024-01-31")
    pd.testing.assert_frame_equal(early.table, again.table)


def test_invariant_to_row_order_and_input_not_mutated():
    lines = six_customers()
    before = lines.copy()
    a = customer_features(lines, as_of=AS_OF).table
    shuffled = lines.sample(frac=1.0, random_state=7).reset_index(drop=True)
    b = customer_features(shuffled, as_of=AS_OF).table
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(lines, before)


def test_breadth_falls_back_to_products_without_category():
    f = customer_features(six_customers().drop(columns=["category"]), as_of=AS_OF)
    assert f.breadth_basis == "product"
    assert f.table.loc["A", "category_breadth"] == 3  # P1, P2, P3 (POST is not a product)
    assert any("distinct products" in w for w in f.warnings)


def test_frequency_without_order_id_counts_distinct_timestamps():
    f = customer_features(six_customers().drop(columns=["order_id"]), as_of=AS_OF)
    assert f.table.loc["A", "frequency"] == 3
    assert f.table.loc["E", "frequency"] == 3


def _naive_features(lines: pd.DataFrame, as_of: str) -> pd.DataFrame:
    """The features by plain pandas on the lines cut at the as-of day (an independent reference)."""
    day = pd.Timestamp(as_of)
    cut = lines.loc[lines["order_date"] < day + pd.Timedelta(days=1)]
    ident = cut["customer_id"].fillna("").str.strip() != ""
    sales = cut.loc[
        ident
        & ~cut["is_return"]
        & ~cut["is_non_product"]
        & (cut["quantity"] > 0)
        & (cut["unit_price"] > 0)
    ]
    orders = sales.groupby(["customer_id", "order_id"]).agg(
        d=("order_date", "min"), r=("revenue", "sum")
    )
    rows = {}
    for cust, o in orders.groupby(level="customer_id"):
        n = len(o)
        first, last = o["d"].min(), o["d"].max()
        returned = (
            cut.loc[ident & cut["is_return"] & (cut["customer_id"] == cust), "revenue"].abs().sum()
        )
        monetary = o["r"].sum()
        rows[cust] = {
            "recency_days": (day - last.normalize()).days,
            "frequency": n,
            "monetary": monetary,
            "avg_order_value": monetary / n,
            "tenure_days": (day - first.normalize()).days,
            "interpurchase_days": (last - first).total_seconds() / 86400 / (n - 1)
            if n > 1
            else np.nan,
            "category_breadth": sales.loc[sales["customer_id"] == cust, "category"].nunique(),
            "return_rate": min(returned / monetary, 1.0),
        }
    return pd.DataFrame.from_dict(rows, orient="index").astype("float64")


def test_one_history_gives_the_features_of_each_cut_off():
    """One history, asked at several dates, matches a plain-pandas reference at each date."""
    lines = six_customers()
    hist = customer_history(lines)
    for day in ("2024-01-15", "2024-01-31", "2024-03-10", AS_OF, "2024-04-05"):
        got = hist.features(as_of=day).table.loc[:, list(FEATURES)]
        expected = _naive_features(lines, day)
        assert list(got.index) == sorted(expected.index), day
        pd.testing.assert_frame_equal(
            got, expected.loc[list(got.index)], check_index_type=False, check_names=False
        )
    # the reference agrees with the hand-computed table at AS_OF (so it is not vacuous)
    pd.testing.assert_frame_equal(
        _naive_features(lines, AS_OF), HAND, check_index_type=False, check_names=False
    )


def test_errors_say_what_to_do():
    with pytest.raises(InsufficientDataError, match="Pick a later as-of date"):
        customer_features(six_customers(), as_of="2020-01-01")
    with pytest.raises(InsufficientDataError, match="customer_id"):
        customer_features(six_customers().drop(columns=["customer_id"]))
    with pytest.raises(ParameterError, match="could not be read"):
        customer_features(six_customers(), as_of="not a date")


def test_no_customer_ids_is_a_clear_message():
    import pandas as pd
    import pytest

    from ecomdash.errors import InsufficientDataError
    from ecomdash.features import customer_history

    lines = pd.DataFrame(
        {
            "order_id": ["a", "b"],
            "order_date": pd.to_datetime(["2024-01-01", "2024-01-02"]),
            "customer_id": pd.Series([pd.NA, pd.NA], dtype="string"),
            "revenue": [5.0, 6.0],
            "is_return": [False, False],
            "is_non_product": [False, False],
            "is_cancelled": [False, False],
        }
    )
    with pytest.raises(InsufficientDataError, match="customer id"):
        customer_history(lines)
