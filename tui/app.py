"""The shopintel Textual app: one tab per report, keyboard first, readable over SSH at 80x24."""

from __future__ import annotations

import asyncio
import csv
import os
import signal
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from functools import partial
from pathlib import Path

from rich.text import Text
from textual import events, on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.containers import Container, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import ContentSwitcher, DataTable, Footer, Header, Input, Static, TabbedContent, TabPane

from .actions import ACTIONS, OPENERS, TAB_REPORTS, TAB_TITLES, TAB_VIEWS, TABS, VIEW_TAB, bindings
from .data import PeriodChoice, Store
from .safe_text import for_spreadsheet, plain
from .screens.modals import FilterScreen, HelpScreen, PeriodScreen
from .widgets.loading import Failed, Loaded
from .widgets.panes import OverviewPane, ReorderPane, ReportPane, ViewBar, pane_class
from .widgets.report_table import ReportTable

MIN_WIDTH, MIN_HEIGHT = 60, 16
NARROW_WIDTH, SHORT_HEIGHT = 100, 32


class UnwaitedExecutor(ThreadPoolExecutor):
    """The app's worker threads: shut down without waiting for work still running (its results have
    nowhere to go once the app has gone; the store only ever changes in committed transactions)."""

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        super().shutdown(wait=False, cancel_futures=True)


class ShopCommands(Provider):
    """Command palette entries: every report and every global action, from the action definitions."""

    def _commands(self):
        app = self.app
        for a in ACTIONS:
            if a.scope == "palette":   # a view inside a tab (show_view): no key of its own
                yield f"Report: {a.description}", partial(app.run_action, a.action), a.help
            elif a.scope == "global":
                if a.action.startswith("show_tab"):
                    yield f"Report: {a.description}", partial(app.run_action, a.action), f"key {a.key}"
                else:
                    yield f"Action: {a.description}", partial(app.run_action, a.action), a.help

    async def discover(self) -> Hits:
        for text, callback, help_text in self._commands():
            yield DiscoveryHit(text, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, callback, help_text in self._commands():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), callback, help=help_text)


class EmptyScreen(Screen):
    """Shown instead of the tabs when there is nothing to report on: says exactly how to import."""

    BINDINGS = [Binding("q,escape", "app.quit", "Quit")]

    def __init__(self, message: str):
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(id="empty-box"):
            yield Static(Text(self.message))
        yield Footer()


class ShopApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "shopintel"
    # tab-specific keys live here too; their actions act only when their tab is showing
    BINDINGS = bindings("global") + [b for tab in TABS[1:] for b in bindings(tab)]
    COMMANDS = App.COMMANDS | {ShopCommands}

    def __init__(self, db_path: Path, *, read_only: bool = False, bell: bool = False, empty_message: str | None = None,
                 live_alerts: bool = True, first_cards: Future | None = None, stall_minutes: int = 60):
        # NO_COLOR: with ANSI colour mode Textual strips colour entirely (otherwise it only greys it);
        # statuses stay readable because they are words (OUT/LOW/OK), not colours
        super().__init__(ansi_color=bool(os.environ.get("NO_COLOR")))
        self.live_alerts = live_alerts
        self.stall_minutes = stall_minutes   # the alert panel's sales-stall window (reports.stall)
        self.on_terminal_gone: list = []   # callbacks run before a hard exit (e.g. stop the simulator)
        self.animation_level = "none"   # SSH-friendly: nothing moves that need not
        self.store = Store(db_path)
        self.read_only = read_only
        self.bell_on_alert = bell
        self.period_choice = PeriodChoice("all")
        self.empty_message = empty_message
        self._alerts_started = False
        self._first_frame_drawn = False
        self._after_first_frame: list = []
        self._first_cards = first_cards   # the Overview's cards, already on their way (tui.cmd_app.launch)
        self._filtering: ReportTable | None = None   # the table the open filter box narrows
        self.live_alert_count: int | None = None     # the alert panel's, once it has checked
        self.lag: str | None = None   # a PostgreSQL standby's lag behind its primary, once past a few seconds
        self.set_sub_title(PeriodChoice("all"))

    def set_sub_title(self, choice: PeriodChoice) -> None:
        # a file name may hold any character but / and NUL: shown by the one rule, like data. A PostgreSQL
        # store's name is its schema and server, never its user or password (store.pg.url.PgUrl.name)
        self.sub_title = (f"{plain(self.store.path.name)} · {choice.label()}" + (" · read-only" if self.read_only else "")
                          + (f" · standby {self.lag} behind" if self.lag else ""))

    def show_lag(self, lag: str | None) -> None:
        """The alert panel's check found the tabs' standby this far behind (None: caught up, or no standby)."""
        if lag != self.lag:
            self.lag = lag
            self.set_sub_title(self.period_choice)

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        # the size classes first: set later (on the first resize) they would restyle every widget again
        self._fit_classes(self.size)
        yield Header()
        with TabbedContent(id="main-tabs"):
            with TabPane("1 Overview", id="overview"):
                yield OverviewPane(id="pane-overview")
            for report in TAB_REPORTS:
                with TabPane(self.tab_label(report), id=report.name):
                    names = TAB_VIEWS[report.name]
                    if len(names) == 1:
                        yield pane_class(report.name)(id=f"pane-{report.name}")
                        continue
                    # a tab of several views: a line naming them, the one shown in brackets; v steps
                    yield ViewBar(names, id=f"viewbar-{report.name}", classes="viewbar")
                    with ContentSwitcher(initial=f"pane-{report.name}", id=f"views-{report.name}"):
                        for name in names:
                            yield pane_class(name)(id=f"pane-{name}")
        yield Container(id="alerts-dock")
        yield Static(id="too-small")
        yield Footer()

    def on_mount(self) -> None:
        try:
            loop = asyncio.get_running_loop()
            # thread workers run on the loop's default executor, which asyncio joins when the app ends:
            # quitting would wait for a query still running (seconds at 1M lines). This one does not wait.
            loop.set_default_executor(UnwaitedExecutor(thread_name_prefix="shopintel-worker"))
            # the terminal went away (ssh dropped): leave, do not spin as an orphan
            loop.add_signal_handler(signal.SIGHUP, self.terminal_gone)
            loop.add_signal_handler(signal.SIGTERM, self.exit)
        except (NotImplementedError, RuntimeError, ValueError):
            pass
        # If whatever started us goes away (ssh dropped, tmux killed) we are reparented: leave rather
        # than spin on a dead terminal. SIGHUP covers most cases; this covers the rest.
        self._parent_pid = os.getppid()
        self.set_interval(1.0, self._check_parent)
        if self.empty_message:
            self.push_screen(EmptyScreen(self.empty_message))
            return
        self.pane("overview").load()

    def _check_parent(self) -> None:
        if os.getppid() != self._parent_pid:
            self.terminal_gone()

    def terminal_gone(self) -> None:
        """The terminal is gone (SIGHUP, or whoever started us died). Textual's orderly shutdown writes
        to the terminal and can block forever on a dead one, so run our own clean-ups and leave now.
        Nothing is lost: the store only ever changes inside committed transactions."""
        for cleanup in self.on_terminal_gone:
            try:
                cleanup()
            except Exception:
                pass
        os._exit(0)

    async def mount_alert_panel(self) -> None:
        """The live alert panel docks at the bottom of every tab (tui/widgets/alerts.py)."""
        if not self.live_alerts:
            return
        from .widgets.alerts import AlertPanel

        panel = AlertPanel(id="alerts")
        await self.query_one("#alerts-dock", Container).mount(panel)
        panel.start()

    def _start_alerts(self) -> None:
        """The alert panel is mounted, and its monitor started, once the first figures (the Overview's
        cards) are on screen: it starts hidden, and styling it and its table with the rest of the screen
        held the first frame back; its monitor loads pandas and evaluates every counted product."""
        if not self._alerts_started:
            self._alerts_started = True
            self.after_first_frame(self.mount_alert_panel)

    def after_first_frame(self, callback) -> None:
        """Run callback once the first frame is on screen. call_after_refresh alone is not enough at
        start-up: Textual draws nothing until its start-up batch is over, yet runs those callbacks after
        the first (undrawn) refresh, so work meant for after the first frame would hold it back."""
        if self._first_frame_drawn:
            self.call_after_refresh(callback)
        else:
            self._after_first_frame.append(callback)

    def on_ready(self) -> None:
        # Ready is handled once the start-up batch is over: the next refresh is drawn
        self._first_frame_drawn = True
        for callback in self._after_first_frame:
            self.call_after_refresh(callback)
        self._after_first_frame.clear()

    def prefetched_cards(self, choice: PeriodChoice) -> Future | None:
        """The cards started before the app, for the first Overview load if it is for the same period."""
        cards, self._first_cards = self._first_cards, None
        return cards if choice == PeriodChoice() else None

    def pane(self, tab: str):
        return self.query_one(f"#pane-{tab}")

    def active_tab(self) -> str:
        return self.query_one(TabbedContent).active or "overview"

    def shown(self) -> str:
        """The report whose pane is on screen: the active tab's, or the view of it that `v` chose."""
        tab = self.active_tab()
        if len(TAB_VIEWS.get(tab, ())) > 1:
            return (self.query_one(f"#views-{tab}", ContentSwitcher).current or f"pane-{tab}").removeprefix("pane-")
        return tab

    def _fit_classes(self, size) -> None:
        # the layout tightens for an 80x24 SSH window (app.tcss: App.narrow, App.short)
        self.set_class(size.width < NARROW_WIDTH, "narrow")
        self.set_class(size.height < SHORT_HEIGHT, "short")

    def tab_label(self, report) -> str:
        """'6 Reorder (38)': the number key and the title, in its short form (registry short_title) below
        NARROW_WIDTH so that every tab's key and a whole name fit 80 columns, and the live alert count."""
        title = report.short_title if self.has_class("narrow") and report.short_title else report.title
        count = self.live_alert_count if report.name == "reorder" else None
        return f"{report.tab} {title}" + (f" ({count})" if count else "")

    def _label_tabs(self) -> None:
        try:
            tabs = self.query_one(TabbedContent)
        except Exception:   # not composed yet, or an empty store's screen
            return
        for report in TAB_REPORTS:
            tabs.get_tab(report.name).label = self.tab_label(report)

    def on_resize(self, event) -> None:
        narrow = self.has_class("narrow")
        self._fit_classes(event.size)
        if self.has_class("narrow") != narrow:
            self._label_tabs()
        small = self.query_one("#too-small", Static)
        too_small = event.size.width < MIN_WIDTH or event.size.height < MIN_HEIGHT
        small.set_class(too_small, "shown")
        if too_small:
            small.update(Text(f"Terminal too small ({event.size.width}x{event.size.height}).\n"
                              f"Enlarge it to at least {MIN_WIDTH}x{MIN_HEIGHT}.  q quits."))

    # ------------------------------------------------------------------ loading

    @on(TabbedContent.TabActivated)
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if self.empty_message:   # nothing to load: the screen over the tabs says why (no toast over it)
            return
        tab = self.shown()
        pane = self.pane(tab)
        if pane.stale:
            pane.load()
        if tab == "overview":
            pane.scroll_home(animate=False)
            return
        self._focus_pane(pane)

    @on(Loaded)
    async def _loaded(self, message: Loaded) -> None:
        await message.source.mounted()
        if not self.is_running:   # quitting: the panes are being taken down, nothing left to draw on
            return
        self.show_result(message.source, message.result)

    def show_result(self, pane, result) -> None:
        pane.busy(False)
        if self.live_alert_count is not None and hasattr(pane, "show_alert_count"):
            # the live panel knows best (read-only: its alerts live in memory, not in the store)
            pane.show_alert_count(self.live_alert_count)
        pane.apply(result)
        if self.live_alert_count is not None and isinstance(pane, OverviewPane):
            pane.show_alert_count(self.live_alert_count)   # over the stored count its cards carry
        if isinstance(pane, ReportPane):
            pane.refresh_status()   # after the table has its rows: 'showing N of M' is current
        self._start_alerts()

    # ------------------------------------------------------------------ the alert panel's messages

    def on_alert_panel_count_changed(self, message) -> None:
        """The panel's count goes to the Reorder tab's label and line and the Overview's alert line."""
        self.live_alert_count = n = message.active
        self._label_tabs()
        for pane in (*self.query(OverviewPane), *self.query(ReorderPane)):   # none while quitting
            pane.show_alert_count(n)

    def on_alert_panel_sales_seen(self, message) -> None:
        """New sales (or stock counts) while live: the tabs they change are refreshed in place, quietly
        (no 'Loading…', the old figures stay until the new arrive); a custom period that ended before the
        latest sale cannot change, so only the Reorder tab (about now) reloads then."""
        choice, latest = self.period_choice, None
        if choice.preset == "custom" and choice.until is not None:
            latest = self.store.latest_day()
        past = latest is not None and choice.until < latest
        active = self.active_tab()
        for tab in TABS:
            pane = self.pane(tab)
            if past and not isinstance(pane, ReorderPane):
                continue
            if tab == active:
                pane.load(quiet=True)
            else:
                pane.stale = True

    @on(Failed)
    async def _failed(self, message: Failed) -> None:
        self._start_alerts()
        pane = message.source
        await pane.mounted()
        if not self.is_running:
            return
        pane.busy(False)
        pane.stale = True
        pane.query_one(".status", Static).update(Text("Could not load this report; press r to try again."))
        self.notify(plain(message.error), title="Could not load the report", severity="error", timeout=8,
                    markup=False)

    def reload(self, all_tabs: bool = True) -> None:
        active = self.shown()
        for tab in ("overview", *VIEW_TAB):
            pane = self.pane(tab)
            if tab == active:
                pane.load()
            elif all_tabs:
                pane.stale = True

    # ------------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # The keys that open a box or dialog (/, d, ?) are priority bindings: they act as they arrive, so
        # the box is pushed before the keys typed after them are handled. Textual then finishes mounting
        # the box, which focuses its first field, before it handles the next key: what was typed ahead
        # goes into the box. While a box or dialog is up, or a field has focus, they are plain keys.
        if action in OPENERS and (isinstance(self.screen, (ModalScreen, EmptyScreen)) or isinstance(self.focused, Input)):
            return False
        return True

    def retype(self, key: events.Key) -> None:
        """A key that reached a dialog's field after focus had moved on (tui/widgets/fields.py): handled
        again as if just typed, before anything else waiting, so keys typed ahead keep their order."""
        self.call_next(self.on_event, events.Key(key.key, key.character))

    def action_show_tab(self, tab: str) -> None:
        if isinstance(self.screen, EmptyScreen):
            return
        while len(self.screen_stack) > 1 and not isinstance(self.screen, EmptyScreen):
            self.pop_screen()
        self.query_one(TabbedContent).active = tab

    def pane_title(self, name: str) -> str:
        if name in TABS:
            return TAB_TITLES[TABS.index(name)]
        from ..reports.registry import REPORTS

        return REPORTS[name].title

    def action_next_view(self) -> None:
        """v: the showing tab's next view (its own report, then the registry's views of it), round."""
        tab = self.active_tab()
        names = TAB_VIEWS.get(tab, ())
        if isinstance(self.screen, EmptyScreen) or self.screen is not self.screen_stack[0]:
            return
        if len(names) < 2:
            self.notify("This tab has one view. v steps through the views of "
                        + ", ".join(TAB_TITLES[TABS.index(t)] for t, n in TAB_VIEWS.items() if len(n) > 1) + ".",
                        timeout=4)
            return
        self.show_view(names[(names.index(self.shown()) + 1) % len(names)])

    def action_show_view(self, name: str) -> None:
        """A view by name (the palette): its tab, then the view."""
        if isinstance(self.screen, EmptyScreen):
            return
        self.action_show_tab(VIEW_TAB[name])
        self.show_view(name)

    def show_view(self, name: str) -> None:
        tab = VIEW_TAB[name]
        self.query_one(f"#views-{tab}", ContentSwitcher).current = f"pane-{name}"
        self.query_one(f"#viewbar-{tab}", ViewBar).show(name)
        pane = self.pane(name)
        if pane.stale:
            pane.load()
        self._focus_pane(pane)

    def _focus_pane(self, pane) -> None:
        """A pane's first widget to act on: its `first_focus` (the ABC-XYZ matrix), else its first table."""
        target = pane.first_focus() if hasattr(pane, "first_focus") else None
        tables = pane.query(ReportTable)
        if target is None and tables:
            target = tables.first()
        if target is not None:
            target.focus(scroll_visible=False)

    def action_pick_period(self) -> None:
        def chosen(choice: PeriodChoice | None) -> None:
            if choice is None:
                return
            self.period_choice = choice
            self.set_sub_title(choice)
            self.reload()
            self.notify(f"Period: {choice.label()}")

        self.push_screen(PeriodScreen(self.period_choice), chosen)

    def focused_table(self) -> ReportTable | None:
        focused = self.focused
        if isinstance(focused, ReportTable):
            return focused
        tables = self.screen.query(ReportTable)
        if self.screen is self.screen_stack[0]:
            tables = self.pane(self.shown()).query(ReportTable)
        return tables.first() if tables else None

    def _refresh_status(self, table: ReportTable) -> None:
        pane = next((a for a in table.ancestors if isinstance(a, ReportPane)), None)
        if pane is not None:
            pane.refresh_status()
        self.notify(table.status_line(), timeout=3, markup=False)   # it quotes the filter typed

    def action_filter(self) -> None:
        table = self.focused_table()
        if table is None:
            return
        self._filtering = table

        def done(text: str | None) -> None:
            self._filtering = None
            if text is None:
                return
            table.set_filter(text)
            table.focus()
            self._refresh_status(table)

        self.push_screen(FilterScreen(table.filter_text), done)

    @on(FilterScreen.Changed)
    def _narrow(self, message: FilterScreen.Changed) -> None:
        """The filter box's text once typing pauses: the table behind the box narrows as you type."""
        table = self._filtering
        if table is None or not table.is_mounted:
            return
        table.set_filter(message.text)
        pane = next((a for a in table.ancestors if isinstance(a, ReportPane)), None)
        if pane is not None:
            pane.refresh_status()

    def action_sort(self) -> None:
        table = self.focused_table()
        if table is not None and (msg := table.sort_by_cursor()):
            self._refresh_status(table)
            self.notify(msg, timeout=3)

    def action_export(self) -> None:
        """Every row of the table's current view (filter and sort applied), written in a thread worker:
        an export of 500k customers neither holds them all in memory nor the screen still."""
        table = self.focused_table()
        if table is None or not table.has_rows():
            self.notify("Nothing to export here.", severity="warning")
            return
        columns, rows = table.export_rows()
        name = f"shopintel-{self._table_name(table)}-{datetime.now():%Y%m%d-%H%M%S}.csv"
        folder = Path.cwd() if os.access(Path.cwd(), os.W_OK) else Path(tempfile.gettempdir())
        self.notify(f"Exporting {table.matches:,} rows…", title="Export", timeout=3)
        self.run_worker(partial(self._write_csv, folder / name, columns, rows), thread=True, group="export",
                        exit_on_error=False)

    def _write_csv(self, path: Path, columns: list[str], rows) -> None:
        n, part = 0, path.with_name(path.name + ".part")   # the name appears when the file is whole
        try:
            # CRLF (RFC 4180, what spreadsheets expect); the csv module quotes a field holding a CR or LF
            with open(part, "w", newline="", encoding="utf-8") as f:
                out = csv.writer(f, lineterminator="\r\n")
                out.writerow(columns)
                # for spreadsheets: cells from data that would run as formulas get a leading quote (OWASP)
                for row in for_spreadsheet(rows):
                    out.writerow(row)
                    n += 1
            os.replace(part, path)
        except OSError as exc:
            self.call_from_thread(self.notify, f"Could not write {plain(path)}: {exc.strerror}", severity="error",
                                  markup=False)
            return
        self.call_from_thread(self.notify, f"Exported {n:,} rows to {plain(path)}", title="Export", timeout=10,
                              markup=False)

    def _table_name(self, table: ReportTable) -> str:
        if self.screen is self.screen_stack[0]:
            return self.shown()
        return type(self.screen).__name__.replace("Screen", "").lower()

    def action_copy_row(self) -> None:
        table = self.focused_table()
        record = table.current_record() if table else None
        if not record:
            self.notify("No row to copy.", severity="warning")
            return
        cols = table.visible_columns()
        text = "\t".join(str(record.get(c, "")) for c in cols)
        self.copy_to_clipboard(text)
        self.notify("Row copied to the clipboard (OSC 52: your terminal must allow it).", timeout=4)

    def action_refresh(self) -> None:
        self.reload()
        self.notify("Reloading from the store…", timeout=2)

    async def action_quit(self) -> None:
        # Quitting never waits for the store's write lock: an acknowledgement still waiting for it (another
        # program holds the lock) is not saved, and the terminal says so once the app has gone. Nor for a
        # query still running: every reader's is interrupted (the workers' and the alert monitor's).
        self.store.interrupt_all()
        panels = self.query("#alerts")
        if panels:
            panels.first().interrupt()
        pending = panels.first().pending_acks() if panels else 0
        if pending:
            self.exit(message=Text(f"shopintel: {pending} alert acknowledgement(s) not saved: another program "
                                   "held the store's write lock. Acknowledge them again (x) next time."))
        else:
            self.exit()

    def action_help(self) -> None:
        tab = self.shown()
        scopes = ("global", "table")
        if any(a.scope == tab for a in ACTIONS):   # the tab's own keys (its options, revenue's t)
            scopes += (tab,)
        if self.screen is not self.screen_stack[0]:
            scopes += ("detail",)
        self.push_screen(HelpScreen(scopes, self.pane_title(tab)))

    def action_toggle_alerts(self) -> None:
        panels = self.query("#alerts")
        if panels:
            panels.first().toggle()

    def _alert_panel(self):
        """The alert panel, when it is on screen to act on (not behind a detail screen or dialog)."""
        panels = self.query("#alerts")
        if not panels:
            self.notify("The alert panel is not running (no live alerts in this app).", severity="warning")
            return None
        if self.screen is not self.screen_stack[0]:
            self.notify("Go back (Esc) to the tabs to act on the alert panel.", timeout=4)
            return None
        return panels.first()

    def action_acknowledge_alert(self) -> None:
        panel = self._alert_panel()
        if panel is not None:
            panel.acknowledge()

    def action_alert_history(self) -> None:
        panel = self._alert_panel()
        if panel is not None:
            panel.toggle_history()

    def action_toggle_table(self) -> None:
        pane = self.pane("revenue")
        if self.active_tab() == "revenue":
            if pane.has_class("table-mode"):
                pane.remove_class("table-mode")
            else:
                pane.add_class("table-mode")
                pane.table.focus()

    def action_step(self, option: str, delta: int) -> None:
        """An option key of the showing tab (registry Param.keys): the pane steps its own option."""
        pane = self.pane(self.shown())
        if isinstance(pane, ReportPane) and option in pane.options:
            pane.step(option, delta)

    # ------------------------------------------------------------------ drill-down

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        table = event.data_table
        if not isinstance(table, ReportTable):
            return
        record = table.current_record()
        if not record:
            return
        screen = self.screen
        if screen is not self.screen_stack[0] and hasattr(screen, "open_detail"):
            screen.open_detail(record)
            return
        pane = next((a for a in table.ancestors if isinstance(a, (ReportPane, OverviewPane))), None)
        if isinstance(pane, OverviewPane):
            from .screens.detail import CustomerScreen, ProductScreen

            if table.id == "top-whales":
                self.push_screen(CustomerScreen(record["customer_id"]))
            else:
                self.push_screen(ProductScreen(record["sku"]))
        elif pane is not None:
            pane.open_detail(record)
