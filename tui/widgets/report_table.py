"""A DataTable that shows a report's rows: keyboard navigation (j/k/g/G), filter and sort over the whole
result (kept in `reports.kept`, paged in SQL: the widget holds a window of PAGE rows that follows the
cursor), status cells styled from the theme, and an honest 'showing N of M'."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator, Sequence

from rich.cells import cell_len
from rich.text import Text
from textual.coordinate import Coordinate
from textual.geometry import Region, Size
from textual.message import Message
from textual.widgets import DataTable

from ..actions import bindings
from ...reports.kept import Kept, View
from ...reports.result import Rows
from ..format import RIGHT, format_value, header, kind
from ..safe_text import plain

PAGE = 500              # rows the widget holds: a window on the view, moved as the cursor reaches its ends
MAX_COLUMN_WIDTH = 40   # a 300-character name is cut with an ellipsis, not pushing every other column away


class ReportTable(DataTable):
    """Shows a window of PAGE rows of a kept result (`reports.kept.Kept`); sort, filter, g/G and export
    act on every row of the result, in SQL, and the window follows the cursor."""

    BINDINGS = bindings("table")

    @dataclass
    class WindowMoved(Message):
        """The rows held changed (a new result, filter, sort or the window followed the cursor): the
        pane's 'showing N of M' is out of date."""
        table: "ReportTable"

    def __init__(self, *, key_column: str | None = None, hidden: tuple[str, ...] = (), first: tuple[str, ...] = (),
                 **kw):
        super().__init__(cursor_type="row", zebra_stripes=True, **kw)
        self.key_column = key_column
        self.hidden = hidden
        self.lead_columns = first     # the columns shown first (what matters most at 80 columns); the rest follow
        self.kept: Kept | None = None
        self.filter_text = ""
        self.sort_column: str | None = None
        self.sort_ascending = True
        self.matches: int | None = None          # rows of the view (None: no rows yet)
        self.window_start = 0                          # the view position of the first row held
        self.window: Rows | None = None          # the rows held
        self.coming: int | None = None           # rows of the whole result while only its first window is here

    # ------------------------------------------------------------------ data

    def keep(self, columns: Sequence[str], rows: Iterable[tuple]) -> Kept:
        """The whole result, kept for paging; its filter searches the visible text columns (names, ids,
        skus, categories, statuses, dates: what people type; a number's digits would match anything).
        Safe in a worker thread: a pane keeps a large result there (rows may stream from the store)."""
        return Kept(columns, rows, search=[c for c in columns if c not in self.hidden and kind(c) in ("text", "date")])

    def show(self, result: Rows | Kept, coming: int | None = None) -> None:
        """Show a result (its rows kept for paging). `coming`: the result is the first window of one of
        that many rows, the rest still being kept (the status line says so; the whole replaces it)."""
        self.coming = coming
        self.kept = result if isinstance(result, Kept) else self.keep(result.columns, result.rows)
        self._fetch(self.window_start if self.matches is not None else 0, self.window_start + self.cursor_row)

    def set_filter(self, text: str) -> None:
        self.filter_text = text
        if self.kept is not None:   # typed into the filter before the first rows came: applied when they do
            self._fetch(0, 0)

    def sort_by_cursor(self) -> str | None:
        cols = self.visible_columns()
        if not cols:
            return None
        col = cols[min(self.cursor_column, len(cols) - 1)]
        if self.sort_column == col:
            self.sort_ascending = not self.sort_ascending
        else:
            self.sort_column, self.sort_ascending = col, col not in RIGHT   # numbers: biggest first
        self._fetch(0, 0)
        return f"sorted by {header(col)} {'ascending' if self.sort_ascending else 'descending'}"

    def view(self) -> View:
        return View(self.filter_text, self.sort_column, self.sort_ascending)

    def visible_columns(self) -> list[str]:
        if self.kept is None:
            return []
        shown = [c for c in self.kept.columns if c not in self.hidden]
        return [c for c in self.lead_columns if c in shown] + [c for c in shown if c not in self.lead_columns]

    def has_rows(self) -> bool:
        return bool(self.matches)

    def _fetch(self, offset: int, cursor: int) -> None:
        """Hold the rows of the view around `offset` and put the cursor on view row `cursor`."""
        kept, view = self.kept, self.view()
        self.matches = kept.count(view)
        shown_start = self.window_start
        self.window_start = max(0, min(offset, self.matches - PAGE))
        self.window = kept.page(view, self.window_start, PAGE)
        cursor_col = self.cursor_column
        cols = self.visible_columns()
        idx = [kept.columns.index(c) for c in cols]
        rows = [[self._cell(c, row[j]) for c, j in zip(cols, idx)] for row in self.window.rows]
        currency = getattr(getattr(self.app, "store", None), "currency", None)   # the shop's, once known
        labels = [header(c, currency) + ((" ▲" if self.sort_ascending else " ▼") if c == self.sort_column else "")
                  for c in cols]
        # Widths measured here, not left to DataTable's auto width: that is settled on idle, and a frame
        # drawn before it (a chart redrawing beside the table) keeps cells cut to the header's width.
        # Measured in cells, so wide (CJK) text and emoji get the room they take.
        widths = [min(max([cell_len(label), *(r[j].cell_len for r in rows)]), MAX_COLUMN_WIDTH)
                  for j, label in enumerate(labels)]
        same_rows = shown_start == self.window_start
        if not (same_rows and self._update_in_place(cols, labels, widths, rows)):
            self.clear(columns=True)
            for j, col in enumerate(cols):
                self.add_column(self._label(col, labels[j], j == cursor_col), key=col, width=widths[j])
            for cells in rows:
                self.add_row(*cells)
        if self.row_count:
            row = max(0, min(cursor - self.window_start, self.row_count - 1))
            if (row, cursor_col) != (self.cursor_row, self.cursor_column) or not same_rows:
                self.move_cursor(row=row, column=min(cursor_col, len(cols) - 1))
        self.post_message(self.WindowMoved(self))

    def _update_in_place(self, cols: list[str], labels: list[str], widths: list[int], rows: list[list[Text]]) -> bool:
        """The same columns and the same rows (by key, in the same order) as shown, new figures: the
        cells that changed are updated where they are, so a live refresh neither moves the cursor nor
        scrolls (a rebuild puts both back, but the table jumps meanwhile). False: it must be rebuilt."""
        if (not self.row_count or [c.key.value for c in self.ordered_columns] != cols
                or [c.label.plain for c in self.ordered_columns] != labels or len(rows) != self.row_count):
            return False
        key = cols.index(self.key_column) if self.key_column in cols else None
        if key is not None and any(self.get_cell_at(Coordinate(i, key)).plain != r[key].plain for i, r in enumerate(rows)):
            return False   # the rows moved (a new order): rebuilt, the cursor kept on its row number
        for j, column in enumerate(self.ordered_columns):
            if widths[j] > column.width:
                column.width = widths[j]
        for i, cells in enumerate(rows):
            for j, cell in enumerate(cells):
                here = Coordinate(i, j)
                shown = self.get_cell_at(here)
                if shown.plain != cell.plain or shown.spans != cell.spans:
                    self.update_cell_at(here, cell)
        self._clear_caches()
        self.refresh()
        return True

    def _update_dimensions(self, new_rows) -> None:
        """DataTable measures every cell of every new row here (on idle) to size the columns and rows: a
        fifth of a second for a window of 500 rows. Every column's width is set in _fetch (measured from
        the cells' text) and every row is one line without a label, so only the scrollable size is left
        to work out."""
        header = self.header_height if self.show_header else 0
        width = sum(column.get_render_width(self) for column in self.columns.values())
        self.virtual_size = Size(width + self._row_label_column_width, self._total_row_height + header)

    def _follow_cursor(self) -> None:
        """At either end of the rows held, with more rows beyond it: move the window so the cursor is in
        its middle (the cursor stays on the same row of the view)."""
        if self.window is None or not self.row_count:
            return
        here = self.window_start + self.cursor_row
        at_end = self.cursor_row == self.row_count - 1 and self.window_start + self.row_count < self.matches
        at_start = self.cursor_row == 0 and self.window_start > 0
        if at_end or at_start:
            self._fetch(here - PAGE // 2, here)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table is self:
            self._follow_cursor()

    def _cell(self, column: str, value) -> Text:
        text = Text(format_value(column, value), no_wrap=True, overflow="ellipsis",
                    justify="right" if column in RIGHT else "left")
        variables = self.app.theme_variables if self.is_mounted else {}
        if column == "status" and value in ("OUT", "LOW", "OK"):
            colour = {"OUT": "error", "LOW": "warning", "OK": "success"}[value]
            text.stylize(f"bold {variables.get(colour, '')}".strip())
        elif column == "driver" and value:
            text.stylize(f"bold {variables.get('accent', '')}".strip())
        return text

    @staticmethod
    def _label(col: str, label: str, picked: bool) -> Text:
        # the picked column (the one `s` sorts by) is underlined: visible without colour too
        return Text(label, justify="right" if col in RIGHT else "left", style="bold underline" if picked else "")

    def _mark_picked_column(self) -> None:
        for j, column in enumerate(self.ordered_columns):
            column.label = self._label(column.key.value, column.label.plain, j == self.cursor_column)
        self._clear_caches()
        self.refresh()

    # ------------------------------------------------------------------ queries

    def status_line(self) -> str:
        if self.matches is None:
            return "loading"
        total, held = self.kept.total, self.row_count
        if self.coming and not self.filter_text:
            return f"showing 1–{held:,} of {self.coming:,} (the rest on its way)"
        if held < self.matches:   # a window: which rows of the view these are
            shown = f"showing {self.window_start + 1:,}–{self.window_start + held:,} of {self.matches:,}"
        else:
            shown = f"showing {self.matches:,} of {total:,}"
        if self.filter_text:
            shown += f" · filter '{plain(self.filter_text)}' matches {self.matches:,} of {total:,}"
        return shown

    def current_record(self) -> dict | None:
        if not self.row_count or self.window is None:
            return None
        return dict(zip(self.window.columns, self.window.rows[self.cursor_row]))

    def export_rows(self) -> tuple[list[str], Iterator[tuple]]:
        """The visible columns and every row of the current view (filter and sort applied), read from
        the kept result a chunk at a time: an export of any size."""
        # in the report's own column order (that of `report --format csv`), not the screen's
        cols = [c for c in self.kept.columns if c not in self.hidden]
        idx = [self.kept.columns.index(c) for c in cols]
        return cols, (tuple(row[j] for j in idx) for row in self.kept.iterate(self.view()))

    # ------------------------------------------------------------------ keys

    def action_open_detail(self) -> None:  # Enter: the app or screen opens the row (RowSelected)
        self.action_select_cursor()

    def action_cursor_left(self) -> None:   # ←: pick the previous column (row cursor: whole rows)
        self._pick_column(-1)

    def action_cursor_right(self) -> None:  # →: pick the next column
        self._pick_column(1)

    def _pick_column(self, step: int) -> None:
        if not self.columns:
            return
        column = max(0, min(len(self.columns) - 1, self.cursor_column + step))
        self.move_cursor(column=column, scroll=False)
        self._mark_picked_column()
        top, _, _, left = self._get_fixed_offset()
        x, _, width, height = self._get_column_region(column)
        self.scroll_to_region(Region(x, int(self.scroll_y) + top, width, height - top),
                              spacing=self._get_fixed_offset(), force=True, animate=False)

    def action_scroll_top(self) -> None:  # g: the first row of the view
        if self.matches:
            self._fetch(0, 0) if self.window_start else self.move_cursor(row=0)

    def action_scroll_bottom(self) -> None:  # G: the last row of the view, however many there are
        if self.matches:
            last = self.matches - 1
            self._fetch(last, last) if self.window_start + self.row_count < self.matches else self.move_cursor(
                row=self.row_count - 1)

