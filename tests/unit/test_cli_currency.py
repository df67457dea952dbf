"""A dataset's currency from the command line: ``ecomdash ingest --currency CODE`` records it
as the Data page's Save form does, and ``ecomdash datasets --dataset X --set-currency CODE``
changes a saved dataset's (``Store.set_currency``: a new version of the same lines), in
English and Chinese.

Before, ``ecomdash ingest`` had no way to say the currency: a merchant who ingested a large
export from the command line saw every page write "1,054,495" for £1,054,495, and could not
correct it without uploading the file again."""

from __future__ import annotations

import json

import pytest

from ecomdash import rollup
from ecomdash.cli import main
from ecomdash.currencies import with_currency
from ecomdash.errors import StoreError
from ecomdash.store import Store

#: UCI Online Retail II's layout: amounts without a sign (the shop is in £)
CSV = (
    "Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country\n"
    "489434,85048,LIGHT,12,2009-12-01 07:45:00,6.95,13085.0,United Kingdom\n"
    "489434,79323P,PINK CHERRY LIGHTS,12,2009-12-01 07:45:00,6.75,13085.0,United Kingdom\n"
    "489435,22350,CAT BOWL,12,2009-12-02 07:46:00,2.55,13086.0,United Kingdom\n"
)
SIGNED = CSV.replace(",6.95,", ",£6.95,").replace(",6.75,", ",£6.75,").replace(",2.55,", ",£2.55,")


def _run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _refused(capsys, *argv) -> str:
    """A refusal: exit code 2 and the message on stderr (never a traceback)."""
    assert main(list(argv)) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err


@pytest.fixture
def csv(tmp_path):
    f = tmp_path / "online_retail.csv"
    f.write_text(CSV, encoding="utf-8")
    return f


def _info(home, ref):
    store = Store.open(home)
    try:
        return store.resolve(ref)
    finally:
        store.close()


def test_ingest_records_the_currency_given_as_the_save_form_does(csv, capsys, _isolated_home):
    code, out, err = _run(capsys, "ingest", str(csv), "--currency", "gbp", "--json")
    assert code == 0, err
    rep = json.loads(out)
    assert rep["currency"] == "GBP"
    info = _info(_isolated_home, rep["dataset_id"])
    assert info.report["currency"] == "GBP"
    # the report the Save form saves with GBP chosen: the same dict
    saved = {k: v for k, v in info.report.items() if k != "currency"}
    assert with_currency(saved, "GBP") == info.report
    # every page (and the CLI's figures) write £
    code, out, _ = _run(capsys, "kpis", "--dataset", info.id)
    assert "Net revenue: £" in out, out


@pytest.mark.parametrize(
    ("lang", "said"),
    [("en", "Currency: British Pound (GBP)."), ("zh", "币种：英镑（GBP）。")],
)
def test_ingest_says_the_currency_given(csv, capsys, _isolated_home, lang, said):
    code, out, err = _run(capsys, "ingest", str(csv), "--currency", "GBP", "--lang", lang)
    assert code == 0, err
    assert out.rstrip("\n").splitlines()[-1] == said


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ("Currency: not stated", "--set-currency CODE", "--currency CODE")),
        ("zh", ("币种：未注明", "--set-currency CODE", "--currency CODE")),
    ],
)
def test_ingest_without_a_currency_keeps_none_and_says_how_to_set_it(
    csv, capsys, _isolated_home, lang, words
):
    code, out, err = _run(capsys, "ingest", str(csv), "--lang", lang)
    assert code == 0, err
    [info] = Store.open(_isolated_home).list_datasets()
    assert "currency" not in info.report  # none made up
    last = out.rstrip("\n").splitlines()[-1]
    assert all(w in last for w in words), last
    assert f"--dataset {info.id}" in last
    code, out, _ = _run(capsys, "datasets", "--json")
    assert json.loads(out)["datasets"][0]["currency"] is None


def test_ingest_without_a_currency_keeps_the_one_read_off_the_amounts(
    tmp_path, capsys, _isolated_home
):
    f = tmp_path / "signed.csv"
    f.write_text(SIGNED, encoding="utf-8")
    code, out, err = _run(capsys, "ingest", str(f))
    assert code == 0, err
    last = out.rstrip("\n").splitlines()[-1]
    assert last.startswith("Currency: British Pound (GBP), read off the file."), last
    assert "--set-currency CODE" in last


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ("'pounds' is not a currency code", "ISO 4217", "GBP, EUR, USD", "or none for")),
        ("zh", ("“pounds” 不是币种代码", "ISO 4217", "GBP, EUR, USD", "写\u00a0none")),
    ],
)
def test_ingest_refuses_a_code_that_is_not_a_currency(csv, capsys, _isolated_home, lang, words):
    err = _refused(capsys, "ingest", str(csv), "--currency", "pounds", "--lang", lang)
    assert all(w in err for w in words), err
    assert Store.open(_isolated_home).list_datasets() == []  # nothing saved


def test_ingest_refuses_a_currency_with_append_to(csv, capsys, _isolated_home):
    code, out, err = _run(capsys, "ingest", str(csv), "--name", "Shop", "--json")
    assert code == 0, err
    err = _refused(capsys, "ingest", str(csv), "--append-to", "Shop", "--currency", "EUR")
    assert "--set-currency EUR" in err and "ecomdash datasets --dataset 'Shop'" in err, err
    assert _info(_isolated_home, "Shop").version == 1  # nothing appended


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("en", "Dataset 'Shop' (id {id}, version 2): amounts in Euro (EUR)."),
        ("zh", "数据集“Shop”（ID {id}，版本\u00a02）：金额以\u00a0欧元（EUR）\u00a0计。"),
    ],
)
def test_datasets_set_currency_changes_a_saved_dataset(csv, capsys, _isolated_home, lang, said):
    code, out, err = _run(capsys, "ingest", str(csv), "--name", "Shop", "--json")
    assert code == 0, err
    ds = json.loads(out)["dataset_id"]
    code, out, _ = _run(capsys, "kpis", "--dataset", ds)
    assert "Net revenue: 195.00" in out  # by hand 12 x (6.95 + 6.75 + 2.55): no sign

    code, out, err = _run(
        capsys, "datasets", "--dataset", "Shop", "--set-currency", "eur", "--lang", lang
    )
    assert code == 0, err
    assert out.strip() == said.format(id=ds)
    info = _info(_isolated_home, ds)
    assert info.report["currency"] == "EUR" and info.version == 2 and info.rows == 3
    code, out, _ = _run(capsys, "kpis", "--dataset", ds)
    assert "Net revenue: €" in out, out
    code, out, _ = _run(capsys, "datasets", "--json")
    assert json.loads(out)["datasets"][0]["currency"] == "EUR"


def test_set_currency_carries_the_rollup_to_the_new_version(
    csv, capsys, _isolated_home, monkeypatch
):
    """A new version of the same lines: the rollup built at the save is the new version's
    too (its version rows move on); nothing is rebuilt from the lines on the next read."""
    code, out, err = _run(capsys, "ingest", str(csv), "--json")
    ds = json.loads(out)["dataset_id"]
    store = Store.open(_isolated_home)
    try:
        info = store.set_currency(ds, "GBP")
        assert info.version == 2
        assert rollup.built_version(store, ds) == 2

        def no_build(*a, **k):
            raise AssertionError("the rollup was rebuilt from the lines")

        monkeypatch.setattr(rollup, "build", no_build)
        assert rollup.ready(store, info)
        assert rollup.countries.current(store, info) is not None
    finally:
        store.close()


@pytest.mark.parametrize(
    "argv",
    [
        ("datasets", "--set-currency", "GBP"),
        ("datasets", "--dataset", "Shop"),
    ],
)
def test_set_currency_needs_both_options(capsys, _isolated_home, argv):
    err = _refused(capsys, *argv)
    assert "--dataset and --set-currency go together" in err, err


def test_set_currency_refuses_a_code_that_is_not_a_currency(csv, capsys, _isolated_home):
    code, out, err = _run(capsys, "ingest", str(csv), "--name", "Shop", "--json")
    err = _refused(capsys, "datasets", "--dataset", "Shop", "--set-currency", "£")
    assert "'£' is not a currency code" in err, err
    # "none" is a value too (back to "Not stated"): the refusal names it
    assert "or none for amounts without a currency sign" in err, err
    assert _info(_isolated_home, "Shop").version == 1


def test_set_currency_after_an_append_it_did_not_see_changes_nothing(_isolated_home):
    """An append that switches the dataset between ``set_currency`` reading it and writing
    it: the change is refused with what to do, and the appended version stays as it was
    (no currency, its rollup version untouched)."""
    from tests.unit.test_store_aggregates import fixture_lines

    lines = fixture_lines()
    store = Store.open(_isolated_home)
    try:
        first = store.save_dataset("Shop", lines.iloc[:10])
        stale = store.info(first.id)
        store.append(first.id, lines)  # version 2
        before = rollup.status(store, first.id)
        assert before is not None and before["version"] == 2
        real = store.info
        store.info = lambda _id: stale  # what set_currency read before the append switched
        with pytest.raises(StoreError, match="changed while its currency was being set"):
            store.set_currency(first.id, "EUR")
        store.info = real
        after = store.info(first.id)
        assert after.version == 2 and "currency" not in after.report
        assert rollup.status(store, first.id) == before
    finally:
        store.close()
