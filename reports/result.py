"""A report's table as plain Python: column names and rows. Every report, drill-down and the live
monitor return one of these and never load pandas (the import pipeline does); the CLI, the app and
the exports all read this one shape. `to_frame()` is for tests and notebooks."""

from __future__ import annotations

from typing import Any, Sequence


class Rows:
    """Plain class (not a dataclass: defining one costs every report process an `inspect` import)."""

    __slots__ = ("columns", "rows")

    def __init__(self, columns: tuple[str, ...], rows: list[tuple]):
        self.columns = tuple(columns)
        self.rows = rows

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Rows) and (self.columns, self.rows) == (other.columns, other.rows)

    def __repr__(self) -> str:
        return f"Rows(columns={self.columns!r}, rows=[{len(self.rows)} rows])"

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def empty(self) -> bool:
        return not self.rows

    def column(self, name: str) -> list:
        i = self.columns.index(name)
        return [row[i] for row in self.rows]

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row)) for row in self.rows]

    def select(self, names: Sequence[str]) -> "Rows":
        idx = [self.columns.index(n) for n in names]
        return Rows(tuple(names), [tuple(row[i] for i in idx) for row in self.rows])

    def to_frame(self):
        import pandas as pd

        return pd.DataFrame(self.rows, columns=list(self.columns))
