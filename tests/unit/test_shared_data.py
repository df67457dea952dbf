"""tests/conftest.shared: a missing shared dataset skips locally and fails in CI."""

from __future__ import annotations

import pytest

from tests.conftest import UCI_PATH, shared

# skip and fail both raise BaseExceptions that would end *this* test as skipped or failed:
# catch either and check which one it was.
OUTCOMES = (pytest.skip.Exception, pytest.fail.Exception)


def _outcome(path):
    with pytest.raises(OUTCOMES) as info:
        shared(path)
    return info.type, str(info.value)


def test_present_dataset_is_returned(monkeypatch):
    shared(UCI_PATH)  # skips here when the data is absent (fails in CI)
    monkeypatch.setenv("CI", "true")
    assert shared(UCI_PATH) == UCI_PATH


@pytest.mark.parametrize("value", ["", "false", "0"])
def test_missing_dataset_skips_with_the_path_outside_ci(monkeypatch, tmp_path, value):
    missing = tmp_path / "nope.csv.gz"
    monkeypatch.setenv("CI", value)
    kind, msg = _outcome(missing)
    assert kind is pytest.skip.Exception and "nope.csv.gz not found" in msg, (kind, msg)


@pytest.mark.parametrize("value", ["true", "TRUE", "1"])
def test_missing_dataset_fails_with_the_path_in_ci(monkeypatch, tmp_path, value):
    missing = tmp_path / "nope.csv.gz"
    monkeypatch.setenv("CI", value)
    kind, msg = _outcome(missing)
    assert kind is pytest.fail.Exception, (kind, msg)
    assert str(missing) in msg and "CI=true" in msg


def test_missing_env_is_not_ci(monkeypatch, tmp_path):
    monkeypatch.delenv("CI", raising=False)
    assert _outcome(tmp_path / "nope.csv.gz")[0] is pytest.skip.Exception
