"""The store's schema as a list of forward migrations.

Migration N (1-based) moves a store from `PRAGMA user_version = N-1` to N.
Append new migrations; never edit one that has shipped.

Money is stored in integer cents (`*_cents`), unit prices in integer
micro-units (`unit_price_micros`, 1e-6 of the currency) so that prices with
more than two decimals (0.001 in some exports) stay exact. Days are TEXT
`YYYY-MM-DD`, timestamps TEXT `YYYY-MM-DDTHH:MM:SS` in the shop's wall time.
"""

from __future__ import annotations

# The loader drops these while bulk-loading into an empty store and builds them after
# (store/load.py): building an index once is several times cheaper than updating it per row.
SALES_INDEX_NAMES = ("sales_order", "sales_product_day", "sales_ordered_at")
SALES_INDEXES = """CREATE INDEX sales_order ON sales(order_id);
CREATE INDEX sales_product_day ON sales(product_id, day);
CREATE INDEX sales_ordered_at ON sales(ordered_at);"""
# The line indexes as schema 1 created them (a shipped migration never changes); schema 7 adds the third.
_V1_SALES_INDEXES = """CREATE INDEX sales_order ON sales(order_id);
CREATE INDEX sales_product_day ON sales(product_id, day);"""

# Secondary indexes of the kept aggregates; a full rebuild drops and rebuilds them around the inserts.
AGG_INDEX_NAMES = ("order_totals_day", "order_customers_day", "order_customers_customer", "agg_product_day_product",
                   "agg_customer_spend")
AGG_INDEXES = """CREATE INDEX order_totals_day ON order_totals(day, is_order, customers, last_day);
CREATE INDEX order_customers_day ON order_customers(day, customer_id);
CREATE INDEX order_customers_customer ON order_customers(customer_id, day);
CREATE INDEX agg_product_day_product ON agg_product_day(product_id, day);
CREATE INDEX agg_customer_spend ON agg_customer(net_cents DESC, first_day, customer_id);"""
# The indexes as schema 1 created them (a shipped migration never changes).
_V1_AGG_INDEXES = """CREATE INDEX order_totals_day ON order_totals(day, customer_id);
CREATE INDEX order_totals_customer ON order_totals(customer_id, day);
CREATE INDEX agg_product_day_product ON agg_product_day(product_id, day);
CREATE INDEX agg_customer_spend ON agg_customer(net_cents DESC, customer_id);"""

# meta key: the simulated checkout's clock (store.simulate writes it every second; reports.stall reads it)
CHECKOUT_CLOCK = "checkout_clock"

_DAY = "GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'"

V1 = f"""
CREATE TABLE categories (
    category_id   INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0)
) STRICT;

CREATE TABLE products (
    product_id    INTEGER PRIMARY KEY,
    sku           TEXT NOT NULL UNIQUE CHECK (length(trim(sku)) > 0),
    name          TEXT NOT NULL,
    category_id   INTEGER NOT NULL REFERENCES categories(category_id),
    -- 0 for postage, fees and manual adjustments: counted in revenue,
    -- kept out of top sellers and reorder.
    is_merch      INTEGER NOT NULL DEFAULT 1 CHECK (is_merch IN (0, 1))
) STRICT;
CREATE INDEX products_category ON products(category_id);

CREATE TABLE customers (
    customer_id   INTEGER PRIMARY KEY,
    customer_key  TEXT NOT NULL UNIQUE CHECK (length(trim(customer_key)) > 0),
    name          TEXT NOT NULL DEFAULT '',
    email         TEXT NOT NULL DEFAULT '',
    country       TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE import_runs (
    import_id       INTEGER PRIMARY KEY,
    file_name       TEXT NOT NULL,
    sha256          TEXT NOT NULL,
    started_at      TEXT NOT NULL,
    finished_at     TEXT,
    rows_read       INTEGER NOT NULL DEFAULT 0 CHECK (rows_read >= 0),
    rows_loaded     INTEGER NOT NULL DEFAULT 0 CHECK (rows_loaded >= 0),
    orders_replaced INTEGER NOT NULL DEFAULT 0 CHECK (orders_replaced >= 0),
    rows_rejected   INTEGER NOT NULL DEFAULT 0 CHECK (rows_rejected >= 0)
) STRICT;

-- One row per order line. AUTOINCREMENT so a sale_id is never reused: the
-- live monitor's watermark relies on ids only growing.
CREATE TABLE sales (
    sale_id           INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id          TEXT NOT NULL CHECK (length(order_id) > 0),
    ordered_at        TEXT NOT NULL CHECK (substr(ordered_at, 1, 10) = day),
    day               TEXT NOT NULL CHECK (day {_DAY}),
    customer_id       INTEGER REFERENCES customers(customer_id),
    product_id        INTEGER NOT NULL REFERENCES products(product_id),
    quantity          INTEGER NOT NULL CHECK (quantity <> 0),
    unit_price_micros INTEGER NOT NULL,
    discount_cents    INTEGER NOT NULL DEFAULT 0,
    net_cents         INTEGER NOT NULL,
    import_id         INTEGER REFERENCES import_runs(import_id)
) STRICT;
{_V1_SALES_INDEXES}

-- Units on hand when counted; on hand now = on_hand - net units sold after counted_at.
CREATE TABLE inventory (
    product_id     INTEGER PRIMARY KEY REFERENCES products(product_id),
    on_hand        INTEGER NOT NULL,
    counted_at     TEXT NOT NULL CHECK (substr(counted_at, 1, 10) {_DAY}),
    lead_time_days INTEGER NOT NULL DEFAULT 7 CHECK (lead_time_days > 0),
    reorder_point  INTEGER CHECK (reorder_point IS NULL OR reorder_point >= 0)
) STRICT;

CREATE TABLE alerts (
    alert_id        INTEGER PRIMARY KEY,
    created_at      TEXT NOT NULL,
    product_id      INTEGER NOT NULL REFERENCES products(product_id),
    sku             TEXT NOT NULL,
    product_name    TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('LOW', 'OUT')),
    on_hand         INTEGER NOT NULL,
    days_of_cover   REAL,
    suggested_qty   INTEGER NOT NULL CHECK (suggested_qty >= 0),
    acknowledged_at TEXT
) STRICT;
CREATE INDEX alerts_product ON alerts(product_id, alert_id);

-- Small key/value state for long-running processes (the monitor's watermark).
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- Aggregates kept current in the same transaction as every write to sales
-- (store/aggregates.py), so reports never scan order lines.
CREATE TABLE order_totals (
    order_id      TEXT PRIMARY KEY,
    day           TEXT NOT NULL,           -- day of the order's first line
    customer_id   INTEGER REFERENCES customers(customer_id),
    lines         INTEGER NOT NULL,
    units         INTEGER NOT NULL,
    net_cents     INTEGER NOT NULL,
    gross_cents   INTEGER NOT NULL,        -- net of the positive-quantity lines
    returns_cents INTEGER NOT NULL         -- positive amount of negative-quantity lines
) STRICT, WITHOUT ROWID;

CREATE TABLE agg_product_day (
    day           TEXT NOT NULL,
    product_id    INTEGER NOT NULL REFERENCES products(product_id),
    lines         INTEGER NOT NULL,
    units         INTEGER NOT NULL,
    net_cents     INTEGER NOT NULL,
    gross_cents   INTEGER NOT NULL,
    returns_cents INTEGER NOT NULL,
    PRIMARY KEY (day, product_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE agg_category_day (
    day           TEXT NOT NULL,
    category_id   INTEGER NOT NULL REFERENCES categories(category_id),
    units         INTEGER NOT NULL,
    net_cents     INTEGER NOT NULL,
    PRIMARY KEY (day, category_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE agg_day (
    day           TEXT PRIMARY KEY,
    lines         INTEGER NOT NULL,
    units         INTEGER NOT NULL,
    net_cents     INTEGER NOT NULL,
    gross_cents   INTEGER NOT NULL,
    returns_cents INTEGER NOT NULL,
    orders        INTEGER NOT NULL,
    guest_orders  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE agg_customer (
    customer_id   INTEGER PRIMARY KEY REFERENCES customers(customer_id),
    orders        INTEGER NOT NULL,
    units         INTEGER NOT NULL,
    net_cents     INTEGER NOT NULL,
    first_day     TEXT NOT NULL,
    last_day      TEXT NOT NULL
) STRICT;

{_V1_AGG_INDEXES}
"""

# The all-history customer revenue base (customers with orders; sum of their non-negative spends),
# kept by triggers on agg_customer whichever path writes it, so that whales' and the summary's
# shares need no scan of every customer.
V2 = """
CREATE TABLE agg_customer_base (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    customers   INTEGER NOT NULL,
    base_cents  INTEGER NOT NULL
) STRICT;
INSERT INTO agg_customer_base
    SELECT 1, count(*), coalesce(sum(max(net_cents, 0)), 0) FROM agg_customer;
CREATE TRIGGER agg_customer_base_add AFTER INSERT ON agg_customer BEGIN
    UPDATE agg_customer_base SET customers = customers + 1, base_cents = base_cents + max(NEW.net_cents, 0);
END;
CREATE TRIGGER agg_customer_base_remove AFTER DELETE ON agg_customer BEGIN
    UPDATE agg_customer_base SET customers = customers - 1, base_cents = base_cents - max(OLD.net_cents, 0);
END;
CREATE TRIGGER agg_customer_base_change AFTER UPDATE OF net_cents ON agg_customer BEGIN
    UPDATE agg_customer_base SET base_cents = base_cents - max(OLD.net_cents, 0) + max(NEW.net_cents, 0);
END;
"""

# Each line's spend belongs to its own customer. Schemas 1 and 2 kept one customer per order (the largest
# customer id on its lines), so an order whose lines carry several customers (Tableau's Superstore) gave
# all its spend to one of them. Now `order_totals` counts the order's customers (0: a guest order) and
# `order_customers` holds each customer's part of each order, from which `agg_customer` is summed. The
# migration recomputes both from the lines, and agg_customer from them (its base follows by trigger).
V3 = """
DROP INDEX order_totals_day;
DROP INDEX order_totals_customer;
DROP TABLE order_totals;
CREATE TABLE order_totals (
    order_id      TEXT PRIMARY KEY,
    day           TEXT NOT NULL,           -- day of the order's first line
    customers     INTEGER NOT NULL CHECK (customers >= 0),   -- distinct customers on its lines; 0 = a guest order
    lines         INTEGER NOT NULL,
    units         INTEGER NOT NULL,
    net_cents     INTEGER NOT NULL,
    gross_cents   INTEGER NOT NULL,        -- net of the positive-quantity lines
    returns_cents INTEGER NOT NULL         -- positive amount of negative-quantity lines
) STRICT, WITHOUT ROWID;
INSERT INTO order_totals
    SELECT s.order_id, min(s.day), count(DISTINCT s.customer_id), count(*), sum(s.quantity * p.is_merch),
           sum(s.net_cents), sum(CASE WHEN s.quantity > 0 THEN s.net_cents ELSE 0 END),
           sum(CASE WHEN s.quantity < 0 THEN -s.net_cents ELSE 0 END)
    FROM sales s JOIN products p USING (product_id) GROUP BY s.order_id;
CREATE INDEX order_totals_day ON order_totals(day, customers);

-- One row per (order, customer on its lines): that customer's lines of the order. day = the order's day.
CREATE TABLE order_customers (
    order_id      TEXT NOT NULL,
    customer_id   INTEGER NOT NULL REFERENCES customers(customer_id),
    day           TEXT NOT NULL,
    lines         INTEGER NOT NULL,
    units         INTEGER NOT NULL,
    net_cents     INTEGER NOT NULL,
    PRIMARY KEY (order_id, customer_id)
) STRICT, WITHOUT ROWID;
INSERT INTO order_customers
    SELECT g.order_id, g.customer_id, o.day, g.lines, g.units, g.net_cents
    FROM (SELECT s.order_id, s.customer_id, count(*) AS lines, sum(s.quantity * p.is_merch) AS units,
                 sum(s.net_cents) AS net_cents
          FROM sales s JOIN products p USING (product_id) WHERE s.customer_id IS NOT NULL
          GROUP BY s.order_id, s.customer_id) g
    JOIN order_totals o USING (order_id);
CREATE INDEX order_customers_day ON order_customers(day, customer_id);
CREATE INDEX order_customers_customer ON order_customers(customer_id, day);

DELETE FROM agg_customer;
INSERT INTO agg_customer
    SELECT customer_id, count(*), sum(units), sum(net_cents), min(day), max(day)
    FROM order_customers GROUP BY customer_id;
"""

# Each alert keeps the reorder point it was measured against, so that it shows why it fired (on hand at or
# below the reorder point) and can be checked by eye. Alerts raised before have none (NULL, shown as '-').
V4 = """
ALTER TABLE alerts ADD COLUMN reorder_point INTEGER CHECK (reorder_point IS NULL OR reorder_point >= 0);
"""

# Issue 18, every figure at the edges:
# - One day rule: an order and all its figures (revenue, units, categories, per product) belong to the day of
#   its first line. order_totals keeps the day of its last line too (`last_day`), so that the lines of an
#   order that spans midnight are found from the order's day; agg_product_day and what is summed from it
#   are keyed by the order's day (recomputed below).
# - A return-only order (every line a negative quantity: the UCI layout's C... cancellation invoices) is a
#   return, never an order: `is_order` is 1 when an order (order_totals) or a customer's part of it
#   (order_customers) has a bought line. agg_day's orders and guest orders, and each customer's orders,
#   first and last order day count only those; agg_customer holds only customers with an order.
# - Ties in spend go to the customer who appeared first: customers are renumbered in the order of their
#   first line in the store (import order, then file position), and the spend index ranks equal spends by
#   the first order day, then that number.
# - The latest non-empty name by order date: `named_at` is the order time of the rows that gave a product's
#   name and category, or a customer's details ('' = not known yet: any named row wins).
V5 = """
PRAGMA defer_foreign_keys = ON;
DELETE FROM agg_customer;
DELETE FROM order_customers;
DELETE FROM order_totals;

-- keyed by the old id: the updates below look every line's customer up in it
CREATE TEMP TABLE customer_renumber (old INTEGER PRIMARY KEY, new INTEGER NOT NULL);
INSERT INTO temp.customer_renumber
    SELECT customer_id, row_number() OVER (ORDER BY first_sale IS NULL, first_sale, customer_id)
    FROM customers LEFT JOIN (SELECT customer_id, min(sale_id) AS first_sale FROM sales
                              WHERE customer_id IS NOT NULL GROUP BY customer_id) USING (customer_id);
DELETE FROM temp.customer_renumber WHERE old = new;
-- while customer ids change, each change is checked against the lines that point at it: index them for now
CREATE INDEX sales_customer_renumber ON sales(customer_id);
UPDATE customers SET customer_id = -(SELECT new FROM temp.customer_renumber WHERE old = customer_id)
    WHERE customer_id IN (SELECT old FROM temp.customer_renumber);
UPDATE sales SET customer_id = -(SELECT new FROM temp.customer_renumber WHERE old = customer_id)
    WHERE customer_id IN (SELECT old FROM temp.customer_renumber);
UPDATE customers SET customer_id = -customer_id WHERE customer_id < 0;
UPDATE sales SET customer_id = -customer_id WHERE customer_id < 0;
DROP INDEX sales_customer_renumber;
DROP TABLE temp.customer_renumber;

ALTER TABLE customers ADD COLUMN named_at TEXT NOT NULL DEFAULT '';
ALTER TABLE products ADD COLUMN named_at TEXT NOT NULL DEFAULT '';

DROP INDEX order_totals_day;
ALTER TABLE order_totals ADD COLUMN last_day TEXT NOT NULL DEFAULT '';
ALTER TABLE order_totals ADD COLUMN is_order INTEGER NOT NULL DEFAULT 1 CHECK (is_order IN (0, 1));
INSERT INTO order_totals
    SELECT s.order_id, min(s.day), count(DISTINCT s.customer_id), count(*), sum(s.quantity * p.is_merch),
           sum(s.net_cents), sum(CASE WHEN s.quantity > 0 THEN s.net_cents ELSE 0 END),
           sum(CASE WHEN s.quantity < 0 THEN -s.net_cents ELSE 0 END), max(s.day), max(s.quantity > 0)
    FROM sales s JOIN products p USING (product_id) GROUP BY s.order_id;
CREATE INDEX order_totals_day ON order_totals(day, is_order, customers, last_day);

ALTER TABLE order_customers ADD COLUMN is_order INTEGER NOT NULL DEFAULT 1 CHECK (is_order IN (0, 1));
INSERT INTO order_customers
    SELECT g.order_id, g.customer_id, o.day, g.lines, g.units, g.net_cents, g.is_order
    FROM (SELECT s.order_id, s.customer_id, count(*) AS lines, sum(s.quantity * p.is_merch) AS units,
                 sum(s.net_cents) AS net_cents, max(s.quantity > 0) AS is_order
          FROM sales s JOIN products p USING (product_id) WHERE s.customer_id IS NOT NULL
          GROUP BY s.order_id, s.customer_id) g
    JOIN order_totals o USING (order_id);

DROP INDEX agg_customer_spend;
INSERT INTO agg_customer
    SELECT customer_id, sum(is_order), sum(units), sum(net_cents), min(CASE WHEN is_order THEN day END),
           max(CASE WHEN is_order THEN day END)
    FROM order_customers GROUP BY customer_id HAVING sum(is_order) > 0;
CREATE INDEX agg_customer_spend ON agg_customer(net_cents DESC, first_day, customer_id);

DELETE FROM agg_product_day;
INSERT INTO agg_product_day
    SELECT o.day, s.product_id, count(*), sum(s.quantity), sum(s.net_cents),
           sum(CASE WHEN s.quantity > 0 THEN s.net_cents ELSE 0 END),
           sum(CASE WHEN s.quantity < 0 THEN -s.net_cents ELSE 0 END)
    FROM sales s JOIN order_totals o USING (order_id) GROUP BY o.day, s.product_id;
DELETE FROM agg_category_day;
INSERT INTO agg_category_day
    SELECT a.day, p.category_id, sum(a.units), sum(a.net_cents)
    FROM agg_product_day a JOIN products p USING (product_id) GROUP BY a.day, p.category_id;
DELETE FROM agg_day;
INSERT INTO agg_day
    SELECT a.day, sum(a.lines), sum(a.units * p.is_merch), sum(a.net_cents), sum(a.gross_cents), sum(a.returns_cents),
           (SELECT count(*) FROM order_totals o WHERE o.day = a.day AND o.is_order = 1),
           (SELECT count(*) FROM order_totals o WHERE o.day = a.day AND o.is_order = 1 AND o.customers = 0)
    FROM agg_product_day a JOIN products p USING (product_id) GROUP BY a.day;
"""

# Retention by first-order month, kept per (cohort, month) so that `cohorts` reads a few hundred rows
# instead of grouping every customer's orders: active = the cohort's customers with an order that month
# (a return-only order is not one), net_cents = the net of their own lines that month, returns included.
# cohort = the month of the customer's first order (agg_customer.first_day; customers with an order only).
# store.aggregates keeps it for the customers a write touches.
V6 = """
CREATE TABLE agg_cohort_month (
    cohort      TEXT NOT NULL,                       -- YYYY-MM
    month       TEXT NOT NULL,                       -- YYYY-MM
    active      INTEGER NOT NULL CHECK (active >= 0),
    net_cents   INTEGER NOT NULL,
    PRIMARY KEY (cohort, month)
) STRICT, WITHOUT ROWID;
INSERT INTO agg_cohort_month
    SELECT substr(a.first_day, 1, 7) AS cohort, m.month, sum(m.bought), sum(m.net_cents)
    FROM (SELECT customer_id, substr(day, 1, 7) AS month, max(is_order) AS bought, sum(net_cents) AS net_cents
          FROM order_customers GROUP BY customer_id, month) m
    JOIN agg_customer a USING (customer_id) GROUP BY cohort, m.month HAVING sum(m.bought) > 0 OR sum(m.net_cents) != 0;
"""

# The sales-stall alert (reports.stall, issue 16). It counts the orders placed in a trailing window of minutes,
# and in the same window on the same weekday of the four weeks before: the lines' order times are indexed so
# that each count is a short range read, whatever the store's size. Each stall alert is stored, so that a
# restarted app or a second watcher shows the one raised and never repeats it: it lasts until orders resume
# (`resumed_at`, the shop's time then). Times are the shop's wall time, as the lines' (YYYY-MM-DDTHH:MM:SS).
V7 = """
CREATE INDEX sales_ordered_at ON sales(ordered_at);
CREATE TABLE stall_alerts (
    alert_id         INTEGER PRIMARY KEY,
    created_at       TEXT NOT NULL,                 -- when it was raised (this machine's time)
    since            TEXT NOT NULL,                 -- the trailing window: since .. until (the shop's time)
    until            TEXT NOT NULL,
    window_minutes   INTEGER NOT NULL CHECK (window_minutes > 0),
    observed_orders  INTEGER NOT NULL CHECK (observed_orders >= 0),
    expected_orders  REAL NOT NULL CHECK (expected_orders >= 0),
    p_value          REAL NOT NULL CHECK (p_value BETWEEN 0 AND 1),
    last_order_at    TEXT,                          -- the latest order before the alert
    resumed_at       TEXT                           -- orders resumed (the alert re-armed); NULL while it lasts
) STRICT;
"""

# Every change to a stock count gets the next number in count_seq (triggers, so every writer does it), so the
# live monitor reads only the counts changed since its last tick instead of every product's count: at 1M
# lines and 3,334 counted products that read was most of a tick, and grew with the catalogue.
V8 = """
ALTER TABLE inventory ADD COLUMN count_seq INTEGER NOT NULL DEFAULT 0;
UPDATE inventory SET count_seq = product_id;
CREATE INDEX inventory_count_seq ON inventory(count_seq);
CREATE TRIGGER inventory_counted AFTER INSERT ON inventory BEGIN
    UPDATE inventory SET count_seq = (SELECT max(count_seq) FROM inventory) + 1 WHERE product_id = NEW.product_id;
END;
CREATE TRIGGER inventory_recounted AFTER UPDATE OF on_hand, counted_at, lead_time_days, reorder_point ON inventory
BEGIN
    UPDATE inventory SET count_seq = (SELECT max(count_seq) FROM inventory) + 1 WHERE product_id = NEW.product_id;
END;
"""

MIGRATIONS: list[str] = [V1, V2, V3, V4, V5, V6, V7, V8]
SCHEMA_VERSION = len(MIGRATIONS)