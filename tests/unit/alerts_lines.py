"""Hand-built order lines for the alerts tests (test_alerts.py, test_alerts_weeks.py, the
Alerts page and CLI tests): one line per dict, numbered as an export's lines are, saved in a
store of the test's own."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ecomdash.store import Store


def _line(order, ts, cust, prod, qty, price, **kw):
    return {
        "order_id": order,
        "order_date": pd.Timestamp(ts),
        "customer_id": cust,
        "product_id": prod,
        "product_name": f"Name {prod}",
        "quantity": float(qty),
        "unit_price": float(price),
        "revenue": round(qty * price, 2),
        "country": kw.get("country", "UK"),
        "category": kw.get("category", "Kitchen"),
        "channel": "web",
        "is_return": kw.get("ret", False),
        "is_non_product": False,
        "is_cancelled": kw.get("cancelled", False),
    }


def _numbered(rows: list[dict]) -> pd.DataFrame:
    """Test lines from ``_line`` rows, numbered 1..n in order (as an export's lines are)."""
    lines = pd.DataFrame(rows)
    lines["line_no"] = np.arange(1, len(lines) + 1)
    return lines


def _hand_lines() -> pd.DataFrame:
    rows = []
    # P1: 40 normal lines of 1-2 units at 10.00 over 40 days, customers K0..K9
    for i in range(40):
        rows.append(
            _line(f"N{i}", f"2024-01-{1 + i % 28:02d} 10:00", f"K{i % 10}", "P1", 1 + i % 2, 10.0)
        )
    # huge quantity: 100 units of P1 (usual large line 2 -> 50x)
    rows.append(_line("H1", "2024-01-15 12:00", "K1", "P1", 100, 10.0))
    # pricing error: P1 at 1.00 (10x below its median 10.00)
    rows.append(_line("E1", "2024-01-16 12:00", "K2", "P1", 1, 1.0))
    # quick cancel: order Q1 (2 lines) returned in full 2 hours later
    rows.append(_line("Q1", "2024-01-17 09:00", "K3", "P1", 2, 10.0, cancelled=True))
    rows.append(_line("Q1", "2024-01-17 09:00", "K3", "P2", 1, 5.0, cancelled=True))
    rows.append(_line("CQ1", "2024-01-17 11:00", "K3", "P1", -2, 10.0, ret=True))
    rows.append(_line("CQ1", "2024-01-17 11:00", "K3", "P2", -1, 5.0, ret=True))
    # returned 3 days later: not quick
    rows.append(_line("S1", "2024-01-18 09:00", "K4", "P2", 1, 5.0, cancelled=True))
    rows.append(_line("CS1", "2024-01-21 09:00", "K4", "P2", -1, 5.0, ret=True))
    # burst: customer B places 9 orders within 2 hours (usually nothing else)
    for j in range(9):
        rows.append(_line(f"B{j}", f"2024-01-20 10:{j * 6:02d}", "B", "P2", 1, 5.0))
    return _numbered(rows)


def _saved(home, name: str, lines: pd.DataFrame):
    """(store, info) of ``lines`` saved in a store at ``home``, closed after the test."""
    store = Store.open(home)
    try:
        yield store, store.save_dataset(name, lines)
    finally:
        store.close()


def black_friday_week_lines(bump: float = 2.5, monday: str = "2025-11-24") -> pd.DataFrame:
    """A UK shop of about 30 one-line orders a day from August 2025 to January 2026, every
    day of the week of Black Friday (Mon 24 - Sun 30 November 2025; or the week from
    ``monday``) at ``bump`` times that. At 2.5x the week is +154 %, 13.4 times the usual
    week-to-week swing: high by itself, medium as a week holding a known day."""
    rng = np.random.default_rng(7)
    week = pd.date_range(monday, periods=7)
    rows = []
    for day in pd.date_range("2025-08-04", "2026-01-25", freq="D"):
        n = int(rng.poisson(30 * (bump if day in week else 1)))
        for i in range(n):
            rows.append(
                _line(f"O{day:%y%m%d}{i}", day + pd.Timedelta(hours=10), f"C{i}", "P1", 1, 10.0)
            )
    return _numbered(rows)
