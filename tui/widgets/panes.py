"""The report tabs. Each pane asks the reports layer for its data in a thread worker, which posts a
message; the handler draws. A failing query becomes an error toast, the app keeps running."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
import functools
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Static

from .. import plots
from ..format import format_value
from ..safe_text import plain
from .report_table import ReportTable


def busy_indicator(pane, on: bool) -> None:
    """The loading indicator goes on the charts (never focused) and the status line says so."""
    for chart in pane.query(".chart"):   # a Chart, or the Overview's placeholder for one
        chart.loading = on
    if on:
        pane.query_one(".status", Static).update(Text("Loading…"))


class BuiltLater:
    """A pane whose widgets build() mounts when they are first needed, not when the app is composed."""

    _mounting = None   # an awaitable while build() is mounting

    async def mounted(self) -> None:
        """Wait until the widgets of build() are mounted: a result must not land on widgets still mounting
        (their sizes would be worked out from what they showed before)."""
        if self._mounting is not None:
            await self._mounting
            self._mounting = None


class ReportPane(BuiltLater, Vertical):
    """Base pane: a status line, optional chart, a table; data loaded in a worker thread."""

    report = ""
    key_column: str | None = None
    hidden: tuple[str, ...] = ()
    with_chart = False

    @dataclass
    class Loaded(Message):
        pane: "ReportPane"
        result: Any

    @dataclass
    class Failed(Message):
        pane: "ReportPane"
        error: str

    def __init__(self, **kw):
        super().__init__(**kw)
        self.stale = True
        self.table = ReportTable(key_column=self.key_column, hidden=self.hidden, id=f"{self.id}-table")

    def build(self) -> None:
        """The pane's widgets, mounted when the tab is first loaded rather than composed with the app:
        the first screen then mounts, styles and lays out the Overview only."""
        if not self.children:
            from .chart import Chart

            self._mounting = self.mount_all([Static("", classes="status"),
                                             *([Chart(classes="chart")] if self.with_chart else []), self.table])

    def chart(self):
        return self.query_one(".chart")

    def set_status(self, text: str) -> None:
        """The pane's one-line story, led by the table's honest 'showing N of M'."""
        self._status_text = text
        self.query_one(".status", Static).update(Text(f"{self.table.status_line()} · {text}"))

    def refresh_status(self) -> None:
        self.set_status(getattr(self, "_status_text", ""))

    def load(self) -> None:
        self.build()
        self.stale = False
        self.busy(True)
        store, choice = self.app.store, self.app.period_choice
        self.run_worker(lambda: self._work(store, choice), thread=True, exclusive=True, group="load",
                        exit_on_error=False)

    def busy(self, on: bool) -> None:
        """Show that numbers are on their way without disabling the table: Textual drops the keys of a
        widget whose `loading` is set, and the table usually has the focus."""
        busy_indicator(self, on)

    def _work(self, store, choice) -> None:
        try:
            result = self.compute(store, choice)
        except Exception as exc:  # shown as a toast; the app keeps running
            self.post_message(self.Failed(self, f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(self.Loaded(self, result))

    def compute(self, store, choice) -> Any:
        """The usual case: this pane's report for the chosen period. Panes with their own knobs override."""
        from ...reports import REPORTS

        params = store.params(choice)
        period = store.period(params)
        return period, REPORTS[self.report].run(store.conn(), params, period)

    def apply(self, result: Any) -> None:
        raise NotImplementedError

    def describe_period(self, period) -> str:
        return f"{self.app.period_choice.label()}: {period.describe()}"

    def open_detail(self, record: dict) -> None:
        """Enter on a row; panes with a detail screen override it."""

    def draw_chart(self, rows) -> None:
        """This report's chart as the registry describes it."""
        from ...reports.registry import REPORTS

        chart = REPORTS[self.report].chart
        self.chart().draw(lambda plt: plots.draw(plt, chart, rows))


def kpi_value(key: str, value) -> str:
    """A KPI card's figure, short enough for a card a fifth of 80 columns wide: cents only on small
    amounts, millions as 12.35M."""
    money = key in ("revenue", "aov", "returns")
    if value is None or value != value:
        return "-"
    if money and abs(value) >= 10_000_000:
        return f"{value / 1_000_000:,.2f}M"
    if money and abs(value) >= 10_000:
        return f"{value:,.0f}"
    return format_value("revenue" if money else "orders", value)


class OverviewPane(BuiltLater, VerticalScroll):
    """KPI cards with change, the revenue chart, top 5 whales and sellers, active alerts."""

    KPIS = (("revenue", "Net revenue"), ("orders", "Orders"), ("customers", "Customers"), ("aov", "AOV"),
            ("returns", "Returns"))

    def __init__(self, **kw):
        super().__init__(**kw)
        self.stale = True
        self._loads = 0   # counts load() calls: the second step of a superseded load never starts
        self._built = False

    def compose(self) -> ComposeResult:
        yield Static("", classes="status")
        with Horizontal(id="kpis"):
            for key, label in self.KPIS:
                yield Static(label, id=f"kpi-{key}", classes="kpi")
        yield Static("", id="alert-count")
        # the chart's place until build(); the top-5 tables go in #overview-tops then
        yield Static(id="overview-chart-slot", classes="chart")
        yield Horizontal(id="overview-tops")

    def build(self) -> None:
        """The chart and the two top-5 tables, mounted with the second step rather than composed with the
        app: they have nothing to show before it, the first frame styles and lays out fewer widgets, and
        textual-plotext loads after that frame."""
        if not self._built:
            self._built = True
            self._mounting = asyncio.ensure_future(self._build())

    async def _build(self) -> None:
        from .chart import Chart

        slot = self.query_one("#overview-chart-slot")
        slot.display = False   # at once, so that no frame shows the slot and the chart
        chart = Chart(id="overview-chart", classes="chart")
        await self.mount(chart, before=slot)
        chart.loading = slot.loading
        await slot.remove()
        # ids stay in the frame (Enter opens them) but not on screen: at 80 columns each table
        # has 39 and the names and figures need them
        await self.query_one("#overview-tops").mount_all([
            ReportTable(id="top-whales", key_column="customer_id", hidden=("customer_id",)),
            ReportTable(id="top-sellers-mini", key_column="sku", hidden=("sku",))])

    def load(self) -> None:
        self.stale = False
        self._loads += 1
        store, choice = self.app.store, self.app.period_choice
        # the app's first load may find its cards computed already (launch starts them before Textual loads)
        ready = self.app.prefetched_cards(choice)
        if ready is not None and ready.done() and ready.exception() is None:
            # in the very first frame, and without putting up a loading indicator to take it down at once:
            # removing one still mounting holds Textual's start-up, and so the first frame, back ~70 ms
            self.app.show_result(self, {**ready.result(), "partial": True})
        else:
            self.busy(True)
            self._run(ready.result if ready is not None else lambda: store.overview_cards(choice), partial=True)

    def _load_rest(self, load: int, period) -> None:
        if load != self._loads:   # a newer load() is under way; it will start its own second step
            return
        self.build()
        store, choice = self.app.store, self.app.period_choice
        self._run(lambda: self.compute(store, choice, period))

    def _run(self, compute, partial: bool = False) -> None:
        self.run_worker(lambda: self._work(compute, partial), thread=True, exclusive=True, group="load",
                        exit_on_error=False)

    def busy(self, on: bool) -> None:
        busy_indicator(self, on)

    def _work(self, compute, partial: bool) -> None:
        try:
            result = compute()
        except Exception as exc:
            self.post_message(ReportPane.Failed(self, f"{type(exc).__name__}: {exc}"))  # type: ignore[arg-type]
            return
        if partial:
            result = {**result, "partial": True}
        self.post_message(ReportPane.Loaded(self, result))  # type: ignore[arg-type]

    def compute(self, store, choice, period) -> dict:
        from ...reports.params import Params
        from ...reports.revenue import revenue
        from ...reports.top_sellers import top_sellers
        from ...reports.whales import whales

        conn = store.conn()
        params = store.params(choice)
        grain = "day" if period.days <= 120 else "week"
        return {
            "grain": grain, "series": revenue(conn, params.with_(grain=grain), period),
            "whales": whales(conn, params.with_(limit=5), period),
            "sellers": top_sellers(conn, Params(limit=5, as_of=period.as_of)),
        }

    def show_alert_count(self, n: int) -> None:
        """The cards' alert line; the live panel calls it after each check so the two always agree."""
        self.query_one("#alert-count", Static).update(
            Text(f"Active reorder alerts: {n}" + ("  (press 6 for Reorder)" if n else "")))

    def apply(self, r: dict) -> None:
        if "series" in r:
            self.apply_tables(r)
            return
        period = r["period"]
        self.scroll_home(animate=False)   # the KPI cards are what a small terminal must show first
        self.query_one(".status", Static).update(Text(f"{self.app.period_choice.label()}: {period.describe()}"))
        for key, label in self.KPIS:
            value = getattr(r["now"], key)
            recent, before = getattr(r["recent"], key), getattr(r["before"], key)
            shown = kpi_value(key, value)
            if recent is None or not before:
                delta = f"{r['label']}: -"
            else:
                change = recent / before - 1
                arrow = "▲" if change > 0 else ("▼" if change < 0 else "=")
                delta = f"{arrow} {change * 100:+.1f}% {r['label']}"
            self.query_one(f"#kpi-{key}", Static).update(Text.assemble((label, "bold"), "\n", shown, "\n", delta))
        alerts = r["alerts"]
        panels = self.app.query("#alerts")
        if panels and panels.first().started:   # the live panel knows best (read-only: its alerts live in memory)
            alerts = panels.first().active_count
        self.show_alert_count(alerts)
        if r.get("partial"):
            # Two steps: the KPI cards are plain SQL and show at once; the chart and tables need pandas
            # and plotext, whose loading would hold the GIL (and the first screen) back if it ran
            # meanwhile, so the second step starts once the cards are on screen.
            self.busy_charts(True)
            self.app.after_first_frame(functools.partial(self._load_rest, self._loads, period))

    def busy_charts(self, on: bool) -> None:
        for chart in self.query(".chart"):
            chart.loading = on

    def apply_tables(self, r: dict) -> None:
        self.busy_charts(False)
        from ...reports.registry import REPORTS

        series, title = r["series"], f"Revenue per {r['grain']}"
        chart = REPORTS["revenue"].chart
        self.query_one("#overview-chart").draw(lambda plt: plots.draw(plt, chart, series, title=title))
        self.query_one("#top-whales", ReportTable).show(r["whales"].select(["rank", "customer_id", "customer_name",
                                                                           "spend"]))
        self.query_one("#top-sellers-mini", ReportTable).show(r["sellers"].select(["sku", "product_name",
                                                                                  "units_per_week"]))


class RevenuePane(ReportPane):
    report = "revenue"
    with_chart = True
    GRAINS = ("day", "week", "month")
    PROFILES = (None, "weekday", "month")

    def __init__(self, **kw):
        super().__init__(**kw)
        self.grain = "day"
        self.profile: str | None = None

    def compute(self, store, choice):
        from ...reports.revenue import revenue

        params = store.params(choice, grain=self.grain, profile=self.profile)
        period = store.period(params)
        return period, revenue(store.conn(), params, period)

    def apply(self, result) -> None:
        period, df = result
        what = f"seasonality by {self.profile}" if self.profile else f"revenue per {self.grain}"
        self.set_status(f"{what} · {self.describe_period(period)} · w: grain  p: seasonality  "
                                f"t: table")
        from ...reports.registry import REPORTS
        from ...reports.params import Params

        chart = REPORTS["revenue"].chart_for(Params(profile=self.profile))
        self.chart().draw(lambda plt: plots.draw(plt, chart, df))
        self.table.show(df)


class WhalesPane(ReportPane):
    report = "whales"
    key_column = "customer_id"

    def compute(self, store, choice):
        from ...reports.summary import summary
        from ...reports.whales import whales

        params = store.params(choice, limit=500)
        period = store.period(params)
        conn = store.conn()
        s = summary(conn, params, period)
        return period, s, whales(conn, params, period)

    def apply(self, result) -> None:
        period, s, df = result
        if s.top_1pct_share is None:
            line = "No ranked customers in this period."
        else:
            line = (f"Top 1% of customers bring {s.top_1pct_share * 100:.1f}% of revenue; "
                    f"top 20% bring {s.top_20pct_share * 100:.1f}%.")
        self.set_status(f"{line}  {self.describe_period(period)} · Enter: customer")
        self.table.show(df, total=s.customers)

    def open_detail(self, record: dict) -> None:
        from ..screens.detail import CustomerScreen

        self.app.push_screen(CustomerScreen(record["customer_id"]))


class TopSellersPane(ReportPane):
    report = "top-sellers"
    key_column = "sku"
    with_chart = True
    WINDOWS = (7, 14, 28, 56, 91)

    def __init__(self, **kw):
        super().__init__(**kw)
        self.window_days = 28
        self.min_per_week = 3.0

    def compute(self, store, choice):
        from ...reports.params import Params
        from ...reports.top_sellers import top_sellers

        latest = store.params(choice)
        period = store.period(latest)
        params = Params(as_of=period.as_of, window_days=self.window_days, min_per_week=self.min_per_week)
        return period, top_sellers(store.conn(), params)

    def apply(self, result) -> None:
        period, df = result
        self.set_status(
            f"more than {self.min_per_week:g} units/week over the {self.window_days} days to {period.as_of} · "
            f"+/-: threshold  [/]: window · Enter: product")
        self.draw_chart(df)
        self.table.show(df)

    def open_detail(self, record: dict) -> None:
        from ..screens.detail import ProductScreen

        self.app.push_screen(ProductScreen(record["sku"]))


class CategoriesPane(ReportPane):
    report = "categories"
    key_column = "category"
    with_chart = True

    def apply(self, result) -> None:
        period, df = result
        hint = "" if period.explicit else " · pick a period (d) to see growth and its driver"
        driver = [row["category"] for row in df.records() if row["driver"]]
        lead = f"Growth driver: {plain(driver[0])} · " if driver else ""
        self.set_status(f"{lead}{self.describe_period(period)}{hint} · Enter: products")
        # horizontal: every name readable on its own row (vertical labels collide at 80 columns)
        self.draw_chart(df)
        self.table.show(df)

    def open_detail(self, record: dict) -> None:
        from ..screens.detail import CategoryScreen

        self.app.push_screen(CategoryScreen(record["category"]))


class ReorderPane(ReportPane):
    report = "reorder"
    key_column = "sku"

    def compute(self, store, choice):
        from ...reports.params import Params
        from ...reports.reorder import reorder

        period = store.period(store.params(choice))
        return period, reorder(store.conn(), Params(as_of=period.as_of))

    def apply(self, result) -> None:
        period, df = result
        from collections import Counter

        counts = Counter(df.column("status"))
        self.set_status(f"OUT {counts.get('OUT', 0)} · LOW {counts.get('LOW', 0)} · OK {counts.get('OK', 0)}"
                                f" · fast movers (more than 3 units/week) with a stock count, as of {period.as_of}"
                                " · Enter: product")
        # status first: it must be readable at 80 columns, in words as well as colour
        self.table.show(df.select(["status", *[c for c in df.columns if c != "status"]]))

    def open_detail(self, record: dict) -> None:
        from ..screens.detail import ProductScreen

        self.app.push_screen(ProductScreen(record["sku"]))


class SegmentsPane(ReportPane):
    report = "segments"
    key_column = "segment"

    def apply(self, result) -> None:
        period, df = result
        self.set_status(f"RFM segments · {self.describe_period(period)} · Enter: the segment's customers")
        self.table.show(df)

    def open_detail(self, record: dict) -> None:
        from ..screens.detail import SegmentScreen

        self.app.push_screen(SegmentScreen(record["segment"]))


PANES = {"overview": OverviewPane, "revenue": RevenuePane, "whales": WhalesPane, "top-sellers": TopSellersPane,
         "categories": CategoriesPane, "reorder": ReorderPane, "segments": SegmentsPane}
