"""The benchmark's monitor figure: how long one tick takes to process 100 new sales."""

from __future__ import annotations

import shutil
import statistics
import time
from pathlib import Path


def tick_seconds(store: Path, work: Path, runs: int, new_sales: int = 100) -> float:
    from shopintel.reports.monitor import Monitor
    from shopintel.store.db import connect, connect_read_only
    from shopintel.store.simulate import Simulator

    copy = work / f"monitor-{store.name}"
    for suffix in ("", "-wal", "-shm"):
        Path(str(copy) + suffix).unlink(missing_ok=True)
    shutil.copy(store, copy)
    writer = connect(copy)
    sim = Simulator(writer, seed=1)
    monitor = Monitor(connect_read_only(copy), writer)
    monitor.start()
    times = []
    for _ in range(runs):
        frame = sim.orders_frame(new_sales, 60.0)    # a simulated minute of them, about 1.6 lines per order: trim to N lines
        frame = frame.head(new_sales)
        from shopintel.store.load import Loader

        with Loader(writer, file_name=None) as loader:   # the new sales land (not timed)
            loader.add(frame)
        t = time.perf_counter()
        monitor.tick()                                   # timed: read the new rows, evaluate their products
        times.append(time.perf_counter() - t)
        assert monitor.sales_seen == len(frame)
    return statistics.median(times)
