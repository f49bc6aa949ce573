"""The live alert panel, docked at the bottom of every tab: a sales stall on top, then the reorder alerts.

A monitor (reports.monitor) ticks in a worker thread; the next tick is scheduled only after the last
one finished, so the loop never overlaps itself. New alerts raise one toast per check when the panel is not showing them (and the bell with --bell).
Under the title, the newest active alert is spelled out in one line (why it fired: on hand against the
reorder point), readable at 80x24 without a key press; the table below lists them all. x acknowledges
(not in --read-only) from anywhere: the alert under the table's cursor when the table has the focus,
else the newest; a toast confirms it. h shows every alert with its state (acknowledged, superseded,
resolved: reports.monitor.ALERT_STATES). Enter opens the product.
Open report tabs are refreshed when new sales arrive, at most every few seconds. Each check also asks how
far behind its primary a PostgreSQL standby the tabs read from is (the app's title says so past a few
seconds). On PostgreSQL the monitor reads, and writes its alerts and acknowledgements to, the primary.
A sales stall (reports.stall: the shop has stopped selling) shows in the first line, above the stock alerts,
with a toast (and the bell with --bell) when it begins and another when orders resume; it needs no
acknowledgement: it is over when the shop sells again.

The app's writes (the alerts its monitor stores, the acknowledgements) all go through one writer thread
with its own connection (store.writer), never the UI thread: while another program (an import) holds
the store's write lock, x marks the row "pending…" and the app carries on; the acknowledgement is
stored when the lock is free, or the row and a toast say it was not saved. Quitting never waits for it."""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import partial
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from ..format import alert_reason, is_missing, stall_reason
from ..safe_text import plain
from ...reports.result import Rows
from .report_table import ReportTable

TICK_SECONDS = 1.0
REFRESH_TABS_EVERY_S = 5.0
ACK_MARKS = {"pending": "pending…", "failed": "not saved"}   # the ack column of a row x was pressed on


# The panel's columns, in this order: what fired and why first (on hand against the reorder point), then
# what to order (readable at 80 columns)
PANEL_COLUMNS = ("state", "status", "sku", "product_name", "on_hand", "reorder_point", "suggested_qty",
                 "days_of_cover", "created_at")
HIDDEN = ("alert_id", "acknowledged_at")


def _when(created_at: str) -> str:
    """An alert's time: today's as HH:MM:SS, an earlier day's with its date."""
    from datetime import date

    day, _, clock = str(created_at).partition("T")
    return clock if day == date.today().isoformat() else f"{day} {clock[:5]}"


class AlertTable(ReportTable):
    """The alerts, one a row. No horizontal scrollbar: in a panel a few lines high it would take the
    line of the first alert (columns that do not fit are cut; the line above spells out the newest)."""

    DEFAULT_CSS = "AlertTable { overflow-x: hidden; }"


class AlertPanel(Vertical):
    DEFAULT_CSS = """
    AlertPanel { height: auto; max-height: 9; border-top: solid $warning; }
    AlertPanel .alerts-stall { height: auto; max-height: 2; padding: 0 1; color: $error; text-style: bold; }
    AlertPanel .alerts-title { height: 1; padding: 0 1; color: $warning; text-style: bold; }
    AlertPanel .alerts-newest { height: 1; padding: 0 1; }
    AlertPanel AlertTable { height: auto; max-height: 4; }
    """

    @dataclass
    class Ticked(Message):
        new: list
        active: Rows
        sales_seen: int
        error: str | None = None
        stall: object = None      # the sales stall going on (reports.stall.Stall), or None
        lag: str | None = None    # how far behind the primary the tabs' reads are, from a standby ("12 s")

    @dataclass
    class Acknowledge(Message):
        record: dict | None

    @dataclass
    class Acked(Message):
        """From the writer thread: an acknowledgement was stored (error None) or not."""
        alert_id: int
        sku: str
        error: str | None
        quitting: bool = False

    @dataclass
    class WriterWaiting(Message):
        """From the writer thread: a write found the store locked by another program (or no longer waits)."""
        waiting: bool

    # how long an acknowledgement may wait for a store locked by another program before it is reported
    # as not saved (x tries again); the monitor's own alerts wait until they are stored
    ACK_PATIENCE_S = 120.0

    @dataclass
    class CountChanged(Message):
        """Up to the App, which routes it (the Reorder tab's label, the Overview's alert line)."""
        active: int

    class SalesSeen(Message):
        """New sales or stock counts arrived (at most every REFRESH_TABS_EVERY_S): the App reloads the tabs."""

    def __init__(self, **kw):
        super().__init__(**kw)
        self.monitor = None
        self.writer = None
        self.show_history = False
        self.last_tab_refresh = 0.0
        self.active_count = 0
        self.started = False
        self.frame: Rows | None = None           # the monitor's last view of the alerts
        self.acks: dict[int, str] = {}           # alert_id -> "pending" | "failed" (see ACK_MARKS)
        self.stored_acks: set[int] = set()       # stored by this app, perhaps after the monitor's last look
        self.acked_words: dict[int, str] = {}    # alert_id -> the alert in words, for the toast that confirms it
        self.writer_waiting = False
        self.last_checked = "-"
        self._unannounced: list = []              # new alerts no toast or shown panel has told of yet
        self.stall = None                        # the sales stall going on, as the monitor last saw it

    def compose(self) -> ComposeResult:
        yield Static("", classes="alerts-stall")
        yield Static("Reorder alerts · starting…", classes="alerts-title")
        yield Static("", classes="alerts-newest")
        yield AlertTable(id="alert-table", hidden=(*HIDDEN, "state"))

    def on_mount(self) -> None:
        self.display = False          # shown once there are active alerts, or with the `a` key
        self.query_one(".alerts-stall", Static).display = False

    def start(self) -> None:
        """The first tick (the app calls it once the Overview's first figures are on screen: the monitor
        evaluates every counted product, which must not hold the first screen back)."""
        if self.monitor is None:
            self.run_worker(self._tick_work, thread=True, exit_on_error=False, group="alerts")

    def _make_monitor(self):
        from ...reports.monitor import Monitor
        from ...store.db import connect_read_only
        from ...store.writer import WriterThread
        from ..data import READER_CACHE_KIB

        # on PostgreSQL the monitor reads the primary, whatever the URL prefers: a standby has not the
        # writers' locks its horizon needs (store/pg/live.py); the tabs may read a standby
        reader = connect_read_only(self.app.store.path, cache_kib=READER_CACHE_KIB, primary=True)
        writer = None
        if not self.app.read_only:
            writer = WriterThread(self.app.store.path, on_waiting=self._writer_waiting)
            try:
                writer.ready.result()   # it opens its connection on its own thread; this worker waits
            except Exception:          # StoreError (e.g. a store this user cannot write), or closed
                writer.close()
                writer = None
        self.writer = writer
        return Monitor(reader, writer, stall_minutes=getattr(self.app, "stall_minutes", 60))

    def _writer_waiting(self, waiting: bool) -> None:   # called on the writer thread
        try:
            self.post_message(self.WriterWaiting(waiting))
        except RuntimeError:   # the app has gone (its event loop is closed)
            pass

    def on_resize(self, event) -> None:
        if self.started:   # the newest alert's line is fitted to the width
            self._redraw()

    def interrupt(self) -> None:
        """Quitting: the monitor's query (a check of every counted product) stops where it is."""
        reader = getattr(self.monitor, "reader", None) if self.monitor is not None else None
        if reader is not None:
            try:
                reader.interrupt()
            except Exception:   # closed meanwhile
                pass

    def on_unmount(self) -> None:
        # quitting: queued writes fail at once, the writer thread is not waited for (nor any lock)
        if self.writer is not None:
            self.writer.close()

    def _tick_work(self) -> None:
        try:
            if self.monitor is None:
                self.monitor = self._make_monitor()
                new = self.monitor.start()
            else:
                new = self.monitor.tick()
            active = self.monitor.active(include_history=self.show_history)
            # a stock count changes the Reorder tab as a sale does
            self.post_message(self.Ticked(new, active, self.monitor.sales_seen + self.monitor.counts_seen,
                                          stall=self.monitor.current_stall(), lag=self.app.store.lag_span()))
        except Exception as exc:
            self.post_message(self.Ticked([], Rows((), []), 0, f"{type(exc).__name__}: {exc}"))

    @on(Ticked)
    def _ticked(self, message: Ticked) -> None:
        # the next tick only after this one finished: the loop never overlaps itself
        self.set_timer(TICK_SECONDS, lambda: self.run_worker(self._tick_work, thread=True, exit_on_error=False,
                                                             group="alerts"))
        self.app.show_lag(message.lag)
        if message.error:
            self.query_one(".alerts-title", Static).update(Text(f"Reorder alerts · check failed: {plain(message.error)}"))
            self.display = True    # a monitor that cannot check must not look like a shop with nothing due
            return
        self.frame = message.active
        n_active = self._active(self._view())
        if not self.started:   # alerts due when the app opens: the panel shows them (no toast)
            self.started = True
            self.display = n_active > 0
        self._stall_changed(message.stall)
        new = [a for a in message.new if a.kind != "stall"]
        self._announce(new)
        if new and self.app.bell_on_alert:
            self.app.bell()
        self.last_checked = self.monitor.last_check.strftime("%H:%M:%S") if self.monitor and self.monitor.last_check \
            else "-"
        self._redraw()
        if message.sales_seen and time.monotonic() - self.last_tab_refresh > REFRESH_TABS_EVERY_S:
            self.last_tab_refresh = time.monotonic()
            self.post_message(self.SalesSeen())

    def _announce(self, new: list) -> None:
        """Calm while live: new alerts need no toast while the panel shows them (on the tabs, not behind
        a detail screen); otherwise one toast per check says what came ("3 new reorder alerts"), and
        while a dialog is open (period picker, help, filter) none covers it: they wait for the next
        check after it closes."""
        from textual.screen import ModalScreen

        self._unannounced.extend(new)
        if not self._unannounced or isinstance(self.app.screen, ModalScreen):
            return
        waiting, self._unannounced = self._unannounced, []
        if self.display and self.app.screen is self.app.screen_stack[0]:
            return   # the panel lists them, the line under its title spells out the newest
        worst = "error" if any(a.status == "OUT" for a in waiting) else "warning"
        if len(waiting) == 1:
            alert = waiting[0]
            self.app.notify(f"{self.describe(alert.as_dict(), units=True)} · a: the panel, 6: Reorder",
                            title="Reorder alert", severity=worst, timeout=8, markup=False)
        else:
            skus = ", ".join(plain(a.sku) for a in waiting[:3]) + (", …" if len(waiting) > 3 else "")
            self.app.notify(f"{len(waiting)} new reorder alerts ({skus}) · a: the panel, 6: Reorder",
                            title="Reorder alerts", severity=worst, timeout=8, markup=False)

    def _stall_changed(self, stall) -> None:
        """A stall that begins is shown (the panel too), with a toast unless the panel was on screen; one
        that ends says orders resumed."""
        before, self.stall = self.stall, stall
        line = self.query_one(".alerts-stall", Static)
        line.display = stall is not None
        if stall is not None:
            line.update(Text(f"SALES STALL: {stall_reason(stall.as_dict())}"))
        # one stall, whoever raised it: the same stored alert, or (read-only) the same window in memory
        if stall is not None and (before is None or (before.alert_id, before.until) != (stall.alert_id, stall.until)):
            # calm while live, as for reorder alerts: a panel already on screen shows the stall in red on
            # its first line, and a toast would only cover the table under it
            shown = self.display and self.app.screen is self.app.screen_stack[0]
            self.display = True
            if self.app.bell_on_alert:
                self.app.bell()
            if shown:
                return
            self.app.notify(f"The shop may have stopped selling: {stall_reason(stall.as_dict())}. Check the "
                            "checkout.", title="Sales stall", severity="error", timeout=12, markup=False)
        elif stall is None and before is not None:
            self.app.notify("Orders resumed: the sales stall is over.", title="Sales stall", timeout=6)

    def _view(self) -> Rows | None:
        """The monitor's alerts as this app knows them: an acknowledgement stored here since the monitor
        last looked counts as done; a row whose acknowledgement is pending or not saved says so."""
        rows = self.frame
        if rows is None or not len(rows):
            return rows
        cols = rows.columns
        aid, acked, state = cols.index("alert_id"), cols.index("acknowledged_at"), cols.index("state")
        raised = cols.index("created_at")
        out = []
        for row in rows.rows:
            if row[aid] in self.stored_acks and row[acked] is None:
                if not self.show_history:
                    continue
                row = list(row)
                row[acked] = "now"
                if row[state] == "active":
                    row[state] = "acknowledged"
                row = tuple(row)
            row = (*row[:raised], _when(row[raised]), *row[raised + 1:])
            if row[acked] is not None and row[state] in ("superseded", "resolved"):
                # the history says which alerts someone saw, whatever came after them
                row = (*row[:state], f"{row[state]}, acked", *row[state + 1:])
            out.append(row)
        view = Rows(cols, out).select([*PANEL_COLUMNS, *HIDDEN])
        if self.acks:
            i = view.columns.index("alert_id")
            return Rows(("ack", *view.columns), [(ACK_MARKS.get(self.acks.get(r[i]), ""), *r) for r in view.rows])
        return view

    @staticmethod
    def _active(view: Rows | None) -> int:
        if view is None or not len(view):
            return 0
        return sum(1 for v in view.column("state") if v == "active")

    def newest(self, view: Rows | None = None) -> dict | None:
        """The newest active alert (rows come newest first), or None."""
        view = self._view() if view is None else view
        return next((r for r in (view.records() if view is not None else []) if r["state"] == "active"), None)

    def _redraw(self) -> None:
        """Title, counts and table from the monitor's last view and this app's acknowledgements."""
        view = self._view()
        n_active = self.active_count = self._active(view)
        self.post_message(self.CountChanged(n_active))
        mode = " · history" if self.show_history else ""
        pending = self.pending_acks()
        acks = f" · {pending} ack pending" if pending else ""
        # a write of the app (an ack, or an alert the monitor raised) waits for another program's lock
        waiting = " · the store is locked by another program: waiting to write" if self.writer_waiting else ""
        ro = " · read-only: x disabled" if self.app.read_only else " · x ack  h history  Enter product"
        self.query_one(".alerts-title", Static).update(
            Text(f"Reorder alerts · {n_active} active · checked {self.last_checked}{mode}{acks}{waiting}{ro}"))
        newest = self.newest(view)
        # the newest first, in words: what x acknowledges when the table does not have the focus
        self.query_one(".alerts-newest", Static).update(Text(
            self.newest_line(newest, (self.size.width or self.app.size.width) - 2) if newest
            else "No active alert." + (" Acknowledged, superseded and resolved alerts are listed below."
                                       if self.show_history else " h shows the history.")))
        if self.display and view is not None:   # skip drawing while hidden
            table = self.query_one(AlertTable)
            # every row is active outside the history: its state column would only repeat that
            table.hidden = HIDDEN if self.show_history else (*HIDDEN, "state")
            table.show(view)

    @classmethod
    def newest_line(cls, record: dict, width: int) -> str:
        """The newest alert in one line of `width`: in full when it fits, else without its days of cover,
        then with the product's name cut, so that what to order always shows (never cut mid-figure)."""
        full = f"Newest {cls.describe(record)}"
        if len(full) <= width:
            return full
        short = {**record, "days_of_cover": None}
        line = f"Newest {cls.describe(short)}"
        if len(line) <= width:
            return line
        name = plain(record["product_name"])
        cut = max(1, len(name) - (len(line) - width) - 1)
        return f"Newest {cls.describe({**short, 'product_name': name[:cut] + '…'})}"

    @staticmethod
    def describe(record: dict, units: bool = False) -> str:
        """One alert in words: what, which product, why it fired, what to order (`units`: in units, for a
        toast; the panel's line at 80 columns has no room for the word)."""
        unit = " units" if units else ""
        return plain(f"{record['status']} {record['sku']} {record['product_name']}: {alert_reason(record, units)}, "
                     f"order {record['suggested_qty']:,}{unit}")

    def toggle(self) -> None:
        self.display = not self.display
        if self.display:
            if self.started:     # it is not drawn while hidden (before the first check, nothing to draw)
                self._redraw()
            self.query_one(AlertTable).focus()

    def acknowledge(self) -> None:
        """x, from anywhere the panel is shown: the alert under the table's cursor while the table has the
        focus, else the newest active alert (the line under the title)."""
        if not self.display:
            self.app.notify("The alert panel is hidden: a shows it, then x acknowledges the alert it shows."
                            if self.active_count else "No active alert to acknowledge.", timeout=4)
            return
        table = self.query_one(AlertTable)
        self.post_message(self.Acknowledge(table.current_record() if table.has_focus else self.newest()))

    @on(Acknowledge)
    def _acknowledge(self, message: Acknowledge) -> None:
        if self.app.read_only or self.writer is None:
            self.app.notify("Read-only: alerts cannot be acknowledged here.", severity="warning")
            return
        record = message.record
        if not record or is_missing(record.get("alert_id")):
            self.app.notify("No active alert to acknowledge.", timeout=3)
            return
        if record.get("state") != "active":
            self.app.notify(f"{plain(record['sku'])}: this alert is {record.get('state')}; only active ones are "
                            "acknowledged.", timeout=4, markup=False)
            return
        alert_id, sku = int(record["alert_id"]), str(record["sku"])
        if self.acks.get(alert_id) == "pending" or alert_id in self.stored_acks:
            return
        self.acked_words[alert_id] = self.describe(record, units=True)
        from ...reports.monitor import mark_acknowledged

        # written by the writer thread (it tries again while another program holds the lock); the row
        # says "pending…" meanwhile, and the app carries on
        self.acks[alert_id] = "pending"
        self._redraw()
        future = self.writer.submit(mark_acknowledged, alert_id, patience=self.ACK_PATIENCE_S)
        future.add_done_callback(partial(self._ack_done, alert_id, sku))

    def _ack_done(self, alert_id: int, sku: str, future) -> None:   # on the writer thread, as a rule
        from ...store.writer import WriterClosed

        exc = future.exception()
        error = None if exc is None else (str(exc) or type(exc).__name__)
        try:
            self.post_message(self.Acked(alert_id, sku, error, quitting=isinstance(exc, WriterClosed)))
        except RuntimeError:   # the app has gone (its event loop is closed)
            pass

    @on(Acked)
    def _acked(self, message: Acked) -> None:
        if message.quitting:
            return
        if message.error is None:
            self.acks.pop(message.alert_id, None)
            self.stored_acks.add(message.alert_id)
            words = self.acked_words.pop(message.alert_id, plain(message.sku))
            self.app.notify(f"Acknowledged {words}. It leaves the active count; h shows it in the history.",
                            title="Alert acknowledged", timeout=5, markup=False)
        else:
            self.acks[message.alert_id] = "failed"
            self.app.notify(f"{plain(message.sku)}: {plain(message.error)}. Press x on it to try again.",
                            title="Acknowledgement not saved", severity="error", timeout=10, markup=False)
        self._redraw()

    @on(WriterWaiting)
    def _waiting(self, message: WriterWaiting) -> None:
        self.writer_waiting = message.waiting
        if self.started:
            self._redraw()

    def pending_acks(self) -> int:
        return sum(1 for state in self.acks.values() if state == "pending")

    def toggle_history(self) -> None:
        self.show_history = not self.show_history
        self.app.notify("Alert history: every alert with its state (acknowledged, superseded, resolved)"
                        if self.show_history else "Showing active alerts only", timeout=3)
        if not self.display:
            self.toggle()

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        event.stop()
        record = self.query_one(AlertTable).current_record()
        if record:
            from ..screens.detail import ProductScreen

            self.app.push_screen(ProductScreen(record["sku"]))
