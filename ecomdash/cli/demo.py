"""``ecomdash demo``: a generated merchant of about N lines, into the store or a CSV export."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ecomdash.cli.common import add_json_arg, emit, open_store
from ecomdash.errors import ParameterError


def parse_lines(text: str) -> int:
    """``20000``, ``20_000``, ``1e6`` or ``1.5e6`` lines."""
    try:
        value = float(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number of lines; write it like 20000 or 1e6"
        ) from None
    if not value.is_integer() or value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole, positive number of lines")
    return int(value)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo",
        help="generate a realistic merchant of about N lines (into the store, or --csv FILE)",
    )
    p.add_argument(
        "--lines", type=parse_lines, required=True, help="about how many order lines (e.g. 1e6)"
    )
    p.add_argument("--name", help="dataset name (required unless --csv)")
    p.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    p.add_argument(
        "--csv",
        metavar="PATH",
        help="write an order export (.csv or .csv.gz) instead of saving a dataset",
    )
    add_json_arg(p)
    p.set_defaults(func=run_demo)


def run_demo(args: argparse.Namespace) -> int:
    from ecomdash import demo_scale

    if not args.csv and not args.name:
        raise ParameterError(
            "Give the generated merchant a name with --name NAME (or write a file with --csv)."
        )
    if args.csv and not Path(args.csv).parent.is_dir():
        raise ParameterError(
            f"There is no folder {Path(args.csv).parent} to write {args.csv} into. "
            "Create it or choose another path."
        )
    t0 = time.perf_counter()
    demo = demo_scale.generate_scaled(args.lines, seed=args.seed)
    p = demo.plan
    if not args.json:
        print(
            f"Generating about {p.lines:,} lines: {p.customers:,} customers "
            f"({p.one_time_customers:,} one-time buyers), {p.products:,} products, "
            f"{p.categories} categories, {p.start} to {demo.truth.end} ...",
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

    def progress(done: int) -> None:  # a long run never waits in silence
        if not args.json:
            print(f"  {done:,} lines ({time.perf_counter() - t0:.0f} s)", file=sys.stderr)

    if args.csv:
        n = demo_scale.write_csv(demo, args.csv, progress=progress)
        obj = {"path": str(args.csv), "lines": n, **obj}
        what = f"Wrote {n:,} lines to {args.csv}"
    else:
        store = open_store(args)
        try:
            info = demo_scale.save(demo, store, args.name, progress=progress)
        finally:
            store.close()
        obj = {"dataset_id": info.id, "name": info.name, "lines": info.rows, **obj}
        what = f"Saved dataset {info.name!r} (id {info.id}) with {info.rows:,} lines"
    seconds = time.perf_counter() - t0
    obj["seconds"] = round(seconds, 2)
    emit(args, obj, f"{what} in {seconds:.1f} s.")
    return 0
