"""The reports as pandas frames, for tests that check figures with pandas' tools. The reports return
`reports.result.Rows` (plain rows, no pandas); `to_frame()` is the one conversion."""

from __future__ import annotations

import functools

from shopintel.reports import categories as _categories
from shopintel.reports import reorder as _reorder
from shopintel.reports import revenue as _revenue
from shopintel.reports import segments as _segments
from shopintel.reports import top_sellers as _top_sellers
from shopintel.reports import whales as _whales


def bought_orders(raw, order: str = "order_id", quantity: str = "quantity") -> set:
    """The order ids with at least one bought line (positive quantity): the orders. A return-only order (a
    cancellation invoice) is a return, never an order (docs/reports.md, edge rules)."""
    return set(raw.loc[raw[quantity].astype(float) > 0, order])


def framed(report):
    @functools.wraps(report)
    def run(*args, **kw):
        return report(*args, **kw).to_frame()

    return run


categories = framed(_categories.categories)
reorder = framed(_reorder.reorder)
revenue = framed(_revenue.revenue)
segments = framed(_segments.segments)
top_sellers = framed(_top_sellers.top_sellers)
whales = framed(_whales.whales)
