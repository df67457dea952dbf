"""The cleaning report's counts by hand, rule by rule, on small files: what is dropped,
flagged or kept and why (order states in English and Chinese, summed sales and their event
flags, amounts without unit prices, names without ids, malformed lines, the whole-file
parameters of the partitioned ingest, the mapping errors' wording). Every expected value is
worked out from the lines written in each test (line numbers: header = 1)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ecomdash import schema
from ecomdash.errors import MappingError
from ecomdash.i18n import use_lang
from ecomdash.i18n.note import tr_note
from ecomdash.ingest import clean, inspect_bytes
from ecomdash.ingest.table import RawTable


def read(text: str):
    return inspect_bytes(text.encode(), "x.csv")


def rows(lines: pd.DataFrame, col: str) -> list:
    return [None if pd.isna(v) else v for v in lines[col].tolist()]


# ------------------------------------------------------------------- English order states

ENGLISH = """Order,Date,Customer,SKU,Name,Qty,Amount,Status
1,2024-01-01,7,P1,Mug,2,10,Completed
2,2024-01-02,7,P2,Bowl,1,5,Refunded
3,2024-01-03,8,P1,Mug,-1,-5,Refunded
4,2024-01-04,8,P3,Vase,0,0,Partially refunded
5,2024-01-05,9,P1,Mug,3,,Cancelled
6,2024-01-06,9,P2,Bowl,1,-2,Completed
"""
# line 2 sale
# line 3 refunded sale: kept, flagged, a return line added after it
# line 4 negative quantity: a return already, so not counted as a refunded sale
# line 5 "Partially refunded": not a refund; quantity 0 (no unit price), amount 0
# line 6 refunded sale with an empty amount (counted as missing, kept)
# line 7 negative amount on a sale
ENGLISH_MAP = {
    "order_id": "Order",
    "order_date": "Date",
    "customer_id": "Customer",
    "product_id": "SKU",
    "product_name": "Name",
    "quantity": "Qty",
    "revenue": "Amount",
    "status": "Status",
}


def test_english_refund_states_counted_and_netted_by_added_return_lines():
    lines, rep = clean(read(ENGLISH), ENGLISH_MAP)
    counts = rep.counts()
    assert counts["refund_status"] == 2  # lines 3 and 6 (line 4 is a return already)
    assert rep.rule("refund_status").action == "flagged"
    assert rep.rule("refund_status").sample["line_no"].tolist() == [3, 6]
    assert counts["negative_quantity"] == 1  # line 4
    assert counts["zero_amount"] == 1  # line 5
    assert counts["negative_amount"] == 1  # line 7 (line 4's -5 is a return)
    assert counts["missing_number"] == 1  # line 6
    assert rep.rule("missing_number").action == "kept"
    assert counts["cancelled_sale"] == 0  # line 4's return has no sale of 1 x P1 by 8
    assert "zero_price" not in counts and "negative_price" not in counts
    assert rep.rows_read == 6 and rep.rows_kept == 6 and rep.added_returns == 2
    assert len(rep.rejected) == 0
    # the added return lines come right after their sales, at the opposite quantity/amount
    assert lines["line_no"].tolist() == [2, 3, 3, 4, 5, 6, 6, 7]
    assert lines["quantity"].tolist() == [2, 1, -1, -1, 0, 3, -3, 1]
    assert rows(lines, "revenue") == [10, 5, -5, -5, 0, None, None, -2]
    assert lines["is_return"].tolist() == [False, False, True, True, False, False, True, False]
    assert lines["is_cancelled"].tolist() == [False, True, False, False, False, True, False, False]
    # unit price = amount / quantity, none for quantity 0 or a missing amount
    assert rows(lines, "unit_price") == [5.0, 5.0, 5.0, 5.0, None, None, None, -2.0]
    assert rep.statuses == {}


# ------------------------------------------------------------------- Chinese order states

CHINESE = """Order,Date,Customer,SKU,Qty,Price,Status
1,2024-01-01,7,P1,1,10,交易成功
2,2024-01-02,7,P1,2,10,退款成功
3,2024-01-03,8,P2,1,4,交易关闭
4,2024-01-04,8,P2,1,4,交易关闭
5,2024-01-05,9,P3,1,6,等待买家付款
6,2024-01-06,9,P3,1,6,售后处理中
7,2024-01-07,9,P1,-1,10,退款成功
"""
CHINESE_MAP = {
    "order_id": "Order",
    "order_date": "Date",
    "customer_id": "Customer",
    "product_id": "SKU",
    "quantity": "Qty",
    "unit_price": "Price",
    "status": "Status",
}


def test_chinese_states_dropped_flagged_and_kept_by_meaning():
    lines, rep = clean(read(CHINESE), CHINESE_MAP)
    counts = rep.counts()
    assert counts["status_cancelled"] == 2  # lines 4, 5
    assert counts["status_unpaid"] == 1  # line 6
    assert counts["status_returned"] == 1  # line 3 (line 8 is a return line already)
    assert counts["status_refund_pending"] == 1  # line 7
    assert counts["refund_status"] == 0  # the English rule leaves Chinese states alone
    assert counts["negative_quantity"] == 1  # line 8
    actions = {r.rule: r.action for r in rep.rules}
    assert actions["status_cancelled"] == "dropped" and actions["status_unpaid"] == "dropped"
    assert actions["status_returned"] == "flagged"
    assert actions["status_refund_pending"] == "kept"
    assert rep.statuses == {
        "cancelled": {"交易关闭": 2},
        "unpaid": {"等待买家付款": 1},
        "returned": {"退款成功": 1},
        "refund_pending": {"售后处理中": 1},
    }
    # one state: named without a count of its own (the rule's count is its count)
    label = "order cancelled or closed before any sale (not a sale, left out): 交易关闭"
    assert rep.rule("status_cancelled").label == label
    assert rep.rejected["line_no"].tolist() == [4, 5, 6]
    assert rep.rejected["reason"].tolist() == [
        label,
        label,
        "order not paid (not a sale yet, left out): 等待买家付款",
    ]
    assert rep.rows_read == 7 and rep.rows_kept == 4 and rep.added_returns == 1
    assert lines["line_no"].tolist() == [2, 3, 3, 7, 8]
    assert lines["quantity"].tolist() == [1, 2, -2, 1, -1]
    assert lines["revenue"].tolist() == [10, 20, -20, 6, -10]  # quantity x price
    assert lines["is_cancelled"].tolist() == [False, True, False, False, False]
    assert lines["is_return"].tolist() == [False, False, True, False, True]


def test_state_lists_are_by_count_then_first_seen_and_at_most_six_in_the_label():
    # seven states that platforms_cn.status_kind reads as cancelled
    states = ["交易关闭", "已关闭", "已取消", "订单取消", "已作废", "关闭", "取消"]
    body = []
    k = 0
    # 已关闭 three times, 交易关闭 twice, each other once (in the order above)
    for s, times in zip(states, [2, 3, 1, 1, 1, 1, 1], strict=True):
        for _ in range(times):
            k += 1
            body.append(f"{k},2024-01-{k:02d},P1,1,2,{s}")
    text = "Order,Date,SKU,Qty,Price,Status\n" + "\n".join(body) + "\n"
    mapping = {
        "order_id": "Order",
        "order_date": "Date",
        "product_id": "SKU",
        "quantity": "Qty",
        "unit_price": "Price",
        "status": "Status",
    }
    lines, rep = clean(read(text), mapping)
    assert len(lines) == 0 and rep.counts()["status_cancelled"] == 10
    want = {"已关闭": 3, "交易关闭": 2, "已取消": 1, "订单取消": 1, "已作废": 1, "关闭": 1}
    assert rep.statuses["cancelled"] == {**want, "取消": 1}
    assert list(rep.statuses["cancelled"]) == [*want, "取消"]
    listed = ", ".join(f"{k} ({v})" for k, v in want.items())  # the first six
    assert rep.rule("status_cancelled").label.endswith(f"left out): {listed}")


# ------------------------------------------------------------------- summed sales

SUMMED = """Date,Category,Sales,Holiday
2024-01-01,A,100,FALSE
2024-01-01,B,-20,0
2024-01-02,A,0,TRUE
2024-01-02,A,0,TRUE
2024-01-03,B,50,no
2024-01-04,B,30, Christmas
2024-01-05,A,,
2024-01-06,A,5,-
2024-01-08,A,abc,TRUE
"""
# line 3: negative amount = more returned than sold (a return)
# lines 4 and 5: identical, both kept (no order id), amount 0
# events: lines 4, 5 (TRUE) and 7 (Christmas): 2 Jan and 4 Jan; line 10's TRUE is on a
# dropped row (its amount is not a number)


def test_summed_sales_net_returns_identical_rows_and_events():
    mapping = {"order_date": "Date", "category": "Category", "revenue": "Sales", "event": "Holiday"}
    lines, rep = clean(read(SUMMED), mapping)
    assert rep.kind == "summed"
    counts = rep.counts()
    assert counts["net_return"] == 1 and rep.rule("net_return").action == "flagged"
    assert counts["negative_amount"] == 0  # the -20 is a return, not a bad amount
    assert counts["zero_amount"] == 2
    assert counts["missing_number"] == 1
    assert counts["identical_rows"] == 1 and rep.rule("identical_rows").action == "kept"
    assert rep.rule("identical_rows").sample["line_no"].tolist() == [5]
    assert "duplicate" not in counts
    assert counts["unreadable_number"] == 1 and rep.rejected["line_no"].tolist() == [10]
    assert rep.rows_read == 9 and rep.rows_kept == 8 and len(lines) == 8
    assert lines["is_return"].tolist() == [False, True] + [False] * 6
    assert rep.events == {"column": "Holiday", "dates": ["2024-01-02", "2024-01-04"]}


def test_summed_units_and_amounts_a_negative_quantity_is_not_counted_twice():
    text = "Date,SKU,Units,Sales\n2024-01-01,P1,3,30\n2024-01-01,P2,-2,-10\n2024-01-02,P1,1,-4\n"
    mapping = {"order_date": "Date", "product_id": "SKU", "quantity": "Units", "revenue": "Sales"}
    lines, rep = clean(read(text), mapping)
    assert rep.kind == "summed"
    counts = rep.counts()
    assert counts["negative_quantity"] == 1  # line 3
    assert counts["net_return"] == 1  # line 4 only: line 3 is a return already
    assert rep.rule("net_return").sample["line_no"].tolist() == [4]
    assert counts["negative_amount"] == 0
    assert lines["is_return"].tolist() == [False, True, True]


def test_lines_files_have_no_net_returns_and_no_events():
    text = "Order,Date,Category,Sales,Holiday\n1,2024-01-01,A,-20,TRUE\n"
    mapping = {"order_id": "Order", "order_date": "Date", "revenue": "Sales"}
    _, rep = clean(read(text), {**mapping, "category": "Category", "event": "Holiday"})
    assert rep.kind == "lines" and rep.events == {}
    assert "net_return" not in rep.counts()
    assert rep.counts()["negative_amount"] == 1


# ------------------------------------------------------------------- products


def test_product_name_as_id_and_non_product_names():
    text = "Order,Date,Item,Qty,Price\n1,2024-01-01,Mug,1,2\n1,2024-01-01,POSTAGE,1,5\n2,2024-01-02,,1,3\n"
    lines, rep = clean(
        read(text),
        {
            "order_id": "Order",
            "order_date": "Date",
            "product_name": "Item",
            "quantity": "Qty",
            "unit_price": "Price",
        },
    )
    counts = rep.counts()
    assert counts["missing_product"] == 1  # line 4
    assert "missing_product_name" not in counts  # no id column to have without a name
    assert counts["non_product"] == 1  # line 3
    assert rows(lines, "product_id") == ["Mug", "POSTAGE", None]
    assert lines["is_non_product"].tolist() == [False, True, False]
    assert "No product id column: the product name is used as the product id." in rep.notes


def test_missing_ids_and_names_and_non_product_by_name_only_without_an_id():
    text = """Order,Date,SKU,Item,Qty,Price
1,2024-01-01,P1,Mug,1,2
1,2024-01-01,,Postage,1,5
1,2024-01-01,P2,,1,5
1,2024-01-01,,,1,5
1,2024-01-01,P3,Postage,1,5
1,2024-01-01,POST,Mug,1,5
"""
    mapping = {
        "order_id": "Order",
        "order_date": "Date",
        "product_id": "SKU",
        "product_name": "Item",
        "quantity": "Qty",
        "unit_price": "Price",
    }
    lines, rep = clean(read(text), mapping)
    counts = rep.counts()
    assert counts["missing_product"] == 1  # line 5: neither
    assert counts["missing_product_name"] == 1  # line 4: an id, no name
    # line 3: no id, a postage name; line 7: a postage code (line 6 has an id: a product)
    assert counts["non_product"] == 2
    assert lines["is_non_product"].tolist() == [False, True, False, False, False, True]
    assert not any("No product id column" in n for n in rep.notes)


# ------------------------------------------------------------------- dropped rows


def test_a_row_dropped_for_several_reasons_gives_the_first():
    text = """Order,Date,Qty,Price
1,2024-01-01,1,2
2,not a date,x,2
2,not a date,x,2
3,2024-01-03,y,2
3,2024-01-03,y,2
4,2024-01-04,1,2
4,2024-01-04,1,2
"""
    mapping = {"order_id": "Order", "order_date": "Date", "quantity": "Qty", "unit_price": "Price"}
    lines, rep = clean(read(text), mapping)
    counts = rep.counts()
    assert counts["unreadable_date"] == 2  # lines 3, 4
    assert counts["unreadable_number"] == 4  # lines 3, 4, 5, 6
    assert counts["duplicate"] == 3  # lines 4, 6, 8
    date, number, dup = (
        "missing or unreadable order date",
        "quantity or amount that is not a number",
        "exact duplicate of an earlier row",
    )
    assert rep.rejected["line_no"].tolist() == [3, 4, 5, 6, 8]
    assert rep.rejected["reason"].tolist() == [date, date, number, number, dup]
    # what the merchant downloads: line number, reason, then the file's own columns
    assert list(rep.rejected.columns) == ["line_no", "reason", "Order", "Date", "Qty", "Price"]
    assert rep.rejected.index.tolist() == [0, 1, 2, 3, 4]
    assert rep.rows_read == 7 and rep.rows_kept == 2
    assert lines["line_no"].tolist() == [2, 7]
    assert rep.to_dict()["rows_dropped"] == 5


def test_malformed_lines_are_counted_and_listed_with_the_rejected_rows():
    data = pd.DataFrame(
        {
            "Order": ["1", "2", "3"],
            "Date": ["2024-01-01", "bad", "2024-01-03"],
            "Amt": ["1", "2", "3"],
        },
        dtype="string",
    )
    malformed = pd.DataFrame(
        {
            "line_no": [3, 6],
            "reason": ["4 fields where the header has 3", "2 fields where the header has 3"],
            "text": ["9,2024-01-09,1,1", "8,1"],
        }
    )
    raw = RawTable(data=data, line_no=np.array([2, 4, 5]), format="csv", malformed=malformed)
    lines, rep = clean(raw, {"order_id": "Order", "order_date": "Date", "revenue": "Amt"})
    rule = rep.rule("malformed_row")
    assert (rule.rows, rule.action) == (2, "dropped")
    assert rule.label == "lines with the wrong number of fields (dropped)"
    assert list(rule.sample.columns) == ["line_no", "reason", "text"]
    assert rule.sample["text"].tolist() == ["9,2024-01-09,1,1", "8,1"]
    assert rep.rows_read == 5 and rep.rows_kept == 2
    rej = rep.rejected
    assert rej["line_no"].tolist() == [3, 4, 6]
    assert rej["reason"].tolist() == [
        "4 fields where the header has 3",
        "missing or unreadable order date",
        "2 fields where the header has 3",
    ]
    assert rows(rej, "raw_line") == ["9,2024-01-09,1,1", None, "8,1"]
    assert rows(rej, "Date") == [None, "bad", None]
    assert list(rej.columns) == ["line_no", "reason", "Order", "Date", "Amt", "raw_line"]
    assert rej.index.tolist() == [0, 1, 2]
    assert lines["line_no"].tolist() == [2, 5]


# ------------------------------------------------------------------- whole-file parameters

CANCELS = """Invoice,Date,Customer,SKU,Qty,Price
1,2024-01-01,7,P1,2,3
2,2024-01-02,7,P1,1,3
C3,2024-01-03,7,P1,-2,3
C3,2024-01-03,7,P2,-1,3
C4,2024-01-04,7,P1,-1,3
5,2024-01-05,8,P2,1,3
6,2024-01-06,9,P3,1,3
"""
CANCELS_MAP = {
    "order_id": "Invoice",
    "order_date": "Date",
    "customer_id": "Customer",
    "product_id": "SKU",
    "quantity": "Qty",
    "unit_price": "Price",
}


def test_cancellation_invoices_decided_by_the_file_or_by_the_caller():
    lines, rep = clean(read(CANCELS), CANCELS_MAP)
    counts = rep.counts()
    assert counts["cancellation_invoice"] == 3  # lines 4, 5, 6 (3 of 7 ids: under half)
    assert rep.rule("cancellation_invoice").label == (
        "cancellation lines: order id starts with C (2 orders)"
    )
    assert counts["negative_quantity"] == 0  # all on C invoices
    assert counts["cancelled_sale"] == 2 and rep.matched_cancellations == 2  # lines 2, 3
    sale = rep.rule("cancelled_sale")
    assert sale.action == "flagged"
    assert sale.label == (
        "sale lines a later return cancels (same customer and product, opposite quantity)"
    )
    # a sample is the file's lines as read, with their line numbers first
    assert list(sale.sample.columns) == [
        "line_no",
        "Invoice",
        "Date",
        "Customer",
        "SKU",
        "Qty",
        "Price",
    ]
    assert sale.sample["line_no"].tolist() == [2, 3]
    assert sale.sample["Qty"].tolist() == ["2", "1"]
    assert lines["is_cancelled"].tolist() == [True, True] + [False] * 5
    # told that C ids are not cancellations: the rule is left out, the negatives still count
    _, rep = clean(read(CANCELS), CANCELS_MAP, cancel_invoices=False)
    assert "cancellation_invoice" not in rep.counts()
    assert rep.counts()["negative_quantity"] == 3
    # told they are, on a part of a file without any: the rule is there with no rows
    part = read(CANCELS.replace("C3", "3").replace("C4", "4"))
    _, rep = clean(part, CANCELS_MAP, cancel_invoices=True)
    assert rep.counts()["cancellation_invoice"] == 0
    assert rep.counts()["negative_quantity"] == 3


@pytest.mark.parametrize(
    ("ids", "cancellations"),
    [(["C1", "C2", "3", "4", "5"], 2), (["C1", "C2", "3", "4"], None), (["C1", "C2", "C3"], None)],
)
def test_c_ids_are_cancellations_only_when_fewer_than_half(ids, cancellations):
    body = "\n".join(f"{i},2024-01-0{k + 1},P1,1,2" for k, i in enumerate(ids))
    text = "Invoice,Date,SKU,Qty,Price\n" + body + "\n"
    mapping = {
        "order_id": "Invoice",
        "order_date": "Date",
        "product_id": "SKU",
        "quantity": "Qty",
        "unit_price": "Price",
    }
    _, rep = clean(read(text), mapping)
    assert rep.counts().get("cancellation_invoice") == cancellations


def test_duplicates_given_by_the_caller_replace_the_files_own():
    text = "Order,Date,Amt\n1,2024-01-01,5\n1,2024-01-01,5\n2,2024-01-02,6\n"
    mapping = {"order_id": "Order", "order_date": "Date", "revenue": "Amt"}
    _, rep = clean(read(text), mapping)
    assert rep.counts()["duplicate"] == 1
    # in a part of a larger file: line 4 repeats a line of another part, line 3 does not
    lines, rep = clean(read(text), mapping, duplicates=np.array([0, 0, 1]))
    assert rep.counts()["duplicate"] == 1
    assert rep.rejected["line_no"].tolist() == [4]
    assert lines["line_no"].tolist() == [2, 3]


def test_deferred_returns_leave_matching_and_added_lines_to_the_caller():
    text = CANCELS + "7,2024-01-07,8,P3,1,3\n"
    status = {**CANCELS_MAP, "status": "Status"}
    body = text.strip().split("\n")
    states = ["Status", "", "", "", "", "", "", "", "Refunded"]
    text = "\n".join(f"{line},{s}" for line, s in zip(body, states, strict=True)) + "\n"
    lines, rep = clean(read(text), status, defer_returns=True)
    assert rep.matched_cancellations == 0 and rep.added_returns == 0
    assert "cancelled_sale" not in rep.counts()
    assert rep.counts()["refund_status"] == 1
    assert len(lines) == 8 and not lines["is_cancelled"].any()
    assert lines["_returned"].tolist() == [False] * 7 + [True]
    assert lines["line_no"].tolist() == [2, 3, 4, 5, 6, 7, 8, 9]
    assert lines.dtypes.map(str).to_dict() == {
        **{c: schema.ALL_DTYPES[c] for c in lines.columns if c != "_returned"},
        "_returned": "bool",
    }
    # not deferred: the same file matches two sales and adds one return line
    lines, rep = clean(read(text), status)
    assert rep.matched_cancellations == 2 and rep.added_returns == 1 and len(lines) == 9
    assert "_returned" not in lines


def test_formats_decided_on_the_whole_file_are_used():
    text = 'Order,Date,Qty,Price\n1,01/02/2024,"1,500",2\n'
    mapping = {"order_id": "Order", "order_date": "Date", "quantity": "Qty", "unit_price": "Price"}
    lines, _ = clean(read(text), mapping)
    # alone: the date reads day first (1 Feb), "1,500" is fifteen hundred
    assert lines["order_date"].tolist() == [pd.Timestamp("2024-02-01")]
    assert lines["quantity"].tolist() == [1500.0]
    formats = {"decimal": {"quantity": ","}, "dayfirst": (False, "the file's sample")}
    lines, _ = clean(read(text), mapping, formats=formats)
    assert lines["order_date"].tolist() == [pd.Timestamp("2024-01-02")]
    assert lines["quantity"].tolist() == [1.5]  # the whole file had a decimal comma
    assert lines["revenue"].tolist() == [3.0]


def test_conversion_notes_name_the_field_and_the_column():
    text = 'Order,Date,Qty,Price\n1,01/02/2024,1,"2,5"\n2,13/02/2024,1,"1.234,5"\n'
    mapping = {"order_id": "Order", "order_date": "Date", "quantity": "Qty", "unit_price": "Price"}
    _, rep = clean(read(text), mapping)
    assert rep.notes == (
        "unit_price ('Price'): decimal comma (1.234,50)",
        "order_date ('Date'): day/month/year dates: a first part above 12 proves day/month/year",
    )


# ------------------------------------------------------------------- mapping errors


def test_mapping_errors_name_the_fields_the_columns_and_the_files_columns():
    raw = read("Order,Amt\n1,2\n")
    cols = "the file's columns are 'Order', 'Amt'. Choose again."
    with pytest.raises(MappingError) as e:
        clean(raw, {"sku": "Order", "revenue": "Nope"})
    assert str(e.value) == (
        "The mapping does not fit this file: unknown field 'sku'; column 'Nope' not in "
        "the file; " + cols
    )
    with use_lang("zh"):
        assert tr_note(e.value.args[0]) == (
            "字段映射与该文件不符：未知字段“sku”；文件中没有列“Nope”；文件的列为“Order”、"
            "“Amt”。请重新选择。"
        )
    with pytest.raises(MappingError) as e:
        clean(raw, {"sku": "Order", "amount2": "Amt"})
    assert str(e.value) == (
        "The mapping does not fit this file: unknown fields 'sku', 'amount2'; " + cols
    )
    with pytest.raises(MappingError, match=r"\(file columns: 'Order', 'Amt'\)"):
        clean(raw, {"country": "Order"})  # fits the file, but no analysis can run on it
    with pytest.raises(MappingError) as e:
        clean(raw, {"order_id": "Nope", "revenue": "Nor"})
    assert str(e.value) == (
        "The mapping does not fit this file: columns 'Nope', 'Nor' not in the file; " + cols
    )


def test_full_width_ids_become_ascii_and_guest_words_only_empty_customer_ids():
    # full-width digits and letters in ids (some Chinese exports): ASCII; in names: kept.
    # "0" and "N/A" mean a guest only as a customer id: as a product id or name they stay
    text = "Order,Date,Customer,SKU,Item,Qty,Price\n１２３,2024-01-01,Ａ７,Ｐ１,Ｍｕｇ,1,2\n9,2024-01-02,0,0,N/A,1,2\n"
    mapping = {
        "order_id": "Order",
        "order_date": "Date",
        "customer_id": "Customer",
        "product_id": "SKU",
        "product_name": "Item",
        "quantity": "Qty",
        "unit_price": "Price",
    }
    lines, rep = clean(read(text), mapping)
    assert lines["order_id"].tolist() == ["123", "9"]
    assert rows(lines, "customer_id") == ["A7", None]
    assert lines["product_id"].tolist() == ["P1", "0"]
    assert lines["product_name"].tolist() == ["Ｍｕｇ", "N/A"]
    assert rep.counts()["guest_placeholder"] == 1
    assert rep.counts()["missing_product_name"] == 0


EVERY_RULE = """Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Status
1,P1, Mug ,2,2024-01-02,3.0,100.0,Completed
1,P1, Mug ,2,2024-01-02,3.0,100.0,Completed
2,P2,Bowl,1,bad,5.0,101,Completed
3,P2,Bowl,x,2024-01-03,5.0,101,Completed
4,P2,Bowl,,2024-01-03,5.0,0,Completed
C5,P1,Mug,-2,2024-01-04,3.0,100.0,Completed
6,P3,,1,2024-01-05,0,102,Refunded
7,,,1,2024-01-05,-1,102,Completed
8,POST,POSTAGE,1,2024-01-05,4,,Completed
9,P1,Mug,-1,2024-01-06,3,103,Completed
"""
# line 2 trimmed name, decimal customer id; line 3 its exact copy (dropped); line 4 bad date,
# line 5 bad quantity (dropped); line 6 empty quantity, guest 0; line 7 cancellation of
# line 2; line 8 refunded, price 0, no name; line 9 no product at all, price -1; line 10
# postage, no customer; line 11 a return on an ordinary invoice


def test_every_rule_in_order_with_its_rows_action_and_wording():
    mapping = {
        "order_id": "Invoice",
        "product_id": "StockCode",
        "product_name": "Description",
        "quantity": "Quantity",
        "order_date": "InvoiceDate",
        "unit_price": "Price",
        "customer_id": "Customer ID",
        "status": "Status",
    }
    lines, rep = clean(read(EVERY_RULE), mapping)
    got = [(r.rule, r.rows, r.action, r.label) for r in rep.rules]
    assert got == [
        ("customer_id_float", 3, "kept", "customer ids written as decimals (13085.0 → 13085)"),
        (
            "guest_placeholder",
            1,
            "kept",
            "customer id is a guest placeholder (0, guest, anonymous …): counted as a guest "
            "order, not as one customer",
        ),
        ("trimmed_names", 2, "kept", "product names with spaces around them (trimmed)"),
        ("unreadable_date", 1, "dropped", "missing or unreadable order date"),
        ("unreadable_number", 1, "dropped", "quantity or amount that is not a number"),
        ("duplicate", 1, "dropped", "exact duplicate of an earlier row"),
        (
            "cancellation_invoice",
            1,
            "flagged",
            "cancellation lines: order id starts with C (1 orders)",
        ),
        (
            "negative_quantity",
            1,
            "flagged",
            "negative quantity (a return) outside cancellation orders",
        ),
        (
            "refund_status",
            1,
            "flagged",
            "status says refunded / returned / cancelled (kept as a sale, with a return line "
            "that nets it out)",
        ),
        ("zero_price", 1, "kept", "price is zero"),
        ("negative_price", 1, "kept", "price is negative"),
        ("missing_number", 1, "kept", "quantity or amount left empty"),
        ("missing_product", 1, "kept", "no product id or name"),
        ("missing_product_name", 1, "kept", "product name missing (the id is there)"),
        ("missing_customer", 2, "kept", "no customer id (guest orders)"),
        (
            "non_product",
            1,
            "flagged",
            "postage, fees, adjustments and other non-product lines",
        ),
        (
            "cancelled_sale",
            1,
            "flagged",
            "sale lines a later return cancels (same customer and product, opposite quantity)",
        ),
    ]
    samples = {r.rule: r.sample["line_no"].tolist() for r in rep.rules}
    assert samples["customer_id_float"] == [2, 3, 7]
    assert samples["guest_placeholder"] == [6]
    assert samples["missing_customer"] == [6, 10]
    assert samples["missing_product"] == [9] and samples["missing_product_name"] == [8]
    assert samples["zero_price"] == [8] and samples["negative_price"] == [9]
    assert samples["missing_number"] == [6] and samples["non_product"] == [10]
    assert rep.rows_read == 10 and rep.rows_kept == 7 and rep.added_returns == 1
    assert len(lines) == 8


def test_amount_and_summed_wording():
    _, rep = clean(read(SUMMED), {"order_date": "Date", "category": "Category", "revenue": "Sales"})
    labels = {r.rule: (r.action, r.label) for r in rep.rules}
    assert labels["net_return"] == (
        "flagged",
        "negative amount in summed sales: more returned than sold (counted as returns)",
    )
    assert labels["identical_rows"] == (
        "kept",
        "rows identical to an earlier row, kept: without an order id they may be separate "
        "purchases",
    )
    assert labels["zero_amount"] == ("kept", "amount is zero")
    assert labels["negative_amount"] == ("kept", "amount is negative")


def test_numbers_all_mapped_or_none_mapped():
    # quantity, unit price and amount all mapped: the amount is the file's (a discount on
    # line 2), not recomputed; unreadable numbers are still a rule
    text = "Order,Date,SKU,Qty,Price,Total\n1,2024-01-01,P1,2,5,9\n2,2024-01-02,P1,x,5,5\n"
    mapping = {"order_id": "Order", "order_date": "Date", "product_id": "SKU"}
    numbers = {"quantity": "Qty", "unit_price": "Price", "revenue": "Total"}
    lines, rep = clean(read(text), {**mapping, **numbers})
    assert lines["revenue"].tolist() == [9.0] and lines["unit_price"].tolist() == [5.0]
    assert rep.counts()["unreadable_number"] == 1
    # a basket list (no number at all): no number rules
    lines, rep = clean(read(text), mapping)
    assert len(lines) == 2
    assert not {"unreadable_number", "missing_number", "zero_price"} & set(rep.counts())


def test_refunded_state_alone_still_nets_out_and_summed_units_net_returns():
    # only sales and 退款成功: the returned rule applies though no earlier kind has rows
    text = "Order,Date,SKU,Qty,Price,Status\n1,2024-01-01,P1,1,10,交易成功\n2,2024-01-02,P1,2,10,退款成功\n"
    mapping = {
        "order_id": "Order",
        "order_date": "Date",
        "product_id": "SKU",
        "quantity": "Qty",
        "unit_price": "Price",
        "status": "Status",
    }
    lines, rep = clean(read(text), mapping)
    assert rep.counts()["status_returned"] == 1 and rep.added_returns == 1
    assert lines["revenue"].tolist() == [10, 20, -20]
    assert rep.statuses == {"returned": {"退款成功": 1}}
    # summed units without an amount: a negative count is a net return
    text = "Date,SKU,Units\n2024-01-01,P1,3\n2024-01-01,P2,-2\n"
    lines, rep = clean(read(text), {"order_date": "Date", "product_id": "SKU", "quantity": "Units"})
    assert rep.kind == "summed" and rep.counts()["net_return"] == 0
    assert rep.counts()["negative_quantity"] == 1 and lines["is_return"].tolist() == [False, True]


def test_every_negative_unit_price_is_counted_even_on_a_return_line():
    # a unit price is never negative, return or not (line 3: -1 x -5, a return whose
    # amount comes out positive); a negative amount on a return is the return itself
    text = "Order,Date,SKU,Qty,Price\n1,2024-01-01,P1,2,5\n2,2024-01-02,P1,-1,-5\n3,2024-01-03,P2,1,-3\n"
    mapping = {
        "order_id": "Order",
        "order_date": "Date",
        "product_id": "SKU",
        "quantity": "Qty",
        "unit_price": "Price",
    }
    lines, rep = clean(read(text), mapping)
    assert rep.counts()["negative_price"] == 2
    assert rep.rule("negative_price").sample["line_no"].tolist() == [3, 4]
    assert rep.counts()["negative_quantity"] == 1
    assert lines["revenue"].tolist() == [10.0, 5.0, -3.0]
    assert lines["is_return"].tolist() == [False, True, False]


# ------------------------------------------------------------------- generated merchants


def test_generated_report_says_what_an_upload_of_the_same_lines_would(demo):
    """The demo's saved report (it is generated, not read) counts the flags its lines carry
    under the cleaning's own rules: an upload of the same lines as a CSV file finds the same
    cancellation orders, guest lines, postage and fee lines and sale lines cancelled later.
    Before, the demo's Data page said "No cleaning rule applied" and 0 cancelled later while
    its lines held 4,412 return lines and 4,412 cancelled sales."""
    from ecomdash.ingest import load_bytes
    from ecomdash.ingest.cleaning_report import generated_report

    lines = demo.lines
    cols = [c for c in schema.CANONICAL if c in lines]
    uploaded = load_bytes(lines[cols].to_csv(index=False).encode(), "demo.csv").report
    ours = generated_report(lines, currency="GBP")
    assert ours["currency"] == "GBP"
    assert ours["rows_read"] == ours["rows_kept"] == uploaded.rows_read == len(lines)
    # the upload matches a return to its sale by customer and product, so it cannot match a
    # guest's; the generator knows which sale each return cancels, guests' too
    cancelled = lines[lines[schema.IS_CANCELLED].astype(bool)]
    guests = int(cancelled[schema.CUSTOMER_ID].isna().sum())
    assert 0 < guests < len(cancelled)
    assert ours["matched_cancellations"] == uploaded.matched_cancellations + guests
    counts = {r["rule"]: r["rows"] for r in ours["rules"]}
    assert counts == {r: uploaded.counts()[r] for r in counts}
    assert counts["cancellation_invoice"] > 0 and counts["non_product"] > 0
    labels = {r.rule: str(r.label) for r in uploaded.rules}
    assert all(r["label"] == labels[r["rule"]] for r in ours["rules"])
    from ecomdash.i18n.note import from_json

    with use_lang("zh"):
        shown = tr_note(from_json(ours["notes_msg"][0]))
    assert shown.startswith("由本应用生成，不是从文件读取")


def test_a_report_saved_with_the_cancelled_sales_earlier_label_reads_the_new_one():
    """Reports saved before the cancelled-sales rule was reworded keep its earlier message:
    shown in the new words, in Chinese too (not the earlier English)."""
    from ecomdash.i18n import use_lang
    from ecomdash.i18n.note import note, to_json
    from ecomdash.ingest.clean import OLD_CANCELLED_SALE_LABEL
    from ecomdash.ingest.cleaning_report import rule_label

    old = note(OLD_CANCELLED_SALE_LABEL)
    saved = {"rule": "cancelled_sale", "label": str(old), "label_msg": to_json(old)}
    assert rule_label(saved) == (
        "sale lines a later return cancels (same customer and product, opposite quantity)"
    )
    with use_lang("zh"):
        assert rule_label(saved) == "被之后的退货抵消的销售行（同一客户和商品、件数相反）"
