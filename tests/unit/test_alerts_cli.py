"""``ecomdash alerts`` on a saved dataset: JSON fields, --since, --min-severity, --fail-on."""

from __future__ import annotations

import json

import pandas as pd

from ecomdash.cli import main
from ecomdash.store import Store


def test_alerts_cli_json_and_fail_on(demo, _isolated_home, capsys):
    store = Store.open(_isolated_home)
    info = store.ensure_demo(demo.lines)
    store.close()
    burst = demo.truth.incidents.set_index("incident").loc["order burst"]
    since = burst["date"].date().isoformat()
    code = main(
        ["alerts", "--dataset", info.id, "--since", since, "--min-severity", "medium", "--json"]
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["alerts"], "the planted burst and returns spike come after --since"
    for a in out["alerts"]:
        assert {"date", "severity", "kind", "reason", "driver", "lines"} <= set(a)
        assert a["date"] >= since
        assert a["severity"] in ("medium", "high")
    kinds = {k for a in out["alerts"] for k in a["kinds"]}
    assert "order_burst" in kinds and "price_off" not in kinds  # the pricing error is earlier
    b = next(a for a in out["alerts"] if a["kind"] == "order_burst")
    assert b["customer_id"] == burst["customer_id"]
    assert len({ln["order_id"] for ln in b["lines"]}) == 25
    # --fail-on high: exit 3 when a high alert is reported, 0 when none is
    assert main(["alerts", "--dataset", info.id, "--since", since, "--fail-on", "high"]) == 3
    first = capsys.readouterr().out.splitlines()[0]  # the text report's summary line
    n = int(first.split()[0])
    assert n >= len(out["alerts"])  # every severity this time, not only medium and high
    assert first.startswith(f"{n} alert{'' if n == 1 else 's'} for ")
    assert (
        main(
            [
                "alerts",
                "--dataset",
                info.id,
                "--since",
                "2026-10-31",
                "--min-severity",
                "high",
                "--fail-on",
                "high",
            ]
        )
        == 0
    )


def test_alerts_cli_unknown_dataset_is_a_clear_error(capsys):
    assert main(["alerts", "--dataset", "nope"]) == 2
    assert "No dataset with id 'nope'" in capsys.readouterr().err


def test_alerts_cli_leaves_out_what_the_merchant_muted(demo, _isolated_home, capsys):
    store = Store.open(_isolated_home)
    info = store.ensure_demo(demo.lines)
    store.set_alert_mutes(info.id, rules=("order_burst", "returns_spike"))
    store.close()
    since = demo.truth.incidents.set_index("incident").loc["order burst", "date"].date().isoformat()
    assert main(["alerts", "--dataset", info.id, "--since", since, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    kinds = {k for a in out["alerts"] for k in a["kinds"]}
    assert not kinds & {"order_burst", "returns_spike"}
    assert {r["rule"]: r["status"] for r in out["rules"]}["order_burst"] == "muted"


def test_alerts_cli_event_makes_a_day_known(demo, _isolated_home, capsys):
    store = Store.open(_isolated_home)
    info = store.ensure_demo(demo.lines)
    store.close()
    out_day = demo.truth.incidents.set_index("incident").loc["site outage", "date"].date()
    args = ["alerts", "--dataset", info.id, "--since", out_day.isoformat(), "--json"]
    assert main(args) == 0
    before = json.loads(capsys.readouterr().out)["alerts"]
    day = [a for a in before if a["kind"] == "unusual_day" and a["date"].startswith(str(out_day))]
    assert day and day[0]["severity"] == "high"
    assert main([*args, "--event", f"Planned maintenance:{out_day}"]) == 0
    after = json.loads(capsys.readouterr().out)["alerts"]
    day = [a for a in after if a["kind"] == "unusual_day" and a["date"].startswith(str(out_day))]
    assert day and day[0]["severity"] == "low"
    assert "Planned maintenance" in day[0]["reason"]
    assert main([*args, "--event", "oops:2025-13-01"]) == 2
    assert "--event takes NAME:START[:END]" in capsys.readouterr().err


def test_alerts_cli_event_is_named_in_the_weeks_reason_and_its_help_says_so(_isolated_home, capsys):
    """--event's help said its days are "not alerted above low"; a week holding it is one
    level lower (not low), and the week's reason names it: the help says both now."""
    import pytest

    from tests.unit.alerts_lines import black_friday_week_lines

    with pytest.raises(SystemExit):
        main(["alerts", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "a week holding it is one level lower, and their reasons name it" in help_text
    store = Store.open(_isolated_home)
    info = store.save_dataset("black friday week", black_friday_week_lines())
    store.close()
    # on Black Friday itself: the same days are known, so the same scores
    args = ["alerts", "--dataset", info.id, "--json", "--event", "Store birthday:2025-11-28"]
    assert main(args) == 0
    (week,) = [
        a for a in json.loads(capsys.readouterr().out)["alerts"] if a["kind"] == "unusual_week"
    ]
    assert week["severity"] == "medium"
    assert (
        "; the week held 1 known day (Black Friday, Store birthday), so its severity"
        in (week["reason"])
    )


def test_alerts_cli_text_gives_a_day_alert_its_day_and_an_order_alert_its_time(
    demo, _isolated_home, capsys
):
    """The text lines wrote every alert's date to the minute: the demo's returns spike (a
    week) read "2025-09-08T01:00", the time of its first return, and each unusual day
    "T00:00". A day or week alert now shows its day, an order alert its time, as the page's
    Date and Time columns do; the JSON keeps the full timestamp."""
    store = Store.open(_isolated_home)
    info = store.ensure_demo(demo.lines)
    store.close()
    burst = demo.truth.incidents.set_index("incident").loc["order burst", "date"]
    since = (burst - pd.Timedelta(days=60)).date().isoformat()
    assert main(["alerts", "--dataset", info.id, "--since", since, "--json"]) == 0
    records = json.loads(capsys.readouterr().out)["alerts"]
    assert main(["alerts", "--dataset", info.id, "--since", since]) == 0
    lines = capsys.readouterr().out.splitlines()[1:]
    kinds = set()
    for r in records:
        if r["kind"] in ("unusual_day", "unusual_week", "returns_spike"):
            head = f"{r['date'][:10]}        {r['severity']}"
        else:
            head = f"{r['date'][:16]}  {r['severity']}"
        assert any(ln.startswith(head) and ln.endswith(r["reason"]) for ln in lines), (head, r)
        kinds.add(r["kind"])
    assert {"returns_spike", "order_burst", "unusual_day"} <= kinds
