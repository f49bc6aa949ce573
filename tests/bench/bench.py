#!/usr/bin/env python
"""shopintel benchmark: a script, not a test. It prints a table and writes the figures as JSON.

    python tests/bench/bench.py                       # 100k and 1M lines (about 10 minutes on 2 cores)
    python tests/bench/bench.py --lines 10000000      # the big one
    python tests/bench/bench.py --lines 100000 --runs 3 --json /tmp/bench.json

For each size N it generates (deterministically) a flat order CSV with the synthetic generator and
measures, alternating the compared commands and taking the median of --runs runs (at least 5 by
default):

1. ingest: `shopintel ingest` into a fresh store vs the sqlite3 CLI's `.import` into one untyped table;
   on PostgreSQL, in the same rounds, `shopintel ingest` into a fresh schema vs `psql \copy` of the CSV
   into one untyped table;
2. reports: each report's warm latency through the functions the app calls vs DuckDB answering the
   same question over the same raw lines in an in-memory table, and on PostgreSQL (a `shopintel copy`
   of the SQLite store); and, for summary, whales, categories,
   revenue, top-sellers, basket and abc-xyz, the whole `shopintel report NAME --format json` process vs a
   `python -c 'import duckdb; ...'` process answering the same question from a DuckDB file of the lines;
3. growth: each report's latency at N vs at N/10;
4. app start: launching `shopintel tui` in tmux until the Overview shows its numbers vs a bare Textual
   app drawing one line, and the app's peak RSS after visiting every tab;
5. monitor: one tick that processes 100 new sales at N vs at N/10 (on PostgreSQL too);
6. memory: ingest peak RSS at each size;
7. the app's tables: every whale of all history kept for paging (reports.kept), and what the keys cost
   on it: the first page, a sort's first and last page, a filter's count;
8. speed a user feels (issue 15; figures, no pass/fail): `doctor` on the store; each tab after a period
   change and each drill-down, from the key to the figures on screen (speed_probe, in the app with
   Textual's Pilot); `q` in a real terminal (tmux) until the process is gone: idle, while a query runs,
   and while live (a simulator selling, the alert panel checking).
Needs the `bench` extra (pip install '.[bench]') for DuckDB, plus tmux and sqlite3 on PATH. The PostgreSQL
columns run on `--pg-url postgresql://USER@HOST/DB` (a database where it may create and drop schemas
bench_*; psql on PATH), else on a throwaway cluster where PostgreSQL is installed (tests/pg/cluster.py),
else they are left out, saying why; `--skip pg` leaves them out.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

END = date(2026, 11, 1)   # fixed so every run generates the same data
SEED = 1
TARGETS = {
    "ingest_ratio": 3.0, "pg_ingest_ratio": 3.0, "report_ratio": 1.0, "growth_ratio": 1.5, "app_start_ratio": 1.25,
    "app_rss_mb": 120, "monitor_tick_ratio": 1.5, "ingest_rss_mb": 500, "process_ratio": 0.5,
}
# whole `shopintel report NAME --format json` processes against a DuckDB process answering the same
PROCESS_REPORTS = ("summary", "whales", "categories", "revenue", "top-sellers", "basket", "abc-xyz")


# ------------------------------------------------------------------ helpers

def median_time(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def run_measured(cmd: list[str], cpu: list | None = None, **kw) -> tuple[float, int]:
    """Wall time and peak RSS (MB) of one child process (os.wait4 gives that child's own rusage, its
    waited-for children included); its CPU seconds (user + system) are appended to `cpu` when given."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kw)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t
    if cpu is not None:
        cpu.append(usage.ru_utime + usage.ru_stime)
    if status != 0:
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        raise SystemExit(f"benchmark step failed: {' '.join(cmd)}\n{err}")
    return elapsed, usage.ru_maxrss // 1024


def shopintel_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "shopintel.tui.cli", *args]


def fresh(path: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    return path


def make_csv(work: Path, lines: int) -> Path:
    from shopintel.store import synth

    path = work / f"orders-{lines}.csv"
    if not path.exists():
        print(f"  generating {lines:,} lines -> {path}", flush=True)
        tmp = path.with_suffix(".tmp")
        synth.write_csv(str(tmp), lines, seed=SEED, end=END)
        tmp.rename(path)
    return path


def make_store(work: Path, lines: int) -> Path:
    """A store of N lines with stock counts (ingest of the CSV, then the demo stock rule)."""
    path = work / f"store-{lines}.db"
    if path.exists():
        from shopintel.store.db import connect

        connect(path).close()   # a store kept from an earlier run is brought to the current schema
        return path
    csv_path = make_csv(work, lines)
    tmp = fresh(work / f"store-{lines}.building.db")
    subprocess.run(shopintel_cmd("ingest", str(csv_path), "--db", str(tmp)), check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)
    from shopintel.store import synth
    from shopintel.store.db import connect

    conn = connect(tmp)
    conn.execute("BEGIN IMMEDIATE")
    synth._demo_stock(conn, END, __import__("numpy").random.default_rng(SEED))
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    tmp.rename(path)
    return path


# ------------------------------------------------------------------ 1 + 6: ingest

def bench_ingest(work: Path, lines: int, runs: int, pg=None) -> dict:
    """`pg`: a pg_bench.Server, whose ingest and `psql \copy` are timed in the same rounds."""
    csv_path = make_csv(work, lines)
    ours, theirs, rss, our_cpu, their_cpu = [], [], [], [], []
    on_pg, copies, pg_cpu = [], [], []
    if pg is not None:
        import pg_bench

        make_table, copy = pg_bench.copy_cmd(csv_path)
    for _ in range(runs):   # alternate, so drift on the machine hits every side alike
        db = fresh(work / "ingest.db")
        t, mb = run_measured(shopintel_cmd("ingest", str(csv_path), "--db", str(db)), our_cpu, cwd=ROOT)
        ours.append(t)
        rss.append(mb)
        raw = fresh(work / "import.db")
        t, _ = run_measured(["sqlite3", str(raw), "-cmd", ".mode csv", f".import {csv_path} lines"], their_cpu)
        theirs.append(t)
        if pg is not None:
            pg.drop("bench_ingest")
            on_pg.append(run_measured(shopintel_cmd("ingest", str(csv_path), "--db", pg.url("bench_ingest")),
                                      pg_cpu, cwd=ROOT)[0])
            pg.sql(make_table)
            copies.append(run_measured(pg.psql("-c", copy))[0])
    a, b = statistics.median(ours), statistics.median(theirs)
    # CPU seconds beside the wall time: on a shared machine they say what the work cost (the import reads
    # and validates in a second process, so its CPU can exceed its wall time on two free cores; the
    # PostgreSQL server's own CPU is not the client's and is not counted)
    out = {"shopintel_s": a, "sqlite3_import_s": b, "ratio": a / b, "peak_rss_mb": max(rss),
           "shopintel_cpu_s": statistics.median(our_cpu), "sqlite3_import_cpu_s": statistics.median(their_cpu)}
    if pg is not None:
        p, c = statistics.median(on_pg), statistics.median(copies)
        out.update({"postgresql_s": p, "psql_copy_s": c, "pg_ratio": p / c, "pg_vs_sqlite": p / a,
                    "postgresql_client_cpu_s": statistics.median(pg_cpu)})
        pg.drop("bench_ingest")
        pg.sql("DROP TABLE IF EXISTS public.raw_lines")
    return out


# ------------------------------------------------------------------ 2 + 3: reports

def our_reports() -> dict:
    """name -> callable(conn) running each report with its default parameters."""
    from shopintel import reports

    return {name: (lambda conn, spec=spec: spec.run(conn)) for name, spec in reports.REPORTS.items()}


def time_our_reports(store: Path | str, runs: int) -> dict[str, float]:
    """`store`: an SQLite file or a PostgreSQL store's URL."""
    from shopintel.store.db import connect_read_only

    from shopintel.reports.clv import customers
    from shopintel.reports.params import Params, resolve

    conn = connect_read_only(store)
    out = {}
    calls = our_reports()
    as_of = resolve(conn, Params()).as_of
    calls["clv-prep"] = lambda conn: customers(conn, as_of)    # clv's data preparation alone
    for name, call in calls.items():
        call(conn)   # warm
        out[name] = median_time(lambda: call(conn), runs)
    conn.close()
    return out


def clv_answer(x, tx, T, orders, spend) -> None:
    """What clv computes from its prepared arrays: the fit, p_alive, expected orders and spend."""
    from shopintel.reports import bgnbd

    f = bgnbd.fit(x, tx, T)
    bgnbd.p_alive(f, x, tx, T)
    expected = bgnbd.expected_purchases(f, 365, x, tx, T)
    (expected * spend / orders).argsort()


def bench_clv_fit(runs: int, n: int = 50_000) -> dict:
    """The BG/NBD fit of n customers drawn from the model itself (CDNOW-like parameters, daily, up to two
    years of tenure): the issue's 2 s budget."""
    import numpy as np

    from shopintel.reports import bgnbd

    rng = np.random.default_rng(SEED)
    T = rng.integers(0, 730, n).astype(float)
    lam = rng.gamma(0.25, 1 / (4.4 * 7), n)
    p = rng.beta(0.8, 2.4, n)
    x, tx = np.zeros(n), np.zeros(n)
    for i in range(n):                      # each customer's purchases until they drop out or T ends
        t = 0.0
        while True:
            t += rng.exponential(1 / lam[i]) if lam[i] > 0 else np.inf
            if t > T[i]:
                break
            x[i] += 1
            tx[i] = t
            if rng.random() < p[i]:
                break
    tx = np.floor(tx)
    f = bgnbd.fit(x, tx, T)
    return {"customers": n, "fit_s": median_time(lambda: bgnbd.fit(x, tx, T), runs),
            "unique_rows": int(len(np.unique(np.column_stack((x, tx, T)), axis=0))),
            "params": {"r": f.r, "alpha": f.alpha, "a": f.a, "b": f.b}}


LINE_COLUMNS = ("{'order_id': 'VARCHAR', 'ordered_at': 'TIMESTAMP', 'customer_id': 'VARCHAR', "
                "'customer_name': 'VARCHAR', 'email': 'VARCHAR', 'country': 'VARCHAR', 'sku': 'VARCHAR', "
                "'product_name': 'VARCHAR', 'category': 'VARCHAR', 'quantity': 'BIGINT', 'unit_price': 'DOUBLE', "
                "'discount': 'DOUBLE'}")


def time_duckdb(csv_path: Path, store: Path, runs: int) -> dict[str, float]:
    import duckdb
    from duckdb_queries import QUERIES

    db = duckdb.connect()
    db.execute(f"CREATE TABLE lines AS SELECT * FROM read_csv('{csv_path}', header = true, delim = ',', "
               f"quote = '\"', columns = {LINE_COLUMNS})")
    src = sqlite3.connect(store)
    stock = src.execute("SELECT p.sku, i.on_hand, i.counted_at, i.lead_time_days FROM inventory i "
                        "JOIN products p USING (product_id)").fetchall()
    src.close()
    db.execute("CREATE TABLE stock (sku VARCHAR, on_hand INTEGER, counted_at TIMESTAMP, lead_time_days INTEGER)")
    db.executemany("INSERT INTO stock VALUES (?, ?, ?, ?)", stock)
    out = {}
    for name, query in QUERIES.items():
        db.execute(query).fetchall()   # warm
        out[name] = median_time(lambda: db.execute(query).fetchall(), runs)

    def clv():   # DuckDB prepares the arrays, the same model answers
        d = db.execute(QUERIES["clv-prep"]).fetchnumpy()
        clv_answer(*(d[k].astype(float) for k in ("frequency", "recency", "tenure", "orders", "spend")))

    clv()
    out["clv"] = median_time(clv, runs)
    db.close()
    return out


def duckdb_file(csv_path: Path, work: Path) -> Path:
    """The raw lines in a DuckDB database file, made once per CSV (the yardstick process opens it)."""
    import duckdb

    path = work / f"{csv_path.stem}.duckdb"
    if not path.exists():
        db = duckdb.connect(str(path))
        db.execute(f"CREATE TABLE lines AS SELECT * FROM read_csv('{csv_path}', header = true, delim = ',', "
                   f"quote = '\"', columns = {LINE_COLUMNS})")
        db.close()
    return path


def bench_processes(store: Path, csv_path: Path, work: Path, runs: int) -> dict:
    """Whole processes, as a script or a person at a shell runs them, alternating the two sides."""
    from duckdb_queries import QUERIES

    duck = duckdb_file(csv_path, work)
    out = {}
    for name in PROCESS_REPORTS:
        code = (f"import duckdb, json\nc = duckdb.connect({str(duck)!r}, read_only=True)\n"
                f"print(json.dumps(c.execute({QUERIES[name]!r}).fetchall(), default=str))")
        ours_cmd, theirs_cmd = shopintel_cmd("report", name, "--format", "json", "--db", str(store)), \
            [sys.executable, "-c", code]
        run_measured(ours_cmd), run_measured(theirs_cmd)   # warm: bytecode caches written, files in the page cache
        ours, theirs = [], []
        for _ in range(runs):
            ours.append(run_measured(ours_cmd)[0])
            theirs.append(run_measured(theirs_cmd)[0])
        a, b = statistics.median(ours), statistics.median(theirs)
        out[name] = {"shopintel_s": a, "duckdb_process_s": b, "ratio": a / b}
    return out


# ------------------------------------------------------------------ 4: app start

BARE_APP = """
from textual.app import App
from textual.widgets import Static
class Bare(App):
    def compose(self):
        yield Static("bare-app-ready")
Bare().run()
"""


def _tmux_time(command: str, marker, timeout: float = 60) -> float:
    name = f"bench{os.getpid()}"
    subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)
    t = time.perf_counter()
    subprocess.run(["tmux", "new-session", "-d", "-s", name, "-x", "100", "-y", "30", command], check=True)
    try:
        while time.perf_counter() - t < timeout:
            screen = subprocess.run(["tmux", "capture-pane", "-p", "-t", name], capture_output=True, text=True).stdout
            if marker(screen):
                return time.perf_counter() - t
            time.sleep(0.01)
        raise SystemExit(f"app start: marker not seen within {timeout}s; last screen:\n{screen}")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)


def bench_app(store: Path, work: Path, runs: int) -> dict:
    import app_probe

    bare = work / "bare_app.py"
    bare.write_text(BARE_APP)
    ours, theirs = [], []
    tui = " ".join(shopintel_cmd("tui", "--db", str(store), "--read-only"))
    for _ in range(runs):
        ours.append(_tmux_time(f"cd {ROOT} && {tui}", app_probe.overview_ready))
        theirs.append(_tmux_time(f"{sys.executable} {bare}", lambda s: "bare-app-ready" in s))
    a, b = statistics.median(ours), statistics.median(theirs)
    return {"app_s": a, "bare_textual_s": b, "ratio": a / b, "peak_rss_mb": app_probe.peak_rss_after_tabs(tui, ROOT)}


# ------------------------------------------------------------------ 5: monitor

def bench_monitor(store: Path | str, work: Path, runs: int) -> float:
    import monitor_probe

    return monitor_probe.tick_seconds(store, work, runs)


# ------------------------------------------------------------------ main

# ------------------------------------------------------------------ 7: the app's tables at size

def bench_table(store: Path, runs: int) -> dict:
    """Whales over all history as the app's tab holds it: every ranked customer kept (reports.kept), then
    what the keys do: the first page, a sort's first page, G on the sort (its index), a filter's count."""
    from shopintel.reports.kept import Kept, View
    from shopintel.reports.params import Params, resolve
    from shopintel.reports.whales import COLUMNS, whale_rows
    from shopintel.store.db import connect_read_only

    conn = connect_read_only(store)
    period = resolve(conn, Params())
    hidden = ("customer_id",)
    make = lambda: Kept(COLUMNS, whale_rows(conn, Params(), period), search=[c for c in COLUMNS if c not in hidden])
    keep_s = median_time(make, runs)
    kept = make()
    spend_up = View(sort="spend", ascending=True)
    out = {"rows": kept.total, "keep_s": keep_s,
           "page_s": median_time(lambda: kept.page(View(), 0, 500), runs),
           "sort_first_page_s": median_time(lambda: kept.page(spend_up, 0, 500), runs)}
    t = time.perf_counter()
    kept.page(spend_up, kept.total - 500, 500)   # the first deep read builds the index
    out["sort_last_page_first_s"] = time.perf_counter() - t
    out["sort_last_page_s"] = median_time(lambda: kept.page(spend_up, kept.total - 500, 500), runs)
    # a keystroke in the filter box: a new needle's count (a whole scan, whatever it matches) and first page
    needles = (f"an{i}" for i in range(10**6))
    out["filter_count_s"] = median_time(lambda: (v := View(search=next(needles)), kept.count(v), kept.page(v, 0, 500)),
                                        runs)
    conn.close()
    return out


# ------------------------------------------------------------------ 8: speed a user feels

SPEED_TARGETS = {"doctor_s": 5.0, "tab_s": 0.5, "drill_s": 0.5, "quit_s": 0.3}


def bench_speed(store: Path, work: Path, runs: int) -> dict:
    import speed_probe

    doctor = [run_measured(shopintel_cmd("doctor", "--db", str(store)), cwd=ROOT)[0] for _ in range(max(1, runs // 2))]
    out = {"doctor_s": statistics.median(doctor)}
    samples = [speed_probe.tabs_and_drills(store) for _ in range(max(1, runs // 2))]
    for kind in ("tab_after_period_change_s", "drill_down_s"):
        out[kind] = {k: statistics.median(s[kind][k] for s in samples) for k in samples[0][kind]}
    out["quit_s"] = speed_probe.quit_figures(store, work, runs=max(1, runs // 2))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lines", type=int, nargs="+", default=[100_000, 1_000_000], metavar="N")
    ap.add_argument("--runs", type=int, default=5, help="runs per measurement, median taken (default 5)")
    ap.add_argument("--json", metavar="PATH", help="also write the figures here")
    ap.add_argument("--work", metavar="DIR", default=os.path.join(tempfile.gettempdir(), "shopintel-bench"),
                    help="where generated CSVs and stores are kept between runs")
    ap.add_argument("--skip", nargs="*", default=[],
                    choices=["ingest", "reports", "app", "monitor", "table", "speed", "pg"],
                    help="leave sections out (pg: every PostgreSQL column)")
    ap.add_argument("--pg-url", metavar="URL",
                    help="the PostgreSQL columns on this database (it may create and drop schemas bench_*) instead "
                         "of a throwaway cluster")
    args = ap.parse_args()
    # pip compiles an installed package's bytecode; a shell that sets PYTHONDONTWRITEBYTECODE would make
    # every measured process compile its modules from source instead (~15 ms each for shopintel alone)
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    for tool in ("sqlite3", "tmux"):
        if not shutil.which(tool):
            print(f"bench: {tool} is not on PATH (apt-get install {tool})", file=sys.stderr)
            return 2
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    results: dict = {"machine": {"cores": os.cpu_count(), "python": platform.python_version(),
                                 "platform": platform.platform(), "date": datetime.now().isoformat(timespec="seconds")},
                     "runs": args.runs, "targets": TARGETS, "sizes": {}}
    pg = None
    if "pg" not in args.skip:
        import pg_bench

        pg, why = pg_bench.server(args.pg_url)
        if pg is None:
            print(f"bench: no PostgreSQL columns: {why}", flush=True)
    try:
        for n in args.lines:
            measure_size(args, work, n, pg, results)
    finally:
        if pg is not None:
            pg.close()
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
        print(f"figures written to {args.json}")
    return 0


def measure_size(args, work: Path, n: int, pg, results: dict) -> None:
    """Every section at one size N, into results["sizes"][N]."""
    print(f"== {n:,} lines", flush=True)
    small = max(1000, n // 10)
    r: dict = {}
    # the stores are for the reports, the app, the monitor and the tables: an ingest-only run needs none
    needs_store = any(part not in args.skip for part in ("reports", "app", "monitor", "table", "speed"))
    store, small_store = (make_store(work, n), make_store(work, small)) if needs_store else (None, None)
    if "ingest" not in args.skip:
        print("  ingest ...", flush=True)
        r["ingest"] = bench_ingest(work, n, args.runs, pg)
    if "reports" not in args.skip:
        print("  reports ...", flush=True)
        ours = time_our_reports(store, args.runs)
        ours_small = time_our_reports(small_store, args.runs)
        duck = time_duckdb(make_csv(work, n), store, args.runs)
        on_pg = time_our_reports(pg_store(pg, store), args.runs) if pg is not None else {}
        r["reports"] = {name: {"shopintel_s": ours[name], "duckdb_s": duck.get(name),
                               "ratio": ours[name] / duck[name] if duck.get(name) else None,
                               "at_n_over_10_s": ours_small[name], "growth_ratio": ours[name] / ours_small[name],
                               **({"postgresql_s": on_pg[name],
                                   "pg_ratio": on_pg[name] / duck[name] if duck.get(name) else None}
                                  if pg is not None else {})}
                        for name in ours}
        print("  clv fit of 50,000 customers ...", flush=True)
        r["clv_fit"] = bench_clv_fit(args.runs)
        print("  report processes ...", flush=True)
        r["processes"] = bench_processes(store, make_csv(work, n), work, args.runs)
    if "app" not in args.skip:
        print("  app start ...", flush=True)
        r["app"] = bench_app(store, work, args.runs)
    if "monitor" not in args.skip:
        print("  monitor tick ...", flush=True)
        big, little = bench_monitor(store, work, args.runs), bench_monitor(small_store, work, args.runs)
        r["monitor"] = {"tick_s": big, "tick_at_n_over_10_s": little, "ratio": big / little}
        if pg is not None:
            big, little = (bench_monitor(pg_store(pg, s), work, args.runs) for s in (store, small_store))
            r["monitor"].update({"pg_tick_s": big, "pg_tick_at_n_over_10_s": little, "pg_ratio": big / little})
    if "table" not in args.skip:
        print("  app table ...", flush=True)
        r["table"] = bench_table(store, args.runs)
    if "speed" not in args.skip:
        print("  speed a user feels ...", flush=True)
        r["speed"] = bench_speed(store, work, args.runs)
    results["sizes"][str(n)] = r
    print_table(n, r)


_PG_STORES: dict[Path, str] = {}


def pg_store(pg, store: Path) -> str:
    """The PostgreSQL copy of a benchmark store, made once per run (the monitor adds its sales to it after
    the reports were timed)."""
    if store not in _PG_STORES:
        import pg_bench

        print(f"  copying {store.name} to PostgreSQL ...", flush=True)
        _PG_STORES[store] = pg_bench.store(pg, store, f"bench_{store.stem.replace('-', '_')}")
    return _PG_STORES[store]


def _flag(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def print_table(n: int, r: dict) -> None:
    rows = [("measure", "shopintel", "reference", "ratio", "target", "")]
    if "ingest" in r:
        i = r["ingest"]
        rows.append(("ingest (s)", f"{i['shopintel_s']:.2f}", f"{i['sqlite3_import_s']:.2f} sqlite3", f"{i['ratio']:.2f}",
                      f"<= {TARGETS['ingest_ratio']}", _flag(i["ratio"] <= TARGETS["ingest_ratio"])))
        if "shopintel_cpu_s" in i:
            rows.append(("ingest CPU, user + system (s)", f"{i['shopintel_cpu_s']:.2f}",
                         f"{i['sqlite3_import_cpu_s']:.2f} sqlite3", "", "", ""))
        if "postgresql_s" in i:
            rows.append(("ingest on PostgreSQL (s)", f"{i['postgresql_s']:.2f}", f"{i['psql_copy_s']:.2f} psql \\copy",
                         f"{i['pg_ratio']:.2f}", f"<= {TARGETS['pg_ingest_ratio']}",
                         _flag(i["pg_ratio"] <= TARGETS["pg_ingest_ratio"])))
            rows.append(("  ingest PostgreSQL / SQLite", "", "", f"{i['pg_vs_sqlite']:.2f}", "", ""))
        rows.append(("ingest peak RSS (MB)", f"{i['peak_rss_mb']}", "", "", f"<= {TARGETS['ingest_rss_mb']}",
                     _flag(i["peak_rss_mb"] <= TARGETS["ingest_rss_mb"])))
    for name, rep in r.get("reports", {}).items():
        ratio = rep["ratio"]
        rows.append((f"report {name} (ms)", f"{rep['shopintel_s'] * 1000:.2f}",
                     f"{rep['duckdb_s'] * 1000:.2f} duckdb" if rep["duckdb_s"] else "-",
                     f"{ratio:.2f}" if ratio else "-", f"<= {TARGETS['report_ratio']}",
                     _flag(ratio is not None and ratio <= TARGETS["report_ratio"])))
        if "postgresql_s" in rep:
            ratio = rep["pg_ratio"]
            rows.append((f"  on PostgreSQL (ms)", f"{rep['postgresql_s'] * 1000:.2f}",
                         f"{rep['duckdb_s'] * 1000:.2f} duckdb" if rep["duckdb_s"] else "-",
                         f"{ratio:.2f}" if ratio else "-", f"<= {TARGETS['report_ratio']}",
                         _flag(ratio is not None and ratio <= TARGETS["report_ratio"])))
        rows.append((f"  growth {name}", f"{rep['at_n_over_10_s'] * 1000:.2f} at N/10", "", f"{rep['growth_ratio']:.2f}",
                     f"<= {TARGETS['growth_ratio']}", _flag(rep["growth_ratio"] <= TARGETS["growth_ratio"])))
    if "clv_fit" in r:
        rows.append((f"clv: BG/NBD fit of {r['clv_fit']['customers']:,} customers (ms)",
                     f"{r['clv_fit']['fit_s'] * 1000:.0f}", "", "", "<= 2000 ms", _flag(r["clv_fit"]["fit_s"] <= 2.0)))
    for name, proc in r.get("processes", {}).items():
        rows.append((f"process report {name} --format json (s)", f"{proc['shopintel_s']:.3f}",
                     f"{proc['duckdb_process_s']:.3f} duckdb process", f"{proc['ratio']:.2f}",
                     f"<= {TARGETS['process_ratio']}", _flag(proc["ratio"] <= TARGETS["process_ratio"])))
    if "app" in r:
        a = r["app"]
        rows.append(("app first screen (s)", f"{a['app_s']:.2f}", f"{a['bare_textual_s']:.2f} bare", f"{a['ratio']:.2f}",
                     f"<= {TARGETS['app_start_ratio']}", _flag(a["ratio"] <= TARGETS["app_start_ratio"])))
        rows.append(("app peak RSS (MB)", f"{a['peak_rss_mb']}", "", "", f"<= {TARGETS['app_rss_mb']}",
                     _flag(a["peak_rss_mb"] <= TARGETS["app_rss_mb"])))
    if "monitor" in r:
        m = r["monitor"]
        rows.append(("monitor tick, 100 sales (ms)", f"{m['tick_s'] * 1000:.2f}", f"{m['tick_at_n_over_10_s'] * 1000:.2f} at N/10",
                     f"{m['ratio']:.2f}", f"<= {TARGETS['monitor_tick_ratio']}",
                     _flag(m["ratio"] <= TARGETS["monitor_tick_ratio"])))
        if "pg_tick_s" in m:
            rows.append(("  on PostgreSQL (ms)", f"{m['pg_tick_s'] * 1000:.2f}", f"{m['pg_tick_at_n_over_10_s'] * 1000:.2f} at N/10",
                         f"{m['pg_ratio']:.2f}", f"<= {TARGETS['monitor_tick_ratio']}",
                         _flag(m["pg_ratio"] <= TARGETS["monitor_tick_ratio"])))
    if "table" in r:
        t = r["table"]
        for label, key in (("keep every whale", "keep_s"), ("first page", "page_s"), ("sort: first page", "sort_first_page_s"),
                           ("sort: G, first time (index)", "sort_last_page_first_s"), ("sort: G", "sort_last_page_s"),
                           ("filter: a keystroke", "filter_count_s")):
            rows.append((f"app table, {t['rows']:,} whales: {label} (ms)", f"{t[key] * 1000:.1f}", "", "", "", ""))
    if "speed" in r:
        sp = r["speed"]
        figures = [("doctor (s)", sp["doctor_s"], SPEED_TARGETS["doctor_s"])]
        figures += [(f"tab {tab} after a period change (s)", v, SPEED_TARGETS["tab_s"])
                    for tab, v in sp["tab_after_period_change_s"].items()]
        figures += [(f"drill-down {what} (s)", v, SPEED_TARGETS["drill_s"]) for what, v in sp["drill_down_s"].items()]
        figures += [(f"q exits, {state} (s)", v, SPEED_TARGETS["quit_s"]) for state, v in sp["quit_s"].items()]
        for label, value, target in figures:   # figures to read, not a test: the machine's load moves them
            rows.append((label, f"{value:.3f}", "", "", f"< {target}", _flag(value < target)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    print(f"\n{n:,} order lines")
    for row in rows:
        print("  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths)))
    print()


if __name__ == "__main__":
    sys.exit(main())
