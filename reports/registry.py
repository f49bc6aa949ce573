"""Every report, described once: the spine the command line and the app are built from.

`shopintel report`'s names, flags and help, the app's tabs, keys, footer, help screen and palette,
and how each column is formatted in tables, CSV and JSON are all derived from these entries. Adding a
report is one module (its runner) plus one entry here. Light: importing this loads no report module
and no pandas (see `spec.Report.run`)."""

from __future__ import annotations

from datetime import date
from functools import cache

from .spec import KINDS, Chart, Column, Drill, Keys, Param, Report, Variant

# ------------------------------------------------------------------ parameters

PARAMS: dict[str, Param] = {p.name: p for p in (
    Param("since", "--since", "first day, YYYY-MM-DD (default: the first sale; abc-xyz: 364 days before --until)", date, metavar="DATE"),
    Param("until", "--until", "last day, YYYY-MM-DD (default: the as-of date)", date, metavar="DATE"),
    Param("as_of", "--as-of", "what 'now' means (default: the latest sale's date)", date, metavar="DATE"),
    Param("limit", "--limit", "at most N rows (whales, basket: default 20; the others: every row)", int, metavar="N"),
    Param("category", "--category", "only this category", str, metavar="NAME"),
    Param("top_percent", "--top-percent", "customers in the top P%% by spend", float, metavar="P"),
    Param("min_spend", "--min-spend", "spend of at least X", float, metavar="X"),
    Param("window_days", "--window-days", "trailing window for velocity in days (default 28)", int, metavar="N",
          keys=Keys("right_square_bracket", (7, 14, 28, 56, 91), "Window", "longer window (7/14/28/56/91 days)",
                    back="left_square_bracket", back_help="shorter window")),
    Param("min_per_week", "--min-per-week", "more than U net units a week (default 3)", float, metavar="U",
          keys=Keys("plus", (), "Threshold", "raise the units-per-week threshold", back="minus",
                    back_help="lower the units-per-week threshold", step=1, minimum=0)),
    Param("compare", "--compare", "growth vs the previous equal span (default) or a year earlier", str,
          choices=("previous", "year")),
    Param("grain", "--grain", "period length (default day)", str, choices=("day", "week", "month"),
          keys=Keys("w", ("day", "week", "month"), "Grain", "grain: day / week / month")),
    Param("profile", "--profile", "seasonality profile instead of the series", str, choices=("weekday", "month"),
          keys=Keys("p", (None, "weekday", "month"), "Season", "weekday / month-of-year seasonality profile")),
    Param("show_all", "--all", "every counted product, not only the fast movers", bool),
    Param("service_level", "--service-level", "service level for safety stock (default 0.95)", float,
          metavar="L"),
    Param("review_days", "--review-days", "days between orders the suggestion covers (default 14)", int,
          metavar="N"),
    Param("segment", "--customers", "list this segment's customers", str, metavar="SEGMENT"),
    Param("min_orders", "--min-orders", "pairs bought together in at least N orders (default 2)", int,
          metavar="N"),
)}
# every report takes these: the period and a row limit
COMMON = ("since", "until", "as_of", "limit")

# ------------------------------------------------------------------ columns


def _c(name: str, kind: str, header: str = "") -> Column:
    return Column(name, kind, header)


SKU, PRODUCT, CATEGORY = _c("sku", "text"), _c("product_name", "text", "product"), _c("category", "text")
REVENUE, SHARE = _c("revenue", "money"), _c("share", "share")
UNITS_PER_WEEK = _c("units_per_week", "decimal", "units/wk")

# ------------------------------------------------------------------ the reports

REPORTS: dict[str, Report] = {r.name: r for r in (
    Report(
        "summary", "Summary", "revenue, returns, orders, customers, AOV, top 1%/20% customers' share",
        "summary:summary", one_row=True, columns=(
            REVENUE, _c("gross_revenue", "money"), _c("returns", "money"), _c("orders", "count"),
            _c("customers", "count"), _c("guest_orders", "count"), _c("units", "count"), _c("aov", "money"),
            _c("first_date", "date"), _c("last_date", "date"), _c("top_1pct_share", "share", "top 1% share"),
            _c("top_20pct_share", "share", "top 20% share"))),
    Report(
        "whales", "Whales", "customers ranked by spend net of returns (guests never listed)",
        "whales:whales", tab=3, params=("top_percent", "min_spend"),
        drill=Drill("customer", "customer_id"), columns=(
            _c("rank", "count"), _c("customer_id", "text", "customer"), _c("customer_name", "text", "name"),
            _c("orders", "count"), _c("units", "count"), _c("spend", "money"), _c("aov", "money"),
            _c("first_order", "date", "first"), _c("last_order", "date", "last"), SHARE,
            _c("cumulative_share", "share", "cum. share"))),
    Report(
        "top-sellers", "Top Sellers", "products moving more than --min-per-week units a week over --window-days",
        "top_sellers:top_sellers", tab=4, short_title="Sellers", params=("category", "window_days", "min_per_week"),
        app_options=("window_days", "min_per_week"),
        chart=Chart("bars", "sku", ("units_per_week",), "Units per week"), drill=Drill("product", "sku"),
        columns=(SKU, PRODUCT, CATEGORY, _c("units", "count"), UNITS_PER_WEEK, REVENUE,
                 _c("previous_units", "count", "prev. units"), _c("trend", "change"))),
    Report(
        "categories", "Categories", "revenue and share by category; with --since, growth vs the previous span",
        "categories:categories", tab=5, params=("category", "compare"),
        chart=Chart("bars", "category", ("revenue",), "Revenue by category"), drill=Drill("category", "category"),
        columns=(CATEGORY, REVENUE, SHARE, _c("previous_revenue", "money", "prev. revenue"),
                 _c("growth", "change"), _c("growth_contribution", "change", "contribution"),
                 _c("driver", "flag"))),
    Report(
        "revenue", "Revenue", "revenue per --grain day|week|month, 7-period average; --profile seasonality",
        "revenue:revenue", app_options=("grain", "profile"), tab=2, params=("category", "grain", "profile"),
        chart=Chart("line", "period", ("revenue", "moving_average"), "Revenue"),
        columns=(_c("period", "date"), REVENUE, _c("orders", "count"), _c("units", "count"),
                 _c("moving_average", "money", "7-period avg")),
        variants=(Variant("profile", (_c("period", "date"), REVENUE, _c("index", "decimal")),
                          chart=Chart("columns", "period", ("revenue",), "Average revenue per {profile}")),)),
    Report(
        "reorder", "Reorder", "counted fast movers: on hand, days of cover, reorder point, suggested qty",
        "reorder:reorder", tab=6,
        params=("category", "window_days", "min_per_week", "show_all", "service_level", "review_days"),
        drill=Drill("product", "sku"), columns=(
            SKU, PRODUCT, CATEGORY, _c("on_hand", "count"), UNITS_PER_WEEK,
            _c("days_of_cover", "decimal", "cover (d)"), _c("lead_time_days", "count", "lead (d)"),
            _c("reorder_point", "count", "reorder pt"), _c("suggested_qty", "count", "suggested"),
            _c("status", "text"))),
    Report(
        "segments", "Segments", "RFM customer segments; --customers SEGMENT lists one segment's customers",
        "segments:segments", tab=7, short_title="RFM", params=("segment",), drill=Drill("segment", "segment"),
        columns=(_c("segment", "text"), _c("customers", "count"), REVENUE, SHARE,
                 _c("median_recency_days", "decimal", "med. recency"), _c("median_orders", "decimal", "med. orders"),
                 _c("median_spend", "money", "med. spend")),
        variants=(Variant("segment", (
            _c("customer_id", "text", "customer"), _c("customer_name", "text", "name"),
            _c("recency_days", "count", "recency (d)"), _c("orders", "count"), _c("spend", "money"),
            _c("r", "count"), _c("f", "count"), _c("m", "count"))),)),
    Report(
        "cohorts", "Cohorts", "retention by first-order month: active customers and revenue each month since",
        "cohorts:cohorts", view_of="whales", columns=(
            _c("cohort", "date"), _c("months_since", "count", "month"), _c("customers", "count"),
            _c("active", "count"), _c("retention", "share"), REVENUE)),
    # No chart: a bar per pair or per product of a whole catalogue says less than the sorted table.
    Report(
        "basket", "Baskets", "product pairs bought in the same order: support, confidence, lift",
        "basket:basket", view_of="top-sellers", params=("min_orders",), drill=Drill("product", "sku_a"), columns=(
            _c("sku_a", "text", "sku a"), _c("product_a", "text", "product a"), _c("sku_b", "text", "sku b"),
            _c("product_b", "text", "product b"), _c("orders", "count"), _c("support", "share"),
            _c("confidence_ab", "share", "conf. a→b"), _c("confidence_ba", "share", "conf. b→a"),
            _c("lift", "ratio"))),
    Report(
        "abc-xyz", "ABC-XYZ", "merchandise by revenue class (ABC) and weekly-demand steadiness (XYZ), 364 days",
        "abc_xyz:abc_xyz", view_of="top-sellers", params=("category",), default_days=364, drill=Drill("product", "sku"), columns=(
            SKU, PRODUCT, CATEGORY, REVENUE, SHARE, _c("cumulative_share", "share", "cum. share"),
            _c("abc", "text"), _c("mean_weekly_units", "decimal", "units/wk"), _c("cv", "ratio"),
            _c("xyz", "text"))),
    Report(
        "clv", "CLV", "BG/NBD lifetime value: p_alive, expected orders and spend in the next 365 days",
        "clv:clv", view_of="whales", drill=Drill("customer", "customer_id"), columns=(
            _c("customer_id", "text", "customer"), _c("customer_name", "text", "name"), _c("orders", "count"),
            _c("spend", "money"), _c("frequency", "count", "freq."), _c("recency_days", "count", "recency (d)"),
            _c("tenure_days", "count", "tenure (d)"), _c("p_alive", "share", "p alive"),
            _c("expected_orders_365d", "decimal", "exp. orders"),
            _c("expected_spend_365d", "money", "exp. spend"))),
)}


def tabs() -> list[Report]:
    """The reports with a tab of their own, in number-key order (the Overview is 1)."""
    return sorted((r for r in REPORTS.values() if r.tab is not None), key=lambda r: r.tab)


def views(tab: str) -> list[Report]:
    """The views a tab shows (`v` steps through them): its own report first, then those with view_of = tab."""
    return [REPORTS[tab], *(r for r in REPORTS.values() if r.view_of == tab)]


@cache
def column_kinds() -> dict[str, Column]:
    """Every column name of every report (and variant) -> its Column; a name has one kind everywhere."""
    kinds: dict[str, Column] = {}
    for report in REPORTS.values():
        for col in (*report.columns, *(c for v in report.variants for c in v.columns)):
            if col.kind not in KINDS:
                raise ValueError(f"column {col.name} of {report.name}: unknown kind {col.kind!r}")
            seen = kinds.setdefault(col.name, col)
            if seen.kind != col.kind:
                raise ValueError(f"column {col.name} is {seen.kind} in one report and {col.kind} in another")
    return kinds

