"""The measuring code of bench/bench_lookback.py on orders whose answer is worked out by hand:
the contamination curve (share of a month's "new" customers who had bought before T), its
window, and the gaps the estimators read."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from bench_lookback import curve, gap_months, window  # noqa: E402

T = pd.Timestamp("2024-03-01")


def orders() -> pd.DataFrame:
    rows = [
        ("a", "2024-01-10"),  # before T; back 5 March: month 1, early
        ("a", "2024-03-05"),
        ("b", "2024-03-20"),  # new in month 1
        ("i", "2024-03-01"),  # on T itself: new in month 1, not before T
        ("g", "2024-02-29"),  # before T; back 1 April: month 2, early
        ("g", "2024-04-01"),
        ("f", "2024-04-10"),  # new in month 2
        ("c", "2024-02-01"),  # before T; back 2 May: month 3, early
        ("c", "2024-05-02"),
        ("d", "2024-05-31"),  # new in month 3
        ("e", "2024-05-15"),  # new in month 3
        ("h", "2024-06-30"),  # new in month 4, the data's last day (June is whole)
    ]
    df = pd.DataFrame(rows, columns=["customer_id", "day"])
    df["day"] = pd.to_datetime(df["day"])
    return df


def test_the_contamination_curve_by_hand():
    c = curve(orders(), T)
    assert c["month"].tolist() == [1, 2, 3, 4]
    assert c["new"].tolist() == [3, 2, 3, 1]
    assert c["early"].tolist() == [1, 1, 1, 0]
    assert c["share"].tolist() == pytest.approx([1 / 3, 1 / 2, 1 / 3, 0])
    # months 1..3 have a share of a third or more: under 10 % from month 4, 3 months after T;
    # under 40 % already from month 3 (month 2's half is the last over)
    assert window(c, 0.10) == "3"
    assert window(c, 0.40) == "2"
    assert window(c, 0.0) == ">4"
    # a customer known to have bought before the data (the demo's planted regulars)
    assert curve(orders(), T, before={"b"})["early"].tolist() == [2, 1, 1, 0]


def test_gaps_are_days_between_order_days_in_months():
    gaps, first2 = gap_months(orders()[lambda d: d["day"] >= pd.Timestamp("2024-01-01")])
    month = 365.25 / 12
    # a: 10 Jan -> 5 Mar 2024 (leap year) 55 days; g: 29 Feb -> 1 Apr 32; c: 1 Feb -> 2 May 91
    assert sorted(gaps) == pytest.approx([32 / month, 55 / month, 91 / month])
    assert sorted(first2) == pytest.approx(sorted(gaps))
