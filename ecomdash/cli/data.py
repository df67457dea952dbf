"""``ecomdash ingest``, ``ecomdash datasets`` and ``ecomdash kpis``."""

from __future__ import annotations

import argparse
from pathlib import Path

from ecomdash.cli.common import (
    add_dataset_arg,
    add_date_args,
    add_json_arg,
    emit,
    filters_from,
    open_store,
    parse_mapping,
)
from ecomdash.errors import InputFileError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ingest", help="read an order export, clean it and save it as a dataset")
    p.add_argument("path", help="CSV/TSV/TXT, Excel .xlsx or Parquet file (may be .gz or .zip)")
    p.add_argument("--name", help="dataset name (default: the file name)")
    p.add_argument(
        "--map",
        nargs="*",
        metavar="CANONICAL=SOURCE",
        help="override the automatic column mapping, e.g. --map order_id=Invoice",
    )
    p.add_argument("--sheet", help="Excel sheet to read when the workbook has several")
    p.add_argument("--append-to", metavar="DATASET", help="append to this dataset instead")
    add_json_arg(p)
    p.set_defaults(func=run_ingest)

    p = sub.add_parser("datasets", help="list the saved datasets")
    add_json_arg(p)
    p.set_defaults(func=run_datasets)

    p = sub.add_parser("kpis", help="overview KPIs of a dataset for a period")
    add_dataset_arg(p)
    add_date_args(p)
    add_json_arg(p)
    p.set_defaults(func=run_kpis)


def run_ingest(args: argparse.Namespace) -> int:
    from ecomdash.ingest import load_path

    path = Path(args.path)
    if not path.is_file():
        raise InputFileError(f"There is no file at {args.path}. Check the path and try again.")
    result = load_path(path, mapping=parse_mapping(args.map), sheet=args.sheet)
    report = result.report
    store = open_store(args)
    try:
        if args.append_to:
            target = store.resolve(args.append_to)
            app = store.append(target.id, result.lines, report=report, rejected=report.rejected)
            info, extra = app.dataset, {"added": app.added, "duplicates_skipped": app.duplicates}
        else:
            info = store.save_dataset(
                args.name or path.name,
                result.lines,
                report=report,
                mapping=result.mapping.as_dict(),
                rejected=report.rejected,
            )
            extra = {}
    finally:
        store.close()
    rep = report.to_dict()
    obj = {
        "dataset_id": info.id,
        "name": info.name,
        "version": info.version,
        "rows_read": rep["rows_read"],
        "rows_kept": rep["rows_kept"],
        "mapping": result.mapping.as_dict(),
        "confidence": result.mapping.confidences(),
        "warnings": list(result.mapping.warnings),
        "kind": rep.get("kind", "lines"),
        "events": len((rep.get("events") or {}).get("dates") or []),
        "rules": rep["rules"],
        **extra,
    }
    lines = [
        f"Saved dataset {info.name!r} (id {info.id}, version {info.version}).",
        f"Rows read: {rep['rows_read']:,}; rows kept: {rep['rows_kept']:,}.",
        "Column mapping: " + ", ".join(f"{k} <- {v}" for k, v in obj["mapping"].items()),
        *[f"Check: {w}" for w in obj["warnings"]],
        *(
            [
                "Kind: summed sales (no order lines): basket, segments, customer value and "
                "recommendations need an order-line export."
            ]
            if obj["kind"] == "summed"
            else []
        ),
        "Cleaning rules:",
        *[
            f"  {r.get('label', r['rule'])}: {r['rows']:,} rows ({r.get('action', '')})"
            for r in rep["rules"]
        ],
    ]
    if extra:
        lines.append(
            f"Appended {extra['added']:,} lines; skipped {extra['duplicates_skipped']:,} duplicates."
        )
    emit(args, obj, "\n".join(lines))
    return 0


def run_datasets(args: argparse.Namespace) -> int:
    store = open_store(args)
    try:
        infos = store.list_datasets()
    finally:
        store.close()
    obj = {
        "datasets": [
            {
                "id": d.id,
                "name": d.name,
                "version": d.version,
                "rows": d.rows,
                "columns": list(d.columns),
                "source": d.source,
                "kind": d.kind,
                "updated": d.updated,
            }
            for d in infos
        ]
    }
    text = (
        "\n".join(f"{d.id}  {d.name}  ({d.rows:,} lines, v{d.version})" for d in infos)
        or "No datasets yet. Save one with `ecomdash ingest FILE`."
    )
    emit(args, obj, text)
    return 0


def run_kpis(args: argparse.Namespace) -> int:
    from ecomdash.kpis import KPI_LABELS, compute_kpis

    store = open_store(args)
    try:
        info = store.resolve(args.dataset)
        k = compute_kpis(store, info.id, filters_from(args))
    finally:
        store.close()
    obj = {"dataset_id": info.id, "start": args.start, "end": args.end, **k}
    text = "\n".join(
        f"{KPI_LABELS[n]}: {'n/a' if v is None else f'{v:,.2f}' if isinstance(v, float) else f'{v:,}'}"
        for n, v in k.items()
    )
    emit(args, obj, text)
    return 0
