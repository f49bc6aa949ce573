"""The canonical fields of an order line, and matching a file's header to them by name (never by
position) for a layout (layouts/), with `--map FIELD=COLUMN` overrides. Light: no pandas."""

from __future__ import annotations

import re

FIELDS = (
    "order_id", "ordered_at", "customer_id", "customer_name", "email", "country",
    "sku", "product_name", "category", "quantity", "unit_price", "line_total", "discount", "currency",
)
REQUIRED = ("order_id", "ordered_at", "sku", "quantity")
PRICE_FIELDS = ("unit_price", "line_total")

# Stock codes that are not merchandise: postage, fees, manual adjustments, bank
# charges, samples... (the UCI Online Retail list, plus common names elsewhere).
NON_MERCH_SKUS = frozenset({
    "POST", "DOT", "M", "D", "C2", "S", "CRUK", "PADS", "B", "BANK CHARGES", "AMAZONFEE",
    "ADJUST", "ADJUST2", "TEST001", "TEST002", "SHIPPING", "POSTAGE", "FEE", "DISCOUNT",
    "GIFT", "MANUAL", "REFUND",
})
NON_MERCH_NAME = re.compile(
    r"^(postage|carriage|shipping|delivery( charge)?|manual|discount|bank charges|amazon fee|"
    r"adjust bad debt|samples?|cruk commission|dotcom postage|gift ?card|fee)$",
    re.IGNORECASE,
)


class MappingError(Exception):
    pass


class ColumnMap:
    """Which header names of a file hold what, for its layout (a plain class: see layouts/base.py)."""

    def __init__(self, layout, by_field: dict[str, str], extras: dict[str, str] | None = None,
                 numbered: list[str] | None = None) -> None:
        self.layout = layout              # layouts.base.Layout
        self.by_field = by_field          # canonical field -> header name in the file
        self.extras = extras or {}        # the layout's extra columns found in the file
        self.numbered = numbered or []    # header names of its numbered columns (line_item_N)

    def describe(self) -> str:
        return ", ".join(f"{f}={c}" for f, c in self.by_field.items())


def parse_map_options(pairs: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip().lower()
        if not sep or not value:
            raise MappingError(f"--map {pair!r} is not FIELD=COLUMN. Example: --map order_id='Order Number'")
        if key not in FIELDS:
            raise MappingError(f"--map {pair!r}: {key!r} is not a field shopintel knows. Fields: {', '.join(FIELDS)}")
        out[key] = value
    return out


def resolve_columns(header: list[str], fmt: str, overrides: dict[str, str]) -> ColumnMap:
    """Match header names to fields: explicit `--map` first, then the layout's names (case, spaces,
    underscores and dashes ignored). `fmt` is a layout name or "auto" (detected from the header)."""
    from . import layouts
    from .layouts.base import norm, numbered

    layout = layouts.detect(header) if fmt == "auto" else layouts.get(fmt)
    by_norm: dict[str, str] = {}
    for h in header:
        by_norm.setdefault(norm(h), h)
    normed = [norm(h) for h in header]
    dupes = sorted({h for h, n in zip(header, normed) if normed.count(n) > 1})
    chosen: dict[str, str] = {}
    for fld, col in overrides.items():
        if norm(col) not in by_norm:
            raise MappingError(
                f"--map {fld}={col}: the file has no column {col!r}. Its columns are: "
                + ", ".join(repr(h) for h in header[:40])
            )
        chosen[fld] = by_norm[norm(col)]
    for fld in FIELDS:
        if fld in chosen:
            continue
        for alt in layout.columns.get(fld, ()):
            if norm(alt) in by_norm:
                chosen[fld] = by_norm[norm(alt)]
                break
    extras = {}
    for name, alts in layout.extras.items():
        for alt in alts:
            if norm(alt) in by_norm:
                extras[name] = by_norm[norm(alt)]
                break
    found = [h for h, n in zip(header, normed) if any(numbered(norm(p), n) for p in layout.prefixes)]
    have = set(chosen) | set(layout.provides)
    missing = [f for f in REQUIRED if f not in have]
    if not any(p in have for p in PRICE_FIELDS):
        missing.append("unit_price (or line_total)")
    if missing:
        hint = " ".join(f"--map {m.split()[0]}='<column>'" for m in missing)
        raise MappingError(
            f"the file lacks required column(s): {', '.join(missing)} (read as the {layout.name} layout). "
            f"Its columns are: {', '.join(repr(h) for h in header[:40])}. "
            f"Say which column holds each, e.g. {hint}"
        )
    used = [c for c in [*chosen.values(), *extras.values()] if c in dupes]
    if used:
        raise MappingError(
            f"the header has duplicate column names ({', '.join(repr(d) for d in sorted(set(used)))}), so "
            "shopintel cannot tell which one to read. Rename one of them in the file."
        )
    return ColumnMap(layout, chosen, extras, found)
