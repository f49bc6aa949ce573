"""Stock counts: set one product's count, or import a stock file (sku, on_hand, counted_at,
lead_time_days, reorder_point). Units on hand now are computed by the reports layer from the
count and the net units sold after it."""

from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

from .errors import ImportFailed
from .ingest import reader, values
from .sql import atomic

END_OF_DAY = "T23:59:59"   # the time of a count given as a date alone
STOCK_FIELDS = ("sku", "on_hand", "counted_at", "lead_time_days", "reorder_point")


@dataclass
class StockReport:
    updated: int = 0
    unknown_skus: list[str] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)   # (record, reason)


def _now() -> str:
    return datetime.now().replace(microsecond=0).isoformat()


class UnknownSku(Exception):
    pass


def set_stock(conn: sqlite3.Connection, sku: str, on_hand: int, *, counted_at: str | None = None,
              lead_time_days: int | None = None, reorder_point: int | None = None,
              clear_reorder_point: bool = False) -> None:
    """Record a stock count for one product (one transaction). Lead time and reorder point keep
    their previous values unless given."""
    row = conn.execute("SELECT product_id FROM products WHERE sku = ?", (sku,)).fetchone()
    if row is None:
        raise UnknownSku(sku)
    if not 0 <= on_hand <= MAX_COUNT:
        raise ImportFailed(f"{sku}: on hand must be a count from 0 to {MAX_COUNT:,} (got {on_hand}); nothing was changed.")
    if reorder_point is not None and not 0 <= reorder_point <= MAX_COUNT:
        raise ImportFailed(f"{sku}: the reorder point must be from 0 to {MAX_COUNT:,}; nothing was changed.")
    if lead_time_days is not None and not 1 <= lead_time_days <= 3650:
        raise ImportFailed(f"{sku}: the lead time must be from 1 to 3650 days; nothing was changed.")
    with atomic(conn):
        _upsert(conn, row[0], on_hand, counted_at or _now(), lead_time_days, reorder_point, clear_reorder_point)


MAX_COUNT = 1_000_000_000


def _whole(series, i: int) -> int | None:
    """The i-th value as an int; None when empty; -1 (rejected by the range checks) when not a whole number."""
    if series is None or pd.isna(series.iloc[i]):
        return None
    v = float(series.iloc[i])
    if not math.isfinite(v) or v != round(v) or abs(v) > 10 * MAX_COUNT:
        return -1
    return int(v)


def _upsert(conn, product_id, on_hand, counted_at, lead_time_days, reorder_point, clear_rp=False) -> None:
    # SQL both engines take: the kept values named by their table (PostgreSQL finds a bare name ambiguous
    # beside excluded's), the flag compared (PostgreSQL's CASE WHEN wants a boolean)
    conn.execute(
        """INSERT INTO inventory (product_id, on_hand, counted_at, lead_time_days, reorder_point)
           VALUES (?, ?, ?, coalesce(?, 7), ?)
           ON CONFLICT (product_id) DO UPDATE SET
               on_hand = excluded.on_hand, counted_at = excluded.counted_at,
               lead_time_days = coalesce(?, inventory.lead_time_days),
               reorder_point = CASE WHEN ? = 1 THEN NULL ELSE coalesce(?, inventory.reorder_point) END""",
        (product_id, on_hand, counted_at, lead_time_days, reorder_point, lead_time_days, int(clear_rp),
         reorder_point))


def import_stock(conn: sqlite3.Connection, path: str, mapping: dict[str, str] | None = None) -> StockReport:
    """Import a stock file in one transaction. Unknown skus and bad rows are reported, not dropped silently."""
    src = reader.open_source(path)
    mapping = {k.lower(): v for k, v in (mapping or {}).items()}
    norm = {h.strip().lower().replace(" ", "_"): i for i, h in enumerate(src.header)}
    cols: dict[str, str] = {}
    for fld in STOCK_FIELDS:
        name = mapping.get(fld, fld).strip().lower().replace(" ", "_")
        if name in norm:
            cols[fld] = f"c{norm[name]}"
    missing = [f for f in ("sku", "on_hand") if f not in cols]
    if missing:
        raise ImportFailed(f"{path}: the stock file lacks column(s) {', '.join(missing)}. Its columns are: "
                           f"{', '.join(repr(h) for h in src.header)}. Map them, e.g. --map on_hand='Qty'.")
    report = StockReport()
    with atomic(conn):
        known = dict(conn.execute("SELECT sku, product_id FROM products"))
        for chunk in reader.read_chunks(src):
            sku = chunk[cols["sku"]].str.strip()
            on_hand = values.parse_numbers(chunk[cols["on_hand"]])
            lead = values.parse_numbers(chunk[cols["lead_time_days"]]) if "lead_time_days" in cols else None
            rp = values.parse_numbers(chunk[cols["reorder_point"]]) if "reorder_point" in cols else None
            if "counted_at" in cols:
                raw_dates = chunk[cols["counted_at"]].str.strip()
                rule = values.DateRule("iso")
                dates = values.parse_dates(raw_dates.where(raw_dates != "", _now()), rule)
                # a date without a time is a count taken at the end of that day (after its sales)
                date_only = raw_dates.str.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}") & (dates.reason == "")
                dates.values[date_only] = dates.values[date_only].str.slice(0, 10) + END_OF_DAY
            else:
                dates = None
            for i, rec in enumerate(chunk["_record"]):
                s = sku.iloc[i]
                q = on_hand.iloc[i]
                if not s:
                    report.rejected.append((int(rec), "sku is empty"))
                    continue
                if pd.isna(q) or not math.isfinite(q) or q != round(q):
                    report.rejected.append((int(rec), f"on_hand {chunk[cols['on_hand']].iloc[i]!r} is not a whole number"))
                    continue
                if not 0 <= q <= MAX_COUNT:
                    report.rejected.append((int(rec), f"on_hand {chunk[cols['on_hand']].iloc[i]!r} is "
                                            + ("negative: a count cannot be" if q < 0 else "implausibly large")))
                    continue
                if dates is not None and dates.reason.iloc[i]:
                    report.rejected.append((int(rec), dates.reason.iloc[i]))
                    continue
                lt = _whole(lead, i)
                if lt is not None and not 1 <= lt <= 3650:
                    report.rejected.append((int(rec), "lead_time_days must be a whole number of days from 1 to 3650"))
                    continue
                r = _whole(rp, i)
                if r is not None and not 0 <= r <= MAX_COUNT:
                    report.rejected.append((int(rec), "reorder_point must be a whole number from 0 to 1,000,000,000"))
                    continue
                if s not in known:
                    report.unknown_skus.append(s)
                    continue
                when = dates.values.iloc[i] if dates is not None else _now()
                _upsert(conn, known[s], int(q), when, lt, r)
                report.updated += 1
    return report
