"""The kept aggregates on PostgreSQL (store/aggregates.py explains each table and its rules).

For now every write recomputes every kept table from all the order lines, inside the writer's
transaction: always correct, but its cost grows with the store (SQLite refreshes only the keys a write
touched). Incremental upkeep is the next step (docs/scale.md). The queries are the SQLite ones written
for PostgreSQL: flags as `CASE ... THEN 1 ELSE 0 END` (booleans are not integers here), `CASE WHEN
is_order = 1`, and the per-day order counts grouped once instead of a correlated count per day.
agg_customer_base follows agg_customer by its statement triggers (store/pg/schema.py).
"""

from __future__ import annotations

_BOUGHT = "CASE WHEN s.quantity > 0 THEN 1 ELSE 0 END"

REBUILD = (
    "DELETE FROM order_totals",
    "DELETE FROM order_customers",
    "DELETE FROM agg_cohort_month",
    "DELETE FROM agg_customer",
    "DELETE FROM agg_category_day",
    "DELETE FROM agg_day",
    "DELETE FROM agg_product_day",
    f"""INSERT INTO order_totals
        SELECT s.order_id, min(s.day), count(DISTINCT s.customer_id), count(*), sum(s.quantity * p.is_merch),
               sum(s.net_cents), sum(CASE WHEN s.quantity > 0 THEN s.net_cents ELSE 0 END),
               sum(CASE WHEN s.quantity < 0 THEN -s.net_cents ELSE 0 END), max(s.day), max({_BOUGHT})
        FROM sales s JOIN products p USING (product_id) GROUP BY s.order_id""",
    f"""INSERT INTO order_customers
        SELECT g.order_id, g.customer_id, o.day, g.lines, g.units, g.net_cents, g.is_order
        FROM (SELECT s.order_id, s.customer_id, count(*) AS lines, sum(s.quantity * p.is_merch) AS units,
                     sum(s.net_cents) AS net_cents, max({_BOUGHT}) AS is_order
              FROM sales s JOIN products p USING (product_id) WHERE s.customer_id IS NOT NULL
              GROUP BY s.order_id, s.customer_id) g
        JOIN order_totals o USING (order_id)""",
    # keyed by the order's day, not the line's (one day rule: an order over midnight counts on its first day)
    """INSERT INTO agg_product_day
        SELECT o.day, s.product_id, count(*), sum(s.quantity), sum(s.net_cents),
               sum(CASE WHEN s.quantity > 0 THEN s.net_cents ELSE 0 END),
               sum(CASE WHEN s.quantity < 0 THEN -s.net_cents ELSE 0 END)
        FROM sales s JOIN order_totals o USING (order_id) GROUP BY o.day, s.product_id""",
    """INSERT INTO agg_category_day
        SELECT a.day, p.category_id, sum(a.units), sum(a.net_cents)
        FROM agg_product_day a JOIN products p USING (product_id) GROUP BY a.day, p.category_id""",
    """INSERT INTO agg_day
        SELECT a.day, sum(a.lines), sum(a.units * p.is_merch), sum(a.net_cents), sum(a.gross_cents),
               sum(a.returns_cents), coalesce(min(oc.n), 0), coalesce(min(oc.g), 0)
        FROM agg_product_day a JOIN products p USING (product_id)
        LEFT JOIN (SELECT day, count(*) FILTER (WHERE is_order = 1) AS n,
                          count(*) FILTER (WHERE is_order = 1 AND customers = 0) AS g
                   FROM order_totals GROUP BY day) oc ON oc.day = a.day
        GROUP BY a.day""",
    """INSERT INTO agg_customer
        SELECT customer_id, sum(is_order), sum(units), sum(net_cents), min(CASE WHEN is_order = 1 THEN day END),
               max(CASE WHEN is_order = 1 THEN day END)
        FROM order_customers GROUP BY customer_id HAVING sum(is_order) > 0""",
    """INSERT INTO agg_cohort_month
        SELECT substr(a.first_day, 1, 7) AS cohort, m.month, sum(m.bought), sum(m.net_cents)
        FROM (SELECT customer_id, substr(day, 1, 7) AS month, max(is_order) AS bought, sum(net_cents) AS net_cents
              FROM order_customers GROUP BY customer_id, month) m
        JOIN agg_customer a USING (customer_id) GROUP BY 1, m.month
        HAVING sum(m.bought) > 0 OR sum(m.net_cents) != 0""",
)


def rebuild_all(raw) -> None:
    """Recompute every kept table from the lines (raw: a psycopg connection inside the write transaction)."""
    for statement in REBUILD:
        raw.execute(statement)
    raw.execute("ANALYZE order_totals, order_customers, agg_product_day, agg_day, agg_customer")
