"""tui -> reports -> store: the data layers never pull in a UI library."""

from __future__ import annotations

import subprocess
import sys


def test_store_and_reports_import_no_ui_library():
    code = (
        "import sys, pkgutil, importlib\n"
        "from shopintel import store, reports\n"
        "for pkg in (store, reports):\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        importlib.import_module(m.name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich', 'plotext', 'textual_plotext'))\n"
        "print(','.join(bad))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert r.stdout.strip() == "", f"UI libraries imported by store/reports: {r.stdout}"


def test_the_app_s_queries_load_no_pandas(tmp_path):
    """Every report, drill-down and the live monitor are SQL and plain Python: an app visiting every tab
    and screen stays small (pandas, numpy and pyarrow are ~80 MB at import). pandas is for the import; clv's
    model is fitted with numpy and scipy, loaded only when it runs (never pandas)."""
    from shopintel.store import synth
    from shopintel.store.db import connect

    store = tmp_path / "shop.db"
    conn = connect(store)
    synth.build_store(conn, 3000, seed=2)
    conn.close()
    code = f"""
import sys
from shopintel.store.db import connect, connect_read_only
from shopintel.reports.registry import REPORTS
from shopintel.reports.params import Params
from shopintel.reports import details
from shopintel.reports.monitor import Monitor
ro = connect_read_only({str(store)!r})
for report in REPORTS.values():
    if report.name == "clv":   # the model's fit needs numpy and scipy: checked on its own below
        continue
    report.run(ro)
    for v in report.variants:
        report.run(ro, Params(**{{v.param: {{'profile': 'weekday', 'segment': 'Champions'}}[v.param]}}))
key, sku, cat = ro.execute("SELECT c.customer_key, p.sku, k.name FROM customers c, products p, categories k LIMIT 1").fetchone()
details.customer_detail(ro, key); details.product_detail(ro, sku); details.category_products(ro, cat)
m = Monitor(ro, connect({str(store)!r})); m.start(); m.tick(); m.active()
print(','.join(sorted(n for n in sys.modules if n.split('.')[0] in ('pandas', 'numpy', 'pyarrow'))))
REPORTS["clv"].run(ro)
print(','.join(sorted(n for n in sys.modules if n.split('.')[0] in ('pandas', 'pyarrow'))))
"""
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split("\n")[:2] == ["", ""]   # clv loads numpy and scipy, never pandas
