"""The kept aggregates' sums over one chunk of order lines, worked out in numpy as the chunk is loaded
(no store, no SQL): a first import into an empty store adds them up chunk by chunk
(`aggregates.add_chunk`) instead of recomputing the per-order and per-product-day tables from all the
lines at the end.

A chunk's sums are exact for the lines inside it, and most add up across chunks: an order whose lines
are in several chunks (the synthetic export scatters an order's lines over thousands of rows) gets its
lines, units and amounts added, its customers' parts added per customer, and its customer count taken
from those parts. What does not add up is the day: each chunk counts its part of an order on that
part's first day. When two parts of an order start on different days, the order is recorded as dirty
and recomputed from its lines at the end (`aggregates.finish_first_load`), as any write's refresh does.
The products' merchandise flags are taken as they stand when the chunk is summed; a load that changes
the flag of a product whose lines were already summed recomputes every kept table at the end instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass
class ChunkSums:
    """One chunk's rows for the kept tables, as their columns in table order (lists, for sql.insert_rows)."""

    orders: tuple[list, ...]         # order_totals: order_id, day, customers, lines, units, net, gross, returns, last_day, is_order
    parts: tuple[list, ...]          # order_customers: order_id, customer_id, day, lines, units, net, is_order
    product_days: tuple[list, ...]   # agg_product_day: day, product_id, lines, units, net, gross, returns


def _group(keys) -> tuple[np.ndarray, np.ndarray]:
    """Each row's position among the distinct keys, and the first row of each key."""
    codes, uniques = pd.factorize(keys)
    first = np.full(len(uniques), len(codes), dtype=np.int64)
    np.minimum.at(first, codes, np.arange(len(codes)))
    return codes, first


def _sum(codes: np.ndarray, n: int, values: np.ndarray) -> list[int]:
    out = np.zeros(n, dtype=np.int64)
    np.add.at(out, codes, values)   # integers: exact, whatever the amounts (bincount would sum floats)
    return out.tolist()


def _extreme(ufunc, codes: np.ndarray, first: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Per key, the min or max (`ufunc`) of `values` over its rows (`first`: a row of each key)."""
    out = values[first]
    ufunc.at(out, codes, values)
    return out


def chunk_sums(frame: pd.DataFrame, product_ids: np.ndarray, customer_ids: np.ndarray,
               merch: np.ndarray) -> ChunkSums:
    """The kept tables' rows for the lines of `frame` (a canonical frame), given each line's product id,
    customer id (None: a guest) and its product's merchandise flag. The rules are those of the SQL in
    store/aggregates.py: an order's day is its first line's; units count merchandise only, except per
    product; an order (or a customer's part of one) is an order when a line of it was bought."""
    qty = frame["quantity"].to_numpy(dtype=np.int64)
    net = frame["net_cents"].to_numpy(dtype=np.int64)
    bought = (qty > 0).astype(np.int64)
    gross = np.where(qty > 0, net, 0)
    returns = np.where(qty < 0, -net, 0)
    units = qty * merch.astype(np.int64)
    # days as their rank among the chunk's days: min and max work on the numbers, the text comes back by rank
    day, day_names = pd.factorize(frame["day"], sort=True)
    day_text = np.asarray(day_names, dtype=object)
    pid = product_ids.astype(np.int64)
    named = np.not_equal(customer_ids, None)
    cid = np.where(named, customer_ids, 0).astype(np.int64)

    oc, o_first = _group(frame["order_id"])
    n = len(o_first)
    order_ids = frame["order_id"].to_numpy(dtype=object)[o_first]
    o_day = _extreme(np.minimum, oc, o_first, day)

    # each customer's part of each order: (order, customer) as one integer key
    pc, p_first = _group(oc[named] * (int(cid.max(initial=0)) + 1) + cid[named])
    m = len(p_first)
    p_order = oc[named][p_first]
    p_day = o_day[p_order]
    parts = (order_ids[p_order].tolist(), cid[named][p_first].tolist(), day_text[p_day].tolist(),
             np.bincount(pc, minlength=m).tolist(), _sum(pc, m, units[named]), _sum(pc, m, net[named]),
             _extreme(np.maximum, pc, p_first, bought[named]).tolist())
    orders = (order_ids.tolist(), day_text[o_day].tolist(), np.bincount(p_order, minlength=n).tolist(),
              np.bincount(oc, minlength=n).tolist(), _sum(oc, n, units), _sum(oc, n, net), _sum(oc, n, gross),
              _sum(oc, n, returns), day_text[_extreme(np.maximum, oc, o_first, day)].tolist(),
              _extreme(np.maximum, oc, o_first, bought).tolist())

    # per product and the day of the line's order (not the line's own day: an order over midnight counts
    # whole on its first day), all units of the product (merchandise or not)
    line_day = o_day[oc]
    kc, k_first = _group(line_day * (int(pid.max(initial=0)) + 1) + pid)
    k = len(k_first)
    product_days = (day_text[line_day[k_first]].tolist(), pid[k_first].tolist(),
                    np.bincount(kc, minlength=k).tolist(), _sum(kc, k, qty), _sum(kc, k, net),
                    _sum(kc, k, gross), _sum(kc, k, returns))
    return ChunkSums(orders, parts, product_days)
