"""A PDF of the report, printed by headless Chromium when it is on the machine.

Chromium renders the very same HTML (plotly charts included) and prints it; no PDF library is
added. Background networking is off, and the report's Content-Security-Policy refuses any
request anyway. Without Chromium, :func:`print_pdf` raises :class:`PdfError` saying so.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ecomdash.errors import EcomdashError
from ecomdash.i18n import N_
from ecomdash.i18n.note import Duration, note

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")

#: Flags of a quiet, offline, one-shot print (see tests/e2e/conftest.py).
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--disable-extensions",
    "--no-pdf-header-footer",
    "--hide-scrollbars",
)


class PdfError(EcomdashError):
    """The PDF could not be printed (no Chromium on the machine, or it failed)."""


def find_chromium() -> str | None:
    """``$ECOMDASH_CHROMIUM`` if set, else the first Chromium found on the machine."""
    env = os.environ.get("ECOMDASH_CHROMIUM")
    if env:
        return env if Path(env).exists() or shutil.which(env) else None
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def print_pdf(html: str, out: str | Path, *, timeout: float = 180, budget_ms: int = 15_000) -> Path:
    """Print ``html`` (the report's text) to ``out`` with headless Chromium; returns ``out``."""
    exe = find_chromium()
    if exe is None:
        raise PdfError(
            note(
                N_(
                    "No PDF was written: printing the report to PDF needs Chromium, and none was "
                    "found (looked for /usr/bin/chromium, chromium, chromium-browser, google-chrome, "
                    "or $ECOMDASH_CHROMIUM). Install Chromium, or open the HTML report in a browser "
                    "and print it to PDF from there."
                )
            )
        )
    out = Path(out).resolve()
    with tempfile.TemporaryDirectory(prefix="ecomdash-pdf-") as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(html, encoding="utf-8")
        cmd = [
            exe,
            *FLAGS,
            f"--user-data-dir={Path(tmp) / 'profile'}",
            f"--virtual-time-budget={int(budget_ms)}",
            f"--print-to-pdf={out}",
            page.as_uri(),
        ]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise PdfError(
                note(
                    N_(
                        "No PDF was written: Chromium took longer than {took} to print the "
                        "report. Try again, or print the HTML report from a browser."
                    ),
                    took=Duration(timeout),
                )
            ) from None
        except OSError as exc:
            raise PdfError(
                note(
                    N_("No PDF was written: Chromium could not start ({detail})."), detail=str(exc)
                )
            ) from None
    if proc.returncode != 0 or not out.exists() or out.stat().st_size == 0:
        tail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
        raise PdfError(
            note(
                N_(
                    "No PDF was written: Chromium exited with code {code} ({detail}). "
                    "Open the HTML report in a browser and print it from there."
                ),
                code=str(proc.returncode),
                detail=tail[0],
            )
        )
    return out
