"""The store's schema on PostgreSQL: the SQLite store's current schema (store/schema.py, schema 8), written natively.

Same tables, same columns in the same order (so `INSERT INTO t SELECT ...` and row comparisons read alike
on both), same constraints. What differs, and why:
- integers are `bigint` (SQLite's INTEGER is 64-bit); ids are identity columns, never reused (SQLite's
  AUTOINCREMENT);
- every text column is `COLLATE "C"`: byte order, as SQLite compares, whatever the database's locale, so
  `ORDER BY sku` and names sort identically on both backends;
- SQLite's GLOB checks are regular expressions;
- agg_customer_base is kept by statement-level triggers with transition tables (one update per statement,
  not one per customer row as SQLite's row triggers do);
- inventory.count_seq comes from a sequence: two writers never draw the same number (SQLite's max() + 1
  is safe there only because SQLite has one writer at a time);
- a writer of sales or inventory says in pg_locks from which number its rows may still appear
  (live_writer(), statement-level triggers): the live monitor's horizon, as sequences commit out of order;
- the references of sales and of the kept tables are checked once per statement by triggers, not per row
  by foreign keys (CHECKED_REFERENCES below: the same guarantee, a fraction of the cost of a bulk write).

The version is kept in `schema_version` (SQLite: PRAGMA user_version). Only the current version is
created here: a PostgreSQL store is new with this code, so it has no history to migrate yet. When
store/schema.py gains a migration, add its PostgreSQL form to `MIGRATIONS` (a test compares the tables
and columns of both backends, so one side alone fails the tests).
"""

from __future__ import annotations

from ..schema import SCHEMA_VERSION

CREATED_VERSION = 8   # the SQLite schema version that CREATE below matches
_T = 'text COLLATE "C"'
_DAY = r"~ '^[0-9]{4}-[0-1][0-9]-[0-3][0-9]$'"

# The references of the tables written in bulk (the order lines, and the kept tables recomputed from them)
# are checked once per statement by triggers, not per row by foreign keys: PostgreSQL runs a foreign key's
# check as a query of its own for every row (at 100,000 lines, 1.1 s of a 1.8 s COPY into sales; 0.15 s
# this way). The guarantee is a foreign key's: a row that names a missing parent is refused (SQLSTATE
# 23503, foreign_key_violation, as a foreign key's error), the parents it names are locked FOR KEY SHARE
# until the writer ends (a concurrent delete of one waits, then is refused), and a parent still named
# cannot be deleted, re-keyed or truncated. {child: ((column, parent), ...)}; the column is the parent's key.
CHECKED_REFERENCES = {
    "sales": (("customer_id", "customers"), ("product_id", "products"), ("import_id", "import_runs")),
    "order_customers": (("customer_id", "customers"),),
    "agg_product_day": (("product_id", "products"),),
    "agg_category_day": (("category_id", "categories"),),
    "agg_customer": (("customer_id", "customers"),),
}


def _reference_triggers() -> str:
    out = []
    parents: dict[tuple[str, str], list[str]] = {}
    for child, refs in CHECKED_REFERENCES.items():
        args = ", ".join(f"'{a}'" for ref in refs for a in ref)
        for event in ("INSERT", "UPDATE"):
            out.append(f"CREATE TRIGGER {child}_references_{event.lower()} AFTER {event} ON {child} "
                       f"REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION references_exist({args});")
        for column, parent in refs:
            parents.setdefault((parent, column), []).append(child)
    for (parent, column), children in parents.items():
        args = ", ".join(f"'{a}'" for a in (column, *children))
        out.append(f"CREATE TRIGGER {parent}_referenced_delete AFTER DELETE ON {parent} REFERENCING OLD TABLE AS "
                   f"old_rows FOR EACH STATEMENT EXECUTE FUNCTION references_kept({args});")
        out.append(f"CREATE TRIGGER {parent}_referenced_update AFTER UPDATE ON {parent} REFERENCING OLD TABLE AS "
                   f"old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION references_kept({args});")
        out.append(f"CREATE TRIGGER {parent}_referenced_truncate BEFORE TRUNCATE ON {parent} "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION references_kept({args});")
    return "\n".join(out) + "\n"


_REFERENCES = r"""
-- TG_ARGV: (column, parent) pairs. Every value of the statement's new rows is a key of its parent, and
-- those parent rows are locked as a foreign key's check locks them (FOR KEY SHARE).
CREATE FUNCTION references_exist() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    i int := 0;
    wanted bigint;
    found bigint;
BEGIN
    WHILE i < TG_NARGS LOOP
        EXECUTE format('SELECT count(DISTINCT %I) FROM new_rows', TG_ARGV[i]) INTO wanted;
        EXECUTE format('SELECT count(*) FROM (SELECT 1 FROM %I.%I WHERE %I IN (SELECT %I FROM new_rows) '
                       'FOR KEY SHARE) AS held', TG_TABLE_SCHEMA, TG_ARGV[i + 1], TG_ARGV[i], TG_ARGV[i]) INTO found;
        IF found < wanted THEN
            RAISE EXCEPTION 'insert or update on table "%" names a % that is not in "%"',
                TG_TABLE_NAME, TG_ARGV[i], TG_ARGV[i + 1] USING ERRCODE = 'foreign_key_violation';
        END IF;
        i := i + 2;
    END LOOP;
    RETURN NULL;
END $$;
-- TG_ARGV: the key column, then the tables that name it. A key that a statement deletes or changes (or a
-- truncation) must not be named by any of them.
CREATE FUNCTION references_kept() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    i int := 1;
    gone text;
    named boolean;
BEGIN
    gone := CASE TG_OP WHEN 'DELETE' THEN format('SELECT %I FROM old_rows', TG_ARGV[0])
                       WHEN 'UPDATE' THEN format('SELECT %1$I FROM old_rows EXCEPT SELECT %1$I FROM new_rows', TG_ARGV[0])
                       ELSE format('SELECT %1$I FROM %2$I.%3$I', TG_ARGV[0], TG_TABLE_SCHEMA, TG_TABLE_NAME) END;
    WHILE i < TG_NARGS LOOP
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.%I WHERE %I IN (%s))', TG_TABLE_SCHEMA, TG_ARGV[i],
                       TG_ARGV[0], gone) INTO named;
        IF named THEN
            RAISE EXCEPTION '% on table "%" would leave rows of "%" naming a % it no longer holds',
                lower(TG_OP), TG_TABLE_NAME, TG_ARGV[i], TG_ARGV[0] USING ERRCODE = 'foreign_key_violation';
        END IF;
        i := i + 1;
    END LOOP;
    RETURN NULL;
END $$;
""" + _reference_triggers()

CREATE = f"""
CREATE TABLE schema_version (
    version       bigint NOT NULL
);

CREATE TABLE categories (
    category_id   bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    name          {_T} NOT NULL UNIQUE CHECK (length(trim(name)) > 0)
);

CREATE TABLE products (
    product_id    bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    sku           {_T} NOT NULL UNIQUE CHECK (length(trim(sku)) > 0),
    name          {_T} NOT NULL,
    category_id   bigint NOT NULL REFERENCES categories(category_id),
    is_merch      bigint NOT NULL DEFAULT 1 CHECK (is_merch IN (0, 1)),
    named_at      {_T} NOT NULL DEFAULT ''
);
CREATE INDEX products_category ON products(category_id);

CREATE TABLE customers (
    customer_id   bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    customer_key  {_T} NOT NULL UNIQUE CHECK (length(trim(customer_key)) > 0),
    name          {_T} NOT NULL DEFAULT '',
    email         {_T} NOT NULL DEFAULT '',
    country       {_T} NOT NULL DEFAULT '',
    named_at      {_T} NOT NULL DEFAULT ''
);

CREATE TABLE import_runs (
    import_id       bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    file_name       {_T} NOT NULL,
    sha256          {_T} NOT NULL,
    started_at      {_T} NOT NULL,
    finished_at     {_T},
    rows_read       bigint NOT NULL DEFAULT 0 CHECK (rows_read >= 0),
    rows_loaded     bigint NOT NULL DEFAULT 0 CHECK (rows_loaded >= 0),
    orders_replaced bigint NOT NULL DEFAULT 0 CHECK (orders_replaced >= 0),
    rows_rejected   bigint NOT NULL DEFAULT 0 CHECK (rows_rejected >= 0)
);

-- sale ids come from a sequence: unique and growing, but concurrent writers can commit them out of
-- order (docs/scale.md: the monitor's watermark)
CREATE TABLE sales (
    sale_id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id          {_T} NOT NULL CHECK (length(order_id) > 0),
    ordered_at        {_T} NOT NULL CHECK (substr(ordered_at, 1, 10) = day),
    day               {_T} NOT NULL CHECK (day {_DAY}),
    customer_id       bigint,               -- references customers, products, import_runs: see CHECKED_REFERENCES
    product_id        bigint NOT NULL,
    quantity          bigint NOT NULL CHECK (quantity <> 0),
    unit_price_micros bigint NOT NULL,
    discount_cents    bigint NOT NULL DEFAULT 0,
    net_cents         bigint NOT NULL,
    import_id         bigint
);
CREATE INDEX sales_order ON sales(order_id);
CREATE INDEX sales_product_day ON sales(product_id, day);
CREATE INDEX sales_ordered_at ON sales(ordered_at);

CREATE SEQUENCE inventory_count_seq_seq;
CREATE TABLE inventory (
    product_id     bigint PRIMARY KEY REFERENCES products(product_id),
    on_hand        bigint NOT NULL,
    counted_at     {_T} NOT NULL CHECK (substr(counted_at, 1, 10) {_DAY}),
    lead_time_days bigint NOT NULL DEFAULT 7 CHECK (lead_time_days > 0),
    reorder_point  bigint CHECK (reorder_point IS NULL OR reorder_point >= 0),
    count_seq      bigint NOT NULL DEFAULT 0
);
CREATE INDEX inventory_count_seq ON inventory(count_seq);
CREATE FUNCTION inventory_next_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.count_seq := nextval('inventory_count_seq_seq');
    RETURN NEW;
END $$;
CREATE TRIGGER inventory_counted BEFORE INSERT ON inventory
    FOR EACH ROW EXECUTE FUNCTION inventory_next_count();
CREATE TRIGGER inventory_recounted BEFORE UPDATE OF on_hand, counted_at, lead_time_days, reorder_point ON inventory
    FOR EACH ROW EXECUTE FUNCTION inventory_next_count();

CREATE TABLE alerts (
    alert_id        bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    created_at      {_T} NOT NULL,
    product_id      bigint NOT NULL REFERENCES products(product_id),
    sku             {_T} NOT NULL,
    product_name    {_T} NOT NULL,
    status          {_T} NOT NULL CHECK (status IN ('LOW', 'OUT')),
    on_hand         bigint NOT NULL,
    days_of_cover   double precision,
    suggested_qty   bigint NOT NULL CHECK (suggested_qty >= 0),
    acknowledged_at {_T},
    reorder_point   bigint CHECK (reorder_point IS NULL OR reorder_point >= 0)
);
CREATE INDEX alerts_product ON alerts(product_id, alert_id);

CREATE TABLE stall_alerts (
    alert_id         bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    created_at       {_T} NOT NULL,
    since            {_T} NOT NULL,
    until            {_T} NOT NULL,
    window_minutes   bigint NOT NULL CHECK (window_minutes > 0),
    observed_orders  bigint NOT NULL CHECK (observed_orders >= 0),
    expected_orders  double precision NOT NULL CHECK (expected_orders >= 0),
    p_value          double precision NOT NULL CHECK (p_value BETWEEN 0 AND 1),
    last_order_at    {_T},
    resumed_at       {_T}
);

-- The live monitor's horizon (store/pg/live.py, docs/scale.md "The monitor on PostgreSQL"): ids from a
-- sequence can commit out of order, so before a statement writing numbered rows draws its first number,
-- its transaction takes a shared advisory lock whose second key is the sequence's last value then (its
-- low 32 bits): any reader sees in pg_locks, until the writer ends, that rows numbered above it may still
-- appear. Shared locks never wait for each other: writers are not held up.
CREATE FUNCTION live_writer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared(
        hashtext(TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME),
        coalesce(pg_sequence_last_value(format('%I.%I', TG_TABLE_SCHEMA, TG_ARGV[0])::regclass), 0)::bit(32)::int4);
    RETURN NULL;
END $$;
CREATE TRIGGER sales_live_writer BEFORE INSERT ON sales
    FOR EACH STATEMENT EXECUTE FUNCTION live_writer('sales_sale_id_seq');
CREATE TRIGGER inventory_live_writer BEFORE INSERT OR UPDATE ON inventory
    FOR EACH STATEMENT EXECUTE FUNCTION live_writer('inventory_count_seq_seq');

CREATE TABLE meta (
    key   {_T} PRIMARY KEY,
    value {_T} NOT NULL
);

CREATE TABLE order_totals (
    order_id      {_T} PRIMARY KEY,
    day           {_T} NOT NULL,
    customers     bigint NOT NULL CHECK (customers >= 0),
    lines         bigint NOT NULL,
    units         bigint NOT NULL,
    net_cents     bigint NOT NULL,
    gross_cents   bigint NOT NULL,
    returns_cents bigint NOT NULL,
    last_day      {_T} NOT NULL DEFAULT '',
    is_order      bigint NOT NULL DEFAULT 1 CHECK (is_order IN (0, 1))
);
CREATE INDEX order_totals_day ON order_totals(day, is_order, customers, last_day);

CREATE TABLE order_customers (
    order_id      {_T} NOT NULL,
    customer_id   bigint NOT NULL,
    day           {_T} NOT NULL,
    lines         bigint NOT NULL,
    units         bigint NOT NULL,
    net_cents     bigint NOT NULL,
    is_order      bigint NOT NULL DEFAULT 1 CHECK (is_order IN (0, 1)),
    PRIMARY KEY (order_id, customer_id)
);
CREATE INDEX order_customers_day ON order_customers(day, customer_id);
CREATE INDEX order_customers_customer ON order_customers(customer_id, day);

CREATE TABLE agg_product_day (
    day           {_T} NOT NULL,
    product_id    bigint NOT NULL,
    lines         bigint NOT NULL,
    units         bigint NOT NULL,
    net_cents     bigint NOT NULL,
    gross_cents   bigint NOT NULL,
    returns_cents bigint NOT NULL,
    PRIMARY KEY (day, product_id)
);
CREATE INDEX agg_product_day_product ON agg_product_day(product_id, day);

CREATE TABLE agg_category_day (
    day           {_T} NOT NULL,
    category_id   bigint NOT NULL,
    units         bigint NOT NULL,
    net_cents     bigint NOT NULL,
    PRIMARY KEY (day, category_id)
);

CREATE TABLE agg_day (
    day           {_T} PRIMARY KEY,
    lines         bigint NOT NULL,
    units         bigint NOT NULL,
    net_cents     bigint NOT NULL,
    gross_cents   bigint NOT NULL,
    returns_cents bigint NOT NULL,
    orders        bigint NOT NULL,
    guest_orders  bigint NOT NULL
);

CREATE TABLE agg_customer (
    customer_id   bigint PRIMARY KEY,
    orders        bigint NOT NULL,
    units         bigint NOT NULL,
    net_cents     bigint NOT NULL,
    first_day     {_T} NOT NULL,
    last_day      {_T} NOT NULL
);
CREATE INDEX agg_customer_spend ON agg_customer(net_cents DESC, first_day, customer_id);

CREATE TABLE agg_customer_base (
    id          bigint PRIMARY KEY CHECK (id = 1),
    customers   bigint NOT NULL,
    base_cents  bigint NOT NULL
);
INSERT INTO agg_customer_base VALUES (1, 0, 0);
CREATE FUNCTION agg_customer_base_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE agg_customer_base SET customers = customers - o.n, base_cents = base_cents - o.base
        FROM (SELECT count(*) AS n, coalesce(sum(greatest(net_cents, 0)), 0) AS base FROM old_rows) o;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE agg_customer_base SET customers = customers + n.n, base_cents = base_cents + n.base
        FROM (SELECT count(*) AS n, coalesce(sum(greatest(net_cents, 0)), 0) AS base FROM new_rows) n;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER agg_customer_base_add AFTER INSERT ON agg_customer REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION agg_customer_base_keep();
CREATE TRIGGER agg_customer_base_remove AFTER DELETE ON agg_customer REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION agg_customer_base_keep();
CREATE TRIGGER agg_customer_base_change AFTER UPDATE ON agg_customer
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION agg_customer_base_keep();

CREATE TABLE agg_cohort_month (
    cohort      {_T} NOT NULL,
    month       {_T} NOT NULL,
    active      bigint NOT NULL CHECK (active >= 0),
    net_cents   bigint NOT NULL,
    PRIMARY KEY (cohort, month)
);

INSERT INTO schema_version VALUES ({CREATED_VERSION});
""" + _REFERENCES

# PostgreSQL forms of the SQLite migrations after CREATED_VERSION: {target version: SQL}, applied in order.
MIGRATIONS: dict[int, str] = {}
LATEST = max([CREATED_VERSION, *MIGRATIONS])
assert LATEST <= SCHEMA_VERSION
