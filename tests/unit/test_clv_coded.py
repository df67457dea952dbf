"""The customer-value analysis groups on integer codes of the customer ids (hashed once,
``clv.data.coded_days``) instead of on the text ids in every group-by: the same answer as
grouping on the ids. Checked against the text-id computations written out here (what
``calibration_holdout`` and ``customer_value_days`` did before), and on ids whose sorted
order is not their order of appearance (the codes must follow the ids' sort order: the
customer table breaks ties in expected value by id)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ecomdash import clv, schema
from ecomdash.clv.data import coded_days


@pytest.fixture
def demo_days(demo):
    return clv.customer_days(schema.sales_lines(demo.lines))


def _by_text_ids(days: pd.DataFrame, cutoff: pd.Timestamp, end: pd.Timestamp):
    """Holdout purchases per customer and cumulative repeat purchases, grouped on the text
    ids (the calibration's code before the codes)."""
    summary = clv.rfm_summary(days, cutoff=cutoff)
    known = set(summary["customer_id"])
    hold = days[(days["date"] > cutoff) & (days["date"] <= end)]
    hold = hold[hold["customer_id"].isin(known)]
    actual = summary["customer_id"].map(hold.groupby("customer_id").size()).fillna(0)
    cal_days = days[(days["date"] <= end) & days["customer_id"].isin(known)]
    first = cal_days.groupby("customer_id")["date"].transform("min")
    repeats = np.sort(cal_days.loc[cal_days["date"] > first, "date"].to_numpy())
    return summary, actual.to_numpy(dtype=float), repeats


def test_calibration_by_codes_equals_the_text_id_route(demo_days):
    end = demo_days["date"].max()
    cutoff = end - pd.Timedelta(days=120)
    cal = clv.calibration_holdout(demo_days, cutoff=cutoff)
    summary, actual, repeats = _by_text_ids(demo_days, cutoff, end)
    assert cal.customers["customer_id"].tolist() == summary["customer_id"].tolist()
    assert cal.customers["actual"].tolist() == actual.tolist()
    assert cal.actual_holdout_purchases == int(actual.sum()) > 0
    want = np.searchsorted(repeats, cal.tracking["date"].to_numpy(), side="right")
    assert cal.tracking["actual"].tolist() == want.astype(float).tolist()
    # the analysis's own check (codes made once for the fit and the check) is the same
    res = clv.customer_value_days(demo_days, calibration_cutoff=cutoff)
    pd.testing.assert_frame_equal(res.calibration.customers, cal.customers)
    pd.testing.assert_frame_equal(res.calibration.tracking, cal.tracking)


def test_customer_table_is_by_text_ids(demo_days):
    res = clv.customer_value_days(demo_days)
    summary = clv.rfm_summary(demo_days)
    got = res.customers.set_index("customer_id").loc[summary["customer_id"]]
    for col in ("frequency", "recency", "T", "total_value"):
        assert got[col].tolist() == summary[col].tolist()
    assert res.customers["customer_id"].dtype == summary["customer_id"].dtype


def test_ties_in_value_are_ordered_by_id_not_by_appearance():
    """Twins (the same purchases) have the same expected value: the table lists them by id
    ('10' < '9' < 'B' < 'a' < 'b' < 'é' as text), whatever order the days come in."""
    twins = ["b", "a", "é", "9", "B", "10"]
    rows = []
    for i in range(40):  # repeat buyers enough for the models
        for d in ("2024-01-02", "2024-02-03", "2024-03-09"):
            rows.append((f"r{i:02d}", pd.Timestamp(d) + pd.Timedelta(days=i), 20.0 + i))
    for c in twins:
        rows += [(c, pd.Timestamp("2024-01-10"), 15.0), (c, pd.Timestamp("2024-02-20"), 25.0)]
    days = pd.DataFrame(rows, columns=["customer_id", "date", "value"])
    res = clv.customer_value_days(days)
    got = [c for c in res.customers["customer_id"] if c in twins]
    assert got == sorted(twins) == ["10", "9", "B", "a", "b", "é"]
    assert res.customers.set_index("customer_id").loc[twins, "expected_value"].nunique() == 1


def test_coded_days_number_ids_in_sorted_order_and_drop_missing():
    days = pd.DataFrame(
        {
            "customer_id": pd.array(["b", None, "a", "b"], dtype="str"),
            "date": pd.to_datetime(["2024-01-01"] * 4),
            "value": [1.0, 2.0, 3.0, 4.0],
        },
        index=[7, 8, 9, 10],
    )
    coded, ids = coded_days(days)
    assert list(ids) == ["a", "b"]
    assert coded["customer_id"].tolist() == [1, 0, 1]
    assert coded.index.tolist() == [7, 9, 10] and coded["value"].tolist() == [1.0, 3.0, 4.0]


@pytest.mark.parametrize(
    "ids",
    [
        ["a", "a", "b", "b9", "b9", "é", "é"],  # in order: the running count of changes
        ["b", "a", "b", "é", "10"],  # not in order: hashed
        ["a", None, "b"],  # missing: hashed, dropped
        ["x"],
    ],
)
def test_sorted_codes_are_factorize_sort(ids):
    from ecomdash.clv.data import _sorted_codes

    s = pd.Series(pd.array(ids, dtype="str"))
    codes, uniques = _sorted_codes(s)
    ref_codes, ref_uniques = pd.factorize(s, sort=True)
    assert codes.tolist() == ref_codes.tolist()
    assert list(uniques) == list(ref_uniques)
    assert pd.Index(uniques).dtype == pd.Index(ref_uniques).dtype
