"""Export layouts: the canonical fields, the presets for known exports, and
matching a file's header to fields by name (never by position)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

FIELDS = (
    "order_id", "ordered_at", "customer_id", "customer_name", "email", "country",
    "sku", "product_name", "category", "quantity", "unit_price", "line_total", "discount",
)
REQUIRED = ("order_id", "ordered_at", "sku", "quantity")
PRICE_FIELDS = ("unit_price", "line_total")

# Stock codes that are not merchandise: postage, fees, manual adjustments, bank
# charges, samples... (the UCI Online Retail list, plus common names elsewhere).
NON_MERCH_SKUS = frozenset({
    "POST", "DOT", "M", "D", "C2", "S", "CRUK", "PADS", "B", "BANK CHARGES", "AMAZONFEE",
    "ADJUST", "ADJUST2", "TEST001", "TEST002", "SHIPPING", "POSTAGE", "FEE", "DISCOUNT",
    "GIFT", "MANUAL",
})
NON_MERCH_NAME = re.compile(
    r"^(postage|carriage|shipping|delivery( charge)?|manual|discount|bank charges|amazon fee|"
    r"adjust bad debt|samples?|cruk commission|dotcom postage|gift ?card|fee)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Preset:
    name: str
    description: str
    # canonical field -> header names that mean it (first found wins)
    columns: dict[str, tuple[str, ...]]
    # header names whose presence identifies the layout
    signature: tuple[tuple[str, ...], ...] = ()
    notes: tuple[str, ...] = field(default=())


GENERIC = Preset(
    "generic",
    "canonical column names (order_id, ordered_at, sku, quantity, unit_price or line_total, ...)",
    {f: (f,) for f in FIELDS},
)
ONLINE_RETAIL = Preset(
    "online-retail",
    "UCI Online Retail / Online Retail II (InvoiceNo, StockCode, Description, Quantity, InvoiceDate, UnitPrice, CustomerID, Country)",
    {
        "order_id": ("InvoiceNo", "Invoice"),
        "sku": ("StockCode",),
        "product_name": ("Description",),
        "quantity": ("Quantity",),
        "ordered_at": ("InvoiceDate",),
        "unit_price": ("UnitPrice", "Price"),
        "customer_id": ("CustomerID", "Customer ID"),
        "country": ("Country",),
    },
    signature=(("StockCode",), ("InvoiceNo", "Invoice"), ("InvoiceDate",)),
    notes=("invoices starting with C are cancellations (returns)",),
)
SHOPIFY = Preset(
    "shopify",
    "Shopify orders export (Name, Email, Created at, Lineitem quantity, Lineitem name, Lineitem price, Lineitem sku, ...)",
    {
        "order_id": ("Name",),
        "email": ("Email",),
        "ordered_at": ("Created at", "Paid at"),
        "quantity": ("Lineitem quantity",),
        "product_name": ("Lineitem name",),
        "unit_price": ("Lineitem price",),
        "sku": ("Lineitem sku",),
        "discount": ("Lineitem discount",),
        "customer_name": ("Billing Name", "Shipping Name"),
        "country": ("Billing Country", "Shipping Country"),
        "category": ("Lineitem product type", "Product type", "Vendor"),
    },
    signature=(("Lineitem quantity",), ("Name",)),
    notes=("the customer is the lower-cased email", "Lineitem discount is an amount for the line"),
)
PRESETS = {p.name: p for p in (GENERIC, ONLINE_RETAIL, SHOPIFY)}
FORMAT_CHOICES = ("auto", *PRESETS)


def _norm(name: str) -> str:
    return re.sub(r"[\s_\-]+", "_", str(name).strip().strip("\ufeff").lower())


def detect_preset(header: list[str]) -> Preset:
    present = {_norm(h) for h in header}
    for preset in (ONLINE_RETAIL, SHOPIFY):
        if all(any(_norm(alt) in present for alt in group) for group in preset.signature):
            return preset
    return GENERIC


class MappingError(Exception):
    pass


@dataclass
class ColumnMap:
    preset: Preset
    by_field: dict[str, str]          # canonical field -> header name in the file

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
    """Match header names to fields: explicit `--map` first, then the preset's names, then the
    canonical names (case, spaces and underscores ignored)."""
    preset = detect_preset(header) if fmt == "auto" else PRESETS[fmt]
    by_norm: dict[str, str] = {}
    for h in header:
        by_norm.setdefault(_norm(h), h)
    dupes = sorted({h for h in header if list(map(_norm, header)).count(_norm(h)) > 1})
    chosen: dict[str, str] = {}
    for fld, col in overrides.items():
        if _norm(col) not in by_norm:
            raise MappingError(
                f"--map {fld}={col}: the file has no column {col!r}. Its columns are: "
                + ", ".join(repr(h) for h in header[:40])
            )
        chosen[fld] = by_norm[_norm(col)]
    for fld in FIELDS:
        if fld in chosen:
            continue
        for alt in preset.columns.get(fld, ()) + (fld,):
            if _norm(alt) in by_norm:
                chosen[fld] = by_norm[_norm(alt)]
                break
    missing = [f for f in REQUIRED if f not in chosen]
    if not any(p in chosen for p in PRICE_FIELDS):
        missing.append("unit_price (or line_total)")
    if missing:
        hint = " ".join(f"--map {m.split()[0]}='<column>'" for m in missing)
        raise MappingError(
            f"the file lacks required column(s): {', '.join(missing)} (read as the {preset.name} layout). "
            f"Its columns are: {', '.join(repr(h) for h in header[:40])}. "
            f"Say which column holds each, e.g. {hint}"
        )
    used = [c for c in chosen.values() if c in dupes]
    if used:
        raise MappingError(
            f"the header has duplicate column names ({', '.join(repr(d) for d in used)}), so shopintel cannot "
            "tell which one to read. Rename one of them in the file."
        )
    return ColumnMap(preset, chosen)
