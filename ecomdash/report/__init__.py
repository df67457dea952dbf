"""The stakeholder report: one self-contained HTML file (and optionally a PDF) per dataset,
period and filters, with a verdict on every model. No streamlit here: the CLI
(``ecomdash report``) and the sidebar's "Download report" button both call :func:`build_report`
and :func:`render_html`.

>>> rep = build_report(store, "Demo merchant", Filters())      # doctest: +SKIP
>>> Path("report.html").write_text(render_html(rep), encoding="utf-8")  # doctest: +SKIP
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import datetime

from ecomdash import schema as S
from ecomdash.errors import EcomdashError, ParameterError
from ecomdash.filters import Filters
from ecomdash.i18n import N_, _, fmt, use_lang
from ecomdash.i18n.note import note, tr_note, translated
from ecomdash.report.data import ReportData
from ecomdash.report.model import Metric, Report, Section, SectionSpec, Table
from ecomdash.report.render import Part, document_html, part, render_html
from ecomdash.report.sections import ALL_SECTIONS, DIGEST, SECTIONS
from ecomdash.store import Store

__all__ = [
    "ALL_SECTIONS",
    "DIGEST",
    "LANGUAGES",
    "Part",
    "SECTIONS",
    "Metric",
    "Report",
    "ReportData",
    "Section",
    "SectionSpec",
    "Table",
    "build_report",
    "build_order",
    "build_section",
    "check_lang",
    "describe",
    "document_html",
    "part",
    "render_html",
]

#: Languages the report can be written in (the app's message catalogue, ecomdash.i18n).
LANGUAGES = {"en": "English", "zh": "简体中文"}
#: The ``<html lang>`` of each report language.
HTML_LANG = {"en": "en", "zh": "zh-CN"}


def check_lang(lang: str) -> str:
    """``lang`` if the report can be written in it, else a ParameterError that says why."""
    if lang in LANGUAGES:
        return lang
    raise ParameterError(
        note(
            N_("Unknown report language {lang}. Available: {languages} (--lang en or --lang zh)."),
            lang=repr(lang),
            languages=tuple(LANGUAGES),
        )
    )


def build_section(spec: SectionSpec, data: ReportData) -> Section:
    """Run one section in the current language (titles and sentences through the message
    catalogue); missing columns or an EcomdashError become a section that says so."""
    t0 = time.perf_counter()
    title = _(spec.title)
    if spec.needs is not None:
        missing = S.missing_for(spec.needs, data.columns)
        if missing:
            # named as the Data page's mapping names them (the sentence sends the reader there)
            fields = [S.field_name(f) for f in sorted(missing)]
            return Section(
                spec.key,
                title,
                _(
                    "This dataset has no {fields} column, which {analysis} needs. Re-upload "
                    "the export on the Data page and map that column to get this section.",
                    fields=fmt.join(fields),
                    analysis=_(S.ANALYSIS_LABELS.get(spec.needs, spec.needs)),
                ),
                "missing",
            )
    try:
        sec = spec.build(data)
    except EcomdashError as exc:
        # a Note-built message in the report's language
        sec = Section(spec.key, title, str(translated(exc)), "missing")
    display = data.display
    return Section(
        **{
            **sec.__dict__,
            # analyses' warnings and verdicts are Notes (English until shown): the report's language
            "verdict": tr_note(sec.verdict),
            "text": tuple(tr_note(t) for t in sec.text),
            "title": title,
            "seconds": time.perf_counter() - t0,
            "display": display,
        }
    )


def build_report(
    store: Store,
    dataset: str,
    filters: Filters | None = None,
    *,
    sections: Sequence[SectionSpec] = ALL_SECTIONS,
    lang: str = "en",
    progress: Callable[[int, int, SectionSpec], None] | None = None,
) -> Report:
    """Every section of ``sections`` for ``dataset`` (id or unique name) after ``filters``.

    ``progress(i, n, spec)`` is called before section ``i`` of ``n`` runs (for a status line).
    """
    check_lang(lang)
    t0 = time.perf_counter()
    data = ReportData.open(store, dataset, filters)
    built: dict[int, Section] = {}
    with use_lang(lang):
        for i, j in enumerate(build_order(sections)):
            if progress is not None:
                progress(i, len(sections), sections[j])
            built[j] = build_section(sections[j], data)
    ordered = tuple(built[j] for j in range(len(sections)))
    return describe(data, lang=lang, sections=ordered, seconds=time.perf_counter() - t0)


def build_order(sections: Sequence[SectionSpec]) -> list[int]:
    """The order to build ``sections`` in (their indexes): those marked ``last`` (the digest,
    which reads the others' results) after the others; each keeps its place in the report."""
    return sorted(range(len(sections)), key=lambda j: sections[j].last)


def describe(
    data: ReportData, *, lang: str = "en", sections: tuple[Section, ...] = (), seconds: float = 0.0
) -> Report:
    """The report's header facts (dataset, version, period, filters) around ``sections``."""
    f = data.filters
    lo, hi = data.store.date_range(data.info.id)
    period = (f.start or (lo.date() if lo else None), f.end or (hi.date() if hi else None))
    return Report(
        dataset_name=data.info.name,
        dataset_id=data.info.id,
        version=data.info.version,
        filters=f,
        period=period,
        created=datetime.now().replace(microsecond=0),
        sections=sections,
        lang=lang,
        seconds=seconds,
        provinces=data.display.provinces,
    )
