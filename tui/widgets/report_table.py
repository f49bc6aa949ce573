"""A DataTable that shows a report's rows (`reports.result.Rows`): keyboard navigation (j/k/g/G), filter
and sort on the rows it holds, status cells styled from the theme, and an honest 'showing N of M'."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.geometry import Region
from textual.widgets import DataTable

from ..actions import bindings
from ...reports.result import Rows
from ..format import RIGHT, format_value, header
from ..safe_text import plain

MAX_ROWS = 500
MAX_COLUMN_WIDTH = 40   # a 300-character name is cut with an ellipsis, not pushing every other column away


class ReportTable(DataTable):
    BINDINGS = bindings("table")

    def __init__(self, *, key_column: str | None = None, hidden: tuple[str, ...] = (), **kw):
        super().__init__(cursor_type="row", zebra_stripes=True, **kw)
        self.key_column = key_column
        self.hidden = hidden
        self.data: Rows | None = None
        self.view: list[int] | None = None       # indexes into data.rows: filtered, then sorted
        self.filter_text = ""
        self.sort_column: str | None = None
        self.sort_ascending = True
        self.total_rows = 0

    # ------------------------------------------------------------------ data

    def show(self, rows: Rows, total: int | None = None) -> None:
        self.data = rows
        self.total_rows = len(self.data) if total is None else total
        self._render_view()

    def set_filter(self, text: str) -> None:
        self.filter_text = text
        self._render_view()

    def sort_by_cursor(self) -> str | None:
        cols = self.visible_columns()
        if not cols:
            return None
        col = cols[min(self.cursor_column, len(cols) - 1)]
        if self.sort_column == col:
            self.sort_ascending = not self.sort_ascending
        else:
            self.sort_column, self.sort_ascending = col, col not in RIGHT   # numbers: biggest first
        self._render_view()
        return f"sorted by {header(col)} {'ascending' if self.sort_ascending else 'descending'}"

    def visible_columns(self) -> list[str]:
        if self.data is None:
            return []
        return [c for c in self.data.columns if c not in self.hidden]

    def has_rows(self) -> bool:
        return self.data is not None and not self.data.empty

    def _render_view(self) -> None:
        data = self.data
        if data is None:   # typed into the filter before the first rows came: applied when they do
            return
        order = list(range(len(data)))
        if self.filter_text and order:
            needle = self.filter_text.lower()
            idx = [data.columns.index(c) for c in self.visible_columns()]
            order = [i for i in order if any(needle in _text(data.rows[i][j]) for j in idx)]
        if self.sort_column in data.columns:
            j = data.columns.index(self.sort_column)
            present = [i for i in order if data.rows[i][j] is not None]
            # stable, and missing values last in either direction
            present.sort(key=lambda i: data.rows[i][j], reverse=not self.sort_ascending)
            order = present + [i for i in order if data.rows[i][j] is None]
        self.view = order
        cursor, cursor_col = self.cursor_row, self.cursor_column
        self.clear(columns=True)
        cols = self.visible_columns()
        idx = [data.columns.index(c) for c in cols]
        rows = [[self._cell(c, data.rows[i][j]) for c, j in zip(cols, idx)] for i in order[:MAX_ROWS]]
        for j, col in enumerate(cols):
            label = header(col)
            if col == self.sort_column:
                label += " ▲" if self.sort_ascending else " ▼"
            # Widths measured here, not left to DataTable's auto width: that is settled on idle, and a
            # frame drawn before it (a chart redrawing beside the table) keeps cells cut to the header's
            # width. Measured in cells, so wide (CJK) text and emoji get the room they take.
            width = max([cell_len(label), *(r[j].cell_len for r in rows)])
            self.add_column(self._label(col, label, j == cursor_col), key=col, width=min(width, MAX_COLUMN_WIDTH))
        for i, cells in enumerate(rows):
            self.add_row(*cells, key=str(order[i]))
        if self.row_count:
            self.move_cursor(row=min(cursor, self.row_count - 1), column=min(cursor_col, len(cols) - 1))

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
        if self.view is None:
            return "loading"
        shown = min(len(self.view), MAX_ROWS)
        parts = [f"showing {shown:,} of {self.total_rows:,}"]
        if self.filter_text:
            parts.append(f"filter '{plain(self.filter_text)}' matches {len(self.view):,}")
        return " · ".join(parts)

    def current_record(self) -> dict | None:
        if not self.row_count or not self.view:
            return None
        row_key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        return dict(zip(self.data.columns, self.data.rows[int(row_key)]))

    def visible_rows(self) -> Rows:
        """Every row of the current view (filter and sort applied), in the visible columns."""
        picked = Rows(self.data.columns, [self.data.rows[i] for i in self.view or []])
        return picked.select(self.visible_columns())

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

    def action_scroll_top(self) -> None:  # g: first row
        if self.row_count:
            self.move_cursor(row=0)

    def action_scroll_bottom(self) -> None:  # G: last row
        if self.row_count:
            self.move_cursor(row=self.row_count - 1)


def _text(value) -> str:
    return "" if value is None else str(value).lower()
