"""Business questions answered from the store: one module per report, plus the live monitor.

    from shopintel.reports import REPORTS        # name -> spec.Report, described in registry.py
    REPORTS["whales"].run(conn, Params(limit=10))

Nothing in this package imports textual, rich or plotext. `REPORTS` is light (no pandas, no report
module) and loaded on first use, so that `import shopintel.reports.params` stays cheap.
"""

from __future__ import annotations


def __getattr__(name: str):
    if name in ("REPORTS", "PARAMS"):
        from . import registry

        return getattr(registry, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
