"""The report tabs. Each pane asks the reports layer for its data in a thread worker, which posts a
message; the handler draws. A failing query becomes an error toast, the app keeps running."""

from __future__ import annotations

import asyncio
import functools
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Static

from ..format import format_value, money_title
from ..safe_text import plain
from .loading import load_in_thread
from .report_table import ReportTable


# How important each part of a status line is: the parts that do not fit its two lines are left out,
# least important first, so a line never ends mid-sentence at 80 columns (the keys are in the footer
# and the help screen too).
COUNT, STORY, PERIOD, KEYS = range(4)


def fit_parts(parts: list[tuple[str, int]], width: int, lines: int = 2) -> str:
    """The parts (text, importance) joined with ' · ' in their order, without those that would not fit
    `lines` lines of `width` cells: the most important first, in the order given within one importance.
    The first part always shows (cut with an ellipsis if it alone is too long)."""
    import textwrap

    def fits(text: str) -> bool:
        return len(textwrap.wrap(text, max(10, width), break_long_words=True)) <= lines

    chosen: set[int] = set()
    for i in sorted(range(len(parts)), key=lambda i: (parts[i][1], i)):
        trial = " · ".join(t for j, (t, _) in enumerate(parts) if j in chosen | {i} and t)
        if not chosen or fits(trial):
            chosen.add(i)
    text = " · ".join(t for j, (t, _) in enumerate(parts) if j in chosen and t)
    room = max(10, width) * lines
    return text if fits(text) else text[:room - 1] + "…"


def period_line(choice, period) -> str:
    """The period once: `28d: 2026-06-03 .. 2026-06-30, as of 2026-06-30`, and a custom range as itself
    (its label is the range: `2026-01-01 .. 2026-03-31, as of …`, not the dates twice)."""
    described = period.describe()
    if choice.preset == "custom" or described.startswith(choice.label()):
        return described
    return f"{choice.label()}: {described}"


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
    """A report's tab: a status line, its chart if the registry entry has one, a table; data loaded in a
    worker thread. The pane owns the report's options that have keys (registry `Param.keys`): `step()`
    changes one and reloads."""

    report = ""
    hidden: tuple[str, ...] = ()
    # the columns that matter most, shown first (they fit 80 columns); the others follow and scroll
    first_columns: tuple[str, ...] = ()

    def __init__(self, **kw):
        super().__init__(**kw)
        from ...reports.params import Params
        from ...reports.registry import REPORTS

        self.spec = REPORTS[self.report]
        self.stale = True
        defaults = Params()
        # the options this tab changes with keys (the registry's app_options); the others keep their defaults
        self.options: dict[str, Any] = {name: getattr(defaults, name) for name in self.spec.app_options}
        key_column = self.spec.drill.key if self.spec.drill else None
        self.table = ReportTable(key_column=key_column, hidden=self.hidden, first=self.first_columns,
                                 id=f"{self.id}-table")

    @property
    def with_chart(self) -> bool:
        return self.spec.chart is not None

    def step(self, name: str, delta: int) -> None:
        """The next (or previous) value of an option; with a back key the ends stop, without it they wrap.
        Stepping an option of the plain view leaves a variant view (revenue: a grain ends the profile)."""
        from ...reports.registry import PARAMS

        keys = PARAMS[name].keys
        current = self.options[name]
        if keys.step:
            self.options[name] = max(keys.minimum, current + delta * keys.step)
        else:
            values = list(keys.values)
            i = values.index(current) if current in values else min(range(len(values)),
                                                                     key=lambda j: abs(values[j] - current))
            i = max(0, min(len(values) - 1, i + delta)) if keys.back else (i + delta) % len(values)
            self.options[name] = values[i]
        if name not in {v.param for v in self.spec.variants}:
            for v in self.spec.variants:
                if v.param in self.options:
                    self.options[v.param] = None
        self.load()

    def build(self) -> None:
        """The pane's widgets, mounted when the tab is first loaded rather than composed with the app:
        the first screen then mounts, styles and lays out the Overview only."""
        if not self.children:
            from .chart import Chart

            self._mounting = self.mount_all([Static("", classes="status"),
                                             *([Chart(classes="chart")] if self.with_chart else []), self.table])

    def chart(self):
        return self.query_one(".chart")

    def set_status(self, *parts: tuple[str, int]) -> None:
        """The pane's story in at most two lines, led by the table's honest 'showing N of M': parts of
        (text, importance: STORY, PERIOD or KEYS); what does not fit the pane's width is left out, least
        important first (fit_parts)."""
        # a plain string (a pane that says one thing) is a story told in parts separated by ' · '
        parts = tuple(q for p in parts for q in ([(t, STORY) for t in p.split(" · ")] if isinstance(p, str) else [p]))
        self._status_parts = parts
        width = (self.size.width or self.app.size.width) - 2   # the status line's padding
        line = fit_parts([(self.table.status_line(), COUNT), *parts], width)
        self.query_one(".status", Static).update(Text(line))

    def refresh_status(self) -> None:
        if hasattr(self, "_status_parts"):
            self.set_status(*self._status_parts)

    def on_resize(self, event) -> None:
        self.refresh_status()   # what fits two lines changed

    def on_report_table_window_moved(self, message: ReportTable.WindowMoved) -> None:
        message.stop()
        if message.table is self.table:
            self.refresh_status()

    def load(self, quiet: bool = False) -> None:
        """Compute in a worker and draw when it lands; `quiet` (a live refresh): the figures shown stay,
        with no loading indicator, until the new ones replace them in place."""
        self.build()
        self.stale = False
        if not quiet:
            self.busy(True)
        store, choice = self.app.store, self.app.period_choice
        load_in_thread(self, lambda: self.compute(store, choice))

    def busy(self, on: bool) -> None:
        """Show that numbers are on their way without disabling the table: Textual drops the keys of a
        widget whose `loading` is set, and the table usually has the focus."""
        busy_indicator(self, on)

    def compute(self, store, choice) -> Any:
        """This pane's report for the chosen period and the pane's options."""
        params = store.params(choice, **self.options)
        period = store.period(params, self.spec.default_days)
        return period, self.spec.run(store.conn(), params, period)

    def apply(self, result: Any) -> None:
        """The usual tab: what it is, the period, the chart and the table. Panes with more to say override."""
        period, rows = result
        self.set_status((self.spec.summary, STORY), (self.describe_period(period), PERIOD), self.enter_hint())
        if self.with_chart:
            self.draw_chart(rows)
        self.table.show(rows)

    def enter_hint(self) -> tuple[str, int]:
        drill = self.spec.drill
        return (f"Enter: {DRILL_HINTS[drill.target]}" if drill else "", KEYS)

    def describe_period(self, period) -> str:
        return period_line(self.app.period_choice, period)

    def open_detail(self, record: dict) -> None:
        """Enter on a row: the screen the registry entry's drill-down names, for the row's key."""
        from ..screens import detail

        drill = self.spec.drill
        if drill is not None:
            self.app.push_screen(detail.SCREENS[drill.target](record[drill.key]))

    def draw_chart(self, rows) -> None:
        """This report's chart as the registry describes it, for the pane's options."""
        from ...reports.params import Params

        chart = self.spec.chart_for(Params(**self.options))
        self.chart().show(chart, rows, money_title(chart.title, chart.series, self.app.store.currency))


MONEY_KPIS = ("revenue", "aov", "returns")   # their cards' figures name the currency ("1,234 EUR")


KPI_ROOM = 13   # a card's figure at 80 columns: a fifth of the width, less its border and padding


def kpi_value(key: str, value) -> str:
    """A KPI card's figure, by one rule for every card: an amount with its cents, as in every table
    (1,422,064.27 beside 56.88), and only an amount too wide for a card at 80 columns (100 million and
    more) in millions with two decimals (123.46M)."""
    money = key in MONEY_KPIS
    if value is None or value != value:
        return "-"
    shown = format_value("revenue" if money else "orders", value)
    if money and len(shown) > KPI_ROOM:
        return f"{value / 1_000_000:,.2f}M"
    return shown


class OverviewPane(BuiltLater, VerticalScroll):
    """KPI cards with change, the revenue chart, top 5 whales and sellers, active alerts."""

    KPIS = (("revenue", "Net revenue"), ("orders", "Orders"), ("customers", "Customers"), ("aov", "AOV"),
            ("returns", "Returns"))

    def __init__(self, **kw):
        super().__init__(**kw)
        self.stale = True
        self._loads = 0   # counts load() calls: the second step of a superseded load never starts
        self._built = False
        self._quiet = False

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

    def load(self, quiet: bool = False) -> None:
        self.stale = False
        self._loads += 1
        self._quiet = quiet   # a live refresh: no loading indicators, the figures shown stay until replaced
        store, choice = self.app.store, self.app.period_choice
        # the app's first load may find its cards computed already (launch starts them before Textual loads)
        ready = self.app.prefetched_cards(choice)
        if ready is not None and ready.done() and ready.exception() is None:
            # in the very first frame, and without putting up a loading indicator to take it down at once:
            # removing one still mounting holds Textual's start-up, and so the first frame, back ~70 ms
            self.app.show_result(self, {**ready.result(), "partial": True})
        else:
            if not quiet:
                self.busy(True)
            self._run(ready.result if ready is not None else lambda: store.overview_cards(choice), partial=True)

    def _load_rest(self, load: int, period) -> None:
        if load != self._loads:   # a newer load() is under way; it will start its own second step
            return
        self.build()
        store, choice = self.app.store, self.app.period_choice
        self._run(lambda: self.compute(store, choice, period))

    def _run(self, compute, partial: bool = False) -> None:
        load_in_thread(self, (lambda: {**compute(), "partial": True}) if partial else compute)

    def busy(self, on: bool) -> None:
        busy_indicator(self, on)

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
        """The cards' alert line; the App sets it from the live panel after each check so the two agree."""
        self.query_one("#alert-count", Static).update(
            Text(f"Active reorder alerts: {n}" + ("  (press 6 for Reorder)" if n else "")))

    def apply(self, r: dict) -> None:
        if "series" in r:
            self.apply_tables(r)
            return
        period = r["period"]
        if not self._quiet:
            self.scroll_home(animate=False)   # the KPI cards are what a small terminal must show first
        self.query_one(".status", Static).update(Text(period_line(self.app.period_choice, period)))
        # the cards may come from the prefetch's own Store: the app's learns the currency from them, before
        # any table names it
        currency = self.app.store.currency = r.get("currency")
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
            if currency and key in MONEY_KPIS:
                shown = f"{shown} {plain(currency)}"   # beside the figure: the label's line has no room at 80x24
            self.query_one(f"#kpi-{key}", Static).update(Text.assemble((label, "bold"), "\n", shown, "\n", delta))
        self.show_alert_count(r["alerts"])   # the stored count; the App puts the live panel's over it
        if r.get("partial"):
            # Two steps: the KPI cards are plain SQL and show at once; the chart and tables need pandas
            # and plotext, whose loading would hold the GIL (and the first screen) back if it ran
            # meanwhile, so the second step starts once the cards are on screen.
            if not self._quiet:
                self.busy_charts(True)
            self.app.after_first_frame(functools.partial(self._load_rest, self._loads, period))

    def busy_charts(self, on: bool) -> None:
        for chart in self.query(".chart"):
            chart.loading = on

    def apply_tables(self, r: dict) -> None:
        self.busy_charts(False)
        from ...reports.registry import REPORTS

        chart = REPORTS["revenue"].chart
        series, title = r["series"], money_title(f"Revenue per {r['grain']}", chart.series, self.app.store.currency)
        self.query_one("#overview-chart").show(chart, series, title)
        # figures before names: at 80 columns each table has half the width, and a long name (or the
        # currency in a header) must push a name off the edge, never cut a figure
        self.query_one("#top-whales", ReportTable).show(r["whales"].select(["rank", "customer_id", "spend",
                                                                           "customer_name"]))
        self.query_one("#top-sellers-mini", ReportTable).show(r["sellers"].select(["sku", "units_per_week",
                                                                                  "product_name"]))


class RevenuePane(ReportPane):
    report = "revenue"
    first_columns = ("period", "revenue", "moving_average")

    def apply(self, result) -> None:
        period, rows = result
        profile, grain = self.options["profile"], self.options["grain"]
        what = f"seasonality by {profile}" if profile else f"revenue per {grain}"
        self.set_class(bool(profile), "profile")   # the profile's bars take most of the pane (app.tcss)
        self.set_status((what, STORY), (self.describe_period(period), PERIOD), ("w: grain  p: seasonality  t: table", KEYS))
        self.draw_chart(rows)
        self.table.show(rows)


class WhalesPane(ReportPane):
    report = "whales"
    first_columns = ("rank", "customer_name", "spend", "p_alive", "share", "cumulative_share", "orders")

    def compute(self, store, choice, fit: bool = False):
        from ...reports.clv import cached_p_alive, p_alive_by_customer
        from ...reports.customers import unranked
        from ...reports.summary import summary
        from ...reports.whales import COLUMNS, whale_rows

        from itertools import chain, islice

        from .loading import Loaded
        from .report_table import PAGE

        params = store.params(choice)
        period = store.period(params)
        conn = store.conn()
        s = summary(conn, params, period)
        left_out = unranked(conn, period)
        # beside each whale the chance they are still a customer (clv's BG/NBD model, as of the period's
        # end), so a big customer slipping away stands out. The fit takes seconds on a big store: the
        # whales come first with the column empty, unless the last fit still holds, and a second step fills it
        as_of = min(period.last, period.as_of)
        alive = {} if period.empty_store else (p_alive_by_customer if fit else cached_p_alive)(conn, as_of)
        at = COLUMNS.index("spend") + 1
        key = COLUMNS.index("customer_id")
        got = alive or {}
        rows = ((*r[:at], got.get(r[key]), *r[at:]) for r in whale_rows(conn, params, period))
        columns = [*COLUMNS[:at], "p_alive", *COLUMNS[at:]]
        # Every ranked customer is kept for paging, here in the worker: streamed, never a list of them all.
        # Keeping 500k takes seconds: the first window goes on screen first, with how many there are.
        first = list(islice(rows, PAGE))
        ranked = s.customers - left_out
        if len(first) == PAGE and ranked > PAGE and not fit:   # (the fit's step: the rows are on screen)
            self.post_message(Loaded(self, (period, s, left_out, self.table.keep(columns, first), ranked,
                                            alive is None)))
        return period, s, left_out, self.table.keep(columns, chain(first, rows)), None, alive is None

    def apply(self, result) -> None:
        period, s, left_out, kept, coming, fit_pending = result
        if s.top_1pct_share is None:
            line = "No ranked customers in this period."
        else:
            line = (f"Top 1% of customers bring {s.top_1pct_share * 100:.1f}% of revenue; "
                    f"top 20% bring {s.top_20pct_share * 100:.1f}%.")
        # the Overview's and summary's customers, less those whales cannot rank: one count, said out loud
        unranked = (f"{left_out:,} of the {s.customers:,} customers returned more than they bought: not ranked."
                    if left_out else "")
        # the first window while the rest is kept: 'showing 1–500 of N' is already true
        self.table.show(kept, coming=coming)
        if fit_pending and coming is None:   # the whole result is here: now the p alive fit
            store, choice = self.app.store, self.app.period_choice
            load_in_thread(self, lambda: self.compute(store, choice, fit=True))
        self.set_status((line, STORY), (unranked, STORY), ("p alive: fitting…" if fit_pending else "", STORY),
                        (self.describe_period(period), PERIOD), self.enter_hint())


class TopSellersPane(ReportPane):
    report = "top-sellers"
    first_columns = ("sku", "product_name", "units_per_week", "trend")

    def apply(self, result) -> None:
        period, rows = result
        self.set_status(
            (f"more than {self.options['min_per_week']:g} units/week over the {self.options['window_days']} days to "
             f"{period.as_of}", STORY), self.enter_hint(), ("+/-: threshold  [/]: window", KEYS))
        self.draw_chart(rows)
        self.table.show(rows)


class CategoriesPane(ReportPane):
    report = "categories"
    first_columns = ("category", "revenue", "share", "growth", "growth_contribution", "driver")

    def apply(self, result) -> None:
        period, df = result
        hint = "" if period.explicit else "pick a period (d) to see growth and its driver"
        lead = " · ".join(driver_line(row) for row in df.records() if row["driver"])
        self.set_status((lead, STORY), (self.describe_period(period), PERIOD), (hint, STORY), self.enter_hint())
        # horizontal: every name readable on its own row (vertical labels collide at 80 columns)
        self.draw_chart(df)
        self.table.show(df)


def driver_line(row: dict) -> str:
    """`Lighting drove the decline (-1.9 points)`: the driver always pushes the way the shop moved, so
    the sign of its contribution says which way that was."""
    points = row["growth_contribution"] * 100
    return f"{plain(row['category'])} drove the {'growth' if points > 0 else 'decline'} ({points:+.1f} points)"


class ReorderPane(ReportPane):
    """Stock and alerts are about now: the tab evaluates stock as of the latest sale whatever period is
    chosen (the product screen and the alerts say the same on-hand), and says so when the period chosen
    ends earlier. Its line counts the statuses and the active alerts (reports.monitor: one per product),
    which the tab's title and the alert panel count too."""

    report = "reorder"
    # the status in words first (readable at 80 columns without colour), then what to do about it
    first_columns = ("status", "sku", "product_name", "on_hand", "days_of_cover", "suggested_qty")

    def __init__(self, **kw):
        super().__init__(**kw)
        self._alerts: int | None = None     # the live panel's count once it has checked, else the store's
        self._shown = None

    def compute(self, store, choice):
        from ...reports.monitor import alert_counts
        from ...reports.params import Params

        params = Params(**self.options)         # no period: as of the latest sale, as the alerts are
        period = store.period(params)
        chosen = store.period(store.params(choice))
        conn = store.conn()
        return period, chosen, self.spec.run(conn, params, period), alert_counts(conn)

    def apply(self, result) -> None:
        period, chosen, rows, stored = result
        if self._alerts is None:
            self._alerts = stored["active"]
        self._shown = (period, chosen, rows, stored["acknowledged"])
        self._describe()
        self.table.show(rows)

    def show_alert_count(self, n: int) -> None:
        """The live panel's count (the App routes it here, to the tab's title and to the Overview). A new
        count means alerts changed state (raised, acknowledged, resolved): the tab reloads to say how."""
        changed = self._alerts is not None and n != self._alerts
        self._alerts = n
        if self._shown is None:
            return
        self._describe()
        if changed:
            self.load(quiet=True) if self.app.active_tab() == "reorder" else setattr(self, "stale", True)

    def _describe(self) -> None:
        from collections import Counter

        period, chosen, rows, acked = self._shown
        counts = Counter(rows.column("status"))
        n = self._alerts or 0
        seen = f", {acked} acknowledged" if acked else ""
        now = period.as_of.isoformat()
        past = chosen.last < period.as_of and not chosen.empty_store
        note = (f"stock and alerts are as of now ({now}): the period {self.app.period_choice.label()} does not "
                "apply here" if past else f"as of {now}")
        # an empty tab says where its rows come from (a store without stock counts lists nothing)
        empty = ("none yet: stock counts come from 'shopintel stock import FILE' or 'shopintel stock set SKU N'"
                 if not rows else "")
        self.set_status(
            (f"OUT {counts.get('OUT', 0)} · LOW {counts.get('LOW', 0)} · OK {counts.get('OK', 0)}", STORY),
            (f"{n} active alert{'' if n == 1 else 's'}{seen}", STORY), (note, STORY), (empty, STORY),
            (f"fast movers (more than {self.options.get('min_per_week', 3):g} units/week) with a stock count", PERIOD),
            self.enter_hint())


class SegmentsPane(ReportPane):
    report = "segments"
    first_columns = ("segment", "customers", "revenue", "median_spend")

    def apply(self, result) -> None:
        period, rows = result
        self.set_status(("RFM segments", STORY), (self.describe_period(period), PERIOD), self.enter_hint())
        self.table.show(rows)


class ViewBar(Static):
    """The views of a tab in one line, the one shown in brackets (words, not colour: NO_COLOR reads it)."""

    def __init__(self, names: tuple[str, ...], **kw):
        super().__init__("", **kw)
        self.names = names
        self.show(names[0])

    def show(self, name: str) -> None:
        from ...reports.registry import REPORTS

        self.current = name
        parts = [(f"[{REPORTS[n].title}]", "bold") if n == name else (REPORTS[n].title, "") for n in self.names]
        text = Text("views: ")
        for i, part in enumerate(parts):
            text.append_text(Text(" · " if i else ""))
            text.append(*part)
        text.append("   v: next view")
        self.update(text)


class ClvPane(ReportPane):
    """The BG/NBD fit is of every customer's whole history up to the period's end: the period's start does
    not apply (a customer's history is all of it)."""

    report = "clv"
    hidden = ("customer_id",)   # the name says who; the id stays in the row for Enter
    # who and what the model says first, so that they fit 80 columns; the history it read after
    ORDER = ("customer_name", "p_alive", "expected_orders_365d", "expected_spend_365d", "orders", "spend",
             "frequency", "recency_days", "tenure_days", "customer_id")

    def compute(self, store, choice):
        from ...reports.params import Params

        chosen = store.period(store.params(choice))
        params = Params(as_of=min(chosen.last, chosen.as_of)) if not chosen.empty_store else Params()
        period = store.period(params)
        return period, self.spec.run(store.conn(), params, period)

    def apply(self, result) -> None:
        period, rows = result
        fit = " · ".join(getattr(rows, "notes", ()))
        self.set_status(f"as of {period.as_of} · {fit or 'no customers yet'}")
        self.table.show(rows.select(self.ORDER))


def retention_scale():
    """The cohort grid's colour scale: (lowest retention, label) of each step, lowest first."""
    return ((0.0, "0-9%"), (0.10, "10-24%"), (0.25, "25-49%"), (0.50, "50-74%"), (0.75, "75-100%"))


class CohortsPane(ReportPane):
    """A triangle of retention percentages: a row per cohort (first-order month), a column per month since,
    each cell's value written (NO_COLOR reads it) and shaded on a labelled scale; the rows below."""

    report = "cohorts"

    def build(self) -> None:
        if not self.children:
            from textual.containers import ScrollableContainer

            self._mounting = self.mount_all([
                Static("", classes="status"), Static("", classes="cohort-scale"),
                ScrollableContainer(Static("", classes="cohort-grid-text"), classes="cohort-grid"), self.table])

    def _shades(self) -> list[str]:
        """Background styles from the theme: the panel colour blended towards the primary colour."""
        from textual.color import Color

        theme = self.app.current_theme
        base, top = Color.parse(theme.background or "#000000"), Color.parse(theme.primary)
        steps = len(retention_scale())
        return [f"on {base.blend(top, (i + 1) / steps).hex}" for i in range(steps)]

    def apply(self, result) -> None:
        period, rows = result
        self.set_status(("retention by first-order month", STORY), (self.describe_period(period), PERIOD))
        shades = self._shades()
        scale = retention_scale()
        legend = Text("scale: ")
        for (_, label), shade in zip(scale, shades):
            legend.append(f" {label} ", shade)
            legend.append(" ")
        self.query_one(".cohort-scale", Static).update(legend)
        self.query_one(".cohort-grid-text", Static).update(self.grid(rows, shades))
        self.table.show(rows)

    @staticmethod
    def grid(rows, shades) -> Text:
        cohorts: dict[str, tuple[int, dict[int, float]]] = {}
        for r in rows.records():
            size, cells = cohorts.setdefault(r["cohort"], (r["customers"], {}))
            cells[r["months_since"]] = r["retention"]
        if not cohorts:
            return Text("No cohorts in this period.")
        months = max(max(c) for _, c in cohorts.values()) + 1
        text = Text("cohort   size " + "".join(f"{f'm{k}':>5}" for k in range(months)) + "\n", style="bold")
        steps = [low for low, _ in retention_scale()]
        for cohort, (size, cells) in sorted(cohorts.items(), reverse=True):   # newest first: the short rows on top
            text.append(f"{cohort}  {size:>5} ")
            for k in range(months):
                if k not in cells:
                    break
                v = cells[k]
                step = max(i for i, low in enumerate(steps) if v >= low)
                text.append(f"{v * 100:>4.0f}%", shades[step])
            text.append("\n")
        text.rstrip()
        return text


class AbcXyzPane(ReportPane):
    """The ABC-XYZ matrix: a cell per revenue class (A/B/C) and demand steadiness (X/Y/Z), its product count
    and revenue; Enter on a cell lists its products. The rows of every product below."""

    report = "abc-xyz"
    CELL = 17

    def build(self) -> None:
        if not self.children:
            from textual.widgets import DataTable

            matrix = DataTable(cursor_type="cell", classes="abc-matrix", id=f"{self.id}-matrix")
            self._mounting = self.mount_all([Static("", classes="status"), matrix, self.table])

    def first_focus(self):
        """The matrix: Enter on a cell lists its products (Tab moves on to the table of every product)."""
        return self.query(".abc-matrix").first() if self.query(".abc-matrix") else None

    def apply(self, result) -> None:
        from textual.widgets import DataTable

        period, rows = result
        self.records = rows.records()
        self.set_status(("ABC by revenue x XYZ by weekly demand", STORY), ("Enter on a cell: its products", KEYS),
                        (self.describe_period(period), PERIOD), self.enter_hint())
        matrix = self.query_one(".abc-matrix", DataTable)
        matrix.clear(columns=True)
        matrix.add_column("", key="abc", width=3)
        for z in "XYZ":
            matrix.add_column(Text({"X": "X steady", "Y": "Y varies", "Z": "Z erratic"}[z], justify="right"),
                              key=z, width=self.CELL)
        for a in "ABC":
            cells = []
            for z in "XYZ":
                members = [r for r in self.records if r["abc"] == a and r["xyz"] == z]
                revenue = sum(r["revenue"] for r in members)
                cells.append(Text(f"{len(members):,} · {format_value('revenue', revenue)}", justify="right"))
            matrix.add_row(Text(a, style="bold"), *cells, key=a)
        matrix.move_cursor(row=0, column=1)   # on the AX cell, not the class label
        self.table.show(rows)
        if self.app.shown() == self.report and not matrix.has_focus and not self.table.has_focus:
            matrix.focus()   # shown before its widgets were mounted: the matrix takes the focus now

    def on_data_table_cell_selected(self, event) -> None:
        if "abc-matrix" not in event.data_table.classes:
            return
        event.stop()
        a, z = event.cell_key.row_key.value, event.cell_key.column_key.value
        if z not in ("X", "Y", "Z"):
            return
        from ...reports.result import Rows
        from ..screens.detail import ProductListScreen

        columns = list(self.records[0]) if self.records else []
        members = [tuple(r.values()) for r in self.records if r["abc"] == a and r["xyz"] == z]
        self.app.push_screen(ProductListScreen(f"ABC-XYZ class {a}{z}", Rows(tuple(columns), members)))


DRILL_HINTS = {"customer": "customer", "product": "product", "category": "products", "segment": "the segment's customers"}
# The panes with more to say than the usual tab; every other report with a tab gets a plain ReportPane.
SPECIAL = {p.report: p for p in (RevenuePane, WhalesPane, TopSellersPane, CategoriesPane, ReorderPane, SegmentsPane,
                                  ClvPane, CohortsPane, AbcXyzPane)}


def pane_class(report: str) -> type[ReportPane]:
    return SPECIAL.get(report) or type(f"{report.title().replace('-', '')}Pane", (ReportPane,), {"report": report})
