"""``ecomdash ingest``, ``ecomdash datasets`` and ``ecomdash kpis``."""

from __future__ import annotations

import argparse
from pathlib import Path

from ecomdash.cli.common import (
    add_dataset_arg,
    add_date_args,
    add_json_arg,
    add_lang_arg,
    emit,
    filters_from,
    open_store,
    parse_mapping,
    text_lang,
)
from ecomdash.currencies import (
    NONE_WORD,
    NOT_STATED,
    check_stated,
    currency_option,
    dataset_currency,
    with_currency,
)
from ecomdash.errors import InputFileError, ParameterError
from ecomdash.i18n import N_, _, _n, use_lang
from ecomdash.i18n.fmt import duration
from ecomdash.i18n.note import Quoted, note


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ingest", help=_("read an order export, clean it and save it as a dataset"))
    p.add_argument(
        "path",
        nargs="+",
        help=_(
            "CSV/TSV/TXT, Excel .xlsx or Parquet file (may be .gz or .zip); several files (or "
            "one zip holding them) are the related tables of one export, joined into one "
            "dataset, or order exports of their own (a month each, a shop each), stacked into "
            "one dataset"
        ),
    )
    p.add_argument("--name", help=_("dataset name (default: the file name)"))
    add_lang_arg(p, page=N_("Data page"))
    p.add_argument(
        "--map",
        nargs="*",
        metavar="CANONICAL=SOURCE",
        help=_("override the automatic column mapping, e.g. --map order_id=Invoice"),
    )
    p.add_argument("--sheet", help=_("Excel sheet to read when the workbook has several"))
    p.add_argument(
        "--currency",
        metavar="CODE",
        help=_(
            "currency of the amounts, an ISO 4217 code (GBP, EUR, USD, CNY ...): every page "
            "writes it with them; none: shown without a currency sign (default: the one read "
            "off the amounts or the platform, else none)"
        ),
    )
    p.add_argument("--append-to", metavar="DATASET", help=_("append to this dataset instead"))
    p.add_argument(
        "--lines", metavar="TABLE", help=_("several tables: the one holding the order lines")
    )
    p.add_argument(
        "--join",
        nargs="*",
        metavar="TABLE=COLUMN[:TABLE_COLUMN]",
        help=_(
            "several tables: join TABLE on this lines column (and its own column), "
            "e.g. --join customers=CustomerNo; TABLE= leaves it out"
        ),
    )
    p.add_argument(
        "--max-mb",
        type=float,
        default=2048,
        help=_(
            "largest file to read, in MB (default 2048: a 10 M-line .csv.gz is ~300 MB; "
            "the web upload keeps its own 200 MB limit)"
        ),
    )
    p.add_argument(
        "--on-cluster",
        action="store_true",
        help=_(
            "with the Spark engine: read, map and clean the file on the cluster (a CSV/TSV "
            "export, maybe .gz, at a path the cluster can read); the app reads only its head"
        ),
    )
    p.add_argument(
        "--cluster-above-mb",
        type=float,
        default=256,
        help=_(
            "with the Spark engine, a CSV export larger than this (MB on disk) is read on the "
            "cluster without --on-cluster (default 256)"
        ),
    )
    add_json_arg(p)
    p.set_defaults(func=run_ingest)

    p = sub.add_parser(
        "datasets", help=_("list the saved datasets, or change one's currency (--set-currency)")
    )
    p.add_argument(
        "--dataset", help=_("with --set-currency: the dataset to change (id or exact name)")
    )
    p.add_argument(
        "--set-currency",
        metavar="CODE",
        help=_(
            "record CODE (ISO 4217: GBP, EUR, USD ...) as the currency of --dataset's amounts, "
            "or none: shown without a currency sign; its lines are not rewritten"
        ),
    )
    add_lang_arg(p, page=N_("Data page"))
    add_json_arg(p)
    p.set_defaults(func=run_datasets)

    p = sub.add_parser("kpis", help=_("overview KPIs of a dataset for a period"))
    add_dataset_arg(p)
    add_date_args(p)
    add_lang_arg(p, page=N_("Overview page"))
    add_json_arg(p)
    p.set_defaults(func=run_kpis)


def run_ingest(args: argparse.Namespace) -> int:
    from ecomdash.ingest import load_path

    paths = [Path(p) for p in args.path]
    args.currency = _ingest_currency(args)
    for path in paths:
        if not path.is_file():
            raise InputFileError(
                note(N_("There is no file at {path}. Check the path and try again."), path=path)
            )
    path = paths[0]
    tables = None
    if len(paths) == 1:
        done = _ingest_on_cluster(path, args)
        if done is not None:
            return done
    elif args.on_cluster:
        raise ParameterError(
            note(
                N_(
                    "--on-cluster reads one CSV export on the cluster; several files are read, "
                    "joined or stacked in the app. Leave --on-cluster out (with the Spark engine "
                    "the dataset is still saved in the lake), or ingest each file on its own "
                    "with --on-cluster, the second and later ones with --append-to."
                )
            )
        )
    if len(paths) > 1 or _multi_zip(path):
        from ecomdash.ingest.multi import read_tables, stack_names

        sources: dict[str, str] = {}
        read = read_tables([(p.name, p.read_bytes()) for p in paths], sources=sources)
        if stack_names(read) and not (args.lines or args.join):
            return _ingest_stack(paths, read, sources, args)
        result, tables = _load_tables(read, args)
    else:
        result = load_path(
            path,
            mapping=parse_mapping(args.map),
            sheet=args.sheet,
            max_bytes=int(args.max_mb * 1024 * 1024),
        )
    report = result.report
    store = open_store(args)
    try:
        if args.append_to:
            target = store.resolve(args.append_to)
            from ecomdash.store_tables import fields_not_kept

            lost = fields_not_kept(target.columns, result.lines)
            app = store.append(target.id, result.lines, report=report, rejected=report.rejected)
            info = app.dataset
            extra = {
                "added": app.added,
                "duplicates_skipped": app.duplicates,
                "fields_not_saved": list(lost),
                # sale lines a return in this export (or saved before) newly cancels
                "cancelled_across": app.cancelled_across,
                # of them, sale lines saved before that its returns cancel, and its sale
                # lines a return saved before cancels
                "returns_across": app.returns_across,
                "sales_across": app.sales_across,
            }
        else:
            info = store.save_dataset(
                args.name or (path.name if tables is None else f"{path.stem} (+{len(paths) - 1})"),
                result.lines,
                report=with_currency(report, args.currency),
                mapping=result.mapping.as_dict(),
                rejected=report.rejected,
            )
            extra = {}
    finally:
        store.close()
    _report_ingest(args, info, report, result.mapping, extra, tables, route={"route": "app"})
    return 0


def _ingest_currency(args: argparse.Namespace) -> str | None:
    """``--currency`` checked before the file is read (None: not given); refused with
    ``--append-to``: the lines join a dataset whose currency is already set."""
    if args.currency is None:
        return None
    code = check_stated(args.currency)
    if args.append_to:
        raise ParameterError(
            note(
                N_(
                    "--currency sets the currency of a new dataset; lines added with "
                    "--append-to are in the dataset's own. Leave --currency out, or change "
                    "the dataset's with: ecomdash datasets --dataset {dataset} --set-currency "
                    "{code}"
                ),
                dataset=Quoted(args.append_to),
                code=code or NONE_WORD,
            )
        )
    return code


def _report_ingest(args, info, report, mapping, extra, tables, *, route: dict) -> None:
    """Print what an ingest saved: the dataset, counts, mapping and cleaning rules."""
    rep = report.to_dict()
    obj = {
        "dataset_id": info.id,
        "name": info.name,
        "version": info.version,
        "rows_read": rep["rows_read"],
        "rows_kept": rep["rows_kept"],
        "mapping": mapping.as_dict(),
        "confidence": mapping.confidences(),
        "warnings": list(mapping.warnings),
        "layout": mapping.layout,
        "added_returns": rep.get("added_returns", 0),
        "kind": rep.get("kind", "lines"),
        "events": len((rep.get("events") or {}).get("dates") or []),
        "rules": rep["rules"],
        "currency": dataset_currency(info.report, is_demo=info.is_demo),
        **extra,
        **(tables or {}),
        **route,
    }
    with use_lang(text_lang(args)):  # the Data page's words (the JSON stays English)
        lines = _ingest_text(info, rep, mapping, extra, tables, route)
        from ecomdash.i18n.note import tr_note
        from ecomdash.ingest.stack import appended_across_note, not_kept_note

        if extra.get("fields_not_saved"):  # appended: the fields the dataset lacks
            file = Path(args.path[0]).name
            lines.append(tr_note(not_kept_note(file, tuple(extra["fields_not_saved"]), info.name)))
        across = appended_across_note(extra.get("cancelled_across", 0))
        if across is not None:  # appended: saved sales a return in the export cancels
            lines.append(tr_note(across))
        # appended: the dataset's own currency, whatever the added file's amounts say
        lines.append(_currency_text(info, given=bool(getattr(args, "currency", None) or extra)))
    emit(args, obj, "\n".join(lines))


def _rule_line(r: dict) -> str:
    """One cleaning rule of a summary, indented: its label, rows and action."""
    from ecomdash.ingest.cleaning_report import action_label, rule_label

    return "  " + _n(
        "{rule}: {n} row ({action})",
        "{rule}: {n} rows ({action})",
        r["rows"],
        rule=rule_label(r),
        n=f"{r['rows']:,}",
        action=action_label(r),
    )


def _ingest_text(info, rep: dict, mapping, extra: dict, tables, route: dict) -> list[str]:
    """An ingest's human lines in the current language: the cleaning rules and what they did
    as the Data page names them, the mapping's notes translated; the field ids of the
    mapping and the file's own column names as they are (``--map`` takes them)."""
    from ecomdash.i18n.note import tr_note

    added = rep.get("added_returns", 0)
    lines = [
        _(
            "Saved dataset '{name}' (id {id}, version {version}).",
            name=info.name,
            id=info.id,
            version=info.version,
        ),
        _(
            "Rows read: {read}; rows kept: {kept}.",
            read=f"{rep['rows_read']:,}",
            kept=f"{rep['rows_kept']:,}",
        )
        + (_(" Return lines added for refunded lines: {n}.", n=f"{added:,}") if added else ""),
        *(
            [_("Recognised as a {layout}: mapped automatically.", layout=tr_note(mapping.layout))]
            if mapping.layout
            else []
        ),
        _(
            "Column mapping: {pairs}",
            pairs=", ".join(f"{k} <- {v}" for k, v in mapping.as_dict().items()),
        ),
        *[_("Check: {warning}", warning=tr_note(w)) for w in mapping.warnings],
        *(
            [
                _(
                    "Kind: summed sales (no order lines): basket, segments, customer value and "
                    "recommendations need an order-line export."
                )
            ]
            if rep.get("kind", "lines") == "summed"
            else []
        ),
        *(_tables_text(tables) if tables else []),
        _("Cleaning rules:"),
        *[_rule_line(r) for r in rep["rules"]],
    ]
    if extra:
        lines.append(
            _(
                "Appended {added} lines; skipped {duplicates} duplicates.",
                added=f"{extra['added']:,}",
                duplicates=f"{extra['duplicates_skipped']:,}",
            )
        )
    if route.get("route") == "cluster":
        lines.append(
            _("Read, mapped and cleaned on the cluster (the app read only the file's head):")
        )
        lines += [
            "  " + _("{step}: {took}", step=tr_note(s["step"]), took=duration(s["seconds"]))
            for s in route["steps"]
        ]
    return lines


def _currency_text(info, *, given: bool) -> str:
    """The dataset's currency after an ingest, in the current language, and how to set it
    when ``--currency`` did not: without one every page writes the amounts as plain
    numbers ("1,054,495" for £1,054,495). ``given``: the currency was not read off this file
    (``--currency``, or the dataset appended to has it)."""
    code = dataset_currency(info.report, is_demo=info.is_demo)
    if code is None:
        return _(
            "Currency: not stated, so every page shows the amounts without a sign. Set it "
            "with: ecomdash datasets --dataset {id} --set-currency CODE (e.g. GBP), or "
            "ingest with --currency CODE.",
            id=info.id,
        )
    if given:
        return _("Currency: {currency}.", currency=currency_option(code))
    return _(
        "Currency: {currency}, read off the file. If it is wrong: ecomdash datasets "
        "--dataset {id} --set-currency CODE.",
        currency=currency_option(code),
        id=info.id,
    )


def _ingest_on_cluster(path: Path, args: argparse.Namespace) -> int | None:
    """``ecomdash ingest`` on the cluster (``ecomdash/spark/ingest.py``) when asked
    (``--on-cluster``) or when the engine is Spark and the CSV export is larger than
    ``--cluster-above-mb``; None when the file is read in the app instead (the reason is
    printed on stderr when the cluster was asked for or the file was large)."""
    import sys

    from ecomdash.engine import settings
    from ecomdash.ingest.partitioned import is_text_export

    spark = settings(getattr(args, "engine", None), getattr(args, "spark_remote", None)).is_spark
    big = path.stat().st_size > args.cluster_above_mb * 1024 * 1024
    if args.on_cluster and not spark:
        raise ParameterError(
            note(
                N_(
                    "--on-cluster needs the Spark engine: add --engine spark (and "
                    "--spark-remote, or set ECOMDASH_ENGINE=spark and ECOMDASH_SPARK_REMOTE), "
                    "or leave --on-cluster out."
                )
            )
        )
    if not spark or not (args.on_cluster or big):
        return None
    # why the file is read in the app, on stderr in --lang's language (read by a person, with
    # --json too, as a refusal is)
    if not is_text_export(path):
        with use_lang(getattr(args, "lang", None)):
            print(
                _(
                    "Read in the app: the cluster reads CSV/TSV exports (.csv, .tsv, .txt, "
                    "maybe .gz); {name} is not one.",
                    name=path.name,
                ),
                file=sys.stderr,
            )
        return None
    from ecomdash.spark.ingest import NotForCluster, ingest_path

    store = open_store(args)
    try:
        try:
            with use_lang(text_lang(args)):  # its steps on stderr in --lang's words
                res = ingest_path(
                    store,
                    path,
                    name=args.name,
                    mapping=parse_mapping(args.map),
                    append_to=args.append_to,
                    currency=getattr(args, "currency", None),
                    progress=None if getattr(args, "json", False) else _stderr,
                )
        except NotForCluster as exc:
            from ecomdash.i18n.note import translated

            with use_lang(getattr(args, "lang", None)):
                # the cluster's reason as its Note says it where it is one (English otherwise)
                print(_("Read in the app: {reason}", reason=translated(exc)), file=sys.stderr)
            return None
    finally:
        store.close()
    _report_ingest(
        args,
        res.info,
        res.report,
        res.mapping,
        res.appended,
        None,
        route={
            "route": "cluster",
            "steps": [{"step": s, "seconds": round(t, 2)} for s, t in res.steps],
        },
    )
    return 0


def _stderr(msg: str) -> None:
    import sys

    print(msg, file=sys.stderr, flush=True)


def _multi_zip(path: Path) -> bool:
    from ecomdash.ingest.multi import is_multi_table_zip

    with path.open("rb") as fh:
        if fh.read(4)[:2] != b"PK":
            return False
    return is_multi_table_zip(path.read_bytes())


def _load_tables(tables: dict, args: argparse.Namespace):
    """Several tables (``multi.read_tables``) → one IngestResult, plus what was joined (for
    the report)."""
    from ecomdash.ingest import IngestResult, _final_proposal, clean, propose_mapping
    from ecomdash.ingest.mapping import resolve_mapping
    from ecomdash.ingest.multi import combine, joins_from_choices, propose_joins

    proposal = propose_joins(tables, fact=args.lines)
    choices = {}
    for item in args.join or []:
        table, sep, spec = item.partition("=")
        if not sep:
            raise InputFileError(
                note(N_("--join {item}: write TABLE=COLUMN[:TABLE_COLUMN]."), item=Quoted(item))
            )
        choices[table.strip()] = spec.strip() or None
    joins = joins_from_choices(tables, proposal, choices) if choices else None
    combined = combine(tables, proposal, joins=joins)
    raw = combined.raw
    mapping = propose_mapping(raw)
    resolved = resolve_mapping(raw, mapping, parse_mapping(args.map))
    lines, report = clean(raw, resolved)

    result = IngestResult(lines, report, _final_proposal(mapping, resolved), raw.info())
    info = {
        "tables": {name: len(t.data) for name, t in tables.items()},
        "lines_table": combined.fact,
        "joins": [
            {
                "table": j.table,
                "lines_column": j.left_column,
                "table_column": j.table_column,
                "kind": j.kind,
            }
            for j in combined.joins
        ],
        "steps": [
            {
                "step": s.step,
                "rows_before": s.rows_before,
                "rows_after": s.rows_after,
                "matched": s.matched,
                "detail": s.detail,
            }
            for s in combined.steps
        ],
        "refused": [
            r.message for r in proposal.refused if r.table not in {j.table for j in combined.joins}
        ],
        "left_out": [
            t for t in tables if t != combined.fact and t not in {j.table for j in combined.joins}
        ],
        "quantity_from_count": combined.quantity_from_count,
    }
    return result, info


def _ingest_stack(paths: list[Path], tables: dict, sources: dict, args) -> int:
    """Several order exports of their own (``multi.stack_names``) → one dataset: each mapped and
    cleaned on its own, the first saved (or appended to ``--append-to``), the others appended,
    lines already saved skipped (``ingest.stack``). One summary per file, then the dataset's."""
    from ecomdash.i18n.note import tr_note
    from ecomdash.ingest.stack import across_note, check_parts, clean_parts, save_parts

    parts = clean_parts(tables, sources, mapping=parse_mapping(args.map))
    notes = check_parts(parts)
    store = open_store(args)
    try:
        res = save_parts(
            store,
            parts,
            name=args.name or f"{paths[0].stem} (+{len(parts) - 1})",
            append_to=args.append_to,
            currency=args.currency,
        )
    finally:
        store.close()
    info = res.dataset
    files = []
    for part, done in zip(parts, res.files, strict=True):
        rep = part.report.to_dict()
        files.append(
            {
                "file": part.name,
                "layout": part.proposal.layout,
                "rows_read": rep["rows_read"],
                "rows_kept": rep["rows_kept"],
                "added_returns": rep.get("added_returns", 0),
                "lines": done.offered,
                "added": done.added,
                "duplicates_skipped": done.duplicates,
                "fields_not_saved": list(done.not_kept),
                "returns_across": done.returns_across,
                "sales_across": done.sales_across,
                "currency": part.currency,
                "mapping": {k: v for k, v in part.resolved.items() if v},
                "rules": rep["rules"],
            }
        )
    obj = {
        "dataset_id": info.id,
        "name": info.name,
        "version": info.version,
        "rows": info.rows,
        "stacked": True,
        "files": files,
        "notes": list(notes),
        "currency": dataset_currency(info.report, is_demo=info.is_demo),
        "seconds": round(res.seconds, 2),
        "route": "app",
        "cancelled_across": res.cancelled_across,
    }
    with use_lang(text_lang(args)):
        lines = []
        for part, f in zip(parts, files, strict=True):
            lines += _stack_file_text(part, f)
        across = across_note(res.cancelled_across)
        lines += [tr_note(n) for n in (*notes, *res.not_kept_notes, across) if n is not None]
        lines.append(
            _(
                "Saved dataset '{name}' (id {id}, version {version}): {n} exports stacked, "
                "{rows} lines, in {took}.",
                name=info.name,
                id=info.id,
                version=info.version,
                n=len(files),
                rows=f"{info.rows:,}",
                took=duration(res.seconds),
            )
        )
        lines.append(_currency_text(info, given=bool(args.currency or args.append_to)))
    emit(args, obj, "\n".join(lines))
    return 0


def _stack_file_text(part, f: dict) -> list[str]:
    """One stacked export's summary in the current language: its counts, how it was mapped,
    the cleaning rules that found something."""
    from ecomdash.i18n.note import tr_note

    out = [
        _(
            "{file}: {read} rows read, {kept} kept; {added} lines added, {duplicates} already "
            "saved (skipped).",
            file=f["file"],
            read=f"{f['rows_read']:,}",
            kept=f"{f['rows_kept']:,}",
            added=f"{f['added']:,}",
            duplicates=f"{f['duplicates_skipped']:,}",
        ),
        "  "
        + (
            _("Recognised as a {layout}: mapped automatically.", layout=tr_note(f["layout"]))
            if f["layout"]
            else _(
                "Column mapping: {pairs}",
                pairs=", ".join(f"{k} <- {v}" for k, v in f["mapping"].items()),
            )
        ),
    ]
    out += [_rule_line(r) for r in f["rules"] if r["rows"]]
    return out


def _tables_text(info: dict) -> list[str]:
    """What several tables became, in the current language (the Data page's words for the
    join's steps; the tables' and columns' names as they are)."""
    from ecomdash.i18n.note import tr_note

    out = [_("Lines: table '{table}'.", table=info["lines_table"])]
    for s in info["steps"]:
        fields = {
            "step": tr_note(s["step"]),
            "before": f"{s['rows_before']:,}",
            "after": f"{s['rows_after']:,}",
            "detail": tr_note(s["detail"]),
        }
        out.append(
            "  "
            + (
                _("{step}: {before} -> {after} rows ({detail})", **fields)
                if s["matched"] is None
                else _(
                    "{step}: {before} -> {after} rows, {matched} lines matched ({detail})",
                    matched=f"{s['matched']:,}",
                    **fields,
                )
            )
        )
    out += [_("Left out: {table}", table=t) for t in info["left_out"]]
    out += [_("Refused: {reason}", reason=tr_note(m)) for m in info["refused"]]
    return out


def run_datasets(args: argparse.Namespace) -> int:
    if args.set_currency or args.dataset:
        return _set_currency(args)
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
                "currency": dataset_currency(d.report, is_demo=d.is_demo),
                "updated": d.updated,
            }
            for d in infos
        ]
    }
    with use_lang(text_lang(args)):
        text = "\n".join(
            _(
                "{id}  {name}  ({rows} lines, v{version})",
                id=d.id,
                name=d.name,
                rows=f"{d.rows:,}",
                version=d.version,
            )
            for d in infos
        ) or _("No datasets yet. Save one with `ecomdash ingest FILE`.")
    emit(args, obj, text)
    return 0


def _set_currency(args: argparse.Namespace) -> int:
    """``ecomdash datasets --dataset X --set-currency CODE``: the Data page's change of a saved
    dataset's currency (``Store.set_currency``: a new version, no line rewritten)."""
    if not (args.set_currency and args.dataset):
        raise ParameterError(
            note(
                N_(
                    "--dataset and --set-currency go together: ecomdash datasets --dataset "
                    "NAME_OR_ID --set-currency CODE changes a dataset's currency; without "
                    "either, ecomdash datasets lists the datasets."
                )
            )
        )
    code = check_stated(args.set_currency)
    store = open_store(args)
    try:
        info = store.resolve(args.dataset)
        before = dataset_currency(info.report, is_demo=info.is_demo)
        if (before or NOT_STATED) != code:
            info = store.set_currency(info.id, code)
    finally:
        store.close()
    obj = {
        "dataset_id": info.id,
        "name": info.name,
        "version": info.version,
        "currency": code or None,
        "previous_currency": before,
    }
    with use_lang(text_lang(args)):
        fields = {"name": info.name, "id": info.id, "version": info.version}
        text = (
            _(
                "Dataset '{name}' (id {id}, version {version}): amounts in {currency}.",
                currency=currency_option(code),
                **fields,
            )
            if code
            else _(
                "Dataset '{name}' (id {id}, version {version}): amounts shown without a "
                "currency sign.",
                **fields,
            )
        )
    emit(args, obj, text)
    return 0


def run_kpis(args: argparse.Namespace) -> int:
    from ecomdash import labels as L
    from ecomdash.kpis import KPI_LABELS, compute_kpis, kpi_exact

    store = open_store(args)
    try:
        info = store.resolve(args.dataset)
        k = compute_kpis(store, info.id, filters_from(args))
    finally:
        store.close()
    obj = {"dataset_id": info.id, "start": args.start, "end": args.end, **k}
    display = L.display_for(info.report, is_demo=info.is_demo)
    with use_lang(text_lang(args)):  # the Overview's names and exact figures of the KPIs
        text = "\n".join(
            _("{label}: {value}", label=_(KPI_LABELS[n]), value=kpi_exact(n, v, display))
            for n, v in k.items()
        )
    emit(args, obj, text)
    return 0
