"""A first import into an empty store sums the kept tables chunk by chunk (store/chunk_sums.py) instead of
recomputing them from the lines: whatever the chunks cut, the kept tables are those a recomputation from
the lines gives (aggregates.mismatches), row for row the same as one chunk's, and the figures the reports
read are the ones worked out by hand."""

from __future__ import annotations

import csv
import io
import itertools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shopintel.store.ingest import IngestOptions, ingest_file
from tests import stores
from tests.store.helpers import load, q

HEADER = ["order_id", "ordered_at", "customer_id", "sku", "product_name", "category", "quantity", "unit_price"]
KEPT = ("order_totals", "order_customers", "agg_product_day", "agg_category_day", "agg_day", "agg_customer",
        "agg_cohort_month", "agg_customer_base")


def text(rows: list[list[str]]) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(HEADER)
    w.writerows(rows)
    return out.getvalue()


def kept(db) -> dict[str, list[tuple]]:
    """Every kept table, row for row (product and customer ids follow first appearance in the file, the
    same whatever the chunks)."""
    return {t: q(db, f"SELECT * FROM {t} ORDER BY 1, 2") for t in KEPT}


def exact(db) -> None:
    db.check()   # the kept tables equal a recomputation from the lines (tests/stores.py)


# Order A's lines are scattered (chunks of 2 cut it three ways), all on one day; B's later chunk starts a
# day earlier than its first (so its day, and the day its product lines count on, move); C runs over
# midnight with its first line in the later chunk; D has two customers, one of them in two chunks; E is
# return-only (not an order) and F a guest order; POST is postage (not units).
SPLIT = [
    ["A", "2024-03-05 10:00", "C1", "MUG", "Mug", "Kitchen", "2", "10.00"],
    ["B", "2024-03-07 09:00", "C2", "PLT", "Plate", "Kitchen", "1", "20.00"],
    ["D", "2024-03-06 12:00", "C1", "MUG", "Mug", "Kitchen", "1", "10.00"],
    ["A", "2024-03-05 10:00", "C1", "PLT", "Plate", "Kitchen", "1", "20.00"],
    ["C", "2024-03-08 00:10", "C3", "MUG", "Mug", "Kitchen", "1", "10.00"],
    ["D", "2024-03-06 12:00", "C2", "BWL", "Bowl", "Tableware", "3", "5.50"],
    ["E", "2024-03-06 13:00", "C3", "MUG", "Mug", "Kitchen", "-1", "10.00"],
    ["A", "2024-03-05 10:00", "C1", "POST", "Postage", "", "1", "4.95"],
    ["B", "2024-03-06 23:00", "C2", "BWL", "Bowl", "Tableware", "2", "5.50"],
    ["D", "2024-03-06 12:00", "C1", "PLT", "Plate", "Kitchen", "-1", "20.00"],
    ["C", "2024-03-07 23:50", "C3", "BWL", "Bowl", "Tableware", "1", "5.50"],
    ["F", "2024-04-01 08:00", "", "MUG", "Mug", "Kitchen", "1", "10.00"],
]


def test_orders_split_between_chunks_give_the_kept_tables_of_one_chunk(store, tmp_path, write_csv):
    path = write_csv(text(SPLIT))
    one, two = store.sibling("one"), store.sibling("two")
    load(one, path, rejects_path=str(tmp_path / "r1.csv"))
    load(two, path, chunk_rows=2, rejects_path=str(tmp_path / "r2.csv"))
    exact(one)
    exact(two)
    assert kept(two) == kept(one)


def test_split_orders_count_on_their_first_day_by_hand(store, write_csv):
    load(store, write_csv(text(SPLIT)), chunk_rows=2)
    orders = {r[0]: r[1:] for r in q(store, "SELECT order_id, day, customers, lines, units, net_cents, last_day, "
                                               "is_order FROM order_totals")}
    assert orders["A"] == ("2024-03-05", 1, 3, 3, 2000 + 2000 + 495, "2024-03-05", 1)   # postage: no unit
    assert orders["B"] == ("2024-03-06", 1, 2, 3, 2000 + 1100, "2024-03-07", 1)          # its later line's day
    assert orders["C"] == ("2024-03-07", 1, 2, 2, 1000 + 550, "2024-03-08", 1)
    assert orders["D"] == ("2024-03-06", 2, 3, 3, 1000 + 1650 - 2000, "2024-03-06", 1)
    assert orders["E"] == ("2024-03-06", 1, 1, -1, -1000, "2024-03-06", 0)
    assert orders["F"] == ("2024-04-01", 0, 1, 1, 1000, "2024-04-01", 1)
    parts = q(store, "SELECT order_id, customer_id, day, lines, units, net_cents, is_order FROM order_customers "
                       "JOIN customers USING (customer_id) WHERE order_id = 'D' ORDER BY customer_key")
    assert [p[2:] for p in parts] == [("2024-03-06", 2, 0, 1000 - 2000, 1), ("2024-03-06", 1, 3, 1650, 1)]
    # every line of B on the 6th, C's on the 7th: the day of the order's first line
    days = dict(q(store, "SELECT day, net_cents FROM agg_day"))
    assert days["2024-03-05"] == 4495
    assert days["2024-03-06"] == 3100 + (1000 + 1650 - 2000) - 1000
    assert days["2024-03-07"] == 1550 and "2024-03-08" not in days
    bowl = q(store, "SELECT day, lines, units FROM agg_product_day JOIN products USING (product_id) "
                      "WHERE sku = 'BWL' ORDER BY day")
    assert bowl == [("2024-03-06", 2, 5), ("2024-03-07", 1, 1)]
    customers = dict(q(store, "SELECT customer_key, orders FROM agg_customer JOIN customers USING (customer_id)"))
    assert customers == {"C1": 2, "C2": 2, "C3": 1}   # C3's return-only E is no order


def test_a_product_that_turns_into_postage_mid_load_is_counted_as_postage_everywhere(store, tmp_path, write_csv):
    # the same sku is a product in the first chunk and, named later, postage: units count the final flag
    rows = [["A", "2024-03-05 10:00", "C1", "SHIP1", "Parcel box", "Kitchen", "2", "3.00"],
            ["B", "2024-03-06 10:00", "C2", "MUG", "Mug", "Kitchen", "1", "10.00"],
            ["C", "2024-03-07 10:00", "C1", "SHIP1", "Shipping", "", "1", "3.00"],
            ["D", "2024-03-08 10:00", "C2", "MUG", "Mug", "Kitchen", "1", "10.00"]]
    path = write_csv(text(rows))
    one, two = store.sibling("one"), store.sibling("two")
    load(one, path, rejects_path=str(tmp_path / "r1.csv"))
    load(two, path, chunk_rows=2, rejects_path=str(tmp_path / "r2.csv"))
    exact(two)
    assert kept(two) == kept(one)
    assert q(two, "SELECT is_merch FROM products WHERE sku = 'SHIP1'") == [(0,)]
    assert q(two, "SELECT units FROM order_totals WHERE order_id = 'A'") == [(0,)]


@pytest.mark.parametrize("first", [SPLIT, SPLIT + [["H", "2024-03-09 08:00", "C1", "MUG", "Postage", "", "1", "1.00"]]],
                         ids=["summed", "recomputed"])
def test_a_second_import_on_the_same_connection_refreshes_what_the_first_summed(store, write_csv, first):
    # the first import sums chunk by chunk (or, when MUG turns into postage, recomputes at the end); the
    # second, on the same connection (as a zip's members are), replaces B and adds G through the usual refresh
    db = store
    conn = db.connect()
    try:
        ingest_file(conn, str(write_csv(text(first), "first.csv")), IngestOptions(chunk_rows=2))
        if not db.is_pg:   # the first load's temporary triggers are gone
            assert conn.execute("SELECT count(*) FROM sqlite_temp_master WHERE type = 'trigger'").fetchone() == (0,)
        again = [["B", "2024-03-09 09:00", "C2", "PLT", "Plate", "Kitchen", "4", "20.00"],
                 ["G", "2024-03-09 10:00", "C4", "MUG", "Mug", "Kitchen", "1", "10.00"]]
        ingest_file(conn, str(write_csv(text(again), "second.csv")), IngestOptions(chunk_rows=1))
    finally:
        conn.close()
    exact(db)
    assert q(db, "SELECT day, lines, net_cents FROM order_totals WHERE order_id = 'B'") == [("2024-03-09", 1, 8000)]


line = st.tuples(st.sampled_from(["O1", "O2", "O3", "O4", "O5", "O6"]),
                 st.sampled_from(["2024-01-31 23:30", "2024-02-01 00:15", "2024-02-01 09:00", "2024-03-02 12:00"]),
                 st.sampled_from(["", "C1", "C2", "C3"]),
                 st.sampled_from(["MUG", "PLT", "POST"]),
                 st.integers(-3, 5).filter(lambda n: n != 0),
                 st.integers(0, 5000))


def test_any_lines_in_any_order_and_chunks_give_the_kept_tables_of_the_lines(store, tmp_path_factory):
    examples = itertools.count()

    @settings(max_examples=stores.examples(store, 40), deadline=None)
    @given(lines=st.lists(line, min_size=1, max_size=30), chunk=st.integers(1, 7), seed=st.integers(0, 1000))
    def one_example(lines, chunk, seed):
        n = next(examples)
        whole_lines_and_chunks_agree(tmp_path_factory.mktemp("first"), store.sibling(f"one{n}"),
                                     store.sibling(f"chunked{n}"), lines, chunk, seed)

    one_example()


def whole_lines_and_chunks_agree(tmp, one, chunked, lines, chunk, seed) -> None:
    rows = [[o, t, c, sku, {"POST": "Postage"}.get(sku, sku.title()), "Kitchen", str(n), f"{cents / 100:.2f}"]
            for o, t, c, sku, n, cents in lines]
    random.Random(seed).shuffle(rows)
    path = tmp / "orders.csv"
    path.write_text(text(rows), encoding="utf-8", newline="")
    load(one, path, rejects_path=str(tmp / "r1.csv"))
    load(chunked, path, chunk_rows=chunk, rejects_path=str(tmp / "r2.csv"))
    exact(chunked)
    assert kept(chunked) == kept(one)
