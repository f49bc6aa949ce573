"""The same business questions as shopintel's reports, asked of DuckDB over the raw order
lines (the benchmark's yardstick). Table `lines` holds the flat CSV as loaded; `stock` the
stock counts. Amounts are computed from the raw columns in each query, as a user would."""

from __future__ import annotations

NET = "round(quantity * unit_price * (1 - coalesce(discount, 0)), 2)"
MERCH = "sku <> 'POST'"

QUERIES: dict[str, str] = {
    "summary": f"""
        WITH l AS (SELECT *, {NET} AS net FROM lines),
             c AS (SELECT customer_id, sum(net) AS spend FROM l WHERE customer_id IS NOT NULL GROUP BY 1),
             r AS (SELECT spend, row_number() OVER (ORDER BY spend DESC) AS rk, count(*) OVER () AS n,
                          sum(spend) OVER () AS tot FROM c)
        SELECT (SELECT sum(net) FROM l), (SELECT sum(net) FILTER (WHERE quantity > 0) FROM l),
               (SELECT -sum(net) FILTER (WHERE quantity < 0) FROM l),
               (SELECT count(DISTINCT order_id) FROM l), (SELECT count(*) FROM c),
               (SELECT count(DISTINCT order_id) FILTER (WHERE customer_id IS NULL) FROM l),
               (SELECT sum(quantity) FILTER (WHERE {MERCH}) FROM l),
               (SELECT min(ordered_at)::DATE FROM l), (SELECT max(ordered_at)::DATE FROM l),
               (SELECT sum(spend) FILTER (WHERE rk <= greatest(1, ceil(n * 0.01))) / any_value(tot) FROM r),
               (SELECT sum(spend) FILTER (WHERE rk <= greatest(1, ceil(n * 0.20))) / any_value(tot) FROM r)
    """,
    "whales": f"""
        WITH c AS (SELECT customer_id, any_value(customer_name) AS name, count(DISTINCT order_id) AS orders,
                          sum(quantity) FILTER (WHERE {MERCH}) AS units, sum({NET}) AS spend,
                          min(ordered_at)::DATE AS first_order, max(ordered_at)::DATE AS last_order
                   FROM lines WHERE customer_id IS NOT NULL GROUP BY 1)
        SELECT row_number() OVER (ORDER BY spend DESC, customer_id) AS rank, *, spend / orders AS aov,
               spend / sum(spend) OVER () AS share,
               sum(spend) OVER (ORDER BY spend DESC, customer_id) / sum(spend) OVER () AS cumulative_share
        FROM c ORDER BY spend DESC, customer_id LIMIT 20
    """,
    "top-sellers": f"""
        WITH asof_day AS (SELECT max(ordered_at)::DATE AS d FROM lines),
             w AS (SELECT sku, any_value(product_name) AS product_name, any_value(category) AS category,
                          sum(quantity) FILTER (WHERE ordered_at::DATE > (SELECT d FROM asof_day) - 28) AS units,
                          sum({NET}) FILTER (WHERE ordered_at::DATE > (SELECT d FROM asof_day) - 28) AS revenue,
                          sum(quantity) FILTER (WHERE ordered_at::DATE <= (SELECT d FROM asof_day) - 28
                                                  AND ordered_at::DATE > (SELECT d FROM asof_day) - 56) AS previous_units
                   FROM lines WHERE {MERCH} AND ordered_at::DATE > (SELECT d FROM asof_day) - 56 GROUP BY sku)
        SELECT *, units / 4.0 AS units_per_week, units / nullif(previous_units, 0) - 1 AS trend
        FROM w WHERE units / 4.0 > 3 ORDER BY units DESC, sku
    """,
    "categories": f"""
        WITH c AS (SELECT category, sum({NET}) AS revenue FROM lines GROUP BY 1)
        SELECT category, revenue, revenue / sum(revenue) OVER () AS share FROM c ORDER BY revenue DESC
    """,
    "revenue": f"""
        WITH d AS (SELECT ordered_at::DATE AS day, sum({NET}) AS revenue, count(DISTINCT order_id) AS orders,
                          sum(quantity) FILTER (WHERE {MERCH}) AS units FROM lines GROUP BY 1),
             cal AS (SELECT unnest(range((SELECT min(day) FROM d), (SELECT max(day) FROM d) + 1, INTERVAL 1 DAY))::DATE AS day)
        SELECT cal.day, coalesce(revenue, 0) AS revenue, coalesce(orders, 0), coalesce(units, 0),
               avg(coalesce(revenue, 0)) OVER (ORDER BY cal.day ROWS BETWEEN 6 PRECEDING AND CURRENT ROW)
        FROM cal LEFT JOIN d USING (day) ORDER BY cal.day
    """,
    "reorder": f"""
        WITH asof_day AS (SELECT max(ordered_at)::DATE AS d FROM lines),
             daily AS (SELECT sku, ordered_at::DATE AS day, sum(quantity) AS units FROM lines
                       WHERE {MERCH} AND ordered_at::DATE > (SELECT d FROM asof_day) - 28 GROUP BY 1, 2),
             v AS (SELECT sku, sum(units) / 28.0 AS mean, sum(units * units) / 28.0 AS sq FROM daily GROUP BY 1),
             sold AS (SELECT l.sku, sum(l.quantity) AS after FROM lines l JOIN stock s USING (sku)
                      WHERE l.ordered_at > s.counted_at GROUP BY 1)
        SELECT s.sku, s.on_hand - coalesce(sold.after, 0) AS on_hand, v.mean * 7 AS units_per_week,
               (s.on_hand - coalesce(sold.after, 0)) / nullif(v.mean, 0) AS days_of_cover,
               s.lead_time_days, v.mean * s.lead_time_days
                   + 1.645 * sqrt(greatest(v.sq - v.mean * v.mean, 0)) * sqrt(s.lead_time_days) AS reorder_point
        FROM stock s JOIN v USING (sku) LEFT JOIN sold USING (sku)
        WHERE v.mean * 7 > 3 ORDER BY days_of_cover
    """,
    "segments": f"""
        WITH asof_day AS (SELECT max(ordered_at)::DATE AS d FROM lines),
             c AS (SELECT customer_id, (SELECT d FROM asof_day) - max(ordered_at)::DATE AS recency,
                          count(DISTINCT order_id) AS frequency, sum({NET}) AS monetary
                   FROM lines WHERE customer_id IS NOT NULL GROUP BY 1),
             s AS (SELECT *, 6 - ntile(5) OVER (ORDER BY recency) AS r, ntile(5) OVER (ORDER BY frequency) AS f,
                          ntile(5) OVER (ORDER BY monetary) AS m FROM c),
             g AS (SELECT *, CASE WHEN r >= 4 AND f >= 4 AND m >= 4 THEN 'Champions'
                                  WHEN r >= 3 AND f >= 3 THEN 'Loyal Customers'
                                  WHEN r >= 4 AND f <= 1 THEN 'New Customers'
                                  WHEN r >= 3 AND f <= 3 THEN 'Potential Loyalist'
                                  WHEN r = 3 THEN 'Need Attention'
                                  WHEN r <= 2 AND f >= 4 THEN 'Can''t Lose Them'
                                  WHEN r <= 2 AND f >= 2 THEN 'At Risk'
                                  WHEN r = 2 THEN 'About To Sleep'
                                  ELSE 'Lost' END AS segment FROM s)
        SELECT segment, count(*), sum(monetary), median(recency), median(frequency), median(monetary)
        FROM g GROUP BY 1 ORDER BY 3 DESC
    """,
    "cohorts": f"""
        WITH l AS (SELECT customer_id, ordered_at::DATE AS d, {NET} AS net FROM lines WHERE customer_id IS NOT NULL),
             f AS (SELECT customer_id, date_trunc('month', min(d)) AS cohort FROM l GROUP BY 1),
             s AS (SELECT cohort, count(*) AS customers FROM f GROUP BY 1),
             a AS (SELECT f.cohort, date_trunc('month', l.d) AS month, count(DISTINCT l.customer_id) AS active,
                          sum(l.net) AS revenue FROM l JOIN f USING (customer_id) GROUP BY 1, 2),
             m AS (SELECT cohort, customers,
                          unnest(range(0, datediff('month', cohort, (SELECT date_trunc('month', max(d)) FROM l)) + 1))
                              AS months_since FROM s)
        SELECT strftime(m.cohort, '%Y-%m') AS cohort, m.months_since, m.customers, coalesce(a.active, 0) AS active,
               coalesce(a.active, 0) / m.customers AS retention, coalesce(a.revenue, 0) AS revenue
        FROM m LEFT JOIN a ON a.cohort = m.cohort AND a.month = m.cohort + to_months(m.months_since)
        ORDER BY 1, 2
    """,
}
