"""``ecomdash demo``: a generated merchant of about N lines, into the store or a CSV export.

Its human lines (stdout, and the progress on stderr) and its refusals are in ``--lang``'s
language; ``--json`` is the same in both. ``--locale`` chooses the
merchant (the UK shop or the Chinese one), ``--lang`` the language it is told in."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ecomdash.cli.common import add_json_arg, add_lang_arg, emit, open_store, text_lang
from ecomdash.errors import ParameterError
from ecomdash.i18n import N_, _, use_lang
from ecomdash.i18n.fmt import duration
from ecomdash.i18n.note import Quoted, note


def parse_lines(text: str) -> int:
    """``20000``, ``20_000``, ``1e6`` or ``1.5e6`` lines."""
    shown = Quoted(text).shown()  # refused in --lang's language (cli.main parses in it)
    try:
        value = float(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("{value} is not a number of lines; write it like 20000 or 1e6", value=shown)
        ) from None
    if not value.is_integer() or value <= 0:
        raise argparse.ArgumentTypeError(
            _("{value} is not a whole, positive number of lines", value=shown)
        )
    return int(value)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo",
        help=_("generate a realistic merchant of about N lines (into the store, or --csv FILE)"),
    )
    p.add_argument(
        "--lines",
        type=parse_lines,
        help=_("about how many order lines (e.g. 1e6); required unless --locale zh"),
    )
    p.add_argument(
        "--locale",
        choices=("en", "zh"),
        default="en",
        help=_(
            "zh: the Chinese demo merchant (Chinese names, CNY, provinces, 618 / Double 11 / "
            "Double 12 / 年货节 peaks and the Spring Festival shipping pause); about 137k lines "
            "unless --lines is given"
        ),
    )
    p.add_argument("--name", help=_("dataset name (required unless --csv)"))
    p.add_argument("--seed", type=int, default=7, help=_("random seed (default 7)"))
    p.add_argument(
        "--csv",
        metavar="PATH",
        help=_("write an order export (.csv or .csv.gz) instead of saving a dataset"),
    )
    add_lang_arg(p, page=N_("app"), what=N_("the lines it prints (the merchant's own: --locale)"))
    add_json_arg(p)
    p.set_defaults(func=run_demo)


def run_demo(args: argparse.Namespace) -> int:
    with use_lang(text_lang(args)):  # the lines it prints; the JSON stays English
        return _run_demo(args)


def _run_demo(args: argparse.Namespace) -> int:
    from ecomdash import demo_scale

    if not args.csv and not args.name:
        raise ParameterError(
            note(
                N_(
                    "Give the generated merchant a name with --name NAME (or write a file "
                    "with --csv)."
                )
            )
        )
    if args.csv and not Path(args.csv).parent.is_dir():
        raise ParameterError(
            note(
                N_(
                    "There is no folder {folder} to write {path} into. Create it or choose "
                    "another path."
                ),
                folder=Path(args.csv).parent,
                path=args.csv,
            )
        )
    if getattr(args, "locale", "en") == "zh":
        return run_demo_zh(args)
    if args.lines is None:
        raise ParameterError(
            note(
                N_(
                    "Say about how many lines to generate with --lines N (e.g. --lines 1e6), "
                    "or ask for the Chinese demo merchant with --locale zh."
                )
            )
        )
    t0 = time.perf_counter()
    demo = demo_scale.generate_scaled(args.lines, seed=args.seed)
    p = demo.plan
    if not args.json:
        print(
            _(
                "Generating about {lines} lines: {customers} customers ({one_time} one-time "
                "buyers), {products} products, {categories} categories, {start} to {end} ...",
                lines=f"{p.lines:,}",
                customers=f"{p.customers:,}",
                one_time=f"{p.one_time_customers:,}",
                products=f"{p.products:,}",
                categories=p.categories,
                start=p.start,
                end=demo.truth.end,
            ),
            file=sys.stderr,
        )
    obj = {
        "seed": p.seed,
        "customers": p.customers,
        "one_time_customers": p.one_time_customers,
        "products": p.products,
        "categories": p.categories,
        "start": p.start,
        "end": demo.truth.end,
    }

    lang = text_lang(args)

    def progress(done: int) -> None:  # a long run never waits in silence
        if args.json:
            return
        # in the command's language, set here again: DuckDB pulls the save's batches (and so
        # calls this) from its own threads, which do not inherit the run's language
        with use_lang(lang):
            so_far = duration(time.perf_counter() - t0)
            line = _("{n} lines ({took} so far)", n=f"{done:,}", took=so_far)
        print("  " + line, file=sys.stderr)

    if args.csv:
        n = demo_scale.write_csv(demo, args.csv, progress=progress)
        obj = {"path": str(args.csv), "lines": n, **obj}
        what = N_("Wrote {n} lines to {path} in {took}.")
        fields = {"n": f"{n:,}", "path": args.csv}
    else:
        store = open_store(args)
        try:
            info = demo_scale.save(demo, store, args.name, progress=progress)
        finally:
            store.close()
        obj = {"dataset_id": info.id, "name": info.name, "lines": info.rows, **obj}
        what = N_("Saved dataset '{name}' (id {id}) with {n} lines in {took}.")
        fields = {"name": info.name, "id": info.id, "n": f"{info.rows:,}"}
    seconds = time.perf_counter() - t0
    obj["seconds"] = round(seconds, 2)
    emit(args, obj, _(what, took=duration(seconds), **fields))
    return 0


#: order lines per customer of the (Chinese) demo merchant, to size it from --lines
_LINES_PER_CUSTOMER = 38.5


def run_demo_zh(args: argparse.Namespace) -> int:
    """The Chinese demo merchant (``ecomdash.demo_zh``), into the store or a CSV file."""
    from ecomdash import demo_zh
    from ecomdash import schema as S
    from ecomdash.ingest.cleaning_report import generated_report
    from ecomdash.labels import PROVINCES

    t0 = time.perf_counter()
    n_customers = 3000
    if args.lines is not None:
        n_customers = max(100, round(args.lines / _LINES_PER_CUSTOMER))
        if n_customers > 60_000:
            raise ParameterError(
                note(
                    N_(
                        "The Chinese demo is generated in memory: at most about 2.3 M lines "
                        "(--lines {lines} asked). Ask for fewer lines."
                    ),
                    lines=f"{args.lines:,}",
                )
            )
    if not args.json:
        print(
            _("Generating the Chinese demo merchant ({n} customers) ...", n=f"{n_customers:,}"),
            file=sys.stderr,
        )
    demo = demo_zh.generate(args.seed, n_customers=n_customers)
    lines, t = demo.lines, demo.truth
    obj = {
        "locale": "zh",
        "seed": args.seed,
        "customers": n_customers,
        "currency": t.currency,
        "start": t.start,
        "end": t.end,
        "provinces": lines[S.COUNTRY].nunique(),
    }
    if args.csv:
        cols = [c for c in S.CANONICAL if c in lines]
        lines[cols].to_csv(args.csv, index=False, encoding="utf-8-sig")
        obj = {"path": str(args.csv), "lines": len(lines), **obj}
        what = N_("Wrote {n} lines (prices in CNY ¥) to {path} in {took}.")
        fields = {"n": f"{len(lines):,}", "path": args.csv}
    else:
        store = open_store(args)
        try:
            info = store.save_dataset(
                args.name,
                lines,
                # its currency, as the app's Chinese demo records it: without it every table
                # of this dataset showed prices in yuan with no ¥ (the restock plan's revenue)
                report=generated_report(lines, currency=t.currency, places=PROVINCES),
                mapping={c: c for c in S.CANONICAL if c in lines.columns},
                source="generated",
            )
        finally:
            store.close()
        obj = {"dataset_id": info.id, "name": info.name, "lines": info.rows, **obj}
        what = N_("Saved dataset '{name}' (id {id}) with {n} lines (prices in CNY ¥) in {took}.")
        fields = {"name": info.name, "id": info.id, "n": f"{info.rows:,}"}
    seconds = time.perf_counter() - t0
    obj["seconds"] = round(seconds, 2)
    emit(args, obj, _(what, took=duration(seconds), **fields))
    return 0
