"""What a report is made of: sections with a verdict, metric tiles, figures and tables.

Plain frozen dataclasses (no HTML, no streamlit): :mod:`ecomdash.report.sections` builds them,
:mod:`ecomdash.report.render` turns them into one escaped, self-contained HTML file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd
import plotly.graph_objects as go

from ecomdash.filters import Filters
from ecomdash.labels import Display

#: How a verdict reads: the model is good / has a caveat / plain facts / could not run.
TONES = ("good", "warn", "info", "missing")


@dataclass(frozen=True)
class Metric:
    """A headline tile: label, value as text, optional change as text (e.g. ``+4.1 %``), and
    the exact figure behind a compact value (``£3.73M``: ``£3,731,389.17``), shown on hover."""

    label: str
    value: str
    delta: str | None = None
    good: bool | None = None  # True: the change is good news, False: bad news, None: neutral
    exact: str | None = None


@dataclass(frozen=True)
class Table:
    """A table to show. Headers and cell formats come from the label catalogue
    (``ecomdash.labels``, page ``area``) by raw column id; ``formats`` maps a column to a
    format spec (``{:,.2f}``, ``{:.1%}``) that wins over the catalogue."""

    title: str
    frame: pd.DataFrame
    formats: dict[str, str] = field(default_factory=dict)
    note: str | None = None
    area: str | None = None


@dataclass(frozen=True)
class Section:
    """One part of the report. ``verdict`` says how good its model is (or why it is missing)."""

    key: str
    title: str
    verdict: str
    tone: str = "info"
    text: tuple[str, ...] = ()
    metrics: tuple[Metric, ...] = ()
    figures: tuple[go.Figure, ...] = ()
    tables: tuple[Table, ...] = ()
    seconds: float = 0.0
    #: the dataset's currency and date style (set by build_section)
    display: Display = field(default_factory=Display)
    #: the digest's findings, ranked (``ecomdash.findings.Finding``: our wording in its
    #: headline, merchant text only in its ``subjects``)
    findings: tuple = ()
    #: what the digest could not check: (what, why) in the report's language
    unchecked: tuple[tuple[str, str], ...] = ()
    #: the dataset has amounts: every finding says its stake ("not sized" when none can be
    #: defended), as the Home's tiles; without, only those sized in units
    money: bool = True
    #: the words before the verdict: None, its tone's ("How good:", "About these figures:"
    #: …); "" none (the digest, whose first sentence is its own introduction)
    verdict_label: str | None = None

    def __post_init__(self) -> None:
        if self.tone not in TONES:
            raise ValueError(f"tone must be one of {TONES}, not {self.tone!r}")


@dataclass(frozen=True)
class SectionSpec:
    """A registry entry: ``build(data)`` returns the Section; ``needs`` names a
    ``schema.REQUIREMENTS`` analysis whose columns must be present (else a clear sentence)."""

    key: str
    title: str
    build: Callable[..., Section]
    needs: str | None = None
    #: built after the other sections (it reads the results they compute, so each section's
    #: time and progress step is its own), shown where it stands: the digest
    last: bool = False


@dataclass(frozen=True)
class Report:
    """A built report: what it covers and its sections, in order."""

    dataset_name: str
    dataset_id: str
    version: int
    filters: Filters
    period: tuple[object, object]
    created: datetime
    sections: tuple[Section, ...]
    lang: str = "en"
    seconds: float = 0.0
    #: the dataset's country field holds provinces (``labels.Display.provinces``)
    provinces: bool = False
