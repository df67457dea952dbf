"""CLV's data side and its calibration check on cases small enough to work out by hand:
customer-days from lines, the RFM summary, the CDNOW readers and the holdout comparison (with
the published CDNOW parameters given, so no fit runs). Fast: mutation testing of
ecomdash/clv/data.py and ecomdash/clv/calibration.py runs these first."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from ecomdash import clv
from ecomdash.clv.data import _isin
from ecomdash.errors import InsufficientDataError, ParameterError
from tests.conftest import CDNOW_SAMPLE_PATH, shared

#: Fader, Hardie & Lee (2005), CDNOW: r, alpha, a, b
PUBLISHED = clv.BGNBDParams(
    r=0.2426, alpha=4.4135, a=0.7929, b=2.4258, log_likelihood=-9582.43, n_customers=2357
)

D = pd.Timestamp


def _lines(rows, revenue: bool = True) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["customer_id", "order_date", "revenue"])
    df["order_date"] = pd.to_datetime(df["order_date"])
    return df if revenue else df.drop(columns="revenue")


# --- customer-days ------------------------------------------------------------------------


def test_customer_days_by_hand():
    lines = _lines(
        [
            ("b", "2024-01-02 10:00", 5.0),
            ("a", "2024-01-01 09:00", 10.0),
            ("b", "2024-01-02 18:00", 2.5),  # same day as b's first: one purchase of 7.5
            ("a", "2024-01-03 00:00", None),  # no amount: a purchase worth 0
            ("  ", "2024-01-01 12:00", 3.0),  # blank id: dropped
            (None, "2024-01-01 12:00", 3.0),  # no id: dropped
            ("c", None, 4.0),  # no date: dropped
        ]
    )
    d = clv.customer_days(lines)
    # sorted by customer and date, whatever order the lines came in
    assert d["customer_id"].tolist() == ["a", "a", "b"]
    assert d["date"].tolist() == [D("2024-01-01"), D("2024-01-03"), D("2024-01-02")]
    assert d["value"].tolist() == [10.0, 0.0, 7.5]
    assert str(d["date"].dtype) == "datetime64[ns]"
    assert list(d.columns) == ["customer_id", "date", "value"]
    # without an amount column every purchase is worth 0 (counted, not valued)
    nov = clv.customer_days(lines.drop(columns="revenue"))
    assert nov["value"].tolist() == [0.0, 0.0, 0.0] and len(nov) == 3
    # numeric ids become text ids, sorted as numbers were factorised (1 < 2 < 10)
    num = clv.customer_days(
        _lines([(10, "2024-01-01", 1.0), (2, "2024-01-05", 2.0), (1, "2024-01-09", 4.0)])
    )
    assert num["customer_id"].tolist() == ["1", "2", "10"]
    assert num["value"].tolist() == [4.0, 2.0, 1.0]


def test_customer_days_of_nothing_usable_is_an_empty_table():
    empty = clv.customer_days(_lines([(" ", "2024-01-01", 1.0), ("", "2024-01-02", 2.0)]))
    assert empty.empty and list(empty.columns) == ["customer_id", "date", "value"]
    assert str(empty["date"].dtype) == "datetime64[ns]"
    # the same column types as a table with rows (text ids, not objects)
    full = clv.customer_days(_lines([("a", "2024-01-01", 1.0)]))
    assert empty["customer_id"].dtype == full["customer_id"].dtype != object


def test_customer_days_names_the_missing_column_and_what_there_is():
    lines = _lines([("a", "2024-01-01", 1.0)])
    with pytest.raises(InsufficientDataError) as e:
        clv.customer_days(lines.drop(columns="customer_id"))
    assert str(e.value) == (
        "Customer value needs the 'customer_id' column; the dataset has order_date, "
        "revenue. Map a column to 'customer_id' on the Data page."
    )
    with pytest.raises(InsufficientDataError) as e:
        clv.customer_days(lines.drop(columns="order_date"))
    assert str(e.value) == (
        "Customer value needs the 'order_date' column; the dataset has customer_id, "
        "revenue. Map a column to 'order_date' on the Data page."
    )
    with pytest.raises(InsufficientDataError) as e:
        clv.customer_days(pd.DataFrame())
    assert str(e.value) == (
        "Customer value needs the 'customer_id' column; the dataset has no columns. "
        "Map a column to 'customer_id' on the Data page."
    )


def test_isin_for_text_and_other_ids():
    text = pd.Series(["a", None, "b", "c"], dtype="string")
    assert _isin(text, {"a", "c", "z"}).tolist() == [True, False, False, True]
    assert _isin(pd.Series([3, 1, 2]), {2, 3}).tolist() == [True, False, True]
    # a text column asked about numbers (or a number column about text): nothing matches
    assert _isin(pd.Series(["1", "2"], dtype="string"), {1}).tolist() == [False, False]
    assert _isin(pd.Series([1, 2]), {"1"}).tolist() == [False, False]


# --- the RFM summary --------------------------------------------------------------------


def _days() -> pd.DataFrame:
    rows = [
        ("a", "2024-01-01", 10.0),
        ("a", "2024-01-15", 20.0),
        ("a", "2024-01-22", 30.0),
        ("b", "2024-01-08", 5.0),
        ("c", "2024-02-01", 8.0),  # after the cut-off below
    ]
    df = pd.DataFrame(rows, columns=["customer_id", "date", "value"])
    df["date"] = pd.to_datetime(df["date"])
    return df


def test_rfm_summary_by_hand_in_weeks_and_days():
    s = clv.rfm_summary(_days(), cutoff="2024-01-29")
    assert list(s.columns) == [
        "customer_id",
        "frequency",
        "recency",
        "T",
        "monetary_value",
        "mean_value",
        "total_value",
        "first_date",
        "last_date",
    ]
    assert s["customer_id"].tolist() == ["a", "b"]  # c buys after the cut-off
    # a: 2 repeat days, 3 weeks from first to last, 4 weeks to the cut-off, repeats 20 and 30
    assert s.iloc[0, 1:7].tolist() == [2.0, 3.0, 4.0, 25.0, 20.0, 60.0]
    assert s.iloc[1, 1:7].tolist() == [0.0, 0.0, 3.0, 0.0, 5.0, 5.0]
    assert s["first_date"].tolist() == [D("2024-01-01"), D("2024-01-08")]
    assert s["last_date"].tolist() == [D("2024-01-22"), D("2024-01-08")]
    assert s.index.tolist() == [0, 1]
    days = clv.rfm_summary(_days(), cutoff="2024-01-29", time_unit="D")
    assert days[["recency", "T"]].to_numpy().tolist() == [[21.0, 28.0], [0.0, 21.0]]
    # no cut-off: up to the last purchase (1 Feb), c included with T = 0
    full = clv.rfm_summary(_days())
    assert full["customer_id"].tolist() == ["a", "b", "c"]
    assert full["T"].tolist() == [31 / 7, 24 / 7, 0.0]
    # customers come out sorted by id, whatever order their purchase days came in
    shuffled = _days().iloc[[3, 4, 0, 1, 2]]
    assert clv.rfm_summary(shuffled)["customer_id"].tolist() == ["a", "b", "c"]
    pd.testing.assert_frame_equal(clv.rfm_summary(shuffled), full)
    # a's days in reverse: the first purchase is still the earliest day's (10, not 30), so
    # the repeat mean stays (20 + 30) / 2
    reverse = _days().iloc[[2, 1, 0, 3, 4]]
    pd.testing.assert_frame_equal(clv.rfm_summary(reverse).reset_index(drop=True), full)
    assert clv.rfm_summary(reverse)["monetary_value"].iloc[0] == 25.0
    # the cut-off day itself counts
    on = clv.rfm_summary(_days(), cutoff="2024-01-22")
    assert on["frequency"].tolist() == [2.0, 0.0]


def test_rfm_summary_refusals_say_what_to_do():
    with pytest.raises(ParameterError) as e:
        clv.rfm_summary(_days(), time_unit="M")
    assert str(e.value) == ("The 'time_unit' parameter must be one of ['D', 'W']. Got 'M' instead.")
    with pytest.raises(InsufficientDataError) as e:
        clv.rfm_summary(_days(), cutoff="2023-12-31")
    assert str(e.value) == (
        "Customer value needs purchases with a customer id before the cut-off; found none. "
        "Choose a later cut-off date or check that the customer id column is mapped."
    )


# --- the CDNOW readers ------------------------------------------------------------------


def test_read_cdnow_master_and_sample_formats(tmp_path):
    master = tmp_path / "master.txt"
    master.write_text(
        "customer_id date number_of_cds dollar_value\n"
        "00002 19970112 1 12.00\n"
        "00001 19970101 1 11.77\n"
        "00001 19970101 2 5.00\n"
        "00001 19970118 1 3.50\n"
    )
    m = clv.read_cdnow(master)
    assert list(m.columns) == ["customer_id", "date", "value"]
    assert m["customer_id"].tolist() == ["00001", "00001", "00002"]  # leading zeros kept
    assert m["date"].tolist() == [D("1997-01-01"), D("1997-01-18"), D("1997-01-12")]
    assert m["value"].tolist() == pytest.approx([16.77, 3.5, 12.0])
    assert m.index.tolist() == [0, 1, 2]
    sample = tmp_path / "sample.txt"
    sample.write_text(
        "00004 1 19970101 1 29.33\n00004 1 19970118 1 29.73\n00018 2 19970101 2 9.99\n"
    )
    s = clv.read_cdnow(sample, sample=True)
    assert s["customer_id"].tolist() == ["00004", "00004", "00018"]
    assert s["date"].tolist() == [D("1997-01-01"), D("1997-01-18"), D("1997-01-01")]
    assert s["value"].tolist() == [29.33, 29.73, 9.99]


# --- calibration / holdout --------------------------------------------------------------


def _cal_days() -> pd.DataFrame:
    rows = [
        ("a", "2024-01-01"),
        ("a", "2024-01-15"),
        ("a", "2024-02-05"),  # holdout
        ("a", "2024-02-12"),  # holdout, the last date
        ("b", "2024-01-08"),
        ("c", "2024-02-03"),  # first buys after the cut-off: not scored, nor its repeat
        ("c", "2024-02-10"),
        ("d", "2024-01-01"),
        ("d", "2024-01-08"),
        ("d", "2024-01-15"),
        ("d", "2024-01-22"),
    ]
    df = pd.DataFrame(rows, columns=["customer_id", "date"])
    df["date"] = pd.to_datetime(df["date"])
    return df.assign(value=1.0)


def test_calibration_holdout_by_hand_with_given_parameters():
    cal = clv.calibration_holdout(_cal_days(), cutoff="2024-01-29", params=PUBLISHED, max_group=2)
    assert (cal.cutoff, cal.end, cal.holdout_units) == (D("2024-01-29"), D("2024-02-12"), 2.0)
    assert cal.params is PUBLISHED
    # a, b, d at the cut-off: (x, t_x, T) = (1, 2, 4), (0, 0, 3), (3, 3, 4) weeks
    c = cal.customers
    assert list(c.columns) == ["customer_id", "frequency", "recency", "T", "actual", "predicted"]
    assert c["customer_id"].tolist() == ["a", "b", "d"]
    assert c[["frequency", "recency", "T"]].to_numpy().tolist() == [[1, 2, 4], [0, 0, 3], [3, 3, 4]]
    assert c["actual"].tolist() == [2.0, 0.0, 0.0]  # c's purchase is not counted
    want = clv.bgnbd_expected_purchases(
        PUBLISHED, 2.0, np.array([1.0, 0.0, 3.0]), np.array([2.0, 0.0, 3.0]), np.array([4, 3, 4.0])
    )
    np.testing.assert_allclose(c["predicted"], want, rtol=1e-12)
    assert cal.calibration_repeat_purchases == 4
    assert cal.actual_holdout_purchases == 2
    assert cal.predicted_holdout_purchases == pytest.approx(want.sum(), rel=1e-12)
    assert cal.error_pct == pytest.approx(100 * (want.sum() / 2 - 1), rel=1e-12)
    # groups by calibration frequency: 0 (b), 1 (a), 2+ (d)
    by = cal.by_frequency
    assert list(by.columns) == ["frequency", "customers", "actual", "predicted"]
    assert by["frequency"].tolist() == ["0", "1", "2+"]
    assert by["customers"].tolist() == [1, 1, 1] and by["customers"].dtype == np.int64
    assert by["actual"].tolist() == [0.0, 2.0, 0.0]
    np.testing.assert_allclose(by["predicted"], want[[1, 0, 2]], rtol=1e-12)
    # weekly from a week after the first purchase to the end: repeats on 8 Jan (d), 15 Jan
    # (a, d), 22 Jan (d), 5 Feb (a), 12 Feb (a); c's first purchase is not a repeat
    t = cal.tracking
    assert list(t.columns) == ["date", "actual", "predicted", "in_holdout"]
    assert t["date"].tolist() == list(pd.date_range("2024-01-08", "2024-02-12", freq="7D"))
    assert t["actual"].tolist() == [1.0, 3.0, 4.0, 4.0, 5.0, 6.0]
    assert t["in_holdout"].tolist() == [False] * 4 + [True] * 2
    # E[X(t)] of a and d from 1 Jan, of b from 8 Jan, summed (weeks)
    weeks = np.arange(1.0, 7.0)
    ex = clv.bgnbd_expected_unconditional
    np.testing.assert_allclose(
        t["predicted"], 2 * ex(PUBLISHED, weeks) + ex(PUBLISHED, weeks - 1), rtol=1e-12
    )


def test_calibration_holdout_groups_end_and_time_unit():
    days = _cal_days()
    # the default eight groups 0..6, 7+: empty ones count no customers and have no means
    cal = clv.calibration_holdout(days, cutoff="2024-01-29", params=PUBLISHED)
    assert cal.by_frequency["frequency"].tolist() == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    assert cal.by_frequency["customers"].tolist() == [1, 1, 0, 1, 0, 0, 0, 0]
    assert cal.by_frequency["actual"].iloc[:2].tolist() == [0.0, 2.0]
    assert math.isnan(cal.by_frequency["actual"].iloc[2])
    # an earlier end: a's 12 Feb purchase is left out; the last point is the end itself
    early = clv.calibration_holdout(days, cutoff="2024-01-29", end="2024-02-10", params=PUBLISHED)
    assert early.end == D("2024-02-10") and early.holdout_units == 12 / 7
    assert early.actual_holdout_purchases == 1
    assert early.tracking["date"].iloc[-2:].tolist() == [D("2024-02-05"), D("2024-02-10")]
    assert early.tracking["actual"].iloc[-1] == 5.0
    # days as the unit: 14 days of holdout, and the predictions in days
    d = clv.calibration_holdout(days, cutoff="2024-01-29", params=PUBLISHED, time_unit="D")
    assert d.holdout_units == 14.0
    assert d.customers["T"].tolist() == [28.0, 21.0, 28.0]
    # less than a week of data after the first purchase: one point, at the end
    short = pd.DataFrame(
        {"customer_id": ["a", "a"], "date": [D("2024-01-01"), D("2024-01-05")], "value": 1.0}
    )
    cal = clv.calibration_holdout(short, cutoff="2024-01-02", params=PUBLISHED)
    assert cal.tracking["date"].tolist() == [D("2024-01-05")]
    assert cal.tracking["actual"].tolist() == [1.0] and cal.actual_holdout_purchases == 1
    # only b on 1 Jan and z from 9 Jan: z is not scored, nothing in the holdout, no error %
    lone = pd.DataFrame(
        {"customer_id": ["b", "z"], "date": [D("2024-01-01"), D("2024-01-09")], "value": 1.0}
    )
    none = clv.calibration_holdout(lone, cutoff="2024-01-02", params=PUBLISHED)
    assert none.customers["customer_id"].tolist() == ["b"]
    assert none.actual_holdout_purchases == 0 and math.isnan(none.error_pct)


def test_calibration_cut_off_must_come_before_the_end():
    with pytest.raises(ParameterError) as e:
        clv.calibration_holdout(_cal_days(), cutoff="2024-02-12", params=PUBLISHED)
    assert str(e.value) == (
        "The calibration cut-off 12 February 2024 must be before the end of the data (12 February 2024); "
        "choose an earlier cut-off."
    )
    with pytest.raises(
        ParameterError, match=r"cut-off 29 January 2024 must be before .*20 January 2024"
    ):
        clv.calibration_holdout(_cal_days(), cutoff="2024-01-29 15:00", end="2024-01-20")
    with pytest.raises(ParameterError, match="'time_unit'"):
        clv.calibration_holdout(_cal_days(), cutoff="2024-01-29", time_unit="M")


def test_calibration_fit_in_days_on_cdnow():
    # the published fit in weeks has alpha 4.4135; in days alpha is 7 times that, r, a, b stay
    days = clv.read_cdnow(shared(CDNOW_SAMPLE_PATH), sample=True)
    cal = clv.calibration_holdout(days, cutoff="1997-09-30", end="1998-06-30", time_unit="D")
    p = cal.params
    assert p.time_unit == "D" and cal.holdout_units == 273.0
    assert float(f"{p.alpha:.3g}") == 30.9 and float(f"{p.r:.3g}") == 0.243
    assert float(f"{p.b:.3g}") == 2.43


def test_rfm_summary_with_repeated_index_labels_takes_each_customer_s_first_day():
    # customer-days stacked from two frames keep both frames' labels (0, 1, 2 twice): the
    # earliest day is found by its label, so the labels must not point at two rows
    days = _days()
    stacked = pd.concat([days.iloc[:3], days.iloc[3:]])
    stacked.index = list(range(3)) + list(range(len(days) - 3))
    assert not stacked.index.is_unique
    got = clv.rfm_summary(stacked, cutoff="2024-01-29")
    want = clv.rfm_summary(days.reset_index(drop=True), cutoff="2024-01-29")
    pd.testing.assert_frame_equal(got, want)
    assert got.iloc[0, 1:7].tolist() == [2.0, 3.0, 4.0, 25.0, 20.0, 60.0]  # by hand, above
