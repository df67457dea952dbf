"""Several order exports of one upload stacked into one dataset (ecomdash.ingest.stack): each
read, mapped and cleaned on its own; overlapping exports not doubled (the same as saving the
first and appending the others); different currencies refused; fields one export lacks named."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecomdash import labels as L
from ecomdash.errors import ParameterError
from ecomdash.i18n import use_lang
from ecomdash.i18n.note import tr_note
from ecomdash.ingest import load_bytes
from ecomdash.ingest.multi import propose_joins, read_tables, stack_names
from ecomdash.ingest.stack import check_parts, clean_parts, save_parts
from ecomdash.store import Store
from tests.multi_fixtures import olist_like

CN = Path(__file__).parents[1] / "fixtures" / "cn_platforms"

HEADER = "Order ID,Date,Customer,SKU,Product,Qty,Price\n"
# January to March: 4 lines, 2×5.00 + 3.50 + 5.00 + 3×4.00 = 30.50
JAN_MAR = (
    HEADER
    + "1001,2025-01-10,C1,A,Apple,2,5.00\n"
    + "1002,2025-02-11,C2,B,Bread,1,3.50\n"
    + "1003,2025-03-05,C1,A,Apple,1,5.00\n"
    + "1004,2025-03-20,C3,C,Cheese,3,4.00\n"
).encode()
# March to May: March's two lines again, two new ones (2×3.50 + 5.00 = 12.00) and, on the
# file's line 6, a date that cannot be read (dropped)
MAR_MAY = (
    HEADER
    + "1003,2025-03-05,C1,A,Apple,1,5.00\n"
    + "1004,2025-03-20,C3,C,Cheese,3,4.00\n"
    + "1005,2025-04-02,C2,B,Bread,2,3.50\n"
    + "1006,2025-05-15,C4,A,Apple,1,5.00\n"
    + "1007,not a date,C5,A,Apple,1,5.00\n"
).encode()


def _files():
    return [("jan_mar.csv", JAN_MAR), ("mar_may.csv", MAR_MAY)]


def test_overlapping_exports_stack_as_save_then_append(tmp_path):
    sources: dict = {}
    tables = read_tables(_files(), sources=sources)
    assert stack_names(tables) == ("jan_mar", "mar_may")
    parts = clean_parts(tables, sources)
    assert [p.name for p in parts] == ["jan_mar.csv", "mar_may.csv"]
    # each file cleaned on its own: its own counts and its own line numbers
    assert [(p.report.rows_read, p.report.rows_kept) for p in parts] == [(4, 4), (5, 4)]
    assert list(parts[1].report.rejected["line_no"]) == [6]
    assert check_parts(parts) == ()

    store = Store.open(tmp_path / "stacked")
    res = save_parts(store, parts, name="Spring")
    info = res.dataset
    lines = store.load_lines(info.id)
    rejected = store.rejected_rows(info.id)
    store.close()
    # by hand: 4 + 2 new lines (March's two skipped), 30.50 + 12.00
    assert info.rows == 6 and len(lines) == 6
    assert lines["revenue"].sum() == pytest.approx(42.5)
    assert sorted(lines["order_id"]) == ["1001", "1002", "1003", "1004", "1005", "1006"]
    assert [(f.name, f.offered, f.added, f.duplicates) for f in res.files] == [
        ("jan_mar.csv", 4, 4, 0),
        ("mar_may.csv", 4, 2, 2),
    ]
    # the dropped row says which file and which of its lines
    assert rejected[["file", "line_no"]].values.tolist() == [["mar_may.csv", 6]]
    # the dataset's report lists every file
    assert info.report["file"] == "jan_mar.csv"
    assert [a["report"]["file"] for a in info.report["appends"]] == ["mar_may.csv"]

    # figure for figure what saving the first and appending the second does
    store = Store.open(tmp_path / "by_hand")
    first = load_bytes(JAN_MAR, "jan_mar.csv")
    second = load_bytes(MAR_MAY, "mar_may.csv")
    saved = store.save_dataset("Spring", first.lines, report=first.report)
    app = store.append(saved.id, second.lines, report=second.report)
    ref = store.load_lines(saved.id)
    store.close()
    assert (app.dataset.rows, app.duplicates) == (info.rows, res.files[1].duplicates)
    assert ref["revenue"].sum() == pytest.approx(lines["revenue"].sum())
    keys = ["rows_read", "rows_kept", "rows_dropped", "added_returns"]
    assert [info.report[k] for k in keys] == [app.dataset.report[k] for k in keys]
    got = [(a["rows_offered"], a["added"], a["duplicates"]) for a in info.report["appends"]]
    want = [(a["rows_offered"], a["added"], a["duplicates"]) for a in app.dataset.report["appends"]]
    assert got == want
    assert [a["report"]["rules"] for a in info.report["appends"]] == [
        a["report"]["rules"] for a in app.dataset.report["appends"]
    ]


def test_taobao_and_jd_exports_stacked(tmp_path):
    names = ["taobao_items_v2.csv", "jd_orders.csv"]
    sources: dict = {}
    tables = read_tables([(n, (CN / n).read_bytes()) for n in names], sources=sources)
    assert stack_names(tables) == ("taobao_items_v2", "jd_orders")
    parts = clean_parts(tables, sources)
    # by hand from the files. Taobao: 6 rows, 2 never paid (等待买家付款, 交易关闭 at 0.00)
    # left out, 4 kept, 1 refunded (退款成功) adds its return: 5 lines,
    # 128 + 108 + 45 + 399 - 45 = 635. JD: 9 rows, line 5 ((删除)已取消) and line 8 (等待付款)
    # left out, 7 kept, order 4 cancelled after payment adds its return: 8 lines,
    # 199 + 59.8 + 349 + 199 - 199 + 259 + 349 + 79 = 1,294.8
    assert [(p.report.rows_read, p.report.rows_kept, len(p.lines)) for p in parts] == [
        (6, 4, 5),
        (9, 7, 8),
    ]
    assert sorted(parts[1].report.rejected["line_no"]) == [5, 8]
    assert [p.currency for p in parts] == ["CNY", "CNY"]
    notes = check_parts(parts)
    # Taobao's report has no customer, province or channel: said, not dropped silently
    assert notes == (
        "'taobao_items_v2.csv' has no customer_id, country, channel: its 5 lines have none.",
    )
    with use_lang("zh"):
        shown = [tr_note(n) for n in notes]
    assert shown == [
        "“taobao_items_v2.csv”没有客户 ID、国家/地区、渠道：它的\u00a05\u00a0个订单行都没有这一项。"
    ]

    store = Store.open(tmp_path)
    res = save_parts(store, parts, name="两个店")
    lines = store.load_lines(res.dataset.id)
    store.close()
    assert res.dataset.rows == 13 and [f.duplicates for f in res.files] == [0, 0]
    assert lines["revenue"].sum() == pytest.approx(635 + 1294.8)
    assert res.dataset.report["currency"] == "CNY"
    # JD's customer ids kept, though the first file (Taobao's) has none
    assert "customer_id" in res.dataset.columns
    jd = lines[lines["order_id"].str.startswith("2800")]
    assert len(jd) == 8 and jd["customer_id"].notna().all()
    assert lines.loc[~lines.index.isin(jd.index), "customer_id"].isna().all()


def test_different_currencies_refused():
    dollars = (
        HEADER + "1,2025-01-10,C1,A,Apple,2,$5.00\n2,2025-01-11,C2,B,Pear,1,$3.00\n"
    ).encode()
    yuan = (CN / "jd_orders.csv").read_bytes()
    sources: dict = {}
    tables = read_tables([("us_shop.csv", dollars), ("jd_orders.csv", yuan)], sources=sources)
    parts = clean_parts(tables, sources)
    assert [p.currency for p in parts] == ["USD", "CNY"]
    with pytest.raises(ParameterError) as err:
        check_parts(parts)
    msg = str(err.value)
    assert "'us_shop.csv' in USD" in msg and "'jd_orders.csv' in CNY" in msg
    assert "Save each currency as a dataset of its own" in msg


def test_related_tables_are_not_stacked():
    # one export's orders + items + customers … are joined, as before
    files, _ = olist_like()
    tables = read_tables(list(files.items()))
    assert stack_names(tables) is None
    assert propose_joins(tables).joins


def test_a_mix_joins_the_related_tables_and_leaves_the_other_export_out():
    # Taobao's order and item reports are one export's two tables; JD's export beside them is
    # not stacked with a joined pair: the pair is joined, JD's left out with what to do
    names = ["taobao_orders.csv", "taobao_items.csv", "jd_orders.csv"]
    tables = read_tables([(n, (CN / n).read_bytes()) for n in names])
    assert stack_names(tables) is None
    proposal = propose_joins(tables)
    assert proposal.fact == "taobao_items"
    assert [j.table for j in proposal.joins] == ["taobao_orders"]
    assert proposal.unused == ("jd_orders",)
    assert "is an order export of its own" in proposal.notes[0]


def test_a_failed_later_file_leaves_no_dataset(tmp_path, monkeypatch):
    sources: dict = {}
    parts = clean_parts(read_tables(_files(), sources=sources), sources)
    store = Store.open(tmp_path)

    def broken(*args, **kwargs):
        raise ParameterError("disk full")

    monkeypatch.setattr(store, "append", broken)
    with pytest.raises(ParameterError, match="disk full"):
        save_parts(store, parts, name="Spring")
    assert store.list_datasets() == []
    store.close()


def test_two_files_of_the_same_name_keep_apart():
    sources: dict = {}
    tables = read_tables([("orders.csv", JAN_MAR), ("orders.csv", MAR_MAY)], sources=sources)
    parts = clean_parts(tables, sources)
    assert [p.name for p in parts] == ["orders", "orders (2)"]


# January's sales; February's export returns two of them (C1's two apples, C2's bread), holds
# March's sale of C1's apples again (the save skips the repeat) and returns it on 20 March
JAN = (
    HEADER
    + "1001,2025-01-10,C1,A,Apple,2,5.00\n"
    + "1002,2025-01-11,C2,B,Bread,1,3.50\n"
    + "1003,2025-03-05,C1,A,Apple,2,5.00\n"
).encode()
FEB = (
    HEADER
    + "C2001,2025-02-03,C1,A,Apple,-2,5.00\n"
    + "1003,2025-03-05,C1,A,Apple,2,5.00\n"
    + "C2002,2025-03-09,C2,B,Bread,-1,3.50\n"
    + "C2003,2025-03-20,C1,A,Apple,-2,5.00\n"
).encode()


def test_a_return_in_a_later_export_cancels_a_sale_of_an_earlier_one(tmp_path):
    """Each export is cleaned on its own, so a February return of a January sale (a return in
    the month after the sale: twelve monthly UCI files left 1,432 of the year's 3,205 such
    sales uncancelled) found no sale in its own file. The stacked dataset's cancelled sales are
    now the ones one file of both exports gets: C1's January apples (cancelled by C2001, the
    latest earlier sale of 2 apples before 3 February), C2's January bread (C2002) and C1's
    March apples (C2003), matched to the line saved, not to its repeat the save skips."""
    sources: dict = {}
    tables = read_tables([("jan.csv", JAN), ("feb.csv", FEB)], sources=sources)
    parts = clean_parts(tables, sources)
    # neither file's own cleaning finds the January ones; February's matches March's return to
    # its own copy of the March sale, which the save skips
    assert [int(p.lines["is_cancelled"].sum()) for p in parts] == [0, 1]
    store = Store.open(tmp_path / "stacked")
    res = save_parts(store, parts, name="Winter")
    lines = store.load_lines(res.dataset.id)
    store.close()
    cancelled = lines.loc[lines["is_cancelled"], ["order_id", "product_id"]].values.tolist()
    assert sorted(cancelled) == [["1001", "A"], ["1002", "B"], ["1003", "A"]]
    assert res.cancelled_across == 3
    assert len(lines) == 6  # 3 + 3 new (1003 skipped)

    # the same as one file holding both exports' lines
    one = load_bytes(JAN + FEB[len(HEADER) :], "both.csv")
    by_file = one.lines.loc[one.lines["is_cancelled"], ["order_id", "product_id"]]
    assert sorted(by_file.values.tolist()) == sorted(cancelled)


def test_matching_across_exports_keeps_a_refunded_state_and_changes_nothing_alone(tmp_path):
    """A Chinese marketplace export's refunded orders are flagged by their state (a return
    line added after the sale, sharing its line number): stacked beside another export, those
    flags stay as the file's own cleaning set them; exports whose returns all find their sale
    in their own file change nothing (each append's re-match, ``Store.append``)."""
    names = ["taobao_items_v2.csv", "jd_orders.csv"]
    sources: dict = {}
    tables = read_tables([(n, (CN / n).read_bytes()) for n in names], sources=sources)
    parts = clean_parts(tables, sources)
    own = [int(p.lines["is_cancelled"].sum()) for p in parts]
    assert sum(own) > 0  # the fixtures have refunded orders
    store = Store.open(tmp_path / "home")
    res = save_parts(store, parts, name="cn")
    lines = store.load_lines(res.dataset.id)
    store.close()
    assert int(lines["is_cancelled"].sum()) == sum(own)
    assert res.cancelled_across == 0
    assert [(f.returns_across, f.sales_across) for f in res.files] == [(0, 0), (0, 0)]


def _shop_beside_jd():
    """A shop's own export, amounts without a sign, beside JD's (in yuan: the platform's)."""
    plain = (HEADER + "1,2025-01-10,C1,A,Apple,2,5.00\n2,2025-01-11,C2,B,Pear,1,3.00\n").encode()
    sources: dict = {}
    tables = read_tables(
        [("shop.csv", plain), ("jd_orders.csv", (CN / "jd_orders.csv").read_bytes())],
        sources=sources,
    )
    return clean_parts(tables, sources)


def test_a_file_without_a_sign_beside_a_yuan_export_is_named(tmp_path):
    """Before, the dataset took CNY from JD's export without a word about 'shop.csv', whose
    amounts say no currency. Now a note names the file and what to do; the currency chosen
    when saving decides (the Save form's, ``--currency``), else the one found (CNY)."""
    parts = _shop_beside_jd()
    assert [p.currency for p in parts] == [None, "CNY"]
    notes = check_parts(parts)
    said = (
        "'shop.csv' has amounts without a currency sign, 'jd_orders.csv' in CNY: stacked, every "
        "amount is taken to be in the dataset's one currency. If 'shop.csv' is not in CNY, save "
        "it as a dataset of its own."
    )
    assert notes[0] == said, notes
    with use_lang("zh"):
        assert tr_note(notes[0]) == (
            "“shop.csv”的金额没有货币符号，“jd_orders.csv”的是\u00a0CNY：叠加后，所有金额都按"
            "数据集的同一种币种计。若“shop.csv”的金额不是\u00a0CNY，请把它另存为一个数据集。"
        )
    store = Store.open(tmp_path)
    try:
        taken = save_parts(store, parts, name="found")
        chosen = save_parts(store, parts, name="chosen", currency="USD")
        none = save_parts(store, parts, name="none", currency="")
        got = [
            L.display_for(store.info(r.dataset.id).report).currency for r in (taken, chosen, none)
        ]
    finally:
        store.close()
    assert got == ["CNY", "USD", None]


def test_exports_all_without_a_sign_get_no_currency_note():
    sources: dict = {}
    tables = read_tables(_files(), sources=sources)
    assert not any("currency" in n for n in check_parts(clean_parts(tables, sources)))


#: the same shop's later exports with a sales channel column the saved dataset lacks
CHANNEL_HEADER = "Order ID,Date,Customer,SKU,Product,Qty,Price,Channel\n"
APR = (CHANNEL_HEADER + "2001,2025-04-10,C1,A,Apple,2,5.00,web\n").encode()
MAY = (CHANNEL_HEADER + "2002,2025-05-10,C2,B,Bread,1,3.50,app\n").encode()


def test_fields_not_kept_are_the_filled_ones_the_dataset_lacks():
    import pandas as pd

    from ecomdash.store_tables import fields_not_kept

    lines = pd.DataFrame({"order_id": ["1"], "channel": ["web"], "category": [None]})
    assert fields_not_kept(("order_id",), lines) == ("channel",)  # an empty one is no loss
    assert fields_not_kept(("order_id", "channel"), lines) == ()


def test_stacked_files_appended_name_the_fields_the_dataset_lacks(tmp_path):
    """Appended to a dataset without a channel, April's and May's channels were dropped
    without a word (an append keeps the dataset's columns). Each file's result says which
    fields were not saved, and the note says what to do."""
    store = Store.open(tmp_path)
    try:
        first = load_bytes(JAN_MAR, "jan_mar.csv")
        base = store.save_dataset("Spring", first.lines, report=first.report)
        assert "channel" not in base.columns
        sources: dict = {}
        tables = read_tables([("apr.csv", APR), ("may.csv", MAY)], sources=sources)
        parts = clean_parts(tables, sources)
        res = save_parts(store, parts, append_to=base.id)
        assert "channel" not in store.info(base.id).columns
    finally:
        store.close()
    assert [(f.name, f.added, f.not_kept) for f in res.files] == [
        ("apr.csv", 1, ("channel",)),
        ("may.csv", 1, ("channel",)),
    ]
    notes = res.not_kept_notes
    assert notes[0] == (
        "'apr.csv' has channel, which the dataset 'Spring' does not have: a file added to a "
        "dataset keeps the dataset's columns, so these values were not saved. To keep them, "
        "save the file as a new dataset."
    )
    with use_lang("zh"):
        assert tr_note(notes[1]) == (
            "“may.csv”有渠道，而数据集“Spring”没有：追加到数据集的文件只保留该数据集已有的列，"
            "所以这些值没有保存。要保留它们，请把该文件另存为新数据集。"
        )


def test_a_new_stacked_dataset_keeps_every_field_and_says_nothing_lost(tmp_path):
    sources: dict = {}
    tables = read_tables([("jan_mar.csv", JAN_MAR), ("apr.csv", APR)], sources=sources)
    store = Store.open(tmp_path)
    try:
        res = save_parts(store, clean_parts(tables, sources), name="all")
    finally:
        store.close()
    assert "channel" in res.dataset.columns
    assert [f.not_kept for f in res.files] == [(), ()] and res.not_kept_notes == ()


def _rollup_rows(store, ds_id: str) -> list[tuple]:
    """The dataset's order rollup as the Overview reads it, without its integer codes (the
    rows' sums and dates, sorted)."""
    from ecomdash import rollup

    cols = [
        r[0]
        for r in store._cur().execute(f"DESCRIBE {rollup.TABLE}").fetchall()
        if r[0] not in ("workspace", "dataset_id") and not r[0].endswith("_code")
    ]
    rows = (
        store._cur()
        .execute(f"SELECT {', '.join(cols)} FROM {rollup.TABLE} WHERE dataset_id = ?", [ds_id])
        .fetchall()
    )
    return sorted(rows, key=repr)


def test_a_stacked_save_builds_the_overview_tables_once(tmp_path, monkeypatch):
    """Each append of a stacked save rebuilt the dataset's Overview tables (13 monthly UCI
    files: 13 builds, 3.2-7.9 s of a 6.4-15.7 s save at load 7; now 0.9 s); now the save's and the last append's alone,
    and the tables are those of the last version, equal to a build from its lines."""
    from ecomdash import rollup

    calls: list[int] = []
    real = rollup.build

    def counted(cur, ws, ds_id, columns, version, **kw):
        calls.append(version)
        return real(cur, ws, ds_id, columns, version, **kw)

    monkeypatch.setattr(rollup, "build", counted)
    files = [("jan_mar.csv", JAN_MAR), ("mar_may.csv", MAR_MAY), ("jan.csv", JAN), ("feb.csv", FEB)]
    sources: dict = {}
    parts = clean_parts(read_tables(files, sources=sources), sources)
    store = Store.open(tmp_path / "stacked")
    info = save_parts(store, parts, name="Spring").dataset
    assert (info.version, calls) == (4, [1, 4])
    assert rollup.built_version(store, info.id) == 4 and rollup.ready(store, info)
    got = _rollup_rows(store, info.id)
    with store._transaction("rebuild") as cur:
        real(cur, store.workspace, info.id, info.columns, info.version)
    assert got == _rollup_rows(store, info.id)
    lines = store.load_lines(info.id)
    store.close()
    # a row per order and day: 1001-1006, C2001-C2003, and 1002 on two days (jan.csv's 1002
    # is dated 11 January, jan_mar.csv's 11 February)
    days = lines.assign(day=lines["order_date"].dt.normalize())[["order_id", "day"]]
    assert len(got) == len(days.drop_duplicates()) == 10


def test_an_append_without_its_rollup_is_built_on_first_read(tmp_path):
    """``Store.append(rollup_now=False)`` leaves the Overview tables of the version before;
    the Overview's first read builds the new version's (``rollup.ready``)."""
    from ecomdash import rollup

    store = Store.open(tmp_path / "s")
    first, second = load_bytes(JAN_MAR, "jan_mar.csv"), load_bytes(MAR_MAY, "mar_may.csv")
    saved = store.save_dataset("Spring", first.lines, report=first.report)
    info = store.append(saved.id, second.lines, report=second.report, rollup_now=False).dataset
    assert rollup.built_version(store, info.id) == 1
    assert rollup.ready(store, info) and rollup.built_version(store, info.id) == 2
    assert len(_rollup_rows(store, info.id)) == 6  # 1001..1006
    store.close()
