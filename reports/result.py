"""A report's table as plain Python: column names and rows. Every report, drill-down and the live
monitor return one of these and never load pandas (the import pipeline does); the CLI, the app and
the exports all read this one shape. `to_frame()` is for tests and notebooks."""

from __future__ import annotations

import math
from typing import Any, Iterable, Sequence


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

    def head(self, n: int | None) -> "Rows":
        return self if n is None else Rows(self.columns, self.rows[:max(0, n)])

    def to_frame(self):
        import pandas as pd

        return pd.DataFrame(self.rows, columns=list(self.columns))

    @classmethod
    def of(cls, columns: Iterable[str], rows: Iterable[Sequence]) -> "Rows":
        return cls(tuple(columns), [tuple(r) for r in rows])

    @classmethod
    def from_frame(cls, frame) -> "Rows":
        """Plain Python values (numpy's become int/float/bool/str); a missing value becomes None."""
        cols = [[None if _missing(v) else v for v in frame[c].tolist()] for c in frame.columns]
        return cls(tuple(str(c) for c in frame.columns), list(zip(*cols)) if cols else [])


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return isinstance(value, float) and math.isnan(value)
    except TypeError:
        return False
