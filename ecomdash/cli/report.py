"""``ecomdash report``: the stakeholder report of a dataset as one self-contained HTML file
(and optionally a PDF printed by headless Chromium)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ecomdash.cli.common import add_dataset_arg, add_date_args, add_lang_arg, open_store
from ecomdash.errors import ParameterError
from ecomdash.filters import Filters
from ecomdash.i18n import N_, _, use_lang
from ecomdash.i18n.fmt import duration
from ecomdash.i18n.note import note


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help=_(
            "one self-contained HTML report (KPIs, trend, rules, forecast, restock, segments, "
            "value, churn, recommendations), optionally also a PDF"
        ),
        description=_(
            "Write the stakeholder report of a dataset for a period and filters: one "
            "HTML file with interactive charts that opens offline, each section saying how good "
            "its model is. --pdf also prints it with headless Chromium."
        ),
    )
    add_dataset_arg(p)
    add_date_args(p)
    p.add_argument("--country", action="append", help=_("only this country (repeatable)"))
    p.add_argument("--category", action="append", help=_("only this category (repeatable)"))
    add_lang_arg(p, page=N_("app"), what=N_("the report and the command's lines"), json=False)
    p.add_argument("--out", required=True, help=_("HTML file to write, e.g. report.html"))
    p.add_argument("--pdf", help=_("also print the report to this PDF file (needs Chromium)"))
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ecomdash.report import build_report, check_lang, render_html
    from ecomdash.report.pdf import print_pdf

    check_lang(args.lang)
    out = Path(args.out)
    if out.is_dir():
        raise ParameterError(
            note(
                N_("--out {path} is a directory; give a file name such as report.html."),
                path=args.out,
            )
        )
    filters = Filters(
        start=args.start,
        end=args.end,
        countries=tuple(args.country or ()),
        categories=tuple(args.category or ()),
    )
    t0 = time.perf_counter()
    store = open_store(args)
    try:
        rep = build_report(
            store,
            args.dataset,
            filters,
            lang=args.lang,
            # called in the report's language: the section's title as the report writes it
            progress=lambda i, n, spec: print(
                f"[{i + 1}/{n}] {_(spec.title)}…", file=sys.stderr, flush=True
            ),
        )
    finally:
        store.close()
    html = render_html(rep)
    try:
        out.write_text(html, encoding="utf-8")
    except OSError as exc:
        raise ParameterError(
            note(
                N_("Could not write {path} ({reason}). Check the folder exists and is writable."),
                path=args.out,
                reason=exc.strerror,
            )
        ) from None
    missing = [s.title for s in rep.sections if s.tone == "missing"]  # in the report's language
    with use_lang(args.lang):
        print(
            _(
                "Wrote {path} ({size} MB, {n} sections) in {took}.",
                path=out,
                size=f"{len(html.encode('utf-8')) / 1e6:.1f}",
                n=len(rep.sections),
                took=duration(time.perf_counter() - t0),
            )
        )
        if missing:
            print(
                _(
                    "Not enough data for: {sections} (each says why in the report).",
                    sections=_(", ").join(missing),
                )
            )
        if args.pdf:
            pdf = print_pdf(html, args.pdf)
            print(_("Wrote {path} ({size} MB).", path=pdf, size=f"{pdf.stat().st_size / 1e6:.1f}"))
    return 0
