"""Business questions answered from the store: one module per report, plus the live monitor.

    from . import REPORTS            # name -> ReportSpec(run, description, columns, plot, params_class)
    REPORTS["whales"].run(conn, Params(limit=10))

Nothing in this package imports textual, rich or plotext. `REPORTS` and `bench_calls` are loaded on
first use so that `import reports.params` stays cheap.
"""

from __future__ import annotations


def __getattr__(name: str):
    if name in ("REPORTS", "ReportSpec", "bench_calls"):
        from . import registry

        return getattr(registry, name)
    raise AttributeError(f"module 'reports' has no attribute {name!r}")
