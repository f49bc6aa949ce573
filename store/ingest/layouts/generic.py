"""The generic layout: the canonical column names themselves (what `--map` maps other exports to)."""

from ..formats import FIELDS
from .base import Layout

LAYOUT = Layout(
    "generic",
    "a flat order-line export with the canonical column names",
    {f: (f,) for f in FIELDS},
    rules=(
        "one row per order line; unit_price x quantity less discount (a fraction: 0.15 or 15%), or line_total",
        "customer = customer_id, else the lower-cased email; neither = a guest line",
        "a currency column, if there is one, gives the store's currency",
    ),
)
