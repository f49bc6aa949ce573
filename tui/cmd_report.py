"""`shopintel report NAME`: any report as a table, CSV, JSON or a plot on standard output."""

from __future__ import annotations

import argparse
import os
import math
import numbers
import sys

from .cli import UserError, add_command

NAMES = ("summary", "whales", "top-sellers", "categories", "revenue", "reorder", "segments")
PLOTTABLE = ("revenue", "categories", "top-sellers")
# JSON money is rounded to cents; everything else keeps its precision
MONEY_KEYS = {"revenue", "gross_revenue", "returns", "spend", "aov", "previous_revenue", "moving_average",
              "median_spend"}


def register(sub, common) -> None:
    p = add_command(
        sub, common, "report",
        help="print a report: summary, whales, top-sellers, categories, revenue, reorder, segments",
        description=(
            "Print one report as a table (default), CSV, JSON or a plot. Periods are inclusive; 'now' for "
            "trailing windows is --as-of (default: the date of the latest sale in the store).\n\n"
            "  summary      revenue, returns, orders, customers, AOV, top 1%/20% customers' share\n"
            "  whales       customers ranked by spend net of returns (guests never listed)\n"
            "  top-sellers  products moving more than --min-per-week units a week over --window-days\n"
            "  categories   revenue and share by category; with --since, growth vs the previous span\n"
            "  revenue      revenue by --grain day|week|month with a 7-period moving average; --profile\n"
            "               weekday|month for seasonality\n"
            "  reorder      counted fast movers: on hand, days of cover, reorder point, suggested qty\n"
            "  segments     RFM customer segments; --customers SEGMENT lists one segment's customers"),
        examples=(
            "  shopintel report summary\n"
            "  shopintel report whales --limit 10 --since 2025-01-01\n"
            "  shopintel report whales --top-percent 1 --format csv > whales.csv\n"
            "  shopintel report top-sellers --window-days 14 --min-per-week 5\n"
            "  shopintel report categories --since 2026-01-01 --until 2026-06-30 --compare year\n"
            "  shopintel report revenue --grain week --format plot\n"
            "  shopintel report revenue --profile weekday\n"
            "  shopintel report reorder --all --format json\n"
            "  shopintel report segments --customers \"At Risk\"\n"),
    )
    p.add_argument("name", metavar="NAME", help=f"one of: {', '.join(NAMES)}")
    p.add_argument("--format", dest="fmt", default="table", choices=("table", "csv", "json", "plot"),
                   help="output format (plot: revenue, categories, top-sellers)")
    g = p.add_argument_group("period and filters")
    g.add_argument("--since", metavar="DATE", help="first day, YYYY-MM-DD (default: the first sale)")
    g.add_argument("--until", metavar="DATE", help="last day, YYYY-MM-DD (default: the as-of date)")
    g.add_argument("--as-of", metavar="DATE", help="what 'now' means (default: the latest sale's date)")
    g.add_argument("--limit", type=int, metavar="N", help="at most N rows (whales default 20)")
    g.add_argument("--category", metavar="NAME", help="only this category (top-sellers, categories, revenue, reorder)")
    w = p.add_argument_group("report options")
    w.add_argument("--top-percent", type=float, metavar="P", help="whales: customers in the top P%% by spend")
    w.add_argument("--min-spend", type=float, metavar="X", help="whales: spend of at least X")
    w.add_argument("--window-days", type=int, default=28, metavar="N",
                   help="top-sellers, reorder: trailing window for velocity (default 28)")
    w.add_argument("--min-per-week", type=float, default=3.0, metavar="U",
                   help="top-sellers, reorder: more than U net units a week (default 3)")
    w.add_argument("--compare", choices=("previous", "year"), default="previous",
                   help="categories: growth vs the previous equal span (default) or a year earlier")
    w.add_argument("--grain", choices=("day", "week", "month"), default="day", help="revenue: period length")
    w.add_argument("--profile", choices=("weekday", "month"), help="revenue: seasonality profile instead")
    w.add_argument("--all", dest="show_all", action="store_true", help="reorder: every counted product")
    w.add_argument("--service-level", type=float, default=0.95, metavar="L",
                   help="reorder: service level for safety stock (default 0.95)")
    w.add_argument("--review-days", type=int, default=14, metavar="N",
                   help="reorder: days between orders the suggestion covers (default 14)")
    w.add_argument("--customers", dest="segment", metavar="SEGMENT", help="segments: list this segment's customers")
    p.set_defaults(func=run)


def params_from(args: argparse.Namespace):
    from ..reports.params import Params, parse_date

    if args.limit is not None and args.limit < 0:
        raise UserError("--limit cannot be negative")
    return Params(
        since=parse_date(args.since, "--since"), until=parse_date(args.until, "--until"),
        as_of=parse_date(args.as_of, "--as-of"), limit=args.limit, category=args.category,
        top_percent=args.top_percent, min_spend=args.min_spend, window_days=args.window_days,
        min_per_week=args.min_per_week, compare=args.compare, grain=args.grain, profile=args.profile,
        show_all=args.show_all, service_level=args.service_level, review_days=args.review_days,
        segment=args.segment)


def run(args: argparse.Namespace) -> int:
    if args.name not in NAMES:
        raise UserError(f"unknown report {args.name!r}; choose one of: {', '.join(NAMES)}")
    if args.fmt == "plot" and args.name not in PLOTTABLE:
        raise UserError(f"--format plot is available for {', '.join(PLOTTABLE)}; not for {args.name}")
    from ..reports.params import ReportError, resolve
    from ..reports.registry import REPORTS
    from ..store.db import connect_read_only

    conn = connect_read_only(args.db)
    try:
        params = params_from(args)
        period = resolve(conn, params)
        result = REPORTS[args.name].run(conn, params, period)
    except ReportError as exc:
        raise UserError(str(exc)) from None
    finally:
        conn.close()
    caption = describe(args.name, params, period, result)
    if args.fmt == "json":
        from .format import json_text

        print(json_text(to_records(result), indent=1))
    elif args.fmt == "csv":
        # the exact text, control characters included: CSV is for programs and files (README)
        frame = _frame(result)
        frame.to_csv(sys.stdout, index=False, lineterminator="\n")
    elif args.fmt == "plot":
        # nothing to draw: say so rather than print an empty frame
        print(plot_text(args.name, result, params) if len(result) else caption)
    elif hasattr(result, "as_dict"):
        print_pairs(result.as_dict(), caption)
    else:
        print_table(_frame(result), caption)
    return 0


def describe(name: str, params, period, result) -> str:
    if period.empty_store:
        return "The store has no sales yet: import some with shopintel ingest FILE."
    bits = [f"{period.first} .. {period.last}", f"as of {period.as_of}"]
    if name in ("top-sellers", "reorder"):
        bits[0] = f"trailing {params.window_days} days to {period.as_of}"
    if params.category:
        bits.append(f"category {params.category}")
    if params.segment:
        bits.append(f"segment {params.segment}")
    if hasattr(result, "as_dict"):       # summary: one set of figures
        if getattr(result, "orders", 1) == 0:
            bits.append("no sales in this period")
    else:
        n = len(result)
        bits.append("no rows in this period" if n == 0 else f"{n:,} row{'s' * (n != 1)}")
    from .format import plain

    return plain(f"{name}: " + " · ".join(bits))   # the filters quote what was typed


def _frame(result):
    import pandas as pd

    if hasattr(result, "as_dict"):
        return pd.DataFrame([result.as_dict()])
    return result


def _json_value(key: str, value):
    if value is None:
        return None
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        v = float(value)
        if math.isnan(v) or math.isinf(v):
            return None
        return _cents(v) if key in MONEY_KEYS else v
    return str(value)


def _cents(v: float) -> float:
    """Money to cents, halves away from zero on the number as written (2.675 -> 2.68, as a person
    would round it; round() works on the binary value and gives 2.67)."""
    from decimal import ROUND_HALF_UP, Decimal

    return float(Decimal(repr(v)).quantize(Decimal("0.01"), ROUND_HALF_UP))


def to_records(result):
    if hasattr(result, "as_dict"):
        return {k: _json_value(k, v) for k, v in result.as_dict().items()}
    cols = list(result.columns)
    return [{k: _json_value(k, v) for k, v in zip(cols, row)} for row in result.itertuples(index=False, name=None)]


def print_table(frame, caption: str) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from .format import RIGHT, cell, header

    # min_width: the caption is one line, never wrapped under a narrow table
    table = Table(caption=Text(caption, no_wrap=True, overflow="ellipsis"), caption_justify="left",
                  show_lines=False, header_style="bold", min_width=len(caption))
    for col in frame.columns:
        table.add_column(Text(header(col)), justify="right" if col in RIGHT else "left", overflow="ellipsis",
                         no_wrap=True)
    for row in frame.itertuples(index=False, name=None):
        table.add_row(*(cell(c, v) for c, v in zip(frame.columns, row)))
    _console().print(table)


def print_pairs(values: dict, caption: str) -> None:
    """A one-row result (summary) reads better as measure / value lines."""
    from rich.table import Table
    from rich.text import Text

    from .format import cell, header

    table = Table(caption=Text(caption, no_wrap=True, overflow="ellipsis"), caption_justify="left",
                  show_header=False, min_width=len(caption))
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key, value in values.items():
        table.add_row(Text(header(key)), cell(key, value))
    _console().print(table)


def _console():
    from rich.console import Console

    # piped output is not cut to 80 columns: a file has no width
    width = None if sys.stdout.isatty() else 250
    return Console(markup=False, highlight=False, emoji=False, width=width)


def plot_text(name: str, result, params) -> str:
    """A plotext chart as text, sized to the terminal."""
    import shutil

    import plotext as plt

    from .plots import draw

    cols, rows = shutil.get_terminal_size((100, 30))
    plt.clear_figure()
    plt.si_width, plt.si_height = cols, rows
    draw(plt, name, result, params)
    plt.plotsize(cols, max(12, rows - 4))
    chart = plt.build()
    if not sys.stdout.isatty() or os.environ.get("NO_COLOR"):
        chart = plt.uncolorize(chart)
    return chart
