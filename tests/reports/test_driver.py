"""The growth driver is the largest push in the direction the shop moved: hand-made stores whose
contributions are worked out by hand (previous span 2025-12-22 .. 12-31, period 2026-01-01 .. 01-10)."""

from __future__ import annotations

import json

import pytest

HEADER = "order_id,ordered_at,customer_id,customer_name,sku,product_name,category,quantity,unit_price\n"


def shop_csv(before: dict[str, int], after: dict[str, int]) -> str:
    """One order a category in each span, `amount` units at 1.00 (so revenue = amount)."""
    lines = [HEADER]
    for span, day, amounts in (("P", "2025-12-26", before), ("N", "2026-01-05", after)):
        for i, (category, amount) in enumerate(amounts.items()):
            lines.append(f"{span}{i},{day} 10:00,C{i},Cust {i},{category[:3].upper()},{category} thing,{category},"
                         f"{amount},1.00\n")
    return "".join(lines)


@pytest.fixture
def categories_of(cli, store, write_csv):
    def run(before: dict[str, int], after: dict[str, int]) -> dict[str, dict]:
        r = cli("ingest", str(write_csv(shop_csv(before, after))), *store.db)
        assert r.returncode == 0, r.stderr
        r = cli("report", "categories", *store.db, "--since", "2026-01-01", "--until", "2026-01-10",
                "--format", "json")
        assert r.returncode == 0, r.stderr
        return {row["category"]: row for row in json.loads(r.stdout)}

    return run


def drivers(rows: dict[str, dict]) -> list[str]:
    return [name for name, row in rows.items() if row["driver"]]


def test_when_every_category_fell_the_driver_is_the_largest_fall(categories_of):
    # previous 1000: Beauty 100 -> 97 (-0.3 points), Lighting 200 -> 181 (-1.9), Kitchen 700 -> 690 (-1.0)
    rows = categories_of({"Beauty": 100, "Lighting": 200, "Kitchen": 700}, {"Beauty": 97, "Lighting": 181, "Kitchen": 690})
    assert rows["Lighting"]["growth_contribution"] == pytest.approx(-0.019)
    assert rows["Beauty"]["growth_contribution"] == pytest.approx(-0.003)
    assert drivers(rows) == ["Lighting"]


def test_a_category_that_grew_while_the_shop_fell_is_not_the_driver(categories_of):
    # previous 1000: Beauty 100 -> 150 (+5.0), Lighting 200 -> 120 (-8.0), Kitchen 700 -> 690 (-1.0); total -4.0
    rows = categories_of({"Beauty": 100, "Lighting": 200, "Kitchen": 700}, {"Beauty": 150, "Lighting": 120, "Kitchen": 690})
    assert drivers(rows) == ["Lighting"]


def test_when_the_shop_grew_the_driver_is_the_largest_rise(categories_of):
    # previous 1000: Beauty 100 -> 103 (+0.3), Lighting 200 -> 181 (-1.9), Kitchen 700 -> 750 (+5.0); total +3.4
    rows = categories_of({"Beauty": 100, "Lighting": 200, "Kitchen": 700}, {"Beauty": 103, "Lighting": 181, "Kitchen": 750})
    assert drivers(rows) == ["Kitchen"]


def test_a_flat_total_has_no_driver(categories_of):
    # previous 1000: Lighting 200 -> 190 (-1.0), Kitchen 800 -> 810 (+1.0); total 0
    rows = categories_of({"Lighting": 200, "Kitchen": 800}, {"Lighting": 190, "Kitchen": 810})
    assert rows["Kitchen"]["growth_contribution"] == pytest.approx(0.01)
    assert drivers(rows) == []


@pytest.mark.parametrize("after, expected", [(90, ["Kitchen"]), (110, ["Kitchen"]), (100, [])])
def test_one_category_drives_whichever_way_it_moved(categories_of, after, expected):
    rows = categories_of({"Kitchen": 100}, {"Kitchen": after})
    assert drivers(rows) == expected
