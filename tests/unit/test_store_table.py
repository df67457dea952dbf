"""The hand-over of cleaned lines to the store (``store_tables.to_store_table``): a column already
typed as ``clean`` types it (``schema.ALL_DTYPES``) goes to Arrow without a cast, any other
column is converted as before; both give the same Arrow table. Values checked by hand."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa

from ecomdash import schema as S
from ecomdash.store_tables import LINE_COLUMNS, to_store_table

T0 = dt.datetime(2024, 3, 1, 10, 0)


def typed() -> pd.DataFrame:
    """Three lines as ``clean`` hands them over (its dtypes)."""
    return pd.DataFrame(
        {
            S.ORDER_ID: pd.array(["A1", "A1", None], dtype=pd.StringDtype("pyarrow")),
            S.ORDER_DATE: pd.Series([T0, pd.NaT, T0], dtype="datetime64[us]"),
            S.QUANTITY: pd.Series([2.0, np.nan, -1.0], dtype="float64"),
            S.REVENUE: pd.Series([7.0, 0.5, np.nan], dtype="float64"),
            S.IS_RETURN: pd.Series([False, False, True], dtype="bool"),
            S.LINE_NO: pd.Series([2, 3, 5], dtype="int64"),
        }
    )


def loose() -> pd.DataFrame:
    """The same lines in other dtypes (text numbers, text dates, object flags, float ids)."""
    return pd.DataFrame(
        {
            S.ORDER_ID: pd.Series(["A1", "A1", None], dtype=object),
            S.ORDER_DATE: pd.Series(["2024-03-01 10:00:00", None, "2024-03-01 10:00:00"]),
            S.QUANTITY: pd.Series(["2", "x", "-1"], dtype=object),
            S.REVENUE: pd.Series([7, 0.5, None], dtype=object),
            S.IS_RETURN: pd.Series([None, False, True], dtype=object),
            S.LINE_NO: pd.Series([2.0, 3.0, 5.0]),
        }
    )


def test_typed_and_loose_lines_give_the_same_store_table_checked_by_hand():
    for frame in (typed(), loose()):
        t = to_store_table(frame)
        assert t.column_names == list(LINE_COLUMNS)
        assert t[S.ORDER_ID].to_pylist() == ["A1", "A1", None]
        assert t[S.ORDER_ID].type == pa.string()
        assert t[S.ORDER_DATE].to_pylist() == [T0, None, T0]
        assert t[S.ORDER_DATE].type == pa.timestamp("us")
        assert t[S.QUANTITY].to_pylist() == [2.0, None, -1.0]  # NaN and "x": null
        assert t[S.REVENUE].to_pylist() == [7.0, 0.5, None]
        assert t[S.IS_RETURN].to_pylist() == [False, False, True]  # missing flag: false
        assert t[S.LINE_NO].to_pylist() == [2, 3, 5]
        assert t[S.LINE_NO].type == pa.int64()
        # columns the frame lacks: null text/numbers, false flags
        assert t[S.COUNTRY].null_count == 3 and t[S.IS_CANCELLED].to_pylist() == [False] * 3
    assert to_store_table(typed()).equals(to_store_table(loose()))
