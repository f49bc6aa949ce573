"""`shopintel report` end to end: formats, exact JSON keys, errors, and a real export imported with --map
compared with an independent pandas computation."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import pytest

from tests.conftest import shopintel
from tests.reports.conftest import TINY
from tests.frames import bought_orders

KEYS = {
    "summary": ["revenue", "gross_revenue", "returns", "orders", "customers", "guest_orders", "units", "aov",
                "first_date", "last_date", "top_1pct_share", "top_20pct_share"],
    "whales": ["rank", "customer_id", "customer_name", "orders", "units", "spend", "aov", "first_order",
               "last_order", "share", "cumulative_share"],
    "top-sellers": ["sku", "product_name", "category", "units", "units_per_week", "revenue", "previous_units", "trend"],
    "categories": ["category", "revenue", "share", "previous_revenue", "growth", "growth_contribution", "driver"],
    "revenue": ["period", "revenue", "orders", "units", "moving_average"],
    "reorder": ["sku", "product_name", "category", "on_hand", "units_per_week", "days_of_cover", "lead_time_days",
                "reorder_point", "suggested_qty", "status"],
    "segments": ["segment", "customers", "revenue", "share", "median_recency_days", "median_orders", "median_spend"],
    "cohorts": ["cohort", "months_since", "customers", "active", "retention", "revenue"],
}


@pytest.fixture(scope="module")
def shop(module_store, tmp_path_factory):
    """The tiny store with a stock count, on each backend, shared by the tests that only read it."""
    store = module_store
    tiny = tmp_path_factory.mktemp("tiny") / "tiny.csv"
    tiny.write_text(TINY, encoding="utf-8")
    r = shopintel("ingest", str(tiny), *store.db)
    assert r.returncode == 0, r.stderr
    r = shopintel("stock", "set", "MUG", "3", *store.db)
    assert r.returncode == 0, r.stderr
    return store


@pytest.mark.parametrize("name", list(KEYS))
def test_json_has_exactly_the_documented_keys(cli, shop, name):
    extra = ["--all"] if name == "reorder" else (["--min-per-week", "0"] if name == "top-sellers" else [])
    r = cli("report", name, "--db", str(shop), "--format", "json", *extra)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    rows = [data] if name == "summary" else data
    assert rows, "expected at least one row"
    for row in rows:
        assert list(row) == KEYS[name]


def test_money_is_rounded_to_cents_and_dates_are_iso(cli, shop):
    data = json.loads(cli("report", "whales", "--db", str(shop), "--format", "json").stdout)
    assert data[0]["spend"] == 150.0 and data[0]["first_order"] == "2024-03-08"
    assert isinstance(data[0]["orders"], int)


def test_table_has_a_caption_with_period_and_as_of(cli, shop):
    r = cli("report", "whales", "--db", str(shop), "--since", "2024-03-02")
    assert r.returncode == 0
    assert "2024-03-02 .. 2024-03-10" in r.stdout and "as of 2024-03-10" in r.stdout
    assert "Cy" in r.stdout


@pytest.fixture(scope="module")
def shop_db(tmp_path_factory):
    """A synthetic shop with stock: shares with many decimals, fractional medians, ratios."""
    from datetime import date

    from shopintel.store import synth
    from shopintel.store.db import connect

    path = tmp_path_factory.mktemp("formats") / "shop.db"
    conn = connect(path)
    synth.build_store(conn, 3000, seed=7, end=date(2026, 6, 30))
    conn.close()
    return path


@pytest.mark.parametrize("name", [*KEYS, "basket", "abc-xyz"])
def test_csv_and_json_write_the_same_values_by_one_rule(cli, shop_db, name):
    """Money to the cent, shares and ratios to 4 decimals, other measures to 2, counts as integers: the
    same values in CSV as in JSON (docs/reports.md)."""
    import csv
    import io

    from shopintel.reports.registry import column_kinds

    extra = ["--min-per-week", "0"] if name in ("top-sellers", "reorder") else []
    got = json.loads(cli("report", name, "--format", "json", "--db", str(shop_db), *extra).stdout)
    records = [got] if isinstance(got, dict) else got
    text = cli("report", name, "--format", "csv", "--db", str(shop_db), *extra).stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    assert records and len(rows) == len(records)
    kinds = column_kinds()
    for record, row in zip(records, rows):
        for key, value in record.items():
            written = row[key]
            assert written == ("" if value is None else json.dumps(value) if not isinstance(value, str) else value)
            if value is None or isinstance(value, (str, bool)):
                continue
            kind = kinds[key].kind
            places = {"money": 2, "share": 4, "change": 4, "ratio": 4, "decimal": 2}.get(kind)
            if kind == "count":
                assert type(value) is int, (key, value)
            elif places is not None:
                assert round(value, places) == value and "e" not in written, (key, value)


def test_csv_output(cli, shop):
    r = cli("report", "categories", "--db", str(shop), "--format", "csv")
    lines = r.stdout.strip().splitlines()
    assert lines[0] == ",".join(KEYS["categories"])
    assert lines[1].startswith("Outdoor,190.0")


@pytest.mark.parametrize("name", ["revenue", "categories", "top-sellers"])
def test_plot_output_is_text(cli, shop, name):
    r = cli("report", name, "--db", str(shop), "--format", "plot",
            *(["--min-per-week", "0"] if name == "top-sellers" else []))
    assert r.returncode == 0, r.stderr
    assert "\x1b[" not in r.stdout            # piped: no colour codes
    assert "┤" in r.stdout or "█" in r.stdout  # a line chart's axis, or bars


@pytest.mark.parametrize("args,needle", [
    (["report", "nope"], "unknown report"),
    (["report", "whales", "--since", "2024-02-30"], "not a date"),
    (["report", "top-sellers", "--category", "Nope"], "unknown category"),
    (["report", "summary", "--format", "plot"], "--format plot"),
    (["report", "whales", "--grain", "week"], "--grain applies to revenue; not to whales"),
    (["report", "summary", "--limit", "3"], "--limit applies to the reports that list rows"),
    (["report", "summary", "--category", "Outdoor"], "--category applies to top-sellers, categories, revenue, reorder"),
])
def test_errors_are_one_line_exit_2(cli, shop, args, needle):
    r = cli(*args, "--db", str(shop))
    assert r.returncode == 2
    assert needle in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_empty_period_says_so_and_exits_0(cli, shop):
    r = cli("report", "whales", "--db", str(shop), "--since", "2030-01-01", "--until", "2030-02-01")
    assert r.returncode == 0 and "no rows in this period" in r.stdout


@pytest.mark.parametrize("name", [name for name in KEYS if name not in ("top-sellers", "reorder")])
def test_a_period_after_the_latest_sale_is_one_clear_line_exit_0(cli, shop, name):
    line = f"{name}: no sales after 2024-03-10 (the latest sale); pick an earlier --since"
    r = cli("report", name, "--db", str(shop), "--since", "2030-01-01")
    assert r.returncode == 0 and r.stdout.strip() == line and r.stderr == ""
    # JSON stays data (nothing in the period) and the reason goes to stderr
    r = cli("report", name, "--db", str(shop), "--since", "2030-01-01", "--format", "json")
    data = json.loads(r.stdout)
    assert r.returncode == 0 and r.stderr.strip() == line
    assert data["orders"] == 0 if name == "summary" else data == []


def test_the_trailing_window_reports_are_not_told_they_are_empty_by_a_late_since(cli, shop):
    r = cli("report", "top-sellers", "--db", str(shop), "--since", "2030-01-01", "--min-per-week", "0")
    assert r.returncode == 0 and "trailing 28 days to 2024-03-10" in r.stdout and "MUG" in r.stdout
    assert "no sales after" not in r.stdout + r.stderr


def test_injection_strings_are_just_values(cli, shop):
    evil = "'; DROP TABLE sales; --"
    r = cli("report", "top-sellers", "--db", str(shop), "--category", evil)
    assert r.returncode == 2 and "unknown category" in r.stderr
    r = cli("report", "segments", "--db", str(shop), "--customers", evil)
    assert r.returncode == 2
    r = cli("report", "summary", "--db", str(shop), "--format", "json")
    assert json.loads(r.stdout)["orders"] == 6   # the tiny store's 7 order ids less R1, only a return


def test_real_export_with_map_agrees_with_pandas_to_the_cent(cli, store, tmp_path):
    """A flat export in someone else's layout, imported with --map, against pandas + Decimal."""
    raw = pd.read_csv("data/sample_orders.csv", dtype=str, keep_default_na=False)
    theirs = raw.rename(columns={"order_id": "Invoice Number", "ordered_at": "Order Date", "customer_id": "Client ID",
                                 "sku": "Item", "quantity": "Qty", "unit_price": "Price Each", "discount": "Disc"})
    path = tmp_path / "export.csv"
    theirs.to_csv(path, index=False)
    r = cli("ingest", str(path), *store.db, "--map", "order_id=Invoice Number", "--map",
            "ordered_at=Order Date", "--map", "customer_id=Client ID", "--map", "sku=Item", "--map", "quantity=Qty",
            "--map", "unit_price=Price Each", "--map", "discount=Disc")
    assert r.returncode == 0, r.stderr

    def net(row) -> Decimal:
        gross = Decimal(row.quantity) * Decimal(row.unit_price)
        cut = (gross * 1_000_000 * Decimal(row.discount or "0")).to_integral_value(ROUND_HALF_UP) / 1_000_000
        return (gross - cut).quantize(Decimal("0.01"), ROUND_HALF_UP)

    raw["net"] = [net(x) for x in raw.itertuples()]
    summary = json.loads(cli("report", "summary", *store.db, "--format", "json").stdout)
    assert Decimal(str(summary["revenue"])) == sum(raw["net"])
    assert summary["orders"] == len(bought_orders(raw))
    assert summary["customers"] == raw.loc[(raw["customer_id"] != "") & raw["order_id"].isin(bought_orders(raw)),
                                           "customer_id"].nunique()
    named = raw[raw["customer_id"] != ""]
    spend = named.groupby("customer_id")["net"].sum().sort_values(ascending=False)
    whales = json.loads(cli("report", "whales", *store.db, "--format", "json", "--limit", "5").stdout)
    assert [Decimal(str(w["spend"])) for w in whales] == list(spend.iloc[:5])
    cats = json.loads(cli("report", "categories", *store.db, "--format", "json").stdout)
    by_cat = raw.groupby("category")["net"].sum()
    for c in cats:
        assert Decimal(str(c["revenue"])) == by_cat[c["category"]]
    days = json.loads(cli("report", "revenue", *store.db, "--format", "json").stdout)
    assert sum(Decimal(str(d["revenue"])) for d in days) == sum(raw["net"])


@pytest.mark.parametrize("name", list(KEYS))
def test_empty_store_is_an_empty_answer_exit_0(cli, store, name):
    from shopintel.store.db import connect

    store.connect().close()
    table = cli("report", name, *store.db)
    assert table.returncode == 0, table.stderr
    assert "no sales yet" in table.stdout
    data = json.loads(cli("report", name, *store.db, "--format", "json").stdout)
    assert data == [] if name != "summary" else data["orders"] == 0


def test_plot_of_an_empty_period_prints_the_caption(cli, shop):
    r = cli("report", "revenue", "--db", str(shop), "--since", "2030-01-01", "--until", "2030-01-31",
            "--format", "plot")
    assert r.returncode == 0 and "no rows in this period" in r.stdout


def test_caption_is_one_line_even_under_a_narrow_table(cli, shop):
    r = cli("report", "summary", "--db", str(shop), "--since", "2024-03-02")
    assert "summary: 2024-03-02 .. 2024-03-10 · as of 2024-03-10" in r.stdout


def test_markup_in_data_is_printed_as_text(cli, store, write_csv):
    path = write_csv("order_id,ordered_at,customer_id,customer_name,sku,product_name,quantity,unit_price\n"
                     "1,2024-01-01,C1,[bold]Eve[/bold],S1,[/b],20,5\n")
    assert cli("ingest", str(path), *store.db).returncode == 0
    assert "[bold]Eve[/bold]" in cli("report", "whales", *store.db).stdout
    assert "[/b]" in cli("report", "top-sellers", *store.db).stdout


@pytest.mark.parametrize("name", ["summary", "whales", "top-sellers", "categories", "revenue"])
def test_a_json_report_that_is_a_sql_aggregate_loads_neither_pandas_nor_rich(shop, name):
    """Whole-process speed: these reports are SQL plus a little Python, and JSON needs no table renderer."""
    import subprocess
    import sys

    code = ("import sys\nfrom shopintel.tui.cli import main\n"
            f"main(['report', {name!r}, '--format', 'json', '--db', {str(shop)!r}])\n"
            "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('pandas', 'numpy', 'pyarrow', 'rich', 'textual', 'plotext'))), file=sys.stderr)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(r.stdout)
    assert r.stderr.strip() == ""
