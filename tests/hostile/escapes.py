"""Terminal control sequences hidden in shop data, as a web shop's sign-up form lets anyone write them,
and the exports and stores that carry them (built through the real `shopintel` command line).

Shared by the command-line tests (tests/hostile/test_terminal_escapes.py), the app's Pilot tests
(tests/app/test_escapes.py) and the real-terminal check (tests/e2e/test_escapes.py). The rule under
test: every human-facing output shows a control character as `\\x` and two hex digits (ESC as `\\x1b`)
and never emits the character itself; JSON and CSV keep the exact text."""

from __future__ import annotations

import csv
import re
from pathlib import Path

OSC52 = "\x1b]52;c;cHduZWQ=\x07"     # writes "pwned" to the reader's clipboard
CLEAR = "\x1b[2J"                     # clears the screen
TITLE = "\x1b]2;pwned\x07"            # sets the window (and tmux pane) title
CSI8 = "\x9b2J"                       # C1 CSI: clears the screen on terminals that take 8-bit controls

CUSTOMER = f"Eve{OSC52}{CLEAR}"
CUSTOMER_ID = f"C{CLEAR}1"
EMAIL = f"eve{TITLE}@example.com"
COUNTRY = f"FR{CSI8}"
PRODUCT = f"[b]Mug[/b]{TITLE}{CSI8}"     # markup too: data is text, never markup
SKU = f"MUG{CLEAR}1"
CATEGORY = f"Kit{CLEAR}chen\x7f"      # DEL at the end
UNKNOWN_SKU = f"NOPE{OSC52}"

# what a reader sees instead (written out, not computed, so the rule itself is under test)
SHOWN = {
    CUSTOMER: "Eve\\x1b]52;c;cHduZWQ=\\x07\\x1b[2J",
    CUSTOMER_ID: "C\\x1b[2J1",
    EMAIL: "eve\\x1b]2;pwned\\x07@example.com",
    COUNTRY: "FR\\x9b2J",
    PRODUCT: "[b]Mug[/b]\\x1b]2;pwned\\x07\\x9b2J",
    SKU: "MUG\\x1b[2J1",
    CATEGORY: "Kit\\x1b[2Jchen\\x7f",
    UNKNOWN_SKU: "NOPE\\x1b]52;c;cHduZWQ=\\x07",
}

# a control character anywhere in output meant for a person (a newline ends a line; nothing else passes)
RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")

HEADER = ["order_id", "ordered_at", "customer_id", "customer_name", "email", "country", "sku", "product_name",
          "category", "quantity", "unit_price"]


def assert_shown_safely(output: str, *values: str) -> None:
    """No control character reaches the terminal, and each value is there in its visible form."""
    m = RAW_CONTROL.search(output)
    assert m is None, f"raw {m.group()!r} in the output: ...{output[max(0, m.start() - 60):m.end() + 60]!r}..."
    for value in values:
        assert SHOWN[value] in output, f"{SHOWN[value]!r} not in:\n{output}"


def write_orders(path: Path) -> Path:
    """An order export (real CSV, csv-module quoting) where the hostile customer buys the hostile product
    five a day for a month (a fast mover), among plain orders from a plain customer."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for day in range(1, 29):
            w.writerow([f"E{day}", f"2024-02-{day:02d} 10:00", CUSTOMER_ID, CUSTOMER, EMAIL, COUNTRY, SKU, PRODUCT,
                        CATEGORY, 5, "4.50"])
            w.writerow([f"B{day}", f"2024-02-{day:02d} 11:00", "C2", "Bob Plain", "bob@example.com", "GB", "PLT-2",
                        "Plate, white, 27 cm, dishwasher safe", "Tableware", 1, "12.00"])
    return path


def write_stock(path: Path) -> Path:
    """A stock count: the hostile product has run out; an unknown sku is listed back to the user."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["sku", "on_hand", "counted_at"])
        w.writerow([SKU, 0, "2024-02-28T12:00"])
        w.writerow(["PLT-2", 400, "2024-02-28T12:00"])
        w.writerow([UNKNOWN_SKU, 3, "2024-02-28T12:00"])
    return path


def build_store(folder: Path, cli, name: str = "shop.db") -> Path:
    """A store holding the hostile orders and stock counts, made by the real command line."""
    db = folder / name
    r = cli("ingest", str(write_orders(folder / "orders.csv")), "--db", str(db))
    assert r.returncode == 0, r.stderr
    r = cli("stock", "import", str(write_stock(folder / "stock.csv")), "--db", str(db))
    assert r.returncode == 0, r.stderr
    return db
