"""What a layout is: the export it reads, how its header is recognised, which of its columns hold which
canonical field, the few rules that differ between exports, and (where one CSV row is not one order line)
a transform to canonical lines.

Light on purpose: the registry (and so `shopintel ingest --help`) imports every layout module, and none of
them imports pandas at module level; a transform imports it when it runs.

The transform contract. `transform(lines, state)` receives one chunk as a DataFrame with one row per source
record: a column per canonical field (`formats.FIELDS`) and per `extras` name, stripped strings ("" where
the file has no such column), plus `_record` (the source record number the rejects file maps back to a line)
and the columns named by `prefixes` (their normalised header names). It returns a `Transformed`: the same
columns, one row per canonical order line (several rows may share a `_record`), optionally `_non_merch`
(True: a refund or fee line, counted in revenue, never as a product sold) and `_item` (a label such as
"item 2: " put before a rejected line's reason), plus the orders it left out on purpose (cancelled,
pending...) and the lines of kept orders it left out. `state` is a dict kept for the whole file (Shopify's
fill-down carries across chunks).
"""

from __future__ import annotations

import re


# Plain classes, not dataclasses: `dataclasses` imports `inspect` (~10 ms), and every command line's
# start imports this registry (ingest's --format choices).


def norm(name: str) -> str:
    """A header name as matched: case, spaces, underscores and dashes ignored (`Lineitem_sku` = `lineitem sku`)."""
    return re.sub(r"[\s_\-]+", "_", str(name).strip().strip("\ufeff").lower())


class Transformed:
    """A transform's answer: the canonical lines (a pandas DataFrame); reason -> order ids left out whole;
    reason -> number of lines of kept orders left out."""

    def __init__(self, lines: Any, left_out: dict[str, list[str]] | None = None,
                 lines_left_out: dict[str, int] | None = None) -> None:
        self.lines = lines
        self.left_out = left_out or {}
        self.lines_left_out = lines_left_out or {}


class Layout:
    """One export layout (read-only once made)."""

    def __init__(
        self,
        name: str,                                    # --format NAME
        title: str,                                   # the export, in a few words
        columns: dict[str, tuple[str, ...]],          # canonical field -> header names (first found wins)
        *,
        signature: tuple[tuple[str, ...], ...] = (),  # every group must have a name present; "name_*" = name_1...
        rules: tuple[str, ...] = (),                  # what the import does with it, for people (README, --help)
        discount: str = "fraction",                   # "fraction" of the line (15% = 0.15), or "amount" off it
        customer_from_email: bool = False,            # the customer is the lower-cased email
        date_format: str | None = None,               # its date format where its dates are not ISO 8601
        extras: dict[str, tuple[str, ...]] | None = None,   # other columns the transform reads
        prefixes: tuple[str, ...] = (),               # numbered columns it reads: "line_item_" = line_item_1...
        fallbacks: dict[str, str] | None = None,      # field -> column read where the field is empty
        provides: tuple[str, ...] = (),               # fields the transform makes (not columns of the file)
        transform: Callable[[Any, dict], Transformed] | None = None,
        no_customers: str | None = None,              # said in the summary when the export never names a buyer
    ) -> None:
        self.name, self.title, self.columns = name, title, columns
        self.signature, self.rules, self.discount = signature, rules, discount
        self.customer_from_email, self.date_format = customer_from_email, date_format
        self.extras, self.prefixes, self.fallbacks = extras or {}, prefixes, fallbacks or {}
        self.provides, self.transform, self.no_customers = provides, transform, no_customers

    def __repr__(self) -> str:
        return f"Layout({self.name!r})"

    def matches(self, header: list[str]) -> bool:
        present = {norm(h) for h in header}
        if not self.signature:
            return False

        def found(name: str) -> bool:
            n = norm(name)
            if n.endswith("*"):
                return any(numbered(n[:-1], p) for p in present)
            return n in present

        return all(any(found(alt) for alt in group) for group in self.signature)


def numbered(prefix: str, name: str) -> bool:
    """`line_item_3` is numbered `line_item_` (and `line_items` is not)."""
    return name.startswith(prefix) and name[len(prefix):].isdigit()
