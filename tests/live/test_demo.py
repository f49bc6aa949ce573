"""`shopintel demo` is a believable shop: the simulated checkout sells at the shop's own pace (a
simulated day holds about as many orders as the shop's usual day), every demo starts from a fresh
store unless --keep, and a store of the user's own is never replaced by a demo."""

from __future__ import annotations

from datetime import datetime, time

import pytest

from tests.store.helpers import q


def sales(path) -> int:
    return q(path, "SELECT count(*) FROM sales")[0][0]


@pytest.fixture
def demo(cli, db_path):
    r = cli("demo", "--build-only", "--lines", "10000", "--db", str(db_path))
    assert r.returncode == 0, r.stderr
    return db_path


def test_the_checkout_fills_each_simulated_day_like_the_shops_usual_day(cli, demo):
    (latest_day,), = q(demo, "SELECT max(day) FROM agg_day")
    (mean,), = q(demo, "SELECT sum(orders) / 28.0 FROM agg_day WHERE day > date(?, '-28 days')", latest_day)
    history = q(demo, "SELECT day, orders FROM agg_day")
    (latest_sale,), = q(demo, "SELECT max(ordered_at) FROM sales")
    # a simulated day a second: two or three ticks, so at least one whole simulated day after the history
    r = cli("simulate", "--db", str(demo), "--speed", "86400", "--duration", "2", "--seed", "1", "--quiet")
    assert r.returncode == 0, r.stderr
    days = dict(q(demo, "SELECT day, orders FROM agg_day WHERE day > ?", latest_day))
    assert len(days) >= 2, days
    whole = sorted(days)[:-1]      # the last simulated day is still going
    for day in whole:
        assert 0.7 * mean <= days[day] <= 1.3 * mean, (day, days[day], mean)
    # the history is as it was, but for the rest of its last day (the clock starts at its latest sale,
    # which is now for a demo built now)
    after = dict(q(demo, "SELECT day, orders FROM agg_day WHERE day <= ?", latest_day))
    assert {d: n for d, n in history if d != latest_day} == {d: n for d, n in after.items() if d != latest_day}
    (first_simulated,), = q(demo, "SELECT min(ordered_at) FROM sales WHERE order_id LIKE 'SIM-%'")
    assert first_simulated > latest_sale
    clock = datetime.fromisoformat(latest_sale)
    rest_of_day = 1 - (clock - datetime.combine(clock.date(), time())).total_seconds() / 86400
    assert after[latest_day] - dict(history)[latest_day] <= 1.3 * rest_of_day * mean + 2


def test_every_demo_starts_fresh_and_keep_keeps(cli, demo):
    built = sales(demo)
    assert cli("simulate", "--db", str(demo), "--rate", "40", "--duration", "0", "--quiet").returncode == 0
    assert sales(demo) > built
    r = cli("demo", "--build-only", "--lines", "10000", "--db", str(demo))
    assert r.returncode == 0 and "built" in r.stdout, r.stderr
    assert sales(demo) == built                         # what the last checkout sold is gone
    assert cli("simulate", "--db", str(demo), "--rate", "40", "--duration", "0", "--quiet").returncode == 0
    sold = sales(demo)
    r = cli("demo", "--build-only", "--keep", "--lines", "10000", "--db", str(demo))
    assert r.returncode == 0 and "kept" in r.stdout, r.stderr
    assert sales(demo) == sold > built


def test_a_store_of_ones_own_is_never_replaced_by_a_demo(cli, db_path, write_csv):
    path = write_csv("order_id,ordered_at,sku,quantity,unit_price\nA1,2024-01-01,MUG,2,5.00\n")
    assert cli("ingest", str(path), "--db", str(db_path)).returncode == 0
    r = cli("demo", "--build-only", "--lines", "10000", "--db", str(db_path))
    assert r.returncode != 0 and "not a demo store" in r.stderr and "--db" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    assert sales(db_path) == 1


def test_the_checkout_sells_nothing_it_does_not_have(cli, demo):
    import json

    def stock() -> dict[str, int]:
        rows = json.loads(cli("report", "reorder", "--all", "--db", str(demo), "--format", "json").stdout)
        return {row["sku"]: row["on_hand"] for row in rows}

    top = json.loads(cli("report", "top-sellers", "--db", str(demo), "--format", "json", "--limit", "3").stdout)
    # two on hand each. The demo's history fills the whole of today, so what it sells after a count
    # made now comes off the count: count once, then again with that added back.
    for row in top:
        assert cli("stock", "set", row["sku"], "2", "--db", str(demo)).returncode == 0
    later_today = {row["sku"]: 2 - stock()[row["sku"]] for row in top}
    for row in top:
        assert cli("stock", "set", row["sku"], str(2 + later_today[row["sku"]]), "--db", str(demo)).returncode == 0
    before, sold = stock(), sales(demo)
    assert [before[row["sku"]] for row in top] == [2, 2, 2]
    r = cli("simulate", "--db", str(demo), "--speed", "86400", "--duration", "1", "--seed", "2", "--quiet")
    assert r.returncode == 0, r.stderr
    assert sales(demo) > sold                    # the shop kept selling ...
    after = stock()
    # ... but nothing below 0: a product sold out stays where it was, the others stop at 0
    assert all(after[sku] >= min(units, 0) for sku, units in before.items()), {
        sku: (units, after[sku]) for sku, units in before.items() if after[sku] < min(units, 0)}
    assert 0 in [after[row["sku"]] for row in top]      # and a fast mover did sell out


def test_the_demo_stock_counts_follow_what_each_product_sells(cli, demo):
    """A few fast movers out or near their reorder point (3 made to be out or nearly, 6 around it),
    the rest well covered: counts sized from each product's sales, not at random."""
    import json
    from collections import Counter

    rows = json.loads(cli("report", "reorder", "--db", str(demo), "--format", "json").stdout)
    status = Counter(row["status"] for row in rows)
    assert 1 <= status["OUT"] + status["LOW"] <= 9 < len(rows), status
    assert all(row["days_of_cover"] >= 30 for row in rows if row["status"] == "OK"), rows
