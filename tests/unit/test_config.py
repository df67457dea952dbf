"""The server's hardened defaults are in .streamlit/config.toml, and the upload limit there is the
one the code enforces."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _config() -> dict:
    return tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())


def test_server_is_hardened():
    c = _config()
    server, client, browser = c["server"], c["client"], c["browser"]
    assert server["address"] == "127.0.0.1"
    assert server["allowedHosts"] and "*" not in server["allowedHosts"]
    assert server["enableXsrfProtection"] is True
    assert server["enableCORS"] is True
    assert client["showErrorDetails"] == "none"
    assert client["disableDataExport"] is True  # built-in download is not formula-safe
    assert browser["gatherUsageStats"] is False


def test_upload_limit_matches_code():
    from ecomdash.ingest import DEFAULT_MAX_BYTES

    # Streamlit counts this limit in MiB (server.maxUploadSize * 1024 * 1024)
    assert _config()["server"]["maxUploadSize"] * 1024 * 1024 == DEFAULT_MAX_BYTES


def test_every_setting_is_explained():
    lines = (ROOT / ".streamlit" / "config.toml").read_text().splitlines()
    for i, line in enumerate(lines):
        if "=" in line and not line.lstrip().startswith("#"):
            above = [x for x in lines[max(0, i - 4) : i] if x.strip()]
            key = line.split("=")[0].strip()
            if key in {"port", "headless", "fastReruns", "primaryColor", "base"}:
                continue
            assert any(x.lstrip().startswith("#") for x in above), f"{key} has no comment"


def test_secrets_are_not_committed():
    gitignore = (ROOT / ".gitignore").read_text()
    assert ".streamlit/secrets.toml" in gitignore
    assert (ROOT / ".streamlit" / "secrets.toml.example").exists()
