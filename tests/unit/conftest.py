"""Fixtures shared by the unit tests of the command line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture
def cli_home(tmp_path, monkeypatch) -> Path:
    """A folder for a command's files, its store (``ECOMDASH_HOME``) in ``home`` under it."""
    monkeypatch.setenv("ECOMDASH_HOME", str(tmp_path / "home"))
    return tmp_path


@pytest.fixture
def cli_refusal(capsys) -> Callable[[list[str]], str]:
    """``cli_refusal(argv)``: what ``ecomdash ARGV`` says on stderr when it refuses, checked
    to exit with code 2 and print nothing on stdout."""
    from ecomdash.cli import main

    def refused(argv: list[str]) -> str:
        assert main(argv) == 2
        said = capsys.readouterr()
        assert said.out == ""
        return said.err

    return refused
