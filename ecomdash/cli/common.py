"""Helpers shared by the CLI subcommands."""

from __future__ import annotations

import argparse
import json
import math
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from ecomdash import schema as S
from ecomdash.errors import ParameterError
from ecomdash.filters import Filters
from ecomdash.i18n import N_, _
from ecomdash.store import Store


def add_dataset_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dataset", required=True, help=_("dataset id (or its exact name)"))


def add_json_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help=_("print one JSON object"))


#: the languages a command's human lines are written in (--json is the same in both)
LANGS = ("en", "zh")


def add_lang_arg(
    p: argparse.ArgumentParser,
    *,
    page: str,
    what: str = N_("the text output"),
    json: bool = True,
) -> None:
    """``--lang en|zh``: the language of the command's human lines (``what``: also the file
    a command writes, as ``ecomdash report``'s), the words of ``page`` (the app page that
    says the same) in either; ``--json`` (``json``: the command has it) stays English and raw.
    Its refusals too are in that language where the app translates them (``cli.main``).
    ``page`` and ``what`` are message ids (``N_``): its help is in the language of the
    command line's ``--lang`` (``cli.main`` builds the parser in it)."""
    words = {"what": _(what), "page": _(page)}
    p.add_argument(
        "--lang",
        choices=LANGS,
        default="en",
        help=_(
            "language of {what}: en (English, default) or zh (简体中文), the {page}'s words in "
            "either; --json is the same in both",
            **words,
        )
        if json
        else _(
            "language of {what}: en (English, default) or zh (简体中文), the {page}'s words in "
            "either",
            **words,
        ),
    )


def text_lang(args: argparse.Namespace) -> str:
    """The language a command builds its sentences (notices, warnings) in: ``--lang``'s,
    English with ``--json`` (scripts read the JSON whatever ``--lang`` says)."""
    return "en" if getattr(args, "json", False) else getattr(args, "lang", "en")


def add_date_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--start", type=parse_date, help=_("first day (inclusive), YYYY-MM-DD"))
    p.add_argument("--end", type=parse_date, help=_("last day (inclusive), YYYY-MM-DD"))


def parse_date(text: str) -> date:
    """A day typed on the command line; refused in the current language (``cli.main`` parses
    in ``--lang``'s)."""
    from ecomdash.i18n import _
    from ecomdash.i18n.note import Quoted

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("{value} is not a date; write it as YYYY-MM-DD", value=Quoted(text).shown())
        ) from None


def open_store(args: argparse.Namespace) -> Store:
    """The workspace's store on the engine of ``--engine``/``--spark-remote`` (else the
    ``ECOMDASH_ENGINE``/``ECOMDASH_SPARK_REMOTE`` settings): see ``ecomdash.engine``."""
    from ecomdash.engine import open_store as open_engine_store

    return open_engine_store(
        workspace=getattr(args, "workspace", "local"),
        engine=getattr(args, "engine", None),
        remote=getattr(args, "spark_remote", None),
    )


def filters_from(args: argparse.Namespace) -> Filters:
    return Filters(start=getattr(args, "start", None), end=getattr(args, "end", None))


def load_lines(args: argparse.Namespace, columns: tuple[str, ...] | None = None) -> pd.DataFrame:
    """The chosen dataset's lines (after --start/--end when the command has them).

    ``columns``: read only these (those the dataset lacks are skipped; flags always come).
    """
    store = open_store(args)
    try:
        info = store.resolve(args.dataset)
        if columns is not None:
            columns = [c for c in columns if c in info.columns or c in S.FLAGS]
        return store.load_lines(info.id, filters_from(args), columns=columns)
    finally:
        store.close()


def load_columns(
    args: argparse.Namespace, columns: tuple[str, ...], *, sales_only: bool = False
) -> pd.DataFrame:
    """Only ``columns`` of the chosen dataset's lines (see ``Store.load_columns``)."""
    store = open_store(args)
    try:
        info = store.resolve(args.dataset)
        return store.load_columns(info.id, filters_from(args), columns, sales_only=sales_only)
    finally:
        store.close()


def _aggregate(args: argparse.Namespace, name: str):
    """``Store.<name>(dataset, filters)`` on the chosen dataset, the store closed after."""
    store = open_store(args)
    try:
        info = store.resolve(args.dataset)
        return getattr(store, name)(info.id, filters_from(args))
    finally:
        store.close()


def load_history(args: argparse.Namespace):
    """The chosen dataset's per-order customer history, aggregated in SQL."""
    return _aggregate(args, "customer_history")


def load_interactions(args: argparse.Namespace):
    """The chosen dataset's customer x product interactions, aggregated in SQL."""
    return _aggregate(args, "interactions")


def to_jsonable(obj: Any) -> Any:
    """Plain JSON types from numpy/pandas/dates (NaN becomes null)."""
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, pd.DataFrame):
        return [to_jsonable(r) for r in obj.to_dict("records")]
    if isinstance(obj, pd.Series):
        return to_jsonable(obj.tolist())
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        return to_jsonable(obj.item())
    if isinstance(obj, float):
        return None if math.isnan(obj) or math.isinf(obj) else obj
    if isinstance(obj, datetime | date | pd.Timestamp):
        return obj.isoformat()
    if obj is pd.NA or obj is pd.NaT:
        return None
    return obj


def as_pct(x: float, *, points: bool = False, signed: bool = False, most: int = 2) -> str:
    """A percentage the merchant typed or chose (``--change -10``, ``--service-level
    0.975``) as the pages write percentages (:func:`ecomdash.i18n.fmt.pct`: ``-10 %``,
    ``97.5 %`` in English, ``-10%`` in Chinese), with the decimals the figure has (at most
    ``most``): ``+2.5 %``, never ``+2.500 %`` or ``+3 %``. ``points``: ``x`` is already in
    percentage points; ``signed`` writes ``+`` too.

    >>> as_pct(-10, points=True, signed=True), as_pct(2.5, points=True, signed=True)
    ('-10\\xa0%', '+2.5\\xa0%')
    >>> as_pct(0.975), as_pct(0.95)
    ('97.5\\xa0%', '95\\xa0%')
    """
    from ecomdash.i18n.fmt import pct

    figure = float(x) if points else float(x) * 100
    text = f"{round(figure, most):.{most}f}".rstrip("0")
    digits = len(text.split(".")[1]) if "." in text else 0
    return pct(x, digits, signed=signed, points=points)


def pad(text: str, width: int, align: str = "<") -> str:
    """``text`` padded with spaces to ``width`` terminal columns (a Chinese character takes
    two: :func:`ecomdash.text_width.text_width`), on the right (``"<"``) or the left
    (``">"``), as ``f"{text:<20}"`` does for ASCII; never cut."""
    from ecomdash.text_width import text_width

    fill = " " * max(0, width - int(text_width(text)))
    return text + fill if align == "<" else fill + text


def note_lines(notes) -> list[str]:
    """Each warning or note as a human line, ``note: …`` / ``注：…``, in the current language
    (a :class:`ecomdash.i18n.note.Note` translated, other text as it is)."""
    from ecomdash.i18n import _
    from ecomdash.i18n.note import tr_note

    return [_("note: {note}", note=tr_note(w)) for w in notes]


def display_of(args: argparse.Namespace):
    """The chosen dataset's currency and date order (``labels.display_for``), as the page's."""
    from ecomdash import labels as L

    store = open_store(args)
    try:
        info = store.resolve(args.dataset)
        return L.display_for(info.report, is_demo=info.is_demo, mapping=info.mapping)
    finally:
        store.close()


def text_table(df, area: str, display) -> str:
    """``df`` as a text table with the page's headers and cells (``labels.label`` /
    ``labels.format_value`` of ``area``): text left, figures right, lined up by
    :func:`ecomdash.text_width.text_width` (a Chinese character is two columns)."""
    from ecomdash import labels as L
    from ecomdash.text_width import text_width

    # a figure that rounds to zero is 0, never -0.0 (the page's tables write none either)
    df = df.apply(lambda s: s + 0.0 if s.dtype.kind == "f" else s)
    heads = [L.label(c, area) for c in df.columns]
    cells = [[L.format_value(v, c, display, area) for v in df[c]] for c in df.columns]
    left = [L.column(c, area).kind in ("text", "model") for c in df.columns]
    widths = [
        max([text_width(h), *(text_width(v) for v in col)])
        for h, col in zip(heads, cells, strict=True)
    ]

    def row(values) -> str:
        out = []
        for v, w, is_left in zip(values, widths, left, strict=True):
            pad = " " * int(w - text_width(v))
            out.append(v + pad if is_left else pad + v)
        return "  ".join(out).rstrip()

    return "\n".join([row(heads), *(row(r) for r in zip(*cells, strict=True))])


def emit(args: argparse.Namespace, obj: dict, text: str) -> None:
    """Print ``obj`` as JSON with --json, else the human ``text``."""
    if getattr(args, "json", False):
        print(json.dumps(to_jsonable(obj), ensure_ascii=False))
    else:
        print(text)


def parse_mapping(pairs: list[str] | None) -> dict[str, str] | None:
    """``canonical=source`` pairs from ``--map``."""
    from ecomdash.i18n import N_
    from ecomdash.i18n.note import Quoted, note

    if not pairs:
        return None
    out: dict[str, str] = {}
    for pair in pairs:
        if "=" not in pair:
            raise ParameterError(
                note(
                    N_(
                        "--map takes canonical=source pairs, e.g. --map order_id=Invoice. Got {pair}."
                    ),
                    pair=Quoted(pair),
                )
            )
        k, v = pair.split("=", 1)
        out[k.strip()] = v.strip()
    return out
