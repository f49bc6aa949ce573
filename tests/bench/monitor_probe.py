"""The benchmark's monitor figure: how long one tick takes to process 100 new sales."""

from __future__ import annotations

import shutil
import statistics
import time
from pathlib import Path


def tick_seconds(store: Path | str, work: Path, runs: int, new_sales: int = 100) -> float:
    """`store`: an SQLite file (ticked on a copy of it) or the URL of a PostgreSQL store the sales may be
    added to (the benchmark's own copy)."""
    from shopintel.reports.monitor import Monitor
    from shopintel.store.db import connect, connect_read_only
    from shopintel.store.load import Loader
    from shopintel.store.simulate import Simulator

    if isinstance(store, Path):
        copy = work / f"monitor-{store.name}"
        for suffix in ("", "-wal", "-shm"):
            Path(str(copy) + suffix).unlink(missing_ok=True)
        shutil.copy(store, copy)
        writer, reader = connect(copy), connect_read_only(copy)
    else:
        from shopintel.store.pg.connection import connect_read_only as pg_reader

        writer, reader = connect(store), pg_reader(store, primary=True)   # the monitor reads the primary's locks
    sim = Simulator(writer, seed=1)
    monitor = Monitor(reader, writer)
    monitor.start()
    loader_class = getattr(writer, "loader_class", Loader)   # PostgreSQL's writer of lines, as ingest takes it
    times = []
    for _ in range(runs):
        frame = sim.orders_frame(new_sales, 60.0)    # a simulated minute of them, about 1.6 lines per order: trim to N lines
        frame = frame.head(new_sales)
        with loader_class(writer, file_name=None) as loader:   # the new sales land (not timed)
            loader.add(frame)
        t = time.perf_counter()
        monitor.tick()                                   # timed: read the new rows, evaluate their products
        times.append(time.perf_counter() - t)
        assert monitor.sales_seen == len(frame)
    reader.close(), writer.close()
    return statistics.median(times)
