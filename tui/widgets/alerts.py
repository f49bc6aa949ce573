"""The live reorder alert panel, docked at the bottom of every tab.

A monitor (reports.monitor) ticks in a worker thread; the next tick is scheduled only after the last
one finished, so the loop never overlaps itself. New alerts raise a toast (and the bell with --bell);
Enter opens the product, x acknowledges (not in --read-only), h shows acknowledged alerts too.
Open report tabs are refreshed when new sales arrive, at most every few seconds."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from ..actions import bindings
from ..format import plain
from .panes import OverviewPane
from .report_table import ReportTable

if TYPE_CHECKING:   # pandas loads in the monitor's worker thread, not before the first screen
    import pandas as pd

TICK_SECONDS = 1.0
REFRESH_TABS_EVERY_S = 5.0


class AlertTable(ReportTable):
    BINDINGS = [*ReportTable.BINDINGS, *bindings("alerts")]

    def action_acknowledge(self) -> None:
        self.post_message(AlertPanel.Acknowledge(self.current_record()))

    def action_alert_history(self) -> None:
        self.post_message(AlertPanel.History())


class AlertPanel(Vertical):
    DEFAULT_CSS = """
    AlertPanel { height: auto; max-height: 6; border-top: solid $warning; }
    AlertPanel .alerts-title { height: 1; padding: 0 1; color: $warning; text-style: bold; }
    AlertPanel AlertTable { height: auto; max-height: 4; }
    """

    @dataclass
    class Ticked(Message):
        new: list
        active: pd.DataFrame
        sales_seen: int
        error: str | None = None

    @dataclass
    class Acknowledge(Message):
        record: dict | None

    class History(Message):
        pass

    def __init__(self, **kw):
        super().__init__(**kw)
        self.monitor = None
        self.writer = None
        self.show_history = False
        self.last_tab_refresh = 0.0
        self.active_count = 0
        self.started = False

    def compose(self) -> ComposeResult:
        yield Static("Reorder alerts · starting…", classes="alerts-title")
        yield AlertTable(id="alert-table", hidden=("alert_id", "acknowledged_at"))

    def on_mount(self) -> None:
        self.display = False          # shown once there are active alerts, or with the `a` key

    def start(self) -> None:
        """The first tick (the app calls it once the Overview's first figures are on screen: the monitor
        loads pandas and evaluates every counted product, which must not hold the first screen back)."""
        if self.monitor is None:
            self.run_worker(self._tick_work, thread=True, exit_on_error=False, group="alerts")

    def _make_monitor(self):
        from ...reports.monitor import Monitor
        from ...store.db import connect, connect_read_only
        from ...store.errors import StoreError
        from ..data import READER_CACHE_KIB

        reader = connect_read_only(self.app.store.path, cache_kib=READER_CACHE_KIB)
        writer = None
        if not self.app.read_only:
            try:
                writer = connect(self.app.store.path, create=False)
            except StoreError:
                writer = None
        self.writer = writer
        return Monitor(reader, writer)

    def _tick_work(self) -> None:
        try:
            if self.monitor is None:
                self.monitor = self._make_monitor()
                new = self.monitor.start()
            else:
                new = self.monitor.tick()
            active = self.monitor.active(include_acknowledged=self.show_history)
            self.post_message(self.Ticked(new, active, self.monitor.sales_seen))
        except Exception as exc:
            import pandas as pd

            self.post_message(self.Ticked([], pd.DataFrame(), 0, f"{type(exc).__name__}: {exc}"))

    @on(Ticked)
    def _ticked(self, message: Ticked) -> None:
        # the next tick only after this one finished: the loop never overlaps itself
        self.set_timer(TICK_SECONDS, lambda: self.run_worker(self._tick_work, thread=True, exit_on_error=False,
                                                             group="alerts"))
        if message.error:
            self.query_one(".alerts-title", Static).update(Text(f"Reorder alerts · check failed: {plain(message.error)}"))
            return
        active = message.active
        n_active = int(active["acknowledged_at"].isna().sum()) if len(active) else 0
        self.active_count = n_active
        first = not self.started
        if first:
            self.started = True
            self.display = n_active > 0
        self._update_tab_title(n_active)
        for overview in self.app.query(OverviewPane):
            overview.show_alert_count(n_active)
        new = message.new
        if first and new:   # alerts already due when the app opens: one toast, not a wall of them
            self.app.notify(f"{len(new)} reorder alert(s) due: see the panel below (a) or the Reorder tab (6)",
                            title="Reorder alerts", severity="warning", timeout=8)
            new = []
        for alert in new[:3]:
            self.app.notify(f"{alert.status}: {plain(alert.sku)} {plain(alert.product_name)} · on hand {alert.on_hand}"
                            f" · order {alert.suggested_qty}", title="Reorder alert", markup=False,
                            severity="error" if alert.status == "OUT" else "warning", timeout=8)
        if len(new) > 3:   # a burst (e.g. on start) is one toast, not a wall of them
            self.app.notify(f"… and {len(new) - 3} more reorder alerts: see the panel (a) or the Reorder tab (6)",
                            title="Reorder alerts", severity="warning", timeout=8)
        if new and self.app.bell_on_alert:
            self.app.bell()
        checked = self.monitor.last_check.strftime("%H:%M:%S") if self.monitor and self.monitor.last_check else "-"
        mode = " · history" if self.show_history else ""
        ro = " · read-only: x disabled" if self.app.read_only else " · x ack  h history  Enter product"
        self.query_one(".alerts-title", Static).update(
            Text(f"Reorder alerts · {n_active} active · last check {checked}{mode}{ro}"))
        if self.display:   # skip drawing while hidden
            table = self.query_one(AlertTable)
            table.show(active)
        if message.sales_seen and time.monotonic() - self.last_tab_refresh > REFRESH_TABS_EVERY_S:
            self.last_tab_refresh = time.monotonic()
            self.app.reload()

    def _update_tab_title(self, n: int) -> None:
        from textual.widgets import TabbedContent

        try:
            tab = self.app.query_one(TabbedContent).get_tab("reorder")
        except Exception:
            return
        tab.label = f"6 Reorder ({n})" if n else "6 Reorder"

    def toggle(self) -> None:
        self.display = not self.display
        if self.display:
            self.query_one(AlertTable).focus()

    @on(Acknowledge)
    def _acknowledge(self, message: Acknowledge) -> None:
        if self.app.read_only or self.writer is None:
            self.app.notify("Read-only: alerts cannot be acknowledged here.", severity="warning")
            return
        record = message.record
        if not record or record.get("alert_id") is None or record.get("acknowledged_at") not in (None, "") \
                and record.get("acknowledged_at") == record.get("acknowledged_at"):
            return
        from ...reports.monitor import acknowledge

        if acknowledge(self.writer, int(record["alert_id"])):
            self.app.notify(f"Acknowledged {plain(record['sku'])}", timeout=3, markup=False)

    @on(History)
    def _history(self) -> None:
        self.show_history = not self.show_history
        self.app.notify("Showing acknowledged alerts too" if self.show_history else "Showing active alerts only",
                        timeout=3)

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        event.stop()
        record = self.query_one(AlertTable).current_record()
        if record:
            from ..screens.detail import ProductScreen

            self.app.push_screen(ProductScreen(record["sku"]))
