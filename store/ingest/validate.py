"""Turning a raw chunk (strings, header order) into canonical order lines plus rejected rows with their
reasons. The chunk's columns are first read as canonical fields, then the layout's transform (if it has
one) makes canonical lines of them; the rules here are the same for every layout. Vectorised: the cost
per line is a few pandas operations, never a Python loop over good rows."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import values as v
from .formats import FIELDS, NON_MERCH_NAME, NON_MERCH_SKUS, ColumnMap
from ..load import Prepared, prepare
from .layouts.base import norm

# Where a missing-value marker (values.MISSING_TOKENS) means an empty cell, and where it rejects the row.
MARKER_MEANS_EMPTY = ("customer_id", "customer_name", "email", "country")
MARKER_REJECTS = ("order_id", "sku")


@dataclass
class ChunkResult:
    good: pd.DataFrame
    rejects: pd.DataFrame        # columns: _record, reason
    left_out: list[str] = field(default_factory=list)   # order ids the layout left out whole (cancelled...)
    currencies: dict[str, int] = field(default_factory=dict)   # currency code -> loaded lines of this chunk
    prepared: Prepared | None = None   # load.prepare(good): worked out here, in the validating process


@dataclass
class Validator:
    """Validates the chunks of one file in order (a layout's state, such as Shopify's fill-down, carries
    across chunks)."""

    columns: ColumnMap
    header: list[str]
    date_rule: v.DateRule
    keep_na_tokens: bool = False     # the shop's values really are NA, NULL...: read markers as values
    tz: str | None = None            # IANA zone: timestamps with an offset are converted to its local day
    marker_customer_ids: int = 0     # loaded lines whose customer id was a marker (read as guests)
    utc_times: int = 0               # loaded lines whose time was written in UTC (Z, +00:00) and not converted
    currencies: Counter = field(default_factory=Counter)            # currency code -> loaded lines
    left_out: dict[str, set] = field(default_factory=dict)          # reason -> order ids left out whole
    lines_left_out: Counter = field(default_factory=Counter)        # reason -> lines of kept orders left out
    _state: dict = field(default_factory=dict)

    @property
    def layout(self):
        return self.columns.layout

    def lines(self, raw: pd.DataFrame) -> pd.DataFrame:
        """The chunk as canonical fields (plus the layout's extra and numbered columns), stripped strings."""
        def col(name: str | None) -> pd.Series:
            if name is None:
                return pd.Series("", index=raw.index, dtype="str")
            # keep pandas' own string dtype (Arrow-backed with pyarrow): object dtype is 10x slower here
            return raw[f"c{self.header.index(name)}"].str.strip()

        cols = {f: col(self.columns.by_field.get(f)) for f in FIELDS}
        for name in self.layout.extras:
            cols[name] = col(self.columns.extras.get(name))
        for h in self.columns.numbered:
            cols[norm(h)] = col(h)
        cols["_record"] = raw["_record"]
        return pd.DataFrame(cols, index=raw.index, copy=False)

    def validate(self, raw: pd.DataFrame) -> ChunkResult:
        layout = self.layout
        lines = self.lines(raw)
        left: list[str] = []
        if layout.transform is not None:
            t = layout.transform(lines, self._state)
            lines = t.lines.reset_index(drop=True)
            for why, ids in t.left_out.items():
                self.left_out.setdefault(why, set()).update(ids)
                left.extend(ids)
            self.lines_left_out.update(t.lines_left_out)
        for fld, source in layout.fallbacks.items():
            lines[fld] = lines[fld].where(lines[fld] != "", lines[source])
        index = lines.index
        cols = lines
        markers: dict[str, pd.Series] = {}
        if not self.keep_na_tokens:
            for fld in MARKER_MEANS_EMPTY + MARKER_REJECTS:
                markers[fld] = v.is_missing_marker(cols[fld])
            for fld in MARKER_MEANS_EMPTY:
                if markers[fld].any():
                    cols[fld] = cols[fld].where(~markers[fld], "")
        reason = pd.Series("", index=index, dtype=object)
        bad = np.zeros(len(lines), dtype=bool)   # rows with a reason; cheaper to test than the strings

        def fail(mask: pd.Series | np.ndarray, why: pd.Series | str) -> None:
            first = np.asarray(mask, dtype=bool) & ~bad
            if not first.any():
                return
            bad[first] = True
            if isinstance(why, pd.Series):
                reason[first] = why[first]
            else:
                reason[first] = why

        def fail_marker(fld: str, values: pd.Series) -> None:
            hit = markers.get(fld)
            if hit is not None and hit.any():
                fail(hit, fld + " is '" + values.str.slice(0, 10) + "', a missing-value marker (what R, Excel, "
                     "pandas or SQL tools write for an empty cell); if it is a real value, import with "
                     "--keep-na-tokens")

        order_id = cols["order_id"]
        fail(order_id == "", "order_id is empty")
        fail_marker("order_id", order_id)
        sku = cols["sku"]
        fail(sku == "", "sku is empty")
        fail_marker("sku", sku)
        dates = v.parse_dates(cols["ordered_at"], self.date_rule, tz=self.tz)
        fail(dates.reason != "", dates.reason)
        qty = v.parse_quantity(cols["quantity"])
        fail(qty.reason != "", qty.reason)
        quantity = qty.values

        is_merch = ~(sku.str.upper().isin(NON_MERCH_SKUS) | cols["product_name"].str.match(NON_MERCH_NAME))
        if "_non_merch" in cols.columns:
            is_merch &= ~cols["_non_merch"].astype(bool)

        has_price = "unit_price" in self.columns.by_field
        if has_price:
            price = v.parse_money_micros(cols["unit_price"], "unit_price")
            fail(price.reason != "", price.reason)
            price_micros = price.values
            line_float = price_micros.astype("float64") * quantity.astype("float64")
        else:
            total = v.parse_money_micros(cols["line_total"], "line_total")
            fail(total.reason != "", total.reason)
            safe_qty = quantity.where(quantity != 0, 1)
            price_micros = (total.values / safe_qty).round().astype("int64")
            line_float = total.values.astype("float64")
        too_big = line_float.abs() > v.MAX_LINE_CENTS * 10_000
        fail(too_big, "line amount is implausibly large")
        fail((price_micros < 0) & is_merch,
             "negative unit price on a product line (only postage, fee or adjustment lines may be negative)")

        ok = pd.Series(~bad, index=index)
        safe_price = price_micros.where(ok, 0)
        safe_qty = quantity.where(ok, 0)
        if has_price:
            gross_micros = safe_qty.to_numpy() * safe_price.to_numpy()
        else:
            gross_micros = total.values.where(ok, 0).to_numpy()
        if self.layout.discount == "amount":
            # an amount off the line (its sign follows the line: a return gives its discount back)
            amount = v.parse_money_micros(cols["discount"].where(cols["discount"] != "", "0"), "discount")
            fail(amount.reason != "", amount.reason)
            disc_micros = amount.values.where(~bad, 0).abs().to_numpy()
            disc_micros = np.where(gross_micros < 0, -disc_micros, disc_micros)
        else:
            disc = v.parse_discount_fraction(cols["discount"])
            fail(disc.reason != "", disc.reason)
            frac = disc.values.where(~bad, 0).to_numpy()
            if has_price:
                disc_micros = np.round(gross_micros * frac).astype("int64")
            else:
                # a line total is what was charged: the discount was taken off before it
                gross_micros = np.round(gross_micros / np.where(frac < 1, 1 - frac, 1)).astype("int64")
                disc_micros = np.round(gross_micros * frac).astype("int64")
        over = np.abs(disc_micros) > np.abs(gross_micros)
        fail(pd.Series(over, index=index), "discount is larger than the line amount")

        good = ~bad
        if "customer_id" in markers:
            self.marker_customer_ids += int((markers["customer_id"].to_numpy(dtype=bool) & good).sum())
        self.utc_times += int((dates.utc.to_numpy(dtype=bool) & good).sum())
        gross_cents = v.round_half_away(gross_micros[good])
        net_cents = v.round_half_away(gross_micros[good] - disc_micros[good])

        customer_key = cols["customer_id"].str.replace(r"^(\d+)\.0+$", r"\1", regex=True)
        email = cols["email"].str.lower()
        if self.layout.customer_from_email or "customer_id" not in self.columns.by_field:
            customer_key = customer_key.where(customer_key != "", email)
        g = pd.Series(good, index=index)
        currency = cols["currency"][g].str.upper()
        chunk_currencies = currency[currency != ""].value_counts().to_dict() if (currency != "").any() else {}
        self.currencies.update(chunk_currencies)
        # empty names and categories stay empty here: the loader keeps a product's latest non-empty ones
        # (the sku and Uncategorized only when no row names it), so a blank cell never erases a known name
        stamps = dates.values[g]
        out = pd.DataFrame({
            "order_id": order_id[g],
            "ordered_at": stamps,
            "day": stamps.str.slice(0, 10),
            "customer_key": customer_key[g],
            "customer_name": cols["customer_name"][g],
            "email": email[g],
            "country": cols["country"][g],
            "sku": sku[g],
            "product_name": cols["product_name"][g],
            "category": cols["category"][g],
            "is_merch": is_merch[g].astype(bool),
            "quantity": quantity[g].astype("int64"),
            "unit_price_micros": price_micros[g].astype("int64"),
            "discount_cents": gross_cents - net_cents,
            "net_cents": net_cents,
        })
        why = reason[~g]
        if "_item" in cols.columns:
            why = cols["_item"][~g].astype(object) + why   # which item of a packed row
        rejects = pd.DataFrame({"_record": cols["_record"][~g], "reason": why})
        return ChunkResult(out, rejects, left, chunk_currencies, prepare(out) if len(out) else None)
