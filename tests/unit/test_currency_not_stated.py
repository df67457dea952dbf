"""A dataset's currency set back to "Not stated": a recorded choice (``report["currency"] ==
""``, ``currencies.NOT_STATED``), told apart from no choice (no ``currency`` key: the one read
off the amounts counts), in the DuckDB store, the CLI and what the pages read
(``labels.display_for``). The Spark lake's twin is in ``test_spark_currency.py``.

Before, a merchant who had set a currency could not go back: "Not stated" was not offered,
``ecomdash datasets --set-currency`` took only codes, and ``display_for`` fell back to the
currency read off the amounts, so a dataset of "$12.50" cells showed "$" whatever was chosen."""

from __future__ import annotations

import json

import pytest

from ecomdash import labels as L
from ecomdash.cli import main
from ecomdash.currencies import NOT_STATED, dataset_currency, with_currency
from ecomdash.store import Store
from tests.unit.test_cli_currency import SIGNED

#: the amounts read "£6.95": ingest reads GBP off them
NOTES = {"notes": ["Price: currency GBP read off the amounts"]}


def _run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def signed(tmp_path):
    f = tmp_path / "signed.csv"
    f.write_text(SIGNED, encoding="utf-8")
    return f


def test_not_stated_is_told_apart_from_not_recorded():
    assert L.display_for(NOTES).currency == "GBP"  # nothing recorded: the one read off
    assert L.display_for({**NOTES, "currency": NOT_STATED}).currency is None
    assert L.display_for({**NOTES, "currency": NOT_STATED}).symbol == ""
    assert L.display_for({"currency": NOT_STATED}, is_demo=True).currency is None
    assert L.display_for({}, is_demo=True).currency == "GBP"
    assert L.display_for({**NOTES, "currency": "EUR"}).currency == "EUR"


def test_with_currency_records_not_stated_and_leaves_no_choice_alone():
    assert with_currency(NOTES, NOT_STATED) == {**NOTES, "currency": ""}
    assert with_currency(NOTES, None) is NOTES
    assert with_currency(NOTES, "USD")["currency"] == "USD"


def test_store_sets_not_stated_and_it_sticks(signed, capsys, _isolated_home):
    """GBP read off the amounts, set to EUR, then back to "Not stated": recorded, a new
    version each time, and still so in a store opened again (what the pages read)."""
    code, out, err = _run(capsys, "ingest", str(signed), "--name", "Shop", "--json")
    assert code == 0, err
    ds = json.loads(out)["dataset_id"]
    store = Store.open(_isolated_home)
    try:
        assert dataset_currency(store.info(ds).report) == "GBP"
        assert store.set_currency(ds, "EUR").version == 2
        info = store.set_currency(ds, NOT_STATED)
        assert info.version == 3 and info.report["currency"] == ""
        assert dataset_currency(info.report) is None
    finally:
        store.close()
    store = Store.open(_isolated_home)
    try:
        assert dataset_currency(store.info(ds).report) is None
        assert L.display_for(store.info(ds).report).symbol == ""
    finally:
        store.close()
    code, out, _ = _run(capsys, "kpis", "--dataset", ds)
    assert "Net revenue: 195.00" in out and "£" not in out, out  # 12 x (6.95 + 6.75 + 2.55)


def test_a_store_of_the_previous_version_opens_with_its_currency_read_off(
    signed, capsys, _isolated_home
):
    """A dataset saved before "Not stated" could be recorded has no ``currency`` key (the
    previous version never wrote an empty one): it opens as before, its currency the one
    read off its amounts, and can be set to "Not stated" from there."""
    code, out, err = _run(capsys, "ingest", str(signed), "--name", "Shop", "--json")
    ds = json.loads(out)["dataset_id"]
    store = Store.open(_isolated_home)
    try:
        report = dict(store.info(ds).report)
        report.pop("currency", None)  # as the previous version wrote it
        store._con.execute("UPDATE datasets SET report = ? WHERE id = ?", [json.dumps(report), ds])
    finally:
        store.close()
    store = Store.open(_isolated_home)
    try:
        info = store.info(ds)
        assert "currency" not in info.report
        assert dataset_currency(info.report) == "GBP"
        assert dataset_currency(store.set_currency(ds, NOT_STATED).report) is None
    finally:
        store.close()


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("en", "Dataset 'Shop' (id {id}, version 2): amounts shown without a currency sign."),
        ("zh", "数据集“Shop”（ID {id}，版本\u00a02）：金额显示时不带货币符号。"),
    ],
)
def test_cli_sets_not_stated(signed, capsys, _isolated_home, lang, said):
    code, out, err = _run(capsys, "ingest", str(signed), "--name", "Shop", "--json")
    ds = json.loads(out)["dataset_id"]
    code, out, err = _run(
        capsys, "datasets", "--dataset", "Shop", "--set-currency", "None", "--lang", lang
    )
    assert code == 0, err
    assert out.strip() == said.format(id=ds)
    code, out, _ = _run(capsys, "datasets", "--json")
    [d] = json.loads(out)["datasets"]
    assert (d["currency"], d["version"]) == (None, 2)
    code, out, _ = _run(capsys, "kpis", "--dataset", ds)
    assert "Net revenue: 195.00" in out and "£" not in out, out
    # again: nothing left to change, no new version
    code, out, _ = _run(capsys, "datasets", "--dataset", ds, "--set-currency", "none", "--json")
    assert json.loads(out)["version"] == 2 and json.loads(out)["currency"] is None


def test_cli_ingests_with_currency_none(signed, capsys, _isolated_home):
    """``ecomdash ingest --currency none``: a file whose amounts read "£6.95" saved with no
    currency, as the Save form's "Not stated" does."""
    code, out, err = _run(capsys, "ingest", str(signed), "--currency", "none", "--json")
    assert code == 0, err
    got = json.loads(out)
    assert got["currency"] is None
    code, out, _ = _run(capsys, "kpis", "--dataset", got["dataset_id"])
    assert "Net revenue: 195.00" in out and "£" not in out, out
