"""Every key of the app, defined once. The app's and screens' BINDINGS, the footer, the help screen
and the command palette are all derived from these definitions."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding

from ..reports.registry import PARAMS, tabs, views


@dataclass(frozen=True)
class Action:
    key: str            # textual key spec, comma-separated alternatives
    action: str         # textual action string
    description: str    # short, for the footer
    help: str           # one line for the help screen and palette
    footer: bool = True
    scope: str = "global"   # global | table | detail | palette (no key of its own) | a tab's report name
    # Opens a box or dialog. Such keys act the moment they arrive (a priority binding), before the keys
    # typed after them are handled, so that what is typed ahead goes into the box (ShopApp.check_action).
    opens: bool = False


# The Overview is tab 1; every report with a tab in the registry follows, in its number key's order.
TAB_REPORTS = tabs()
TABS = ("overview", *(r.name for r in TAB_REPORTS))
TAB_TITLES = ("Overview", *(r.title for r in TAB_REPORTS))
# A tab may show several views, its own report first (registry `view_of`): the Whales tab also shows
# cohorts and CLV, Top Sellers baskets and ABC-XYZ. `v` steps through them.
TAB_VIEWS = {r.name: tuple(v.name for v in views(r.name)) for r in TAB_REPORTS}
VIEW_TAB = {view: tab for tab, names in TAB_VIEWS.items() for view in names}    # every pane -> its tab
VIEW_REPORTS = [v for r in TAB_REPORTS for v in views(r.name)[1:]]
REPORT_TAB = {r.name: r.tab for r in TAB_REPORTS}


def _views_help() -> str:
    return " · ".join(f"{r.tab}: {', '.join(v.title for v in views(r.name)[1:])}" for r in TAB_REPORTS
                      if len(TAB_VIEWS[r.name]) > 1)


def _option_actions():
    """The keys of each report's options (registry `Param.keys`): step forward, and back if it has a back key."""
    for report in TAB_REPORTS:
        for name in report.app_options:
            keys = PARAMS[name].keys
            tab = report.title.lower()
            yield Action(keys.key, f"step('{name}', 1)", keys.label, f"{tab}: {keys.help}", footer=False,
                         scope=report.name)
            if keys.back:
                yield Action(keys.back, f"step('{name}', -1)", keys.label, f"{tab}: {keys.back_help}", footer=False,
                             scope=report.name)

ACTIONS: tuple[Action, ...] = (
    Action("1", "show_tab('overview')", "Overview", "go to the Overview tab", footer=False),
    *(Action(str(r.tab), f"show_tab('{r.name}')", r.title, f"go to the {r.title} tab", footer=False)
      for r in TAB_REPORTS),
    Action("v", "next_view", "View", f"next view of the tab ({_views_help()})", footer=False),
    *(Action("", f"show_view('{v.name}')", v.title, f"go to {v.title}: tab {REPORT_TAB[v.view_of]}, then v",
             footer=False, scope="palette") for v in VIEW_REPORTS),
    Action("d", "pick_period", "Period", "pick the date range: 7d, 28d, 90d, 12m, YTD, all, custom", opens=True),
    Action("slash", "filter", "Filter", "filter the rows as you type (names, ids, dates: any text column, case-insensitive); "
           "Enter keeps the filter, Esc clears it", opens=True),
    Action("s", "sort", "Sort", "sort by the underlined column (←/→ pick it); again to reverse"),
    Action("e", "export", "Export", "export the current table to a CSV file and say where"),
    Action("y", "copy_row", "Copy", "copy the current row to the clipboard (OSC 52)", footer=False),
    Action("r", "refresh", "Refresh", "reload the numbers from the store", footer=False),
    Action("a", "toggle_alerts", "Alerts", "show or hide the live reorder alert panel", footer=False),
    Action("question_mark,f1", "help", "Help", "list every key of this screen", opens=True),
    Action("q", "quit", "Quit", "quit shopintel"),
    Action("enter", "open_detail", "Open", "open the row under the cursor", footer=False, scope="table"),
    Action("escape", "back", "Back", "go back / close", footer=False, scope="detail"),
    Action("j", "cursor_down", "Down", "move down", footer=False, scope="table"),
    Action("k", "cursor_up", "Up", "move up", footer=False, scope="table"),
    Action("left", "cursor_left", "Column", "pick the column to the left (s sorts by the underlined column)",
           footer=False, scope="table"),
    Action("right", "cursor_right", "Column", "pick the column to the right", footer=False, scope="table"),
    Action("g", "scroll_top", "Top", "first row", footer=False, scope="table"),
    Action("G", "scroll_bottom", "Bottom", "last row", footer=False, scope="table"),
    Action("t", "toggle_table", "Table", "revenue: show the figures behind the chart", footer=False, scope="revenue"),
    *_option_actions(),
    # from anywhere the alert panel shows: the alert under its cursor when it has the focus, else the newest
    Action("x", "acknowledge_alert", "Ack", "alerts: acknowledge the selected alert, else the newest",
           footer=False),
    Action("h", "alert_history", "History", "alerts: all alerts with their states / active only", footer=False),
)


def bindings(scope: str) -> list[Binding]:
    return [Binding(a.key, a.action, a.description, show=a.footer, priority=a.opens)
            for a in ACTIONS if a.scope == scope]


OPENERS = frozenset(a.action for a in ACTIONS if a.opens)


def key_label(key: str) -> str:
    names = {"slash": "/", "question_mark": "?", "plus": "+", "minus": "-", "right_square_bracket": "]",
             "left_square_bracket": "[", "escape": "Esc", "left": "←", "right": "→", "enter": "Enter", "f1": "F1"}
    return " ".join(names.get(k, k) for k in key.split(","))


def help_rows(scopes: tuple[str, ...]) -> list[tuple[str, str]]:
    """(keys, what they do) for the help screen; the seven tab keys share one line so the list fits
    a 24-line terminal."""
    rows: list[tuple[str, str]] = []
    tabs = [a for a in ACTIONS if a.action.startswith("show_tab")]
    if "global" in scopes and tabs:
        rows.append((f"{tabs[0].key}-{tabs[-1].key}",
                     "go to a tab: " + ", ".join(f"{a.key} {a.description}" for a in tabs)))
    rows += [(key_label(a.key), a.help) for a in ACTIONS if a.scope in scopes and a not in tabs]
    return rows
