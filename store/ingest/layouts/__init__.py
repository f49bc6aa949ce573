"""The export layouts shopintel reads, one module each, detected from the header (`--format NAME` forces
one). Adding a layout is one module with a `LAYOUT` (layouts/base.py says what it holds) plus one entry
here, like a report. Light: importing this loads no pandas, so `ingest --help` can list the layouts."""

from __future__ import annotations

from . import amazon, etsy, generic, online_retail, shopify, webtoffee, woocommerce
from .base import Layout, Transformed, norm

# In the order of detection: the first whose signature the header has; generic (no signature) last.
LAYOUTS: dict[str, Layout] = {m.LAYOUT.name: m.LAYOUT for m in (
    online_retail, shopify, woocommerce, webtoffee, amazon, etsy, generic)}
NAMES = tuple(LAYOUTS)

__all__ = ["LAYOUTS", "NAMES", "Layout", "Transformed", "detect", "get", "norm"]


def detect(header: list[str]) -> Layout:
    for layout in LAYOUTS.values():
        if layout.matches(header):
            return layout
    return LAYOUTS["generic"]


def get(name: str) -> Layout:
    return LAYOUTS[name]
