"""Stores for the app tests: a fixed synthetic shop (its as-of date never moves), a shop whose names
are hostile, an empty store; and a helper that waits for the app's workers instead of sleeping."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from shopintel.store import synth
from shopintel.store.db import connect

END = date(2026, 6, 30)

HOSTILE = ["[/b]", "[red]x[/]", "\x1b[31mred\x1b[0m", "🦈 Whale Inc 🐳", "שלום עולם", "東京の顧客様", "[link=x]y[/link]",
           "$(rm -rf ~)", "a" * 300]


@pytest.fixture(scope="session")
def shop_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("app") / "shop.db"
    conn = connect(path)
    synth.build_store(conn, 10_000, seed=5, end=END)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path


@pytest.fixture
def shop(shop_template, tmp_path) -> Path:
    path = tmp_path / "shop.db"
    shutil.copy(shop_template, path)
    return path


@pytest.fixture
def hostile_shop(shop) -> Path:
    """The same shop with names that would be markup, escape sequences, emoji, RTL and wide text."""
    conn = sqlite3.connect(shop)
    top = [r[0] for r in conn.execute("SELECT customer_id FROM agg_customer ORDER BY net_cents DESC LIMIT 9")]
    for cid, name in zip(top, HOSTILE):
        conn.execute("UPDATE customers SET name = ? WHERE customer_id = ?", (name, cid))
    prods = [r[0] for r in conn.execute(
        "SELECT product_id FROM agg_product_day GROUP BY product_id ORDER BY sum(units) DESC LIMIT 9")]
    for pid, name in zip(prods, HOSTILE):
        conn.execute("UPDATE products SET name = ? WHERE product_id = ?", (name, pid))
    conn.execute("UPDATE categories SET name = '[bold]Outdoor[/bold]' WHERE name = 'Outdoor'")
    conn.commit()
    conn.close()
    return shop


async def settle(pilot, app, timeout: float = 20.0) -> None:
    """Wait until no worker runs and no pane shows its loading indicator."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await pilot.pause(0.05)
        busy = any(w.is_running for w in app.workers if w.group != "alerts")
        loading = any(getattr(n, "loading", False) for n in app.screen.query("*"))
        waiting = any("Loading…" in str(n.render()) for n in app.screen.query(".status"))
        if not busy and not loading and not waiting:
            await pilot.pause(0.05)
            return
    raise AssertionError("the app did not settle")


async def wait_for(pilot, predicate, what: str = "the condition", timeout: float = 20.0) -> None:
    """Wait until predicate() holds, checking every 50 ms (no fixed sleep)."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await pilot.pause(0.05)
        if predicate():
            return
    raise AssertionError(f"waited {timeout}s for {what}")


def drawn(app) -> str:
    """Every character the app draws for the current screen (toasts included), line by line."""
    update = app.screen._compositor.render_update(full=True)
    return "\n".join("".join(seg.text for strip in line for seg in strip if not seg.control)
                     for line in update.strips)
