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
