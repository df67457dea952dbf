"""A return in a later export cancels its sale already saved: ``Store.append`` re-matches the
returns and sales of the groups an appended export touches with every line saved before
(``ingest.stack.rematch``), so saving January and appending February flags the same sales
as one file of both (each export is cleaned alone: February's return of a January sale was
left unmatched, the sale counted)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecomdash.ingest import load_bytes
from ecomdash.ingest.multi import read_tables
from ecomdash.ingest.stack import clean_parts, save_parts
from ecomdash.store import Store

CN = Path(__file__).parents[1] / "fixtures" / "cn_platforms"
HEADER = "Order ID,Date,Customer,SKU,Product,Qty,Price\n"


def _lines(*rows: str) -> bytes:
    return (HEADER + "".join(r + "\n" for r in rows)).encode()


def _body(data: bytes) -> bytes:
    return data.split(b"\n", 1)[1]


def _flags(lines):
    """Each line's identity and flags, in line order."""
    cols = ["order_id", "product_id", "quantity", "is_return", "is_cancelled"]
    return [tuple(r) for r in lines.sort_values("line_no", kind="stable")[cols].values.tolist()]


def _saved_one_by_one(store, files: list[bytes], name="shop"):
    """Save the first export, append each other one (as the Data page and --append-to do)."""
    first = load_bytes(files[0], "f0.csv")
    info = store.save_dataset(name, first.lines, report=first.report)
    results = []
    for i, data in enumerate(files[1:], start=1):
        res = load_bytes(data, f"f{i}.csv")
        results.append(store.append(info.id, res.lines, report=res.report))
    return store.load_lines(info.id), results


def _one_file(files: list[bytes]):
    return load_bytes(files[0] + b"".join(_body(f) for f in files[1:]), "all.csv").lines


JAN = _lines(
    "1001,2025-01-05,C1,A,Apple,2,5.00",
    "1002,2025-01-20,C1,A,Apple,2,5.00",  # the later of C1's two candidate sales
    "1003,2025-01-22,C2,B,Bread,1,3.50",
    "1004,2025-01-25,C3,C,Cheese,4,4.00",
)
FEB = _lines(
    "C2001,2025-02-03,C1,A,Apple,-2,5.00",  # cancels 1002, the latest earlier sale
    "C2002,2025-02-09,C2,B,Bread,-1,3.50",  # cancels 1003
    "1005,2025-02-10,C3,C,Cheese,4,4.00",
)


def test_a_return_in_a_later_export_cancels_a_sale_saved_before(tmp_path):
    store = Store.open(tmp_path / "home")
    lines, (app,) = _saved_one_by_one(store, [JAN, FEB])
    store.close()
    assert _flags(lines) == _flags(_one_file([JAN, FEB]))
    cancelled = sorted(lines.loc[lines["is_cancelled"], "order_id"])
    assert cancelled == ["1002", "1003"]  # 1001 not: one return, one sale
    assert app.cancelled_across == 2
    assert app.dataset.report["appends"][0]["report"]["cancelled_across"] == 2


def test_a_duplicate_line_in_the_later_export_is_matched_once(tmp_path):
    """February's export repeats January's last sale (skipped as a duplicate) beside its
    return: the return cancels the saved sale, not its skipped repeat."""
    feb = _lines("1003,2025-01-22,C2,B,Bread,1,3.50", "C2002,2025-02-09,C2,B,Bread,-1,3.50")
    store = Store.open(tmp_path / "home")
    lines, (app,) = _saved_one_by_one(store, [JAN, feb])
    store.close()
    assert app.duplicates == 1 and app.added == 1
    assert sorted(lines.loc[lines["is_cancelled"], "order_id"]) == ["1003"]
    assert app.cancelled_across == 1


def test_a_sale_in_a_third_export_dated_before_a_saved_return_takes_its_match(tmp_path):
    """Exports need not come in date order: March's file holds a sale of 1 February, before
    February's saved return of 3 February. One file of all three matches the return to that
    sale (the latest earlier one), not to January's 1002: the append writes back both flags,
    1002's cancellation undone."""
    mar = _lines("1006,2025-02-01,C1,A,Apple,2,5.00", "1007,2025-03-02,C4,A,Apple,1,5.00")
    store = Store.open(tmp_path / "home")
    lines, apps = _saved_one_by_one(store, [JAN, FEB, mar])
    store.close()
    assert _flags(lines) == _flags(_one_file([JAN, FEB, mar]))
    assert sorted(lines.loc[lines["is_cancelled"], "order_id"]) == ["1003", "1006"]
    assert [a.cancelled_across for a in apps] == [2, 0]  # one moved: no more cancelled


def _jd(rows: list[tuple[str, str, str, str, str]]) -> bytes:
    """A JD export (GBK) of (order, product, time, account, state) rows, one item each."""
    raw = (CN / "jd_orders.csv").read_bytes().decode("gbk").splitlines()
    head, sample = raw[0], raw[1].split(",")
    out = [head]
    for order, product, when, account, state in rows:
        r = list(sample)
        r[0], r[1], r[5], r[11], r[13] = f"\t{order}", f"\t{product}", when, state, account
        out.append(",".join(r))
    return ("\n".join(out) + "\n").encode("gbk")


def test_a_refunded_state_keeps_its_flags_when_an_append_touches_its_group(tmp_path):
    """A refunded order (退款成功) is kept as a sale flagged cancelled, with a return line
    added after it that shares its line number: when a later export's lines of the same
    customer and product are re-matched, the sale keeps its flag and the added return line
    cancels nothing else (the earlier sale 1 stays a sale), as in one file of both."""
    jan = _jd(
        [
            ("281", "100012345678", "2024-06-01 10:00:00", "jd_user_001", "完成"),
            ("282", "100012345678", "2024-06-05 10:00:00", "jd_user_001", "退款成功"),
        ]
    )
    feb = _jd([("283", "100012345678", "2024-07-02 10:00:00", "jd_user_001", "完成")])
    store = Store.open(tmp_path / "home")
    lines, (app,) = _saved_one_by_one(store, [jan, feb])
    store.close()
    one = load_bytes(jan + _body(feb), "all.csv").lines
    assert int(one["is_return"].sum()) == 1  # the refund's added return line
    assert _flags(lines) == _flags(one)
    assert sorted(lines.loc[lines["is_cancelled"], "order_id"]) == ["282"]
    assert app.cancelled_across == 0


def test_a_stacked_upload_appended_to_a_saved_dataset_cancels_each_sale_once(tmp_path):
    """``save_parts`` appends each of an upload's files, each append re-matching with the
    lines saved before it (the dataset's and the upload's): January saved, then February and
    March uploaded together to it. Every sale is cancelled once, as in one file of all three;
    the upload says how many it cancelled, and so does the dataset's report."""
    from ecomdash.ingest.stack import cancelled_across

    mar = _lines("1006,2025-03-01,C3,C,Cheese,4,4.00", "C2003,2025-03-04,C3,C,Cheese,-4,4.00")
    store = Store.open(tmp_path / "home")
    first = load_bytes(JAN, "jan.csv")
    info = store.save_dataset("shop", first.lines, report=first.report)
    sources: dict = {}
    parts = clean_parts(read_tables([("feb.csv", FEB), ("mar.csv", mar)], sources=sources), sources)
    res = save_parts(store, parts, append_to=info.id)
    lines = store.load_lines(info.id)
    report = store.info(info.id).report
    store.close()
    assert _flags(lines) == _flags(_one_file([JAN, FEB, mar]))
    # 1002 and 1003 by February's returns; C2003 cancels March's own 1006 (its own cleaning)
    assert sorted(lines.loc[lines["is_cancelled"], "order_id"]) == ["1002", "1003", "1006"]
    assert res.cancelled_across == 2
    assert cancelled_across(report) == 2


@pytest.mark.parametrize("n", [1, 2])
def test_rematch_of_nothing_new_changes_nothing(n):
    """The engine-neutral part alone: lines already matched as one file give their own flags."""
    from ecomdash.ingest.stack import REMATCH_COLUMNS, rematch

    files = [JAN, FEB][:n]
    one = _one_file(files)
    cols = [c for c in REMATCH_COLUMNS if c in one]
    flags, more = rematch(one[cols].iloc[::-1])  # any order: file order is the line number
    assert list(flags) == list(one["is_cancelled"].iloc[::-1]) and more == 0


SAID = {
    "en": "2 sale lines are cancelled by a return in another export of this dataset (a January "
    "sale returned in February's export, say), as one file of all of them would count them.",
    "zh": "有\u00a02\u00a0行销售被本数据集另一个导出文件中的退货冲销（例如一月的销售在二月的导出文件中退货）"
    "，与把所有文件合成一个文件时的计算相同。",
}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_cli_append_to_says_how_many_saved_sales_it_cancels(tmp_path, capsys, lang):
    import json

    from ecomdash.cli import main

    for name, data in (("jan.csv", JAN), ("feb.csv", FEB)):
        (tmp_path / name).write_bytes(data)
    assert main(["ingest", str(tmp_path / "jan.csv"), "--name", "Winter"]) == 0
    capsys.readouterr()
    argv = ["ingest", str(tmp_path / "feb.csv"), "--append-to", "Winter"]
    assert main([*argv, "--lang", lang]) == 0
    out = capsys.readouterr().out
    assert SAID[lang] in out, out
    # appending it again adds nothing and cancels nothing more
    assert main([*argv, "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["cancelled_across"] == 0 and got["added"] == 0


def test_cli_append_to_json_counts_them(tmp_path, capsys):
    import json

    from ecomdash.cli import main

    for name, data in (("jan.csv", JAN), ("feb.csv", FEB)):
        (tmp_path / name).write_bytes(data)
    assert main(["ingest", str(tmp_path / "jan.csv"), "--name", "Winter"]) == 0
    capsys.readouterr()
    assert main(["ingest", str(tmp_path / "feb.csv"), "--append-to", "Winter", "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["cancelled_across"] == 2 and got["added"] == 3


MAR = _lines("1006,2025-02-01,C1,A,Apple,2,5.00", "1007,2025-03-02,C4,A,Apple,1,5.00")


def test_the_spark_lake_flags_the_same_lines_as_duckdb_and_one_file(spark_session, tmp_path):
    """``SparkStore.append`` re-matches as ``Store.append`` does: the changed flags go in a
    small ``flags-<part>.parquet`` of the version, listed in its catalogue entry and laid over
    the parts when the lines are read (the latest version's flag wins: March's append undoes
    February's cancellation of 1002). Both engines equal one file of all the exports; a
    delete removes the flags files with the dataset."""
    from ecomdash.spark.store import SparkStore

    sp = SparkStore(spark_session, str(tmp_path / "lake"))
    duck = Store.open(tmp_path / "home")
    jd_jan = _jd(
        [
            ("281", "100012345678", "2024-06-01 10:00:00", "jd_user_001", "完成"),
            ("282", "100012345678", "2024-06-05 10:00:00", "jd_user_001", "退款成功"),
        ]
    )
    jd_feb = _jd([("283", "100012345678", "2024-07-02 10:00:00", "jd_user_001", "完成")])
    cases = {"feb": [JAN, FEB], "mar": [JAN, FEB, MAR], "refunded": [jd_jan, jd_feb]}
    for name, files in cases.items():
        on_lake, lake_apps = _saved_one_by_one(sp, files, name)
        in_duck, duck_apps = _saved_one_by_one(duck, files, name)
        one = _flags(_one_file(files)) if name != "refunded" else None
        assert _flags(on_lake) == _flags(in_duck), name
        if one is not None:
            assert _flags(on_lake) == one, name
        assert [a.cancelled_across for a in lake_apps] == [a.cancelled_across for a in duck_apps], (
            name
        )
    duck.close()
    mar = sp.resolve("mar")
    entry = sp._entry(mar.id)
    assert len(entry["flags"]) == 2  # February's append and March's both changed flags
    cancelled = sp.load_lines(mar.id)
    assert sorted(cancelled.loc[cancelled["is_cancelled"], "order_id"]) == ["1003", "1006"]
    flags = [sp._flags_path(mar.id, p) for p in entry["flags"]]
    assert all(sp._lake.exists(f) for f in flags)
    sp.delete(mar.id)
    assert not any(sp._lake.exists(f) for f in flags)


def test_a_lake_written_before_flags_files_reads_as_before(spark_session, tmp_path):
    """A catalogue entry without ``flags`` (a lake of an older ecomdash) reads its parts'
    flags as they are."""
    from ecomdash.spark.store import SparkStore

    sp = SparkStore(spark_session, str(tmp_path / "lake"))
    lines, _ = _saved_one_by_one(sp, [JAN, FEB])
    ds = sp.list_datasets()[0].id

    def forget(cat):
        cat[ds].pop("flags")

    sp._update_catalog("forget", forget)
    old = sp.load_lines(ds)
    assert sorted(lines.loc[lines["is_cancelled"], "order_id"]) == ["1002", "1003"]
    assert not old["is_cancelled"].any()  # each file's own cleaning found none


@pytest.mark.slow
def test_uci_months_appended_one_by_one_equal_the_whole_file(_isolated_home, capsys, uci_lines):
    """UCI Online Retail II 2009-2010 cut into its 13 months by invoice date: the first saved,
    the other twelve appended one by one. Every line's ``is_cancelled`` is the whole file's
    (3,205 cancelled sales; before the re-match 1,773), and so are ``ecomdash kpis``' orders
    and customers (20,434 and 4,274; before 20,471 and 4,278). Minutes: marked slow."""
    import gzip
    import io
    import json

    import pandas as pd

    from ecomdash.cli import main
    from tests.conftest import UCI_PATH, shared

    text = gzip.decompress(shared(UCI_PATH).read_bytes()).decode("utf-8")
    head, *body = text.splitlines(keepends=True)
    months = pd.to_datetime(pd.read_csv(io.StringIO(text), dtype=str)["InvoiceDate"])
    months = months.dt.strftime("%Y-%m").to_numpy()
    assert len(months) == len(body)
    files = [
        (head + "".join(line for m, line in zip(months, body, strict=True) if m == month)).encode()
        for month in sorted(set(months))
    ]
    assert len(files) == 13
    store = Store.open(_isolated_home)
    lines, apps = _saved_one_by_one(store, files)
    ds = store.list_datasets()[0].id
    store.close()
    assert sum(a.cancelled_across for a in apps) == 3_205 - 1_773
    cols = ["order_id", "product_id", "customer_id", "order_date", "quantity", "is_cancelled"]

    def key(frame):
        return sorted(frame[cols].astype(str).itertuples(index=False, name=None))

    assert int(lines["is_cancelled"].sum()) == int(uci_lines["is_cancelled"].sum()) == 3_205
    assert key(lines) == key(uci_lines)
    capsys.readouterr()
    assert main(["kpis", "--dataset", ds, "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert (got["orders"], got["customers"]) == (20_434, 4_274)


def test_a_stacked_uploads_per_file_counts_are_never_below_zero(tmp_path):
    """Three exports saved at once: February's own return cancels its own sale, March's
    return cancels January's sale. The upload used to match all three files first, then
    each append re-matched against the files saved so far: February's append, not seeing
    March's return, undid January's cancellation and its report said -1 (March's +1; the
    total right). Now each file's report says what its append did, as counts: February's
    nothing across files, March's return cancels 1 sale saved before it."""
    from ecomdash.ingest.stack import cancelled_across

    jan = _lines("1001,2025-01-05,C1,A,Apple,2,5.00")
    feb = _lines("1005,2025-02-01,C1,A,Apple,2,5.00", "C2001,2025-02-02,C1,A,Apple,-2,5.00")
    mar = _lines("C3001,2025-03-01,C1,A,Apple,-2,5.00")
    store = Store.open(tmp_path / "home")
    sources: dict = {}
    files = [("jan.csv", jan), ("feb.csv", feb), ("mar.csv", mar)]
    res = save_parts(store, clean_parts(read_tables(files, sources=sources), sources), name="q1")
    lines = store.load_lines(res.dataset.id)
    report = store.info(res.dataset.id).report
    store.close()
    assert _flags(lines) == _flags(_one_file([jan, feb, mar]))
    assert sorted(lines.loc[lines["is_cancelled"], "order_id"]) == ["1001", "1005"]
    per_file = [a["report"].get("cancelled_across", 0) for a in report["appends"]]
    assert per_file == [0, 1]  # was [-1, 1]
    assert report.get("cancelled_across", 0) == 0  # was the upload's 1, said by the first file
    assert [
        (a["report"].get("returns_across", 0), a["report"].get("sales_across", 0))
        for a in report["appends"]
    ] == [(0, 0), (1, 0)]
    assert [(f.returns_across, f.sales_across) for f in res.files] == [(0, 0), (0, 0), (1, 0)]
    assert res.cancelled_across == cancelled_across(report) == 1


def test_an_append_counts_the_sales_it_holds_that_a_saved_return_cancels(tmp_path):
    """March's export holds a sale of 1 February, before February's saved return: the return
    cancels it instead of January's 1002. March's append says so (1 of its sales cancelled by
    a return saved before it) and adds nothing to the dataset's total, whose net figure would
    have hidden the move; February's returns cancel 2 sales saved before them."""
    store = Store.open(tmp_path / "home")
    _, apps = _saved_one_by_one(store, [JAN, FEB, MAR])
    store.close()
    assert [(a.returns_across, a.sales_across, a.cancelled_across) for a in apps] == [
        (2, 0, 2),
        (0, 1, 0),
    ]


def test_the_rematch_query_reads_only_the_touched_groups_with_a_sale_and_a_return(tmp_path):
    """``rematch_sql``: every line, saved or appended, of the customer × product ×
    quantity-size groups an appended line is in that hold a sale and a return, and no other
    line. A single pass that looked for the sale and the return among the appended lines alone
    would miss C1's group (its sale saved, its return appended); one without the touched
    groups would read C3's, which the append does not touch; one joining the touched groups by
    customer and product alone would read C1's 5-unit sale and return."""
    from ecomdash.store_rematch import rematch_sql

    saved = _lines(
        "1001,2025-01-05,C1,A,Apple,2,5.00",  # C1 A 2: its return appended
        "1002,2025-01-06,C1,A,Apple,5,5.00",  # C1 A 5: another size, untouched, with
        "C1009,2025-01-12,C1,A,Apple,-5,5.00",  # a sale and a return
        "1003,2025-01-07,C2,B,Bread,1,3.50",  # C2 B 1: touched, but no return anywhere
        "1004,2025-01-08,C3,C,Cheese,4,4.00",  # C3 C 4: a sale and a return, untouched
        "C1005,2025-01-09,C3,C,Cheese,-4,4.00",
        "1006,2025-01-10,C4,D,Dates,3,2.00",  # C4 D 3: both appended
    )
    appended = _lines(
        "C2001,2025-02-03,C1,A,Apple,-2,5.00",
        "1007,2025-02-04,C2,B,Bread,1,3.50",
        "1008,2025-02-05,C4,D,Dates,3,2.00",
        "C2002,2025-02-06,C4,D,Dates,-3,2.00",
    )
    store = Store.open(tmp_path / "home")
    first = load_bytes(saved, "jan.csv")
    info = store.save_dataset("shop", first.lines, report=first.report)
    offset = int(store.load_lines(info.id)["line_no"].max())
    store.append(info.id, load_bytes(appended, "feb.csv").lines)
    info = store.info(info.id)
    got = store._cur().sql(rematch_sql(info), params=[store.workspace, info.id, offset]).df()
    lines = store.load_lines(info.id)
    store.close()
    ids = dict(zip(lines["line_no"], lines["order_id"], strict=True))
    assert sorted(ids[n] for n in got["line_no"]) == ["1001", "1006", "1008", "C2001", "C2002"]
