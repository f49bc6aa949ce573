"""`revenue`: the revenue series by day, week (Monday start) or month, continuous (periods without
sales show 0) with a trailing 7-period moving average; or a seasonality profile: the average
revenue per weekday or per calendar month, with its index against the overall daily average.

Read from the kept per-day totals (agg_day; with --category, agg_category_day, which keeps no order
counts, so `orders` is null there); the calendar is filled in pandas, so the work is sized by the
number of days. period = first day of the day/week (Monday)/month; the first and last week or month
may be partial when the period starts or ends inside one. moving_average = mean of this and the 6
previous periods' revenue (fewer at the start), computed before --limit keeps the last N periods.
A period with no sales at all gives an empty result."""

from __future__ import annotations

import sqlite3

import pandas as pd

from .params import Params, Period, ReportError, resolve

COLUMNS = ["period", "revenue", "orders", "units", "moving_average"]
PROFILE_COLUMNS = ["period", "revenue", "index"]
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def daily(conn: sqlite3.Connection, period: Period) -> pd.DataFrame:
    """Every day of the period (zeros where nothing sold): day, cents, orders, units."""
    lo, hi = period.first.isoformat(), period.last.isoformat()
    if period.category_id is None:
        df = pd.read_sql_query("SELECT day, net_cents AS cents, orders, units FROM agg_day WHERE day BETWEEN ? AND ?",
                               conn, params=(lo, hi))
    else:
        # orders are not kept per category: a category's series has revenue and units only
        df = pd.read_sql_query(
            "SELECT day, net_cents AS cents, NULL AS orders, units FROM agg_category_day "
            "WHERE category_id = ? AND day BETWEEN ? AND ?", conn, params=(period.category_id, lo, hi))
    days = pd.date_range(period.first, period.last, freq="D")
    df["day"] = pd.to_datetime(df["day"])
    out = pd.DataFrame({"day": days}).merge(df, on="day", how="left")
    out["cents"] = out["cents"].fillna(0)
    out["units"] = out["units"].fillna(0)
    if period.category_id is None:
        out["orders"] = out["orders"].fillna(0)
    return out


def _any_sales(conn: sqlite3.Connection, period: Period) -> bool:
    lo, hi = period.first.isoformat(), period.last.isoformat()
    if period.category_id is None:
        row = conn.execute("SELECT 1 FROM agg_day WHERE day BETWEEN ? AND ? LIMIT 1", (lo, hi)).fetchone()
    else:
        row = conn.execute("SELECT 1 FROM agg_category_day WHERE day BETWEEN ? AND ? AND category_id = ? LIMIT 1",
                           (lo, hi, period.category_id)).fetchone()
    return row is not None


def revenue(conn: sqlite3.Connection, p: Params = Params(), period: Period | None = None) -> pd.DataFrame:
    if p.grain not in ("day", "week", "month"):
        raise ReportError(f"--grain {p.grain!r}: use day, week or month")
    if p.profile is not None and p.profile not in ("weekday", "month"):
        raise ReportError(f"--profile {p.profile!r}: use weekday or month")
    period = period or resolve(conn, p)
    if period.empty_store or not _any_sales(conn, period):
        # an empty period is an empty answer, not a run of zeros (the caption says so)
        return pd.DataFrame(columns=PROFILE_COLUMNS if p.profile else COLUMNS)
    d = daily(conn, period)
    if p.profile:
        return _profile(d, p.profile)
    if p.grain == "day":
        key = d["day"]
    elif p.grain == "week":
        key = d["day"] - pd.to_timedelta(d["day"].dt.day_of_week, unit="D")
    else:
        key = d["day"].dt.to_period("M").dt.start_time
    g = d.groupby(key).agg(cents=("cents", "sum"), orders=("orders", "sum"), units=("units", "sum"))
    out = pd.DataFrame({
        "period": g.index.strftime("%Y-%m-%d"),
        "revenue": g["cents"].to_numpy() / 100,
        "orders": g["orders"].to_numpy() if period.category_id is None else None,
        "units": g["units"].astype(int).to_numpy(),
    })
    out["moving_average"] = out["revenue"].rolling(7, min_periods=1).mean()
    if p.limit is not None:
        out = out.tail(p.limit)
    return out.reset_index(drop=True)


def _profile(d: pd.DataFrame, kind: str) -> pd.DataFrame:
    if kind == "weekday":
        key, labels = d["day"].dt.day_of_week, WEEKDAYS
    else:
        key, labels = d["day"].dt.month - 1, MONTHS
    g = d.groupby(key).agg(cents=("cents", "mean"))
    overall = d["cents"].mean()
    return pd.DataFrame({
        "period": [labels[i] for i in g.index],
        "revenue": g["cents"].to_numpy() / 100,
        "index": g["cents"].to_numpy() / overall if overall else float("nan"),
    })
