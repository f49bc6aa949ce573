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
    "basket": f"""
        WITH held AS (SELECT DISTINCT order_id, sku FROM lines WHERE quantity > 0 AND {MERCH}),
             n AS (SELECT count(DISTINCT order_id) AS n FROM held),
             per AS (SELECT sku, count(*) AS k FROM held GROUP BY sku),
             pairs AS (SELECT a.sku AS sku_a, b.sku AS sku_b, count(*) AS orders FROM held a JOIN held b
                       ON a.order_id = b.order_id AND a.sku < b.sku GROUP BY 1, 2 HAVING count(*) >= 2),
             top AS (SELECT p.sku_a, p.sku_b, p.orders, p.orders / n.n AS support, p.orders / pa.k AS confidence_ab,
                            p.orders / pb.k AS confidence_ba, p.orders * n.n / (pa.k * pb.k) AS lift
                     FROM pairs p JOIN per pa ON pa.sku = p.sku_a JOIN per pb ON pb.sku = p.sku_b CROSS JOIN n
                     ORDER BY orders DESC, lift DESC, sku_a, sku_b LIMIT 20),
             names AS (SELECT sku, any_value(product_name) AS name FROM lines
                       WHERE sku IN (SELECT sku_a FROM top UNION SELECT sku_b FROM top) GROUP BY sku)
        SELECT t.sku_a, na.name AS product_a, t.sku_b, nb.name AS product_b, t.orders, t.support, t.confidence_ab,
               t.confidence_ba, t.lift
        FROM top t JOIN names na ON na.sku = t.sku_a JOIN names nb ON nb.sku = t.sku_b
        ORDER BY orders DESC, lift DESC, sku_a, sku_b
    """,
    # clv's data preparation: each customer's orders, spend, repeat order days, recency and tenure in days
    # (the model's fit then runs on these arrays in either case: bench.py times DuckDB's "clv" as this query
    # plus the same fit)
    "clv-prep": f"""
        WITH o AS (SELECT customer_id, order_id, min(ordered_at)::DATE AS day, bool_or(quantity > 0) AS bought,
                          sum({NET}) AS net
                   FROM lines WHERE customer_id IS NOT NULL GROUP BY 1, 2),
             asof_day AS (SELECT max(ordered_at)::DATE AS d FROM lines)
        SELECT customer_id, count(*) FILTER (WHERE bought) AS orders, sum(net) AS spend,
               count(DISTINCT day) FILTER (WHERE bought) - 1 AS frequency,
               max(day) FILTER (WHERE bought) - min(day) FILTER (WHERE bought) AS recency,
               (SELECT d FROM asof_day) - min(day) FILTER (WHERE bought) AS tenure
        FROM o GROUP BY 1 HAVING count(*) FILTER (WHERE bought) > 0 ORDER BY 1
    """,
    "abc-xyz": f"""
        WITH asof_day AS (SELECT max(ordered_at)::DATE AS d FROM lines),
             l AS (SELECT sku, product_name, category, quantity, {NET} AS net,
                          (SELECT d FROM asof_day) - ordered_at::DATE AS age
                   FROM lines WHERE {MERCH} AND ordered_at::DATE > (SELECT d FROM asof_day) - 364),
             p AS (SELECT sku, any_value(product_name) AS product_name, any_value(category) AS category,
                          sum(net) AS revenue FROM l GROUP BY sku HAVING sum(net) > 0),
             w AS (SELECT sku, age // 7 AS week, sum(quantity) AS units FROM l GROUP BY 1, 2),
             s AS (SELECT sku, sum(units) AS su, sum(units * units) AS sq FROM w GROUP BY 1),
             r AS (SELECT p.*, revenue / sum(revenue) OVER () AS share,
                          sum(revenue) OVER (ORDER BY revenue DESC, sku ROWS UNBOUNDED PRECEDING)
                              / sum(revenue) OVER () AS cumulative_share,
                          coalesce(s.su, 0) AS su, coalesce(s.sq, 0) AS sq FROM p LEFT JOIN s USING (sku))
        SELECT sku, product_name, category, revenue, share, cumulative_share,
               CASE WHEN cumulative_share - share < 0.8 THEN 'A' WHEN cumulative_share - share < 0.95 THEN 'B'
                    ELSE 'C' END AS abc,
               su / 52 AS mean_weekly_units, CASE WHEN su > 0 THEN sqrt(52 * sq - su * su) / su END AS cv,
               CASE WHEN su <= 0 THEN 'Z' WHEN 4 * (52 * sq - su * su) <= su * su THEN 'X'
                    WHEN 52 * sq - su * su <= su * su THEN 'Y' ELSE 'Z' END AS xyz
        FROM r ORDER BY revenue DESC, sku
    """,
}
