"""Hypothesis properties of the import, on both backends: for any valid set of orders, the summary equals
an independent Decimal sum; importing twice changes nothing; overlapping chunks imported in any order
give the same totals."""

from __future__ import annotations

import csv
import itertools
import tempfile
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopintel.store.ingest import IngestOptions, ingest_file
from tests.stores import Store, examples, mismatches

FIELDS = ["order_id", "ordered_at", "customer_id", "sku", "product_name", "quantity", "unit_price", "discount"]

line = st.fixed_dictionaries({
    "sku": st.sampled_from(["MUG", "PLT", "BWL", "POST", "CUP-1", "ÉCHARPE"]),
    "quantity": st.integers(-5, 20).filter(lambda q: q != 0),
    "cents": st.integers(0, 250_000),
    "discount": st.sampled_from(["", "0", "0.1", "0.25", "15%"]),
})
order = st.fixed_dictionaries({
    "day": st.dates(min_value=__import__("datetime").date(2022, 1, 1),
                    max_value=__import__("datetime").date(2024, 12, 31)),
    "customer": st.one_of(st.just(""), st.sampled_from(["C1", "C2", "C3", "ann@example.com", "Zoë"])),
    "lines": st.lists(line, min_size=1, max_size=4),
})
orders = st.lists(order, min_size=1, max_size=25)


def rows_of(orders_: list[dict], ids: range | list[int]) -> list[list[str]]:
    out = []
    for i in ids:
        o = orders_[i]
        for ln in o["lines"]:
            out.append([f"#{i}", o["day"].isoformat() + " 12:00", o["customer"], ln["sku"], ln["sku"].title(),
                        str(ln["quantity"]), f"{Decimal(ln['cents']) / 100:.2f}", ln["discount"]])
    return out


def write(path: Path, rows: list[list[str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(FIELDS)
        w.writerows(rows)
    return path


def expected_cents(orders_: list[dict]) -> int:
    total = 0
    for o in orders_:
        for ln in o["lines"]:
            gross = Decimal(ln["quantity"] * ln["cents"])   # exact: prices have two decimals
            frac = Decimal(ln["discount"].rstrip("%") or "0") / (100 if ln["discount"].endswith("%") else 1)
            # the line less its discount, rounded to the cent once, halves away from zero (README)
            total += int((gross - gross * frac).to_integral_value(ROUND_HALF_UP))
    return total


def state(db: Store) -> tuple:
    conn = db.connect(create=False)   # a writer: PostgreSQL's recomputation runs in a transaction it rolls back
    try:
        assert set(mismatches(conn).values()) == {0}
        return tuple(conn.execute(
            "SELECT (SELECT count(*) FROM sales), (SELECT coalesce(sum(net_cents), 0) FROM sales), "
            "(SELECT coalesce(sum(net_cents), 0) FROM agg_day), (SELECT coalesce(sum(orders), 0) FROM agg_day), "
            "(SELECT count(*) FROM agg_customer), (SELECT coalesce(sum(net_cents), 0) FROM agg_customer)").fetchone())
    finally:
        conn.close()


def load(db: Store, path: Path) -> None:
    conn = db.connect()
    try:
        ingest_file(conn, str(path), IngestOptions())
    finally:
        conn.close()


def settings_on(store: Store):
    """Hypothesis' settings for a property run on `store`'s backend (fewer examples on PostgreSQL)."""
    return settings(max_examples=examples(store, 25), deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_import_equals_the_independent_sum_and_is_idempotent(store):
    fresh = itertools.count()

    @settings_on(store)
    @given(orders)
    def one_example(orders_):
        with tempfile.TemporaryDirectory() as tmp:
            import_equals_the_independent_sum(store.sibling(f"p{next(fresh)}"), Path(tmp), orders_)

    one_example()


def import_equals_the_independent_sum(db: Store, tmp: Path, orders_: list[dict]) -> None:
    src = write(tmp / "o.csv", rows_of(orders_, range(len(orders_))))
    load(db, src)
    first = state(db)
    assert first[1] == first[2] == expected_cents(orders_)
    assert first[0] == sum(len(o["lines"]) for o in orders_)
    # an order has a bought line; a return-only order is a return (and its customer no customer)
    bought = [o for o in orders_ if any(line["quantity"] > 0 for line in o["lines"])]
    assert first[3] == len(bought)
    key = lambda o: o["customer"].lower() if "@" in o["customer"] else o["customer"]
    named = {key(o) for o in bought} - {""}
    assert first[4] == len(named)
    assert first[5] == expected_cents([o for o in orders_ if o["customer"] and key(o) in named])
    from shopintel.reports.params import Params
    from shopintel.reports.summary import summary
    conn = db.read_only()
    s = summary(conn, Params())
    conn.close()
    assert Decimal(str(s.revenue)) == Decimal(first[1]) / 100
    load(db, src)
    assert state(db) == first


def test_overlapping_chunks_in_any_order_equal_one_import(store):
    fresh = itertools.count()

    @settings_on(store)
    @given(orders, st.randoms(use_true_random=False), st.integers(1, 4))
    def one_example(orders_, rnd, n_chunks):
        n = next(fresh)
        with tempfile.TemporaryDirectory() as tmp:
            chunks_equal_one_import(store.sibling(f"w{n}"), store.sibling(f"s{n}"), Path(tmp), orders_, rnd,
                                    n_chunks)

    one_example()


def chunks_equal_one_import(whole: Store, split: Store, tmp: Path, orders_, rnd, n_chunks) -> None:
    load(whole, write(tmp / "all.csv", rows_of(orders_, range(len(orders_)))))
    # chunks of whole orders (an export never holds half an order) that overlap their neighbours
    n = len(orders_)
    cuts = sorted(rnd.sample(range(n + 1), min(n + 1, n_chunks + 1)))
    cuts[0], cuts[-1] = 0, n
    chunks = []
    for a, b in zip(cuts, cuts[1:]):
        lo, hi = max(0, a - rnd.randint(0, 3)), min(n, b + rnd.randint(0, 3))
        if hi > lo:
            chunks.append(list(range(lo, hi)))
    rnd.shuffle(chunks)
    for k, ids in enumerate(chunks):
        load(split, write(tmp / f"chunk{k}.csv", rows_of(orders_, ids)))
    assert state(split) == state(whole)
