"""Cleaning rules on a small hand-built file: every count below is worked out by hand from
the lines in ``FILE`` (line numbers: header = 1). Stock codes are P1..P5 because single
letters such as B, C, D, M, S are UCI's non-product codes (schema.NON_PRODUCT_CODE)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ecomdash import schema
from ecomdash.ingest import clean, inspect_bytes, load_bytes, propose_mapping
from ecomdash.ingest.convert import to_datetime, to_number

FILE = """Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country
1,P1,Mug,2,2024-01-02 10:00:00,3.0,100.0,UK
1,P2, Bowl ,1,2024-01-02 10:00:00,5.0,100.0,UK
1,POST,POSTAGE,1,2024-01-02 10:00:00,10.0,100.0,UK
1,P2, Bowl ,1,2024-01-02 10:00:00,5.0,100.0,UK
2,P1,Mug,2,2024-01-03 09:00:00,3.0,,UK
2,P3,,1,2024-01-03 09:00:00,0,,UK
3,P1,Mug,2,not a date,3.0,101.0,UK
4,P4,Vase,x,2024-01-04 09:00:00,2.0,101.0,UK
C5,P1,Mug,-2,2024-01-05 09:00:00,3.0,100.0,UK
C6,P2,Bowl,-3,2024-01-05 09:00:00,5.0,100.0,UK
7,P1,Mug,-1,2024-01-06 09:00:00,3.0,102.0,UK
8,P5,Gift,1,2024-01-07 09:00:00,-1.5,102.0,UK
C9,P5,Gift,-1,2024-01-01 09:00:00,1.5,102.0,UK
"""
# line 2  sale P1 qty 2 cust 100           -> cancelled by line 10 (C5, -2, later)
# line 3  " Bowl " (trimmed)
# line 4  POST: non-product
# line 5  exact duplicate of line 3       -> dropped
# line 6  guest
# line 7  guest, no description, price 0
# line 8  date "not a date"               -> dropped
# line 9  quantity "x"                    -> dropped
# line 10 C5: cancellation, matches line 2
# line 11 C6: cancellation, qty 3: no sale of 3 -> unmatched
# line 12 ordinary invoice, quantity -1   -> return (negative quantity)
# line 13 negative price
# line 14 C9: cancellation of P5 by cust 102, but dated BEFORE the sale on line 13 -> unmatched


@pytest.fixture
def result():
    # per test, not per module: mutation testing (mutmut) links a test to the functions it
    # calls, and a module-scoped fixture's call is seen only by the first test that uses it
    return load_bytes(FILE.encode(), "orders.csv")


def test_rows_read_kept_and_rejected(result):
    rep = result.report
    assert rep.rows_read == 13
    assert rep.rows_kept == 10
    assert len(result.lines) == 10
    rej = rep.rejected
    assert rej["line_no"].tolist() == [5, 8, 9]
    assert rej["reason"].tolist() == [
        "exact duplicate of an earlier row",
        "missing or unreadable order date",
        "quantity or amount that is not a number",
    ]
    assert rej["InvoiceDate"].tolist()[1] == "not a date"  # original text kept


def test_rule_counts_by_hand(result):
    counts = result.report.counts()
    assert counts["duplicate"] == 1
    assert counts["unreadable_date"] == 1
    assert counts["unreadable_number"] == 1
    assert counts["cancellation_invoice"] == 3  # lines 10, 11, 14
    assert counts["negative_quantity"] == 1  # line 12 only (not on a C invoice)
    assert counts["zero_price"] == 1  # line 7
    assert counts["negative_price"] == 1  # line 13
    assert counts["missing_product_name"] == 1  # line 7
    assert counts["missing_product"] == 0
    assert counts["missing_customer"] == 2  # lines 6, 7
    assert counts["non_product"] == 1  # line 4
    assert counts["trimmed_names"] == 2  # lines 3 and 5
    assert counts["customer_id_float"] == 11  # every line with a customer
    assert counts["cancelled_sale"] == 1
    assert result.report.matched_cancellations == 1
    assert "(3 orders)" in result.report.rule("cancellation_invoice").label


def test_rule_samples_carry_original_line_numbers(result):
    rep = result.report
    assert rep.rule("missing_customer").sample["line_no"].tolist() == [6, 7]
    assert rep.rule("cancelled_sale").sample["line_no"].tolist() == [2]
    assert rep.rule("cancellation_invoice").sample["line_no"].tolist() == [10, 11, 14]
    assert rep.rule("duplicate").action == "dropped"
    assert rep.rule("non_product").action == "flagged"
    assert rep.rule("missing_customer").action == "kept"


def test_flags_and_values(result):
    lines = result.lines.set_index("line_no")
    assert lines.loc[2, "is_cancelled"] and lines["is_cancelled"].sum() == 1
    assert lines.loc[[10, 11, 12, 14], "is_return"].all() and lines["is_return"].sum() == 4
    assert lines.loc[4, "is_non_product"] and lines["is_non_product"].sum() == 1
    assert lines.loc[3, "product_name"] == "Bowl"
    assert pd.isna(lines.loc[7, "product_name"])
    assert lines.loc[2, "revenue"] == 6.0 and lines.loc[10, "revenue"] == -6.0
    assert lines.loc[2, "customer_id"] == "100"


def test_canonical_dtypes(result):
    lines = result.lines
    for col in lines.columns:
        assert str(lines[col].dtype) == str(pd.Series(dtype=schema.DTYPES[col]).dtype), col
    assert set(schema.FLAGS) <= set(lines.columns) and schema.LINE_NO in lines


def test_report_to_dict_is_json(result):
    import json

    rep = result.report
    d = json.loads(json.dumps(rep.to_dict()))
    assert d["rows_read"] == 13 and d["rows_kept"] == 10 and d["matched_cancellations"] == 1
    assert d["rows_dropped"] == 3  # lines 5, 8, 9
    assert d["notes"] == list(rep.notes)
    assert {"rule", "rows", "action", "label"} <= set(d["rules"][0])
    assert {r["rule"]: r["rows"] for r in d["rules"]} == rep.counts()
    with pytest.raises(KeyError, match="no_such_rule"):
        rep.rule("no_such_rule")


def test_sales_lines_after_cleaning(result):
    sales = schema.sales_lines(result.lines)
    # kept sale lines: 2, 3, 6 (line 4 POST, 7 zero price, 13 negative price excluded)
    assert sorted(sales["line_no"].tolist()) == [2, 3, 6]


def test_clean_with_inspect_and_manual_mapping():
    raw = inspect_bytes(FILE.encode(), "orders.csv")
    mapping = propose_mapping(raw).as_dict()
    mapping.pop("customer_id")
    lines, rep = clean(raw, mapping)
    assert "customer_id" not in lines
    assert "missing_customer" not in rep.counts()
    assert rep.matched_cancellations == 0  # matching needs the customer


def test_matching_is_one_to_one_and_latest_earlier_sale():
    text = """Invoice,StockCode,Quantity,InvoiceDate,Price,Customer ID
1,A,1,2024-01-01,2,9
2,A,1,2024-01-02,2,9
C3,A,-1,2024-01-03,2,9
C4,A,-1,2024-01-04,2,9
C5,A,-1,2024-01-05,2,9
"""
    res = load_bytes(text.encode(), "x.csv")
    lines = res.lines.set_index("line_no")
    # two sales, three returns: the first return takes the latest sale (line 3), the second
    # the other (line 2); the third finds nothing left
    assert res.report.matched_cancellations == 2
    assert lines.loc[[2, 3], "is_cancelled"].all()


# ---------------------------------------------------------------------------------- numbers


def s(values):
    return pd.Series(values, dtype="string")


def test_decimal_comma_column():
    conv = to_number(s(["1.234,50", "12,50", "3", "€ 7,25", ""]))
    assert conv.values.tolist()[:4] == [1234.5, 12.5, 3.0, 7.25]
    assert conv.bad.tolist() == [False] * 5
    assert conv.missing.tolist() == [False, False, False, False, True]


def test_thousands_comma_column():
    conv = to_number(s(["1,234.50", "3.5", "$2,000", "(5.00)", "abc"]))
    assert conv.values.tolist()[:4] == [1234.5, 3.5, 2000.0, -5.0]
    assert conv.bad.tolist() == [False, False, False, False, True]


def test_decimal_comma_decided_per_column_not_per_value():
    # "1.234" alone would be 1.234; next to "2,5" the column uses a decimal comma -> 1234
    conv = to_number(s(["1.234", "2,5"]))
    assert conv.values.tolist() == [1234.0, 2.5]


def test_unreadable_numbers_are_counted_with_lines():
    text = "Order,Date,Amount\n1,2024-01-01,10\n2,2024-01-02,ten\n3,2024-01-03,1 234\n"
    res = load_bytes(text.encode(), "x.csv")
    assert res.report.rule("unreadable_number").rows == 1
    assert res.report.rejected["line_no"].tolist() == [3]
    assert res.lines["revenue"].tolist() == [10.0, 1234.0]


# ---------------------------------------------------------------------------------- dates


def test_day_first_proved_by_one_value():
    conv = to_datetime(s(["01/02/2024", "13/01/2024", "05/03/2024 14:30"]))
    assert conv.values.tolist() == [
        pd.Timestamp("2024-02-01"),
        pd.Timestamp("2024-01-13"),
        pd.Timestamp("2024-03-05 14:30"),
    ]
    assert "day/month" in conv.note


def test_month_first_proved_by_one_value():
    conv = to_datetime(s(["12/1/2010 8:26", "12/13/2010 9:00", "1/2/2011 10:00"]))
    assert conv.values.tolist() == [
        pd.Timestamp("2010-12-01 08:26"),
        pd.Timestamp("2010-12-13 09:00"),
        pd.Timestamp("2011-01-02 10:00"),
    ]


def test_ambiguous_dates_decided_once_by_chronology():
    # day-first: 11 Jan, 12 Jan, 1 Feb (in order); month-first: 1 Nov, 1 Dec, 2 Jan (goes back)
    conv = to_datetime(s(["11/01/2024", "12/01/2024", "01/02/2024"]))
    assert conv.values.tolist() == [
        pd.Timestamp("2024-01-11"),
        pd.Timestamp("2024-01-12"),
        pd.Timestamp("2024-02-01"),
    ]
    conv = to_datetime(s(["01/11/2024", "01/12/2024", "02/01/2024"]))
    assert conv.values.tolist() == [
        pd.Timestamp("2024-01-11"),
        pd.Timestamp("2024-01-12"),
        pd.Timestamp("2024-02-01"),
    ]


def test_conflicting_date_evidence_is_counted_not_guessed_per_value():
    conv = to_datetime(s(["13/01/2024", "14/01/2024", "01/13/2024"]))
    assert conv.values.iloc[0] == pd.Timestamp("2024-01-13")
    assert conv.bad.tolist() == [False, False, True]  # not silently read month-first


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2009-12-01 07:45:00", "2009-12-01 07:45:00"),
        ("2024-01-05T10:11:12-05:00", "2024-01-05 10:11:12"),
        ("2024/03/07", "2024-03-07"),
        ("2024年11月11日", "2024-11-11"),
        ("2024年11月11日 20:15", "2024-11-11 20:15"),
        ("20240307", "2024-03-07"),
        ("7 Mar 2024", "2024-03-07"),
        ("Mar 7, 2024", "2024-03-07"),
        ("3/7/24 1:05 PM", None),  # ambiguous alone: tie -> day-first, 3 July 2024 13:05
    ],
)
def test_date_formats(text, expected):
    conv = to_datetime(s([text]))
    if expected is None:
        assert conv.values.iloc[0] == pd.Timestamp("2024-07-03 13:05")
    else:
        assert conv.values.iloc[0] == pd.Timestamp(expected)
    assert not conv.bad.any()


def test_unparseable_dates_dropped_with_line_numbers():
    text = "Order,Date,Amount\n1,2024-01-01,1\n2,,2\n3,31/02/2024,3\n4,2024-01-04,4\n"
    res = load_bytes(text.encode(), "x.csv")
    assert res.report.rule("unreadable_date").rows == 2
    assert res.report.rejected["line_no"].tolist() == [3, 4]
    assert res.lines["order_id"].tolist() == ["1", "4"]


def test_line_numbers_unchanged_by_row_order():
    lines = load_bytes(FILE.encode(), "x.csv").lines
    rng = np.random.default_rng(0)
    body = FILE.strip().split("\n")
    order = rng.permutation(len(body) - 1)
    shuffled = "\n".join([body[0]] + [body[1 + i] for i in order]) + "\n"
    other = load_bytes(shuffled.encode(), "x.csv").lines
    # same set of kept rows (by content) whatever the order
    key = ["order_id", "product_id", "quantity"]
    a = lines[key].astype(str).apply(tuple, axis=1).sort_values().tolist()
    b = other[key].astype(str).apply(tuple, axis=1).sort_values().tolist()
    assert a == b


def test_clean_refuses_a_mapping_that_does_not_fit():
    from ecomdash.errors import MappingError

    raw = inspect_bytes(FILE.encode(), "orders.csv")
    with pytest.raises(MappingError, match="'Nope' not in the file"):
        clean(raw, {"order_id": "Invoice", "product_id": "Nope"})
    with pytest.raises(MappingError, match="unknown field"):
        clean(raw, {"sku": "StockCode"})
    lines, _ = clean(raw, {"order_id": "Invoice", "product_id": "StockCode", "country": None})
    assert list(lines.columns[:2]) == ["order_id", "product_id"]


def naive_cancelled(lines: pd.DataFrame) -> set[int]:
    """Reference matcher, written plainly: returns in time (then file) order, each takes the
    latest unmatched earlier-or-same-time sale of the same customer, product and opposite
    quantity. Returns the line numbers of the cancelled sales."""
    rows = lines.reset_index(drop=True)
    ok = (
        rows["customer_id"].notna()
        & rows["product_id"].notna()
        & rows["quantity"].notna()
        & rows["order_date"].notna()
    )
    sales: dict[tuple, list[tuple]] = {}
    returns = []
    for i, r in rows[ok].iterrows():
        key = (r["customer_id"], r["product_id"], abs(r["quantity"]))
        if r["is_return"] and r["quantity"] < 0:
            returns.append((r["order_date"], i, key))
        elif not r["is_return"] and r["quantity"] > 0:
            sales.setdefault(key, []).append((r["order_date"], i))
    taken: set[int] = set()
    for when, _, key in sorted(returns):
        free = [s for s in sales.get(key, []) if s[0] <= when and s[1] not in taken]
        if free:
            taken.add(max(free)[1])
    return set(rows.loc[sorted(taken), "line_no"])


def test_matching_agrees_with_plain_reference_on_random_files():
    rng = np.random.default_rng(7)
    for trial in range(6):
        n = 400
        cust = rng.choice(["11", "11.0", " 12", "13", ""], n)  # 11 and 11.0 are one customer
        prod = rng.choice(["P1", "P2", " P2", "P3"], n)
        qty = rng.choice([1, 2, 3, -1, -2, -3], n, p=[0.3, 0.2, 0.1, 0.2, 0.1, 0.1])
        day = rng.integers(1, 6, n)  # many lines share a timestamp
        inv = [f"C{k}" if q < 0 and rng.random() < 0.5 else str(k) for k, q in enumerate(qty)]
        body = "\n".join(
            f"{i},{p},{q},2024-01-0{d} 10:00,2.5,{c}"
            for i, p, q, d, c in zip(inv, prod, qty, day, cust, strict=True)
        )
        text = "Invoice,StockCode,Quantity,InvoiceDate,Price,Customer ID\n" + body + "\n"
        res = load_bytes(text.encode(), "x.csv")
        ours = set(res.lines.loc[res.lines["is_cancelled"], "line_no"])
        assert ours == naive_cancelled(res.lines), trial
        assert len(ours) > 10  # the random files do exercise the matching


def test_guest_placeholder_ids_are_guests_not_one_big_customer():
    # WooCommerce writes Customer ID 0 for a guest checkout; others write a word
    text = """Order ID,Order Date,Customer ID,SKU,Quantity,Item Cost
1,2024-01-01,0,P1,1,2
2,2024-01-02,0,P1,1,2
3,2024-01-03,0.0,P2,1,2
4,2024-01-04,Guest,P2,1,2
5,2024-01-05,17,P1,1,2
6,2024-01-06,10,P1,1,2
7,2024-01-07,100,P1,1,2
"""
    res = load_bytes(text.encode(), "woo.csv")
    assert res.lines["customer_id"].isna().tolist() == [True] * 4 + [False] * 3
    # ids that merely contain a zero are untouched
    assert res.lines["customer_id"].dropna().tolist() == ["17", "10", "100"]
    counts = res.report.counts()
    assert counts["guest_placeholder"] == 4
    assert counts["missing_customer"] == 4
    assert counts["customer_id_float"] == 0  # "0.0" is reported as a guest, not a fix
    assert "guest_placeholder" not in load_bytes(FILE.encode(), "orders.csv").report.counts()


def test_rows_differing_in_any_one_column_are_not_duplicates():
    """Only rows equal in every column are duplicates: for each column, a pair of rows that
    differ there alone are both kept; the one exact copy is dropped."""
    header = "Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country"
    base = ["1", "P1", "Mug", "2", "2024-01-02 10:00:00", "3.0", "100.0", "UK"]
    other = ["2", "P2", "Bowl", "3", "2024-01-03 10:00:00", "4.0", "101.0", "DE"]
    rows = [base, list(base)]  # one exact copy
    for i in range(len(base)):
        changed = list(base)
        changed[i] = other[i]
        rows.append(changed)
    text = header + "\n" + "\n".join(",".join(r) for r in rows) + "\n"
    res = load_bytes(text.encode(), "orders.csv")
    assert res.report.rows_read == 10
    assert res.report.counts()["duplicate"] == 1
    assert res.report.rejected["line_no"].tolist() == [3]
    assert len(res.lines) == 9


def test_short_uci_codes_are_non_product_only_when_the_name_says_so():
    # M, S, D, B, C2, C3 are UCI's Manual, Samples, Discount, bad debt, carriage lines, but a
    # size or a SKU in other shops: a line named like a product stays a product
    text = """Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID
1,M,T-shirt size M,1,2024-01-01,12,9
2,S,T-shirt size S,1,2024-01-01,12,9
3,M,Manual,1,2024-01-02,5,9
4,D,Discount,-1,2024-01-02,2,9
5,S,,1,2024-01-03,1,9
6,POST,Blue mug,1,2024-01-03,3,9
7,,Postage,1,2024-01-03,3,9
8,B,Adjust bad debt,1,2024-01-04,3,9
"""
    res = load_bytes(text.encode(), "x.csv")
    flagged = res.lines.set_index("line_no")["is_non_product"]
    assert not flagged[[2, 3]].any()
    assert flagged[[4, 5, 6, 7, 8, 9]].all()
    assert res.report.rule("non_product").rows == 6


def test_short_codes_without_a_name_column_are_non_product():
    text = """Invoice,StockCode,Quantity,InvoiceDate,Price,Customer ID
1,M,1,2024-01-01,12,9
2,P1,1,2024-01-01,12,9
"""
    res = load_bytes(text.encode(), "x.csv")
    assert res.lines.set_index("line_no")["is_non_product"].to_dict() == {2: True, 3: False}
