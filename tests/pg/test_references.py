"""Referential integrity on PostgreSQL, the server's own foreign keys: a row naming a missing parent is
refused, a parent still named cannot be deleted, re-keyed or truncated, and a parent named by a writer in
flight is locked until it ends (a concurrent delete waits, then is refused); and doctor's anti-join for
order totals without a line."""

from __future__ import annotations

import pytest

from shopintel.store.pg import connection as pgc

psycopg = pytest.importorskip("psycopg")
FKV = psycopg.errors.ForeignKeyViolation
SALE = ("INSERT INTO sales (order_id, ordered_at, day, customer_id, product_id, quantity, unit_price_micros, "
        "net_cents, import_id) VALUES ('A1', '2025-01-02T10:00:00', '2025-01-02', %s, %s, 1, 1000000, 100, %s)")


@pytest.fixture
def shop(pg_url):
    """A writer's raw connection (autocommit) to a new shop holding one category, product, customer and import."""
    with pgc.connect(pg_url) as conn:
        raw = conn.raw
        raw.execute("INSERT INTO categories (category_id, name) VALUES (1, 'Bath')")
        raw.execute("INSERT INTO products (product_id, sku, name, category_id) VALUES (1, 'S1', 'Soap', 1), "
                    "(2, 'S2', 'Towel', 1)")
        raw.execute("INSERT INTO customers (customer_id, customer_key) VALUES (1, 'C1'), (2, 'C2')")
        raw.execute("INSERT INTO import_runs (import_id, file_name, sha256, started_at) VALUES (1, 'f', '', 'now')")
        yield raw, pg_url


@pytest.mark.parametrize("customer, product, run, parent", [
    (9, 1, 1, "customers"), (1, 9, 1, "products"), (1, 1, 9, "import_runs")])
def test_a_line_naming_a_missing_parent_is_refused_as_a_foreign_key_would(shop, customer, product, run, parent):
    raw, _ = shop
    with pytest.raises(FKV, match=f'not present in table "{parent}"'):
        raw.execute(SALE, (customer, product, run))
    raw.execute(SALE, (None, 1, None))   # a guest line of no import run names nothing
    with pytest.raises(FKV):
        raw.execute("UPDATE sales SET product_id = 9")
    with pytest.raises(FKV, match='"order_customers" violates foreign key'):
        raw.execute("INSERT INTO order_customers VALUES ('A1', 9, '2025-01-02', 1, 1, 100, 1)")
    assert raw.execute("SELECT count(*) FROM sales").fetchone()[0] == 1


def test_a_parent_still_named_cannot_be_deleted_re_keyed_or_truncated(shop):
    raw, _ = shop
    raw.execute(SALE, (1, 1, 1))
    for statement in ("DELETE FROM customers WHERE customer_id = 1", "UPDATE products SET product_id = 7 WHERE product_id = 1",
                      "DELETE FROM import_runs"):
        with pytest.raises(FKV):
            raw.execute(statement)
    with pytest.raises(psycopg.errors.FeatureNotSupported, match="referenced in a foreign key"):
        raw.execute("TRUNCATE customers")
    raw.execute("DELETE FROM customers WHERE customer_id = 2")   # named by nothing
    raw.execute("UPDATE products SET name = 'Soap bar'")          # the key unchanged
    assert raw.execute("SELECT count(*) FROM customers").fetchone()[0] == 1


def test_a_parent_named_by_a_writer_in_flight_is_locked_until_it_ends_then_kept(shop):
    raw, url = shop
    with pgc.connect(url) as other:
        other.raw.execute("SET lock_timeout = '300ms'")
        with raw.transaction():
            raw.execute(SALE, (2, 2, 1))   # not committed yet: customer 2 is held FOR KEY SHARE
            with pytest.raises(psycopg.errors.LockNotAvailable):
                other.raw.execute("DELETE FROM customers WHERE customer_id = 2")
        with pytest.raises(FKV):   # committed: the customer is named now
            other.raw.execute("DELETE FROM customers WHERE customer_id = 2")
        # the other way round: a parent deleted by a writer in flight cannot be named, waits, then is refused
        with other.raw.transaction():
            other.raw.execute("DELETE FROM customers WHERE customer_id = 1")
            raw.execute("SET lock_timeout = '300ms'")
            with pytest.raises(psycopg.errors.LockNotAvailable):
                raw.execute(SALE, (1, 1, 1))
        with pytest.raises(FKV):
            raw.execute(SALE, (1, 1, 1))


def test_doctor_finds_order_totals_without_any_line(shop):
    """An anti-join on PostgreSQL (SQLite's NOT IN ran for hours there once its subquery outgrew work_mem)."""
    from shopintel.store.pg import doctor
    from shopintel.store.pg.url import parse

    raw, url = shop
    raw.execute(SALE, (1, 1, 1))
    totals = ("INSERT INTO order_totals (order_id, day, customers, lines, units, net_cents, gross_cents, "
              "returns_cents) VALUES (%s, '2025-01-02', 1, 1, 1, 100, 100, 0)")
    raw.execute(totals, ("A1",))   # the order of the line
    raw.execute(totals, ("Z9",))   # an order without a line
    report = doctor.check(parse(url))
    assert "orphans: 1 order totals without any order line" in report.problems
