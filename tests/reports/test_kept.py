"""reports.kept: a result kept whole in SQLite and read a page at a time. Sort, filter, count and the
pages agree with the same operations done on the whole list in Python, at sizes past a page and a chunk."""

from __future__ import annotations

import random

from shopintel.reports import kept as kept_module
from shopintel.reports.kept import Kept, View

COLUMNS = ("rank", "name", "spend", "last", "driver")


def rows(n: int) -> list[tuple]:
    rnd = random.Random(7)
    out = []
    for i in range(1, n + 1):
        spend = None if i % 17 == 0 else round(rnd.uniform(-50, 5000), 2)
        # a few names differ only in case and accents; spends repeat so ties are common
        name = ["Émile Zola", "ÉMILE ZOLA", "Anthony Witt", "Ödön", "Tamsin"][i % 5] + f" {i:05d}"
        out.append((i, name, spend if i % 3 else 100.0, f"2026-01-{1 + i % 28:02d}", i % 11 == 0))
    return out


def python_view(data: list[tuple], view: View) -> list[tuple]:
    """What the view means, written the obvious way: a stable sort, missing values last both ways."""
    picked = [r for r in data if view.search.casefold() in "\x1f".join(str(v) for v in r[:2]).casefold()]
    if view.sort is None:
        return picked
    j = COLUMNS.index(view.sort)
    present = sorted((r for r in picked if r[j] is not None), key=lambda r: r[j], reverse=not view.ascending)
    return present + [r for r in picked if r[j] is None]


def test_pages_sorts_and_filters_agree_with_the_whole_list(monkeypatch):
    monkeypatch.setattr(kept_module, "CHUNK", 300)   # several chunks in, several out
    data = rows(2_000)
    k = Kept(COLUMNS, iter(data), search=("rank", "name"))
    assert k.total == 2_000 and k.count() == 2_000
    for view in (View(), View(sort="spend"), View(sort="spend", ascending=False), View(sort="name"),
                 View(search="émile"), View(search="ÉMILE", sort="spend", ascending=False), View(search="00042")):
        expected = python_view(data, view)
        assert k.count(view) == len(expected), view
        # a page at the start, one deep in (the sort's index), the last, and the whole view in chunks
        assert k.page(view, 0, 50).rows == expected[:50], view
        assert k.page(view, 1_234, 50).rows == expected[1_234:1_284], view
        assert k.page(view, max(0, len(expected) - 7), 500).rows == expected[-7:], view
        assert list(k.iterate(view)) == expected, view


def test_a_filter_ignores_case_and_searches_only_the_searched_columns():
    k = Kept(COLUMNS, rows(100), search=("name",))
    assert k.count(View(search="émile zola")) == 40          # É and é are the same letter, either case
    assert k.count(View(search="2026-01")) == 0               # `last` is not searched
    assert k.count(View(search="no such name")) == 0


def test_true_false_come_back_as_they_went_in():
    k = Kept(COLUMNS, rows(30))
    assert [r[4] for r in k.page().rows] == [r[4] for r in rows(30)]
    assert all(type(r[4]) is bool for r in k.page().rows)


def test_an_empty_result_has_no_rows_and_no_pages():
    k = Kept(COLUMNS, [])
    assert k.total == 0 and k.count(View(search="x")) == 0 and k.page().rows == [] and list(k.iterate()) == []
