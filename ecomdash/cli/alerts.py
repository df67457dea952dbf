"""``ecomdash alerts``: unusual days and risky orders of a saved dataset, for scheduled jobs."""

from __future__ import annotations

import argparse

from ecomdash.cli.common import (
    add_dataset_arg,
    add_json_arg,
    add_lang_arg,
    emit,
    open_store,
    pad,
    parse_date,
    text_lang,
)
from ecomdash.errors import ParameterError
from ecomdash.i18n import N_, _, _n, use_lang
from ecomdash.i18n.fmt import long_date
from ecomdash.i18n.note import Quoted, note, tr_note
from ecomdash.text_width import text_width

EXIT_HIGH = 3


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "alerts",
        help=_("unusual days/weeks and order lines that need a second look"),
        description=_(
            "Alerts of a dataset, newest first: unusual days and weeks against a robust "
            "seasonal expectation, and order-level risk flags (huge quantities, quick "
            "cancellations, prices far from usual, order bursts, high-return customers, returns "
            "spikes, lines that move a day). With --fail-on high the command exits with code 3 "
            "when a high alert exists (for cron jobs that notify)."
        ),
    )
    add_dataset_arg(p)
    p.add_argument("--since", type=parse_date, help=_("report alerts from this day on, YYYY-MM-DD"))
    p.add_argument(
        "--min-severity", choices=("low", "medium", "high"), default="low", help=_("default: low")
    )
    p.add_argument(
        "--mute-rule",
        action="append",
        default=[],
        help=_("rule to leave out (repeat); rules muted on the Alerts page are left out too"),
    )
    p.add_argument(
        "--mute-product", action="append", default=[], help=_("product id to leave out (repeat)")
    )
    p.add_argument(
        "--fail-on",
        choices=("high", "medium", "low"),
        help=_("exit with code 3 when an alert of this severity (or higher) is reported"),
    )
    p.add_argument(
        "--event",
        action="append",
        default=[],
        metavar="NAME:START[:END]",
        help=(
            _(
                "a known day or period of yours (sale, closure): its days are not alerted above "
                "low, a week holding it is one level lower, and their reasons name it; repeat"
            )
        ),
    )
    add_lang_arg(p, page=N_("Alerts page"))
    add_json_arg(p)
    p.set_defaults(func=run)


def _events(items: list[str]) -> list[tuple]:
    out = []
    for item in items:
        parts = item.rsplit(":", 2)
        try:
            if len(parts) == 3 and len(parts[1]) == 10:
                out.append((parts[0], parse_date(parts[1]), parse_date(parts[2])))
            else:
                name, start = item.rsplit(":", 1)
                out.append((name, parse_date(start), None))
        except (ValueError, argparse.ArgumentTypeError):
            raise ParameterError(
                note(
                    N_(
                        "--event takes NAME:START[:END] with dates as YYYY-MM-DD, e.g. "
                        "--event 'Summer sale:2025-07-01:2025-07-07'. Got {item}."
                    ),
                    item=Quoted(item),
                )
            ) from None
    return out


def run(args: argparse.Namespace) -> int:
    from ecomdash.alerts import find_alerts, to_records

    # the reasons, drivers and notes are sentences built in the run's language, as the
    # Alerts page's (English with --json: the JSON is the same whatever --lang says)
    lang = text_lang(args)
    store = open_store(args)
    try:
        info = store.resolve(args.dataset)
        saved = store.alert_mutes(info.id)  # what the merchant muted on the Alerts page
        with use_lang(lang):
            res = find_alerts(
                store,
                info.id,
                since=args.since,
                min_severity=args.min_severity,
                mute_rules=(*saved["rules"], *args.mute_rule),
                mute_products=(*saved["products"], *args.mute_product),
                events=_events(args.event),
            )
    finally:
        store.close()
    records = to_records(res)
    obj = {
        "dataset": info.id,
        "period": list(res.params["period"]),
        "since": args.since,
        "min_severity": args.min_severity,
        "alerts": records,
        "rules": res.rules.to_dict("records"),
        "warnings": list(res.warnings),
    }
    with use_lang(lang):
        text = _text(res, records, info.name)
    emit(args, obj, "\n".join(text))
    if args.fail_on:
        rank = {"low": 1, "medium": 2, "high": 3}
        if any(rank[r["severity"]] >= rank[args.fail_on] for r in records):
            return EXIT_HIGH
    return 0


def _text(res, records: list[dict], name: str) -> list[str]:
    """The human lines in the current language, as the Alerts page writes them: its severity
    and rule names, the reasons and drivers in its words, a skipped rule's status and note."""
    from ecomdash.alerts import PERIOD_RULES, STATUS_LABELS, rule_label, severity_label

    start, end = res.params["period"]
    text = [
        _n(
            "{n} alert for {name} ({start} to {end})",
            "{n} alerts for {name} ({start} to {end})",
            len(records),
            n=f"{len(records):,}",
            name=name,
            start=long_date(start),
            end=long_date(end),
        )
    ]
    sev = max([6, *(int(text_width(severity_label(r["severity"]))) for r in records)])
    kind = max([16, *(int(text_width(rule_label(r["kind"]))) for r in records)])
    for r in records:
        # a day or week alert (a returns spike is a week) has a day, not the time of its first
        # line ("2025-09-08T01:00" read as a spike at 1 am); an order alert has its time
        when = r["date"][:10] if r["kind"] in PERIOD_RULES else r["date"][:16]
        text.append(
            f"{when:<16}  {pad(severity_label(r['severity']), sev)}  "
            f"{pad(rule_label(r['kind']), kind)}  {r['reason']}"
        )
        if r["driver"]:
            text.append(
                " " * (16 + 2 + sev + 2 + kind + 2) + _("Driver: {driver}", driver=r["driver"])
            )
    skipped = res.rules[res.rules["status"] != "ran"]
    for row in skipped.itertuples():
        text.append(
            _(
                "rule {rule} {status}: {note}",
                rule=rule_label(row.rule),
                status=_(STATUS_LABELS[row.status]) if row.status in STATUS_LABELS else row.status,
                note=tr_note(row.note),
            )
        )
    text += [tr_note(w) for w in res.warnings]
    return text
