"""Drill-down screens: a customer, a product, a category's products, a segment's customers.
Each loads in a worker thread and goes back with Escape."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static

from ..actions import bindings
from ..plots import Bars
from ..safe_text import plain
from ...reports.result import Rows
from ..widgets.chart import Chart
from ..widgets.loading import Failed, Loaded, load_in_thread
from ..widgets.report_table import ReportTable


class DetailScreen(Screen):
    BINDINGS = bindings("detail")
    title_text = ""

    def compose(self) -> ComposeResult:
        with Vertical(classes="detail"):
            yield Static(Text(self.title_text), classes="detail-title")
            yield Static("", classes="status")
            yield from self.body()
        yield Footer()

    def body(self) -> ComposeResult:
        yield ReportTable(classes="detail-table")

    def on_mount(self) -> None:
        self.query_one(Vertical).loading = True
        store = self.app.store
        load_in_thread(self, lambda: self.compute(store))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        message.stop()   # the screen's own; the App handles the panes'
        if not self.app.is_running:   # quitting: the screen is being taken down
            return
        self.query_one(Vertical).loading = False
        self.apply(message.result)
        table = self.query(ReportTable)
        if table:
            table.first().focus()

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        message.stop()
        if not self.app.is_running:
            return
        self.query_one(Vertical).loading = False
        self.notify(plain(message.error), title="Could not load", severity="error", markup=False)

    def compute(self, store) -> Any:
        raise NotImplementedError

    def apply(self, result: Any) -> None:
        raise NotImplementedError

    def action_back(self) -> None:
        self.dismiss()

    def open_detail(self, record: dict) -> None:
        """Enter on a row of this screen's table."""


class CustomerScreen(DetailScreen):
    def __init__(self, customer_key: str):
        super().__init__()
        self.customer_key = customer_key
        self.title_text = f"Customer {plain(customer_key)}"

    def body(self) -> ComposeResult:
        yield Chart(classes="chart")
        yield ReportTable(classes="detail-table")

    def compute(self, store):
        from ...reports.details import customer_detail

        return customer_detail(store.conn(), self.customer_key)

    def apply(self, d) -> None:
        self.query_one(".detail-title", Static).update(Text(
            f"{plain(d.name)}  ({plain(d.customer_id)})  {plain(d.email)}  {plain(d.country)}"))
        self.query_one(".status", Static).update(Text(
            f"RFM segment: {plain(d.segment or '-')} · {d.total_orders:,} orders · monthly spend below · Esc: back"))
        monthly = d.monthly
        self.query_one(Chart).draw_bars(Bars(monthly.column("month"), monthly.column("revenue"), "revenue",
                                             "Spend per month", latest=True))
        self.query_one(ReportTable).show(d.orders)


class ProductScreen(DetailScreen):
    def __init__(self, sku: str):
        super().__init__()
        self.sku = sku
        self.title_text = f"Product {plain(sku)}"

    def body(self) -> ComposeResult:
        yield Chart(classes="chart")
        yield ReportTable(classes="detail-table")

    def compute(self, store):
        from ...reports.details import product_detail

        return product_detail(store.conn(), self.sku, store.params(self.app.period_choice).with_(since=None,
                                                                                                   until=None))

    def apply(self, d) -> None:
        self.query_one(".detail-title", Static).update(Text(f"{plain(d.name)}  ({plain(d.sku)}) · {plain(d.category)}"))
        if d.stock:
            s = d.stock
            cover = "-" if s["days_of_cover"] is None else f"{s['days_of_cover']:.1f}"
            stock = (f"Stock: {s['on_hand']:,} on hand · {cover} days of cover · reorder point {s['reorder_point']:,}"
                     f" · lead time {s['lead_time_days']} d · suggested order {s['suggested_qty']:,} · {s['status']}")
        else:
            stock = "Stock: not counted (shopintel stock set SKU ON_HAND)"
        self.query_one(".status", Static).update(Text(stock + " · Esc: back"))
        weekly = d.weekly
        self.query_one(Chart).draw_bars(Bars(weekly.column("week"), weekly.column("units"), "units",
                                             "Units per week (week starting)", latest=True))
        self.query_one(ReportTable).show(Rows(weekly.columns, weekly.rows[::-1]))   # newest first


class CategoryScreen(DetailScreen):
    def __init__(self, category: str):
        super().__init__()
        self.category = category
        self.title_text = f"Category {plain(category)}"

    def compute(self, store):
        from ...reports.details import category_products

        params = store.params(self.app.period_choice)
        return store.period(params.with_(category=self.category)), category_products(store.conn(), self.category, params)

    def apply(self, result) -> None:
        period, df = result
        self.query_one(".status", Static).update(Text(
            f"{len(df):,} products · {period.describe()} · Enter: product · Esc: back"))
        self.query_one(ReportTable).show(df)

    def open_detail(self, record: dict) -> None:
        self.app.push_screen(ProductScreen(record["sku"]))


class SegmentScreen(DetailScreen):
    def __init__(self, segment: str):
        super().__init__()
        self.segment = segment
        self.title_text = f"Segment {plain(segment)}"

    def compute(self, store):
        from ...reports.segments import segments

        params = store.params(self.app.period_choice, segment=self.segment)
        return segments(store.conn(), params)

    def apply(self, df) -> None:
        self.query_one(".status", Static).update(Text(f"{len(df):,} customers · Enter: customer · Esc: back"))
        self.query_one(ReportTable).show(df)

    def open_detail(self, record: dict) -> None:
        self.app.push_screen(CustomerScreen(record["customer_id"]))


class ProductListScreen(DetailScreen):
    """Products already worked out by a pane (an ABC-XYZ cell's): Enter opens one."""

    def __init__(self, title: str, rows: Rows):
        super().__init__()
        self.rows = rows
        self.title_text = title

    def compute(self, store):
        return self.rows

    def apply(self, rows) -> None:
        self.query_one(".status", Static).update(Text(f"{len(rows):,} products · Enter: product · Esc: back"))
        self.query_one(ReportTable).show(rows)

    def open_detail(self, record: dict) -> None:
        self.app.push_screen(ProductScreen(record["sku"]))


# the registry's drill-down targets (spec.Drill.target) and the screens that show them
SCREENS = {"customer": CustomerScreen, "product": ProductScreen, "category": CategoryScreen, "segment": SegmentScreen}
